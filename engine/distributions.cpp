#include "engine/distributions.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <stdexcept>

#include <Eigen/Cholesky>
#include <Eigen/Core>
#include <boost/math/distributions/beta.hpp>
#include <boost/math/distributions/gamma.hpp>
#include <boost/math/distributions/lognormal.hpp>
#include <boost/math/distributions/normal.hpp>
#include <boost/math/distributions/triangular.hpp>
#include <boost/math/distributions/uniform.hpp>
#include <boost/math/special_functions/erf.hpp>

#include "engine/diagnostics.hpp"

namespace hwf::engine {

namespace bm = boost::math;

std::string_view to_string(distribution_kind k) {
  static const char* names[] = {"uniform",   "triangular", "pert",  "normal",  "truncated_normal",
                                "lognormal", "beta",       "gamma", "discrete"};
  return names[static_cast<int>(k)];
}

std::vector<std::string> distribution_names() {
  std::vector<std::string> out;
  for (int k = 0; k <= static_cast<int>(distribution_kind::discrete); ++k)
    out.emplace_back(to_string(static_cast<distribution_kind>(k)));
  return out;
}

namespace {
// Validation happens in the loader (with positions); these guard the library's own use.
void require(bool ok, const char* what) {
  if (!ok) throw internal_error(std::string("invalid distribution: ") + what);
}
}  // namespace

distribution distribution::uniform(double min, double max) {
  require(min < max, "uniform needs min < max");
  distribution d;
  d.kind_ = distribution_kind::uniform;
  d.p_[0] = min;
  d.p_[1] = max;
  return d;
}

distribution distribution::triangular(double min, double mode, double max) {
  require(min <= mode && mode <= max && min < max, "triangular needs min <= mode <= max");
  distribution d;
  d.kind_ = distribution_kind::triangular;
  d.p_[0] = min;
  d.p_[1] = mode;
  d.p_[2] = max;
  return d;
}

distribution distribution::pert(double min, double mode, double max) {
  require(min <= mode && mode <= max && min < max, "pert needs min <= mode <= max");
  distribution d;
  d.kind_ = distribution_kind::pert;
  d.p_[0] = min;
  d.p_[1] = mode;
  d.p_[2] = max;
  return d;
}

distribution distribution::normal(double mean, double sd) {
  require(sd > 0, "normal needs sd > 0");
  distribution d;
  d.kind_ = distribution_kind::normal;
  d.p_[0] = mean;
  d.p_[1] = sd;
  return d;
}

distribution distribution::truncated_normal(double mean, double sd, double min, double max) {
  require(sd > 0 && min < max, "truncated normal needs sd > 0 and min < max");
  distribution d;
  d.kind_ = distribution_kind::truncated_normal;
  d.p_[0] = mean;
  d.p_[1] = sd;
  d.p_[2] = min;
  d.p_[3] = max;
  return d;
}

distribution distribution::lognormal(double median, double sigma) {
  require(median > 0 && sigma > 0, "lognormal needs median > 0 and sigma > 0");
  distribution d;
  d.kind_ = distribution_kind::lognormal;
  d.p_[0] = median;
  d.p_[1] = sigma;
  return d;
}

distribution distribution::beta(double alpha, double beta, double min, double max) {
  require(alpha > 0 && beta > 0 && min < max, "beta needs alpha, beta > 0 and min < max");
  distribution d;
  d.kind_ = distribution_kind::beta;
  d.p_[0] = alpha;
  d.p_[1] = beta;
  d.p_[2] = min;
  d.p_[3] = max;
  return d;
}

distribution distribution::gamma(double shape, double scale) {
  require(shape > 0 && scale > 0, "gamma needs shape > 0 and scale > 0");
  distribution d;
  d.kind_ = distribution_kind::gamma;
  d.p_[0] = shape;
  d.p_[1] = scale;
  return d;
}

distribution distribution::discrete(std::vector<double> values, std::vector<double> weights) {
  require(!values.empty() && values.size() == weights.size(), "discrete needs values and weights");
  double total = 0;
  for (double w : weights) {
    require(w >= 0, "discrete weights must be >= 0");
    total += w;
  }
  require(total > 0, "discrete weights must not all be 0");
  distribution d;
  d.kind_ = distribution_kind::discrete;
  d.values_ = std::move(values);
  double run = 0;
  for (double w : weights) d.cumulative_.push_back(run += w / total);
  d.cumulative_.back() = 1.0;
  return d;
}

namespace {

constexpr double sqrt2 = 1.4142135623730951;

/// exp(x^2) * erfc(x) for x >= 0, without the underflow of erfc alone (asymptotic beyond 25,
/// where six terms are exact to double precision).
double erfcx(double x) {
  if (x < 25) return std::exp(x * x) * std::erfc(x);
  const double z = 1 / (2 * x * x);
  double term = 1, sum = 1;
  for (int n = 1; n <= 6; ++n) {
    term *= -(2 * n - 1) * z;
    sum += term;
  }
  return sum / (x * 1.7724538509055160);  // sqrt(pi)
}

/// Mills ratio Q(x) / phi(x) of the standard normal, x >= 0.
double mills(double x) {
  return 1.2533141373155003 * erfcx(x / sqrt2);  // sqrt(pi / 2)
}

/// Quantile u of the standard normal truncated to [a, b] with 0 <= a < b (b may be infinite),
/// exact in both tails: works with Q(x) / phi(a), which neither underflows nor loses its
/// digits to cancellation when Q(a) and Q(b) are both tiny or nearly equal.
double upper_window_quantile(double a, double b, double u) {
  const double w = b - a;
  const double drop = std::isinf(b) ? HUGE_VAL : 0.5 * w * (a + b);  // log phi(a) - log phi(b)
  if (drop < 1e-7) {
    // The density exp(-a y - y^2 / 2) on y in [0, w] is exp(-a y) to 1e-7: invert that.
    const double aw = a * w;
    const double y = aw < 1e-12 ? u * w : -std::log1p(u * std::expm1(-aw)) / a;
    return std::min(a + y, b);
  }
  const double ma = mills(a);
  const double tail_b = std::isinf(b) ? 0.0 : mills(b) * std::exp(-drop);  // Q(b) / phi(a)
  const double mass = ma - tail_b;
  // Q(x) / phi(a) at the quantile, from whichever end keeps its digits.
  const double target = u <= 0.5 ? ma - u * mass : tail_b + (1 - u) * mass;
  // Solve g(x) = Q(x) / phi(a) - target = 0; g falls, with g' = -phi(x) / phi(a). Newton inside
  // a bisection bracket (Q(a + 40) / Q(a) < exp(-800), so the root lies below a + 40).
  double lo = a, hi = std::min(b, a + 40);
  double x = std::clamp(a + (a > 0 ? -std::log1p(-u) / a : u), lo, hi);
  for (int iter = 0; iter < 200; ++iter) {
    const double e = std::exp(-0.5 * (x - a) * (x + a));
    const double g = mills(x) * e - target;
    if (g > 0)
      lo = x;
    else
      hi = x;
    double next = e > 0 ? x + g / e : 0.5 * (lo + hi);
    if (!(next > lo && next < hi)) next = 0.5 * (lo + hi);
    if (std::abs(next - x) <= 4e-16 * std::abs(x) || hi - lo <= 4e-16 * std::abs(hi)) {
      x = next;
      break;
    }
    x = next;
  }
  return std::clamp(x, a, b);
}

/// Quantile u of the standard normal truncated to [a, b], a < b, robust far in either tail and
/// for a window much narrower than the sd.
double truncated_standard_quantile(double a, double b, double u) {
  if (b <= 0) return -truncated_standard_quantile(-b, -a, 1 - u);  // mirror a lower window
  if (a >= 0) return upper_window_quantile(a, b, u);
  // The window holds the mean: erf keeps its digits near 0 (narrow windows), erfc in the tails.
  const double ea = std::erf(a / sqrt2), eb = std::erf(b / sqrt2);
  const double v = ea + u * (eb - ea);  // erf of the quantile
  double x;
  if (std::abs(v) <= 0.5) {
    x = sqrt2 * bm::erf_inv(v);
  } else if (v > 0) {
    const double c = std::erfc(b / sqrt2) + (1 - u) * (eb - ea);  // 1 - v, with its digits
    x = c <= 0 ? b : sqrt2 * bm::erfc_inv(c);
  } else {
    const double c = std::erfc(-a / sqrt2) + u * (eb - ea);  // 1 + v
    x = c <= 0 ? a : -sqrt2 * bm::erfc_inv(c);
  }
  return std::clamp(x, a, b);
}

struct pert_shape {
  double alpha, beta;
};
pert_shape pert_of(const double* p) {
  const double range = p[2] - p[0];
  return {1 + 4 * (p[1] - p[0]) / range, 1 + 4 * (p[2] - p[1]) / range};
}
}  // namespace

double distribution::quantile(double u) const {
  const double* p = p_;
  switch (kind_) {
    case distribution_kind::uniform:
      return p[0] + u * (p[1] - p[0]);
    case distribution_kind::triangular:
      return bm::quantile(bm::triangular_distribution<double>(p[0], p[1], p[2]), u);
    case distribution_kind::pert: {
      const auto s = pert_of(p);
      return p[0] + (p[2] - p[0]) * bm::quantile(bm::beta_distribution<double>(s.alpha, s.beta), u);
    }
    case distribution_kind::normal:
      return bm::quantile(bm::normal_distribution<double>(p[0], p[1]), u);
    case distribution_kind::truncated_normal: {
      // In units of sd from the mean; a window beyond the double range is all at its near end.
      const double a = (p[2] - p[0]) / p[1], b = (p[3] - p[0]) / p[1];
      if (a == HUGE_VAL) return p[2];
      if (b == -HUGE_VAL) return p[3];
      return std::clamp(p[0] + p[1] * truncated_standard_quantile(a, b, u), p[2], p[3]);
    }
    case distribution_kind::lognormal:
      return bm::quantile(bm::lognormal_distribution<double>(std::log(p[0]), p[1]), u);
    case distribution_kind::beta:
      return p[2] + (p[3] - p[2]) * bm::quantile(bm::beta_distribution<double>(p[0], p[1]), u);
    case distribution_kind::gamma:
      return bm::quantile(bm::gamma_distribution<double>(p[0], p[1]), u);
    case distribution_kind::discrete: {
      const auto it = std::lower_bound(cumulative_.begin(), cumulative_.end(), u);
      return values_[static_cast<std::size_t>(it - cumulative_.begin())];
    }
  }
  throw internal_error("unknown distribution");
}

bool distribution::bounded_below() const noexcept {
  return kind_ != distribution_kind::normal;
}

bool distribution::bounded_above() const noexcept {
  return kind_ != distribution_kind::normal && kind_ != distribution_kind::lognormal &&
         kind_ != distribution_kind::gamma;
}

double distribution::mean() const {
  const double* p = p_;
  switch (kind_) {
    case distribution_kind::uniform:
      return 0.5 * (p[0] + p[1]);
    case distribution_kind::triangular:
      return (p[0] + p[1] + p[2]) / 3;
    case distribution_kind::pert:
      return (p[0] + 4 * p[1] + p[2]) / 6;
    case distribution_kind::normal:
      return p[0];
    case distribution_kind::truncated_normal: {
      const bm::normal_distribution<double> s(0, 1);
      const double a = (p[2] - p[0]) / p[1], b = (p[3] - p[0]) / p[1];
      return p[0] + p[1] * (bm::pdf(s, a) - bm::pdf(s, b)) / (bm::cdf(s, b) - bm::cdf(s, a));
    }
    case distribution_kind::lognormal:
      return bm::mean(bm::lognormal_distribution<double>(std::log(p[0]), p[1]));
    case distribution_kind::beta:
      return p[2] + (p[3] - p[2]) * p[0] / (p[0] + p[1]);
    case distribution_kind::gamma:
      return p[0] * p[1];
    case distribution_kind::discrete: {
      double m = 0, prev = 0;
      for (std::size_t i = 0; i < values_.size(); ++i) {
        m += values_[i] * (cumulative_[i] - prev);
        prev = cumulative_[i];
      }
      return m;
    }
  }
  throw internal_error("unknown distribution");
}

double distribution::variance() const {
  const double* p = p_;
  switch (kind_) {
    case distribution_kind::uniform:
      return (p[1] - p[0]) * (p[1] - p[0]) / 12;
    case distribution_kind::triangular:
      return bm::variance(bm::triangular_distribution<double>(p[0], p[1], p[2]));
    case distribution_kind::pert: {
      const auto s = pert_of(p);
      return (p[2] - p[0]) * (p[2] - p[0]) *
             bm::variance(bm::beta_distribution<double>(s.alpha, s.beta));
    }
    case distribution_kind::normal:
      return p[1] * p[1];
    case distribution_kind::truncated_normal: {
      const bm::normal_distribution<double> s(0, 1);
      const double a = (p[2] - p[0]) / p[1], b = (p[3] - p[0]) / p[1];
      const double z = bm::cdf(s, b) - bm::cdf(s, a);
      const double t1 = (a * bm::pdf(s, a) - b * bm::pdf(s, b)) / z;
      const double t2 = (bm::pdf(s, a) - bm::pdf(s, b)) / z;
      return p[1] * p[1] * (1 + t1 - t2 * t2);
    }
    case distribution_kind::lognormal:
      return bm::variance(bm::lognormal_distribution<double>(std::log(p[0]), p[1]));
    case distribution_kind::beta:
      return (p[3] - p[2]) * (p[3] - p[2]) *
             bm::variance(bm::beta_distribution<double>(p[0], p[1]));
    case distribution_kind::gamma:
      return p[0] * p[1] * p[1];
    case distribution_kind::discrete: {
      const double m = mean();
      double v = 0, prev = 0;
      for (std::size_t i = 0; i < values_.size(); ++i) {
        v += (values_[i] - m) * (values_[i] - m) * (cumulative_[i] - prev);
        prev = cumulative_[i];
      }
      return v;
    }
  }
  throw internal_error("unknown distribution");
}

std::vector<double> distribution::weights() const {
  std::vector<double> out;
  double previous = 0;
  for (double c : cumulative_) {
    out.push_back(c - previous);
    previous = c;
  }
  return out;
}

std::optional<multivariate_normal> multivariate_normal::make(std::vector<double> mean,
                                                             std::vector<double> sd,
                                                             const std::vector<double>& correlation,
                                                             std::vector<double> lower,
                                                             std::vector<double> upper) {
  const auto n = static_cast<Eigen::Index>(mean.size());
  const Eigen::Map<const Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>> c(
      correlation.data(), n, n);
  const Eigen::LLT<Eigen::MatrixXd> llt(c);
  if (llt.info() != Eigen::Success) return std::nullopt;
  multivariate_normal out;
  const Eigen::MatrixXd l = llt.matrixL();
  out.cholesky_.assign(static_cast<std::size_t>(n * n), 0.0);
  for (Eigen::Index i = 0; i < n; ++i)
    for (Eigen::Index j = 0; j <= i; ++j)
      out.cholesky_[static_cast<std::size_t>(i * n + j)] = l(i, j);
  out.correlation_ = correlation;
  out.mean_ = std::move(mean);
  out.sd_ = std::move(sd);
  out.lower_ = std::move(lower);
  out.upper_ = std::move(upper);
  return out;
}

void multivariate_normal::draw(std::span<const double> uniforms, std::span<double> out) const {
  const std::size_t n = size();
  static const auto standard = distribution::normal(0, 1);
  std::vector<double> z(n);
  for (std::size_t i = 0; i < n; ++i) z[i] = standard.quantile(uniforms[i]);
  for (std::size_t i = 0; i < n; ++i) {
    double lz = 0;
    for (std::size_t j = 0; j <= i; ++j) lz += cholesky_[i * n + j] * z[j];
    out[i] = std::clamp(mean_[i] + sd_[i] * lz, lower_[i], upper_[i]);
  }
}

}  // namespace hwf::engine
