#include "engine/sensitivity.hpp"

#include <algorithm>
#include <bit>
#include <cmath>
#include <stdexcept>

#include <fmt/format.h>
#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>

#include "engine/diagnostics.hpp"
#include "engine/ensemble.hpp"
#include "engine/random.hpp"
#include "engine/tables.hpp"

namespace hwf::engine {

namespace {

/// The factor of each dimension; throws std::invalid_argument unless the factors partition
/// [0, dimensions) into non-empty sets.
std::vector<std::size_t> factor_of_dimensions(std::size_t dimensions,
                                              const std::vector<sensitivity_factor>& factors) {
  if (dimensions == 0) throw std::invalid_argument("a sensitivity design needs a dimension");
  if (factors.empty()) throw std::invalid_argument("a sensitivity design needs a factor");
  constexpr std::size_t none = static_cast<std::size_t>(-1);
  std::vector<std::size_t> owner(dimensions, none);
  for (std::size_t f = 0; f < factors.size(); ++f) {
    if (factors[f].dimensions.empty())
      throw std::invalid_argument(fmt::format("factor '{}' has no dimension", factors[f].label));
    for (const std::size_t d : factors[f].dimensions) {
      if (d >= dimensions)
        throw std::invalid_argument(
            fmt::format("factor '{}': dimension {} is out of range (the design has {})",
                        factors[f].label, d, dimensions));
      if (owner[d] != none)
        throw std::invalid_argument(fmt::format("dimension {} is in two factors: '{}' and '{}'", d,
                                                factors[owner[d]].label, factors[f].label));
      owner[d] = f;
    }
  }
  for (std::size_t d = 0; d < dimensions; ++d)
    if (owner[d] == none)
      throw std::invalid_argument(fmt::format("dimension {} is in no factor", d));
  return owner;
}

std::size_t checked_base_samples(std::size_t n, std::size_t factors) {
  if (!std::has_single_bit(n))
    throw std::invalid_argument(
        fmt::format("the base sample count must be a power of two (Sobol nets); {} is not", n));
  if (n <= factors)
    throw std::invalid_argument(fmt::format(
        "the base sample count ({}) must exceed the number of factors ({})", n, factors));
  return n;
}

std::size_t checked_dimensions(std::size_t d) {
  if (2 * d > sample_design::max_sobol_dimensions)
    throw std::invalid_argument(
        fmt::format("a Saltelli design takes at most {} dimensions (its Sobol points have two "
                    "per dimension); {} asked",
                    sample_design::max_sobol_dimensions / 2, d));
  return d;
}

/// Position of S_ij (i < j) among k factors' pairs, row by row.
std::size_t pair_position(std::size_t i, std::size_t j, std::size_t k) {
  return i * k - i * (i + 1) / 2 + (j - i - 1);
}

/// The indices estimated from a set of rows (the design's, or a bootstrap resample): S_i, then
/// ST_i, then S_ij, of one centred output `z` laid out as the design's runs.
class sobol_estimator {
 public:
  sobol_estimator(std::span<const double> z, std::size_t k, bool second_order)
      : z_(z),
        k_(k),
        m_(second_order ? 2 * k + 2 : k + 2),
        pairs_(second_order ? k * (k - 1) / 2 : 0),
        first_(k),
        total_(k),
        second_(pairs_) {}

  std::size_t size() const noexcept { return 2 * k_ + pairs_; }

