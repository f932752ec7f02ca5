// The workshop page's model (app/workshop_session.hpp), run natively: what the page shows for a
// setting is what `hwfsim run` gives for the scenario file the page saves for it; switching every
// policy off gives the baseline; the controls of a `workshop:` block and the defaults; the page
// written by `hwfsim workshop`, or its refusal where this build has no emscripten.

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>

#include "app/workshop_session.hpp"
#include "app/workshop_study.hpp"
#include "engine/input_file.hpp"
#include "models/workforce/compiled_model.hpp"
#include "models/workforce/workshop.hpp"
#include "outputs/atomic_file.hpp"
#include "outputs/workshop_page.hpp"
#include "support.hpp"

using namespace hwf;
using nlohmann::json;

namespace {

/// The teaching scenarios and model, copied into a scratch folder (the session writes the saved
/// scenario beside its scenario).
std::filesystem::path teaching_copy(const std::string& name) {
  const auto dir = test::scratch_folder(name);
  std::filesystem::create_directories(dir / "scenarios");
  std::filesystem::create_directories(dir / "models/teaching");
  for (const auto* f : {"scenarios/two-countries.yaml", "scenarios/two-countries-policies.yaml",
                        "models/teaching/two-countries.yaml"})
    std::filesystem::copy_file(test::source_path(f), dir / f);
  return dir / "scenarios/two-countries-policies.yaml";
}

json call(app::workshop_session& s, const json& request) {
  INFO(request.dump());
  auto r = json::parse(s.handle(request.dump()));
  INFO(r.dump().substr(0, 2000));
  REQUIRE(r.at("ok").get<bool>());
  return r;
}

/// The values of `table` (the page's series-major form) at the series whose labels are `key`.
std::vector<double> values_at(const json& table, const std::vector<std::string>& key) {
  const auto& series = table.at("series");
  for (std::size_t i = 0; i < series.size(); ++i)
    if (series[i].get<std::vector<std::string>>() == key) {
      std::vector<double> out;
      for (const auto& v : table.at("values")[i])
        out.push_back(v.is_null() ? NAN : v.get<double>());
      return out;
    }
  FAIL("no series " << key.front() << "," << key.back());
  return {};
}

}  // namespace

TEST_CASE("the page's run equals hwfsim run of the scenario the page saves", "[workshop]") {
  const auto scenario = teaching_copy("workshop-round-trip");
  app::workshop_session s;
  const auto d = call(s, {{"op", "describe"}, {"scenario", scenario.string()}});
  CHECK(d.at("name") == "two-countries-policies");
  CHECK(d.at("shown") == json({"GHA", "GBR"}));  // the agreement's two ends
  CHECK(d.at("policies").size() == 4);
  CHECK(d.at("saved_file") == "two-countries-policies-workshop.yaml");

  // A value that needs 17 digits, a year, and a policy switched off whose term is also set
  // (left out of the file: the policy is removed).
  const json request{{"op", "run"},
                     {"scenario", scenario.string()},
                     {"set", json::array({json::array({"policies.ghana-top-up.u", 0.1 + 0.2}),
                                          json::array({"policies.uk-ghana-agreement.start", 2027}),
                                          json::array({"policies.uk-code.compliance", 0.5})})},
                     {"off", {"uk-code"}}};
  const auto r = call(s, request);
  const auto yaml = r.at("yaml").get<std::string>();
  CHECK_THAT(yaml, Catch::Contains("extends: two-countries-policies.yaml"));
  CHECK_THAT(yaml, Catch::Contains("remove: [uk-code]"));
  CHECK_THAT(yaml, Catch::Contains("policies.ghana-top-up.u: 0.30000000000000004"));
  CHECK_THAT(yaml, !Catch::Contains("compliance"));

  // The file the page offers, saved beside the scenario and run as `hwfsim run` runs it.
  const auto saved = scenario.parent_path() / "mine.yaml";
  std::ofstream(saved) << yaml;
  const auto sd = model::load_scenario(saved);
  CHECK(sd.model.params[*sd.model.params.find("policies.ghana-top-up.u")].value == 0.1 + 0.2);
  CHECK_FALSE(sd.model.params.find("policies.uk-code.compliance"));
  const model::compiled_model m(sd);
  const auto native = model::simulate(m, m.default_parameters());
  const auto& schema = *m.schemas()[0];
  std::size_t compared = 0;
  for (std::size_t i = 0; i < schema.size(); ++i) {
    const auto& key = schema.series[i];
    if (key.back() != "supply" && key.back() != "shortage") continue;
    const auto page = values_at(r.at("run").at("indicators"), key);
    for (std::size_t t = 0; t < native.result.times.size(); ++t) {
      const double v = native.result.tables[0].row(t)[i];
      if (std::isnan(v)) continue;
      CHECK(page[t] == v);  // the same code on the same input: equal, not close
      ++compared;
    }
  }
  CHECK(compared > 100);
  // The settings changed what the model gives: Ghana's supply differs from the baseline's.
  CHECK(values_at(r.at("run").at("indicators"), {"GHA", "nurses", "supply"}).back() !=
        values_at(r.at("baseline").at("indicators"), {"GHA", "nurses", "supply"}).back());
}

