#pragma once
// Ensembles of independent runs in parallel (oneTBB), with per-cell statistics that do not
// depend on the thread count: every run writes its own slots, and statistics are computed
// afterwards in run order.

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "engine/diagnostics.hpp"
#include "engine/quantile_sketch.hpp"

namespace hwf::engine {

class byte_reader;

/// A run that failed (its index and why; the MPI rank that ran it, when there are ranks).
struct run_failure {
  std::size_t run;
  std::string message;
  int rank = -1;
};

/// Runs failed and the ensemble was not allowed to skip them, or the ensemble was cancelled.
/// Failed runs carry remedy::skip_failed (or skip_failed_needs_success when they were skipped
/// and none succeeded).
class ensemble_error : public std::runtime_error, public with_remedy {
 public:
  ensemble_error(std::string message, std::vector<run_failure> failures,
                 remedy what_to_do = remedy::none)
      : std::runtime_error(std::move(message)),
        with_remedy(what_to_do),
        failures_(std::move(failures)) {}
  const std::vector<run_failure>& failures() const noexcept { return failures_; }

 private:
  std::vector<run_failure> failures_;
};

/// The ensemble would need more memory than allowed; the message says how much, the remedy what
/// to do.
class memory_limit_error : public std::runtime_error, public with_remedy {
 public:
  memory_limit_error(const std::string& message, remedy what_to_do)
      : std::runtime_error(message), with_remedy(what_to_do) {}
};

/// With quantile sketches, the statistics of a block of runs (ensemble_options::sketch_block
/// runs, from a multiple of it): per cell, the count, mean and sum of squared deviations of the
/// defined values, whether a value was undefined (NaN), and a quantile sketch fed in run order.
/// The ensemble's statistics merge the blocks' in block order; a block's summary is computed where
/// its runs were (any thread, any MPI rank), so that only the summary travels.
class run_summary {
 public:
  run_summary() = default;
  /// An empty summary; its sketches' coins are keyed by `salt`: block b's summary takes b + 1,
  /// the ensemble's own 0, so that no two draw the same coins.
  run_summary(std::size_t cells, std::size_t salt);
  std::size_t cells() const noexcept { return count_.size(); }
  /// Adds `n` runs, run-major (n x cells), skipping runs whose `ok` is 0; each cell takes its
  /// values in run order, cells in parallel.
  void add(std::size_t n, std::span<const unsigned char> ok, std::span<const double> values);
  /// Adds what `later` holds (the runs that come after this summary's), cells in parallel.
  void merge(const run_summary& later);
  /// Condenses the sketches (quantile_sketch::condense), once the block is complete.
  void condense();
  void save(std::string& out) const;
  /// Throws corrupt_data when the bytes are not a summary of `cells` cells.
  static run_summary load(byte_reader& in, std::size_t cells);

