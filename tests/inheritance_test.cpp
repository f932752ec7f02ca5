#include <catch2/catch.hpp>

#include <cmath>

#include "models/workforce/compiled_model.hpp"
#include "models/workforce/description.hpp"
#include "models/workforce/resolved_yaml.hpp"
#include "models/workforce/workshop.hpp"
#include "support.hpp"

using namespace hwf;
using Catch::Contains;

namespace {

/// A folder with the good model, a base scenario and its descendants.
std::filesystem::path family(const std::string& name) {
  const auto dir = test::scratch_folder("family_" + name);
  std::filesystem::copy(test::source_path("tests/data/good/model.yaml"), dir / "model.yaml");
  test::write_file(dir, "base.yaml", R"(scenario: base
description: the parent
model: model.yaml
horizon: {end: 2040}
solver: {method: rk4, step: 1/12}
set:
  countries.AAA.cadres.nurses.exit_rate: 0.05
policies:
  - {name: pay, type: retention, countries: [AAA], u: 0.2, eps_m: 1, eps_x: 1, eps_r: 1, start: 2025}
  - {name: deal, type: agreement, origin: AAA, destination: BBB, quota: 30, start: 2026}
)");
  return dir;
}

double param(const model::scenario_description& s, const std::string& path) {
  return s.model.params[*s.model.params.find(path)].value;
}

std::vector<std::string> policy_names(const model::scenario_description& s) {
  std::vector<std::string> out;
  for (const auto& p : s.policies) out.push_back(p.name);
  return out;
}

}  // namespace

TEST_CASE("a scenario inherits everything its parent says", "[model][inheritance]") {
  const auto dir = family("inherit");
  test::write_file(dir, "child.yaml", "scenario: child\nextends: base.yaml\n");
  const auto s = model::load_scenario(dir / "child.yaml");
  CHECK(s.name == "child");
  CHECK(s.description == "the parent");
  CHECK(s.end_year == 2040);
  CHECK(param(s, "countries.AAA.cadres.nurses.exit_rate") == 0.05);
  CHECK(policy_names(s) == std::vector<std::string>{"pay", "deal"});
  REQUIRE(s.parents.size() == 1);
  CHECK_THAT(s.parents[0].display_name, Contains("base.yaml"));
}

TEST_CASE("a child overrides settings and set: values key by key", "[model][inheritance]") {
  const auto dir = family("override");
  test::write_file(dir, "child.yaml", R"(scenario: child
extends: base.yaml
horizon: {end: 2045}
solver: {step: 1/4}
set:
  countries.AAA.cadres.nurses.exit_rate: 0.07
  countries.BBB.cadres.nurses.exit_rate: 0.01
)");
  const auto s = model::load_scenario(dir / "child.yaml");
  CHECK(s.end_year == 2045);
  CHECK(s.solver.kind == engine::method::rk4);  // inherited
  CHECK(s.solver.step_years == 0.25);           // overridden
  CHECK(param(s, "countries.AAA.cadres.nurses.exit_rate") == 0.07);
  CHECK(param(s, "countries.BBB.cadres.nurses.exit_rate") == 0.01);
}

TEST_CASE("set: entries beside the files apply last and are checked as a file's",
          "[model][inheritance]") {
  const auto dir = family("extra_set");
  const model::extra_set set{"countries.AAA.cadres.nurses.exit_rate: 0.06\n", "run(set=...)"};
  const auto s = model::load_scenario(dir / "base.yaml", set);
  CHECK(param(s, "countries.AAA.cadres.nurses.exit_rate") == 0.06);  // over base.yaml's 0.05
  const auto& p = s.model.params[*s.model.params.find("countries.AAA.cadres.nurses.exit_rate")];
  CHECK(p.where.file == "run(set=...)");
  CHECK(p.overridden);
  const model::extra_set bad{
      "countries.AAA.cadres.nurses.exit_rate: 0.06\n"
      "countries.AAA.cadres.nurses.exit_rat: 0.1\n"
      "countries.BBB.cadres.nurses.exit_rate: fast\n",
      "run(set=...)"};
  try {
    model::load_scenario(dir / "base.yaml", bad);
    FAIL("no error");
  } catch (const engine::input_error& e) {
    const auto& d = e.diagnostics();
    REQUIRE(d.size() == 2);
    CHECK(d[0].where.file == "run(set=...)");
    CHECK(d[0].where.line == 2);
    CHECK(d[0].suggestion == "countries.AAA.cadres.nurses.exit_rate");
    CHECK(d[1].where.line == 3);
    CHECK(d[1].where.column == 40);
    CHECK_THAT(d[1].message, Contains("expected a number"));
  }
}

