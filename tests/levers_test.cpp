#include <catch2/catch.hpp>

#include <cmath>
#include <cstring>
#include <fstream>

#include <fmt/format.h>

#include "engine/ramp.hpp"
#include "models/workforce/compiled_model.hpp"
#include "models/workforce/description.hpp"
#include "support.hpp"

using namespace hwf;

namespace {

/// A scenario on tests/data/good/model.yaml (AAA, on the Safeguards List, sends nurses to BBB)
/// with the given extra YAML (policies, set:), run with dopri5 at tight tolerances.
struct lever_run {
  model::scenario_description scenario;
  std::unique_ptr<model::compiled_model> model;
  model::run_output out;

  double value(int year, const std::string& indicator, const std::string& country = "AAA",
               const std::string& cadre = "nurses") const {
    return test::indicator(*model, out, static_cast<std::size_t>(year - 2020), country, cadre,
                           indicator);
  }
  double corridor(int year, const std::string& indicator) const {
    const auto& schema = *model->schemas()[1];
    for (std::size_t i = 0; i < schema.size(); ++i)
      if (schema.series[i][3] == indicator)
        return out.result.tables[1].row(static_cast<std::size_t>(year - 2020))[i];
    throw std::runtime_error("no corridor indicator " + indicator);
  }
};

lever_run run_with(const std::string& name, const std::string& extra,
                   const std::string& model_text = "") {
  const auto dir = test::scratch_folder("levers_" + name);
  if (model_text.empty())
    std::filesystem::copy(test::source_path("tests/data/good/model.yaml"), dir / "model.yaml");
  else
    test::write_file(dir, "model.yaml", model_text);
  test::write_file(dir, "s.yaml",
                   "scenario: " + name +
                       "\nmodel: model.yaml\nhorizon: {end: 2045}\n"
                       "solver: {method: dopri5, abs_tol: 1e-9, rel_tol: 1e-12}\n" +
                       extra);
  lever_run r{model::load_scenario(dir / "s.yaml"), nullptr, {}};
  r.model = std::make_unique<model::compiled_model>(r.scenario);
  r.out = model::simulate(*r.model, r.model->default_parameters());
  return r;
}

void same_values(const std::vector<double>& a, const std::vector<double>& b) {
  REQUIRE(a.size() == b.size());
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (std::isnan(a[i]) && std::isnan(b[i])) continue;
    CHECK(a[i] == Approx(b[i]).epsilon(1e-10).margin(1e-9));
  }
}

std::string good_model_text() {
  std::ifstream in(test::source_path("tests/data/good/model.yaml"));
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

}  // namespace

TEST_CASE("a ramp is 0 before start, linear over ramp_years, 1, and 0 after end", "[engine]") {
  engine::ramp_profile r{2025, 4, 2035};
  using piece = engine::ramp_profile::piece;
  CHECK(r.value(2024.9) == 0);
  CHECK(r.value(2025) == 0);
  CHECK(r.value(2026) == Approx(0.25));
  CHECK(r.value(2029) == 1);
  CHECK(r.value(2034.99) == 1);
  CHECK(r.value(2035) == 0);
  // One-sided evaluation: on the rising piece the value at its end is the left limit 1.
  CHECK(r.value(piece::rising, 2029) == 1);
  CHECK(r.value(piece::full, 2035) == 1);  // left limit at the end
  engine::ramp_profile step{2030, 0};
  CHECK(step.value(2029.999) == 0);
  CHECK(step.value(2030) == 1);
  std::vector<double> b;
  r.add_breakpoints(b);
  step.add_breakpoints(b);
  CHECK(b == std::vector<double>{2025, 2029, 2035, 2030});
}

TEST_CASE("a quota caps the flow at exactly Q once the ramp ends", "[model][levers]") {
  const auto base = run_with("quota_base", "");
  const auto r = run_with("quota", R"(policies:
  - {name: q, type: agreement, origin: AAA, destination: BBB, quota: 25, start: 2025, ramp_years: 2}
)");
  REQUIRE(base.corridor(2026, "emigration") > 35);  // the quota binds
  CHECK(r.corridor(2024, "emigration") == Approx(base.corridor(2024, "emigration")).epsilon(1e-10));
  for (int y : {2028, 2035, 2045}) CHECK(r.corridor(y, "emigration") == Approx(25).epsilon(1e-9));
  // During the ramp the flow is between the free flow and the quota.
  CHECK(r.corridor(2026, "emigration") < base.corridor(2026, "emigration"));
  CHECK(r.corridor(2026, "emigration") > 25);
}

