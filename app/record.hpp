#pragma once
// The record of a finished run (run.json's entry for it) and the report page of a results folder.

#include <cstddef>
#include <filesystem>
#include <string>
#include <vector>

#include "app/run_notes.hpp"
#include "models/workforce/compiled_model.hpp"
#include "models/workforce/description.hpp"
#include "outputs/run_record.hpp"

namespace hwf::app {

/// The record of `run` of scenario `s` compiled to `m`, which took `wall_seconds`: inputs with
/// their SHA-256, model, countries, cadres, horizon, solver and its statistics, warnings, notes.
/// Its `files` are left for the study to fill.
out::run_record make_record(const model::scenario_description& s, const model::compiled_model& m,
                            const model::run_output& run, double wall_seconds);

/// Writes report.html from the results folder `dir`, with the model's reference densities;
/// returns its size in bytes. Throws out::output_error.
std::size_t write_report(const std::filesystem::path& dir);

/// `hwfsim report`: rebuilds report.html in `dir`. A folder with run.json is locked and must be
/// one complete run's (out::verify_results_folder). Returns the page's size in bytes.
std::size_t rebuild_report(const std::filesystem::path& dir);

}  // namespace hwf::app
