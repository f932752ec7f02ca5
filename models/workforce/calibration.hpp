#pragma once
// Calibration of a scenario to observed series (`hwfsim calibrate`, docs/calibration.md): the
// scenario's `calibration` block, the observed points of the fit and hold-out years, the
// residuals of a run, and the naive forecasts the hold-out years are judged against.

#include <filesystem>
#include <span>
#include <string>
#include <vector>

#include "engine/calibration.hpp"
#include "engine/yaml_input.hpp"
#include "models/workforce/backcast.hpp"
#include "models/workforce/compiled_model.hpp"
#include "models/workforce/description.hpp"

namespace hwf::model {

/// Reads a scenario's `calibration` block into sd.calibration (relative paths from `folder`),
/// or the file it names (`calibration: file.yaml`, the block at its top, relative paths from
/// its folder), after its model, policies and `set:` (parameters are matched against every
/// path, and their values in force are the fit's first start). Reports problems into the
/// block's diagnostics.
void read_calibration(const engine::node_ref& n, const std::filesystem::path& folder,
                      scenario_description& sd);

/// One observed value the calibration compares with the model.
struct calibration_point {
  std::string country, destination, cadre;  ///< destination: a corridor's (else empty)
  /// What it counts: `practising` (compared with supply), `registered`, or a corridor's
  /// `emigration`, `returns` or `migrant_stock`.
  std::string measure;
  int year = 0;
  double observed = 0;
  double weight = 1;       ///< its residual is weight * log(model / observed)
  bool has_se = false;     ///< the weight is 1 / its standard error
  bool fitted = false;     ///< a fit year (else a hold-out year)
  std::size_t table = 0;   ///< 0: indicators, 1: corridors
  std::size_t series = 0;  ///< its place in that table
  std::size_t group = 0;   ///< its observed series (country, destination, cadre, measure)
  std::string note;
};

/// What a calibration fits: one engine parameter per matched parameter path (its bounds and
/// prior from its entry), and the observed points of the fit and hold-out years.
struct calibration_problem {
  std::vector<engine::fit_parameter> parameters;
  std::vector<std::size_t> targets;  ///< the parameter index of each fitted parameter
  std::vector<calibration_point> points;
  std::size_t fit_points = 0;  ///< points with `fitted` (they come first)
  /// Every fitted point has a standard error: the residuals are in standard errors, and the
  /// covariance is not scaled by the residual variance.
  bool scaled = false;
  observed_data observed;
  /// The fit years' values the observed file marks `fit: false` (on another basis than the
  /// start stock): in neither the fit nor the naive forecasts; listed on the hold-out page.
  std::vector<calibration_point> left_out;
};

/// Builds the problem: loads the observed file against the model (unknown countries, cadres and
/// corridors are errors), keeps the points of the fit and hold-out years, and checks that every
/// series of the fit has a model value. Throws engine::input_error.
calibration_problem make_problem(const scenario_description& sd, const compiled_model& m);

/// The residual of a fitted point: weight * log(model / observed).
double residual(const calibration_point& p, double model_value);

/// The model's value at every point for parameter vector `params`; false when the run fails.
bool model_values(const compiled_model& m, const calibration_problem& problem,
                  std::span<const double> params, std::vector<double>& values);

/// The run's parameter vector with `theta` put in the fitted parameters' places.
std::vector<double> with_estimates(const compiled_model& m, const calibration_problem& problem,
                                   std::span<const double> theta);

/// One hold-out point against the calibrated model and two naive forecasts made from the fit
/// years' observations of its series: persistence of the last observed value, and the
/// least-squares line through them (NaN with fewer than two).
struct holdout_row {
  std::size_t point;  ///< index into problem.points
  int horizon = 0;    ///< years after the series' last fitted observation
  double fitted = 0, persistence = 0, trend = 0;
};
std::vector<holdout_row> holdout_rows(const calibration_problem& problem,
                                      std::span<const double> fitted_values);

}  // namespace hwf::model
