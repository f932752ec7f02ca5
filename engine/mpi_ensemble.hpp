#pragma once
// Ensembles over MPI ranks (OpenMPI), built when CMake finds MPI (HWF_HAVE_MPI).
//
// Rank 0 hands out chunks of runs (engine::ensemble_options::chunk_runs) to whichever rank asks
// next, computes chunks itself on a second thread meanwhile, and takes the finished chunks in
// run order into one ensemble_accumulator: the statistics are the same to the bit as
// engine::run_ensemble's in one process, whatever the number of ranks, threads per rank or
// chunk size. With exact quantiles a chunk's values travel to rank 0; with sketches the rank
// that computed a chunk summarizes its blocks (engine::run_summary) and only the summaries
// travel (and the values too with keep_values). Each rank runs its chunk's runs with TBB threads.
// Only rank 0 calls the options' callbacks (progress, run_sink, chunk_done, state_done); a resume
// is read by rank 0 alone.

#include <string>

#include "engine/ensemble.hpp"

namespace hwf::engine::mpi {

/// True when an MPI launcher (mpirun, mpiexec, srun) started this process.
bool launched();

/// MPI from MPI_Init_thread (funneled: only the main thread calls MPI) to MPI_Finalize.
class session {
 public:
  session(int& argc, char**& argv);
  session(const session&) = delete;
  session& operator=(const session&) = delete;
  ~session();
  int rank() const noexcept { return rank_; }
  int size() const noexcept { return size_; }

 private:
  int rank_ = 0, size_ = 1;
};

/// Every rank passes its status (0 = fine, else an exit code); all get the largest, so that no
/// rank goes on alone (and waits for the others for ever) when one has failed.
int agree(int status);

/// Rank 0's status, known to every rank.
int rank0_status(int status);

/// Collective: every rank calls it with the same cells, runs and options. Rank 0 returns the
/// statistics; other ranks return empty statistics (runs == 0). Throws on rank 0 what
/// engine::run_ensemble throws, with the rank in failed runs' messages; a rank that hits an error
/// outside a run (memory, say) stops the whole ensemble with the rank and the message.
cell_statistics run_ensemble(std::size_t cells, const ensemble_options& options,
                             const run_function& run_one);

}  // namespace hwf::engine::mpi