 private:
  friend class ensemble_accumulator;
  std::vector<quantile_sketch> sketch_;
  std::vector<double> mean_, m2_;
  std::vector<std::uint64_t> count_;
  std::vector<unsigned char> undefined_;
};

/// The runs [first, last) of an ensemble, done: the unit of checkpoints and of work handed to
/// MPI ranks. Values are run-major ((run - first) x cells + cell); a failed run's row is NaN.
/// With exact quantiles a chunk holds its values; with sketches it holds its blocks' summaries,
/// and its values only when they are wanted (ensemble_options::keep_values).
struct chunk_view {
  std::size_t first = 0, last = 0;
  std::span<const unsigned char> ok;  ///< one flag per run
  std::span<const run_failure> failures;
  std::span<const double> values;
  std::span<const run_summary> summaries;
};

/// A chunk that owns its data (decoded from a checkpoint, received from a rank).
struct run_chunk {
  std::size_t first = 0, last = 0;
  std::vector<unsigned char> ok;
  std::vector<run_failure> failures;
  std::vector<double> values;  ///< empty when the values were written elsewhere (see below)
  std::vector<run_summary> summaries;
  chunk_view view() const { return {first, last, ok, failures, values, summaries}; }
  /// The chunk with values kept elsewhere (an exact ensemble's store, a reused buffer).
  chunk_view view(std::span<const double> elsewhere) const {
    return {first, last, ok, failures, elsewhere, summaries};
  }
};

/// Binary form of a chunk (with a checksum); decode_chunk throws corrupt_data when the bytes are
/// not a chunk of `cells` values per run (or of no values), or when the checksum does not match.
std::string encode_chunk(const chunk_view& chunk);
run_chunk decode_chunk(std::string_view bytes, std::size_t cells);

/// What an interrupted ensemble had done: the statistics' state over runs [0, state_runs) (may
/// be empty) and completed chunks beyond it, in any order.
struct ensemble_resume {
  std::string state;
  std::size_t state_runs = 0;
  std::vector<run_chunk> chunks;
};

struct ensemble_options {
  std::size_t runs = 0;
  /// Runs per task: scheduling only (results do not depend on it). Small, so that threads finish
  /// together: a run takes milliseconds, a task costs microseconds.
  std::size_t grain = 2;
  /// Runs per chunk: what a checkpoint saves at once and what an MPI rank takes at once; 0 chooses
  /// (resolve_chunk_runs). Results do not depend on it. With sketches, a multiple of sketch_block.
  std::size_t chunk_runs = 0;
  /// With sketches, runs per block summary (run_summary). Results depend on it (the sketched
  /// quantiles within their error, mean and sd in their last bits), so it is fixed: tests lower
  /// it to make many blocks.
  std::size_t sketch_block = 2048;
  /// With sketches, chunks keep their runs' values too (for run_sink). Set it on every MPI rank
  /// when rank 0 has a run_sink; in one process a run_sink implies it.
  bool keep_values = false;
  /// Cap on the stored values: exact quantiles need runs x cells x 8 bytes; above the cap, the
  /// ensemble keeps a quantile sketch per cell instead (and refuses if even those do not fit).
  std::size_t memory_bytes = 1u << 30;
  bool skip_failed = false;   ///< exclude failed runs instead of stopping
  bool force_sketch = false;  ///< sketch quantiles even when exact values would fit
  /// Called with the number of runs done so far (from any thread, or from MPI rank 0).
  std::function<void(std::size_t)> progress;
  /// Receives every successful run's values, in run order, while the ensemble goes (after each
  /// block of runs) or at its end; for saving per-run results.
  std::function<void(std::size_t run, std::span<const double> values)> run_sink;
  /// When set to true (e.g. by a signal handler), remaining runs are skipped and the ensemble
  /// throws ensemble_error("cancelled"); chunks already done have been given to chunk_done.
  const std::atomic<bool>* cancel = nullptr;
  /// Checkpoints: called once for every chunk of newly computed runs, one call at a time, before
  /// the statistics take the chunk; an exception stops the ensemble and is rethrown.
  std::function<void(const chunk_view&)> chunk_done;
  /// Checkpoints with sketches: called about every state_interval seconds with the statistics'
  /// state over runs [0, runs_in_state), after which chunks below that need not be kept.
  std::function<void(const std::string& state, std::size_t runs_in_state)> state_done;
  double state_interval = 60;
  /// Carry on from a checkpoint instead of starting from run 0.
  const ensemble_resume* resume = nullptr;
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

/// The statistics of an ensemble as its runs arrive, which they must in run order (chunk after
/// chunk): whoever computed them (threads of this process, MPI ranks) and in whatever chunks, the
/// statistics are the same to the bit.
class ensemble_accumulator {
 public:
  /// Chooses exact values or sketches from options.memory_bytes (memory_limit_error when even
  /// sketches do not fit).
  ensemble_accumulator(std::size_t cells, const ensemble_options& options);
  ensemble_accumulator(const ensemble_accumulator&) = delete;
  ensemble_accumulator& operator=(const ensemble_accumulator&) = delete;
  ~ensemble_accumulator();

