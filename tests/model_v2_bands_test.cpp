// Age bands (docs/model.md, section 15.7): reading and checking the bands of a cadre, one band
// against version 1, the closed form of an ageing chain, emigration and return by band checked
// against an independent integration, the retirement-age lever, and mass balance with U, bands
// and the rest of the world together.

#include <catch2/catch.hpp>

#include <array>
#include <cmath>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "models/workforce/description.hpp"
#include "support.hpp"

using namespace hwf;
using test::run_model;

namespace {

/// tests/support.cpp's analytic model with `bands` as its nurses' age_bands, and `ages` (keys of
/// the country-cadre) in place of its retirement_rate.
std::string with_bands(const std::string& bands, const std::string& ages = "") {
  std::string text = test::analytic_model_yaml();
  const std::string from = "  nurses: {training_years: 3, completion: 0.8, sdg_core: true}\n";
  const auto at = text.find(from);
  REQUIRE(at != std::string::npos);
  text.replace(
      at, from.size(),
      "  nurses: {training_years: 3, completion: 0.8, sdg_core: true, age_bands: " + bands + "}\n");
  const std::string retirement = "        retirement_rate: 0.04\n";
  const auto r = text.find(retirement);
  REQUIRE(r != std::string::npos);
  text.replace(r, retirement.size(), ages);
  return text;
}

std::string load_error(const std::string& text) {
  try {
    model::parse_model(text, "m.yaml");
  } catch (const std::exception& e) {
    return e.what();
  }
  return "";
}

/// The value of the ages table for (country, cadre, band, indicator) at `year`.
double age_value(const test::model_run& r, int year, const std::string& country,
                 const std::string& band, const std::string& name,
                 const std::string& cadre = "nurses") {
  REQUIRE(r.model->has_ages());
  const auto& table = r.out.result.tables.at(2);
  const auto& series = table.schema->series;
  for (std::size_t i = 0; i < series.size(); ++i)
    if (series[i] == std::vector<std::string>{country, cadre, band, name})
      return table.row(static_cast<std::size_t>(year - 2020))[i];
  FAIL("no series " << country << "," << cadre << "," << band << "," << name);
  return 0;
}

/// Two countries with nurses in three ten-year bands, no training, no pull, and a corridor
/// AAA -> BBB: `aaa` and `bbb` are added to each country's nurses, `corridor` to the corridor.
std::string two_aged(const std::string& aaa, const std::string& bbb, const std::string& corridor) {
  return fmt::format(R"(model: bands
start_year: 2020
cadres:
  nurses: {{training_years: 3, completion: 0.8, sdg_core: true,
           age_bands: [[35, 45], [45, 55], [55, 65]]}}
countries:
  AAA:
    name: Analytica
    population: 1.0e6
    cadres:
      nurses:
        workforce: 1000
        seats: 0
        need_density: 40
        salary: 1000
        cost_per_student_year: 100
{}
  BBB:
    name: Elsewhere
    population: 2.0e6
    cadres:
      nurses:
        workforce: 5000
        seats: 0
        need_density: 45
        salary: 30000
        cost_per_student_year: 9000
{}
corridors:
  - origin: AAA
    destination: BBB
    cadres:
      nurses: {{active_recruitment_share: 0.5, {}}}
)",
                     aaa, bbb, corridor);
}

}  // namespace

TEST_CASE("a cadre's age bands are read in order", "[model][bands][io]") {
  const auto md = model::parse_model(with_bands("[[25, 35], [35, 50], [50, 65]]"), "m.yaml");
  const auto& bands = md.cadres.at(0).age_bands;
  REQUIRE(bands.size() == 3);
  CHECK(bands[0].from == 25);
  CHECK(bands[1].from == 35);
  CHECK(bands[1].to == 50);
  CHECK(bands[2].to == 65);
  CHECK(model::parse_model(test::analytic_model_yaml(), "m.yaml").cadres.at(0).age_bands.empty());
  // exit_rate as one number applies to every band; the defaults: entry into the first band,
  // emigration factors 1, start shares from the steady state (none given).
  const auto& ages = md.countries.at(0).cadres.at(0).ages;
  REQUIRE(ages);
  CHECK(ages->exit_rates.size() == 3);
  CHECK(md.params[ages->exit_rates[2]].value == 0.06);
  CHECK(md.params[ages->entry_shares[0]].value == 1);
  CHECK(md.params[ages->entry_shares[1]].value == 0);
  CHECK(md.params[ages->entry_shares[1]].path == "countries.AAA.cadres.nurses.entry_age_shares[1]");
  CHECK(md.params[ages->emigration_factors[2]].value == 1);
  CHECK(ages->age_shares.empty());
}

