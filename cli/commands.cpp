#include "cli/commands.hpp"

#include <cmath>
#include <cstdlib>
#include <map>

namespace hwf::cli {

namespace {

// An empty folder name is a mistake, not a request for the default folder.
const CLI::Validator folder_name(
    [](const std::string& s) { return s.empty() ? std::string("a folder name is needed") : ""; },
    "");
const CLI::Validator file_name(
    [](const std::string& s) { return s.empty() ? std::string("a file name is needed") : ""; }, "");
/// A results folder's options: -o (by default `where`) and --force.
void add_folder(CLI::App& command, std::string& output, bool& force, const std::string& where) {
  command.add_option("-o,--output", output, "Results folder (default: " + where + ")")
      ->check(folder_name);
  command.add_flag("--force", force, "Write into a results folder that already holds files");
}
constexpr const char* xlsx_help =
    "Also write results.xlsx: key figures, charts and every table for Excel";
constexpr const char* strict_help =
    "Treat warnings (a policy that never acts within the horizon) as errors: exit 2";

void add_run(CLI::App& app, command_line& c) {
  auto* run = app.add_subcommand("run", "Run a scenario and write its results (CSV, run.json)");
  run->add_option("scenario", c.run.scenario, "Scenario YAML file")->required();
  add_folder(*run, c.run.output, c.run.force, "results/<scenario name>");
  run->add_flag("--xlsx", c.run.xlsx, xlsx_help);
  run->add_flag("-q,--quiet", c.quiet,
                "Print nothing on success (warnings and notes still go to standard error)");
  run->add_flag("--strict", c.run.report.strict, strict_help);
}

void add_inspections(CLI::App& app, command_line& c) {
  auto* validate =
      app.add_subcommand("validate", "Load and check a scenario and its model; run nothing");
  validate->add_option("scenario", c.scenario, "Scenario YAML file")->required();
  validate->add_flag("--strict", c.validate.strict, strict_help);
  auto* show = app.add_subcommand(
      "show", "Print the resolved scenario (after extends and set:) with each value's origin");
  show->add_option("scenario", c.scenario, "Scenario YAML file")->required();
  auto* params =
      app.add_subcommand("params", "List every parameter path with its value, unit and source");
  params->add_option("scenario", c.scenario, "Scenario YAML file")->required();
  params->add_flag("--csv", c.csv, "Print CSV (with range, flag and location) instead of a table");
  params->add_option("--grep", c.filter, "Only paths containing this text");
}

void add_compare(CLI::App& app, command_line& c) {
  auto& o = c.compare;
  auto* compare = app.add_subcommand(
      "compare", "Run a baseline and other scenarios; write deltas, summaries, cost-effectiveness");
  compare->add_option("scenarios", o.scenarios, "Baseline scenario first, then the others")
      ->required()
      ->expected(2, 1000);
  add_folder(*compare, o.output, o.force, "results/compare");
  compare
      ->add_option("--discount-rate", o.discount_rate,
                   "Yearly discount rate for cost-effectiveness (default: the baseline "
                   "scenario's discount_rate, 0.03 unless set)")
      ->check(app::fraction_check)
      ->check(CLI::Range(0.0, 0.5));
  compare->add_option("--years", o.years,
                      "Summary years, comma-separated (default: start + 5, start + 10, end); a "
                      "printed table for each (default: the end year's)");
  compare->add_option("--countries", o.countries,
                      "Countries of the printed tables: ISO3 codes, comma-separated, any case "
                      "(default: all; the files always hold all)");
  compare->add_option("--cadre", o.cadre,
                      "Print the tables for this cadre instead of all cadres (the files always "
                      "hold every cadre)");
  compare->add_option("--threads", o.threads, "Most threads to use (default: all cores)")
      ->check(CLI::Range(1, 1024));
  compare->add_flag("--xlsx", o.xlsx, xlsx_help);
  compare->add_option("--published", o.published,
                      "Published projections YAML file: set each against the same change in a "
                      "compared scenario (projections.md, projections.csv)");
  compare->add_option("--published-report", o.published_report,
                      "Also write projections.md to this file (replacing it), e.g. "
                      "pages/projections.md");
  compare->add_flag("-q,--quiet", c.quiet, "Print nothing on success");
  compare->add_flag("--strict", o.report.strict, strict_help);
  auto* sources = app.add_subcommand(
      "sources",
      "Print every parameter with its source and flag as Markdown (docs/data-sources.md)");
  sources->add_option("scenario", c.scenario, "Scenario YAML file")->required();
}

void add_backcast(CLI::App& app, command_line& c) {
  auto& o = c.backcast;
  auto* backcast = app.add_subcommand(
      "backcast", "Run a scenario that starts in the past and compare it with observed counts");
  backcast->add_option("scenario", o.scenario, "Scenario YAML file (starting in a past year)")
      ->required();
  backcast->add_option("--observed", o.observed, "Observed-data YAML file")->required();
  add_folder(*backcast, o.output, o.force, "results/<scenario name>-backcast");
  backcast->add_option(
      "--report", o.report,
      "Also write the Markdown report to this file (and validation.svg beside it)");
  backcast->add_flag("-q,--quiet", c.quiet, "Print nothing on success");
}

void add_calibrate(CLI::App& app, command_line& c) {
  auto& o = c.calibrate;
  auto* calibrate = app.add_subcommand(
      "calibrate",
      "Fit a scenario's chosen parameters to observed series (its calibration block) and judge "
      "the fit on hold-out years");
  calibrate->add_option("scenario", o.scenario, "Scenario YAML file with a calibration block")
      ->required();
  add_folder(*calibrate, o.output, o.force, "results/<scenario name>-calibrated");
  calibrate->add_option("--threads", o.threads, "Most threads to use (default: all cores)")
      ->check(CLI::Range(1, 1024));
  calibrate->add_flag("--emit-uncertainty", o.emit_uncertainty,
                      "Also write uncertainty.yaml: the estimates drawn from their covariance "
                      "(a multivariate-normal group), ready for hwfsim mc");
  calibrate->add_option("--report", o.report_page,
                        "Also write the hold-out page (holdout.md) to this file, replacing it");
  calibrate->add_option("--published", o.published,
                        "Published projections YAML file: set the --compare scenarios against "
                        "them (projections.csv, and a section of the hold-out page)");
  calibrate->add_option("--compare", o.compare,
                        "Scenario YAML files to set against the published projections, the "
                        "baseline first (with --published)");
  calibrate->add_flag("-q,--quiet", c.quiet, "Print nothing on success (no progress)");
  calibrate->add_flag("--strict", o.report.strict, strict_help);
}

void add_mc_distribution(CLI::App& mc, app::mc_distribution& dist, command_line& c) {
  mc.add_option("--chunk-runs", dist.chunk_runs,
                "Runs per chunk: the unit of checkpoints and of MPI work (results do not depend "
                "on it). Default 64; 2048 when quantiles are sketched (beyond --memory), which "
                "then needs a multiple of 2048")
      ->check(CLI::Range(std::size_t{1}, std::size_t{1'000'000}));
  mc.add_flag("--checkpoint", c.mc_switches.checkpoint,
              "Save completed chunks in <output>/checkpoint/ as the runs go (default under "
              "mpirun or srun)");
  mc.add_flag("--no-checkpoint", c.mc_switches.no_checkpoint, "Save no checkpoint, also under MPI")
      ->excludes("--checkpoint");
  mc.add_option("--checkpoint-interval", dist.checkpoint_interval,
                "Seconds between saves of the quantile sketches' state (beyond --memory); "
                "chunks are saved as they finish")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 86400.0))
      ->check(CLI::Validator(
          [](std::string& text) {  // CLI::Range lets NaN through (no comparison fails)
            return std::isnan(std::strtod(text.c_str(), nullptr))
                       ? "Value " + text + " not in range [0 - 86400]"
                       : std::string();
          },
          "", "NUMBER"));
  mc.add_option("--resume", dist.resume,
                "Carry on an interrupted run from the checkpoint in this results folder (same "
                "scenarios, seed, samples and binary)")
      ->check(folder_name);
}

