#pragma once
// `hwfsim sensitivity`: which inputs drive the results. The scenario's `uncertainty` inputs are
// the factors of a Saltelli design (Sobol indices) or of Morris trajectories; the runs are an
// ensemble spread over threads and MPI ranks like `mc`'s, with results that do not depend on
// either count (docs/sensitivity.md).

#include <atomic>
#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "app/ranks.hpp"
#include "app/results_folder.hpp"
#include "app/study.hpp"
#include "models/workforce/description.hpp"

namespace hwf::app {

enum class sensitivity_method { sobol, morris };

struct sensitivity_options {
  std::string scenario;
  model::extra_set set;  ///< `set:` entries beside the scenario's own (the Python module's)
  std::string output;    ///< results folder; empty: results/<scenario name>-sensitivity
  bool force = false;
  sensitivity_method method = sensitivity_method::sobol;
  /// Output patterns PLACE.CADRE.INDICATOR.YEAR ('*' any); empty: density per 10,000 and
  /// shortage of every country at the last year (model::default_output_patterns).
  std::vector<std::string> outputs;
  std::size_t base_samples = 1024;  ///< Sobol: N, a power of two above the number of inputs
  bool second_order = false;        ///< Sobol: also S_ij
  std::size_t bootstrap = 1000;     ///< Sobol: bootstrap replicates for the intervals (0: none)
  double confidence = 0.95;         ///< Sobol: the intervals' level
  std::size_t trajectories = 20;    ///< Morris: r
  std::size_t levels = 4;           ///< Morris: p, even
  int threads = 0;                  ///< most threads; 0: all cores
  reporting report;
  /// Set (by a signal handler, say) to cancel the runs: nothing is written.
  const std::atomic<bool>* cancel = nullptr;
  /// Called once with the number of runs; returns what to call with the runs done so far.
  std::function<std::function<void(std::size_t)>(std::size_t runs)> progress;
  /// Runs the ensemble `runs` (to install a signal handler around it, say).
  std::function<void(const std::function<void()>& runs)> around_runs;
  exit_code_function exit_code;
};

/// The whole of `sensitivity`: joins the MPI ranks when launched by mpirun (as `mc` does),
/// checks the inputs, the options and the results folder on every rank before any run, runs
/// the design and, on rank 0, computes the indices and writes indices.csv, convergence.csv
/// (Sobol), outputs.csv, inputs.csv, run.json and report.html. Bad options throw
/// engine::input_error naming the option; errors after the ranks agreed are said by rank 0.
ensemble_outcome sensitivity_and_write(sensitivity_options options, int& argc, char**& argv);

/// The tables of `sensitivity`, computed in one process without a results folder (the Python
/// module): indices.csv, convergence.csv (Sobol), outputs.csv and inputs.csv, as (file name, CSV
/// text), the same as sensitivity_and_write writes. options.output, force and exit_code are not
/// used. Throws engine::input_error for bad options (naming the option), engine::ensemble_error.
std::vector<std::pair<std::string, std::string>> sensitivity_tables(sensitivity_options options);

}  // namespace hwf::app