TEST_CASE("a target flow raises the flow to at least T", "[model][levers]") {
  const auto base = run_with("target_base", "");
  const auto r = run_with("target", R"(policies:
  - {name: t, type: agreement, origin: AAA, destination: BBB, target_flow: 300, start: 2025}
)");
  for (int y : {2026, 2030, 2045}) REQUIRE(base.corridor(y, "emigration") < 250);  // T binds
  CHECK(r.corridor(2024, "emigration") == Approx(base.corridor(2024, "emigration")).epsilon(1e-10));
  for (int y : {2026, 2030, 2045}) CHECK(r.corridor(y, "emigration") == Approx(300).epsilon(1e-9));
}

TEST_CASE("stay_years L sets the return rate to 1/L", "[model][levers]") {
  const auto r = run_with("stay", R"(policies:
  - {name: circular, type: agreement, origin: AAA, destination: BBB, stay_years: 4, start: 2025}
)");
  // Returns over a year = rate * integral of M over that year.
  for (int y : {2026, 2040})
    CHECK(r.corridor(y, "returns") == Approx(r.corridor(y, "migrant_years") / 4).epsilon(1e-9));
  CHECK(r.corridor(2024, "returns") ==
        Approx(r.corridor(2024, "migrant_years") * 0.05).epsilon(1e-9));
}

TEST_CASE("a top-up with zero elasticities changes nothing but cost", "[model][levers]") {
  const auto base = run_with("topup_base", "");
  const auto r = run_with("topup", R"(policies:
  - {name: pay, type: retention, countries: [AAA], cadres: all, u: 0.5, kappa: 0.8, eps_m: 0, eps_x: 0, eps_r: 0, start: 2025}
)");
  for (int y = 2021; y <= 2045; ++y) {
    CHECK(r.value(y, "supply", "AAA", "all") ==
          Approx(base.value(y, "supply", "AAA", "all")).epsilon(1e-10));
    CHECK(r.value(y, "emigration", "AAA", "all") ==
          Approx(base.value(y, "emigration", "AAA", "all")).epsilon(1e-10));
    CHECK(r.value(y, "supply", "BBB", "all") ==
          Approx(base.value(y, "supply", "BBB", "all")).epsilon(1e-10));
  }
  // (Not bit for bit: the lever's start is a breakpoint, so the adaptive steps differ.)
  // Cost = u * salary * kappa * integral of W (AAA has no foreign-trained workers).
  CHECK(r.value(2024, "retention_cost", "AAA") == 0);
  CHECK(r.value(2030, "retention_cost", "AAA") ==
        Approx(0.5 * 1000 * 0.8 * r.value(2030, "supply_years", "AAA")).epsilon(1e-9));
}

TEST_CASE("a top-up with elasticities cuts emigration and attrition as the formula says",
          "[model][levers]") {
  const auto base = run_with("topup2_base", "");
  const auto r = run_with("topup2", R"(policies:
  - {name: pay, type: retention, countries: [AAA], u: 0.5, kappa: 0.8, eps_m: 1.4, eps_x: 0, eps_r: 0, start: 2025}
)");
  // Emigration per worker-year falls by the push factor 1 - kappa (1 - 1.5^-1.4) (no pull on
  // AAA's corridor? BBB pulls; compare the rate per worker-year of the origin instead).
  const double push = 1 - 0.8 * (1 - std::pow(1.5, -1.4));
  CHECK(r.value(2024, "emigration", "AAA") == base.value(2024, "emigration", "AAA"));
  CHECK(r.value(2030, "supply", "AAA") > base.value(2030, "supply", "AAA"));
  // At the start of the lever (one year in) the flow ratio is close to the push factor.
  const double ratio =
      (r.value(2026, "emigration", "AAA") / r.value(2026, "supply_years", "AAA")) /
      (base.value(2026, "emigration", "AAA") / base.value(2026, "supply_years", "AAA"));
  CHECK(ratio == Approx(push).epsilon(0.02));
}

