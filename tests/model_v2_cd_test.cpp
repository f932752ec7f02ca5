// Model v2, sections C and D of the reference model (docs/model.md, 15.3 and 15.4): practising
// and registered workers, and retention by outflow.

#include <catch2/catch.hpp>

#include <cmath>
#include <fstream>
#include <iterator>
#include <memory>
#include <string>
#include <vector>

#include "engine/diagnostics.hpp"
#include "models/workforce/backcast.hpp"
#include "models/workforce/compiled_model.hpp"
#include "models/workforce/description.hpp"
#include "models/workforce/levers/lever.hpp"
#include "outputs/validation_report.hpp"
#include "support.hpp"

using namespace hwf;

namespace {

/// The one-country analytic model (tests/support.cpp: intake 500, completion 0.8, entry 0.9,
/// exit 0.06, retirement 0.04, W0 1000) with `extra` YAML appended to its scenario.
struct analytic_run {
  model::scenario_description scenario;
  std::unique_ptr<model::compiled_model> model;
  model::run_output out;

  double value(double year, const std::string& indicator) const {
    return test::indicator(*model, out, static_cast<std::size_t>(year - 2020), "AAA", "nurses",
                           indicator);
  }
};

analytic_run run_analytic(const std::string& name, const std::string& extra) {
  const auto dir = test::scratch_folder("v2cd_" + name);
  test::write_file(dir, "analytic.yaml", test::analytic_model_yaml());
  const auto path = test::write_file(
      dir, "s.yaml",
      test::analytic_scenario_yaml("{method: dopri5, abs_tol: 1e-10, rel_tol: 1e-12}") + extra);
  analytic_run r{model::load_scenario(path), nullptr, {}};
  r.model = std::make_unique<model::compiled_model>(r.scenario);
  r.out = model::simulate(*r.model, r.model->default_parameters());
  return r;
}

/// W(t) = W* + (W0 - W*) exp(-mu t), W* = I completion entry / mu, and its integral over [0, t].
double closed_form_w(double mu, double years) {
  const double w_star = 500 * 0.8 * 0.9 / mu;
  return w_star + (1000 - w_star) * std::exp(-mu * years);
}
double closed_form_w_integral(double mu, double years) {
  const double w_star = 500 * 0.8 * 0.9 / mu;
  return w_star * years + (1000 - w_star) * (1 - std::exp(-mu * years)) / mu;
}

/// Factors a retention lever sets on one block at full strength: push, exits, retirement.
struct block_factors {
  double push, exits, retirement, attrition;
};

block_factors retention_factors(const std::string& policy) {
  const auto r = run_analytic("factors", "policies:\n  - " + policy + "\n");
  const auto& m = *r.model;
  const auto params = m.default_parameters();
  std::vector<engine::ramp_profile> profiles(1);
  model::lever_binding binding{profiles};
  auto run = m.levers().compiled.at(0)->bind(params, binding);
  std::vector<double> x(m.layout().size(), 0.0), strength{1.0};
  std::vector<double> push{1}, attrition{1}, exits{1}, retirement{1}, zero(8, 0.0);
  model::lever_state s{};
  s.x = x;
  s.strength = strength;
  s.push = push;
  s.attrition_factor = attrition;
  s.exit_factor = exits;
  s.retirement_factor = retirement;
  s.seats_added = s.completion_added = s.capital_cost = s.compensation_paid =
      s.compensation_received = std::span<double>(zero);
  s.retention_cost = std::span<double>(zero).subspan(0, 1);
  run->before_flows(s);
  return {push[0], exits[0], retirement[0], attrition[0]};
}

}  // namespace

