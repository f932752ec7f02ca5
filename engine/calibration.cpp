#include "engine/calibration.hpp"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <limits>

#include <ceres/ceres.h>
#include <fmt/format.h>
#include <tbb/global_control.h>
#include <tbb/parallel_for.h>
#include <Eigen/Dense>

#include "engine/diagnostics.hpp"
#include "engine/random.hpp"

namespace hwf::engine {

namespace {

constexpr double not_a_number = std::numeric_limits<double>::quiet_NaN();

/// The optimiser works on each parameter in units of its range, `u = theta / (upper - lower)`,
/// so that its steps, its parameter tolerance and the identification test below treat a
/// parameter in the thousands and one in hundredths alike. (A fit on theta itself stops early where
/// parameters of such different sizes meet: the step's norm relative to the whole vector's is then
/// set by the largest ones.)
double range_of(const fit_parameter& q) {
  return q.upper - q.lower;
}

std::vector<double> to_units(const std::vector<fit_parameter>& p, std::vector<double> theta) {
  for (std::size_t i = 0; i < p.size(); ++i) theta[i] /= range_of(p[i]);
  return theta;
}

std::vector<double> from_units(const std::vector<fit_parameter>& p, std::vector<double> u) {
  for (std::size_t i = 0; i < p.size(); ++i) u[i] *= range_of(p[i]);
  return u;
}

/// The residuals Ceres sees, at parameters in units of their range: the observations' (from
/// the model) and one per prior.
class fit_cost {
 public:
  fit_cost(const std::vector<fit_parameter>& p, std::size_t observations,
           const residual_function& f, std::atomic<std::size_t>& evaluations)
      : p_(p), observations_(observations), f_(f), evaluations_(evaluations) {}

  bool operator()(double const* const* parameters, double* residuals) const {
    const auto theta = from_units(p_, {parameters[0], parameters[0] + p_.size()});
    ++evaluations_;
    if (!f_(theta, std::span<double>(residuals, observations_))) return false;
    std::size_t r = observations_;
    for (std::size_t i = 0; i < p_.size(); ++i) {
      if (!p_[i].prior) continue;
      const auto& q = *p_[i].prior;
      if (q.lognormal && !(theta[i] > 0)) return false;
      residuals[r++] = q.lognormal ? (std::log(theta[i]) - std::log(q.centre)) / q.sigma
                                   : (theta[i] - q.centre) / q.sigma;
    }
    for (std::size_t i = 0; i < r; ++i)
      if (!std::isfinite(residuals[i])) return false;
    return true;
  }

 private:
  const std::vector<fit_parameter>& p_;
  std::size_t observations_;
  const residual_function& f_;
  std::atomic<std::size_t>& evaluations_;
};

std::size_t prior_count(const std::vector<fit_parameter>& p) {
  return static_cast<std::size_t>(std::count_if(
      p.begin(), p.end(), [](const fit_parameter& q) { return q.prior.has_value(); }));
}

/// The cost function of one start: central differences of whole runs.
ceres::CostFunction* make_cost(const std::vector<fit_parameter>& p, std::size_t observations,
                               const residual_function& f, const fit_settings& s,
                               std::atomic<std::size_t>& evaluations) {
  ceres::NumericDiffOptions diff;
  diff.relative_step_size = s.relative_step;
  auto* cost = new ceres::DynamicNumericDiffCostFunction<fit_cost, ceres::CENTRAL>(
      new fit_cost(p, observations, f, evaluations), ceres::TAKE_OWNERSHIP, diff);
  cost->AddParameterBlock(static_cast<int>(p.size()));
  cost->SetNumResiduals(static_cast<int>(observations + prior_count(p)));
  return cost;
}

/// Tells settings.progress of each iteration of start `start`, and stops it on settings.cancel.
class iteration_watch : public ceres::IterationCallback {
 public:
  iteration_watch(const fit_settings& s, std::size_t start) : s_(s), start_(start) {}
  ceres::CallbackReturnType operator()(const ceres::IterationSummary& i) override {
    if (s_.progress) s_.progress({start_, i.iteration, i.cost, false, false});
    return s_.cancel && s_.cancel->load() ? ceres::SOLVER_ABORT : ceres::SOLVER_CONTINUE;
  }