TEST_CASE("the WHO Code acts only on corridors from Safeguards-List origins", "[model][levers]") {
  const std::string code = R"(policies:
  - {name: code, type: who_code, destinations: [BBB], compliance: 0.8, start: 2025}
)";
  const auto base = run_with("code_base", "");
  const auto r = run_with("code", code);
  // AAA is on the list: the flow falls by 1 - a * kappa_d = 1 - 0.5 * 0.8 at the lever's start.
  CHECK(r.corridor(2030, "emigration") < base.corridor(2030, "emigration"));
  CHECK(r.corridor(2025, "emigration") == base.corridor(2025, "emigration"));
  // The same model with AAA off the list: nothing changes (to the solver's tolerance: the
  // lever's start is still a breakpoint).
  std::string text = good_model_text();
  const auto pos = text.find("safeguards_list: true");
  REQUIRE(pos != std::string::npos);
  text.replace(pos, std::strlen("safeguards_list: true"), "safeguards_list: false");
  const auto off_base = run_with("code_off_base", "", text);
  const auto off = run_with("code_off", code, text);
  same_values(off.out.result.tables[0].values, off_base.out.result.tables[0].values);
}

TEST_CASE("a destination's Code compliance in its measured rates is replaced by a policy's",
          "[model][levers]") {
  // BBB's measured rates already carry compliance 0.6 (code_compliance): alone it changes
  // nothing; a policy moves BBB's corridor from 0.6 to its own compliance (a = 0.5).
  const std::string before = "set: {countries.BBB.code_compliance: 0.6}\n";
  const auto policy = [&](double compliance) {
    return before + fmt::format(
                        "policies:\n  - {{name: code, type: who_code, destinations: [BBB], "
                        "compliance: {}, start: 2025}}\n",
                        compliance);
  };
  const auto base = run_with("code0_base", "");
  const auto measured = run_with("code0_measured", before);
  same_values(measured.out.result.tables[1].values, base.out.result.tables[1].values);
  // The same compliance as the rates carry: no change.
  const auto same = run_with("code0_same", policy(0.6));
  same_values(same.out.result.tables[1].values, base.out.result.tables[1].values);
  // No Code at all: the flow rises by 1 / (1 - 0.5 x 0.6) in the year after the start.
  const auto none = run_with("code0_none", policy(0));
  CHECK(none.corridor(2025, "emigration") == Approx(base.corridor(2025, "emigration")));
  CHECK(none.corridor(2026, "emigration") / base.corridor(2026, "emigration") ==
        Approx(1 / 0.7).epsilon(0.02));
  // 0.8 over 0.6 is the factor (1 - 0.4) / (1 - 0.3): the run equals one without kappa0 whose
  // policy has the compliance k' with 1 - 0.5 k' = 0.6 / 0.7.
  const auto stricter = run_with("code0_stricter", policy(0.8));
  const auto equivalent =
      run_with("code0_equivalent",
               fmt::format("policies:\n  - {{name: code, type: who_code, destinations: [BBB], "
                           "compliance: {}, start: 2025}}\n",
                           (1 - 0.6 / 0.7) / 0.5));
  same_values(stricter.out.result.tables[1].values, equivalent.out.result.tables[1].values);
  CHECK(stricter.corridor(2030, "emigration") < base.corridor(2030, "emigration"));
}

TEST_CASE("an emigration cap scales the origin's flows to the cap", "[model][levers]") {
  const auto r = run_with("cap", R"(policies:
  - {name: cap, type: emigration_cap, origin: AAA, cap: 40, start: 2025, end: 2035}
)");
  const auto base = run_with("cap_base", "");
  CHECK(r.corridor(2030, "emigration") == Approx(40).epsilon(1e-9));
  CHECK(r.corridor(2036, "emigration") > 40);  // ended
  const auto exempt = run_with("cap_exempt", R"(policies:
  - {name: cap, type: emigration_cap, origin: AAA, cap: 40, exempt: [BBB], start: 2025}
)");
  same_values(exempt.out.result.tables[1].values, base.out.result.tables[1].values);
}

