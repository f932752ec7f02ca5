#include "app/ranks.hpp"

#include <cstdlib>
#include <optional>

#include <fmt/format.h>

#include "app/study.hpp"
#ifdef HWF_HAVE_MPI
#include "engine/mpi_ensemble.hpp"
#endif

namespace hwf::app {

ensemble_outcome on_ranks(int& argc, char**& argv, const exit_code_function& exit_code,
                          const std::function<ensemble_outcome(int rank, int ranks)>& body) {
#ifdef HWF_HAVE_MPI
  // Started by mpirun or srun: the ranks share the ensemble (engine/mpi_ensemble.hpp).
  std::optional<engine::mpi::session> mpi;
  if (engine::mpi::launched()) mpi.emplace(argc, argv);
  const int rank = mpi ? mpi->rank() : 0;
  try {
    return body(rank, mpi ? mpi->size() : 1);
  } catch (...) {
    // Errors after the ranks agreed to start: rank 0 reports them (its workers have stopped).
    if (!mpi || !exit_code) throw;
    return {exit_code(std::current_exception(), "", rank == 0), {}};
  }
#else
  (void)argc, (void)argv, (void)exit_code;
  if (const char* n = std::getenv("OMPI_COMM_WORLD_SIZE"); n != nullptr && std::atoi(n) > 1)
    throw usage_error("mpirun", "", "this hwfsim was built without MPI",
                      "install libopenmpi-dev and build again (docs/cluster.md)");
  return body(0, 1);
#endif
}

int prepare_on_ranks(int rank, int ranks, const exit_code_function& exit_code,
                     const std::function<void()>& prepare) {
  std::exception_ptr early;
  try {
    prepare();
  } catch (...) {
    early = std::current_exception();
  }
  if (ranks > 1) {
#ifdef HWF_HAVE_MPI
    // The ranks agree, so that none waits for the others when one has stopped.
    const int mine = early ? exit_code(early, "", false) : 0;
    const int first = engine::mpi::rank0_status(mine);
    if (early && (rank == 0 || first == 0))
      exit_code(early, rank == 0 ? "" : fmt::format("rank {}: ", rank), true);
    return engine::mpi::agree(mine);
#else
    (void)rank, (void)exit_code;  // a build without MPI has one process
#endif
  }
  if (early) std::rethrow_exception(early);
  return 0;
}

}  // namespace hwf::app
