#pragma once
// Ensembles of independent runs in parallel (oneTBB), with per-cell statistics that do not
// depend on the thread count: every run writes its own slots, and statistics are computed
// afterwards in run order.

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

namespace hwf::engine {

/// A run that failed (its index and why).
struct run_failure {
  std::size_t run;
  std::string message;
};

/// Runs failed and the ensemble was not allowed to skip them.
class ensemble_error : public std::runtime_error {
 public:
  ensemble_error(std::string message, std::vector<run_failure> failures)
      : std::runtime_error(std::move(message)), failures_(std::move(failures)) {}
  const std::vector<run_failure>& failures() const noexcept { return failures_; }

 private:
  std::vector<run_failure> failures_;
};

/// The ensemble would need more memory than allowed; the message says how much and what to do.
class memory_limit_error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct ensemble_options {
  std::size_t runs = 0;
  /// Runs per task: scheduling only (results do not depend on it). Small, so that threads finish
  /// together: a run takes milliseconds, a task costs microseconds.
  std::size_t chunk_runs = 2;
  /// Cap on the stored values: exact quantiles need runs x cells x 8 bytes; above the cap, the
  /// ensemble keeps a quantile sketch per cell instead (and refuses if even those do not fit).
  std::size_t memory_bytes = 1u << 30;
  bool skip_failed = false;   ///< exclude failed runs instead of stopping
  bool force_sketch = false;  ///< sketch quantiles even when exact values would fit
  /// Called from worker threads after each chunk with the number of runs done so far.
  std::function<void(std::size_t)> progress;
  /// Receives every successful run's values, in run order, while the ensemble goes (after each
  /// block of runs) or at its end; for saving per-run results.
  std::function<void(std::size_t run, std::span<const double> values)> run_sink;
  /// When set to true (e.g. by a signal handler), remaining runs are skipped and the ensemble
  /// throws ensemble_error("cancelled").
  const std::atomic<bool>* cancel = nullptr;
};

/// Statistics of each cell over the successful runs. Exact when every value fits the memory
/// limit (quantiles interpolate linearly between order statistics: Hyndman & Fan type 7, as R
/// and NumPy by default); otherwise quantiles come from a KLL sketch per cell (rank error below
/// quantile_sketch::rank_error_bound with 99% probability) and mean and sd are still exact.
struct cell_statistics {
  bool exact = true;
  static constexpr double levels[5] = {0.05, 0.25, 0.50, 0.75, 0.95};
  std::size_t runs = 0;  ///< successful runs
  std::vector<double> mean, sd;
  std::vector<double> quantiles;  ///< cells x 5 (p05, p25, p50, p75, p95)
  std::vector<run_failure> skipped;
};

/// Computes `cells` values for one run into `out`; throws any std::exception to fail the run.
using run_function = std::function<void(std::size_t run, std::span<double> out)>;

/// Runs every run (in parallel) and returns per-cell statistics, identical for any thread count.
/// NaN cells (values not defined) give NaN statistics. Throws memory_limit_error before running
/// when even the sketches would not fit, ensemble_error when runs fail (listing up to 10) and
/// skipping is not allowed.
cell_statistics run_ensemble(std::size_t cells, const ensemble_options& options,
                             const run_function& run_one);

/// Quantile of sorted values at level p (type 7).
double quantile_sorted(std::span<const double> sorted, double p);

/// Reusable buffers of exact_quantiles.
struct quantile_scratch {
  std::vector<std::uint32_t> bucket;
  std::vector<std::size_t> start, fill;
  std::vector<unsigned char> wanted;
  std::vector<double> sorted;
};

/// Type-7 quantiles of `values` (no NaN; smallest `low`, largest `high`) at each of `levels`,
/// into `out`: exactly quantile_sorted of the sorted values, in linear time on average. The
/// values are bucketed by value and only the buckets holding the wanted ranks are sorted.
void exact_quantiles(std::span<const double> values, double low, double high,
                     std::span<const double> levels, std::span<double> out,
                     quantile_scratch& scratch);

}  // namespace hwf::engine
