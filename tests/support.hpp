#pragma once
// Helpers shared by the tests: paths into the source tree and scratch files.

#include <filesystem>
#include <string>
#include <vector>

#include "models/workforce/compiled_model.hpp"

namespace hwf::test {

/// A path inside the source tree.
std::filesystem::path source_path(const std::string& relative);

/// A fresh, empty scratch folder for one test (removed when the process exits normally).
std::filesystem::path scratch_folder(const std::string& name);

/// Writes `content` to `folder/name` and returns the path.
std::filesystem::path write_file(const std::filesystem::path& folder, const std::string& name,
                                 const std::string& content);

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

/// A one-country, one-cadre model whose W(t) has a closed form (docs/model.md).
std::string analytic_model_yaml();
/// A scenario for the analytic model with the given solver block, e.g. "{method: rk4, step: 1/4}".
std::string analytic_scenario_yaml(const std::string& solver);

}  // namespace hwf::test
