// hwfsim command line: wires the loader, the compiled model, the solver and the writers.
// This is the one place where errors become exit codes (docs/cli.md):
//   0 success, 1 run or output failure, 2 bad input or usage, 3 results folder not empty.

#include <array>
#include <charconv>
#include <chrono>
#include <cmath>
#include <iostream>
#include <optional>
#include <sstream>

#include <fmt/format.h>
#include <tbb/global_control.h>
#include <tbb/parallel_for.h>
#include <csignal>
#include <cstdlib>
#include <mutex>

#include <unistd.h>

#include <CLI/CLI.hpp>

#include "engine/build_info.hpp"
#include "engine/diagnostics.hpp"
#include "engine/ensemble.hpp"
#ifdef HWF_HAVE_MPI
#include "engine/mpi_ensemble.hpp"
#endif
#include "engine/quantile_sketch.hpp"
#include "engine/sampling.hpp"
#include "models/workforce/backcast.hpp"
#include "models/workforce/comparison.hpp"
#include "models/workforce/compiled_model.hpp"
#include "models/workforce/data_sources.hpp"
#include "models/workforce/description.hpp"
#include "models/workforce/indicators.hpp"
#include "models/workforce/monte_carlo.hpp"
#include "models/workforce/resolved_yaml.hpp"
#include "models/workforce/safeguards_list.hpp"
#include "models/workforce/schema.hpp"
#include "models/workforce/uncertainty.hpp"
#include "outputs/atomic_file.hpp"
#include "outputs/checkpoint.hpp"
#include "outputs/csv_writer.hpp"
#include "outputs/html_report.hpp"
#include "outputs/netcdf_runs.hpp"
#include "outputs/run_record.hpp"
#include "outputs/validation_report.hpp"

