#pragma once
// Helpers shared by the tests: paths into the source tree and scratch files.

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "models/workforce/compiled_model.hpp"
#include "models/workforce/description.hpp"

namespace hwf::test {

/// A path inside the source tree.
std::filesystem::path source_path(const std::string& relative);

/// A fresh, empty scratch folder for one test (removed when the process exits normally).
std::filesystem::path scratch_folder(const std::string& name);

/// Writes `content` to `folder/name` and returns the path.
std::filesystem::path write_file(const std::filesystem::path& folder, const std::string& name,
                                 const std::string& content);

/// Loads back what `hwfsim show` wrote of a scenario (`shown`, model::resolved_yaml), saved as
/// again.yaml in `folder` (the scenario's own, so that its relative paths read the same).
model::scenario_description load_shown(const std::string& shown,
                                       const std::filesystem::path& folder);

/// A fresh folder holding tests/data/good/model.yaml as model.yaml and `scenario_text` as
/// s.yaml; returns the scenario's path.
std::filesystem::path scenario_on_good_model(const std::string& folder,
                                             const std::string& scenario_text);

/// Loads, compiles and runs a scenario with its default parameters.
/// Loads and runs a scenario. The model is gone when this returns; the result's tables keep
/// their values and their schemas.
model::run_output run_scenario(const std::filesystem::path& scenario);

/// The indicator value for (country, cadre, indicator) at output row `row`.
double indicator(const model::compiled_model& m, const model::run_output& r, std::size_t row,
                 const std::string& country, const std::string& cadre, const std::string& name);

/// A model dataset run under a scenario written for it over 2020 to `end`.
struct model_run {
  model::scenario_description scenario;
  std::unique_ptr<model::compiled_model> model;
  model::run_output out;

  /// Indicator `name` of (country, cadre) in `year`.
  double at(int year, const std::string& country, const std::string& name,
            const std::string& cadre = "nurses") const;
  /// Whether the indicators table has a series (country, cadre, name).
  bool has(const std::string& country, const std::string& cadre, const std::string& name) const;
};

/// Writes `model_text` as model.yaml and a scenario on it (horizon 2020 to `end`, dopri5 at tight
/// tolerances, then the lines `extra`) into a fresh folder `folder`; loads, compiles and runs it
/// with its default parameters.
model_run run_model(const std::string& folder, const std::string& model_text, int end = 2035,
                    const std::string& extra = "");
/// The same from `start` to `end` with the solver block `solver`, e.g. "{method: rk4, step: 1/4}".
model_run run_from(const std::string& folder, const std::string& model_text, int start, int end,
                   const std::string& solver, const std::string& extra = "");
/// The same over 2020-2035 with the solver block `solver`.
model_run run_solved(const std::string& folder, const std::string& model_text,
                     const std::string& solver, const std::string& extra = "");

/// A one-country, one-cadre model whose W(t) has a closed form (docs/model.md).
std::string analytic_model_yaml();
/// One country AAA, one cadre (nurses: 3 years, 3 stages, completion 0.8; workforce 1000, entry
/// rate 1, need 40 per 10,000, no pull); `nurses` is the rest of its entry (seats, exit_rate,
/// ...), each line indented by 8 spaces.
std::string one_country_yaml(const std::string& nurses);
/// A scenario for the analytic model with the given solver block, e.g. "{method: rk4, step: 1/4}".
std::string analytic_scenario_yaml(const std::string& solver);

}  // namespace hwf::test