void add_mc(CLI::App& app, command_line& c) {
  auto& o = c.mc;
  auto* mc = app.add_subcommand(
      "mc", "Monte Carlo: run a scenario's uncertainty samples in parallel; write quantiles");
  mc->add_option("scenarios", o.scenarios,
                 "Scenario YAML file with an `uncertainty` block; with --compare, the baseline "
                 "first, then the others")
      ->required();
  mc->add_flag("--compare", c.mc_switches.compare,
               "Compare the scenarios on common random numbers: differences from the baseline and "
               "probabilities");
  add_folder(*mc, o.output, o.force, "results/<scenario name>-mc");
  mc->add_option("--samples", o.samples, "Number of runs (default: uncertainty.samples)")
      ->check(CLI::Range(std::size_t{1}, std::size_t{10'000'000}));
  mc->add_option("--threads", o.threads, "Most threads to use (default: all cores)")
      ->check(CLI::Range(1, 1024));
  mc->add_option("--memory", o.memory_mb,
                 "Most MiB for run values: exact quantiles need runs x values x 8 bytes; beyond, "
                 "quantile sketches")
      ->capture_default_str()
      ->check(CLI::Range(std::size_t{1}, std::size_t{1} << 24));
  mc->add_flag("--save-runs", c.mc_switches.save_runs,
               "Also write every run's values to runs.nc (NetCDF-4)");
  mc->add_option("--save-indicators", c.mc_switches.save_indicators,
                 "Indicators to save with --save-runs, comma-separated (default: all)");
  mc->add_flag("--skip-failed", o.skip_failed,
               "Exclude runs that fail (e.g. a sample drives a stock negative) and report them");
  mc->add_flag("--xlsx", o.xlsx, xlsx_help);
  mc->add_flag("-q,--quiet", c.quiet, "Print nothing on success (no progress)");
  mc->add_flag("--strict", o.report.strict, strict_help);
  add_mc_distribution(*mc, o.dist, c);
}

