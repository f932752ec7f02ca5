// Adding a policy lever as docs/architecture.md ("Extending") says, with nothing but this file:
// a lever type that scales one country's attrition (exits and retirements), registered here.

#include <catch2/catch.hpp>

#include <array>
#include <memory>

#include "models/workforce/compiled_model.hpp"
#include "models/workforce/description.hpp"
#include "models/workforce/levers/lever.hpp"
#include "models/workforce/resolved_yaml.hpp"
#include "support.hpp"

using namespace hwf;

namespace {

const std::array attrition_scale_fields{
    model::numeric_field{"factor",
                         "dimensionless",
                         {0, 10},
                         std::nullopt,
                         "Factor on the country's attrition rate at full strength."},
};

/// Per run: the factor, and the blocks of the country (compiled below).
class attrition_scale_run final : public model::lever_run {
 public:
  attrition_scale_run(std::size_t policy, const std::vector<std::size_t>& blocks, double factor)
      : policy_(policy), blocks_(blocks), factor_(factor) {}
  void before_flows(model::lever_state& s) override {
    const double factor = 1 + (factor_ - 1) * s.strength[policy_];
    for (std::size_t b : blocks_) s.attrition_factor[b] *= factor;
  }
  void on_flows(model::lever_state&, model::lever_trace*) override {}
  void after_flows(model::lever_state&) override {}

 private:
  std::size_t policy_;
  const std::vector<std::size_t>& blocks_;
  double factor_;
};

class attrition_scale_compiled final : public model::compiled_lever {
 public:
  attrition_scale_compiled(std::size_t policy, const model::compiled_model& m,
                           const model::policy_desc& p)
      : compiled_lever(policy),
        blocks_(m.countries()[p.origin].blocks),
        p_factor_(model::levers::required_value(p, "factor")) {}
  std::unique_ptr<model::lever_run> bind(std::span<const double> params,
                                         model::lever_binding&) const override {
    return std::make_unique<attrition_scale_run>(policy(), blocks_, params[p_factor_]);
  }

 private:
  std::vector<std::size_t> blocks_;
  std::size_t p_factor_;
};

class attrition_scale final : public model::lever_type {
 public:
  std::string_view name() const override { return "attrition_scale"; }
  std::span<const model::numeric_field> fields() const override { return attrition_scale_fields; }
  std::vector<std::string> target_keys() const override { return {"country"}; }
  bool read(model::lever_input& in, model::policy_desc& p) const override {
    const auto n = in.keys.require("country");
    if (!n) return false;
    const auto c = model::levers::read_one_name(*n, in.countries, "country");
    if (!c) return false;
    p.origin = *c;
    return true;
  }
  std::vector<std::pair<std::string, std::string>> describe(
      const model::policy_desc& p, const model::model_description& md) const override {
    return {{"country", md.countries[p.origin].iso3}};
  }
  std::unique_ptr<model::compiled_lever> compile(const model::policy_desc& p,
                                                 const model::compiled_model& m,
                                                 std::size_t policy) const override {
    return std::make_unique<attrition_scale_compiled>(policy, m, p);
  }
};

const attrition_scale test_lever;

model::lever_registry with_test_lever() {
  auto r = model::lever_registry::builtin();
  r.add(test_lever);
  return r;
}

/// A scenario on tests/data/good/model.yaml with `policies` text, loaded with `registry`.
model::scenario_description load_with(const std::string& name, const std::string& policies,
                                      const model::lever_registry& registry) {
  const auto dir = test::scratch_folder("lever_extension_" + name);
  std::filesystem::copy(test::source_path("tests/data/good/model.yaml"), dir / "model.yaml");
  test::write_file(dir, "s.yaml",
                   "scenario: " + name +
                       "\nmodel: model.yaml\nhorizon: {end: 2040}\n"
                       "solver: {method: dopri5, abs_tol: 1e-9, rel_tol: 1e-12}\n" +
                       policies);
  return model::load_scenario(dir / "s.yaml", registry);
}

struct run {
  std::unique_ptr<model::compiled_model> model;
  model::run_output out;
  double value(int year, const std::string& indicator) const {
    return test::indicator(*model, out, static_cast<std::size_t>(year - 2020), "AAA", "nurses",
                           indicator);
  }
};

run simulate(const model::scenario_description& s) {
  run r{std::make_unique<model::compiled_model>(s), {}};
  r.out = model::simulate(*r.model, r.model->default_parameters());
  return r;
}

const std::string halve_aaa = R"(policies:
  - {name: care, type: attrition_scale, country: AAA, factor: 0.5, start: 2025}
)";

}  // namespace

