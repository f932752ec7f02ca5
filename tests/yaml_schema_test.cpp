// The structural table of model datasets and scenarios (models/workforce/yaml_schema.hpp)
// against the loaders: for every mapping it lists, an unknown key written there is refused with
// exactly the table's keys as the valid ones, so the table is what the loader checks.

#include <catch2/catch.hpp>

#include <algorithm>
#include <functional>
#include <map>
#include <set>
#include <string>

#include <yaml-cpp/yaml.h>

#include "engine/diagnostics.hpp"
#include "engine/distributions.hpp"
#include "engine/solver.hpp"
#include "models/workforce/description.hpp"
#include "models/workforce/levers/lever.hpp"
#include "models/workforce/yaml_schema.hpp"
#include "support.hpp"

using namespace hwf;

namespace {

/// The loader's message for the file, or "" if it loads.
template <class Load>
std::string message_of(Load load) {
  try {
    load();
  } catch (const engine::input_error& e) {
    return e.what();
  }
  return "";
}

/// Where each mapping of a model dataset stands in tests/data/good/model.yaml: a change that
/// writes an unknown key there.
std::map<std::string, std::function<void(YAML::Node&)>> model_places() {
  const auto zz = [](YAML::Node n) { n["zz_unknown"] = 1; };
  const auto cc = [](YAML::Node& root) { return root["countries"]["AAA"]["cadres"]["nurses"]; };
  return {
      {"model", [=](YAML::Node& root) { zz(root); }},
      {"cadre", [=](YAML::Node& root) { zz(root["cadres"]["nurses"]); }},
      {"country", [=](YAML::Node& root) { zz(root["countries"]["AAA"]); }},
      {"country_cadre", [=](YAML::Node& root) { zz(cc(root)); }},
      {"corridor", [=](YAML::Node& root) { zz(root["corridors"][0]); }},
      {"corridor_cadre", [=](YAML::Node& root) { zz(root["corridors"][0]["cadres"]["nurses"]); }},
      {"value",
       [=](YAML::Node& root) {
         YAML::Node v = cc(root)["seats"];
         v = YAML::Load("{value: 500, zz_unknown: 1}");
       }},
      {"stock_value",
       [=](YAML::Node& root) {
         YAML::Node v = cc(root)["workforce"];
         v = YAML::Load("{value: 1000, concept: registered, zz_unknown: 1}");
       }},
      {"series",
       [=](YAML::Node& root) {
         YAML::Node v = cc(root)["seats"];
         v = YAML::Load("{series: {2020: 500, 2030: 600}, zz_unknown: 1}");
       }},
      {"stock_series",
       [=](YAML::Node& root) {
         YAML::Node v = root["corridors"][0]["cadres"]["nurses"]["migrant_stock"];
         v = YAML::Load("{series: {2013: 150, 2020: 200}, zz_unknown: 1}");
       }},
      {"workforce_series",
       [=](YAML::Node& root) {
         YAML::Node v = cc(root)["workforce"];
         v = YAML::Load("{series: {2013: 900, 2020: 1000}, concept: registered, zz_unknown: 1}");
       }},
  };
}

/// Scenario lines (on the good model) that write an unknown key in each mapping of a scenario.
std::map<std::string, std::string> scenario_places() {
  const std::string path = "countries.AAA.cadres.nurses.exit_rate";
  const std::string fit = "{observed: o.yaml, seed: 1, fit: {from: 2020, to: 2025}, parameters: ";
  std::map<std::string, std::string> out{
      {"scenario", "zz_unknown: 1"},
      {"horizon", "horizon: {start: 2020, end: 2030, zz_unknown: 1}"},
      {"solver", "solver: {zz_unknown: 1}"},
      {"output", "output: {zz_unknown: 1}"},
      {"uncertainty", "uncertainty: {zz_unknown: 1}"},
      {"correlated_group", "uncertainty: {seed: 1, multivariate_normal: [{zz_unknown: 1}]}"},
      {"group_entry", "uncertainty: {seed: 1, multivariate_normal: [{parameters: {" + path +
                          ": {zz_unknown: 1}}, correlation: [[1]]}]}"},
      {"calibration", "calibration: {zz_unknown: 1}"},
      {"years",
       "calibration: {observed: o.yaml, seed: 1, fit: {from: 2020, to: 2025, zz_unknown: 1}, "
       "parameters: {" +
           path + ": {min: 0.01, max: 0.1}}}"},
      {"calibration_parameter",
       "calibration: " + fit + "{" + path + ": {min: 0.01, max: 0.1, zz_unknown: 1}}}"},
      {"prior", "calibration: " + fit + "{" + path +
                    ": {min: 0.01, max: 0.1, prior: {dist: normal, mean: 0.06, sigma: 0.01, "
                    "zz_unknown: 1}}}}"},
      {"workshop", "workshop: {zz_unknown: 1}"},
      {"workshop_control", "workshop: {controls: {" + path + ": {zz_unknown: 1}}}"},
  };
  for (const auto* lever : model::lever_registry::builtin().types()) {
    const std::string name(lever->name());
    out["policy_" + name] = "policies: [{name: p, type: " + name + ", zz_unknown: 1}]";
  }
  for (const auto& d : engine::distribution_names())
    out["distribution_" + d] =
        "uncertainty: {seed: 1, parameters: {" + path + ": {dist: " + d + ", zz_unknown: 1}}}";
  return out;
}

/// Whether `message` has the note an unknown key gets at a mapping whose valid keys are those of
/// `object`, and no more keys after them. A workforce's `concept` is read through the refused
/// keys of the value (or stock series) mapping, so it is not listed there.
bool lists_exactly(const std::string& message, const std::string& object) {
  auto keys = model::yaml_keys(object);
  if (object == "stock_value" || object == "workforce_series")
    std::erase(keys, std::string("concept"));
  const std::string note = "  expected one of: " + engine::join_list(keys);
  for (auto at = message.find(note); at != std::string::npos; at = message.find(note, at + 1))
    if (at + note.size() == message.size() || message[at + note.size()] == '\n') return true;
  return false;
}

}  // namespace