void add_sensitivity(CLI::App& app, command_line& c) {
  auto& o = c.sensitivity;
  auto* s = app.add_subcommand(
      "sensitivity",
      "Which inputs drive the results: Sobol indices or Morris effects of a scenario's "
      "uncertainty inputs on chosen outputs");
  s->add_option("scenario", o.scenario, "Scenario YAML file with an `uncertainty` block")
      ->required();
  add_folder(*s, o.output, o.force, "results/<scenario name>-sensitivity");
  s->add_option("--method", c.method, "sobol (variance-based indices) or morris (screening)")
      ->check(CLI::IsMember({"sobol", "morris"}))
      ->capture_default_str();
  s->add_option("--outputs", o.outputs,
                "Outputs PLACE.CADRE.INDICATOR.YEAR, * for any part, comma-separated (default: "
                "*.all.density_per_10k.END,*.all.shortage.END)")
      ->delimiter(',');
  s->add_option("--base-samples", o.base_samples,
                "Sobol: base samples N, a power of two above the number of inputs; "
                "N x (inputs + 2) runs")
      ->capture_default_str();
  s->add_flag("--second-order", o.second_order,
              "Sobol: also the second-order indices of every pair (N x (2 inputs + 2) runs)");
  s->add_option("--bootstrap", o.bootstrap,
                "Sobol: bootstrap replicates of the intervals (0: none)")
      ->capture_default_str()
      ->check(CLI::Range(std::size_t{0}, std::size_t{100'000}));
  s->add_option("--confidence", o.confidence, "Sobol: the intervals' confidence level")
      ->capture_default_str();
  s->add_option("--trajectories", o.trajectories, "Morris: trajectories r; r x (inputs + 1) runs")
      ->capture_default_str();
  s->add_option("--levels", o.levels, "Morris: grid levels p, even")->capture_default_str();
  s->add_option("--threads", o.threads, "Most threads to use (default: all cores)")
      ->check(CLI::Range(1, 1024));
  s->add_flag("-q,--quiet", c.quiet, "Print nothing on success (no progress)");
  s->add_flag("--strict", o.report.strict, strict_help);
}

void add_workshop(CLI::App& app, command_line& c) {
  auto& o = c.workshop;
  auto* workshop = app.add_subcommand(
      "workshop",
      "Write one offline HTML page that runs scenarios in the browser, with sliders and charts");
  workshop
      ->add_option("scenarios", o.scenarios,
                   "Scenario YAML files (the page opens the first and offers the others)")
      ->required()
      ->expected(1, 100);
  workshop->add_option("-o,--output", o.output, "The page (default: results/workshop.html)")
      ->check(file_name);
  workshop->add_flag("--force", o.force, "Replace the page if it exists");
  workshop->add_flag("-q,--quiet", c.quiet, "Print nothing on success");
  workshop->add_flag("--strict", o.report.strict, strict_help);
}

void add_others(CLI::App& app, command_line& c) {
  auto* schema = app.add_subcommand(
      "schema",
      "Print the reference of every numeric key (Markdown), or write the JSON Schemas of "
      "datasets and scenarios for editors");
  auto* json = schema
                   ->add_option("--json-schema", c.json_schema_folder,
                                "Write model.schema.json and scenario.schema.json into this "
                                "folder instead (docs/schema/ holds this build's)")
                   ->check(folder_name);
  schema->add_flag("--force", c.schema_force, "Replace schema files that differ from this build's")
      ->needs(json);
  schema->add_flag("-q,--quiet", c.quiet, "Print nothing on success");
  auto* report = app.add_subcommand("report",
                                    "Rebuild report.html (interactive charts) from a results "
                                    "folder of run, compare, mc, calibrate or sensitivity");
  report->add_option("folder", c.report_folder, "Results folder (with run.json)")->required();
  report->add_flag("-q,--quiet", c.quiet, "Print nothing on success");
}

}  // namespace

void add_commands(CLI::App& app, command_line& c) {
  add_run(app, c);
  add_inspections(app, c);
  add_compare(app, c);
  add_backcast(app, c);
  add_calibrate(app, c);
  add_mc(app, c);
  add_sensitivity(app, c);
  add_workshop(app, c);
  add_others(app, c);
}

}  // namespace hwf::cli
