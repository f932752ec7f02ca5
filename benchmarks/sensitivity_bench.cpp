// hwfsim sensitivity benchmark (docs/benchmarks.md):
//   hwf_sensitivity_bench [BASE_SAMPLES]   Sobol indices of 20 inputs on world-20 for 10 outputs
//                                          (default N = 4096: N x 22 = 90,112 runs) on 2 threads,
//                                          as `hwfsim sensitivity` runs it (indices, bootstrap,
//                                          convergence, files, report); the wall time and the
//                                          share of it spent outside the model runs (goal < 10%)
// The model runs alone are timed as a bare parallel loop of the same runs on the same threads;
// the command's own ensemble time (run.json) splits off the work after the runs. On a shared
// machine the two timings of the runs differ by a few percent either way.

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <thread>

#include <fmt/format.h>
#include <sys/resource.h>
#include <tbb/enumerable_thread_specific.h>
#include <tbb/global_control.h>
#include <tbb/parallel_for.h>
#include <unistd.h>
#include <nlohmann/json.hpp>

#include "app/sensitivity_study.hpp"
#include "engine/sensitivity.hpp"
#include "models/workforce/sensitivity.hpp"
#include "outputs/atomic_file.hpp"
#include "synthetic_world.hpp"

using namespace hwf;
using clock_type = std::chrono::steady_clock;

namespace {

/// 20 inputs: each source's exit rates and each destination's retirement rates, every cadre of
/// a country scaled by one shared draw.
std::string inputs_yaml() {
  std::string y;
  for (int c = 0; c < 20; ++c)
    y += fmt::format(
        "    countries.XA{}.cadres.*.{}: {{dist: uniform, min: 0.8, max: 1.2, apply: multiply, "
        "shared: true}}\n",
        static_cast<char>('A' + c), c < 10 ? "exit_rate" : "retirement_rate");
  return y;
}

double seconds_since(clock_type::time_point start) {
  return std::chrono::duration<double>(clock_type::now() - start).count();
}

/// CPU seconds of this process so far (every thread): unlike the wall time, hardly moved by
/// other processes sharing the cores.
double cpu_seconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         1e-6 * static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec);
}

}  // namespace

int main(int argc, char** argv) {
  const std::size_t n = argc > 1 ? static_cast<std::size_t>(std::atoll(argv[1])) : 4096;
  constexpr int threads = 2;
  const auto dir =
      std::filesystem::temp_directory_path() / fmt::format("hwf_sensitivity_bench_{}", ::getpid());
  const auto scenario = bench::write_uncertain_world(dir, 10, inputs_yaml());
  const auto study = model::prepare_study({scenario.string()}, std::nullopt);
  const auto end = static_cast<int>(study.times.back());
  // 10 outputs: the density of five sources and five destinations, all cadres, at the horizon.
  std::vector<std::string> patterns;
  for (const char c : std::string("ABCDEKLMNO"))
    patterns.push_back(fmt::format("XA{}.all.density_per_10k.{}", c, end));
  const auto inputs = model::sensitivity_inputs(study);
  const auto outputs = model::select_outputs(study, patterns);
  const engine::saltelli_design design(study.dimensions.size(), model::factors_of(inputs), n,
                                       study.scenarios[0].uncertainty.seed, false);
  fmt::print(
      "hwfsim sensitivity benchmark\nworkload: {}; Sobol indices of {} inputs for {} outputs, "
      "N = {} base samples, {} runs, 1000 bootstrap replicates\nmachine: {} hardware threads; "
      "{} threads used\n\n",
      bench::describe(bench::world_size{}), inputs.size(), outputs.size(), n, design.runs(),
      std::thread::hardware_concurrency(), threads);

  // The whole command: design, runs, indices, intervals, convergence, files and report.
  app::sensitivity_options o;
  o.scenario = scenario.string();
  o.output = (dir / "results").string();
  o.outputs = patterns;
  o.base_samples = n;
  o.threads = threads;
  int args = 1;
  char name[] = "hwf_sensitivity_bench";
  char* arg_list[] = {name, nullptr};
  char** argv_list = arg_list;
  auto start = clock_type::now();
  double cpu = cpu_seconds();
  app::sensitivity_and_write(o, args, argv_list);
  const double whole = seconds_since(start), whole_cpu = cpu_seconds() - cpu;

  // The model runs alone, on the same threads.
  tbb::global_control limit(tbb::global_control::max_allowed_parallelism, threads);
  struct scratch {
    std::vector<double> u, cells;
  };
  tbb::enumerable_thread_specific<scratch> local;
  std::vector<double> y(design.runs() * outputs.size());
  start = clock_type::now();
  cpu = cpu_seconds();
  tbb::parallel_for(std::size_t{0}, design.runs(), [&](std::size_t run) {
    auto& s = local.local();
    s.cells.resize(study.cells());
    design.point(run, s.u);
    model::run_point(study, s.u, s.cells);
    for (std::size_t i = 0; i < outputs.size(); ++i)
      y[run * outputs.size() + i] = s.cells[outputs[i].cell];
  });
  const double runs = seconds_since(start), runs_cpu = cpu_seconds() - cpu;
  // The command's own account: the wall time of its ensemble (run.json's run_seconds); the rest
  // of the command is the design, the indices, the intervals, the convergence and the files.
  const auto json = out::read_file(dir / "results" / "run.json");
  const double ensemble =
      json ? nlohmann::json::parse(*json).at("sensitivity").at("run_seconds").get<double>() : 0;
  const double outside = 1 - runs / whole, outside_cpu = 1 - runs_cpu / whole_cpu;
  fmt::print(
      "                         wall      CPU (all threads)\n"
      "the whole command    {:8.1f} s {:8.1f} s\n"
      "the model runs alone {:8.1f} s {:8.1f} s   ({:.2f} ms of CPU per run)\n"
      "outside the runs     {:8.1f}% {:8.1f}%    goal < 10% of the wall time: {}\n",
      whole, whole_cpu, runs, runs_cpu, 1e3 * runs_cpu / static_cast<double>(design.runs()),
      100 * outside, 100 * outside_cpu, outside < 0.10 ? "met" : "NOT met");
  fmt::print(
      "\nwithin the command: its ensemble of runs {:.1f} s; everything else (design, indices, "
      "bootstrap,\nconvergence, files, report) {:.2f} s, {:.2f}% of the wall time\n",
      ensemble, whole - ensemble, 100 * (whole - ensemble) / whole);
  std::filesystem::remove_all(dir);
  return 0;
}