  /// Whether an ensemble of `cells` values per run keeps exact values (else sketches).
  static bool keeps_exact(std::size_t cells, const ensemble_options& options) noexcept;
  bool exact() const noexcept { return exact_; }
  std::size_t cells() const noexcept { return cells_; }
  std::size_t taken() const noexcept { return taken_; }  ///< runs [0, taken()) are in
  /// A run failed and failed runs stop the ensemble.
  bool must_stop() const noexcept { return !options_.skip_failed && !failures_.empty(); }
  /// Exact mode: where run `run`'s values go; a chunk taken from there is not copied.
  std::span<double> slot(std::size_t run);
  /// Runs computed at once (the sketch mode's buffer; all in exact mode).
  std::size_t block_runs() const noexcept { return block_runs_; }
  const ensemble_options& options() const noexcept { return options_; }

  /// Takes the next chunk (chunk.first == taken()): its values in exact mode, its summaries with
  /// sketches.
  void take(const chunk_view& chunk);
  /// Sketch mode: the state over runs [0, taken()), and back (checkpoints).
  std::string save() const;
  void load(std::string_view state, std::size_t runs);
  /// The statistics once every run is in; ensemble_error when runs failed and may not be skipped.
  cell_statistics finish();

 private:
  std::size_t cells_;
  ensemble_options options_;
  bool exact_ = true;
  std::size_t block_runs_ = 0, taken_ = 0, successes_ = 0;
  std::unique_ptr<double[]> store_;  ///< exact: runs x cells
  std::vector<unsigned char> ok_;    ///< exact: per run
  std::optional<run_summary> sketches_;
  std::vector<run_failure> failures_;
};

/// The runs per chunk of an ensemble: options.chunk_runs, or when it is 0, 64 with exact quantiles
/// and sketch_block with sketches. Throws std::invalid_argument when sketches are kept and the
/// chunk is not a whole number of blocks.
std::size_t resolve_chunk_runs(std::size_t cells, const ensemble_options& options);

/// With sketches: the runs computed at once, from the memory limit (what the sketches leave, at
/// most 64 MiB of values); memory_limit_error when nothing is left.
std::size_t sketch_buffer_runs(std::size_t cells, const ensemble_options& options);

/// The end of the chunk that begins at run `first` (options.chunk_runs resolved).
std::size_t chunk_end(const ensemble_options& options, std::size_t first);

/// Where an ensemble starts from: the accumulator has taken a checkpoint's state, saved chunks
/// beyond it wait for their turn, and the chunks to compute are listed.
struct ensemble_start {
  std::map<std::size_t, const run_chunk*> resumed;  ///< by first run; point into options.resume
  std::vector<std::size_t> todo;                    ///< first runs of the chunks to compute
  std::size_t done = 0;                             ///< runs already done
};

/// Loads acc's options.resume (if any) into `acc`, plans the chunks, and reports the runs already
/// done to options.progress.
ensemble_start start_ensemble(ensemble_accumulator& acc);

/// Computes the runs [first, last) in parallel (TBB) into a chunk, or, when `into` is given
/// ((last - first) x cells), into `into` (the chunk's own values then stay empty). Stops early,
/// leaving `complete` false, when `stop` or options.cancel is set.
run_chunk compute_chunk(std::size_t first, std::size_t last, std::size_t cells,
                        const ensemble_options& options, const run_function& run_one,
                        const std::atomic<bool>& stop, bool& complete, std::span<double> into = {});

/// With sketches: computes the runs [first, last) (whole blocks) in parallel, `block_runs` at a
/// time, into the chunk's block summaries (and its values with keep_values or a run_sink).
/// `progress`, if given, receives the runs done in the chunk so far. Stops early like
/// compute_chunk; and when a run fails and failures may not be skipped, it spares the chunk's
/// remaining runs and returns the failures seen, without summaries (the chunk stops the ensemble).
run_chunk compute_summarized_chunk(std::size_t first, std::size_t last, std::size_t cells,
                                   const ensemble_options& options, std::size_t block_runs,
                                   const run_function& run_one, const std::atomic<bool>& stop,
                                   bool& complete,
                                   const std::function<void(std::size_t)>& progress = {});

/// The message of an ensemble stopped by failed runs (the first ten).
std::string failures_message(const std::vector<run_failure>& failures);

/// The error of an ensemble stopped by failed runs: failures_message, remedy::skip_failed.
ensemble_error failed_runs_error(const std::vector<run_failure>& failures);

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