TEST_CASE("the retention split gives each outflow its own multiplier",
          "[model][levers][analytic]") {
  // x = 1 + u = 1.5, kappa = 0.8: factor = 1 - 0.8 (1 - 1.5^-eps), computed by hand:
  // eps 1.4 -> 0.653484266889, eps 0.7 -> 0.802318365577, eps 0 -> 1.
  const auto f = retention_factors(
      "{name: pay, type: retention, countries: [AAA], u: 0.5, kappa: 0.8, eps_m: 1.4, eps_x: 0.7, "
      "eps_r: 0, start: 2020}");
  CHECK(f.push == Approx(0.653484266889).epsilon(1e-11));
  CHECK(f.exits == Approx(0.802318365577).epsilon(1e-11));
  CHECK(f.retirement == 1.0);
  CHECK(f.attrition == 1.0);
  const auto g = retention_factors(
      "{name: pay, type: retention, countries: [AAA], u: 0.5, kappa: 0.8, eps_m: 0, eps_x: 1.4, "
      "eps_r: 0.7, start: 2020}");
  CHECK(g.push == 1.0);
  CHECK(g.exits == Approx(0.653484266889).epsilon(1e-11));
  CHECK(g.retirement == Approx(0.802318365577).epsilon(1e-11));
}

TEST_CASE("with the lever on from t0, W follows the closed form with mu = exit A_x + retire A_r",
          "[model][levers][analytic]") {
  const double a_x = 0.653484266889, a_r = 0.802318365577;
  const double mu = 0.06 * a_x + 0.04 * a_r;  // 0.0713017906364
  const auto r = run_analytic("split", R"(policies:
  - {name: pay, type: retention, countries: [AAA], u: 0.5, kappa: 0.8, eps_m: 0, eps_x: 1.4, eps_r: 0.7, start: 2020}
)");
  for (int year : {2021, 2030, 2050}) {
    CHECK(r.value(year, "workforce_domestic") ==
          Approx(closed_form_w(mu, year - 2020)).epsilon(1e-8));
    // Attrition over the year is mu times the integral of W over it.
    const double integral =
        closed_form_w_integral(mu, year - 2020) - closed_form_w_integral(mu, year - 2021);
    CHECK(r.value(year, "attrition") == Approx(mu * integral).epsilon(1e-8));
  }
  // Retention cost = u * salary * kappa * integral of W.
  CHECK(r.value(2030, "retention_cost") ==
        Approx(0.5 * 1000 * 0.8 * (closed_form_w_integral(mu, 10) - closed_form_w_integral(mu, 9)))
            .epsilon(1e-8));
}

TEST_CASE("eps_r left out is 0: retirement keeps its rate, only exits slow",
          "[model][levers][analytic]") {
  const double a_x = 0.653484266889;
  const auto r = run_analytic("exits_only", R"(policies:
  - {name: pay, type: retention, countries: [AAA], u: 0.5, kappa: 0.8, eps_m: 1.4, eps_x: 1.4, start: 2020}
)");
  const double mu = 0.06 * a_x + 0.04;
  for (int year : {2025, 2050})
    CHECK(r.value(year, "workforce_domestic") ==
          Approx(closed_form_w(mu, year - 2020)).epsilon(1e-8));
  // The same lever on a workforce that only retires changes nothing but the cost.
  const auto base =
      run_analytic("exits_only_base", "set: {countries.AAA.cadres.nurses.exit_rate: 0}\n");
  const auto lever =
      run_analytic("exits_only_lever", R"(set: {countries.AAA.cadres.nurses.exit_rate: 0}
policies:
  - {name: pay, type: retention, countries: [AAA], u: 0.5, kappa: 0.8, eps_m: 1.4, eps_x: 1.4, start: 2020}
)");
  for (int year : {2025, 2050})
    CHECK(lever.value(year, "workforce_domestic") ==
          Approx(base.value(year, "workforce_domestic")).epsilon(1e-10));
}

TEST_CASE("eps_a is refused by name and is not offered among a policy's keys", "[model][io]") {
  const auto load = [](const std::string& policy) -> std::string {
    const auto dir = test::scratch_folder("v2cd_eps_a");
    test::write_file(dir, "analytic.yaml", test::analytic_model_yaml());
    const auto path = test::write_file(dir, "s.yaml",
                                       test::analytic_scenario_yaml("{method: rk4, step: 1/4}") +
                                           "policies:\n  - " + policy + "\n");
    try {
      model::load_scenario(path);
    } catch (const engine::input_error& e) {
      return e.what();
    }
    return "";
  };
  const auto refused = load(
      "{name: pay, type: retention, countries: [AAA], u: 0.2, eps_m: 1, eps_x: 1, eps_a: 1, "
      "start: 2025}");
  CHECK_THAT(refused,
             Catch::Contains("s.yaml:6:87: error: policies.pay.eps_a: 'eps_a' is "
                             "replaced by two keys, eps_x (exits) and eps_r (retirement)"));
  CHECK_THAT(refused, !Catch::Contains("unknown key"));
  const auto typo = load(
      "{name: pay, type: retention, countries: [AAA], u: 0.2, eps_m: 1, eps_x: 1, eps_b: 1, "
      "start: 2025}");
  CHECK_THAT(typo, Catch::Contains("policies.pay.eps_b: unknown key"));
  CHECK_THAT(typo, Catch::Contains("expected one of: name, type, countries, cadres, start, end, "
                                   "ramp_years, u, kappa, eps_m, eps_x, eps_r\n"));
}