 private:
  const fit_settings& s_;
  std::size_t start_;
};

fit_start solve_from(const std::vector<fit_parameter>& p, std::size_t observations,
                     const residual_function& f, const fit_settings& s, std::size_t start,
                     const std::vector<double>& from, std::atomic<std::size_t>& evaluations) {
  fit_start out;
  out.from = from;
  auto u = to_units(p, from);
  ceres::Problem problem;
  problem.AddResidualBlock(make_cost(p, observations, f, s, evaluations), nullptr, u.data());
  for (std::size_t i = 0; i < p.size(); ++i) {
    problem.SetParameterLowerBound(u.data(), static_cast<int>(i), p[i].lower / range_of(p[i]));
    problem.SetParameterUpperBound(u.data(), static_cast<int>(i), p[i].upper / range_of(p[i]));
  }
  ceres::Solver::Options options;
  options.linear_solver_type = ceres::DENSE_QR;
  options.max_num_iterations = s.max_iterations;
  options.function_tolerance = s.function_tolerance;
  options.parameter_tolerance = s.parameter_tolerance;
  options.num_threads = 1;
  options.logging_type = ceres::SILENT;
  options.minimizer_progress_to_stdout = false;
  iteration_watch watch(s, start);
  options.callbacks.push_back(&watch);
  ceres::Solver::Summary summary;
  ceres::Solve(options, &problem, &summary);
  // Back in the parameters' own units, each within its bounds (the product can round past one).
  out.estimate = from_units(p, u);
  for (std::size_t i = 0; i < p.size(); ++i)
    out.estimate[i] = std::clamp(out.estimate[i], p[i].lower, p[i].upper);
  out.cost = summary.final_cost;
  out.iterations = static_cast<int>(summary.iterations.size()) - 1;
  out.converged = summary.termination_type == ceres::CONVERGENCE;
  out.message = summary.message;
  if (!summary.IsSolutionUsable()) out.cost = std::numeric_limits<double>::infinity();
  if (s.progress) s.progress({start, out.iterations, out.cost, true, out.converged});
  return out;
}

/// Jacobian of all residuals (observations and priors) at theta, with respect to the parameters
/// in units of their range, by the same central differences the fit used.
bool jacobian_at(const std::vector<fit_parameter>& p, std::size_t observations,
                 const residual_function& f, const fit_settings& s,
                 const std::vector<double>& theta, Eigen::MatrixXd& jacobian,
                 std::atomic<std::size_t>& evaluations) {
  auto u = to_units(p, theta);
  ceres::Problem problem;
  problem.AddResidualBlock(make_cost(p, observations, f, s, evaluations), nullptr, u.data());
  ceres::CRSMatrix crs;
  double cost = 0;
  if (!problem.Evaluate(ceres::Problem::EvaluateOptions(), &cost, nullptr, nullptr, &crs))
    return false;
  jacobian = Eigen::MatrixXd::Zero(crs.num_rows, crs.num_cols);
  for (int r = 0; r < crs.num_rows; ++r)
    for (int k = crs.rows[r]; k < crs.rows[r + 1]; ++k) jacobian(r, crs.cols[k]) = crs.values[k];
  return true;
}

}  // namespace

double fit_result::standard_error(std::size_t i) const {
  const std::size_t n = estimate.size();
  return std::sqrt(covariance[i * n + i]);
}

double fit_result::correlation(std::size_t i, std::size_t j) const {
  const std::size_t n = estimate.size();
  return covariance[i * n + j] / std::sqrt(covariance[i * n + i] * covariance[j * n + j]);
}

std::vector<std::vector<double>> fit_starting_points(const std::vector<fit_parameter>& p,
                                                     const fit_settings& s) {
  std::vector<std::vector<double>> out;
  std::vector<double> first;
  for (const auto& q : p) first.push_back(q.start);
  out.push_back(std::move(first));
  for (std::size_t k = 1; k < s.starts; ++k) {
    std::vector<double> x;
    for (std::size_t i = 0; i < p.size(); ++i) {
      const auto& q = p[i];
      // A prior's draws outside the bounds are drawn again (the next draw index); after 64,
      // a uniform draw within the bounds.
      double v = not_a_number;
      if (q.prior) {
        const auto d = q.prior->lognormal ? distribution::lognormal(q.prior->centre, q.prior->sigma)
                                          : distribution::normal(q.prior->centre, q.prior->sigma);
        for (std::uint64_t draw = 0; draw < 64 && !(v >= q.lower && v <= q.upper); ++draw)
          v = d.quantile(uniform01(s.seed, rng_stream::fit_start, i, k, draw));
      }
      if (!(v >= q.lower && v <= q.upper))
        v = q.lower + (q.upper - q.lower) * uniform01(s.seed, rng_stream::fit_start, i, k, 64);
      x.push_back(v);
    }
    out.push_back(std::move(x));
  }
  return out;
}

fit_result least_squares_fit(const std::vector<fit_parameter>& p, std::size_t observations,
                             const residual_function& f, const fit_settings& s, bool scaled) {
  for (const auto& q : p) {
    if (!(q.lower < q.upper))  // the solver works in units of upper - lower
      throw internal_error(fmt::format("fit bounds of {} are empty", q.label));
    if (!(q.lower <= q.start && q.start <= q.upper))
      throw internal_error(fmt::format("fit start of {} outside its bounds", q.label));
  }
  const std::size_t n = p.size();
  fit_result out;
  out.observations = observations;
  const auto points = fit_starting_points(p, s);
  out.starts.resize(points.size());
  std::atomic<std::size_t> evaluations{0};
  {
    std::optional<tbb::global_control> limit;
    if (s.threads > 0) limit.emplace(tbb::global_control::max_allowed_parallelism, s.threads);
    tbb::parallel_for(std::size_t{0}, points.size(), [&](std::size_t k) {
      out.starts[k] = solve_from(p, observations, f, s, k, points[k], evaluations);
    });
  }
  if (s.cancel && s.cancel->load()) throw fit_cancelled("the fit was interrupted");
  for (std::size_t k = 1; k < out.starts.size(); ++k)
    if (out.starts[k].cost < out.starts[out.best].cost) out.best = k;
  const auto& best = out.starts[out.best];
  out.estimate = best.estimate;
  out.cost = best.cost;
  out.converged = best.converged && std::isfinite(best.cost);

  // At the estimate: the Jacobian (in units of each parameter's range), which parameters the
  // data leave free (a near-null direction of J), and the covariance (J^T J)^-1 over the
  // others, scaled by the residual variance when the residuals carry no standard error, then
  // brought back to the parameters' units.
  out.covariance.assign(n * n, not_a_number);
  out.identified.assign(n, false);
  out.at_bound.assign(n, false);
  out.weak.assign(n, false);
  out.influence.assign(n, 0.0);
  for (std::size_t i = 0; i < n; ++i) {
    const double tolerance = 1e-6 * (p[i].upper - p[i].lower);
    out.at_bound[i] =
        out.estimate[i] - p[i].lower <= tolerance || p[i].upper - out.estimate[i] <= tolerance;
  }
  Eigen::MatrixXd jacobian;
  if (!std::isfinite(out.cost) ||
      !jacobian_at(p, observations, f, s, out.estimate, jacobian, evaluations)) {
    out.evaluations = evaluations.load();
    return out;
  }
  for (std::size_t i = 0; i < n; ++i) out.influence[i] = jacobian.col(static_cast<int>(i)).norm();
  // Singular directions: a singular value below 1e-8 of the largest; the parameters with a
  // weight above 0.1 in such a direction are not identified.
  const Eigen::JacobiSVD<Eigen::MatrixXd> svd(jacobian, Eigen::ComputeFullV);
  const auto& sv = svd.singularValues();
  const double largest = sv.size() ? sv(0) : 0.0;
  std::fill(out.identified.begin(), out.identified.end(), largest > 0);
  for (int k = 0; k < static_cast<int>(n); ++k) {
    const double value = k < sv.size() ? sv(k) : 0.0;
    if (value > 1e-8 * largest) continue;
    for (std::size_t i = 0; i < n; ++i)
      if (std::abs(svd.matrixV()(static_cast<int>(i), k)) > 0.1) out.identified[i] = false;
  }
  std::vector<int> free;
  for (std::size_t i = 0; i < n; ++i)
    if (out.identified[i] && !out.at_bound[i]) free.push_back(static_cast<int>(i));
  const double dof = static_cast<double>(observations) - static_cast<double>(free.size());
  if (!scaled) {  // the observations' part of the cost, at the estimate
    double observed_cost = 0;
    std::vector<double> residuals(observations);
    if (f(out.estimate, residuals)) {
      for (double r : residuals) observed_cost += r * r;
      out.scale = dof > 0 ? std::sqrt(observed_cost / dof) : not_a_number;
    }
  }
  if (!free.empty()) {
    Eigen::MatrixXd j(jacobian.rows(), static_cast<int>(free.size()));
    for (std::size_t c = 0; c < free.size(); ++c)
      j.col(static_cast<int>(c)) = jacobian.col(free[c]);
    // The observations' information over their variance (scale^2), the priors' as given: a
    // prior's width does not shrink with the residual scale of the data.
    const int m = static_cast<int>(observations);
    const auto obs = j.topRows(m), priors = j.bottomRows(j.rows() - m);
    // A perfect fit (scale 0) pins every identified parameter: covariance 0.
    const Eigen::MatrixXd cov =
        out.scale == 0
            ? Eigen::MatrixXd::Zero(static_cast<int>(free.size()), static_cast<int>(free.size()))
            : Eigen::MatrixXd(
                  (obs.transpose() * obs / (out.scale * out.scale) + priors.transpose() * priors)
                      .inverse());
    for (std::size_t a = 0; a < free.size(); ++a)
      for (std::size_t b = 0; b < free.size(); ++b)
        out.covariance[static_cast<std::size_t>(free[a]) * n + static_cast<std::size_t>(free[b])] =
            cov(static_cast<int>(a), static_cast<int>(b)) * range_of(p[free[a]]) *
            range_of(p[free[b]]);
  }
  for (const int i : free)
    out.weak[static_cast<std::size_t>(i)] =
        2 * 1.96 * out.standard_error(static_cast<std::size_t>(i)) > range_of(p[i]);
  out.evaluations = evaluations.load();
  return out;
}

}  // namespace hwf::engine
