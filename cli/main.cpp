// hwfsim command line: wires the loader, the compiled model, the solver and the writers.
// This is the one place where errors become exit codes (docs/cli.md):
//   0 success, 1 run or output failure, 2 bad input or usage, 3 results folder not empty.

#include <chrono>
#include <cmath>
#include <cstdio>
#include <iostream>

#include <fmt/format.h>
#include <CLI/CLI.hpp>

#include "engine/build_info.hpp"
#include "engine/diagnostics.hpp"
#include "models/workforce/compiled_model.hpp"
#include "models/workforce/description.hpp"
#include "models/workforce/schema.hpp"
#include "outputs/atomic_file.hpp"
#include "outputs/csv_writer.hpp"
#include "outputs/run_record.hpp"

namespace hwf::cli {

enum exit_code : int { ok = 0, run_failed = 1, bad_input = 2, folder_not_empty = 3 };

namespace {

class results_exist : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

std::string step_text(double step) {
  const double per_year = std::round(1.0 / step);
  return per_year == 1 ? "1" : fmt::format("1/{}", per_year);
}

/// The value of `indicator` for country `iso3`, cadre `all`, at output row `row`.
double country_value(const model::compiled_model& m, const engine::table_values& t, std::size_t row,
                     std::size_t country, std::string_view indicator) {
  const auto names = model::indicator_names();
  const auto i =
      static_cast<std::size_t>(std::find(names.begin(), names.end(), indicator) - names.begin());
  return t.row(row)[m.countries()[country].series_all + i];
}

void print_summary(const model::compiled_model& m, const engine::run_result& r) {
  const auto& t = r.tables[0];
  const std::size_t first = 0, last = r.times.size() - 1;
  const int y0 = static_cast<int>(r.times[first]), y1 = static_cast<int>(r.times[last]);
  fmt::print("\nAll cadres, {} and {} (density per 10,000 people; SDG index threshold 44.5):\n\n",
             y0, y1);
  fmt::print("{:<8}{:>14}{:>14}{:>10}{:>10}{:>13}{:>13}\n", "country", fmt::format("supply {}", y0),
             fmt::format("supply {}", y1), fmt::format("dens {}", y0), fmt::format("dens {}", y1),
             fmt::format("short. {}", y0), fmt::format("short. {}", y1));
  for (std::size_t c = 0; c < m.countries().size(); ++c) {
    const auto v = [&](std::size_t row, std::string_view ind) {
      return country_value(m, t, row, c, ind);
    };
    fmt::print("{:<8}{:>14.0f}{:>14.0f}{:>10.1f}{:>10.1f}{:>13.0f}{:>13.0f}\n",
               m.countries()[c].iso3, v(first, "supply"), v(last, "supply"),
               v(first, "density_per_10k"), v(last, "density_per_10k"), v(first, "shortage"),
               v(last, "shortage"));
  }
}

int cmd_run(const std::string& scenario_path, std::string out_dir, bool force, bool quiet) {
  const auto started = std::chrono::steady_clock::now();
  const auto scenario = model::load_scenario(scenario_path);
  const model::compiled_model m(scenario);
  if (out_dir.empty()) out_dir = "results/" + scenario.name;
  try {
    out::prepare_results_folder(out_dir, force);
  } catch (const out::output_error& e) {
    throw results_exist(e.what());
  }
  const auto params = m.default_parameters();
  const auto run = model::simulate(m, params);
  const double wall =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();

  out::run_record rec;
  rec.scenario = scenario.name;
  rec.description = scenario.description;
  rec.version = std::string(engine::build_version());
  rec.commit = std::string(engine::build_commit());
  rec.inputs = {{scenario.file.display_name, scenario.file.sha256},
                {scenario.model.file.display_name, scenario.model.file.sha256}};
  rec.start_year = static_cast<int>(m.start_time());
  rec.end_year = static_cast<int>(m.end_time());
  rec.output_interval_years = m.output_interval_years();
  rec.solver = m.solver();
  rec.stats = run.stats.solver;
  rec.wall_seconds = wall;
  rec.mass_balance_residual = run.stats.mass_balance_residual;

  const std::filesystem::path dir(out_dir);
  if (scenario.output.indicators) {
    out::write_file_atomically(
        dir / "indicators.csv",
        out::long_csv(scenario.name, run.result.times, run.result.tables[0]));
    rec.files.push_back("indicators.csv");
  }
  if (scenario.output.corridors) {
    out::write_file_atomically(dir / "corridors.csv", out::long_csv(scenario.name, run.result.times,
                                                                    run.result.tables[1]));
    rec.files.push_back("corridors.csv");
  }
  out::write_file_atomically(dir / "run.json", out::to_json(rec));

  if (!quiet) {
    fmt::print("Scenario {}: {} to {}, {} step {} years, {:.1f} ms, mass-balance residual {:.1e}\n",
               scenario.name, m.start_time(), m.end_time(), engine::to_string(m.solver().kind),
               step_text(m.solver().step_years), wall * 1e3, run.stats.mass_balance_residual);
    fmt::print("Results in {}/: {}, run.json\n", dir.generic_string(), fmt::join(rec.files, ", "));
    print_summary(m, run.result);
  }
  return ok;
}

int cmd_validate(const std::string& scenario_path) {
  const auto scenario = model::load_scenario(scenario_path);
  const model::compiled_model m(scenario);
  std::size_t cc = m.blocks().size();
  fmt::print(
      "{}: valid. Model {} ({}): {} countries, {} cadres, {} country-cadres, {} corridor "
      "cadres, {} parameters, {} state variables; {} to {}.\n",
      scenario.file.display_name, scenario.model.name, scenario.model.file.display_name,
      m.countries().size(), m.cadre_ids().size(), cc, m.corridors().size(), m.parameters().size(),
      m.layout().size(), m.start_time(), m.end_time());
  return ok;
}

int cmd_params(const std::string& scenario_path, bool csv, const std::string& filter) {
  const auto scenario = model::load_scenario(scenario_path);
  const auto& table = scenario.model.params;
  if (csv) {
    fmt::print("path,value,unit,range,source,flag,note,set_at\n");
    for (const auto& p : table.items()) {
      if (!filter.empty() && p.path.find(filter) == std::string::npos) continue;
      fmt::print(
          "{},{},{},{},{},{},{},{}\n", out::csv_field(p.path), p.value, out::csv_field(p.unit),
          out::csv_field(p.range.describe()), out::csv_field(p.source), model::to_string(p.flag),
          out::csv_field(p.note),
          out::csv_field(fmt::format("{}:{}:{}", p.where.file, p.where.line, p.where.column)));
    }
    return ok;
  }
  std::size_t width = 4;
  for (const auto& p : table.items()) width = std::max(width, p.path.size());
  fmt::print("{:<{}}  {:>14}  {:<18}  {}\n", "path", width, "value", "unit", "source");
  for (const auto& p : table.items()) {
    if (!filter.empty() && p.path.find(filter) == std::string::npos) continue;
    std::string source = p.source;
    if (p.flag != model::evidence::unstated)
      source += fmt::format(" [{}]", model::to_string(p.flag));
    if (!p.note.empty()) source += (source.empty() ? "" : "; ") + p.note;
    if (p.overridden) source += fmt::format(" (set at {}:{})", p.where.file, p.where.line);
    fmt::print("{:<{}}  {:>14}  {:<18}  {}\n", p.path, width, fmt::format("{:.6g}", p.value),
               p.unit, source);
  }
  return ok;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"hwfsim: health-workforce migration scenarios (stocks, flows, policies)", "hwfsim"};
  app.set_version_flag(
      "--version", fmt::format("hwfsim {} ({})", engine::build_version(), engine::build_commit()));
  app.require_subcommand(1);

