#pragma once
// Global sensitivity analysis in the unit hypercube: Saltelli designs with Sobol indices (first
// order, total, second order, bootstrap intervals) and Morris elementary effects. Inputs are
// factors, each one or more design dimensions varied together; mapping a dimension's uniform
// number to an input value is the caller's.

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "engine/sampling.hpp"

namespace hwf::engine {

/// One factor: a label (for messages) and the design dimensions it varies as one, e.g. a group
/// of inputs drawn together from a correlated distribution. In a design every dimension belongs
/// to exactly one factor.
struct sensitivity_factor {
  std::string label;
  std::vector<std::size_t> dimensions;
};

/// The Saltelli design of N base rows: matrices A and B (N x d) are the first and last d
/// coordinates of a 2d-dimensional Sobol sequence (a digital shift drawn from the seed, as
/// sample_design scrambles), taken from points N to 2N - 1 of the sequence: with N a power of
/// two these form a whole net, which points 1 to N (sample_design's first runs) do not. A_B^(i)
/// is A with factor i's dimensions taken from B; B_A^(i) is B with them taken from A.
///
/// Run order, row by row (row r occupies runs [r m, (r + 1) m), m = runs_per_row()):
/// A, B, A_B^(0), ..., A_B^(k-1) and, with second order, B_A^(0), ..., B_A^(k-1). A prefix of
/// whole rows is thus a complete smaller set of rows, and run_index() gives a run's place.
class saltelli_design {
 public:
  enum class matrix : unsigned char { a, b, a_b, b_a };
  /// What a run evaluates: a row of A or B, or of A_B^(factor) or B_A^(factor).
  struct role {
    matrix which = matrix::a;
    std::size_t row = 0;
    std::size_t factor = 0;  ///< for a_b and b_a only
  };

  /// `base_samples` is N. Throws std::invalid_argument (the caller reports it as bad input)
  /// when N is not a power of two or is at most the number of factors, when 2 x `dimensions`
  /// exceeds sample_design::max_sobol_dimensions, or when the factors are not a partition of
  /// [0, dimensions) into non-empty sets (a dimension in no factor or in two, or out of range).
  saltelli_design(std::size_t dimensions, std::vector<sensitivity_factor> factors,
                  std::size_t base_samples, std::uint64_t seed, bool second_order);

  std::size_t dimensions() const noexcept { return dimensions_; }
  const std::vector<sensitivity_factor>& factors() const noexcept { return factors_; }
  std::size_t base_samples() const noexcept { return base_samples_; }
  bool second_order() const noexcept { return second_order_; }
  /// k + 2 without second order, 2k + 2 with it (k factors).
  std::size_t runs_per_row() const noexcept { return runs_per_row_; }
  /// N (k + 2), or N (2k + 2) with second order.
  std::size_t runs() const noexcept { return base_samples_ * runs_per_row_; }

  /// The run that evaluates `row` of matrix `which` (`factor` for a_b and b_a).
  std::size_t run_index(matrix which, std::size_t row, std::size_t factor = 0) const;
  /// The inverse of run_index.
  role role_of(std::size_t run) const;

  /// Writes the run's d uniform numbers in (0, 1) into `out` (resized to dimensions()). A pure
  /// function of the construction's arguments and `run`: callable from any thread, in any order.
  /// Throws internal_error when run >= runs().
  void point(std::size_t run, std::vector<double>& out) const;

 private:
  std::size_t dimensions_;
  std::vector<sensitivity_factor> factors_;
  std::size_t base_samples_;
  bool second_order_;
  std::size_t runs_per_row_;
  std::vector<std::size_t> factor_of_;  ///< per dimension
  sample_design sobol_;                 ///< 2d dimensions: A's coordinates, then B's
};

/// An index with its bootstrap percentile interval [low, high] (not_defined, NaN, when no
/// bootstrap was asked for).
struct sensitivity_index {
  double value = 0;
  double low = 0, high = 0;
};

/// Sobol indices of one output, per factor in the design's order.
struct sobol_result {
  std::vector<sensitivity_index> first_order;  ///< S_i
  std::vector<sensitivity_index> total;        ///< ST_i
  /// S_ij for i < j in the order (0,1), (0,2), ..., (0,k-1), (1,2), ...; empty when the design
  /// has no second order. second(i, j) finds one.
  std::vector<sensitivity_index> second_order;
  double mean = 0, variance = 0;  ///< of the output over the A and B rows (variance over 2N)
  /// The output is the same in every A and B row: its variance is 0 and every index is reported
  /// as 0 (intervals too) instead of 0 / 0.
  bool constant_output = false;
  std::size_t bootstrap_samples = 0;
  double confidence = 0;