TEST_CASE("age bands that overlap, leave gaps or are not ages are refused", "[model][bands][io]") {
  CHECK_THAT(load_error(with_bands("[[25, 35], [30, 45]]")),
             Catch::Contains("cadres.nurses.age_bands[1]: band [30, 45) overlaps the band before "
                             "it, [25, 35), by 5 years"));
  CHECK_THAT(load_error(with_bands("[[25, 35], [40, 45]]")),
             Catch::Contains("band [40, 45) leaves a gap of 5 years"));
  CHECK_THAT(load_error(with_bands("[[35, 25]]")),
             Catch::Contains("expected ages 0 <= from < to <= 120, found [35, 25]"));
  CHECK_THAT(load_error(with_bands("[[25, 35, 45]]")),
             Catch::Contains("expected two ages [from, to), found 3 values"));
  CHECK_THAT(load_error(with_bands("[]")), Catch::Contains("expected at least one band"));
}

TEST_CASE("the keys of a cadre with age bands are checked", "[model][bands][io]") {
  const std::string bands = "[[25, 45], [45, 65]]";
  // retirement_rate: retirement is ageing out of the last band.
  CHECK_THAT(load_error(with_bands(bands, "        retirement_rate: 0.04\n")),
             Catch::Contains("countries.AAA.cadres.nurses.retirement_rate: retirement_rate is not "
                             "given for nurses, which has age_bands: retirement is ageing out of "
                             "the last band, [45, 65)"));
  // Shares that do not sum to 1, by how much.
  CHECK_THAT(load_error(with_bands(bands, "        entry_age_shares: [0.5, 0.4]\n")),
             Catch::Contains("entry_age_shares: the shares sum to 0.9, 0.1 short of 1"));
  CHECK_THAT(load_error(with_bands(bands, "        age_shares: [0.7, 0.5]\n")),
             Catch::Contains("age_shares: the shares sum to 1.2, 0.2 more than 1"));
  // One value per band.
  CHECK_THAT(load_error(with_bands(bands, "        emigration_age_factors: [1, 1, 1]\n")),
             Catch::Contains("expected 2 values (one per age band), found 3"));
  std::string short_list = with_bands(bands);
  short_list.replace(short_list.find("exit_rate: 0.06"), 15, "exit_rate: [0.1]");
  CHECK_THAT(load_error(short_list),
             Catch::Contains("exit_rate: expected 2 values (one per age band), found 1"));
  // A series of exit rates is not read with bands.
  std::string series = with_bands(bands);
  series.replace(series.find("exit_rate: 0.06"), 15,
                 "exit_rate: {series: {2020: 0.06, 2030: 0.05}}");
  CHECK_THAT(load_error(series), Catch::Contains("with age_bands, exit_rate is one number or a "
                                                 "list of one per band, not a series"));
  // The keys of bands, without bands.
  std::string flat = test::analytic_model_yaml();
  flat.replace(flat.find("        need_density"), 0, "        age_shares: [1]\n");
  CHECK_THAT(load_error(flat), Catch::Contains("age_shares is read only for a cadre with "
                                               "age_bands"));
  // A list of exit rates by band is read in band order.
  const auto md = model::parse_model(
      [&] {
        std::string t = with_bands(bands);
        t.replace(t.find("exit_rate: 0.06"), 15, "exit_rate: [0.08, 0.02]");
        return t;
      }(),
      "m.yaml");
  const auto& ages = *md.countries.at(0).cadres.at(0).ages;
  CHECK(md.params[ages.exit_rates[0]].value == 0.08);
  CHECK(md.params[ages.exit_rates[1]].value == 0.02);
  CHECK(md.params[ages.exit_rates[1]].path == "countries.AAA.cadres.nurses.exit_rate[1]");
}

