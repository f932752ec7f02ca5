// Cluster figures for world-20 (docs/cluster.md):
//   mpirun -n R hwf_cluster_bench THREADS [RUNS] [--sketch]
//                                                  runs/s of an MPI ensemble with R ranks of
//                                                  THREADS threads each (strong scaling), exact
//                                                  quantiles or (--sketch) quantile sketches
//   hwf_cluster_bench --merge                      what rank 0 pays per run it takes in: bytes
//                                                  received and time to take them in (exact
//                                                  values; quantile sketches' block summaries,
//                                                  and what summarizing costs the ranks)
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

/// Synthetic values of `runs` runs from `first` (a cell's values spread around its index).
void fill_runs(std::vector<double>& values, std::size_t first, std::size_t runs,
               std::size_t cells) {
  values.resize(runs * cells);
  for (std::size_t i = 0; i < values.size(); ++i)
    values[i] = static_cast<double>(i % cells) +
                engine::uniform01(3, engine::rng_stream::sample, i % cells, first + i / cells);
}

int merge_costs() {
  const auto dir =
      std::filesystem::temp_directory_path() / fmt::format("hwf_cluster_bench_{}", ::getpid());
  const auto study = model::prepare_study({write_study(dir, 10).string()}, 10);
  std::filesystem::remove_all(dir);
  const std::size_t cells = study.cells();
  const int threads = tbb::this_task_arena::max_concurrency();
  fmt::print(
      "hwfsim cluster benchmark: what rank 0 pays per run ({} threads)\nworld-20: {} values per "
      "run, {:.0f} KiB per run\n",
      threads, cells, static_cast<double>(cells) * 8 / 1024);
  std::vector<double> values;
  {  // Exact quantiles: every run's values travel and go into rank 0's store.
    const std::size_t chunk = 64, chunks = 16;
    engine::ensemble_options opt;
    opt.runs = chunk * chunks;
    engine::ensemble_accumulator acc(cells, opt);
    engine::run_chunk c;
    c.ok.assign(chunk, 1);
    double decode = 0, take = 0;
    for (std::size_t k = 0; k < chunks; ++k) {
      c.first = k * chunk;
      c.last = c.first + chunk;
      fill_runs(values, c.first, chunk, cells);
      // As rank 0 does: decode the chunk, receive its values straight into the store (a copy
      // here), take it.
      const auto bytes = engine::encode_chunk(c.view());
      const auto a = clock_type::now();
      auto back = engine::decode_chunk(bytes, cells);
      std::memcpy(acc.slot(back.first).data(), values.data(), values.size() * sizeof(double));
      const auto b = clock_type::now();
      acc.take(back.view(std::span<const double>(acc.slot(back.first).data(), chunk * cells)));
      decode += std::chrono::duration<double>(b - a).count();
      take += std::chrono::duration<double>(clock_type::now() - b).count();
    }
    const double runs = static_cast<double>(chunk * chunks);
    fmt::print(
        "exact values     : {:.0f} KiB received per run; rank 0: {:.3f} ms per run "
        "(receive {:.3f} + take in {:.3f})\n",
        static_cast<double>(cells) * 8 / 1024, 1e3 * (decode + take) / runs, 1e3 * decode / runs,
        1e3 * take / runs);
  }
  {  // Sketches: the rank that computed a block of runs summarizes it; rank 0 merges summaries.
    engine::ensemble_options opt;
    const std::size_t block = opt.sketch_block, blocks = 4, piece = 64;
    opt.runs = block * blocks;
    opt.force_sketch = true;
    engine::ensemble_accumulator acc(cells, opt);
    double summarize = 0, decode = 0, take = 0, bytes_sent = 0;
    const std::vector<unsigned char> ok(block, 1);
    for (std::size_t k = 0; k < blocks; ++k) {
      engine::run_chunk c;
      c.first = k * block;
      c.last = c.first + block;
      c.ok = ok;
      engine::run_summary summary(cells, k + 1);
      for (std::size_t at = 0; at < block; at += piece) {  // as a rank computes them
        fill_runs(values, c.first + at, piece, cells);
        const auto a = clock_type::now();
        summary.add(piece, std::span<const unsigned char>(ok).first(piece), values);
        summarize += std::chrono::duration<double>(clock_type::now() - a).count();
      }
      const auto condensing = clock_type::now();
      summary.condense();  // as compute_summarized_chunk does once a block is complete
      summarize += std::chrono::duration<double>(clock_type::now() - condensing).count();
      c.summaries.push_back(std::move(summary));
      const auto bytes = engine::encode_chunk(c.view());
      bytes_sent += static_cast<double>(bytes.size());
      const auto a = clock_type::now();
      auto back = engine::decode_chunk(bytes, cells);
      const auto b = clock_type::now();
      acc.take(back.view());
      decode += std::chrono::duration<double>(b - a).count();
      take += std::chrono::duration<double>(clock_type::now() - b).count();
    }
    const double runs = static_cast<double>(block * blocks);
    fmt::print(
        "quantile sketches: the computing rank summarizes a block of {} runs in {:.3f} ms "
        "per run;\n  {:.1f} KiB received per run ({:.1f} MiB per block); rank 0: {:.3f} ms "
        "per run (decode {:.3f} + merge {:.3f})\n",
        block, 1e3 * summarize / runs, bytes_sent / runs / 1024, bytes_sent / blocks / (1 << 20),
        1e3 * (decode + take) / runs, 1e3 * decode / runs, 1e3 * take / runs);
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc == 2 && std::strcmp(argv[1], "--merge") == 0) return merge_costs();
  const bool sketch = argc > 3 && std::strcmp(argv[3], "--sketch") == 0;
  if (argc < 2 || (argc > 3 && !sketch)) {
    fmt::print(stderr,
               "usage: mpirun -n R hwf_cluster_bench THREADS [RUNS] [--sketch] | "
               "hwf_cluster_bench --merge\n");
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
  if (sketch) {
    opt.force_sketch = true;  // chunks of one block (2,048 runs), summarized where computed
  } else {
    opt.chunk_runs = 32;                      // small chunks spread 2,400 runs evenly
    opt.memory_bytes = std::size_t{4} << 30;  // exact quantiles for 2,400 runs
  }
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
