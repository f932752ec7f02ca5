// The rest of the world (docs/model.md, 15.2): a destination with no blocks, its corridors'
// own migrant attrition and pull 1, left out of every sum over countries, and the levers that
// reach it only when named.

#include <catch2/catch.hpp>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "models/workforce/compiled_model.hpp"
#include "models/workforce/description.hpp"
#include "support.hpp"

using namespace hwf;
namespace fs = std::filesystem;

namespace {

/// A scenario run on a model given as text, kept with its compiled model.
struct row_run {
  model::scenario_description scenario;
  std::unique_ptr<model::compiled_model> model;
  model::run_output out;

  double value(int year, const std::string& country, const std::string& indicator,
               const std::string& cadre = "all") const {
    return test::indicator(*model, out, static_cast<std::size_t>(year - 2020), country, cadre,
                           indicator);
  }
  double corridor(int year, const std::string& destination, const std::string& indicator) const {
    const auto& schema = *model->schemas()[1];
    for (std::size_t i = 0; i < schema.size(); ++i)
      if (schema.series[i][1] == destination && schema.series[i][3] == indicator)
        return out.result.tables[1].row(static_cast<std::size_t>(year - 2020))[i];
    FAIL("no corridor series " << destination << " " << indicator);
    return 0;
  }
};

std::string read_text(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

/// tests/data/good/model_rest_of_world.yaml with `from` replaced by `to` (if given).
std::string good_model(const std::string& from = "", const std::string& to = "") {
  auto text = read_text(test::source_path("tests/data/good/model_rest_of_world.yaml"));
  if (!from.empty()) {
    const auto at = text.find(from);
    REQUIRE(at != std::string::npos);
    text.replace(at, from.size(), to);
  }
  return text;
}

row_run run_model(const std::string& name, const std::string& model_text,
                  const std::string& extra = "", int end = 2045) {
  const auto dir = test::scratch_folder("row_" + name);
  test::write_file(dir, "model.yaml", model_text);
  test::write_file(dir, "s.yaml",
                   "scenario: " + name +
                       "\nmodel: model.yaml\nhorizon: {end: " + std::to_string(end) +
                       "}\nsolver: {method: dopri5, abs_tol: 1e-10, rel_tol: 1e-12}\n" + extra);
  row_run r{model::load_scenario(dir / "s.yaml"), nullptr, {}};
  r.model = std::make_unique<model::compiled_model>(r.scenario);
  r.out = model::simulate(*r.model, r.model->default_parameters());
  return r;
}

/// The corridor flows (emigration per year) of a scenario at its initial state and time t,
/// inside the lever segment around t: AAA-BBB first, then AAA-ROW.
std::vector<double> flows_at(const std::string& name, const std::string& policies, double t) {
  const auto r = [&] {
    const auto dir = test::scratch_folder("row_flows_" + name);
    test::write_file(dir, "model.yaml", good_model());
    test::write_file(
        dir, "s.yaml",
        "scenario: " + name + "\nmodel: model.yaml\nhorizon: {end: 2045}\n" + policies);
    return model::load_scenario(dir / "s.yaml");
  }();
  const model::compiled_model m(r);
  auto sys = model::make_run_system(m, m.default_parameters());
  std::vector<double> dx(sys.initial_state.size());
  sys.system->enter_segment(t - 0.5, t + 0.5);
  sys.system->derivative(sys.initial_state, dx, t);
  std::vector<double> out;
  for (const auto& k : m.corridors()) out.push_back(dx[k.accumulators + model::acc_emigration]);
  return out;
}

}  // namespace

TEST_CASE("a rest-of-world entry has no row and its corridor no destination block",
          "[model][rest_of_world]") {
  const auto r = run_model("structure", good_model(), "", 2022);
  const auto& m = *r.model;
  // Listed countries keep their order; the rest of the world follows them and has no block.
  REQUIRE(m.countries().size() == 2);
  CHECK(m.countries()[0].iso3 == "AAA");
  CHECK(m.countries()[1].iso3 == "BBB");
  CHECK(m.country_set().labels() == std::vector<std::string>{"AAA", "BBB"});
  REQUIRE(m.corridors().size() == 2);
  CHECK_FALSE(m.corridors()[0].to_rest_of_world());
  CHECK(m.corridors()[1].to_rest_of_world());
  CHECK(m.corridors()[1].destination_country == 2);
  CHECK(r.scenario.model.countries[2].iso3 == "ROW");
  for (const auto& key : m.schemas()[0]->series) CHECK(key[0] != "ROW");
  // Its corridor is reported like any other, and the origin's abroad includes it.
  CHECK(r.corridor(2020, "ROW", "migrant_stock") == 300);
  CHECK(r.value(2020, "AAA", "abroad") == 500);
  CHECK(r.value(2020, "BBB", "foreign_trained") == 200);
  // Its migrants' rates are parameters (set:, params, Monte Carlo).
  CHECK(m.parameters().find("corridors.AAA-ROW.nurses.exit_rate").has_value());
  CHECK(m.parameters().find("corridors.AAA-ROW.nurses.retirement_rate").has_value());
}

TEST_CASE("W and M of one origin and one rest-of-world corridor follow the closed form",
          "[model][rest_of_world][analytic]") {
  // No seats, so dW/dt = -(a + m) W + rho M and dM/dt = m W - (rho + mu) M: a linear system
  // whose solution is a sum of two exponentials (eq. B1, B2).
  // The analytic model of tests/support.cpp with no seats and these rates, plus the corridor.
  std::string model_text = test::analytic_model_yaml();
  for (const auto& [from, to] : {std::pair<std::string, std::string>{"seats: 500", "seats: 0"},
                                 {"exit_rate: 0.06", "exit_rate: 0.03"},
                                 {"retirement_rate: 0.04", "retirement_rate: 0.02"}})
    model_text.replace(model_text.find(from), from.size(), to);
  model_text += R"(  ROW: {name: Rest of the world, rest_of_world: true}
corridors:
  - origin: AAA
    destination: ROW
    cadres:
      nurses: {migrant_stock: 200, emigration_rate: 0.04, return_rate: 0.1,
               active_recruitment_share: 0.5, exit_rate: 0.01, retirement_rate: 0.05}
)";
  const auto r = run_model("analytic", model_text);
  const double a = 0.05, m = 0.04, rho = 0.1, mu = 0.06, w0 = 1000, m0 = 200;
  // Eigenvalues of [[-(a+m), rho], [m, -(rho+mu)]].
  const double tr = -(a + m) - (rho + mu), det = (a + m) * (rho + mu) - rho * m;
  const double disc = std::sqrt(tr * tr - 4 * det);
  const double l1 = (tr + disc) / 2, l2 = (tr - disc) / 2;
  // Eigenvectors (rho, l + a + m); initial state = c1 v1 + c2 v2.
  const double v1 = l1 + a + m, v2 = l2 + a + m;
  const double c2 = (m0 - w0 / rho * v1) / (v2 - v1);
  const double c1 = (w0 - c2 * rho) / rho;
  for (int year : {2021, 2025, 2033, 2045}) {
    const double t = year - 2020;
    const double w = c1 * rho * std::exp(l1 * t) + c2 * rho * std::exp(l2 * t);
    const double mt = c1 * v1 * std::exp(l1 * t) + c2 * v2 * std::exp(l2 * t);
    CHECK(r.value(year, "AAA", "workforce_domestic") == Approx(w).epsilon(1e-8));
    CHECK(r.corridor(year, "ROW", "migrant_stock") == Approx(mt).epsilon(1e-8));
    CHECK(r.value(year, "AAA", "abroad") == Approx(mt).epsilon(1e-8));
    // The origin's supply is its own W: the workers abroad count nowhere.
    CHECK(r.value(year, "AAA", "supply") == Approx(w).epsilon(1e-8));
  }
  CHECK(r.out.stats.mass_balance_residual < 1e-9);
}