TEST_CASE("one age band is version 1 with retirement at one over its width",
          "[model][bands][analytic]") {
  // The analytic model retires at 0.04 a year: one band 25 years wide does the same (eq. F2).
  const auto flat = run_model("bands_one_flat", test::analytic_model_yaml(), 2050);
  const auto one = run_model("bands_one_band", with_bands("[[40, 65]]"), 2050);
  for (int year : {2021, 2030, 2050})
    for (const char* name : {"workforce_domestic", "attrition", "supply", "density_per_10k",
                             "shortage", "graduates", "wage_bill"})
      CHECK(one.at(year, "AAA", name) == Approx(flat.at(year, "AAA", name)).epsilon(1e-9));
  // The band's row holds the whole workforce.
  CHECK(age_value(one, 2030, "AAA", "40-65", "workforce_domestic") ==
        one.at(2030, "AAA", "workforce_domestic"));
  // Without bands there is no ages table.
  CHECK_FALSE(flat.model->has_ages());
  CHECK(flat.out.result.tables.size() == 2);
}

TEST_CASE("equal bands and rates age as a chain of compartments", "[model][bands][analytic]") {
  // No entrants, all W0 in the first of three bands of width w, exit x in every band:
  // W_k(t) = W0 e^{-x t} e^{-t/w} (t/w)^(k-1) / (k-1)!  (the Erlang chain), and the yearly
  // retirements are what leaves the last band.
  const double w0 = 1000, x = 0.03, width = 10;
  std::string text = with_bands("[[35, 45], [45, 55], [55, 65]]",
                                "        age_shares: [1, 0, 0]\n        exit_rate: 0.03\n");
  text.replace(text.find("        exit_rate: 0.06\n"), 24, "");
  text.replace(text.find("seats: 500"), 10, "seats: 0");
  const auto r = run_model("bands_chain", text, 2040);
  const std::array<std::string, 3> band{"35-45", "45-55", "55-65"};
  for (int year : {2020, 2025, 2033, 2040}) {
    const double t = year - 2020, s = t / width, decay = w0 * std::exp(-x * t - s);
    const std::array<double, 3> expected{decay, decay * s, decay * s * s / 2};
    for (std::size_t k = 0; k < 3; ++k)
      CHECK(age_value(r, year, "AAA", band[k], "workforce_domestic") ==
            Approx(expected[k]).margin(1e-7));
    CHECK(r.at(year, "AAA", "workforce_domestic") ==
          Approx(expected[0] + expected[1] + expected[2]).epsilon(1e-9));
  }
  CHECK(r.out.stats.mass_balance_residual < 1e-10);
}

TEST_CASE("the default start shares are the ageing chain's steady state", "[model][bands]") {
  // Entry into the first band, exit x and ageing 1/w everywhere: band k holds
  // (1/w / (x + 1/w))^(k-1) of the first (eq. F5).
  const auto r = run_model("bands_steady", with_bands("[[35, 45], [45, 55], [55, 65]]"), 2021);
  const double ratio = 0.1 / (0.06 + 0.1);
  const double first = 1000 / (1 + ratio + ratio * ratio);
  CHECK(age_value(r, 2020, "AAA", "35-45", "workforce_domestic") == Approx(first));
  CHECK(age_value(r, 2020, "AAA", "45-55", "workforce_domestic") == Approx(first * ratio));
  CHECK(age_value(r, 2020, "AAA", "55-65", "workforce_domestic") == Approx(first * ratio * ratio));
}