  /// Writes size() indices into `out` and returns the output's variance over the rows' A and B
  /// values, 0 when these are all equal (every index then 0). Sums run in the order of `rows`.
  double estimate(std::span<const std::size_t> rows, std::span<double> out) {
    const double n = static_cast<double>(rows.size());
    double sum = 0;
    for (const std::size_t r : rows) sum += z_[r * m_] + z_[r * m_ + 1];
    const double mean = sum / (2 * n);
    double squares = 0;
    bool constant = true;
    const double first_value = z_[rows[0] * m_];
    std::fill(first_.begin(), first_.end(), 0.0);
    std::fill(total_.begin(), total_.end(), 0.0);
    std::fill(second_.begin(), second_.end(), 0.0);
    for (const std::size_t r : rows) {
      const double* row = &z_[r * m_];
      const double a = row[0], b = row[1];
      constant = constant && a == first_value && b == first_value;
      squares += (a - mean) * (a - mean) + (b - mean) * (b - mean);
      const double* ab = row + 2;
      for (std::size_t i = 0; i < k_; ++i) {
        first_[i] += b * (ab[i] - a);
        total_[i] += (a - ab[i]) * (a - ab[i]);
      }
      if (pairs_ == 0) continue;
      const double* ba = row + 2 + k_;
      std::size_t p = 0;
      for (std::size_t i = 0; i < k_; ++i)
        for (std::size_t j = i + 1; j < k_; ++j) second_[p++] += ba[i] * ab[j] - a * b;
    }
    if (constant || squares == 0) {  // squares == 0: differences so small that they underflow
      std::fill(out.begin(), out.end(), 0.0);
      return 0;
    }
    const double variance = squares / (2 * n);
    for (std::size_t i = 0; i < k_; ++i) {
      out[i] = first_[i] / n / variance;
      out[k_ + i] = total_[i] / (2 * n) / variance;
    }
    if (pairs_ == 0) return variance;
    std::size_t p = 0;
    for (std::size_t i = 0; i < k_; ++i)
      for (std::size_t j = i + 1; j < k_; ++j, ++p)
        out[2 * k_ + p] = second_[p] / n / variance - out[i] - out[j];
    return variance;
  }