TEST_CASE("policies merge by name: replace in place, add at the end, remove",
          "[model][inheritance]") {
  const auto dir = family("policies");
  test::write_file(dir, "child.yaml", R"(scenario: child
extends: base.yaml
remove: [deal]
policies:
  - {name: pay, type: retention, countries: [AAA], u: 0.5, eps_m: 2, eps_x: 1, eps_r: 1, start: 2027}
  - {name: code, type: who_code, destinations: all, compliance: 0.5, start: 2025}
)");
  const auto s = model::load_scenario(dir / "child.yaml");
  CHECK(policy_names(s) == std::vector<std::string>{"pay", "code"});
  CHECK(param(s, "policies.pay.u") == 0.5);
  CHECK(param(s, "policies.pay.start") == 2027);
  CHECK_FALSE(s.model.params.find("policies.deal.quota"));

  // Replacing keeps the parent's position: agreements apply in that order.
  test::write_file(dir, "replace.yaml", R"(scenario: replace
extends: base.yaml
policies:
  - {name: extra, type: training, countries: [AAA], added_seats: 10, start: 2025}
  - {name: pay, type: retention, countries: [AAA], u: 0.1, eps_m: 1, eps_x: 1, eps_r: 1, start: 2025}
)");
  CHECK(policy_names(model::load_scenario(dir / "replace.yaml")) ==
        std::vector<std::string>{"pay", "deal", "extra"});
}

TEST_CASE("chains of any depth resolve nearest-last, and show names each value's file",
          "[model][inheritance]") {
  const auto dir = family("chain");
  test::write_file(dir, "mid.yaml", "scenario: mid\nextends: base.yaml\nhorizon: {end: 2042}\n");
  test::write_file(dir, "leaf.yaml",
                   "scenario: leaf\nextends: mid.yaml\nset:\n  policies.deal.quota: 20\n");
  const auto s = model::load_scenario(dir / "leaf.yaml");
  CHECK(s.end_year == 2042);
  CHECK(param(s, "policies.deal.quota") == 20);
  CHECK(s.parents.size() == 2);
  const std::string yaml = model::resolved_yaml(s);
  CHECK_THAT(yaml, Contains("# extends: "));
  CHECK_THAT(yaml, Contains("scenario: leaf"));
  CHECK_THAT(yaml, Contains("end: 2042") && Contains("mid.yaml:3"));
  CHECK_THAT(yaml, Contains("method: rk4") && Contains("base.yaml:5"));
  CHECK_THAT(yaml, Contains("quota: 20") && Contains("leaf.yaml:4"));
  CHECK_THAT(yaml, Contains("set:\n  countries.AAA.cadres.nurses.exit_rate: 0.05"));

  // The resolved YAML loads back as the same scenario.
  test::write_file(dir, "resolved.yaml", yaml);
  const auto again = model::load_scenario(dir / "resolved.yaml");
  CHECK(again.model.params.values() == s.model.params.values());
  CHECK(policy_names(again) == policy_names(s));
}

