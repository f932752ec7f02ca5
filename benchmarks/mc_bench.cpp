// Monte Carlo speed and memory on the synthetic world-20 (benchmarks/synthetic_world.cpp):
//   hwf_mc_bench                      runs/s with 1 and 2 threads, share of time outside the
//                                     model runs (goal: speed-up >= 1.9, outside < 10%)
//   hwf_mc_bench --memory RUNS        peak memory of an ensemble of RUNS runs with every
//                                     quantile of every world-20 cell (goal: < 1 GiB)
// Every repetition checks that the two thread counts give identical statistics.

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <thread>

#include <fmt/format.h>
#include <malloc.h>
#include <sys/resource.h>
#include <tbb/global_control.h>

#include "engine/ensemble.hpp"
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
    countries.*.cadres.*.retirement_rate: {dist: triangular, min: 0.9, mode: 1.0, max: 1.1, apply: multiply}
    corridors.*.*.emigration_rate: {dist: pert, min: 0.5, mode: 1.0, max: 1.5, apply: multiply}
    countries.*.cadres.*.demand_elasticity: {dist: uniform, min: 0.5, max: 1.5, apply: multiply, shared: true}
)");
}

struct timing {
  double seconds;
  double in_runs;  ///< seconds spent inside model::run_sample, summed over threads
  engine::cell_statistics stats;
};

timing time_ensemble(const model::mc_study& study, int threads) {
  tbb::global_control limit(tbb::global_control::max_allowed_parallelism, threads);
  engine::ensemble_options opt;
  opt.runs = study.samples;
  opt.memory_bytes = std::size_t{4} << 30;
  std::atomic<long long> inside{0};
  const auto start = clock_type::now();
  auto st = engine::run_ensemble(study.cells(), opt, [&](std::size_t run, std::span<double> out) {
    const auto a = clock_type::now();
    model::run_sample(study, run, out);
    inside += std::chrono::duration_cast<std::chrono::nanoseconds>(clock_type::now() - a).count();
  });
  const double s = std::chrono::duration<double>(clock_type::now() - start).count();
  return {s, static_cast<double>(inside.load()) * 1e-9, std::move(st)};
}

double peak_rss_mib() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_maxrss) / 1024.0;  // kilobytes on Linux
}

}  // namespace