 private:
  std::span<const double> z_;
  std::size_t k_, m_, pairs_;
  std::vector<double> first_, total_, second_;  ///< sums over rows
};

}  // namespace

saltelli_design::saltelli_design(std::size_t dimensions, std::vector<sensitivity_factor> factors,
                                 std::size_t base_samples, std::uint64_t seed, bool second_order)
    : dimensions_(checked_dimensions(dimensions)),
      factors_(std::move(factors)),
      base_samples_(checked_base_samples(base_samples, factors_.size())),
      second_order_(second_order),
      runs_per_row_(second_order ? 2 * factors_.size() + 2 : factors_.size() + 2),
      factor_of_(factor_of_dimensions(dimensions, factors_)),
      sobol_(sampling_method::sobol, seed, 2 * base_samples, 2 * dimensions) {}

std::size_t saltelli_design::run_index(matrix which, std::size_t row, std::size_t factor) const {
  const std::size_t k = factors_.size();
  if (row >= base_samples_ || ((which == matrix::a_b || which == matrix::b_a) && factor >= k) ||
      (which == matrix::b_a && !second_order_))
    throw internal_error("no such run in the Saltelli design");
  const std::size_t first = row * runs_per_row_;
  switch (which) {
    case matrix::a:
      return first;
    case matrix::b:
      return first + 1;
    case matrix::a_b:
      return first + 2 + factor;
    case matrix::b_a:
      return first + 2 + k + factor;
  }
  throw internal_error("unknown Saltelli matrix");
}

saltelli_design::role saltelli_design::role_of(std::size_t run) const {
  if (run >= runs()) throw internal_error("run beyond the Saltelli design");
  const std::size_t k = factors_.size();
  const std::size_t row = run / runs_per_row_, slot = run % runs_per_row_;
  if (slot == 0) return {matrix::a, row, 0};
  if (slot == 1) return {matrix::b, row, 0};
  if (slot < 2 + k) return {matrix::a_b, row, slot - 2};
  return {matrix::b_a, row, slot - 2 - k};
}

void saltelli_design::point(std::size_t run, std::vector<double>& out) const {
  const role r = role_of(run);
  // Sequence point N + row: sample_design's run i is point i + 1.
  std::vector<double> ab;
  sobol_.point(base_samples_ - 1 + r.row, ab);
  const std::span<const double> a(ab.data(), dimensions_), b(ab.data() + dimensions_, dimensions_);
  out.resize(dimensions_);
  for (std::size_t d = 0; d < dimensions_; ++d) {
    const bool in_factor = factor_of_[d] == r.factor;
    switch (r.which) {
      case matrix::a:
        out[d] = a[d];
        break;
      case matrix::b:
        out[d] = b[d];
        break;
      case matrix::a_b:
        out[d] = in_factor ? b[d] : a[d];
        break;
      case matrix::b_a:
        out[d] = in_factor ? a[d] : b[d];
        break;
    }
  }
}

const sensitivity_index& sobol_result::second(std::size_t i, std::size_t j) const {
  const std::size_t k = first_order.size();
  if (second_order.empty() || i == j || i >= k || j >= k)
    throw internal_error("no such second-order index");
  return second_order[pair_position(std::min(i, j), std::max(i, j), k)];
}

sobol_result sobol_indices(const saltelli_design& design, std::span<const double> y,
                           std::size_t bootstrap_samples, std::uint64_t seed, double confidence,
                           std::size_t first_rows) {
  if (y.size() != design.runs())
    throw internal_error(fmt::format("Sobol indices need {} outputs (one per run), not {}",
                                     design.runs(), y.size()));
  if (!(confidence > 0 && confidence < 1))
    throw std::invalid_argument(
        fmt::format("the confidence level must lie in (0, 1); {} is not", confidence));
  for (std::size_t run = 0; run < y.size(); ++run)
    if (!std::isfinite(y[run]))
      throw std::invalid_argument(
          fmt::format("the output of run {} is not finite ({})", run, y[run]));
  if (first_rows > design.base_samples())
    throw internal_error(fmt::format("Sobol indices of {} rows asked of a design of {}", first_rows,
                                     design.base_samples()));
  const std::size_t n = first_rows == 0 ? design.base_samples() : first_rows,
                    k = design.factors().size(), m = design.runs_per_row();

  sobol_result out;
  out.bootstrap_samples = bootstrap_samples;
  out.confidence = confidence;
  double sum = 0;
  for (std::size_t r = 0; r < n; ++r) sum += y[r * m] + y[r * m + 1];
  out.mean = sum / static_cast<double>(2 * n);
  std::vector<double> z(y.size());
  for (std::size_t run = 0; run < y.size(); ++run) z[run] = y[run] - out.mean;

  sobol_estimator whole(z, k, design.second_order());
  const std::size_t count = whole.size();
  std::vector<std::size_t> rows(n);
  for (std::size_t r = 0; r < n; ++r) rows[r] = r;
  std::vector<double> value(count);
  out.variance = whole.estimate(rows, value);
  out.constant_output = out.variance == 0;

  // Replicate-major: replicate b's indices at [b count, (b + 1) count).
  std::vector<double> replicates(bootstrap_samples * count);
  tbb::parallel_for(tbb::blocked_range<std::size_t>(0, bootstrap_samples, 4),
                    [&](const tbb::blocked_range<std::size_t>& range) {
                      sobol_estimator estimator(z, k, design.second_order());
                      std::vector<std::size_t> resample(n);
                      for (std::size_t b = range.begin(); b < range.end(); ++b) {
                        // N is a power of two, so u N scales exactly and its floor is an unbiased
                        // row < N.
                        for (std::size_t i = 0; i < n; ++i)
                          resample[i] = static_cast<std::size_t>(
                              uniform01(seed, rng_stream::sensitivity_bootstrap, 0, b, i) *
                              static_cast<double>(n));
                        estimator.estimate(resample,
                                           std::span<double>(&replicates[b * count], count));
                      }
                    });

  const double lower_level = (1 - confidence) / 2, upper_level = (1 + confidence) / 2;
  std::vector<double> sorted(bootstrap_samples);
  auto index = [&](std::size_t position) {
    sensitivity_index s{value[position], not_defined, not_defined};
    if (bootstrap_samples == 0) return s;
    for (std::size_t b = 0; b < bootstrap_samples; ++b)
      sorted[b] = replicates[b * count + position];
    std::sort(sorted.begin(), sorted.end());
    s.low = quantile_sorted(sorted, lower_level);
    s.high = quantile_sorted(sorted, upper_level);
    return s;
  };
  for (std::size_t i = 0; i < k; ++i) out.first_order.push_back(index(i));
  for (std::size_t i = 0; i < k; ++i) out.total.push_back(index(k + i));
  for (std::size_t p = 2 * k; p < count; ++p) out.second_order.push_back(index(p));
  return out;
}

morris_design::morris_design(std::size_t dimensions, std::vector<sensitivity_factor> factors,
                             std::size_t trajectories, std::size_t levels, std::uint64_t seed)
    : dimensions_(dimensions),
      factors_(std::move(factors)),
      trajectories_(trajectories),
      levels_(levels),
      seed_(seed) {
  factor_of_dimensions(dimensions_, factors_);
  if (levels < 2 || levels % 2 != 0)
    throw std::invalid_argument(
        fmt::format("Morris levels must be an even number of at least 2; {} is not", levels));
  if (trajectories < 2)
    throw std::invalid_argument(fmt::format(
        "Morris needs at least 2 trajectories (sigma needs two); {} asked", trajectories));
  delta_ = static_cast<double>(levels / 2) / static_cast<double>(levels - 1);
}

void morris_design::trajectory(std::size_t t, std::vector<std::size_t>& start,
                               std::vector<step>& moves) const {
  if (t >= trajectories_) throw internal_error("trajectory beyond the Morris design");
  const std::size_t k = factors_.size(), half = levels_ / 2;
  // floor(u x) of a u in (0, 1) may round up to x: clamp.
  auto pick = [&](std::uint64_t purpose, std::size_t index, std::size_t count) {
    const double u = uniform01(seed_, rng_stream::morris, purpose, t, index);
    return std::min(static_cast<std::size_t>(u * static_cast<double>(count)), count - 1);
  };
  std::vector<std::size_t> order(k);
  for (std::size_t i = 0; i < k; ++i) order[i] = i;
  for (std::size_t i = k; i > 1; --i) std::swap(order[i - 1], order[pick(2, i - 1, i)]);
  moves.resize(k);
  for (std::size_t s = 0; s < k; ++s) {
    const std::size_t f = order[s];
    moves[s] = {f, pick(1, f, 2) == 0 ? delta_ : -delta_};
  }
  // Base levels 0 .. p/2 - 1, so that base + delta (p/2 levels up) stays on the grid; a factor
  // that steps down starts at its base plus delta.
  start.resize(dimensions_);
  for (std::size_t d = 0; d < dimensions_; ++d) start[d] = pick(0, d, half);
  for (const step& m : moves)
    if (m.change < 0)
      for (const std::size_t d : factors_[m.factor].dimensions) start[d] += half;
}

std::vector<morris_design::step> morris_design::steps(std::size_t t) const {
  std::vector<std::size_t> start;
  std::vector<step> moves;
  trajectory(t, start, moves);
  return moves;
}

void morris_design::point(std::size_t run, std::vector<double>& out) const {
  const std::size_t k = factors_.size(), half = levels_ / 2;
  if (run >= runs()) throw internal_error("run beyond the Morris design");
  std::vector<std::size_t> level;
  std::vector<step> moves;
  trajectory(run / (k + 1), level, moves);
  for (std::size_t s = 0; s < run % (k + 1); ++s)
    for (const std::size_t d : factors_[moves[s].factor].dimensions)
      level[d] = moves[s].change > 0 ? level[d] + half : level[d] - half;
  // Level over p - 1, not base + delta in floating point: every value is the grid's own.
  out.resize(dimensions_);
  for (std::size_t d = 0; d < dimensions_; ++d)
    out[d] = static_cast<double>(level[d]) / static_cast<double>(levels_ - 1);
}

std::vector<morris_effect> morris_effects(const morris_design& design, std::span<const double> y) {
  if (y.size() != design.runs())
    throw internal_error(fmt::format("Morris effects need {} outputs (one per run), not {}",
                                     design.runs(), y.size()));
  for (std::size_t run = 0; run < y.size(); ++run)
    if (!std::isfinite(y[run]))
      throw std::invalid_argument(
          fmt::format("the output of run {} is not finite ({})", run, y[run]));
  const std::size_t k = design.factors().size(), r = design.trajectories();
  std::vector<double> effect(r * k);  // trajectory-major
  for (std::size_t t = 0; t < r; ++t) {
    const auto moves = design.steps(t);
    const std::size_t first = t * (k + 1);
    for (std::size_t s = 0; s < k; ++s)
      effect[t * k + moves[s].factor] = (y[first + s + 1] - y[first + s]) / moves[s].change;
  }
  std::vector<morris_effect> out(k);
  const double count = static_cast<double>(r);
  for (std::size_t i = 0; i < k; ++i) {
    double sum = 0, sum_abs = 0;
    for (std::size_t t = 0; t < r; ++t) {
      sum += effect[t * k + i];
      sum_abs += std::abs(effect[t * k + i]);
    }
    out[i].mu = sum / count;
    out[i].mu_star = sum_abs / count;
    double squares = 0;
    for (std::size_t t = 0; t < r; ++t)
      squares += (effect[t * k + i] - out[i].mu) * (effect[t * k + i] - out[i].mu);
    out[i].sigma = std::sqrt(squares / (count - 1));
  }
  return out;
}

}  // namespace hwf::engine
