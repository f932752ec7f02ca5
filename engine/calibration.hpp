#pragma once
// Fitting parameters to observations: bounded nonlinear least squares (Ceres Solver) over a
// black-box residual function, from several deterministic starts, with priors as penalties
// (a maximum a posteriori fit), the covariance of the estimates and the parameters the data do
// not identify. It knows nothing of the model whose runs give the residuals.

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

#include "engine/distributions.hpp"

namespace hwf::engine {

/// A prior on a fitted parameter: normal (centre = mean) or lognormal (centre = median, sigma
/// on the log scale). It adds the residual (theta - centre) / sigma, or
/// (log theta - log centre) / sigma, to the fit.
struct fit_prior {
  bool lognormal = false;
  double centre = 0, sigma = 1;
};

struct fit_parameter {
  std::string label;  ///< for messages and tables (a parameter path)
  double start = 0;   ///< the first start: the value in force before the fit
  double lower = 0, upper = 0;
  std::optional<fit_prior> prior;
};

/// Where one start of a fit has got to: after each of its iterations (the first: at its
/// starting point, iteration 0), and once more when it ends (`done`).
struct fit_iteration {
  std::size_t start = 0;  ///< from 0, in start order
  int iteration = 0;
  double cost = 0;  ///< half the sum of squared residuals, priors included
  bool done = false, converged = false;
};

/// A fit stopped by fit_settings::cancel: nothing of it is usable.
class fit_cancelled : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct fit_settings {
  std::size_t starts = 4;  ///< the first from `start`, the others drawn (prior, else uniform)
  std::uint64_t seed = 1;
  int max_iterations = 100;
  double function_tolerance = 1e-10;
  double parameter_tolerance = 1e-10;
  /// Central differences of whole runs, on each parameter in units of its range (upper - lower):
  /// step = relative_step * |theta|, or relative_step * (upper - lower) at theta = 0.
  double relative_step = 1e-5;
  std::size_t threads = 0;  ///< 0: as many as TBB has; the result does not depend on it
  /// Told of each start's iterations, from the start's thread: calls from different starts may
  /// come at once. It cannot change the result.
  std::function<void(const fit_iteration&)> progress;
  /// Set (by a signal handler, say) to stop: each start stops after its current iteration, and
  /// least_squares_fit throws fit_cancelled.
  const std::atomic<bool>* cancel = nullptr;
};

/// The residuals of the observations (without the priors') at theta; false when the model
/// cannot be evaluated there (the step is rejected).
using residual_function = std::function<bool(std::span<const double> theta, std::span<double>)>;

struct fit_start {
  std::vector<double> from, estimate;
  double cost = 0;  ///< half the sum of squared residuals, priors included
  int iterations = 0;
  bool converged = false;
  std::string message;  ///< the solver's account of how it stopped
};

struct fit_result {
  std::vector<fit_start> starts;  ///< in start order
  std::size_t best = 0;           ///< the start with the least cost (the first of equal ones)
  std::vector<double> estimate;   ///< the best start's
  double cost = 0;
  bool converged = false;
  std::size_t observations = 0;  ///< residuals of observations (priors not counted)
  std::size_t evaluations = 0;   ///< residual-function calls over every start
  /// The residual scale: sqrt(2 cost_obs / (observations - free parameters)) when the
  /// observations carry no standard error (the covariance is scaled by its square), else 1.
  double scale = 1;
  /// Covariance of the estimates (row-major, n x n); NaN rows and columns for parameters not
  /// identified or on a bound.
  std::vector<double> covariance;
  std::vector<bool> identified;  ///< false: the data and priors leave it (nearly) free
  std::vector<bool> at_bound;    ///< the estimate sits on a bound (within 1e-6 of its width)
  /// Identified and inside its bounds, but with a 95% interval (estimate +- 1.96 standard
  /// errors) wider than its bounds: the bounds hold it more than the data do.
  std::vector<bool> weak;
  /// How strongly each parameter moved the residuals at the estimate, per width of its range
  /// (the norm of the Jacobian's column in those units): for messages about a fit that does
  /// not converge.
  std::vector<double> influence;

  double standard_error(std::size_t i) const;
  double correlation(std::size_t i, std::size_t j) const;
};

/// Fits `parameters` to `observations` residuals of `f`. Each start runs on one thread; starts
/// run in parallel; the result is the same for any thread count. Throws fit_cancelled when
/// settings.cancel is set before it ends. `scaled`: the residuals are
/// already divided by their standard errors (else the covariance is scaled by the residual
/// variance).
fit_result least_squares_fit(const std::vector<fit_parameter>& parameters, std::size_t observations,
                             const residual_function& f, const fit_settings& settings,
                             bool scaled = false);

/// The starting points of the fit (exposed for tests): the given start, then `starts - 1` draws
/// from each parameter's prior (within its bounds) or uniform within its bounds.
std::vector<std::vector<double>> fit_starting_points(const std::vector<fit_parameter>& parameters,
                                                     const fit_settings& settings);

}  // namespace hwf::engine
