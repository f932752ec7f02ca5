#pragma once
// Notes on a finished run, for the console, run.json and the workshop page.

#include <string>
#include <vector>

#include "models/workforce/compiled_model.hpp"

namespace hwf::app {

/// Notes on a finished run: agreement quotas and emigration caps that never lowered a flow, each
/// formatted as a diagnostic note (file:line:col of the limit).
std::vector<std::string> run_notes(const model::compiled_model& m, const model::run_output& run);

}  // namespace hwf::app
