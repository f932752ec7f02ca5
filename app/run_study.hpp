#pragma once
// `hwfsim run`: one scenario with its default parameters; indicators.csv, corridors.csv,
// run.json and report.html.

#include <chrono>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "app/results_folder.hpp"
#include "app/study.hpp"
#include "models/workforce/compiled_model.hpp"
#include "models/workforce/description.hpp"
#include "outputs/run_record.hpp"

namespace hwf::app {

struct run_options {
  std::string scenario;  ///< scenario YAML file
  std::string output;    ///< results folder; empty: results/<scenario name>
  bool force = false;    ///< write into a folder that holds an older run's files
  bool xlsx = false;     ///< also write results.xlsx (app/workbook.hpp)
  model::extra_set set;  ///< `set:` entries beside the scenario's own (the Python module's)
  reporting report;
};

/// A finished run; owns its model, so its tables' schemas stay valid.
class run_results {
 public:
  run_results(std::shared_ptr<const model::scenario_description> scenario,
              std::shared_ptr<const model::compiled_model> model, model::run_output run,
              out::run_record record, std::filesystem::path folder, bool xlsx = false);

  /// Writes the tables the scenario's `output` block asks for, results.xlsx when asked, run.json
  /// and report.html.
  void write(results_folder& folder) const;
  /// What the command prints: the run's line, its files and the table of every country.
  std::string text() const;
  /// Notes on the run (limits that never bind), for standard error.
  const std::vector<std::string>& notes() const noexcept { return record_.notes; }
  const model::compiled_model& model() const noexcept { return *model_; }
  const model::run_output& run() const noexcept { return run_; }
  /// The tables that write() writes, as (file name, CSV text), without writing them.
  std::vector<std::pair<std::string, std::string>> tables() const;

 private:
  std::vector<std::string> table_names() const;

  std::shared_ptr<const model::scenario_description> scenario_;
  std::shared_ptr<const model::compiled_model> model_;
  model::run_output run_;
  out::run_record record_;
  std::filesystem::path folder_;
  bool xlsx_ = false;
};

class run_study {
 public:
  /// Loads and compiles the scenario; says its warnings (or throws them with `strict`).
  explicit run_study(run_options options);
  /// The results folder: options.output, or results/<scenario name>.
  std::filesystem::path output_folder() const;
  /// Runs the scenario. Throws engine::numerical_error when the run fails.
  run_results execute() const;

 private:
  run_options options_;
  std::chrono::steady_clock::time_point started_;
  std::shared_ptr<const model::scenario_description> scenario_;
  std::shared_ptr<const model::compiled_model> model_;
};

/// The table printed after a run: supply, density and shortage of every country, all cadres,
/// at the first and last output years.
std::string country_table(const model::compiled_model& m, const engine::run_result& r);

}  // namespace hwf::app
