// libFuzzer target: the report's readers (run.json and the CSV files of a results folder of
// `run`, `compare`, `mc`, `calibrate` or `sensitivity`) must answer any folder with a page or an
// input_error, never a crash, a hang or another exception. Input: run.json, then "@@ <file name>"
// lines each followed by that file's bytes (fuzz_support.hpp). Build and run: docs/robustness.md.

#include <cstdint>
#include <cstdlib>
#include <set>

#include "engine/diagnostics.hpp"
#include "fuzz_support.hpp"
#include "models/workforce/compiled_model.hpp"
#include "models/workforce/description.hpp"
#include "outputs/csv_writer.hpp"
#include "outputs/html_report.hpp"
#include "outputs/results_catalogue.hpp"
#include "outputs/run_record.hpp"

namespace {

/// Files the report may read; other names in an input are ignored.
const std::set<std::string> known{"run.json",
                                  "indicators.csv",
                                  "corridors.csv",
                                  "summary.csv",
                                  "quantiles.csv",
                                  "corridor_quantiles.csv",
                                  "difference_quantiles.csv",
                                  "corridor_difference_quantiles.csv",
                                  "probabilities.csv",
                                  "fit.csv",
                                  "parameters.csv",
                                  "holdout.csv",
                                  "indices.csv",
                                  "convergence.csv",
                                  "outputs.csv",
                                  "inputs.csv"};

/// The header of a calibrate or sensitivity file: the catalogue's columns around its fixed keys.
std::string header(std::string_view file) {
  const auto& e = hwf::out::result_entry(file);
  return hwf::out::csv_header(e.shape, {e.fixed_keys.begin(), e.fixed_keys.end()});
}

/// A run, a comparison, a Monte Carlo, a calibrate and a sensitivity folder as hwfsim writes
/// them, from the test scenario.
void write_seeds(const std::filesystem::path& dir) {
  const auto s = hwf::model::load_scenario(HWF_GOOD_SCENARIO);
  const hwf::model::compiled_model m(s);
  const auto run = hwf::model::simulate(m, m.default_parameters());
  hwf::out::run_record rec;
  rec.scenario = s.name;
  rec.description = s.description;
  rec.model_name = s.model.name;
  for (const auto& c : s.model.countries)
    rec.countries.push_back({c.iso3, c.name, c.safeguards_list});
  rec.start_year = static_cast<int>(m.start_time());
  rec.end_year = static_cast<int>(m.end_time());
  rec.files = {"indicators.csv", "corridors.csv", "report.html"};
  const auto rows = hwf::out::rows_every(run.result.times.size(), 5);
  const auto indicators = hwf::out::long_csv(s.name, run.result.times, run.result.tables[0], rows);
  const auto corridors = hwf::out::long_csv(s.name, run.result.times, run.result.tables[1], rows);
  const auto record = hwf::out::to_json(rec);
  hwf::fuzz::write(dir / "seed-run", hwf::fuzz::join_files({{"run.json", record},
                                                            {"indicators.csv", indicators},
                                                            {"corridors.csv", corridors}}));
  hwf::fuzz::write(
      dir / "seed-compare",
      hwf::fuzz::join_files(
          {{"run.json", hwf::out::comparison_json({record}, 0.03, {2030})},
           {"indicators.csv", indicators},
           {"corridors.csv", corridors},
           {"summary.csv", "scenario,year,country,indicator,value\n" + s.name +
                               ",2030,AAA,cost_usd,1.5e6\n" + s.name + ",2030,BBB,gap,-0.5\n"}}));
  const std::string q = "mean,sd,p05,p25,p50,p75,p95";
  hwf::fuzz::write(
      dir / "seed-mc",
      hwf::fuzz::join_files(
          {{"run.json",
            hwf::out::monte_carlo_json({s.name}, "lhs", "exact", 7, 10, 10, {},
                                       {"countries.AAA.cadres.nurses.exit_rate"}, {record})},
           {"quantiles.csv", "scenario,year,country,cadre,indicator," + q + "\n" + s.name +
                                 ",2020,AAA,nurses,supply,1,0,1,1,1,1,1\n" + s.name +
                                 ",2025,AAA,nurses,supply,2,0.5,1,1.5,2,2.5,3\n"},
           {"corridor_quantiles.csv", "scenario,year,origin,destination,cadre,indicator," + q +
                                          "\n" + s.name +
                                          ",2021,AAA,BBB,nurses,emigration,3,1,1,2,3,4,5\n"},
           {"probabilities.csv", "scenario,year,country,probability,value\n" + s.name +
                                     ",2030,AAA,gap_closed,0.25\n"}}));
  hwf::out::calibration_summary fit;
  fit.observed_name = "observed";
  fit.observed_file = "observed.yaml";
  fit.fit_from = 2021;
  fit.fit_to = 2025;
  fit.holdout = std::pair{2026, 2027};
  fit.parameters = fit.starts = fit.best_start = 1;
  fit.observations = 2;
  fit.iterations = 3;
  fit.runs = 9;
  fit.cost = 0.5;
  fit.residual_scale = 0.1;
  fit.converged = true;
  fit.message = "Function tolerance reached.";
  fit.holdout_errors = {{0, 2, 2.5, 3.5, 4.5}, {1, 2, 2.5, 3.5, 4.5}};
  auto calibrated = rec;
  calibrated.files = {"fit.csv",     "parameters.csv",  "correlations.csv",
                      "holdout.csv", "calibrated.yaml", "report.html"};
  hwf::fuzz::write(
      dir / "seed-calibrate",
      hwf::fuzz::join_files(
          {{"run.json", hwf::out::calibration_json(fit, hwf::out::to_json(calibrated))},
           {"fit.csv", header("fit.csv") + s.name +
                           ",AAA,,nurses,practising,2021,fit,100,90,99,-0.01,1,\n" + s.name +
                           ",AAA,BBB,nurses,emigration,2026,holdout,10,9,9.5,-0.05,1,\"a, b\"\n"},
           {"parameters.csv",
            header("parameters.csv") +
                "countries.AAA.cadres.nurses.exit_rate,0.06,0.04,0.01,0.2,none,0.002,identified\n"},
           {"holdout.csv", header("holdout.csv") + s.name +
                               ",AAA,,nurses,practising,2026,1,100,99,98,,-1,-2,\n"}}));
  hwf::out::sensitivity_summary sa;
  sa.method = "sobol";
  sa.seed = 7;
  sa.runs = 40;
  sa.inputs = 2;
  sa.outputs = 2;
  sa.patterns = {"AAA.nurses.supply.2030", "AAA-BBB.*.emigration.2030"};
  sa.base_samples = 4;
  sa.second_order = true;
  sa.bootstrap = 10;
  sa.confidence = 0.95;
  sa.run_seconds = 0.1;
  auto studied = rec;
  studied.files = {"indices.csv", "convergence.csv", "outputs.csv", "inputs.csv"};
  const std::string a = "countries.AAA.cadres.nurses.exit_rate", b = "\"a, \"\"group\"\"\"";
  hwf::fuzz::write(
      dir / "seed-sensitivity",
      hwf::fuzz::join_files(
          {{"run.json", hwf::out::sensitivity_json(sa, hwf::out::to_json(studied))},
           {"indices.csv", header("indices.csv") + "AAA.nurses.supply.2030," + a +
                               ",sobol,first_order,0.7,0.5,0.9\n" + "AAA.nurses.supply.2030," + a +
                               ",sobol,total,0.8,0.6,1.1\n" + "AAA.nurses.supply.2030,\"" + a +
                               " & a, \"\"group\"\"\",sobol,second_order,0.01,-0.1,0.1\n" +
                               "AAA-BBB.nurses.emigration.2030," + b + ",sobol,total,0,,\n"},
           {"convergence.csv", header("convergence.csv") + "AAA.nurses.supply.2030," + a +
                                   ",total,16,0.75\n" + "AAA.nurses.supply.2030," + a +
                                   ",first_order,40,0.7\n"},
           {"outputs.csv", header("outputs.csv") +
                               "AAA.nurses.supply.2030,indicators,AAA,nurses,supply,2030,1200.5,"
                               "30.25,no\n"
                               "AAA-BBB.nurses.emigration.2030,corridors,AAA-BBB,nurses,"
                               "emigration,2030,10,0,yes\n"},
           {"inputs.csv", header("inputs.csv") + a + ",parameter," + a +
                              ",\"uniform, 90% within [0.02, 0.05], set\"\n" + b +
                              ",group,countries.AAA.cadres.nurses.entry_rate "
                              "countries.BBB.cadres.nurses.exit_rate,multivariate normal of 2 "
                              "parameters\n"}}));
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  return hwf::fuzz::initialize(write_seeds);
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const auto dir = hwf::fuzz::work_folder("report") / "results";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  for (const auto& [name, bytes] : hwf::fuzz::split_files(text, "run.json"))
    if (known.count(name)) hwf::fuzz::write(dir / name, bytes);
  try {
    (void)hwf::out::report_html(dir, {});
  } catch (const hwf::engine::input_error&) {
    // The expected answer to a folder hwfsim did not write.
  }
  return 0;
}