TEST_CASE("mass balance includes the rest of the world's migrants and their attrition",
          "[model][rest_of_world][property]") {
  const auto r = run_model("mass", good_model());
  CHECK(r.out.stats.mass_balance_residual < 1e-9);
  CHECK(r.out.stats.min_stock >= 0);
  // Attrition of the migrants abroad: (exit + retirement) M on the corridor's own rates.
  const double m2025 = r.corridor(2025, "ROW", "migrant_stock");
  const double years = r.corridor(2026, "ROW", "migrant_years");
  CHECK(m2025 > 0);
  CHECK(r.corridor(2026, "ROW", "attrition") == Approx(0.05 * years).epsilon(1e-12));
}

TEST_CASE("sums over countries leave the rest of the world out",
          "[model][rest_of_world][analytic]") {
  // With no returns from it, the rest-of-world corridor is, for the listed countries, an extra
  // outflow m W of the origin: the same model without the corridor and with the origin's
  // exit_rate raised by m gives the same need, supply and densities.
  const auto with = run_model("with", good_model("return_rate: 0.04", "return_rate: 0"));
  auto without_text = good_model("exit_rate: 0.06", "exit_rate: 0.09");
  without_text = without_text.substr(0, without_text.find("  - origin: AAA\n    destination: ROW"));
  const auto without = run_model("without", without_text);
  for (int year : {2020, 2030, 2045})
    for (const std::string c : {"AAA", "BBB"})
      for (const std::string i :
           {"need", "supply", "density_per_10k", "sdg_density", "shortage", "foreign_trained"})
        CHECK(with.value(year, c, i) == Approx(without.value(year, c, i)).epsilon(1e-9));
  // The origin's loss shows as emigration there, and as exits in the model without it.
  const double lost = with.corridor(2030, "ROW", "emigration");
  CHECK(lost > 0);
  CHECK(with.value(2030, "AAA", "emigration") + with.value(2030, "AAA", "attrition") ==
        Approx(without.value(2030, "AAA", "emigration") + without.value(2030, "AAA", "attrition"))
            .epsilon(1e-9));
}

