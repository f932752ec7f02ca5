// MPI ensembles against the one-process ensemble, run by ctest under mpirun with 1, 2 and 3
// ranks (tests/CMakeLists.txt). Every rank runs this program; rank 0 checks and prints
// "N passed, M failed". Plain checks instead of Catch2: each check is collective.

#include <chrono>
#include <cmath>
#include <cstring>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>

#include <fmt/format.h>
#include <mpi.h>
#include <tbb/global_control.h>

#include "engine/ensemble.hpp"
#include "engine/mpi_ensemble.hpp"
#include "engine/random.hpp"

using namespace hwf;

namespace {

int rank_now() {
  int r = 0;
  MPI_Comm_rank(MPI_COMM_WORLD, &r);
  return r;
}

/// Four cells: a uniform draw, a skewed function of it, a cell undefined in run 0, a constant.
void toy_run(std::size_t run, std::span<double> out) {
  const double u = engine::uniform01(11, engine::rng_stream::sample, 0, run);
  out[0] = u;
  out[1] = std::exp(3 * u);
  out[2] = run == 0 ? std::nan("") : u * u;
  out[3] = 2.5;
}

bool same_bits(const std::vector<double>& a, const std::vector<double>& b) {
  return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(double)) == 0;
}

/// Rank 0 computes too: slowed down, it leaves chunks for rank 1 however fast rank 1 starts.
void slow_on_rank0(int rank) {
  if (rank == 0) std::this_thread::sleep_for(std::chrono::milliseconds(2));
}

int passed = 0, failed = 0;
void check(bool ok, const std::string& what) {
  if (rank_now() != 0) return;
  (ok ? passed : failed)++;
  fmt::print("{}: {}\n", ok ? "ok" : "FAILED", what);
}

}  // namespace

int main(int argc, char** argv) {
  engine::mpi::session mpi(argc, argv);
  tbb::global_control two_threads(tbb::global_control::max_allowed_parallelism, 2);
  // Exact values travel; with sketches (blocks of 16 runs here), each block's summary does.
  const std::pair<bool, std::size_t> cases[] = {{false, 1}, {false, 13}, {false, 64},
                                                {true, 16}, {true, 48},  {true, 0}};
  for (const auto& [sketch, chunk] : cases) {
    engine::ensemble_options opt;
    opt.runs = 1000;
    opt.chunk_runs = chunk;
    opt.force_sketch = sketch;
    opt.sketch_block = 16;
    const auto local =
        mpi.rank() == 0 ? engine::run_ensemble(4, opt, toy_run) : engine::cell_statistics{};
    std::size_t chunks_seen = 0;
    opt.chunk_done = [&](const engine::chunk_view&) { ++chunks_seen; };
    const auto spread = engine::mpi::run_ensemble(4, opt, toy_run);
    const std::size_t size = chunk == 0 ? 16 : chunk;
    check(same_bits(local.quantiles, spread.quantiles) && same_bits(local.mean, spread.mean) &&
              same_bits(local.sd, spread.sd) && local.runs == spread.runs,
          fmt::format("{} ranks, {}, chunks of {}: statistics identical to one process", mpi.size(),
                      sketch ? "sketches" : "exact", size));
    check(chunks_seen == (1000 + size - 1) / size,
          fmt::format("rank 0 saw every chunk once ({})", chunks_seen));
  }
  {
    // Sketches and every run's values wanted (--save-runs): the values travel too, and reach
    // rank 0's run_sink in run order.
    engine::ensemble_options opt;
    opt.runs = 300;
    opt.force_sketch = true;
    opt.sketch_block = 16;
    opt.chunk_runs = 32;
    opt.keep_values = true;
    std::vector<double> seen;
    bool in_order = true;
    if (mpi.rank() == 0)
      opt.run_sink = [&](std::size_t run, std::span<const double> values) {
        in_order = in_order && run == seen.size();
        seen.push_back(values[0]);
      };
    const auto st = engine::mpi::run_ensemble(4, opt, toy_run);
    bool values_right = seen.size() == (mpi.rank() == 0 ? 300u : 0u);
    for (std::size_t r = 0; r < seen.size(); ++r) {
      std::vector<double> out(4);
      toy_run(r, out);
      values_right = values_right && seen[r] == out[0];
    }
    check(in_order && values_right && (mpi.rank() != 0 || st.runs == 300),
          "sketches with every run's values kept: rank 0 gets them all, in run order");
  }
  if (mpi.size() > 1) {
    // Every run on rank 1 fails: the job ends with the run, the rank and the message.
    engine::ensemble_options opt;
    opt.runs = 500;
    opt.chunk_runs = 10;
    std::string message;
    auto what_to_do = engine::remedy::none;
    try {
      engine::mpi::run_ensemble(4, opt, [&](std::size_t run, std::span<double> out) {
        if (mpi.rank() == 1) throw std::runtime_error("a stock went negative");
        slow_on_rank0(mpi.rank());
        toy_run(run, out);
      });
    } catch (const engine::ensemble_error& e) {
      message = e.what();
      what_to_do = e.what_to_do();
    }
    check(message.find("(rank 1): a stock went negative") != std::string::npos &&
              what_to_do == engine::remedy::skip_failed,
          "a failing run on rank 1 ends the job with its run, rank and message: " +
              message.substr(0, message.find('\n', message.find('\n') + 1)));
    // With --skip-failed, rank 1's runs are left out and listed.
    opt.skip_failed = true;
    const auto st = engine::mpi::run_ensemble(4, opt, [&](std::size_t run, std::span<double> out) {
      if (mpi.rank() == 1 && run % 2 == 0) throw std::runtime_error("a stock went negative");
      slow_on_rank0(mpi.rank());
      toy_run(run, out);
    });
    check(mpi.rank() != 0 || (st.runs + st.skipped.size() == 500 && !st.skipped.empty() &&
                              st.skipped.front().rank == 1),
          "skipped failures keep their rank");
  }
  if (mpi.rank() == 0) fmt::print("{} passed, {} failed\n", passed, failed);
  return failed == 0 ? 0 : 1;
}
