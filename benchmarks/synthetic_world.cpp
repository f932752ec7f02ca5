#include "synthetic_world.hpp"

#include <fstream>
#include <stdexcept>

#include <fmt/format.h>

namespace hwf::bench {

namespace {
std::string iso(int i) {
  return fmt::format("X{}{}", static_cast<char>('A' + i / 26), static_cast<char>('A' + i % 26));
}
std::string cadre(int k) {
  return fmt::format("cadre_{}", static_cast<char>('a' + k));
}
}  // namespace

std::string describe(const world_size& w) {
  return fmt::format(
      "world-{}: {} countries x {} cadres, {} corridor-cadres{}, {} years, {} step {}", w.countries,
      w.countries, w.cadres, w.corridors,
      std::string(w.corridor_series ? " (every corridor rate a series)" : "") +
          (w.ages_and_posts ? " (5 age bands, funded posts everywhere)" : ""),
      w.years, w.method, w.step);
}

std::filesystem::path write_synthetic_world(const std::filesystem::path& folder,
                                            const world_size& w) {
  if (w.countries < 2 || w.cadres < 1 || w.countries > 26 * 26)
    throw std::invalid_argument("synthetic world: need 2..676 countries and at least one cadre");
  const int sources = w.countries / 2;
  std::string y = "model: synthetic\nstart_year: 2020\ncadres:\n";
  for (int k = 0; k < w.cadres; ++k)
    y += fmt::format(
        "  {}: {{training_years: {}, completion: {}, sdg_core: true{}}}\n", cadre(k), 3 + k % 4,
        0.75 + 0.05 * (k % 4),
        w.ages_and_posts ? ", age_bands: [[20, 30], [30, 40], [40, 50], [50, 60], [60, 65]]" : "");
  y += "countries:\n";
  for (int c = 0; c < w.countries; ++c) {
    const bool source = c < sources;
    y += fmt::format("  {}:\n    name: Country {}\n    safeguards_list: {}\n", iso(c), c,
                     source && c % 2 == 0 ? "true" : "false");
    y += fmt::format("    population: {}\n    population_growth: {}\n    cadres:\n",
                     (5 + 3 * c) * 1e6, source ? 0.02 : 0.005);
    for (int k = 0; k < w.cadres; ++k) {
      const double scale = (source ? 1.0 : 4.0) * (1 + c % 5) * (k % 2 ? 3000 : 1000);
      const double exit = source ? 0.03 : 0.05;
      // With age bands: exits by band (more among the youngest and oldest), retirement by
      // ageing out of the last band, entrants mostly young, the young emigrating most; posts
      // a little above the workforce, and some unemployed at the start.
      const std::string rates =
          w.ages_and_posts
              ? fmt::format(
                    "exit_rate: [{}, {}, {}, {}, {}]\n"
                    "        entry_age_shares: [0.8, 0.2, 0, 0, 0]\n"
                    "        emigration_age_factors: [1.5, 1.2, 0.8, 0.4, 0.2]\n"
                    "        posts: {}\n        post_growth: 0.01\n        unemployed: {}\n",
                    exit + 0.01, exit, exit, exit, exit + 0.02, scale * 10.5, scale * 0.2)
              : fmt::format("exit_rate: {}\n        retirement_rate: 0.02\n", exit);
      y += fmt::format(
          "      {}:\n        workforce: {}\n        seats: {}\n        seat_growth: 0.01\n"
          "        entry_rate: 0.9\n        {}"
          "        need_density: {}\n        salary: {}\n        cost_per_student_year: {}\n"
          "        demand_elasticity: {}\n",
          cadre(k), scale * 10, scale * 0.6, rates, k % 2 ? 30 : 12, source ? 3000 : 40000,
          source ? 2500 : 12000, source ? 0.0 : 1.0);
    }
  }
  y += "corridors:\n";
  // Corridor-cadre entries are grouped by origin-destination pair, one cadre after another.
  int written = 0;
  for (int pair = 0; written < w.corridors; ++pair) {
    const int o = pair % sources;
    const int d = sources + (pair * 7 + pair / sources) % (w.countries - sources);
    if (pair >= sources * (w.countries - sources))
      throw std::invalid_argument("synthetic world: more corridors than pairs");
    y += fmt::format("  - origin: {}\n    destination: {}\n    cadres:\n", iso(o), iso(d));
    for (int k = 0; k < w.cadres && written < w.corridors; ++k, ++written) {
      const double m0 = 0.005 + 0.001 * (written % 10);
      // With corridor_series, both rates follow series (docs/model.md, 15.1): emigration rises
      // by half to 2030 and falls back by 2040 (linear), returns drop in 2032 (step).
      const std::string rates =
          w.corridor_series ? fmt::format(
                                  "emigration_rate: {{series: {{2020: {}, 2030: {}, 2040: {}}}}}, "
                                  "return_rate: {{series: {{2020: 0.03, 2032: 0.02}}, "
                                  "interpolation: step}}",
                                  m0, 1.5 * m0, m0)
                            : fmt::format("emigration_rate: {}, return_rate: 0.03", m0);
      y += fmt::format(
          "      {}: {{migrant_stock: {}, {}, "
          "active_recruitment_share: 0.5}}\n",
          cadre(k), 500 + 37 * written, rates);
    }
  }
  std::filesystem::create_directories(folder);
  std::ofstream(folder / "world.yaml") << y;
  const auto scenario = folder / "scenario.yaml";
  std::ofstream(scenario) << fmt::format(
      "scenario: synthetic\nmodel: world.yaml\nhorizon: {{start: 2020, end: {}}}\n"
      "solver: {{method: {}, step: {}}}\n",
      2020 + w.years, w.method, w.step);
  return scenario;
}

std::filesystem::path write_uncertain_world(const std::filesystem::path& folder,
                                            std::size_t samples, const std::string& parameters) {
  const auto scenario = write_synthetic_world(folder, world_size{});
  std::ofstream(scenario, std::ios::app) << fmt::format(
      "uncertainty:\n  samples: {}\n  sampling: lhs\n  seed: 20261125\n  parameters:\n{}", samples,
      parameters);
  return scenario;
}

}  // namespace hwf::bench
