#pragma once
// `hwfsim calibrate`: fits a scenario's chosen parameters to observed series (its `calibration`
// block) and judges the fit on hold-out years against naive forecasts; fit.csv,
// parameters.csv, correlations.csv, holdout.csv, calibrated.yaml and run.json.

#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "app/compare_study.hpp"
#include "app/results_folder.hpp"
#include "app/study.hpp"
#include "engine/calibration.hpp"
#include "models/workforce/calibration.hpp"
#include "models/workforce/compiled_model.hpp"
#include "outputs/run_record.hpp"

namespace hwf::app {

struct calibrate_options {
  std::string scenario;  ///< scenario YAML file with a `calibration` block
  std::string output;    ///< results folder; empty: results/<scenario name>-calibrated
  bool force = false;
  /// Also write uncertainty.yaml: the estimates' covariance as a multivariate-normal group.
  bool emit_uncertainty = false;
  /// Also write the hold-out page (holdout.md) to this file, atomically, replacing it: how
  /// docs/validation.md is made. Empty: only in the results folder.
  std::string report_page;
  /// Published projections to set the `compare` scenarios against (projections.csv, and a
  /// section of the hold-out page): how docs/validation.md holds the baseline against them.
  /// Both or neither.
  std::string published;
  std::vector<std::string> compare;  ///< scenario files, the baseline first
  std::size_t threads = 0;           ///< 0: every core; the results do not depend on it
  reporting report;
  /// Makes the fit's progress callback for its number of starts (engine::fit_settings::progress);
  /// none: no progress.
  std::function<std::function<void(const engine::fit_iteration&)>(std::size_t starts)> progress;
  /// Set (by a signal handler, say) to stop the fit: nothing is written (engine::fit_cancelled).
  const std::atomic<bool>* cancel = nullptr;
};

class calibrate_results {
 public:
  void write(results_folder& folder) const;
  /// What the command prints: the fit, the estimates, the hold-out errors.
  std::string text() const;
  /// A fit that did not converge: why, with the cost and the parameters that moved least.
  std::vector<std::string> notes() const;
  bool converged() const noexcept { return fit_.converged; }
  const engine::fit_result& fit() const noexcept { return fit_; }
  const model::calibration_problem& problem() const noexcept { return problem_; }
  /// The model's value at each point before and after the fit.
  const std::vector<double>& start_values() const noexcept { return start_values_; }
  const std::vector<double>& fitted_values() const noexcept { return fitted_values_; }
  const std::vector<model::holdout_row>& holdout() const noexcept { return holdout_; }

  std::string fit_csv() const;
  std::string parameters_csv() const;
  std::string correlations_csv() const;
  std::string holdout_csv() const;
  /// holdout.md: the hold-out goal, errors by horizon against the naive forecasts, the
  /// scenarios set against published projections (with --published), every held-out value and
  /// the estimates (out::holdout_markdown).
  std::string holdout_md() const;
  std::string calibrated_yaml() const;
  /// uncertainty.yaml: a scenario extending calibrated.yaml whose `uncertainty` draws the
  /// estimates with a standard error from a multivariate normal (the estimates, their standard
  /// errors and correlations, the fit's bounds); empty when no estimate has a standard error.
  std::string uncertainty_yaml() const;
  /// run.json: the fit's summary and the calibrated run's record.
  std::string run_json() const;
  const out::calibration_summary& summary() const noexcept { return summary_; }

 private:
  friend class calibrate_study;
  std::shared_ptr<const model::scenario_description> scenario_;
  std::shared_ptr<const model::compiled_model> model_;
  model::calibration_problem problem_;
  engine::fit_result fit_;
  std::vector<double> start_values_, fitted_values_;
  std::vector<model::holdout_row> holdout_;
  std::filesystem::path folder_, scenario_path_;
  bool emit_uncertainty_ = false;
  std::string uncertainty_;  ///< uncertainty_yaml() when asked for (--emit-uncertainty)
  std::string report_page_, command_;
  out::run_record record_;
  out::calibration_summary summary_;
  std::optional<out::projections_page> projections_;  ///< with --published
};

class calibrate_study {
 public:
  /// Loads and compiles the scenario (it must have a `calibration` block) and builds the
  /// problem: the observed file against its model, the fitted parameters. With --published,
  /// also loads and compiles the compared scenarios and the published projections.
  explicit calibrate_study(calibrate_options options);
  /// The results folder: options.output, or results/<scenario name>-calibrated.
  std::filesystem::path output_folder() const;
  /// Fits, then runs the model before and after for the tables, and the compared scenarios.
  calibrate_results execute() const;

 private:
  calibrate_options options_;
  std::chrono::steady_clock::time_point started_;
  std::shared_ptr<const model::scenario_description> scenario_;
  std::shared_ptr<const model::compiled_model> model_;
  model::calibration_problem problem_;
  std::vector<compared_run> compared_;  ///< with --published, not yet run
  std::optional<model::published_data> published_;
};

/// The whole of `calibrate`: builds the study (its inputs checked), checks its results folder,
/// fits and writes; a fit that does not converge is said through options.report (its results
/// are written all the same).
struct calibrate_outcome {
  std::string text;  ///< what the command prints
  bool converged = false;
};
calibrate_outcome calibrate_and_write(const calibrate_options& options);

}  // namespace hwf::app
