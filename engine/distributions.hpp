#pragma once
// Probability distributions for uncertain parameters, sampled by their quantile function
// (Boost.Math), so that random, Latin-hypercube and Sobol designs all feed the same code.

#include <string>
#include <string_view>
#include <vector>

namespace hwf::engine {

enum class distribution_kind {
  uniform,           ///< min, max
  triangular,        ///< min, mode, max
  pert,              ///< min, mode, max (beta with shape 4: alpha = 1 + 4 (mode - min)/(max - min))
  normal,            ///< mean, sd
  truncated_normal,  ///< mean, sd, min, max
  lognormal,         ///< median (= exp(mu)), sigma
  beta,              ///< alpha, beta, scaled to [min, max] (default [0, 1])
  gamma,             ///< shape, scale
  discrete,          ///< values with weights
};

std::string_view to_string(distribution_kind k);
std::vector<std::string> distribution_names();

/// A validated distribution; construct through the factory functions.
class distribution {
 public:
  static distribution uniform(double min, double max);
  static distribution triangular(double min, double mode, double max);
  static distribution pert(double min, double mode, double max);
  static distribution normal(double mean, double sd);
  static distribution truncated_normal(double mean, double sd, double min, double max);
  static distribution lognormal(double median, double sigma);
  static distribution beta(double alpha, double beta, double min = 0, double max = 1);
  static distribution gamma(double shape, double scale);
  static distribution discrete(std::vector<double> values, std::vector<double> weights);

  distribution_kind kind() const noexcept { return kind_; }
  /// The value with probability `u` of being larger or equal; u in (0, 1).
  double quantile(double u) const;
  double mean() const;
  double variance() const;

 private:
  distribution_kind kind_{};
  double p_[4] = {0, 0, 0, 0};
  std::vector<double> values_, cumulative_;
};

}  // namespace hwf::engine