namespace {

/// Policies by name, type and parameter values, for comparing two scenarios.
std::vector<std::string> policy_summary(const model::scenario_description& s) {
  std::vector<std::string> out;
  for (const auto& p : s.policies) {
    std::string line = p.name + " " + std::string(p.type_name());
    for (const auto& prm : s.model.params.items())
      if (prm.path.starts_with("policies." + p.name + "."))
        line += " " + prm.path.substr(10 + p.name.size()) + "=" + std::to_string(prm.value);
    out.push_back(line);
  }
  return out;
}

/// Both runs' tables hold the same values (NaN where undefined counts as equal).
bool same_results(const model::run_output& a, const model::run_output& b) {
  if (a.result.times != b.result.times || a.result.tables.size() != b.result.tables.size())
    return false;
  for (std::size_t t = 0; t < a.result.tables.size(); ++t) {
    const auto& x = a.result.tables[t].values;
    const auto& y = b.result.tables[t].values;
    if (x.size() != y.size()) return false;
    for (std::size_t i = 0; i < x.size(); ++i)
      if (!(x[i] == y[i] || (std::isnan(x[i]) && std::isnan(y[i])))) return false;
  }
  return true;
}

}  // namespace

TEST_CASE("removing a policy leaves the others as written: types, values and results",
          "[model][inheritance]") {
  const auto dir = test::scratch_folder("remove_keeps_others");
  const auto parent = test::source_path("scenarios/two-countries-policies.yaml").generic_string();
  const auto base = test::source_path("scenarios/two-countries.yaml").generic_string();
  test::write_file(dir, "removed.yaml",
                   "scenario: removed\nextends: " + parent + "\nremove: [ghana-top-up]\n");
  test::write_file(dir, "by_hand.yaml", "scenario: by-hand\nextends: " + base + R"(
policies:
  - {name: ghana-nursing-seats, type: training, countries: [GHA], start: 2024, ramp_years: 4,
     added_seats: 2000, capital_cost_per_seat: 4000}
  - {name: uk-code, type: who_code, destinations: [GBR], compliance: 0.8, start: 2023}
  - {name: uk-ghana-agreement, type: agreement, origin: GHA, destination: GBR, cadres: [nurses],
     start: 2025, ramp_years: 1, quota: 1000, stay_years: 5, seats_per_recruit: 1}
)");
  const auto removed = model::load_scenario(dir / "removed.yaml");
  const auto by_hand = model::load_scenario(dir / "by_hand.yaml");
  CHECK(policy_summary(removed) == policy_summary(by_hand));
  REQUIRE(removed.policies.size() == 3);
  CHECK(removed.policies[0].type_name() == "training");
  CHECK(removed.policies[1].type_name() == "who_code");
  CHECK(removed.policies[2].type_name() == "agreement");
  CHECK_FALSE(removed.model.params.find("policies.ghana-nursing-seats.compliance"));
  CHECK(param(removed, "policies.ghana-nursing-seats.added_seats") == 2000);
  CHECK(param(removed, "policies.uk-code.compliance") == 0.8);
  CHECK(same_results(test::run_scenario(dir / "removed.yaml"),
                     test::run_scenario(dir / "by_hand.yaml")));

  // Keeping only the WHO Code: removing the three others, first and middle ones included.
  test::write_file(dir, "code_only.yaml",
                   "scenario: code-only\nextends: " + parent +
                       "\nremove: [ghana-top-up, ghana-nursing-seats, uk-ghana-agreement]\n");
  test::write_file(dir, "code_by_hand.yaml", "scenario: code-by-hand\nextends: " + base + R"(
policies:
  - {name: uk-code, type: who_code, destinations: [GBR], compliance: 0.8, start: 2023}
)");
  const auto code_only = model::load_scenario(dir / "code_only.yaml");
  CHECK(policy_summary(code_only) ==
        policy_summary(model::load_scenario(dir / "code_by_hand.yaml")));
  REQUIRE(code_only.policies.size() == 1);
  CHECK(code_only.policies[0].type_name() == "who_code");
  CHECK(same_results(test::run_scenario(dir / "code_only.yaml"),
                     test::run_scenario(dir / "code_by_hand.yaml")));
}