TEST_CASE("the WHO Code reaches the rest of the world only when it is named",
          "[model][rest_of_world][levers]") {
  // At the initial state every pull is 1: AAA-BBB carries 0.02 * 1000, AAA-ROW 0.03 * 1000.
  const auto none = flows_at("code_none", "", 2030);
  REQUIRE(none.size() == 2);
  CHECK(none[0] == Approx(20));
  CHECK(none[1] == Approx(30));
  const std::string code =
      "policies:\n  - {name: c, type: who_code, compliance: 0.5, start: 2025, ";
  const auto all = flows_at("code_all", code + "destinations: all}\n", 2030);
  CHECK(all[0] == Approx(20 * (1 - 0.5 * 0.5)));
  CHECK(all[1] == Approx(30));  // `all` skips the rest of the world
  const auto named = flows_at("code_named", code + "destinations: [ROW]}\n", 2030);
  CHECK(named[0] == Approx(20));
  CHECK(named[1] == Approx(30 * (1 - 0.6 * 0.5)));
}

TEST_CASE("an agreement naming the rest of the world applies to its corridor",
          "[model][rest_of_world][levers]") {
  const auto f = flows_at("agreement",
                          "policies:\n  - {name: a, type: agreement, origin: AAA, destination: "
                          "ROW, quota: 12, seats_per_recruit: 1, start: 2025}\n",
                          2030);
  CHECK(f[0] == Approx(20));
  CHECK(f[1] == Approx(12));
  // Compensation: the origin receives seats_per_recruit * F * D * cost per student-year.
  const auto r = run_model("agreement_run", good_model(),
                           "policies:\n  - {name: a, type: agreement, origin: AAA, destination: "
                           "ROW, quota: 12, seats_per_recruit: 1, start: 2025}\n",
                           2030);
  CHECK(r.corridor(2030, "ROW", "emigration") == Approx(12).epsilon(1e-9));
  CHECK(r.corridor(2030, "ROW", "compensation") == Approx(12 * 3 * 100).epsilon(1e-9));
  CHECK(r.value(2030, "AAA", "compensation_received") == Approx(12 * 3 * 100).epsilon(1e-9));
  CHECK(r.out.stats.mass_balance_residual < 1e-9);
}