  std::string scenario, out_dir, filter;
  bool force = false, quiet = false, csv = false;

  auto* run = app.add_subcommand("run", "Run a scenario and write its results (CSV, run.json)");
  run->add_option("scenario", scenario, "Scenario YAML file")->required();
  run->add_option("-o,--output", out_dir, "Results folder (default: results/<scenario name>)");
  run->add_flag("--force", force, "Write into a results folder that already holds files");
  run->add_flag("-q,--quiet", quiet, "Print nothing on success");

  auto* validate =
      app.add_subcommand("validate", "Load and check a scenario and its model; run nothing");
  validate->add_option("scenario", scenario, "Scenario YAML file")->required();

  auto* params =
      app.add_subcommand("params", "List every parameter path with its value, unit and source");
  params->add_option("scenario", scenario, "Scenario YAML file")->required();
  params->add_flag("--csv", csv, "Print CSV (with range, flag and location) instead of a table");
  params->add_option("--grep", filter, "Only paths containing this text");

  auto* schema =
      app.add_subcommand("schema", "Print the reference of every numeric dataset key (Markdown)");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int rc = app.exit(e);
    return rc == 0 ? ok : bad_input;
  }

  try {
    if (*run) return cmd_run(scenario, out_dir, force, quiet);
    if (*validate) return cmd_validate(scenario);
    if (*params) return cmd_params(scenario, csv, filter);
    if (*schema) {
      fmt::print("{}", model::schema_markdown());
      return ok;
    }
  } catch (const engine::input_error& e) {
    std::cerr << e.what() << "\n";
    return bad_input;
  } catch (const results_exist& e) {
    std::cerr << "error: " << e.what() << "\n";
    return folder_not_empty;
  } catch (const out::output_error& e) {
    std::cerr << "error: " << e.what() << "\n";
    return run_failed;
  } catch (const engine::numerical_error& e) {
    std::cerr << "error: the run failed: " << e.what() << "\n";
    return run_failed;
  } catch (const std::exception& e) {
    std::cerr << "internal error: " << e.what() << "\n";
    return run_failed;
  }
  return ok;
}

}  // namespace hwf::cli

int main(int argc, char** argv) {
  return hwf::cli::main(argc, argv);
}