TEST_CASE("emigration and returns by band agree with an independent integration",
          "[model][bands][analytic]") {
  // Origin AAA (exit 0.02, emigration factors 2, 1, 0) sends to BBB (exit by band 0.01, 0.02,
  // 0.03); migrants return at 0.1 into the band they are in. Checked against a plain RK4 of the
  // same equations (eq. F3-F7) with a small step.
  const auto r = run_model(
      "bands_corridor",
      two_aged("        exit_rate: 0.02\n        age_shares: [0.5, 0.3, 0.2]\n"
               "        emigration_age_factors: [2, 1, 0]",
               "        exit_rate: [0.01, 0.02, 0.03]\n        age_shares: [0.2, 0.3, 0.5]",
               "migrant_stock: 600, emigration_rate: 0.05, return_rate: 0.1"),
      2030);
  // State: W_AAA[3], W_BBB[3], M[3].
  using state = std::array<double, 9>;
  const auto rhs = [](const state& s) {
    state d{};
    const double a = 0.1;  // 1 / width
    const std::array<double, 3> f{2, 1, 0}, xb{0.01, 0.02, 0.03};
    double base = 0;
    for (int k = 0; k < 3; ++k) base += f[k] * s[k];
    const double flow = 0.05 * base;
    for (int k = 0; k < 3; ++k) {
      const double in_w = k ? a * s[k - 1] : 0, in_b = k ? a * s[3 + k - 1] : 0,
                   in_m = k ? a * s[6 + k - 1] : 0;
      const double out_k = base > 0 ? flow * f[k] * s[k] / base : 0;
      d[k] = in_w - 0.02 * s[k] - a * s[k] - out_k + 0.1 * s[6 + k];
      d[3 + k] = in_b - xb[k] * s[3 + k] - a * s[3 + k];
      d[6 + k] = in_m + out_k - 0.1 * s[6 + k] - xb[k] * s[6 + k] - a * s[6 + k];
    }
    return d;
  };
  state s{500, 300, 200, 1000, 1500, 2500, 300, 180, 120};  // M0 splits like AAA's W0
  const int steps_per_year = 2000;
  const double h = 1.0 / steps_per_year;
  const std::array<std::string, 3> band{"35-45", "45-55", "55-65"};
  for (int year = 2021; year <= 2030; ++year) {
    for (int i = 0; i < steps_per_year; ++i) {
      const auto step = [&](const state& from, const state& k, double by) {
        state out;
        for (std::size_t j = 0; j < 9; ++j) out[j] = from[j] + by * k[j];
        return out;
      };
      const auto k1 = rhs(s), k2 = rhs(step(s, k1, h / 2)), k3 = rhs(step(s, k2, h / 2)),
                 k4 = rhs(step(s, k3, h));
      for (std::size_t j = 0; j < 9; ++j) s[j] += h / 6 * (k1[j] + 2 * k2[j] + 2 * k3[j] + k4[j]);
    }
    if (year != 2025 && year != 2030) continue;
    for (std::size_t k = 0; k < 3; ++k) {
      CHECK(age_value(r, year, "AAA", band[k], "workforce_domestic") == Approx(s[k]).epsilon(1e-8));
      CHECK(age_value(r, year, "BBB", band[k], "workforce_domestic") ==
            Approx(s[3 + k]).epsilon(1e-8));
      CHECK(age_value(r, year, "AAA", band[k], "abroad") == Approx(s[6 + k]).epsilon(1e-8));
      CHECK(age_value(r, year, "BBB", band[k], "foreign_trained") ==
            Approx(s[6 + k]).epsilon(1e-8));
      CHECK(age_value(r, year, "BBB", band[k], "supply") ==
            Approx(s[3 + k] + s[6 + k]).epsilon(1e-8));
    }
  }
  // The corridor's migrant stock is the sum of its bands.
  CHECK(r.at(2030, "AAA", "abroad") == Approx(s[6] + s[7] + s[8]).epsilon(1e-8));
  CHECK(r.out.stats.mass_balance_residual < 1e-10);
}

TEST_CASE("the retirement-age lever widens the last band over its ramp",
          "[model][bands][levers][analytic]") {
  // One band [55, 65), no exits or entrants: W = W0 e^{-t/10}; raising the retirement age by 5
  // from the start makes it W0 e^{-t/15} (eq. F8).
  std::string text = with_bands("[[55, 65]]", "        exit_rate: 0\n");
  text.replace(text.find("        exit_rate: 0.06\n"), 24, "");
  text.replace(text.find("seats: 500"), 10, "seats: 0");
  const auto base = run_model("bands_retire_base", text, 2030);
  const auto later = run_model("bands_retire_later", text, 2030, R"(policies:
  - name: later
    type: retirement_age
    countries: [AAA]
    cadres: [nurses]
    shift_years: 5
    start: 2020
    ramp_years: 0
)");
  for (int year : {2022, 2030}) {
    const double t = year - 2020;
    CHECK(base.at(year, "AAA", "workforce_domestic") == Approx(1000 * std::exp(-t / 10)));
    CHECK(later.at(year, "AAA", "workforce_domestic") == Approx(1000 * std::exp(-t / 15)));
  }
  // Retirements over 2030 (the attrition): the stock's fall.
  CHECK(later.at(2030, "AAA", "attrition") ==
        Approx(1000 * (std::exp(-9.0 / 15) - std::exp(-10.0 / 15))));
}

