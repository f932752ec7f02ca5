#pragma once
// `hwfsim mc`: a Monte Carlo ensemble of one scenario, or of a baseline and policies compared on
// common random numbers; spread over threads and MPI ranks, checkpointed, resumed; quantiles,
// probabilities, samples.csv and, with --save-runs, runs.nc.

#include <atomic>
#include <chrono>
#include <exception>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include <tbb/global_control.h>

#include "app/ranks.hpp"
#include "app/results_folder.hpp"
#include "app/study.hpp"
#include "engine/ensemble.hpp"
#include "models/workforce/monte_carlo.hpp"
#include "outputs/checkpoint.hpp"
#include "outputs/netcdf_runs.hpp"

namespace hwf::app {

/// How an ensemble is spread and saved: MPI ranks, chunks, checkpoints.
struct mc_distribution {
  int rank = 0, ranks = 1;
  std::size_t chunk_runs = 0;       ///< 0: the engine's choice (engine::resolve_chunk_runs)
  std::optional<bool> checkpoint;   ///< default: on under MPI, off in one process
  double checkpoint_interval = 60;  ///< seconds between saves of the sketches' state
  std::string resume;               ///< results folder to carry on
};

struct mc_options {
  std::vector<std::string> scenarios;  ///< one, or with comparing the baseline first
  std::string output;                  ///< results folder; empty: results/<scenario name>-mc
  bool force = false;
  std::optional<std::size_t> samples;  ///< none: the scenario's uncertainty.samples
  model::extra_set set;  ///< `set:` entries beside every scenario's own (the Python module's)
  int threads = 0;       ///< most threads; 0: all cores
  std::size_t memory_mb = 1024;          ///< most MiB for run values (beyond: quantile sketches)
  bool skip_failed = false;              ///< exclude failed runs instead of stopping
  bool xlsx = false;                     ///< also write results.xlsx (app/workbook.hpp)
  std::optional<std::string> save_runs;  ///< runs.nc of these indicators ("a,b"; empty: all)
  mc_distribution dist;
  reporting report;
  /// Set (by a signal handler, say) to cancel the runs: a checkpoint is kept to resume.
  const std::atomic<bool>* cancel = nullptr;
  /// Called once with the number of runs; returns what to call with the runs done so far.
  /// None: no progress.
  std::function<std::function<void(std::size_t)>(std::size_t runs)> progress;
  /// Runs the ensemble `runs` (to install a signal handler around it, say). None: just runs it.
  std::function<void(const std::function<void()>& runs)> around_runs;
  /// Under MPI: the exit code of an error, said (after `prefix`) when `print`.
  exit_code_function exit_code;
  /// No results folder, checkpoint or runs.nc: execute() only computes the tables, which
  /// mc_results::files() holds (the Python module). In one process, with save_runs, dist.resume
  /// and dist.checkpoint unset (else engine::internal_error).
  bool in_memory = false;
  /// With in_memory: receives every successful run's cells (model::mc_study::cells(), laid out
  /// as mc_study::study() says), in run order. None: the runs are not kept.
  std::function<void(std::size_t run, std::span<const double> cells)> run_values;
};

/// The command line's mc switches, before they combine into mc_options.
struct mc_switches {
  bool compare = false;         ///< compare the scenarios (the first is the baseline)
  bool save_runs = false;       ///< write runs.nc
  std::string save_indicators;  ///< the indicators runs.nc holds ("a,b"; empty: all)
  bool checkpoint = false;      ///< save a checkpoint also in one process
  bool no_checkpoint = false;   ///< save none, also under MPI
};

/// Checks how `s` combine with each other and with `o`, and sets `o` from them. Throws
/// engine::input_error naming the switches that do not go together.
void apply(const mc_switches& s, mc_options& o);

/// What `mc` ends with in this process (app/ranks.hpp).
using mc_outcome = ensemble_outcome;

/// The whole of `mc`: started by an MPI launcher (mpirun, srun) in a build with MPI, joins the
/// ranks (MPI_Init from `argc`, `argv`); prepares, runs and, on rank 0, writes the results. The
/// progress is shown on rank 0 only. Errors before the ranks agree to start are thrown in one
/// process; after it, rank 0 says them (options.exit_code) and every rank returns its code.
mc_outcome execute_and_write(mc_options options, int& argc, char**& argv);

/// A finished ensemble's tables, and runs.nc and the checkpoint until they are settled.
class mc_results {
 public:
  /// Completes runs.nc, writes the tables, run.json and report.html, then removes the
  /// checkpoint (the results are complete and durable).
  void write(results_folder& folder);
  /// What the command prints.
  std::string text() const;
  /// The files written, with their contents (runs.nc and report.html aside).
  const std::vector<std::pair<std::string, std::string>>& files() const noexcept { return files_; }

 private:
  friend class mc_study;
  std::vector<std::pair<std::string, std::string>> files_;
  std::unique_ptr<out::netcdf_runs> netcdf_;
  std::unique_ptr<out::checkpoint_folder> checkpoint_;
  std::string text_;
};

class mc_study {
 public:
  explicit mc_study(mc_options options);
  ~mc_study();
  mc_study(const mc_study&) = delete;
  mc_study& operator=(const mc_study&) = delete;

  /// Everything that can go wrong before the runs, on every rank: loads the study, checks and
  /// locks the results folder, starts or checks the checkpoint, opens runs.nc. Throws in one
  /// process; under MPI the ranks agree and it returns the exit code they all stop with (0: go
  /// on), the error said through options.exit_code.
  int prepare();
  /// Runs the ensemble. The results on rank 0 (or the only process), nothing on the others.
  /// Throws engine::ensemble_error (a cancelled ensemble keeps its checkpoint, and says so).
  std::optional<mc_results> execute();
  /// The results folder (rank 0, after prepare(); none with mc_options::in_memory).
  results_folder& folder() { return *folder_; }
  /// The study: its scenarios, models and the layout of a run's cells (after prepare()).
  const model::mc_study& study() const noexcept { return study_; }

 private:
  bool lead() const noexcept { return options_.dist.rank == 0; }
  void prepare_here();
  void set_ensemble_options();
  void check_folder();
  void start_checkpoint();
  void open_saved_runs();
  engine::cell_statistics run_ensemble();
  void build_results(const engine::cell_statistics& st, mc_results& r) const;

  mc_options options_;
  std::chrono::steady_clock::time_point started_;
  std::unique_ptr<tbb::global_control> limit_;
  model::mc_study study_;
  std::filesystem::path dir_;
  engine::ensemble_options opt_;
  std::function<void(std::size_t)> progress_;
  std::unique_ptr<results_folder> folder_;
  std::unique_ptr<out::checkpoint_folder> checkpoint_;
  std::unique_ptr<out::netcdf_runs> netcdf_;
  std::optional<model::saved_runs_map> saved_;
  engine::ensemble_resume resume_;
};

/// What a checkpoint must match to be resumed: the study (inputs, seed, samples, sampling,
/// dimensions), the way values are kept (`exact`), the chunks, the saved runs (`save_runs`, as
/// mc_options::save_runs) and the binary itself.
out::checkpoint_manifest study_manifest(const model::mc_study& study, std::size_t cells, bool exact,
                                        std::size_t chunk_runs,
                                        const std::optional<std::string>& save_runs);

}  // namespace hwf::app
