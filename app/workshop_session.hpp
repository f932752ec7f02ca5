#pragma once
// The model behind the workshop page (`hwfsim workshop`, docs/workshop.md). The page sends
// requests as JSON and draws the responses; this code runs in the page, compiled to WebAssembly
// (workshop/wasm/), and natively in the tests, the same either way.
//
// A setting of the page is a scenario file, parameter values and policies switched off. It is
// run exactly as `hwfsim run` runs the scenario file the page saves for it: that file (which
// extends the given scenario, names the switched-off policies under `remove:` and the values
// under `set:`) is written beside the given scenario and loaded by the same loader.

#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "models/workforce/compiled_model.hpp"
#include "models/workforce/description.hpp"

namespace hwf::app {

/// What the room changed in a scenario.
struct workshop_settings {
  std::string scenario;                             ///< the given scenario file
  std::vector<std::pair<std::string, double>> set;  ///< parameter path, value (in order)
  std::vector<std::string> off;                     ///< policies switched off, by name
};

/// Where the page saves `scenario`'s settings: <stem>-workshop.yaml in its folder.
std::filesystem::path saved_scenario_path(const std::filesystem::path& scenario);

/// The scenario file of `settings` on `given` (the loaded settings.scenario): it extends the
/// given file (by name: it is saved in the same folder), is named <given name>-workshop, removes
/// the policies switched off and sets the values (those of switched-off policies left out), each
/// written with the fewest digits that read back as the same number.
std::string saved_scenario_yaml(const workshop_settings& settings,
                                const model::scenario_description& given);

/// The page's model: answers the page's requests, remembering what it loaded.
///
/// Requests (JSON objects, by `op`):
///   {"op": "describe", "scenario": F}: the scenario's name, description, countries, cadres,
///     policies, the controls of the page (model::workshop_controls), the countries shown first,
///     and the indicators' labels and units;
///   {"op": "run", "scenario": F, "set": [[path, value], ...], "off": [policy, ...]}: the saved
///     YAML of these settings, its warnings and notes, the run's tables (indicators, corridors,
///     and the summary against the no-policy baseline at every year), the baseline's tables, and
///     the seconds the run took.
/// A response is {"ok": true, ...} or {"ok": false, "error": the messages, as hwfsim prints them}.
class workshop_session {
 public:
  /// Answers one request; never throws (an error becomes the response).
  std::string handle(std::string_view request);

 private:
  struct loaded {
    std::string yaml;  ///< the saved scenario file that was run
    std::shared_ptr<const model::scenario_description> scenario;
    std::shared_ptr<const model::compiled_model> model;
    model::run_output run;
  };
  const model::scenario_description& given(const std::string& scenario);
  loaded run(const workshop_settings& settings);
  const loaded& baseline(const std::string& scenario);

  std::map<std::string, std::shared_ptr<const model::scenario_description>> given_;
  std::map<std::string, loaded> baselines_;
};

}  // namespace hwf::app
