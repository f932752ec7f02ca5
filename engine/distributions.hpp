#pragma once
// Probability distributions for uncertain parameters, sampled by their quantile function
// (Boost.Math), so that random, Latin-hypercube and Sobol designs all feed the same code.

#include <optional>
#include <span>
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
  /// Whether quantile(0) (bounded_below) and quantile(1) (bounded_above) are finite: a
  /// distribution's support ends there. Normal: neither; lognormal and gamma: below only.
  bool bounded_below() const noexcept;
  bool bounded_above() const noexcept;
  /// The numbers it was made from, in its factory's order (unused ones 0; none for discrete).
  std::span<const double, 4> numbers() const noexcept { return p_; }
  /// A discrete distribution's values and weights (the weights summing to 1).
  const std::vector<double>& values() const noexcept { return values_; }
  std::vector<double> weights() const;

 private:
  distribution_kind kind_{};
  double p_[4] = {0, 0, 0, 0};
  std::vector<double> values_, cumulative_;
};

/// A multivariate normal distribution: means, standard deviations and a correlation matrix,
/// each coordinate bounded. A draw takes one uniform number per coordinate: z_i = Phi^-1(u_i),
/// x = mean + sd * (L z) with L the Cholesky factor of the correlation (so x has that
/// covariance), then each x_i is clamped to [lower_i, upper_i].
class multivariate_normal {
 public:
  /// nullopt when `correlation` (row-major, n x n, symmetric with unit diagonal: the caller
  /// checks) is not positive definite.
  static std::optional<multivariate_normal> make(std::vector<double> mean, std::vector<double> sd,
                                                 const std::vector<double>& correlation,
                                                 std::vector<double> lower,
                                                 std::vector<double> upper);
  std::size_t size() const noexcept { return mean_.size(); }
  /// Fills `out` (size() values) from `uniforms` (size() numbers in (0, 1)).
  void draw(std::span<const double> uniforms, std::span<double> out) const;

  const std::vector<double>& mean() const noexcept { return mean_; }
  const std::vector<double>& sd() const noexcept { return sd_; }
  const std::vector<double>& lower() const noexcept { return lower_; }
  const std::vector<double>& upper() const noexcept { return upper_; }
  /// The correlation it was made from (row-major, n x n).
  const std::vector<double>& correlation() const noexcept { return correlation_; }

 private:
  std::vector<double> mean_, sd_, lower_, upper_, correlation_;
  std::vector<double> cholesky_;  ///< lower triangle, row-major
};

}  // namespace hwf::engine