TEST_CASE("every policy switched off gives the baseline exactly", "[workshop]") {
  const auto scenario = teaching_copy("workshop-all-off");
  app::workshop_session s;
  json off = json::array();
  const auto d = call(s, {{"op", "describe"}, {"scenario", scenario.string()}});
  for (const auto& p : d.at("policies")) off.push_back(p.at("name"));
  const auto r = call(s, {{"op", "run"}, {"scenario", scenario.string()}, {"off", off}});
  INFO(r.at("yaml").get<std::string>());
  CHECK(r.at("run").at("indicators") == r.at("baseline").at("indicators"));
  CHECK(r.at("run").at("corridors") == r.at("baseline").at("corridors"));
  const auto on = call(s, {{"op", "run"}, {"scenario", scenario.string()}});
  CHECK(on.at("run").at("indicators") != on.at("baseline").at("indicators"));
  // Policy cost of the baseline against itself: none.
  for (const auto& v : values_at(r.at("run").at("summary"), {"GHA", "policy_cost_cumulative"}))
    CHECK(v == 0);
}

TEST_CASE("a setting the loader refuses comes back as its message", "[workshop]") {
  const auto scenario = teaching_copy("workshop-refused");
  app::workshop_session s;
  const auto r = json::parse(
      s.handle(json{{"op", "run"},
                    {"scenario", scenario.string()},
                    {"set", json::array({json::array({"policies.ghana-top-up.kappa", 1.5})})}}
                   .dump()));
  CHECK_FALSE(r.at("ok").get<bool>());
  CHECK_THAT(r.at("error").get<std::string>(),
             Catch::Contains("two-countries-policies-workshop.yaml:") &&
                 Catch::Contains("policies.ghana-top-up.kappa"));
  const auto bad = json::parse(s.handle("{\"op\": \"nothing\"}"));
  CHECK_FALSE(bad.at("ok").get<bool>());
}