TEST_CASE("a child replacing an inherited policy leaves the parent's other nodes alone",
          "[model][inheritance]") {
  const auto dir = family("replace_alone");
  // Three generations each give horizon, solver and a policy of the same name: the nearest
  // wins, and what each file says stays as written (provenance cites each value's own file).
  test::write_file(dir, "mid.yaml", R"(scenario: mid
extends: base.yaml
horizon: {end: 2042}
policies:
  - {name: deal, type: agreement, origin: AAA, destination: BBB, quota: 20, start: 2027}
)");
  test::write_file(dir, "leaf.yaml", R"(scenario: leaf
extends: mid.yaml
horizon: {end: 2044}
remove: [pay]
policies:
  - {name: deal, type: agreement, origin: AAA, destination: BBB, quota: 10, start: 2028}
)");
  const auto leaf = model::load_scenario(dir / "leaf.yaml");
  CHECK(leaf.end_year == 2044);
  CHECK(policy_names(leaf) == std::vector<std::string>{"deal"});
  CHECK(param(leaf, "policies.deal.quota") == 10);
  const auto mid = model::load_scenario(dir / "mid.yaml");
  CHECK(mid.end_year == 2042);
  CHECK(policy_names(mid) == std::vector<std::string>{"pay", "deal"});
  CHECK(param(mid, "policies.deal.quota") == 20);
  CHECK(param(mid, "policies.pay.u") == 0.2);
}

TEST_CASE("hwfsim show writes the uncertainty block, which loads back the same",
          "[model][inheritance][io]") {
  const auto scenario = test::scenario_on_good_model(
      "show_uncertainty",
      "scenario: s\nmodel: model.yaml\nhorizon: {end: 2030}\nuncertainty:\n"
      "  samples: 64\n  sampling: sobol\n  seed: 11\n  parameters:\n"
      "    countries.AAA.cadres.nurses.exit_rate: {dist: pert, min: 0.02, mode: 0.03, max: 0.05}\n"
      "    countries.BBB.cadres.nurses.exit_rate: {dist: triangular, min: 0.03, mode: 0.05, "
      "max: 0.07}\n"
      "    countries.AAA.cadres.nurses.seats: {dist: gamma, shape: 20, scale: 25}\n"
      "    countries.BBB.cadres.nurses.seats: {dist: lognormal, median: 900, sigma: 0.2}\n"
      "    countries.AAA.cadres.nurses.retirement_rate: {dist: truncated_normal, mean: 0.04, "
      "sd: 0.01, min: 0.01, max: 0.08}\n"
      "    countries.BBB.cadres.nurses.retirement_rate: {dist: beta, alpha: 2, beta: 5, min: "
      "0.01, max: 0.05}\n"
      "    countries.AAA.cadres.nurses.salary: {dist: discrete, values: [900, 1000, 1100], "
      "weights: [1, 2, 1]}\n"
      "    countries.*.cadres.nurses.need_density: {dist: uniform, min: 0.9, max: 1.1, apply: "
      "multiply, shared: true}\n"
      "  multivariate_normal:\n"
      "    - source: \"a fit\"\n"
      "      parameters:\n"
      "        corridors.AAA-BBB.nurses.emigration_rate: {mean: 0.02, sd: 0.004, min: 0.005, "
      "max: 0.05}\n"
      "        corridors.AAA-BBB.nurses.return_rate: {mean: 0.05, sd: 0.01, min: 0.01, max: "
      "0.1}\n"
      "      correlation:\n        - [1, 0.3]\n        - [0.3, 1]\n");
  const auto loaded = model::load_scenario(scenario);
  const auto yaml = model::resolved_yaml(loaded);
  CHECK_THAT(yaml, Contains("\nuncertainty:") && Contains("  sampling: sobol\n  seed: 11\n"));
  CHECK_THAT(yaml, Contains("{dist: discrete, values: [900, 1000, 1100], weights: [0.25, 0.5, "
                            "0.25]}"));
  CHECK_THAT(yaml, Contains("{dist: uniform, min: 0.9, max: 1.1, apply: multiply, shared: true}"));
  const auto back = test::load_shown(yaml, scenario.parent_path()).uncertainty;
  const auto& u = loaded.uncertainty;
  CHECK(back.samples == u.samples);
  CHECK(back.sampling == u.sampling);
  CHECK(back.seed == u.seed);
  REQUIRE(back.parameters.size() == u.parameters.size());
  for (std::size_t i = 0; i < u.parameters.size(); ++i) {
    const auto &a = u.parameters[i], &b = back.parameters[i];
    INFO(a.pattern);
    CHECK(b.pattern == a.pattern);
    CHECK(b.dist.kind() == a.dist.kind());
    CHECK(b.apply == a.apply);
    CHECK(b.shared == a.shared);
    CHECK(b.targets == a.targets);
    for (const double q : {0.05, 0.3, 0.5, 0.7, 0.95})
      CHECK(b.dist.quantile(q) == a.dist.quantile(q));
  }
  REQUIRE(back.groups.size() == 1);
  const auto &g = u.groups[0], &h = back.groups[0];
  CHECK(h.source == g.source);
  CHECK(h.targets == g.targets);
  CHECK(h.dist.mean() == g.dist.mean());
  CHECK(h.dist.sd() == g.dist.sd());
  CHECK(h.dist.lower() == g.dist.lower());
  CHECK(h.dist.upper() == g.dist.upper());
  CHECK(h.dist.correlation() == g.dist.correlation());
  CHECK(back.dimensions() == u.dimensions());
}

