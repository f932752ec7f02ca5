#pragma once
// `hwfsim backcast`: a scenario that starts in the past, run and compared with observed counts;
// backcast.csv, validation.md, validation.svg, indicators.csv and run.json.

#include <chrono>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "app/results_folder.hpp"
#include "app/study.hpp"
#include "engine/tables.hpp"
#include "models/workforce/backcast.hpp"
#include "models/workforce/compiled_model.hpp"
#include "outputs/run_record.hpp"
#include "outputs/validation_report.hpp"

namespace hwf::app {

struct backcast_options {
  std::string scenario;  ///< scenario YAML file, starting in a past year
  std::string observed;  ///< observed-data YAML file
  std::string output;    ///< results folder; empty: results/<scenario name>-backcast
  bool force = false;
  std::string report;  ///< also write the Markdown report here (validation.svg beside it)
};

/// A back-cast: the run, the observed values it was compared with, the report's text.
class backcast_results {
 public:
  /// Writes the folder's files; then, when asked for, the report and its chart beside it (over
  /// an older version: the report is asked for by name).
  void write(results_folder& folder) const;
  /// What the command prints.
  std::string text() const;
  const std::vector<engine::observation_match>& matches() const noexcept { return matches_; }

 private:
  friend class backcast_study;
  std::string scenario_name_, report_;
  std::filesystem::path folder_;
  std::shared_ptr<const model::compiled_model> model_;
  model::run_output run_;
  std::vector<engine::observation_match> matches_;
  out::validation_info info_;
  out::run_record record_;
};

class backcast_study {
 public:
  /// Loads and compiles the scenario, and loads the observed data against its model.
  explicit backcast_study(backcast_options options);
  /// The results folder: options.output, or results/<scenario name>-backcast.
  std::filesystem::path output_folder() const;
  /// Runs the scenario and matches the observed values; engine::input_error when none falls
  /// within the horizon.
  backcast_results execute() const;

 private:
  backcast_options options_;
  std::chrono::steady_clock::time_point started_;
  std::shared_ptr<const model::scenario_description> scenario_;
  std::shared_ptr<const model::compiled_model> model_;
  model::observed_data observed_;
};

}  // namespace hwf::app