TEST_CASE("controls: every lever term by default, a workshop block's when given", "[workshop]") {
  const auto sd = model::load_scenario(test::source_path("scenarios/two-countries-policies.yaml"));
  const auto controls = model::workshop_controls(sd);
  std::size_t terms = 0;
  for (const auto& p : sd.model.params.items()) terms += p.path.starts_with("policies.") ? 1 : 0;
  CHECK(controls.size() == terms);
  const auto quota = std::find_if(controls.begin(), controls.end(), [](const auto& c) {
    return c.path == "policies.uk-ghana-agreement.quota";
  });
  REQUIRE(quota != controls.end());
  CHECK(quota->label == "quota");
  CHECK(quota->policy == "uk-ghana-agreement");
  CHECK(quota->value == 1000);
  CHECK(quota->min == 0);
  CHECK(quota->max == 2000);  // unbounded above: twice the value
  CHECK(quota->step == 10);   // a round step near a hundredth of the range
  const auto start = std::find_if(controls.begin(), controls.end(), [](const auto& c) {
    return c.path == "policies.uk-ghana-agreement.start";
  });
  CHECK(start->integer);
  CHECK(start->min == sd.start_year);
  CHECK(start->max == sd.end_year);

  const auto block = test::scenario_on_good_model("workshop-block", R"(scenario: s
model: model.yaml
horizon: {start: 2020, end: 2030}
policies:
  - {name: top-up, type: retention, countries: [AAA], cadres: [nurses], start: 2022, u: 0.3, kappa: 0.8, eps_m: 1.4, eps_x: 0.7}
workshop:
  title: "Analytica's nurses"
  countries: [BBB, AAA]
  controls:
    countries.AAA.cadres.nurses.exit_rate: {label: "Nurses leaving the profession", min: 0.02, max: 0.1, step: 0.005}
    policies.top-up.u: {}
)");
  const auto bd = model::load_scenario(block);
  CHECK(bd.workshop.title == "Analytica's nurses");
  CHECK(bd.workshop.countries == std::vector<std::string>{"BBB", "AAA"});
  const auto bc = model::workshop_controls(bd);
  REQUIRE(bc.size() == 2);
  CHECK(bc[0].path == "countries.AAA.cadres.nurses.exit_rate");
  CHECK(bc[0].label == "Nurses leaving the profession");
  CHECK(bc[0].min == 0.02);
  CHECK(bc[0].max == 0.1);
  CHECK(bc[0].step == 0.005);
  CHECK(bc[0].value == 0.06);
  CHECK(bc[0].policy.empty());
  CHECK(bc[1].label == "u");
  CHECK(bc[1].min == 0);
  CHECK(bc[1].max == 1);  // a share: its valid range

  // A scenario that removes the policy (as the page's saved file does when it is switched off)
  // drops its control with it; a typo in the same place is still an error.
  const auto child = test::write_file(block.parent_path(), "child.yaml",
                                      "scenario: c\nextends: s.yaml\nremove: [top-up]\n");
  const auto cd = model::load_scenario(child);
  REQUIRE(model::workshop_controls(cd).size() == 1);
  CHECK(model::workshop_controls(cd)[0].path == "countries.AAA.cadres.nurses.exit_rate");
  const auto typo = test::scenario_on_good_model("workshop-typo", R"(scenario: s
model: model.yaml
horizon: {start: 2020, end: 2030}
workshop:
  controls:
    policies.top-up.u: {}
)");
  CHECK_THROWS_WITH(model::load_scenario(typo),
                    Catch::Contains("'policies.top-up.u' is not a parameter of model analytic"));
}

TEST_CASE("the saved scenario's name stays within the limit", "[workshop]") {
  auto sd = model::load_scenario(test::source_path("scenarios/two-countries.yaml"));
  sd.name = std::string(100, 'a');
  const auto yaml = app::saved_scenario_yaml({"x/two-countries.yaml", {}, {}}, sd);
  CHECK_THAT(yaml, Catch::Contains("scenario: " + std::string(91, 'a') + "-workshop\n"));
  CHECK(app::saved_scenario_path("a/b/c.yaml") == std::filesystem::path("a/b/c-workshop.yaml"));
}

TEST_CASE("hwfsim workshop writes one page, or says why it cannot", "[workshop]") {
  const auto dir = test::scratch_folder("workshop-page");
  app::workshop_options o;
  o.scenarios = {test::source_path("scenarios/two-countries-policies.yaml").string()};
  o.output = (dir / "page.html").string();
  if (const auto why = out::workshop_unavailable()) {
    // A build without emscripten (the asan preset): the reason, and what to do.
    CHECK_THROWS_WITH(app::workshop_study(o), Catch::Contains("hwfsim workshop is unavailable: ") &&
                                                  Catch::Contains("install-deps.sh"));
    CHECK_FALSE(std::filesystem::exists(o.output));
    return;
  }
  const app::workshop_study study(o);
  const auto data = json::parse(study.data());
  REQUIRE(data.at("scenarios").size() == 1);
  CHECK(data.at("scenarios")[0].at("file") == "/w/scenarios/two-countries-policies.yaml");
  CHECK(data.at("files").size() == 3);  // the scenario, the one it extends, the model
  CHECK(data.at("files").contains("/w/models/teaching/two-countries.yaml"));
  CHECK_THAT(study.write(), Catch::Contains("Workshop page of 1 scenario (3 files)"));
  const auto page = engine::read_regular_file(o.output, 1u << 30);
  CHECK_THAT(page, Catch::Contains("default-src 'none'") && Catch::Contains("'wasm-unsafe-eval'"));
  CHECK_THROWS_AS(app::workshop_study(o), out::folder_not_empty);  // kept without --force
  o.force = true;
  CHECK_NOTHROW(app::workshop_study(o).write());
}
