#include "engine/distributions.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <stdexcept>

#include <boost/math/distributions/beta.hpp>
#include <boost/math/distributions/gamma.hpp>
#include <boost/math/distributions/lognormal.hpp>
#include <boost/math/distributions/normal.hpp>
#include <boost/math/distributions/triangular.hpp>
#include <boost/math/distributions/uniform.hpp>

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
      const bm::normal_distribution<double> n(p[0], p[1]);
      const double lo = bm::cdf(n, p[2]), hi = bm::cdf(n, p[3]);
      return std::clamp(bm::quantile(n, lo + u * (hi - lo)), p[2], p[3]);
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

}  // namespace hwf::engine
