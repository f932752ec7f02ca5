// Cluster figures for world-20 (docs/cluster.md):
//   mpirun -n R hwf_cluster_bench THREADS [RUNS]   runs/s of an MPI ensemble with R ranks of
//                                                  THREADS threads each (strong scaling)
//   hwf_cluster_bench --merge                      what rank 0 pays per run it takes in: bytes
//                                                  received and time to take them in (exact
//                                                  values, and quantile sketches)
// benchmarks/cluster_scaling.sh runs the strong-scaling set on this machine.

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <thread>

#include <fmt/format.h>
#include <mpi.h>
#include <tbb/global_control.h>
#include <tbb/task_arena.h>

#include "engine/ensemble.hpp"
#include "engine/mpi_ensemble.hpp"
#include "engine/random.hpp"
#include "models/workforce/monte_carlo.hpp"
#include "synthetic_world.hpp"

using namespace hwf;
using clock_type = std::chrono::steady_clock;

namespace {

std::filesystem::path write_study(const std::filesystem::path& dir, std::size_t samples) {
  return bench::write_uncertain_world(
      dir, samples,
      R"(    countries.*.cadres.*.exit_rate: {dist: uniform, min: 0.8, max: 1.2, apply: multiply, shared: true}
    corridors.*.*.emigration_rate: {dist: pert, min: 0.5, mode: 1.0, max: 1.5, apply: multiply}
)");
}

int merge_costs() {
  const auto dir =
      std::filesystem::temp_directory_path() / fmt::format("hwf_cluster_bench_{}", ::getpid());
  const auto study = model::prepare_study({write_study(dir, 10).string()}, 10);
  std::filesystem::remove_all(dir);
  const std::size_t cells = study.cells(), chunk = 64, chunks = 16;
  fmt::print(
      "hwfsim cluster benchmark: what rank 0 pays per run\nworld-20: {} values per run, "
      "{:.0f} KiB sent to rank 0 per run\n",
      cells, static_cast<double>(cells) * 8 / 1024);
  engine::run_chunk c;
  c.values.resize(chunk * cells);
  c.ok.assign(chunk, 1);
  for (const bool sketch : {false, true}) {
    engine::ensemble_options opt;
    opt.runs = chunk * chunks;
    opt.force_sketch = sketch;
    engine::ensemble_accumulator acc(cells, opt);
    double seconds = 0, decode = 0;
    for (std::size_t k = 0; k < chunks; ++k) {
      c.first = k * chunk;
      c.last = c.first + chunk;
      for (std::size_t i = 0; i < c.values.size(); ++i)
        c.values[i] =
            static_cast<double>(i % cells) +
            engine::uniform01(3, engine::rng_stream::sample, i % cells, c.first + i / cells);
      // As rank 0 does with a chunk: decode its head, then take its values (MPI receives them
      // straight into the exact store, or into the chunk for sketches; a copy here).
      const auto head = engine::encode_chunk_head(c.view());
      const auto a = clock_type::now();
      auto back = engine::decode_chunk_head(head);
      double* to = sketch ? (back.values.resize(c.values.size()), back.values.data())
                          : acc.slot(back.first).data();
      std::memcpy(to, c.values.data(), c.values.size() * sizeof(double));
      const auto b = clock_type::now();
      acc.take(
          sketch ? back.view()
                 : back.view(std::span<const double>(acc.slot(back.first).data(), chunk * cells)));
      decode += std::chrono::duration<double>(b - a).count();
      seconds += std::chrono::duration<double>(clock_type::now() - b).count();
    }
    const double runs = static_cast<double>(chunk * chunks);
    fmt::print("{:<22}: decode {:.3f} ms + take in {:.3f} ms per run ({} threads)\n",
               sketch ? "quantile sketches" : "exact values", 1e3 * decode / runs,
               1e3 * seconds / runs, tbb::this_task_arena::max_concurrency());
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc == 2 && std::strcmp(argv[1], "--merge") == 0) return merge_costs();
  if (argc < 2) {
    fmt::print(stderr,
               "usage: mpirun -n R hwf_cluster_bench THREADS [RUNS] | hwf_cluster_bench --merge\n");
    return 2;
  }
  engine::mpi::session mpi(argc, argv);
  const int threads = std::atoi(argv[1]);
  const std::size_t runs = argc > 2 ? static_cast<std::size_t>(std::atoll(argv[2])) : 2400;
  tbb::global_control limit(tbb::global_control::max_allowed_parallelism, threads);
  const auto dir = std::filesystem::temp_directory_path() /
                   fmt::format("hwf_cluster_bench_{}_{}", ::getpid(), mpi.rank());
  const auto study = model::prepare_study({write_study(dir, runs).string()}, runs);
  std::filesystem::remove_all(dir);
  engine::ensemble_options opt;
  opt.runs = runs;
  opt.chunk_runs = 32;
  opt.memory_bytes = std::size_t{4} << 30;  // exact quantiles (the sketches' cost: --merge)
  MPI_Barrier(MPI_COMM_WORLD);
  const auto start = clock_type::now();
  const auto st = engine::mpi::run_ensemble(
      study.cells(), opt,
      [&](std::size_t run, std::span<double> out) { model::run_sample(study, run, out); });
  const double s = std::chrono::duration<double>(clock_type::now() - start).count();
  if (mpi.rank() == 0)
    fmt::print(
        "{} rank(s) x {} thread(s): {} runs in {:.2f} s, {:.1f} runs/s ({} successful, {} "
        "quantiles)\n",
        mpi.size(), threads, runs, s, static_cast<double>(runs) / s, st.runs,
        st.exact ? "exact" : "sketched");
  return 0;
}
