#pragma once
// What the ensemble studies (`mc`, `sensitivity`) share about MPI: joining the ranks when an MPI
// launcher started the process, and agreeing, before the runs, whether every rank may start.

#include <exception>
#include <functional>
#include <string>

namespace hwf::app {

/// What an ensemble command ends with in this process: its exit code (not 0 when the ranks
/// stopped before the runs, the error said through the exit_code function) and, on rank 0, the
/// text to print.
struct ensemble_outcome {
  int status = 0;
  std::string text;
};

/// Under MPI: the exit code of an error, said (after `prefix`) when `print`.
using exit_code_function =
    std::function<int(const std::exception_ptr&, const std::string& prefix, bool print)>;

/// Runs `body(rank, ranks)`: started by an MPI launcher (mpirun, srun) in a build with MPI, on
/// every rank (MPI_Init from `argc`, `argv`); otherwise once, as rank 0 of 1 (refused, naming
/// mpirun, when a launcher started several processes of a build without MPI). Errors that
/// `body` throws once the ranks have joined are said by rank 0 through `exit_code`, and every
/// rank returns the code; without ranks (or without `exit_code`) they are thrown.
ensemble_outcome on_ranks(int& argc, char**& argv, const exit_code_function& exit_code,
                          const std::function<ensemble_outcome(int rank, int ranks)>& body);

/// Runs `prepare` (everything that can go wrong before the runs) on this rank. In one process
/// its error is thrown. Under MPI the ranks agree: returns the exit code every rank stops with
/// (0: go on), the error said once through `exit_code` (by rank 0, or by the rank that failed
/// when rank 0 did not).
int prepare_on_ranks(int rank, int ranks, const exit_code_function& exit_code,
                     const std::function<void()>& prepare);

}  // namespace hwf::app