namespace {

/// A run of tests/data/good/model.yaml (AAA sends nurses to BBB: 200 migrants at the start)
/// with `replace` applied to AAA's nurses (text after `workforce: 1000`), and `extra` YAML in
/// the scenario.
analytic_run run_good(const std::string& name, const std::string& aaa_nurses,
                      const std::string& extra = "") {
  const auto dir = test::scratch_folder("v2cd_" + name);
  std::ifstream in(test::source_path("tests/data/good/model.yaml"));
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const std::string line = "        workforce: 1000\n";
  text.replace(text.find(line), line.size(), aaa_nurses);
  test::write_file(dir, "model.yaml", text);
  const auto path =
      test::write_file(dir, "s.yaml",
                       "scenario: " + name +
                           "\nmodel: model.yaml\nhorizon: {end: 2040}\n"
                           "solver: {method: dopri5, abs_tol: 1e-10, rel_tol: 1e-12}\n" +
                           extra);
  analytic_run r{model::load_scenario(path), nullptr, {}};
  r.model = std::make_unique<model::compiled_model>(r.scenario);
  r.out = model::simulate(*r.model, r.model->default_parameters());
  return r;
}

double good_value(const analytic_run& r, int year, const std::string& country,
                  const std::string& cadre, const std::string& indicator) {
  return test::indicator(*r.model, r.out, static_cast<std::size_t>(year - 2020), country, cadre,
                         indicator);
}

}  // namespace

TEST_CASE("a registered start stock converts to practising and back to registered exactly",
          "[model][analytic]") {
  // 2,000 registered with a practising share of 0.5: W0 = 1,000, the analytic model's start.
  const auto r = run_analytic("registered", "");
  const auto dir = test::scratch_folder("v2cd_registered_model");
  std::string model = test::analytic_model_yaml();
  const std::string line = "        workforce: 1000\n";
  model.replace(model.find(line), line.size(),
                "        workforce: {value: 2000, concept: registered, source: register}\n"
                "        practising_share: 0.5\n");
  test::write_file(dir, "analytic.yaml", model);
  const auto path = test::write_file(
      dir, "s.yaml",
      test::analytic_scenario_yaml("{method: dopri5, abs_tol: 1e-10, rel_tol: 1e-12}"));
  const auto s = model::load_scenario(path);
  const model::compiled_model m(s);
  const auto out = model::simulate(m, m.default_parameters());
  const auto at = [&](int year, const std::string& name) {
    return test::indicator(m, out, static_cast<std::size_t>(year - 2020), "AAA", "nurses", name);
  };
  CHECK(at(2020, "workforce_domestic") == 1000.0);
  CHECK(at(2020, "registered") == 2000.0);  // nothing abroad: supply / 0.5
  for (int year : {2030, 2050}) {
    CHECK(at(year, "workforce_domestic") == Approx(closed_form_w(0.1, year - 2020)).epsilon(1e-8));
    CHECK(at(year, "registered") == 2 * at(year, "workforce_domestic"));
  }
  // The practising form of the same start gives the same run; registered is then the supply.
  CHECK(r.value(2050, "workforce_domestic") == at(2050, "workforce_domestic"));
  CHECK(r.value(2050, "registered") == r.value(2050, "supply"));
}

