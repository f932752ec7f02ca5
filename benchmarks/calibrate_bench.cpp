// Calibration speed on the world dataset: 40 parameters of the 2013 back-cast (the exit rates
// of doctors and nurses given as one number, then the intakes of nurses and of doctors) fitted to
// the WHO GHO counts of 2013-2017, 2018-2020 held out. Prints the workload, iterations, runs, wall
// time, the fit's cost and the hold-out errors, and whether the goal (under a minute on 2 cores) is
// met.
//
// Usage: hwf_calibrate_bench [--threads N] [--starts N]   (from the source root)

#include <chrono>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <thread>

#include <unistd.h>

#include <fmt/format.h>

#include "app/calibrate_study.hpp"
#include "models/workforce/compiled_model.hpp"

int main(int argc, char** argv) {
  using namespace hwf;
  std::size_t threads = 2, starts = 2;
  for (int i = 1; i + 1 < argc; ++i) {
    if (std::strcmp(argv[i], "--threads") == 0)
      threads = std::strtoul(argv[++i], nullptr, 10);
    else if (std::strcmp(argv[i], "--starts") == 0)
      starts = std::strtoul(argv[++i], nullptr, 10);
  }
  const auto root = std::filesystem::current_path();
  const auto base = root / "scenarios/validation/backcast-2013.yaml";
  const auto observed = root / "models/world/observed.yaml";
  if (!std::filesystem::exists(base)) {
    fmt::print(stderr, "run from the source root: {} not found\n", base.string());
    return 2;
  }
  // The parameters: every doctors' and nurses' exit rate given as one number (nurses with age
  // bands give one per band: left out), then nursing seats, then doctors' seats, to 40.
  const auto sd = model::load_scenario(base);
  const auto& params = sd.model.params;
  std::vector<std::pair<std::string, std::pair<double, double>>> fitted;
  for (const char* cadre : {"doctors", "nurses"})
    for (const auto& c : sd.model.countries)
      if (const auto i =
              params.find(fmt::format("countries.{}.cadres.{}.exit_rate", c.iso3, cadre)))
        fitted.push_back({params[*i].path, {0.005, 0.2}});
  for (const char* cadre : {"nurses", "doctors"})
    for (const auto& c : sd.model.countries)
      if (const auto i = params.find(fmt::format("countries.{}.cadres.{}.seats", c.iso3, cadre));
          i && fitted.size() < 40)
        fitted.push_back({params[*i].path, {params[*i].value / 4, params[*i].value * 4}});
  fitted.resize(std::min<std::size_t>(fitted.size(), 40));

  const auto dir =
      std::filesystem::temp_directory_path() / fmt::format("hwf_calibrate_bench_{}", ::getpid());
  std::filesystem::create_directories(dir);
  std::string yaml = fmt::format(
      "scenario: backcast-2013-fit\nextends: \"{}\"\ncalibration:\n  observed: \"{}\"\n"
      "  fit: {{from: 2013, to: 2017}}\n  holdout: {{from: 2018, to: 2020}}\n  seed: 2026\n"
      "  starts: {}\n  parameters:\n",
      base.generic_string(), observed.generic_string(), starts);
  for (const auto& [path, b] : fitted)
    yaml += fmt::format("    {}: {{min: {}, max: {}}}\n", path, b.first, b.second);
  std::ofstream(dir / "fit.yaml") << yaml;

  fmt::print("hwfsim calibration benchmark\n");
  fmt::print(
      "workload: the 2013 back-cast (world dataset), {} parameters, fit 2013-2017, "
      "hold-out 2018-2020, {} starts\n",
      fitted.size(), starts);
  fmt::print("machine: {} hardware threads; {} used\n", std::thread::hardware_concurrency(),
             threads);
  const auto t0 = std::chrono::steady_clock::now();
  app::calibrate_options o;
  o.scenario = (dir / "fit.yaml").string();
  o.threads = threads;
  o.output = (dir / "out").string();
  const auto r = app::calibrate_study(o).execute();
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  const auto& f = r.fit();
  std::size_t identified = 0, weak = 0, bounds = 0;
  for (std::size_t i = 0; i < f.estimate.size(); ++i) {
    identified += f.identified[i] && !f.at_bound[i] && !f.weak[i];
    weak += f.weak[i];
    bounds += f.at_bound[i];
  }
  fmt::print("observed values fitted: {}; held out: {}\n", r.problem().fit_points,
             r.problem().points.size() - r.problem().fit_points);
  fmt::print("iterations (best start): {}; runs (all starts, Jacobians included): {}\n",
             f.starts[f.best].iterations, f.evaluations);
  double start_cost = 0;  // the observations' cost before the fit
  for (std::size_t i = 0; i < r.problem().fit_points; ++i) {
    const double res = std::log(r.start_values()[i] / r.problem().points[i].observed);
    start_cost += 0.5 * res * res;
  }
  fmt::print(
      "cost: {:.4g} before the fit, {:.4g} after ({}); identified: {}, weakly identified: {}, "
      "on a bound: {}, not identified: {}\n",
      start_cost, f.cost, f.converged ? "converged" : "not converged", identified, weak, bounds,
      f.estimate.size() - identified - weak - bounds);
  fmt::print("{}", r.text().substr(r.text().find("Hold-out") == std::string::npos
                                       ? r.text().size()
                                       : r.text().find("Hold-out")));
  fmt::print("wall time: {:.1f} s ({:.2f} ms per run)\n\n", seconds, seconds * 1e3 / f.evaluations);
  fmt::print(
      "goal: 40 parameters of the world dataset in under a minute on 2 cores: {:.1f} s  {}\n",
      seconds, seconds < 60 && fitted.size() == 40 ? "met" : "NOT met");
  std::filesystem::remove_all(dir);
  return 0;
}