TEST_CASE("every mapping of the YAML table has a place in these tests", "[model][io]") {
  std::set<std::string> placed;
  for (const auto& [name, change] : model_places()) placed.insert(name);
  for (const auto& [name, text] : scenario_places()) placed.insert(name);
  std::set<std::string> listed;
  for (const auto& o : model::yaml_objects()) listed.insert(o.name);
  CHECK(placed == listed);
}

TEST_CASE("the model loader refuses an unknown key listing exactly the table's keys",
          "[model][io]") {
  for (const auto& [name, change] : model_places()) {
    INFO("object " << name);
    YAML::Node root = YAML::LoadFile(test::source_path("tests/data/good/model.yaml").string());
    change(root);
    const std::string text = YAML::Dump(root);
    const auto message = message_of([&] { model::parse_model(text, "model.yaml"); });
    CHECK_THAT(message, Catch::Contains("zz_unknown: unknown key"));
    CHECK(lists_exactly(message, name));
  }
}

TEST_CASE("the scenario loader refuses an unknown key listing exactly the table's keys",
          "[model][io]") {
  for (const auto& [name, text] : scenario_places()) {
    INFO("object " << name << ": " << text);
    const std::string horizon = name == "horizon" ? "" : "horizon: {end: 2030}\n";
    const auto path = test::scenario_on_good_model(
        "yaml_schema_" + name, "scenario: s\nmodel: model.yaml\n" + horizon + text + "\n");
    const auto message = message_of([&] { model::load_scenario(path); });
    CHECK_THAT(message, Catch::Contains("zz_unknown: unknown key"));
    CHECK(lists_exactly(message, name));
  }
}

TEST_CASE("a workforce's concept, outside the value mapping's listed keys, is read",
          "[model][io]") {
  YAML::Node root = YAML::LoadFile(test::source_path("tests/data/good/model.yaml").string());
  YAML::Node v = root["countries"]["AAA"]["cadres"]["nurses"]["workforce"];
  v = YAML::Load("{value: 1000, concept: registered}");
  const std::string text = YAML::Dump(root);
  CHECK(message_of([&] { model::parse_model(text, "model.yaml"); }).empty());
  const auto& keys = model::yaml_keys("stock_value");
  CHECK(std::find(keys.begin(), keys.end(), "concept") != keys.end());
}

TEST_CASE("choices of the table are those the loaders name", "[model][io]") {
  CHECK(model::yaml_choices("solver", "method") == engine::method_names());
  CHECK(model::yaml_choices("value", "flag") ==
        std::vector<std::string>{"verified", "derived", "estimate", "calibrated"});
  CHECK_THROWS_AS(model::yaml_choices("solver", "step"), engine::internal_error);
  CHECK_THROWS_AS(model::yaml_object_named("no_such_object"), engine::internal_error);
}