int main(int argc, char** argv) {
  const auto dir =
      std::filesystem::temp_directory_path() / fmt::format("hwf_mc_bench_{}", ::getpid());
  bench::world_size w;
  if (argc == 3 && std::strcmp(argv[1], "--memory") == 0) {
    // Memory: the ensemble machinery with world-20's cell count; each run's values are cheap
    // synthetic numbers, so that 10^5-10^6 runs finish (memory does not depend on the model).
    const auto runs = static_cast<std::size_t>(std::atoll(argv[2]));
    const auto study = model::prepare_study({write_study(dir, 10).string()}, 10);
    const std::size_t cells = study.cells();
    engine::ensemble_options opt;
    opt.runs = runs;
    opt.memory_bytes = std::size_t{1} << 30;
    const auto start = clock_type::now();
    const auto st = engine::run_ensemble(cells, opt, [&](std::size_t run, std::span<double> out) {
      const double u = engine::uniform01(1, engine::rng_stream::sample, 0, run);
      for (std::size_t c = 0; c < cells; ++c) out[c] = static_cast<double>(c) + u;
    });
    fmt::print(
        "hwfsim Monte Carlo memory benchmark\nworkload: {} runs x {} cells ({} cells of {}), "
        "all quantiles; {} hardware threads\n",
        runs, cells, cells, bench::describe(w), std::thread::hardware_concurrency());
    fmt::print("quantiles: {}; {:.1f} s\npeak memory: {:.0f} MiB   goal < 1024 MiB: {}\n",
               st.exact ? "exact" : "KLL sketches",
               std::chrono::duration<double>(clock_type::now() - start).count(), peak_rss_mib(),
               peak_rss_mib() < 1024 ? "met" : "NOT met");
    std::filesystem::remove_all(dir);
    return 0;
  }

  const std::size_t samples = argc > 1 ? static_cast<std::size_t>(std::atoll(argv[1])) : 400;
  const auto study = model::prepare_study({write_study(dir, samples).string()}, samples);
  fmt::print(
      "hwfsim Monte Carlo speed benchmark\nworkload: {} with {} sampled dimensions (lhs), "
      "{} runs, {} cells per run\nmachine: {} hardware threads\n\n",
      bench::describe(w), study.dimensions.size(), samples, study.cells(),
      std::thread::hardware_concurrency());
  // The machine is shared (a virtual machine's neighbours come and go): each repetition times 1
  // and then 2 threads back to back, and the figures are medians over the repetitions.
  // Freed memory stays with the process, and one untimed ensemble goes first, so that the
  // timings do not depend on how fast the hypervisor hands out fresh pages (the first touch of
  // the exact store's runs x cells x 8 bytes, measured separately below).
  ::mallopt(M_MMAP_MAX, 0);
  ::mallopt(M_TRIM_THRESHOLD, std::numeric_limits<int>::max());
  const auto cold = time_ensemble(study, 1);
  constexpr int repetitions = 5;
  std::vector<double> r1, r2, ratio, outside, slowdown;
  bool identical = true;
  for (int rep = 0; rep < repetitions; ++rep) {
    const auto one = time_ensemble(study, 1);
    const auto two = time_ensemble(study, 2);
    identical =
        identical && one.stats.quantiles.size() == two.stats.quantiles.size() &&
        std::memcmp(one.stats.quantiles.data(), two.stats.quantiles.data(),
                    one.stats.quantiles.size() * 8) == 0 &&
        std::memcmp(one.stats.mean.data(), two.stats.mean.data(), one.stats.mean.size() * 8) == 0;
    r1.push_back(static_cast<double>(samples) / one.seconds);
    r2.push_back(static_cast<double>(samples) / two.seconds);
    ratio.push_back(r2.back() / r1.back());
    outside.push_back(1 - one.in_runs / one.seconds);
    slowdown.push_back(two.in_runs / one.in_runs);
    fmt::print(
        "repetition {}: 1 thread {:6.1f} runs/s, 2 threads {:6.1f} runs/s, speed-up {:.2f}, "
        "outside the runs {:.1f}%; one run takes {:.2f} ms with 1 thread, {:.2f} ms with 2\n",
        rep + 1, r1.back(), r2.back(), ratio.back(), 100 * outside.back(),
        1e3 * one.in_runs / static_cast<double>(samples),
        1e3 * two.in_runs / static_cast<double>(samples));
  }
  const auto median = [](std::vector<double> v) {
    std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(v.size() / 2), v.end());
    return v[v.size() / 2];
  };
  fmt::print("\nmedians of {} repetitions\n1 thread : {:8.1f} runs/s\n2 threads: {:8.1f} runs/s\n",
             repetitions, median(r1), median(r2));
  fmt::print("statistics identical for 1 and 2 threads: {}\n\n", identical ? "yes" : "NO");
  fmt::print("goal: speed-up with 2 threads >= 1.9         : {:.2f}  {}\n", median(ratio),
             median(ratio) >= 1.9 ? "met" : "NOT met");
  fmt::print("goal: time outside the model runs < 10%      : {:.1f}%  {}\n", 100 * median(outside),
             median(outside) < 0.1 ? "met" : "NOT met");
  // A run is the same work with 1 or 2 threads; when it takes longer with both cores busy, the
  // machine (shared caches, memory, the host of a virtual machine) slowed it, not the ensemble.
  fmt::print(
      "one run with 2 threads busy takes {:.2f}x as long as alone; speed-up of the ensemble "
      "itself (runs of equal length): {:.2f}\n",
      median(slowdown), median(ratio) * median(slowdown));
  fmt::print("first ensemble (fresh memory), 1 thread: {:.1f} runs/s, outside the runs {:.1f}%\n",
             static_cast<double>(samples) / cold.seconds, 100 * (1 - cold.in_runs / cold.seconds));
  fmt::print("peak memory: {:.0f} MiB\n", peak_rss_mib());
  std::filesystem::remove_all(dir);
  return identical ? 0 : 1;
}