TEST_CASE("a lever registered from a test loads, with its keys as parameters", "[model][levers]") {
  const auto s = load_with("loads", halve_aaa, with_test_lever());
  REQUIRE(s.policies.size() == 1);
  CHECK(s.policies[0].type_name() == "attrition_scale");
  CHECK(s.policies[0].origin == 0);
  const auto factor = s.model.params.find("policies.care.factor");
  REQUIRE(factor);
  CHECK(s.model.params[*factor].value == 0.5);
  CHECK(s.model.params[*factor].unit == "dimensionless");
  const auto shown = model::resolved_yaml(s);
  CHECK_THAT(shown, Catch::Contains("type: attrition_scale") && Catch::Contains("country: AAA") &&
                        Catch::Contains("factor: 0.5"));
}

TEST_CASE("a registered lever's keys are checked, with the closest name suggested",
          "[model][levers]") {
  const std::string misspelt = R"(policies:
  - {name: care, type: attrition_scale, country: AAA, factr: 0.5, start: 2025}
)";
  CHECK_THROWS_WITH(load_with("misspelt", misspelt, with_test_lever()),
                    Catch::Contains("policies.care.factr: unknown key") &&
                        Catch::Contains("did you mean 'factor'?"));
  const std::string missing = R"(policies:
  - {name: care, type: attrition_scale, factor: 0.5, start: 2025}
)";
  CHECK_THROWS_WITH(load_with("missing", missing, with_test_lever()),
                    Catch::Contains("policies.care.country: missing required key"));
  const std::string out_of_range = R"(policies:
  - {name: care, type: attrition_scale, country: AAA, factor: 11, start: 2025}
)";
  CHECK_THROWS_WITH(load_with("range", out_of_range, with_test_lever()),
                    Catch::Contains("policies.care.factor"));
  // Without the registration the type is unknown, and the built-in ones are listed.
  CHECK_THROWS_WITH(load_with("unregistered", halve_aaa, model::lever_registry::builtin()),
                    Catch::Contains("unknown policy type 'attrition_scale'") &&
                        Catch::Contains("expected one of: retention, training, who_code, "
                                        "agreement, emigration_cap"));
}

TEST_CASE("a registered lever acts on the run as its equation says", "[model][levers]") {
  const auto base = simulate(load_with("base", "", with_test_lever()));
  const auto r = simulate(load_with("halved", halve_aaa, with_test_lever()));
  // Before the lever starts nothing differs; from 2025 AAA's attrition rate is half of
  // exit_rate + retirement_rate = 0.1: attrition = 0.05 * the integral of W (supply_years).
  for (int y : {2021, 2024}) {
    CHECK(r.value(y, "attrition") == Approx(base.value(y, "attrition")).epsilon(1e-9));
    CHECK(r.value(y, "attrition") == Approx(0.1 * r.value(y, "supply_years")).epsilon(1e-9));
  }
  for (int y : {2026, 2033, 2040})
    CHECK(r.value(y, "attrition") == Approx(0.05 * r.value(y, "supply_years")).epsilon(1e-9));
  CHECK(r.value(2040, "workforce_domestic") > base.value(2040, "workforce_domestic") + 100);
  // A factor of 1 is no lever at all.
  const auto one = simulate(load_with(
      "one",
      "policies:\n  - {name: care, type: attrition_scale, country: AAA, factor: 1, start: 2025}\n",
      with_test_lever()));
  for (int y : {2030, 2040})
    CHECK(one.value(y, "workforce_domestic") ==
          Approx(base.value(y, "workforce_domestic")).epsilon(1e-9));
}

TEST_CASE("a lever type's name is registered once", "[model][levers]") {
  auto r = with_test_lever();
  CHECK_THROWS_WITH(r.add(test_lever), Catch::Contains("registered twice"));
  CHECK(r.find("attrition_scale") == &test_lever);
  CHECK(r.find("retention") == &model::levers::retention());
  CHECK(r.names().size() == 8);  // the seven built-in levers and the test lever
}
