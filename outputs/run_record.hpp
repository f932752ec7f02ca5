#pragma once
// run.json: what produced a results folder (version, commit, inputs and their hashes, solver)
// and what the run reported (wall time, steps, mass-balance residual).

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "engine/indicator_info.hpp"
#include "engine/solver.hpp"

namespace hwf::out {

/// A country of the model, as the report names it.
struct country_record {
  std::string iso3;
  std::string name;
  bool safeguards_list = false;  ///< on the WHO Health Workforce Support and Safeguards List
  /// A rest-of-world entry: a destination of corridors only, with no rows of its own
  /// (written to run.json only when true).
  bool rest_of_world = false;
};

/// A cadre of the model, as the report names it.
struct cadre_record {
  std::string id;
  bool sdg_core = false;  ///< counted in the SDG density (doctors, nurses, midwives)
};

struct run_record {
  std::string scenario;
  std::string description;
  std::string version;
  std::string commit;
  std::vector<std::pair<std::string, std::string>> inputs;  ///< (file, sha256)
  std::string model_name, model_description;
  std::vector<country_record> countries;  ///< in dataset order
  std::vector<cadre_record> cadres;       ///< in dataset order
  /// The model's indicators (its registry), for the report's labels, units and number formats.
  std::vector<engine::indicator_info> indicators;
  int start_year = 0, end_year = 0;
  int output_interval_years = 1;
  engine::solver_settings solver;
  engine::solve_stats stats;
  double wall_seconds = 0;
  double mass_balance_residual = 0;
  std::vector<std::string> files;  ///< result files written beside run.json
  /// Warnings about the inputs (a policy that never acts), as printed: file:line:col, path, why.
  std::vector<std::string> warnings;
  /// Notes about the run (a quota or cap that never binds).
  std::vector<std::string> notes;
};

/// Pretty-printed JSON text (2-space indent, trailing newline).
std::string to_json(const run_record& r);

/// run.json of a Monte Carlo ensemble: the scenarios (baseline first), the design, how many runs
/// succeeded and which were skipped, the sampled dimensions, and the records of the scenarios'
/// deterministic runs (`records`, to_json() texts).
std::string monte_carlo_json(const std::vector<std::string>& scenarios, const std::string& sampling,
                             const std::string& quantile_method, std::uint64_t seed,
                             std::size_t samples, std::size_t successful,
                             const std::vector<std::size_t>& skipped_runs,
                             const std::vector<std::string>& dimensions,
                             const std::vector<std::string>& records);

/// What run.json says of a calibration (`hwfsim calibrate`, docs/calibration.md).
/// What a calibrated model must do on its hold-out years before its projections are quoted
/// (docs/calibration.md, "The hold-out goal"): at `horizon` years after the fit, beat
/// persistence in at least `beats_share` of the series, with a median absolute error below
/// `median_abs` percent and a median signed error within +-`median_signed` percent.
struct forecast_goal {
  int horizon = 4;
  double beats_share = 0.75;
  double median_abs = 8;
  double median_signed = 3;
  /// The two error tests, for any forecast's medians (percent of the observed value).
  bool abs_ok(double median_abs_error) const noexcept { return median_abs_error < median_abs; }
  bool signed_ok(double median_signed_error) const noexcept {
    return median_signed_error >= -median_signed && median_signed_error <= median_signed;
  }
};

struct calibration_summary {
  std::string observed_name, observed_file;
  int fit_from = 0, fit_to = 0;
  std::optional<std::pair<int, int>> holdout;  ///< hold-out years, inclusive
  std::size_t parameters = 0, observations = 0, starts = 0, best_start = 0;  ///< best: from 1
  std::size_t iterations = 0, runs = 0;
  double cost = 0;
  double residual_scale = 1;  ///< 1 where every series gave its standard error (`scaled`)
  bool scaled = false, converged = false;
  std::string message;             ///< the solver's account of how the best start stopped
  std::size_t holdout_values = 0;  ///< every hold-out value (holdout.csv's rows)
  /// Errors (percent of the observed value) of the hold-out values that both naive forecasts
  /// give (a series with two fit-year values or more): over all of them (horizon 0), then at
  /// each horizon.
  struct horizon_errors {
    int horizon = 0;
    std::size_t values = 0;
    double fitted = 0, persistence = 0, trend = 0;  ///< median absolute error
    /// Median signed error: above 0, the forecast runs high.
    double fitted_signed = 0, persistence_signed = 0, trend_signed = 0;
    /// Series with a value, and those of them where the calibrated model's mean absolute error
    /// is below persistence's (a tie does not count).
    std::size_t series = 0, beats_persistence = 0;
  };
  std::vector<horizon_errors> holdout_errors;
  /// The hold-out goal, judged at its horizon (forecast_goal); absent without a value there.
  struct goal_check {
    forecast_goal goal;
    horizon_errors at;  ///< the errors at the goal's horizon
    bool beats = false, abs_ok = false, signed_ok = false;
    bool met() const noexcept { return beats && abs_ok && signed_ok; }
  };
  std::optional<goal_check> goal;
};

/// run.json of a calibration: the summary (`calibration`) and the record of the calibrated run
/// (`calibrated_run`, a to_json() text).
std::string calibration_json(const calibration_summary& s, const std::string& record);

/// What run.json says of a sensitivity study (`hwfsim sensitivity`, docs/sensitivity.md).
struct sensitivity_summary {
  std::string method;  ///< "sobol" or "morris"
  std::uint64_t seed = 0;
  std::size_t runs = 0, inputs = 0, outputs = 0;
  std::vector<std::string> patterns;  ///< the output patterns, as given (or the default ones)
  // Sobol
  std::size_t base_samples = 0, bootstrap = 0;
  bool second_order = false;
  double confidence = 0;
  // Morris
  std::size_t trajectories = 0, levels = 0;
  double delta = 0, morris_tail = 0;
  double run_seconds = 0;  ///< wall time of the runs alone
};

/// run.json of a sensitivity study: the summary (`sensitivity`, with the estimators named) and
/// the record of the scenario's own run (`run`, a to_json() text).
std::string sensitivity_json(const sensitivity_summary& s, const std::string& record);

/// run.json of a comparison: the discount rate, the summary years and every run's record
/// (`records` are to_json() texts, baseline first).
std::string comparison_json(const std::vector<std::string>& records, double discount_rate,
                            const std::vector<int>& summary_years);

}  // namespace hwf::out