TEST_CASE("training levers ramp seats in and pay capital evenly", "[model][levers]") {
  const auto base = run_with("train_base", "");
  const auto r = run_with("train", R"(policies:
  - {name: more, type: training, countries: [AAA], added_seats: 100, capital_cost_per_seat: 3000, start: 2025, ramp_years: 2, end: 2040}
)");
  // Intake over [y-1, y] = base + 100 * mean ramp over that year: 0, 0.25, 0.75, 1, ..., 0.
  CHECK(r.value(2025, "intake", "AAA") == Approx(base.value(2025, "intake", "AAA")).epsilon(1e-12));
  CHECK(r.value(2026, "intake", "AAA") ==
        Approx(base.value(2026, "intake", "AAA") + 25).epsilon(1e-10));
  CHECK(r.value(2027, "intake", "AAA") ==
        Approx(base.value(2027, "intake", "AAA") + 75).epsilon(1e-10));
  CHECK(r.value(2030, "intake", "AAA") ==
        Approx(base.value(2030, "intake", "AAA") + 100).epsilon(1e-10));
  CHECK(r.value(2041, "intake", "AAA") == Approx(base.value(2041, "intake", "AAA")).epsilon(1e-12));
  // Capital: 100 seats * 3000 USD over max(ramp, 1) = 2 years, 150,000 a year; nothing after.
  double total = 0;
  for (int y = 2021; y <= 2045; ++y) total += r.value(y, "capital_cost", "AAA");
  CHECK(total == Approx(300000).epsilon(1e-12));
  CHECK(r.value(2026, "capital_cost", "AAA") == Approx(150000).epsilon(1e-12));
  CHECK(r.value(2028, "capital_cost", "AAA") == 0);
}

TEST_CASE("a completion gain is capped at 1", "[model][levers]") {
  const auto r = run_with("completion", R"(policies:
  - {name: c, type: training, countries: [AAA], delta_completion: 0.5, start: 2021}
)");
  // Completion 0.8 + 0.5 capped at 1: no dropouts, so graduates approach intake.
  CHECK(r.value(2040, "graduates", "AAA") == Approx(r.value(2040, "intake", "AAA")).epsilon(1e-6));
}

TEST_CASE("compensation funds seats in the origin, paid by the destination", "[model][levers]") {
  const auto r = run_with("comp", R"(policies:
  - {name: deal, type: agreement, origin: AAA, destination: BBB, quota: 25, seats_per_recruit: 2, start: 2025}
)");
  // 25 recruits a year * 2 seats * 3 years of training * 100 USD per student-year.
  CHECK(r.value(2030, "compensation_paid", "BBB") == Approx(15000).epsilon(1e-9));
  CHECK(r.value(2030, "compensation_received", "AAA") == Approx(15000).epsilon(1e-9));
  CHECK(r.corridor(2030, "compensation") == Approx(15000).epsilon(1e-9));
  const auto base = run_with("comp_base", R"(policies:
  - {name: deal, type: agreement, origin: AAA, destination: BBB, quota: 25, start: 2025}
)");
  CHECK(r.value(2030, "intake", "AAA") ==
        Approx(base.value(2030, "intake", "AAA") + 50).epsilon(1e-9));
}

TEST_CASE("a lever that ends books nothing afterwards", "[model][levers]") {
  const auto r = run_with("ends", R"(policies:
  - {name: pay, type: retention, countries: [AAA], u: 0.2, eps_m: 1, eps_x: 1, eps_r: 1, start: 2025, end: 2040}
)");
  CHECK(r.value(2040, "retention_cost", "AAA") > 0);
  CHECK(r.value(2041, "retention_cost", "AAA") == 0);
}

TEST_CASE("mass balance and non-negative stocks hold with every lever at once",
          "[model][levers][property]") {
  const std::string method = GENERATE(as<std::string>{}, "rk4", "dopri5");
  const auto scenario_path =
      test::scenario_on_good_model("all_levers_" + method, fmt::format(R"(scenario: all
model: model.yaml
horizon: {{end: 2050}}
solver: {{method: {}, step: 1/12}}
policies:
  - {{name: pay, type: retention, countries: all, u: 0.3, eps_m: 1.4, eps_x: 1.4, eps_r: 1.4, start: 2024, ramp_years: 3}}
  - {{name: train, type: training, countries: [AAA], added_seats: 200, delta_completion: 0.1, capital_cost_per_seat: 1000, start: 2025, ramp_years: 5}}
  - {{name: code, type: who_code, destinations: all, compliance: 0.7, start: 2023}}
  - {{name: deal, type: agreement, origin: AAA, destination: BBB, target_flow: 20, quota: 80, stay_years: 5, seats_per_recruit: 1, start: 2026, ramp_years: 2, end: 2045}}
  - {{name: cap, type: emigration_cap, origin: AAA, cap: 60, start: 2030, ramp_years: 1}}
)",
                                                                       method));
  const auto out = test::run_scenario(scenario_path);
  CHECK(out.stats.mass_balance_residual <= 1e-9);
  CHECK(out.stats.min_stock >= 0);
}