  /// S_ij (either order of i != j); throws internal_error without second order.
  const sensitivity_index& second(std::size_t i, std::size_t j) const;
};

/// Sobol indices from one output value per run of `design` (`y[run]`, in run order), each
/// divided by the output's variance V over the A and B rows together:
/// - first order, Saltelli et al. (2010): V_i = mean over rows of f_B (f_A_B^(i) - f_A);
/// - total, Jansen (1999): V_Ti = mean of (f_A - f_A_B^(i))^2 / 2;
/// - second order, Saltelli (2002): S_ij = mean(f_B_A^(i) f_A_B^(j) - f_A f_B) / V - S_i - S_j.
/// The output is first centred on its A-and-B mean: no estimator's expectation changes, and the
/// products no longer carry the mean's square, whose noise would swamp a small index.
///
/// Intervals: `bootstrap_samples` replicates, each resampling the N rows with replacement
/// (draws uniform01(seed, rng_stream::sensitivity_bootstrap, 0, replicate, draw)) and
/// estimating every index from them; the interval is the replicates' type-7 quantiles at
/// (1 - confidence) / 2 and (1 + confidence) / 2. Replicates run in parallel (oneTBB), each
/// writing its own slot, so results are bit-identical for any thread count. A replicate whose
/// resampled A and B values are all equal gives 0 for every index, as the whole output would.
/// Cost: bootstrap_samples x N x (k + k(k - 1)/2) operations.
///
/// Throws internal_error when y.size() != design.runs(); std::invalid_argument when a value is
/// not finite (naming the run) or `confidence` is not in (0, 1). bootstrap_samples may be 0.
///
/// With `first_rows` (0: all N), the indices of the design's first rows only (y still holds
/// every run): with a power of two these are a complete design of their own, so the estimates
/// as it grows show how the indices converge.
sobol_result sobol_indices(const saltelli_design& design, std::span<const double> y,
                           std::size_t bootstrap_samples, std::uint64_t seed, double confidence,
                           std::size_t first_rows = 0);

/// Morris (1991) trajectories on the p-level grid {0, 1/(p-1), ..., 1} of the unit cube, with
/// step delta = p / (2 (p - 1)). Trajectory t starts from a base point whose every coordinate
/// is a random grid level from 0 to 1 - delta, then moves one factor at a time, in a random
/// order, each by +delta or -delta (a random direction per factor; with -delta the factor
/// starts delta above its base level), so that after k steps every factor has moved once. A
/// factor with several dimensions moves them all together, in its one direction. The draws
/// are uniform01(seed, rng_stream::morris, purpose, t, index): purpose 0 the base level of
/// each dimension, 1 the direction of each factor, 2 the order (a Fisher-Yates shuffle).
///
/// Run order: trajectory t occupies runs [t (k + 1), (t + 1)(k + 1)), its points in the order
/// they are visited. Points include the cube's faces (0 and 1): a caller mapping them through
/// quantile functions must map those ends to finite values (a uniform range's bounds, say).
class morris_design {
 public:
  /// One move of a trajectory: the factor that moves and its change, +delta or -delta.
  struct step {
    std::size_t factor = 0;
    double change = 0;
  };

  /// Throws std::invalid_argument when `levels` is odd or below 2, when there are fewer than 2
  /// trajectories (sigma needs two), or when the factors are not a partition of
  /// [0, dimensions) into non-empty sets.
  morris_design(std::size_t dimensions, std::vector<sensitivity_factor> factors,
                std::size_t trajectories, std::size_t levels, std::uint64_t seed);

  std::size_t dimensions() const noexcept { return dimensions_; }
  const std::vector<sensitivity_factor>& factors() const noexcept { return factors_; }
  std::size_t trajectories() const noexcept { return trajectories_; }
  std::size_t levels() const noexcept { return levels_; }
  double delta() const noexcept { return delta_; }
  /// r (k + 1).
  std::size_t runs() const noexcept { return trajectories_ * (factors_.size() + 1); }

  /// The k steps of a trajectory, in order: run t (k + 1) + s + 1 is run t (k + 1) + s after
  /// steps(t)[s]. Throws internal_error when t >= trajectories().
  std::vector<step> steps(std::size_t trajectory) const;
  /// Writes the run's d grid values in [0, 1] into `out` (resized to dimensions()); a pure
  /// function of the construction's arguments and `run`. Throws internal_error when
  /// run >= runs().
  void point(std::size_t run, std::vector<double>& out) const;

 private:
  /// Per dimension, its grid level at the trajectory's start, and the trajectory's steps.
  void trajectory(std::size_t t, std::vector<std::size_t>& start, std::vector<step>& moves) const;

  std::size_t dimensions_;
  std::vector<sensitivity_factor> factors_;
  std::size_t trajectories_, levels_;
  std::uint64_t seed_;
  double delta_ = 0;
};

/// Elementary effects of one factor over a design's trajectories (Morris 1991; mu* from
/// Campolongo et al. 2007).
struct morris_effect {
  double mu = 0;       ///< mean elementary effect
  double mu_star = 0;  ///< mean absolute elementary effect
  double sigma = 0;    ///< standard deviation of the elementary effects (divisor r - 1)
};

/// Per factor, in the design's order, from one output value per run (`y[run]`). A factor's
/// elementary effect in a trajectory is EE = (f(x + delta e) - f(x)) / delta, e its dimensions'
/// unit step: (y after - y before) / change, whichever the step's direction, in unit-cube terms
/// (divided by a uniform input's range, it is per unit of that input). Throws internal_error
/// when y.size() != design.runs(), std::invalid_argument when a value is not finite (naming
/// the run).
std::vector<morris_effect> morris_effects(const morris_design& design, std::span<const double> y);

}  // namespace hwf::engine