namespace hwf::cli {

enum exit_code : int { ok = 0, run_failed = 1, bad_input = 2, folder_not_empty = 3 };

namespace {

using clock_type = std::chrono::steady_clock;

std::string step_text(double step) {
  const double per_year = std::round(1.0 / step);
  return per_year == 1 ? "1" : fmt::format("1/{}", per_year);
}

/// Option check for a fraction: "3%" is refused with its fraction as the hint ("write 0.03").
std::string percent_as_fraction(const std::string& text) {
  if (text.empty() || text.back() != '%') return {};
  double v = 0;
  const auto [p, ec] = std::from_chars(text.data(), text.data() + text.size() - 1, v);
  if (ec != std::errc() || p != text.data() + text.size() - 1)
    return fmt::format("'{}' is not a number", text);
  return fmt::format("'{}' is a percentage; write the fraction {} instead", text, v / 100);
}

/// The value of `indicator` for a country's cadre-`all` row at output row `row`.
double country_value(const model::compiled_model& m, const engine::table_values& t, std::size_t row,
                     std::size_t country, std::string_view indicator) {
  return t.row(row)[m.countries()[country].series_all +
                    model::indicator_position(model::country_indicators(), indicator)];
}

/// Money as report.html shows it (outputs/report/report.js, money()): whole dollars with
/// thousands separators below a million, else M, B or T with two decimals below 10 and one from
/// 10 ("2.39 M", "12.0 M", "1.36 B"); each step rounds half up on the magnitude, in the same
/// double arithmetic as the page, from the same 6 significant digits, so both read alike.
std::string money(double value) {
  if (!std::isfinite(value)) return "-";
  // The page holds report_significant_digits: round so first, as it does.
  const double x = std::strtod(out::compact_number(value).c_str(), nullptr);
  const bool negative = x < 0;
  const double a = std::abs(x);
  const double whole = std::floor(a + 0.5);
  if (whole < 1e6) {
    auto digits = fmt::format("{:.0f}", whole);
    for (auto i = static_cast<std::ptrdiff_t>(digits.size()) - 3; i > 0; i -= 3)
      digits.insert(static_cast<std::size_t>(i), 1, ',');
    return (negative && whole > 0 ? "-" : "") + digits;
  }
  constexpr std::array<std::pair<double, char>, 3> units{{{1e6, 'M'}, {1e9, 'B'}, {1e12, 'T'}}};
  for (std::size_t i = 0; i < units.size(); ++i) {
    const double v = a / units[i].first;
    const double r2 = std::floor(v * 100 + 0.5) / 100;
    if (r2 < 10) return fmt::format("{}{:.2f} {}", negative ? "-" : "", r2, units[i].second);
    const double r1 = std::floor(v * 10 + 0.5) / 10;
    if (r1 < 1000 || i + 1 == units.size())
      return fmt::format("{}{:.1f} {}", negative ? "-" : "", r1, units[i].second);
  }
  return {};
}

void print_summary(const model::compiled_model& m, const engine::run_result& r) {
  const auto& t = r.tables[0];
  const std::size_t first = 0, last = r.times.size() - 1;
  const int y0 = static_cast<int>(r.times[first]), y1 = static_cast<int>(r.times[last]);
  fmt::print("\nAll cadres, {} and {} (density per 10,000 people; SDG index threshold {}):\n\n", y0,
             y1, model::sdg_threshold);
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

/// --strict: the inputs' warnings are errors (exit 2).
bool strict_warnings = false;

/// Prints a scenario's warnings on standard error (when `print`), or with --strict throws them
/// as bad input.
void report_warnings(const model::scenario_description& s, bool print = true) {
  if (s.warnings.empty()) return;
  if (strict_warnings) {
    auto all = s.warnings;
    all.back().notes.push_back("--strict makes warnings errors");
    throw engine::input_error(std::move(all));
  }
  if (print)
    for (const auto& w : s.warnings) std::cerr << engine::format(w, "warning") << "\n";
}

/// Notes on a finished run: agreement quotas and emigration caps that never lowered a flow.
std::vector<std::string> run_notes(const model::compiled_model& m, const model::run_output& run) {
  std::vector<std::string> out;
  for (std::size_t i : run.stats.idle_limits) {
    const auto& p = m.parameters()[i];
    engine::diagnostic d{p.where,
                         p.path,
                         fmt::format("{:g} never binds: the flows it limits stay below it "
                                     "throughout the run",
                                     p.value),
                         {"the policy changes nothing through this limit"},
                         ""};
    out.push_back(engine::format(d, "note"));
  }
  return out;
}

out::run_record make_record(const model::scenario_description& s, const model::compiled_model& m,
                            const model::run_output& run, double wall_seconds) {
  out::run_record rec;
  rec.scenario = s.name;
  rec.description = s.description;
  rec.version = std::string(engine::build_version());
  rec.commit = std::string(engine::build_commit());
  rec.inputs.emplace_back(s.file.display_name, s.file.sha256);
  for (const auto& f : s.parents) rec.inputs.emplace_back(f.display_name, f.sha256);
  rec.inputs.emplace_back(s.model.file.display_name, s.model.file.sha256);
  rec.model_name = s.model.name;
  rec.model_description = s.model.description;
  for (const auto& c : s.model.countries)
    rec.countries.push_back({c.iso3, c.name, c.safeguards_list});
  for (const auto& k : s.model.cadres) rec.cadres.push_back({k.id, k.sdg_core});
  rec.indicators = model::report_indicators();
  rec.start_year = static_cast<int>(m.start_time());
  rec.end_year = static_cast<int>(m.end_time());
  rec.output_interval_years = m.output_interval_years();
  rec.solver = m.solver();
  rec.stats = run.stats.solver;
  rec.wall_seconds = wall_seconds;
  rec.mass_balance_residual = run.stats.mass_balance_residual;
  for (const auto& w : s.warnings) rec.warnings.push_back(engine::format(w, "warning"));
  rec.notes = run_notes(m, run);
  return rec;
}

/// report.html from the results folder `dir`, with the model's reference densities.
std::size_t write_report(const std::filesystem::path& dir) {
  out::report_settings settings;
  settings.sdg_threshold = model::sdg_threshold;
  settings.safeguards_median = model::safeguards_median_density_2023;
  settings.safeguards_edition = model::safeguards_list_edition;
  settings.generator =
      fmt::format("hwfsim {} ({})", engine::build_version(), engine::build_commit());
  return out::write_report(dir, settings);
}

/// Writes named files atomically into `dir` (created here, after the work succeeded) while
/// holding the folder's lock (taken here unless `locked`): the old files.sha256 is removed first,
/// then the files are written, with `report` report.html, and files.sha256 last, so that a folder
/// never passes for one run's when a run stopped part way. If writing fails, a folder this call
/// created is removed again when nothing complete is in it.
void write_results(const std::filesystem::path& dir, bool force,
                   const std::vector<std::pair<std::string, std::string>>& files, bool report,
                   const std::vector<std::string>& already_written = {}, bool locked = false) {
  std::error_code ec;
  const bool created = !std::filesystem::exists(dir, ec);
  out::create_results_folder(dir);
  std::optional<out::results_lock> lock;
  try {
    if (!locked) {
      lock.emplace(dir);
      out::check_results_folder(dir, force);  // another run may have written here meanwhile
    }
    out::remove_stale_temporaries(dir);
    out::remove_manifest(dir);
    std::vector<std::string> names = already_written;
    for (const auto& [name, content] : files) {
      out::write_file_atomically(dir / name, content);
      names.push_back(name);
    }
    if (force) out::remove_stale_results(dir, names);
    if (report) write_report(dir);
    out::write_manifest(dir, names);
  } catch (const out::output_error&) {
    lock.reset();
    if (created) std::filesystem::remove(dir, ec);  // only if empty
    throw;
  }
}

int cmd_run(const std::string& scenario_path, std::string out_dir, bool force, bool quiet) {
  const auto started = clock_type::now();
  const auto scenario = model::load_scenario(scenario_path);
  report_warnings(scenario);
  const model::compiled_model m(scenario);
  const std::filesystem::path dir(out_dir.empty() ? "results/" + scenario.name : out_dir);
  out::check_results_folder(dir, force);
  const auto run = model::simulate(m, m.default_parameters());
  auto rec = make_record(scenario, m, run,
                         std::chrono::duration<double>(clock_type::now() - started).count());

  const auto rows = out::rows_every(run.result.times.size(), m.output_interval_years());
  std::vector<std::pair<std::string, std::string>> files;
  if (scenario.output.indicators)
    files.emplace_back("indicators.csv",
                       out::long_csv(scenario.name, run.result.times, run.result.tables[0], rows));
  if (scenario.output.corridors)
    files.emplace_back("corridors.csv",
                       out::long_csv(scenario.name, run.result.times, run.result.tables[1], rows));
  for (const auto& f : files) rec.files.push_back(f.first);
  rec.files.push_back("report.html");  // written next, from the files above
  files.emplace_back("run.json", out::to_json(rec));
  write_results(dir, force, files, true);
  for (const auto& n : rec.notes) std::cerr << n << "\n";

  if (!quiet) {
    fmt::print("Scenario {}: {} to {}, {} step {} years, {:.1f} ms, mass-balance residual {:.1e}\n",
               scenario.name, m.start_time(), m.end_time(), engine::to_string(m.solver().kind),
               step_text(m.solver().step_years), rec.wall_seconds * 1e3,
               run.stats.mass_balance_residual);
    std::vector<std::string> names;
    for (const auto& f : files) names.push_back(f.first);
    names.push_back("report.html");
    fmt::print("Results in {}/: {}\n", dir.generic_string(), fmt::join(names, ", "));
    print_summary(m, run.result);
  }
  return ok;
}

int cmd_validate(const std::string& scenario_path) {
  const auto scenario = model::load_scenario(scenario_path);
  report_warnings(scenario);
  const model::compiled_model m(scenario);
  fmt::print(
      "{}: valid. Model {} ({}): {} countries, {} cadres, {} country-cadres, {} corridor "
      "cadres, {} policies, {} parameters, {} state variables; {} to {}.\n",
      engine::printable(scenario.file.display_name), engine::printable(scenario.model.name, 80),
      engine::printable(scenario.model.file.display_name), m.countries().size(),
      m.cadre_ids().size(), m.blocks().size(), m.corridors().size(), scenario.policies.size(),
      m.parameters().size(), m.layout().size(), m.start_time(), m.end_time());
  return ok;
}

int cmd_params(const std::string& scenario_path, bool csv, const std::string& filter) {
  const auto scenario = model::load_scenario(scenario_path);
  const auto& table = scenario.model.params;
  const auto wanted = [&](const model::parameter& p) {
    return filter.empty() || p.path.find(filter) != std::string::npos;
  };
  if (csv) {
    fmt::print("path,value,unit,range,source,flag,note,set_at\n");
    for (const auto& p : table.items())
      if (wanted(p))
        fmt::print(
            "{},{},{},{},{},{},{},{}\n", out::csv_field(p.path), p.value, out::csv_field(p.unit),
            out::csv_field(p.range.describe()), out::csv_field(p.source), model::to_string(p.flag),
            out::csv_field(p.note),
            out::csv_field(fmt::format("{}:{}:{}", p.where.file, p.where.line, p.where.column)));
    return ok;
  }
  std::size_t width = 4;
  for (const auto& p : table.items()) width = std::max(width, p.path.size());
  fmt::print("{:<{}}  {:>14}  {:<18}  {}\n", "path", width, "value", "unit", "source");
  for (const auto& p : table.items()) {
    if (!wanted(p)) continue;
    std::vector<std::string> parts;
    if (!p.source.empty()) parts.push_back(p.source);
    if (p.flag != model::evidence::unstated)
      parts.push_back(fmt::format("[{}]", model::to_string(p.flag)));
    if (!p.note.empty()) parts.push_back(p.note);
    if (p.overridden) parts.push_back(fmt::format("(set at {}:{})", p.where.file, p.where.line));
    fmt::print("{:<{}}  {:>14}  {:<18}  {}\n", p.path, width, fmt::format("{:.6g}", p.value),
               p.unit, engine::printable(fmt::format("{}", fmt::join(parts, " "))));
  }
  return ok;
}

/// A bad-input error about something other than a YAML value (a command-line option, a set of
/// scenarios): names `what` instead of a file position.
engine::input_error bad_input_error(std::string what, std::string key, std::string message,
                                    std::string note, std::string suggestion = {}) {
  engine::diagnostic d;
  d.where.file = std::move(what);
  d.key_path = std::move(key);
  d.message = std::move(message);
  if (!note.empty()) d.notes.push_back(std::move(note));
  d.suggestion = std::move(suggestion);
  return engine::input_error({std::move(d)});
}

/// The items of a comma-separated option value, each without surrounding spaces ("gha, nga").
/// An empty item (a trailing comma, often from `--countries gha, nga` without quotes) is refused.
std::vector<std::string> list_items(const std::string& option, const std::string& text) {
  std::vector<std::string> out;
  std::string item;
  std::stringstream ss(text);
  while (std::getline(ss, item, ',')) {
    const auto first = item.find_first_not_of(" \t");
    const auto last = item.find_last_not_of(" \t");
    out.push_back(first == std::string::npos ? std::string()
                                             : item.substr(first, last - first + 1));
  }
  if (!text.empty() && text.back() == ',') out.emplace_back();
  if (std::find(out.begin(), out.end(), std::string()) != out.end())
    throw bad_input_error(option, "", fmt::format("'{}' has an empty item", text),
                          fmt::format("write the list without spaces ({} a,b) or quote it ({} "
                                      "\"a, b\"): a space ends the option's value",
                                      option, option));
  return out;
}

/// Parses "2030,2035" into years; an empty text gives start + 5, start + 10 and the end year
/// (those within the horizon).
std::vector<int> summary_years(const std::string& text, const model::compiled_model& m) {
  const int t0 = static_cast<int>(m.start_time()), t1 = static_cast<int>(m.end_time());
  std::vector<int> years;
  if (text.empty()) {
    for (int y : {t0 + 5, t0 + 10, t1})
      if (y <= t1 && (years.empty() || y > years.back())) years.push_back(y);
    return years;
  }
  for (const auto& item : list_items("--years", text)) {
    int y = 0;
    const auto [p, ec] = std::from_chars(item.data(), item.data() + item.size(), y);
    if (ec != std::errc() || p != item.data() + item.size() || y <= t0 || y > t1)
      throw bad_input_error("--years", "",
                            fmt::format("'{}' is not a year after {} and up to {}", item, t0, t1),
                            "expected years like 2030,2035 within the horizon (the start year "
                            "has no flows)");
    years.push_back(y);
  }
  std::sort(years.begin(), years.end());
  years.erase(std::unique(years.begin(), years.end()), years.end());
  return years;
}

struct loaded_run {
  std::optional<model::scenario_description> scenario;
  std::optional<model::compiled_model> model;
  std::optional<model::run_output> run;
  double seconds = 0;
  std::exception_ptr error;
};

std::string upper_case(std::string s) {
  for (auto& ch : s) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  return s;
}

/// For a name that is not an ISO3 code of the model: the code it most likely means. Common
/// aliases and two-letter codes (UK, GB -> GBR), the dataset's country names (Ghana -> GHA), or
/// a close code.
std::optional<std::string> country_hint(const std::string& upper,
                                        const model::scenario_description& s) {
  static const std::vector<std::pair<std::string_view, std::string_view>> aliases{
      {"UK", "GBR"},      {"GB", "GBR"},  {"ENGLAND", "GBR"}, {"BRITAIN", "GBR"}, {"US", "USA"},
      {"AMERICA", "USA"}, {"UAE", "ARE"}, {"AE", "ARE"},      {"KSA", "SAU"},     {"SA", "SAU"},
      {"NG", "NGA"},      {"GH", "GHA"},  {"KE", "KEN"},      {"ZW", "ZWE"},      {"ZA", "ZAF"},
      {"PH", "PHL"},      {"IN", "IND"},  {"PK", "PAK"},      {"JM", "JAM"},      {"NP", "NPL"},
      {"CA", "CAN"},      {"AU", "AUS"},  {"DE", "DEU"},      {"IE", "IRL"},      {"NZ", "NZL"},
      {"MW", "MWI"},      {"UG", "UGA"},  {"ZM", "ZMB"}};
  const auto in_model = [&](std::string_view iso3) {
    return std::any_of(s.model.countries.begin(), s.model.countries.end(),
                       [&](const auto& c) { return c.iso3 == iso3; });
  };
  for (const auto& [alias, iso3] : aliases)
    if (alias == upper && in_model(iso3)) return std::string(iso3);
  for (const auto& c : s.model.countries)
    if (upper_case(c.name) == upper) return c.iso3;
  std::vector<std::string> codes;
  for (const auto& c : s.model.countries) codes.push_back(c.iso3);
  return engine::closest_match(upper, codes);
}

/// The countries of the printed comparison table: all, or those named in "NGA,GBR" (ISO3 codes
/// in any case, spaces after the commas allowed).
std::vector<std::size_t> table_countries(const std::string& text,
                                         const model::scenario_description& s,
                                         const model::compiled_model& m) {
  const auto& countries = m.country_set();
  std::vector<std::size_t> out;
  if (text.empty()) {
    for (std::size_t c = 0; c < countries.size(); ++c) out.push_back(c);
    return out;
  }
  for (const auto& item : list_items("--countries", text)) {
    const auto code = upper_case(item);
    const auto c = countries.find(code);
    if (!c) {
      const auto hint = country_hint(code, s);
      throw bad_input_error(
          "--countries", "", fmt::format("'{}' is not a country of the model", item),
          "countries (ISO3 codes): " + engine::join_list(countries.labels()), hint.value_or(""));
    }
    if (std::find(out.begin(), out.end(), *c) == out.end()) out.push_back(*c);
  }
  return out;
}

int cmd_compare(const std::vector<std::string>& paths, std::string out_dir, bool force,
                std::optional<double> discount, const std::string& years_text,
                const std::string& countries_text, const std::string& cadre, int threads,
                bool quiet) {
  if (paths.size() < 2)
    throw bad_input_error("compare", "", "compare needs a baseline and at least one other scenario",
                          "");
  const std::filesystem::path dir(out_dir.empty() ? "results/compare" : out_dir);
  // The lists' spelling first: an unquoted "--countries gha, nga" also makes "nga" a scenario.
  if (!years_text.empty()) list_items("--years", years_text);
  if (!countries_text.empty()) list_items("--countries", countries_text);

  // Each scenario loads, compiles and runs independently: in parallel, results in input order.
  std::vector<loaded_run> runs(paths.size());
  std::optional<tbb::global_control> limit;
  if (threads > 0) limit.emplace(tbb::global_control::max_allowed_parallelism, threads);
  tbb::parallel_for(std::size_t{0}, paths.size(), [&](std::size_t i) {
    auto& r = runs[i];
    try {
      const auto started = clock_type::now();
      r.scenario.emplace(model::load_scenario(paths[i]));
      r.model.emplace(*r.scenario);
      r.run.emplace(model::simulate(*r.model, r.model->default_parameters()));
      r.seconds = std::chrono::duration<double>(clock_type::now() - started).count();
    } catch (...) {
      r.error = std::current_exception();
    }
  });
  // Report every bad input together first; otherwise the first run failure in input order.
  std::vector<engine::diagnostic> all;
  std::exception_ptr first_failure;
  for (auto& r : runs) {
    if (!r.error) continue;
    try {
      std::rethrow_exception(r.error);
    } catch (const engine::input_error& e) {
      all.insert(all.end(), e.diagnostics().begin(), e.diagnostics().end());
    } catch (...) {
      if (!first_failure) first_failure = r.error;
    }
  }
  if (!all.empty()) throw engine::input_error(std::move(all));
  for (const auto& r : runs)
    if (r.scenario) report_warnings(*r.scenario);
  out::check_results_folder(dir, force);
  if (first_failure) std::rethrow_exception(first_failure);

  const auto& base = runs[0];
  std::vector<std::string> names;
  for (const auto& r : runs) {
    if (std::find(names.begin(), names.end(), r.scenario->name) != names.end())
      throw bad_input_error(r.scenario->file.display_name, "scenario",
                            fmt::format("two compared scenarios are named '{}'", r.scenario->name),
                            "names tell scenarios apart in the output; give each its own");
    names.push_back(r.scenario->name);
    if (!model::same_layout(*base.model, *r.model))
      throw bad_input_error(r.scenario->file.display_name, "",
                            fmt::format("scenario '{}' cannot be compared with '{}'",
                                        r.scenario->name, base.scenario->name),
                            "compared scenarios need the same countries, cadres, corridors and "
                            "horizon");
  }
  model::comparison_settings settings;
  settings.discount_rate = discount.value_or(base.scenario->discount_rate);
  settings.years = summary_years(years_text, *base.model);
  const auto shown = table_countries(countries_text, *base.scenario, *base.model);
  const auto& cadre_ids = base.model->cadre_ids();
  if (!cadre.empty() && std::find(cadre_ids.begin(), cadre_ids.end(), cadre) == cadre_ids.end())
    throw bad_input_error("--cadre", "", fmt::format("'{}' is not a cadre of the model", cadre),
                          "cadres: " + engine::join_list(cadre_ids),
                          engine::closest_match(cadre, cadre_ids).value_or(""));

  const auto summary_schema = model::country_summary_schema(*base.model);
  const auto corridor_schema = model::corridor_summary_schema(*base.model);
  const std::vector<double> summary_times(settings.years.begin(), settings.years.end());
  std::string indicators, corridors, deltas, corridor_deltas, summary, corridor_summary;
  const auto& times = base.run->result.times;
  const auto base_corridor_summary =
      model::summarise_corridors(*base.model, corridor_schema, *base.run, settings);
  std::vector<engine::table_values> summaries;
  for (std::size_t i = 0; i < runs.size(); ++i) {
    const auto& r = runs[i];
    const bool first = i == 0;
    const auto& tables = r.run->result.tables;
    indicators += out::long_csv(r.scenario->name, times, tables[0], {}, first);
    corridors += out::long_csv(r.scenario->name, times, tables[1], {}, first);
    deltas += out::delta_csv(r.scenario->name, times, base.run->result.tables[0], tables[0], first);
    corridor_deltas +=
        out::delta_csv(r.scenario->name, times, base.run->result.tables[1], tables[1], first);
    summaries.push_back(
        model::summarise_countries(*r.model, summary_schema, *base.run, *r.run, settings));
    summary += out::long_csv(r.scenario->name, summary_times, summaries.back(), {}, first);
    corridor_summary += out::delta_csv(
        r.scenario->name, summary_times, base_corridor_summary,
        model::summarise_corridors(*r.model, corridor_schema, *r.run, settings), first);
  }
  std::vector<std::string> records;
  std::vector<std::string> notes;
  for (const auto& r : runs) {
    const auto rec = make_record(*r.scenario, *r.model, *r.run, r.seconds);
    notes.insert(notes.end(), rec.notes.begin(), rec.notes.end());
    records.push_back(out::to_json(rec));
  }
  write_results(
      dir, force,
      {{"indicators.csv", indicators},
       {"corridors.csv", corridors},
       {"deltas.csv", deltas},
       {"corridor_deltas.csv", corridor_deltas},
       {"summary.csv", summary},
       {"corridor_summary.csv", corridor_summary},
       {"run.json", out::comparison_json(records, settings.discount_rate, settings.years)}},
      true);
  for (const auto& n : notes) std::cerr << n << "\n";
  if (quiet) return ok;

  fmt::print("Compared {} scenario{} against {} (discount rate {}): results in {}/\n",
             runs.size() - 1, runs.size() > 2 ? "s" : "", base.scenario->name,
             settings.discount_rate, dir.generic_string());
  fmt::print(
      "  indicators.csv, corridors.csv, deltas.csv, corridor_deltas.csv, summary.csv, "
      "corridor_summary.csv, run.json, report.html\n");
  const std::size_t per = summary_schema->size() / base.model->countries().size();
  const auto& schema = *base.model->schemas()[0];
  // A table for each year given with --years; without it, for the last summary year.
  for (std::size_t row = years_text.empty() ? settings.years.size() - 1 : 0;
       row < settings.years.size(); ++row) {
    const int year = settings.years[row];
    if (cadre.empty()) {
      fmt::print(
          "\nAll cadres in {}; policy cost cumulative from {} (USD); cost per additional "
          "worker-year discounted:\n\n",
          year, base.model->start_time());
      fmt::print("{:<32}{:<8}{:>12}{:>8}{:>8}{:>12}{:>10}{:>16}{:>14}\n", "scenario", "country",
                 "supply", "dens", "sdg", "shortage", "net mig.", "policy cost", "USD/worker-yr");
      for (std::size_t c : shown)
        for (std::size_t i = 0; i < runs.size(); ++i) {
          const auto v = summaries[i].row(row).subspan(c * per, per);
          fmt::print("{:<32}{:<8}{:>12.0f}{:>8.1f}{:>8.1f}{:>12.0f}{:>10.0f}{:>16}{:>14}\n",
                     runs[i].scenario->name.substr(0, 31), base.model->countries()[c].iso3, v[0],
                     v[1], v[2], v[3], v[4], money(v[5]), money(v[8]));
        }
      continue;
    }
    // One cadre: its indicators of that year (flows over the year before it).
    const auto t = static_cast<std::size_t>(
        std::find(times.begin(), times.end(), static_cast<double>(year)) - times.begin());
    fmt::print("\n{} in {} (density per 10,000 people; flows over the year before):\n\n", cadre,
               year);
    fmt::print("{:<32}{:<8}{:>12}{:>8}{:>12}{:>12}{:>12}{:>10}\n", "scenario", "country", "supply",
               "dens", "shortage", "emigration", "immigration", "returns");
    for (std::size_t c : shown)
      for (std::size_t i = 0; i < runs.size(); ++i) {
        const auto& iso3 = base.model->countries()[c].iso3;
        const auto value = [&](std::string_view indicator) -> std::optional<double> {
          for (std::size_t k = 0; k < schema.size(); ++k) {
            const auto& key = schema.series[k];
            if (key[0] == iso3 && key[1] == cadre && key[2] == indicator)
              return runs[i].run->result.tables[0].row(t)[k];
          }
          return std::nullopt;  // the country has no such cadre
        };
        const auto supply = value("supply");
        if (!supply) {
          fmt::print("{:<32}{:<8}{:>12}\n", runs[i].scenario->name.substr(0, 31), iso3,
                     "(no " + cadre + ")");
          continue;
        }
        fmt::print("{:<32}{:<8}{:>12.0f}{:>8.1f}{:>12.0f}{:>12.0f}{:>12.0f}{:>10.0f}\n",
                   runs[i].scenario->name.substr(0, 31), iso3, *supply,
                   value("density_per_10k").value_or(0), value("shortage").value_or(0),
                   value("emigration").value_or(0), value("immigration").value_or(0),
                   value("returns").value_or(0));
      }
  }
  return ok;
}

int cmd_backcast(const std::string& scenario_path, const std::string& observed_path,
                 std::string out_dir, bool force, const std::string& report, bool quiet) {
  const auto started = clock_type::now();
  const auto scenario = model::load_scenario(scenario_path);
  const model::compiled_model m(scenario);
  const auto observed = model::load_observed(observed_path, m);
  const std::filesystem::path dir(out_dir.empty() ? "results/" + scenario.name + "-backcast"
                                                  : out_dir);
  out::check_results_folder(dir, force);
  const auto run = model::simulate(m, m.default_parameters());
  const auto matches = model::match_observations(m, run, observed);
  if (matches.empty())
    throw bad_input_error(observed.file.display_name, "series",
                          "no observed value falls within the scenario's horizon and model",
                          fmt::format("the horizon is {} to {}", m.start_time(), m.end_time()));

  out::validation_info info;
  info.scenario = scenario.name;
  info.start_year = static_cast<int>(m.start_time());
  info.end_year = static_cast<int>(m.end_time());
  info.observed_name = observed.name;
  info.observed_source = observed.source;
  info.observed_file = observed.file.display_name;
  info.command =
      fmt::format("hwfsim backcast {} --observed {}{}", scenario.file.display_name,
                  observed.file.display_name, report.empty() ? "" : " --report " + report);
  info.chart_file = "validation.svg";
  auto rec = make_record(scenario, m, run,
                         std::chrono::duration<double>(clock_type::now() - started).count());
  rec.inputs.emplace_back(observed.file.display_name, observed.file.sha256);
  rec.files = {"backcast.csv", "validation.md", "validation.svg", "indicators.csv"};
  const auto markdown = out::validation_markdown(info, matches);
  const auto svg = out::validation_svg(matches);
  write_results(
      dir, force,
      {{"backcast.csv", out::validation_csv(scenario.name, matches)},
       {"validation.md", markdown},
       {"validation.svg", svg},
       {"indicators.csv", out::long_csv(scenario.name, run.result.times, run.result.tables[0])},
       {"run.json", out::to_json(rec)}},
      false);
  if (!report.empty()) {
    // The report is asked for by name: written (atomically) even over an older version.
    const std::filesystem::path md(report);
    if (md.has_parent_path()) out::create_results_folder(md.parent_path());
    out::write_file_atomically(md, markdown);
    out::write_file_atomically(md.parent_path() / info.chart_file, svg);
  }
  if (!quiet) {
    fmt::print("Back-cast {}: {} to {}, {} observed values compared; results in {}/{}\n",
               scenario.name, info.start_year, info.end_year, matches.size(), dir.generic_string(),
               report.empty() ? "" : "; report " + report);
  }
  return ok;
}

/// The exit code of an error (and its message on stderr when `print`, after `prefix`).
int report_error(const std::exception_ptr& error, const std::string& prefix, bool print) {
  const auto say = [&](const std::string& text) {
    if (print) std::cerr << prefix << text << "\n";
  };
  try {
    std::rethrow_exception(error);
  } catch (const engine::input_error& e) {
    say(e.what());
    return bad_input;
  } catch (const out::folder_not_empty& e) {
    say(std::string("error: ") + e.what());
    return folder_not_empty;
  } catch (const out::output_error& e) {
    say(std::string("error: ") + e.what());
    return run_failed;
  } catch (const engine::numerical_error& e) {
    say(std::string("error: the run failed: ") + e.what());
    return run_failed;
  } catch (const engine::ensemble_error& e) {
    say(std::string("error: ") + e.what());
    return run_failed;
  } catch (const engine::memory_limit_error& e) {
    say(std::string("error: ") + e.what());
    return bad_input;
  } catch (const std::exception& e) {
    say(std::string("internal error: ") + e.what());
    return run_failed;
  }
}

/// Set by SIGINT (Ctrl-C) during an ensemble: the runs stop and nothing is written.
std::atomic<bool> interrupted{false};
extern "C" void on_interrupt(int) {
  interrupted = true;
}

/// Progress on stderr: a bar with rate and ETA when it is a terminal, a line every 10% otherwise.
class progress_meter {
 public:
  explicit progress_meter(std::size_t total) : total_(total), tty_(::isatty(2) != 0) {}
  void update(std::size_t done) {
    const std::lock_guard lock(mutex_);
    const double s = std::chrono::duration<double>(clock_type::now() - start_).count();
    if (!base_) base_ = done;  // a resume starts part way: the rate counts this job's runs
    const double rate = s > 0 ? static_cast<double>(done - *base_) / s : 0;
    const double eta = rate > 0 ? static_cast<double>(total_ - done) / rate : 0;
    const int percent = static_cast<int>(100 * done / std::max<std::size_t>(total_, 1));
    if (tty_) {
      const int filled = percent / 5;
      fmt::print(stderr, "\r[{:<20}] {:3d}% {}/{} runs, {:.0f} runs/s, ETA {:.0f} s   ",
                 std::string(static_cast<std::size_t>(filled), '#'), percent, done, total_, rate,
                 eta);
      if (done == total_) fmt::print(stderr, "\n");
    } else if (percent >= next_percent_ || done == total_) {
      fmt::print(stderr, "{}% of {} runs, {:.0f} runs/s, ETA {:.0f} s\n", percent, total_, rate,
                 eta);
      while (next_percent_ <= percent) next_percent_ += 10;
    }
  }

 private:
  std::size_t total_;
  bool tty_;
  int next_percent_ = 10;
  std::optional<std::size_t> base_;
  std::mutex mutex_;
  clock_type::time_point start_ = clock_type::now();
};

/// How an ensemble is spread and saved: MPI ranks, chunks, checkpoints.
struct mc_distribution {
  int rank = 0, ranks = 1;
  std::size_t chunk_runs = 0;      ///< 0: the engine's choice (engine::resolve_chunk_runs)
  std::optional<bool> checkpoint;  ///< default: on under MPI, off in one process
  double checkpoint_interval = 60;
  std::string resume;  ///< results folder to carry on
};

/// What a checkpoint must match to be resumed: the study (inputs, seed, samples, sampling,
/// dimensions), the way values are kept, the chunks, the saved runs and the binary itself.
out::checkpoint_manifest study_manifest(const model::mc_study& study, std::size_t cells, bool exact,
                                        std::size_t chunk_runs,
                                        const std::optional<std::string>& save_runs) {
  const auto& u = study.scenarios[0].uncertainty;
  out::checkpoint_manifest m{{"format", "2"},
                             {"hwfsim_version", std::string(engine::build_version())}};
  const auto exe = out::read_file("/proc/self/exe");
  const std::string binary = exe ? model::sha256_hex(*exe) : "unknown";
  // The most telling differences first: the first one found is the one reported.
  m.emplace_back("seed", std::to_string(u.seed));
  m.emplace_back("samples", std::to_string(study.samples));
  m.emplace_back("sampling", std::string(engine::to_string(u.sampling)));
  m.emplace_back("sampled dimensions", engine::join_list(study.dimensions));
  for (std::size_t s = 0; s < study.scenarios.size(); ++s) {
    const auto& sc = study.scenarios[s];
    // Contents, not paths: the same files given by another path are the same study.
    std::string inputs = sc.file.sha256;
    for (const auto& f : sc.parents) inputs += " " + f.sha256;
    inputs += " " + sc.model.file.sha256;
    m.emplace_back(fmt::format("scenario {}", s + 1), sc.name);
    m.emplace_back(fmt::format("SHA-256 of scenario {}'s input files", s + 1), inputs);
  }
  m.emplace_back("binary_sha256", binary);
  m.emplace_back("values per run", std::to_string(cells));
  m.emplace_back("quantiles", exact ? "exact" : "sketches (raise or lower --memory as before)");
  m.emplace_back("chunk runs", std::to_string(chunk_runs));
  m.emplace_back("saved runs", save_runs ? "--save-runs " + *save_runs : "none");
  return m;
}

int cmd_mc(const std::vector<std::string>& paths, std::string out_dir, bool force,
           std::optional<std::size_t> samples_override, int threads, std::size_t memory_mb,
           bool skip_failed, std::optional<std::string> save_runs, bool quiet,
           const mc_distribution& dist) {
  const auto started = clock_type::now();
  const bool lead = dist.rank == 0;  // rank 0 (or the only process) reads, reports and writes
  const bool resuming = !dist.resume.empty();
  const bool checkpointing = resuming || dist.checkpoint.value_or(dist.ranks > 1);
  std::optional<tbb::global_control> limit;
  if (threads > 0) limit.emplace(tbb::global_control::max_allowed_parallelism, threads);

  // Everything that can go wrong before the runs, on every rank: with MPI, the ranks then agree,
  // so that none waits for the others when one has stopped.
  model::mc_study study;
  std::filesystem::path dir;
  engine::ensemble_options opt;
  std::optional<progress_meter> meter;
  std::unique_ptr<out::netcdf_runs> netcdf;
  std::optional<model::saved_runs_map> saved;
  std::optional<out::checkpoint_folder> checkpoint;
  std::optional<out::results_lock> lock;  // from the moment the folder is written into
  engine::ensemble_resume resume;
  bool created_dir = false;
  // Before the first file goes into the folder: create and lock it, and (unless it is resumed)
  // check again that it may be written, as another run may have filled it meanwhile.
  const auto lock_folder = [&](bool recheck) {
    out::create_results_folder(dir);
    lock.emplace(dir);
    if (recheck) out::check_results_folder(dir, force);
  };
  std::exception_ptr early;
  try {
    study = model::prepare_study(paths, samples_override);
    for (const auto& sc : study.scenarios) report_warnings(sc, lead);
    const auto& base = study.scenarios[0];
    if (resuming && !out_dir.empty() &&
        std::filesystem::path(out_dir).lexically_normal() !=
            std::filesystem::path(dist.resume).lexically_normal())
      throw bad_input_error("--resume", "", "--resume names the results folder to carry on",
                            "give -o the same folder as --resume, or leave -o out");
    dir = resuming
              ? std::filesystem::path(dist.resume)
              : std::filesystem::path(out_dir.empty() ? "results/" + base.name + "-mc" : out_dir);
    opt.runs = study.samples;
    opt.memory_bytes = memory_mb << 20;
    opt.skip_failed = skip_failed;
    opt.cancel = &interrupted;
    opt.chunk_runs = dist.chunk_runs;
    opt.keep_values = save_runs.has_value();  // on every rank: workers send their runs' values
    opt.state_interval = dist.checkpoint_interval;
    try {
      opt.chunk_runs = engine::resolve_chunk_runs(study.cells(), opt);
    } catch (const std::invalid_argument& e) {
      throw bad_input_error("--chunk-runs", "", e.what(),
                            fmt::format("give a multiple of {}, leave --chunk-runs out, or raise "
                                        "--memory to keep every value",
                                        opt.sketch_block));
    }
    if (lead) {
      if (resuming) {
        if (!out::checkpoint_folder::exists(dir))
          throw out::output_error(
              fmt::format("{} holds no checkpoint to resume (no {}/checkpoint/manifest.json)",
                          dir.string(), dir.string()));
      } else if (out::checkpoint_folder::exists(dir) && !force) {
        throw out::folder_not_empty(fmt::format(
            "{} holds the checkpoint of an unfinished Monte Carlo run; nothing was written. "
            "Carry on with --resume {}, or start over with --force",
            dir.string(), dir.string()));
      } else {
        out::check_results_folder(dir, force);
      }
      if (!quiet) {
        meter.emplace(study.samples);
        opt.progress = [&](std::size_t done) { meter->update(done); };
      }
      if (checkpointing) {
        const std::size_t cells = study.cells();
        const bool exact = engine::ensemble_accumulator::keeps_exact(cells, opt);
        const auto manifest = study_manifest(study, cells, exact, opt.chunk_runs, save_runs);
        created_dir = !std::filesystem::exists(dir);
        lock_folder(!resuming);
        checkpoint.emplace(dir);
        if (resuming) {
          checkpoint->check(manifest);
          resume = checkpoint->load(cells);
          opt.resume = &resume;
        } else {
          checkpoint->remove();  // --force: an older, unfinished run's
          checkpoint->start(manifest);
        }
        opt.chunk_done = [&](const engine::chunk_view& c) { checkpoint->save_chunk(c); };
        // With --save-runs every chunk is kept until the end: a resume replays them to runs.nc.
        if (!save_runs)
          opt.state_done = [&](const std::string& state, std::size_t n) {
            checkpoint->save_state(state, n);
          };
      }
      // --save-runs: every run's values of the chosen indicators, streamed in run order.
      if (save_runs) {
        const auto wanted = save_runs->empty() ? std::vector<std::string>{}
                                               : list_items("--save-indicators", *save_runs);
        saved = model::saved_runs(study, wanted);
        out::runs_layout layout;
        for (const auto& sc : study.scenarios) layout.scenarios.push_back(sc.name);
        layout.countries = saved->countries;
        layout.cadres = saved->cadres;
        layout.indicators = saved->indicators;
        for (const auto& t : saved->indicator_info)
          layout.indicator_text.push_back({std::string(t.units), std::string(t.meaning)});
        layout.corridor_origins = saved->origins;
        layout.corridor_destinations = saved->destinations;
        layout.corridor_cadres = saved->corridor_cadres;
        layout.corridor_indicators = saved->corridor_indicators;
        for (const auto& t : saved->corridor_indicator_info)
          layout.corridor_indicator_text.push_back({std::string(t.units), std::string(t.meaning)});
        layout.inputs = study.dimensions;
        for (double t : study.times) layout.years.push_back(static_cast<int>(t));
        layout.runs = study.samples;
        layout.title = "hwfsim Monte Carlo runs of " + base.name;
        layout.seed = base.uncertainty.seed;
        layout.sampling = std::string(engine::to_string(base.uncertainty.sampling));
        if (!created_dir) created_dir = !std::filesystem::exists(dir);
        if (!lock) lock_folder(true);
        netcdf = std::make_unique<out::netcdf_runs>(dir / "runs.nc", layout);
        const std::size_t per = study.times.size() * layout.countries.size() * layout.cadres.size();
        opt.run_sink = [&, per](std::size_t run, std::span<const double> values) {
          std::vector<double> slab(per);
          for (std::size_t s = 0; s < study.scenarios.size(); ++s)
            for (std::size_t i = 0; i < saved->indicators.size(); ++i) {
              const std::size_t first = (s * saved->indicators.size() + i) * per;
              for (std::size_t j = 0; j < per; ++j) {
                const std::size_t c = saved->cell[first + j];
                slab[j] = c == model::saved_runs_map::none ? engine::not_defined : values[c];
              }
              netcdf->write(s, run, i, slab);
            }
          const std::size_t cper = study.times.size() * saved->origins.size();
          std::vector<double> cslab(cper);
          for (std::size_t s = 0; s < study.scenarios.size(); ++s)
            for (std::size_t i = 0; i < saved->corridor_indicators.size(); ++i) {
              const std::size_t first = (s * saved->corridor_indicators.size() + i) * cper;
              for (std::size_t j = 0; j < cper; ++j) {
                const std::size_t c = saved->corridor_cell[first + j];
                cslab[j] = c == model::saved_runs_map::none ? engine::not_defined : values[c];
              }
              netcdf->write_corridor(s, run, i, cslab);
            }
          netcdf->mark_ok(run);
        };
      }
    }
  } catch (...) {
    early = std::current_exception();
  }
  if (dist.ranks > 1) {
#ifdef HWF_HAVE_MPI
    const int mine = early ? report_error(early, "", false) : ok;
    const int first = engine::mpi::rank0_status(mine);
    if (early && (lead || first == ok))
      report_error(early, lead ? "" : fmt::format("rank {}: ", dist.rank), true);
    if (const int all = engine::mpi::agree(mine); all != ok) return all;
#endif
  } else if (early) {
    std::rethrow_exception(early);
  }

  const auto& base = study.scenarios[0];
  const auto& m = *study.models[0];
  const bool comparing = study.scenarios.size() > 1;
  interrupted = false;
  const auto previous = std::signal(SIGINT, on_interrupt);
  engine::cell_statistics st;
  try {
    const engine::run_function run_one = [&](std::size_t run, std::span<double> out) {
      model::run_sample(study, run, out);
    };
#ifdef HWF_HAVE_MPI
    if (dist.ranks > 1)
      st = engine::mpi::run_ensemble(study.cells(), opt, run_one);
    else
#endif
      st = engine::run_ensemble(study.cells(), opt, run_one);
  } catch (const engine::ensemble_error& e) {
    std::signal(SIGINT, previous);
    netcdf.reset();                               // removes its temporary
    const bool kept = checkpoint && interrupted;  // a cancelled run can go on; a failed one not
    if (checkpoint && !kept) checkpoint->remove();
    lock.reset();
    std::error_code ec;
    if (created_dir && !kept) std::filesystem::remove(dir, ec);  // only if empty
    if (kept)
      std::cerr << fmt::format(
          "hwfsim: the completed runs are saved in {}; carry on with "
          "--resume {}\n",
          checkpoint->path().string(), dir.string());
    throw;
  } catch (...) {
    std::signal(SIGINT, previous);
    netcdf.reset();
    throw;  // the checkpoint stays: whatever stopped the job, the runs done are kept
  }
  std::signal(SIGINT, previous);
  if (!lead) return ok;

  std::string samples_csv = "run";
  for (const auto& l : study.dimensions) samples_csv += "," + out::csv_field(l);
  samples_csv += "\n";
  {
    fmt::memory_buffer buf;
    for (std::size_t run = 0; run < study.samples; ++run) {
      fmt::format_to(std::back_inserter(buf), "{}", run);
      const auto values = model::sampled_values(study, run);
      for (double x : values) fmt::format_to(std::back_inserter(buf), ",{}", x);
      // runs.nc's sampled inputs: every run's, a failed one's too (what made it fail).
      if (netcdf && !values.empty()) netcdf->write_inputs(run, values);
      fmt::format_to(std::back_inserter(buf), "\n");
    }
    samples_csv.append(buf.data(), buf.size());
  }

  std::vector<std::pair<std::string, std::string>> files;
  const auto stats_of = [&](std::size_t first, const engine::table_schema& schema,
                            const std::string& name, bool header) {
    return out::quantiles_csv(name, study.times, schema, first, st.mean, st.sd, st.quantiles,
                              header);
  };
  std::string quantiles, corridor_quantiles, differences, corridor_differences, probabilities;
  for (std::size_t s = 0; s < study.scenarios.size(); ++s) {
    const auto& name = study.scenarios[s].name;
    quantiles += stats_of(study.table_cell(s, 0), *m.schemas()[0], name, s == 0);
    corridor_quantiles += stats_of(study.table_cell(s, 1), *m.schemas()[1], name, s == 0);
    if (s > 0) {
      differences += stats_of(study.difference_cell(s, 0), *m.schemas()[0], name, s == 1);
      corridor_differences += stats_of(study.difference_cell(s, 1), *m.schemas()[1], name, s == 1);
    }
    engine::table_values p{study.probability_schema, {}};
    const std::size_t first = study.probability_cell(s);
    p.values.assign(
        st.mean.begin() + static_cast<std::ptrdiff_t>(first),
        st.mean.begin() + static_cast<std::ptrdiff_t>(
                              first + study.times.size() * study.probability_schema->size()));
    probabilities += out::long_csv(name, study.times, p, {}, s == 0);
  }
  files = {{"quantiles.csv", quantiles}, {"corridor_quantiles.csv", corridor_quantiles}};
  if (comparing) {
    files.emplace_back("difference_quantiles.csv", differences);
    files.emplace_back("corridor_difference_quantiles.csv", corridor_differences);
  }
  files.emplace_back("probabilities.csv", probabilities);
  files.emplace_back("samples.csv", samples_csv);
  const double wall = std::chrono::duration<double>(clock_type::now() - started).count();
  std::vector<std::string> scenario_names, records;
  for (std::size_t s = 0; s < study.scenarios.size(); ++s) {
    scenario_names.push_back(study.scenarios[s].name);
    const auto& ms = *study.models[s];
    records.push_back(out::to_json(
        make_record(study.scenarios[s], ms, model::simulate(ms, ms.default_parameters()), wall)));
  }
  std::vector<std::size_t> skipped;
  for (const auto& f : st.skipped) skipped.push_back(f.run);
  const auto& u = base.uncertainty;
  files.emplace_back(
      "run.json",
      out::monte_carlo_json(
          scenario_names, std::string(engine::to_string(u.sampling)),
          st.exact ? "exact (type 7)"
                   : fmt::format("KLL sketch, k = {}, rank error below {} with 99% probability",
                                 engine::quantile_sketch::default_k,
                                 engine::quantile_sketch::rank_error_bound),
          u.seed, study.samples, st.runs, skipped, study.dimensions, records));
  if (netcdf) {
    out::remove_manifest(dir);  // before the old runs.nc is replaced
    try {
      netcdf->finish();  // before write_results, which clears stale temporaries
    } catch (const out::output_error&) {
      lock.reset();
      std::error_code ec;
      if (created_dir) std::filesystem::remove(dir, ec);  // only if empty (no checkpoint)
      throw;
    }
  }
  write_results(dir, force || resuming, files, true,
                netcdf ? std::vector<std::string>{"runs.nc"} : std::vector<std::string>{},
                lock.has_value());
  if (checkpoint) checkpoint->remove();  // the results are complete and durable
  if (!quiet) {
    fmt::print(
        "Monte Carlo {}{}: {} runs ({} sampling, seed {}, {} sampled dimensions), {:.1f} s; "
        "results in {}/\n",
        base.name, comparing ? fmt::format(" and {} compared", study.scenarios.size() - 1) : "",
        study.samples, engine::to_string(u.sampling), u.seed, study.dimensions.size(), wall,
        dir.generic_string());
    if (!skipped.empty())
      fmt::print("{} failed runs were excluded (--skip-failed): runs {}\n", skipped.size(),
                 fmt::join(skipped, ","));
  }
  return ok;
}

}  // namespace

int main(int argc, char** argv) {
  // Past a file-size limit (ulimit -f) a write fails with EFBIG ("File too large", exit 1, the
  // temporary removed) instead of the process being killed with a temporary left behind.
  std::signal(SIGXFSZ, SIG_IGN);
  CLI::App app{"hwfsim: health-workforce migration scenarios (stocks, flows, policies)", "hwfsim"};
  // An empty folder name is a mistake, not a request for the default folder.
  const CLI::Validator folder_name(
      [](const std::string& s) { return s.empty() ? std::string("a folder name is needed") : ""; },
      "");
  app.set_version_flag(
      "--version", fmt::format("hwfsim {} ({})", engine::build_version(), engine::build_commit()));
  app.require_subcommand(1);

  std::string scenario, out_dir, filter, years, countries, cadre;
  std::vector<std::string> scenarios;
  bool force = false, quiet = false, csv = false;
  std::optional<double> discount;
  int threads = 0;

  auto* run = app.add_subcommand("run", "Run a scenario and write its results (CSV, run.json)");
  run->add_option("scenario", scenario, "Scenario YAML file")->required();
  run->add_option("-o,--output", out_dir, "Results folder (default: results/<scenario name>)")
      ->check(folder_name);
  run->add_flag("--force", force, "Write into a results folder that already holds files");
  run->add_flag("-q,--quiet", quiet,
                "Print nothing on success (warnings and notes still go to standard error)");
  run->add_flag("--strict", strict_warnings,
                "Treat warnings (a policy that never acts within the horizon) as errors: exit 2");

  auto* validate =
      app.add_subcommand("validate", "Load and check a scenario and its model; run nothing");
  validate->add_option("scenario", scenario, "Scenario YAML file")->required();
  validate->add_flag("--strict", strict_warnings,
                     "Treat warnings (a policy that never acts within the horizon) as errors: "
                     "exit 2");

  auto* show = app.add_subcommand(
      "show", "Print the resolved scenario (after extends and set:) with each value's origin");
  show->add_option("scenario", scenario, "Scenario YAML file")->required();

  auto* params =
      app.add_subcommand("params", "List every parameter path with its value, unit and source");
  params->add_option("scenario", scenario, "Scenario YAML file")->required();
  params->add_flag("--csv", csv, "Print CSV (with range, flag and location) instead of a table");
  params->add_option("--grep", filter, "Only paths containing this text");

  auto* compare = app.add_subcommand(
      "compare", "Run a baseline and other scenarios; write deltas, summaries, cost-effectiveness");
  compare->add_option("scenarios", scenarios, "Baseline scenario first, then the others")
      ->required()
      ->expected(2, 1000);
  compare->add_option("-o,--output", out_dir, "Results folder (default: results/compare)")
      ->check(folder_name);
  compare->add_flag("--force", force, "Write into a results folder that already holds files");
  compare
      ->add_option("--discount-rate", discount,
                   "Yearly discount rate for cost-effectiveness (default: the baseline "
                   "scenario's discount_rate, 0.03 unless set)")
      ->check(percent_as_fraction)
      ->check(CLI::Range(0.0, 0.5));
  compare->add_option("--years", years,
                      "Summary years, comma-separated (default: start + 5, start + 10, end); a "
                      "printed table for each (default: the end year's)");
  compare->add_option("--countries", countries,
                      "Countries of the printed tables: ISO3 codes, comma-separated, any case "
                      "(default: all; the files always hold all)");
  compare->add_option("--cadre", cadre,
                      "Print the tables for this cadre instead of all cadres (the files always "
                      "hold every cadre)");
  compare->add_option("--threads", threads, "Most threads to use (default: all cores)")
      ->check(CLI::Range(1, 1024));
  compare->add_flag("-q,--quiet", quiet, "Print nothing on success");
  compare->add_flag("--strict", strict_warnings,
                    "Treat warnings (a policy that never acts within the horizon) as errors: "
                    "exit 2");

  auto* sources = app.add_subcommand(
      "sources",
      "Print every parameter with its source and flag as Markdown (docs/data-sources.md)");
  sources->add_option("scenario", scenario, "Scenario YAML file")->required();

  std::string observed, report;
  auto* backcast = app.add_subcommand(
      "backcast", "Run a scenario that starts in the past and compare it with observed counts");
  backcast->add_option("scenario", scenario, "Scenario YAML file (starting in a past year)")
      ->required();
  backcast->add_option("--observed", observed, "Observed-data YAML file")->required();
  backcast
      ->add_option("-o,--output", out_dir,
                   "Results folder (default: results/<scenario name>-backcast)")
      ->check(folder_name);
  backcast->add_flag("--force", force, "Write into a results folder that already holds files");
  backcast->add_option(
      "--report", report,
      "Also write the Markdown report to this file (and validation.svg beside it)");
  backcast->add_flag("-q,--quiet", quiet, "Print nothing on success");

  std::optional<std::size_t> samples;
  std::size_t memory_mb = 1024;
  bool skip_failed = false;
  auto* mc = app.add_subcommand(
      "mc", "Monte Carlo: run a scenario's uncertainty samples in parallel; write quantiles");
  mc->add_option("scenarios", scenarios,
                 "Scenario YAML file with an `uncertainty` block; with --compare, the baseline "
                 "first, then the others")
      ->required();
  bool mc_compare = false;
  mc->add_flag("--compare", mc_compare,
               "Compare the scenarios on common random numbers: differences from the baseline and "
               "probabilities");
  mc->add_option("-o,--output", out_dir, "Results folder (default: results/<scenario name>-mc)")
      ->check(folder_name);
  mc->add_flag("--force", force, "Write into a results folder that already holds files");
  mc->add_option("--samples", samples, "Number of runs (default: uncertainty.samples)")
      ->check(CLI::Range(std::size_t{1}, std::size_t{10'000'000}));
  mc->add_option("--threads", threads, "Most threads to use (default: all cores)")
      ->check(CLI::Range(1, 1024));
  mc->add_option("--memory", memory_mb,
                 "Most MiB for run values: exact quantiles need runs x values x 8 bytes; beyond, "
                 "quantile sketches")
      ->capture_default_str()
      ->check(CLI::Range(std::size_t{1}, std::size_t{1} << 24));
  bool save_runs_flag = false;
  std::string save_indicators;
  mc->add_flag("--save-runs", save_runs_flag,
               "Also write every run's values to runs.nc (NetCDF-4)");
  mc->add_option("--save-indicators", save_indicators,
                 "Indicators to save with --save-runs, comma-separated (default: all)");
  mc->add_flag("--skip-failed", skip_failed,
               "Exclude runs that fail (e.g. a sample drives a stock negative) and report them");
  mc->add_flag("-q,--quiet", quiet, "Print nothing on success (no progress)");
  mc->add_flag("--strict", strict_warnings,
               "Treat warnings (a policy that never acts within the horizon) as errors: exit 2");
  mc_distribution dist;
  mc->add_option("--chunk-runs", dist.chunk_runs,
                 "Runs per chunk: the unit of checkpoints and of MPI work (results do not depend "
                 "on it). Default 64; 2048 when quantiles are sketched (beyond --memory), which "
                 "then needs a multiple of 2048")
      ->check(CLI::Range(std::size_t{1}, std::size_t{1'000'000}));
  bool checkpoint_on = false, checkpoint_off = false;
  mc->add_flag("--checkpoint", checkpoint_on,
               "Save completed chunks in <output>/checkpoint/ as the runs go (default under "
               "mpirun or srun)");
  mc->add_flag("--no-checkpoint", checkpoint_off, "Save no checkpoint, also under MPI")
      ->excludes("--checkpoint");
  mc->add_option("--checkpoint-interval", dist.checkpoint_interval,
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
  mc->add_option("--resume", dist.resume,
                 "Carry on an interrupted run from the checkpoint in this results folder (same "
                 "scenarios, seed, samples and binary)")
      ->check(folder_name);

  auto* schema =
      app.add_subcommand("schema", "Print the reference of every numeric key (Markdown)");

  std::string report_folder;
  auto* report_cmd = app.add_subcommand(
      "report",
      "Rebuild report.html (interactive charts) from a results folder of run, compare or mc");
  report_cmd->add_option("folder", report_folder, "Results folder (with run.json)")->required();
  report_cmd->add_flag("-q,--quiet", quiet, "Print nothing on success");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int rc = app.exit(e);
    return rc == 0 ? ok : bad_input;
  }

  try {
    if (*run) return cmd_run(scenario, out_dir, force, quiet);
    if (*validate) return cmd_validate(scenario);
    if (*show) {
      fmt::print("{}", model::resolved_yaml(model::load_scenario(scenario)));
      return ok;
    }
    if (*params) return cmd_params(scenario, csv, filter);
    if (*sources) {
      fmt::print("{}", model::data_sources_markdown(
                           model::load_scenario(scenario),
                           "hwfsim sources " + scenario + " > docs/data-sources.md"));
      return ok;
    }
    if (*mc) {
      if (scenarios.size() > 1 && !mc_compare)
        throw bad_input_error("mc", "", "several scenarios given without --compare",
                              "give one scenario, or --compare with a baseline first");
      if (mc_compare && scenarios.size() < 2)
        throw bad_input_error("mc", "",
                              "--compare needs a baseline and at least one other scenario", "");
      if (!save_indicators.empty() && !save_runs_flag)
        throw bad_input_error("--save-indicators", "", "--save-indicators needs --save-runs", "");
      std::optional<std::string> save_runs;
      if (save_runs_flag) save_runs = save_indicators;
      if (checkpoint_on) dist.checkpoint = true;
      if (checkpoint_off) dist.checkpoint = false;
      if (checkpoint_off && !dist.resume.empty())
        throw bad_input_error("--no-checkpoint", "", "--resume goes on saving its checkpoint",
                              "leave --no-checkpoint out");
#ifdef HWF_HAVE_MPI
      // Started by mpirun or srun: the ranks share the ensemble (engine/mpi_ensemble.hpp).
      std::optional<engine::mpi::session> mpi;
      if (engine::mpi::launched()) {
        mpi.emplace(argc, argv);
        dist.rank = mpi->rank();
        dist.ranks = mpi->size();
      }
      if (dist.rank != 0) quiet = true;
      try {
        return cmd_mc(scenarios, out_dir, force, samples, threads, memory_mb, skip_failed,
                      save_runs, quiet, dist);
      } catch (...) {
        // Errors after the ranks agreed to start: rank 0 reports them (its workers have stopped).
        return report_error(std::current_exception(), "", dist.rank == 0);
      }
#else
      if (const char* n = std::getenv("OMPI_COMM_WORLD_SIZE"); n != nullptr && std::atoi(n) > 1)
        throw bad_input_error("mpirun", "", "this hwfsim was built without MPI",
                              "install libopenmpi-dev and build again (docs/cluster.md)");
      return cmd_mc(scenarios, out_dir, force, samples, threads, memory_mb, skip_failed, save_runs,
                    quiet, dist);
#endif
    }
    if (*backcast) return cmd_backcast(scenario, observed, out_dir, force, report, quiet);
    if (*compare)
      return cmd_compare(scenarios, out_dir, force, discount, years, countries, cadre, threads,
                         quiet);
    if (*schema) {
      fmt::print("{}", model::schema_markdown());
      return ok;
    }
    if (*report_cmd) {
      // A folder of one complete run only, and none that a run is writing into.
      std::optional<out::results_lock> lock;
      std::error_code ec;
      if (std::filesystem::exists(std::filesystem::path(report_folder) / "run.json", ec)) {
        lock.emplace(report_folder);
        out::verify_results_folder(report_folder);
      }
      const auto bytes = write_report(report_folder);
      if (!quiet)
        fmt::print("Report in {}: {:.1f} MB\n",
                   (std::filesystem::path(report_folder) / "report.html").generic_string(),
                   static_cast<double>(bytes) / 1e6);
      return ok;
    }
  } catch (...) {
    return report_error(std::current_exception(), "", true);
  }
  return ok;
}

}  // namespace hwf::cli

int main(int argc, char** argv) {
  return hwf::cli::main(argc, argv);
}