TEST_CASE("an emigration cap counts and caps the flows to the rest of the world",
          "[model][rest_of_world][levers]") {
  const std::string cap =
      "policies:\n  - {name: p, type: emigration_cap, origin: AAA, cap: 25, start: 2025";
  const auto capped = flows_at("cap", cap + "}\n", 2030);
  CHECK(capped[0] + capped[1] == Approx(25));
  CHECK(capped[0] == Approx(20 * 25.0 / 50));
  CHECK(capped[1] == Approx(30 * 25.0 / 50));
  const auto exempt = flows_at("cap_exempt", cap + ", exempt: [ROW]}\n", 2030);
  CHECK(exempt[0] == Approx(20));  // under the cap alone
  CHECK(exempt[1] == Approx(30));
  const auto exempt_bbb = flows_at("cap_exempt_bbb", cap + ", exempt: [BBB]}\n", 2030);
  CHECK(exempt_bbb[0] == Approx(20));
  CHECK(exempt_bbb[1] == Approx(25));
}

TEST_CASE("a rest-of-world dataset's bad entries name the key and what was expected",
          "[model][rest_of_world][io]") {
  const auto fails = [](const std::string& text, const std::string& message) {
    CHECK_THROWS_WITH(model::parse_model(text, "m.yaml"), Catch::Contains(message));
  };
  fails(good_model("    rest_of_world: true\n", "    rest_of_world: true\n    population: 5\n"),
        "countries.ROW.population: a rest-of-world entry has no population");
  fails(good_model("        exit_rate: 0.02\n", ""),
        "corridors.AAA-ROW.nurses.exit_rate: missing required key");
  fails(good_model("active_recruitment_share: 0.5}",
                   "active_recruitment_share: 0.5, exit_rate: 0.1}"),
        "corridors.AAA-BBB.nurses.exit_rate: exit_rate is given only on a corridor to a "
        "rest-of-world destination");
  // `rest_of_world: false` is an ordinary country, which needs its population and cadres.
  fails(good_model("    rest_of_world: true\n", "    rest_of_world: false\n"),
        "countries.ROW.population: missing required key");
}

TEST_CASE("a rest-of-world corridor's own exit and retirement rates may be series",
          "[model][rest_of_world][series][analytic]") {
  // No emigration and no returns on AAA-ROW: its migrants only leave, dM/dt = -(x(t) + r) M,
  // with x a step from 0.02 to 0.05 in 2030, so M = M0 e^{-0.05 t} to 2030, then e^{-0.08}.
  const std::string constant =
      good_model("        emigration_rate: 0.03\n        return_rate: 0.04",
                 "        emigration_rate: 0\n        return_rate: 0");
  auto stepped = constant;
  const std::string from = "        exit_rate: 0.02\n";
  stepped.replace(stepped.find(from), from.size(),
                  "        exit_rate: {series: {2020: 0.02, 2030: 0.05}, interpolation: step}\n");
  const auto r = run_model("row_series_step", stepped);
  for (int year : {2025, 2030, 2031, 2045}) {
    const double t = year - 2020;
    const double expected =
        t <= 10 ? 300 * std::exp(-0.05 * t) : 300 * std::exp(-0.5) * std::exp(-0.08 * (t - 10));
    CHECK(r.corridor(year, "ROW", "migrant_stock") == Approx(expected).epsilon(1e-9));
  }
  CHECK(r.model->parameters().find("corridors.AAA-ROW.nurses.exit_rate.2030").has_value());
  CHECK(r.out.stats.mass_balance_residual < 1e-9);

  // A one-point series of the constant gives the constant's results, bit for bit.
  auto one_point = constant;
  const std::string retirement = "        retirement_rate: 0.03\n";
  one_point.replace(one_point.find(retirement), retirement.size(),
                    "        retirement_rate: {series: {2020: 0.03}}\n");
  const auto a = run_model("row_series_const", constant);
  const auto b = run_model("row_series_one_point", one_point);
  for (int year : {2021, 2033, 2045}) {
    CHECK(a.corridor(year, "ROW", "migrant_stock") == b.corridor(year, "ROW", "migrant_stock"));
    CHECK(a.value(year, "AAA", "abroad") == b.value(year, "AAA", "abroad"));
  }
}
