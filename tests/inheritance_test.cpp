#include <catch2/catch.hpp>

#include "models/workforce/compiled_model.hpp"
#include "models/workforce/description.hpp"
#include "models/workforce/resolved_yaml.hpp"
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
  - {name: pay, type: retention, countries: [AAA], u: 0.2, eps_m: 1, eps_a: 1, start: 2025}
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

TEST_CASE("policies merge by name: replace in place, add at the end, remove",
          "[model][inheritance]") {
  const auto dir = family("policies");
  test::write_file(dir, "child.yaml", R"(scenario: child
extends: base.yaml
remove: [deal]
policies:
  - {name: pay, type: retention, countries: [AAA], u: 0.5, eps_m: 2, eps_a: 1, start: 2027}
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
  - {name: pay, type: retention, countries: [AAA], u: 0.1, eps_m: 1, eps_a: 1, start: 2025}
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