TEST_CASE("a share of the workers abroad stays on the origin's register", "[model][analytic]") {
  const auto r = run_good("abroad",
                          "        workforce: 1000\n        practising_share: 0.8\n"
                          "        abroad_registered_share: 0.25\n");
  // At the start: 1,000 / 0.8 + 0.25 * 200 migrants in BBB = 1,300.
  CHECK(good_value(r, 2020, "AAA", "nurses", "registered") == Approx(1300).epsilon(1e-15));
  for (int year : {2030, 2040}) {
    const double supply = good_value(r, year, "AAA", "nurses", "supply");
    const double abroad = good_value(r, year, "AAA", "nurses", "abroad");
    CHECK(abroad > 0);
    CHECK(good_value(r, year, "AAA", "nurses", "registered") ==
          Approx(supply / 0.8 + 0.25 * abroad).epsilon(1e-14));
    // The cadre `all` row sums the cadres (one here).
    CHECK(good_value(r, year, "AAA", "all", "registered") ==
          good_value(r, year, "AAA", "nurses", "registered"));
  }
  // BBB gives no shares: its register is its supply (the migrants from AAA included).
  CHECK(good_value(r, 2030, "BBB", "nurses", "registered") ==
        good_value(r, 2030, "BBB", "nurses", "supply"));
  // A practising share on a practising stock does not change the run, only `registered`.
  const auto base = run_good("abroad_base", "        workforce: 1000\n");
  CHECK(good_value(base, 2040, "AAA", "nurses", "supply") ==
        good_value(r, 2040, "AAA", "nurses", "supply"));
}

TEST_CASE("set: of practising_share moves a registered start stock", "[model][analytic]") {
  const auto r = run_good("registered_set",
                          "        workforce: {value: 1250, concept: registered}\n"
                          "        practising_share: 0.8\n",
                          "set: {countries.AAA.cadres.nurses.practising_share: 0.4}\n");
  CHECK(good_value(r, 2020, "AAA", "nurses", "workforce_domestic") == 500.0);
  CHECK(good_value(r, 2020, "AAA", "nurses", "registered") == Approx(1250).epsilon(1e-15));
}

TEST_CASE("a back-cast compares a registered count with registered, a practising one with supply",
          "[model][data]") {
  const auto r = run_good("backcast_registered",
                          "        workforce: {value: 2000, concept: registered}\n"
                          "        practising_share: 0.5\n");
  const auto dir = test::scratch_folder("v2cd_observed");
  const auto path = test::write_file(dir, "o.yaml", R"(observed: mixed
series:
  AAA:
    nurses:
      2020: {value: 2000, concept: registered, note: register}
      2025: {value: 1500, concept: practising}
      2030: 1400
)");
  const auto obs = model::load_observed(path, *r.model);
  const auto matches = model::match_observations(*r.model, r.out, obs);
  REQUIRE(matches.size() == 3);
  // The register at the start is the count given: 1,000 practising / 0.5, none abroad yet.
  CHECK(matches[0].projected == Approx(2000).epsilon(1e-15));
  CHECK(matches[0].compared_with == "registered");
  CHECK(matches[1].projected == good_value(r, 2025, "AAA", "nurses", "supply"));
  CHECK(matches[1].compared_with.empty());
  CHECK(matches[2].projected == good_value(r, 2030, "AAA", "nurses", "supply"));
  CHECK(matches[0].projected != good_value(r, 2020, "AAA", "nurses", "supply"));
  // The reports say which indicator a registered point was compared with.
  CHECK_THAT(
      out::validation_csv("s", matches),
      Catch::Contains(",2000,2000,0,") && Catch::Contains("register; compared with registered"));
  const auto md = out::validation_markdown({}, matches);
  CHECK_THAT(md, Catch::Contains("| AAA nurses (registered) | 2020 | 2000 | 2000 |") &&
                     Catch::Contains("| AAA nurses | 2025 | 1500 |"));
  // A concept other than the two is refused, with the closest.
  test::write_file(
      dir, "bad.yaml",
      "observed: x\nseries:\n  AAA:\n    nurses: {2021: {value: 1, concept: practicing}}\n");
  CHECK_THROWS_WITH(model::load_observed(dir / "bad.yaml", *r.model),
                    Catch::Contains("series.AAA.nurses.2021.concept: expected one of: practising, "
                                    "registered; found 'practicing'") &&
                        Catch::Contains("did you mean 'practising'?"));
}