TEST_CASE("hwfsim show writes the workshop block, which loads back the same",
          "[model][inheritance][io][workshop]") {
  const auto scenario = test::scenario_on_good_model(
      "show_workshop",
      "scenario: s\nmodel: model.yaml\nhorizon: {end: 2030}\nworkshop:\n"
      "  title: \"Two countries: nurses\"\n  countries: [BBB, AAA]\n  controls:\n"
      "    countries.AAA.cadres.nurses.seats: {label: \"AAA: training places\", min: 100, "
      "max: 2000, step: 50}\n"
      "    countries.BBB.cadres.nurses.exit_rate: {}\n");
  const auto loaded = model::load_scenario(scenario);
  const auto yaml = model::resolved_yaml(loaded);
  CHECK_THAT(yaml, Contains("\nworkshop:") && Contains("  title: \"Two countries: nurses\"\n") &&
                       Contains("  countries: [BBB, AAA]\n"));
  CHECK_THAT(yaml, Contains("    countries.AAA.cadres.nurses.seats: {label: \"AAA: training "
                            "places\", min: 100, max: 2000, step: 50}"));
  const auto back = test::load_shown(yaml, scenario.parent_path());
  const auto &w = loaded.workshop, &v = back.workshop;
  REQUIRE(v.present);
  CHECK(v.title == w.title);
  CHECK(v.countries == w.countries);
  REQUIRE(v.controls.size() == 2);
  for (std::size_t i = 0; i < 2; ++i) {
    CHECK(v.controls[i].parameter == w.controls[i].parameter);
    CHECK(v.controls[i].label == w.controls[i].label);
    CHECK(v.controls[i].min == w.controls[i].min);
    CHECK(v.controls[i].max == w.controls[i].max);
  }
  // The defaults of the second control (its range and step) are written out, and read back.
  const auto a = model::workshop_controls(loaded), b = model::workshop_controls(back);
  REQUIRE(a.size() == 2);
  REQUIRE(b.size() == 2);
  CHECK(a[1].max > a[1].min);
  for (std::size_t i = 0; i < 2; ++i) {
    CHECK(b[i].min == a[i].min);
    CHECK(b[i].max == a[i].max);
    CHECK(b[i].step == a[i].step);
    CHECK(b[i].label == a[i].label);
  }
  // Without the block, show writes none.
  CHECK_THAT(model::resolved_yaml(back), Contains("\nworkshop:"));
  const auto plain = test::scenario_on_good_model(
      "show_no_workshop", "scenario: s\nmodel: model.yaml\nhorizon: {end: 2030}\n");
  CHECK_THAT(model::resolved_yaml(model::load_scenario(plain)), !Contains("workshop:"));
}