TEST_CASE("retirement_age is refused without bands or when it would close the last band",
          "[model][bands][levers][io]") {
  const auto error = [](const std::string& model_text, const std::string& shift) {
    const auto dir = test::scratch_folder("bands_retire_error");
    test::write_file(dir, "model.yaml", model_text);
    const auto path = test::write_file(
        dir, "s.yaml",
        "scenario: s\nmodel: model.yaml\nhorizon: {start: 2020, end: 2030}\npolicies:\n"
        "  - {name: r, type: retirement_age, countries: [AAA], cadres: [nurses], "
        "shift_years: " +
            shift + ", start: 2022}\n");
    try {
      model::load_scenario(path);
    } catch (const std::exception& e) {
      return std::string(e.what());
    }
    return std::string();
  };
  CHECK_THAT(error(test::analytic_model_yaml(), "2"),
             Catch::Contains("cadre nurses has no age bands, so no retirement age to move"));
  CHECK_THAT(error(with_bands("[[25, 55], [55, 65]]"), "-10"),
             Catch::Contains("a shift of -10 years would close the last age band of nurses, [55, "
                             "65)"));
  CHECK(error(with_bands("[[25, 55], [55, 65]]"), "-9.5").empty());
}

TEST_CASE("mass balances with bands, posts, the rest of the world and levers together",
          "[model][bands][labour][property]") {
  std::string text = two_aged(
      "        seats: 300\n        exit_rate: [0.03, 0.02, 0.01]\n        posts: 900\n"
      "        unemployed: 120\n        entry_age_shares: [0.8, 0.2, 0]\n"
      "        emigration_age_factors: [1.5, 1, 0.2]",
      "        exit_rate: 0.02\n        demand_elasticity: 0.8",
      "migrant_stock: 200, emigration_rate: 0.04, return_rate: 0.05");
  text.replace(text.find("        seats: 0\n"), 17, "");
  text.replace(text.find("  BBB:"), 6,
               "  ROW: {name: Rest of the world, rest_of_world: true}\n  BBB:");
  text += R"(  - origin: AAA
    destination: ROW
    cadres:
      nurses: {migrant_stock: 100, emigration_rate: 0.02, return_rate: 0.1,
               active_recruitment_share: 0.3, exit_rate: [0.01, 0.01, 0.02]}
)";
  const auto r = run_model("bands_mass", text, 2045, R"(policies:
  - name: later
    type: retirement_age
    countries: [AAA, BBB]
    cadres: [nurses]
    shift_years: 3
    start: 2025
    ramp_years: 5
  - name: stay
    type: retention
    countries: [AAA]
    u: 0.2
    eps_m: 1.4
    eps_x: 0.7
    start: 2022
  - name: cap
    type: emigration_cap
    origin: AAA
    cadres: [nurses]
    cap: 15
    start: 2028
)");
  CHECK(r.out.stats.mass_balance_residual < 1e-9);
  CHECK(r.out.stats.min_stock >= 0);
  // The ages table sums to the totals.
  for (int year : {2020, 2033, 2045})
    for (const char* name : {"workforce_domestic", "abroad", "unemployed", "supply"}) {
      double sum = 0;
      for (const char* band : {"35-45", "45-55", "55-65"})
        sum += age_value(r, year, "AAA", band, name);
      CHECK(sum == Approx(r.at(year, "AAA", name)).epsilon(1e-12));
    }
  double foreign = 0;
  for (const char* band : {"35-45", "45-55", "55-65"})
    foreign += age_value(r, 2040, "BBB", band, "foreign_trained");
  CHECK(foreign == Approx(r.at(2040, "BBB", "foreign_trained")).epsilon(1e-12));
  CHECK(r.at(2045, "AAA", "unemployed") > 0);
}
