#include "outputs/results_catalogue.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "engine/diagnostics.hpp"

namespace hwf::out {

namespace {

using enum written_when;

// What each command's files hold. Shared texts are named once here.
constexpr std::string_view manifest_text =
    "the SHA-256 of every file above but `report.html`, in the format of `sha256sum -c`; "
    "written last (\"One run per folder\", under `run`)";
constexpr report_use read_by_report = report_use::table;
constexpr report_use read_as_records = report_use::records;
constexpr report_use not_in_report = report_use::none;

/// A CSV file of `shape` whose key columns are those of table `table`.
result_file csv(std::string_view name, csv_shape shape, std::string_view table,
                report_use in_report, std::vector<file_use> uses) {
  return {name, file_format::csv, shape, table, {}, in_report, std::move(uses)};
}

/// A file of another format.
result_file other(std::string_view name, file_format format, std::vector<file_use> uses) {
  return {name, format, csv_shape::values, "", {}, not_in_report, std::move(uses)};
}

void add_run_files(std::vector<result_file>& c) {
  c.push_back(
      csv("indicators.csv", csv_shape::values, "indicators", read_by_report,
          {{"run", listed,
            "the indicators of every country and cadre at each output year (below); written when "
            "the scenario's `output.tables` names `indicators` (the default)"},
           {"compare", always,
            "every scenario's indicators, baseline first, as `run` writes them, for every year of "
            "the horizon"},
           {"backcast", always, "the run's indicators, as `run` writes them, for every year"}}));
  c.push_back(csv("corridors.csv", csv_shape::values, "corridors", read_by_report,
                  {{"run", listed,
                    "the indicators of every corridor cadre at each output year (below); "
                    "written when the scenario's `output.tables` names `corridors` (the "
                    "default)"},
                   {"compare", always, "every scenario's corridor indicators, likewise"}}));
  c.push_back(
      csv("ages.csv", csv_shape::values, "ages", read_by_report,
          {{"run", listed,
            "for a model with age bands, the stocks of each age band of each country "
            "and cadre with bands at each output year (`workforce_domestic`, "
            "`foreign_trained`, `abroad`, `supply`, and `unemployed` where posts are "
            "given); they sum over bands to the same indicators in `indicators.csv`. "
            "Written when the model has age bands and `output.tables` names `ages` (the "
            "default)"},
           {"compare", aged, "for a model with age bands, every scenario's ages, likewise"}}));
}

void add_compare_files(std::vector<result_file>& c) {
  c.push_back(csv("deltas.csv", csv_shape::deltas, "indicators", not_in_report,
                  {{"compare", always, "every scenario's indicators against the baseline's"}}));
  c.push_back(csv("corridor_deltas.csv", csv_shape::deltas, "corridors", not_in_report,
                  {{"compare", always, "likewise for corridors"}}));
  c.push_back(csv("age_deltas.csv", csv_shape::deltas, "ages", not_in_report,
                  {{"compare", aged, "for a model with age bands, likewise for the ages"}}));
  c.push_back(csv("summary.csv", csv_shape::values, "summary", read_by_report,
                  {{"compare", always,
                    "per country (all cadres), at each summary year (\"Summary indicators\", "
                    "below)"}}));
  c.push_back(csv("corridor_summary.csv", csv_shape::deltas, "corridor_summary", not_in_report,
                  {{"compare", always,
                    "per corridor cadre, cumulative to each summary year, against the baseline "
                    "(\"Corridor summary\", below)"}}));
  c.push_back({"projections.csv",
               file_format::csv,
               csv_shape::projections,
               "",
               {"name"},
               not_in_report,
               {{"compare", written_when::asked,
                 "with `--published`: each published projection set against the same change in "
                 "its compared scenario: the years, the published change (`kind` `relative`: a "
                 "share, from the level `published_from`; `persons`: a number of persons), the "
                 "model's sum of the indicator over its `series` in both years and its change, "
                 "the `tolerance`, the `verdict` (`agree`, `below`, `above`) and the verdict the "
                 "explanation was written for (`expected`)"},
                {"calibrate", written_when::asked,
                 "with `--published` and `--compare`: the same, of the compared scenarios (the "
                 "baseline first), which `holdout.md` shows in a section of its own"}}});
  c.push_back(other("projections.md", file_format::markdown,
                    {{"compare", written_when::asked,
                      "with `--published`: the page of the published projections (also written "
                      "where `--published-report` says): a table of each against the model, "
                      "and each explanation, marked out of date where the verdict is no longer "
                      "the one it was written for"}}));
}

void add_mc_tables(std::vector<result_file>& c) {
  c.push_back(csv("quantiles.csv", csv_shape::statistics, "indicators", read_by_report,
                  {{"mc", always,
                    "the statistics of every indicator of every year (yearly flows are left "
                    "out at the start year)"}}));
  c.push_back(csv("corridor_quantiles.csv", csv_shape::statistics, "corridors", read_by_report,
                  {{"mc", always, "the same for the corridor indicators"}}));
  c.push_back(
      csv("age_quantiles.csv", csv_shape::statistics, "ages", read_by_report,
          {{"mc", aged, "for a model with age bands, the same for the stocks by age band"}}));
  c.push_back(
      csv("probabilities.csv", csv_shape::values, "probabilities", read_by_report,
          {{"mc", always,
            "with `--compare`, the share of runs in which the country's shortage (all cadres) is "
            "at most the baseline's (`shortage_not_above_baseline`: a run where both are equal, "
            "both 0 say, counts) and strictly below it (`shortage_below_baseline`: ties do not "
            "count); for every scenario, the share of runs in which its SDG density is at least "
            "44.5 (`sdg_density_at_least_44.5`). The baseline's own shortage probabilities are "
            "not defined (no row)"}}));
  c.push_back(csv("difference_quantiles.csv", csv_shape::statistics, "indicators", read_by_report,
                  {{"mc", comparing,
                    "with `--compare`: the same statistics of each scenario's difference from "
                    "the baseline, run by run (scenario - baseline on the same samples)"}}));
  c.push_back(csv("corridor_difference_quantiles.csv", csv_shape::statistics, "corridors",
                  read_by_report,
                  {{"mc", comparing, "with `--compare`: the same for the corridor indicators"}}));
  c.push_back(csv("age_difference_quantiles.csv", csv_shape::statistics, "ages", not_in_report,
                  {{"mc", aged,
                    "with `--compare` and a model with age bands: the same for the stocks by age "
                    "band"}}));
}

void add_mc_runs(std::vector<result_file>& c) {
  c.push_back(other(
      "runs.nc", file_format::netcdf,
      {{"mc", written_when::asked,
        "with `--save-runs`: every run's values following the CF conventions (`units`, "
        "`long_name` on every variable): the chosen indicators (`--save-indicators`, default "
        "all) as double variables over `(scenario, run, year, country, cadre)` (cadre `all` "
        "included), the corridor indicators as `corridor_<name>` over `(scenario, run, year, "
        "corridor)` (with `origin`, `destination` and `corridor_cadre` per corridor), for a "
        "model with age bands the stocks by band as `age_<name>` over `(scenario, run, year, "
        "age_group)` (with `age_group_country`, `age_group_cadre` and `age_band` per group), the "
        "sampled inputs as `sampled_value(run, input)` named by `input` (the columns of "
        "`samples.csv`), NaN where undefined, `run_ok` (1 for a successful run) and the design "
        "in global attributes; written under a temporary name and renamed when complete"}}));
  c.push_back(csv("samples.csv", csv_shape::samples, "", not_in_report,
                  {{"mc", always,
                    "every run's sampled values: one column per sampled dimension, labelled by "
                    "parameter path, or by the pattern for a `shared` entry"}}));
}

void add_backcast_files(std::vector<result_file>& c) {
  c.push_back({"backcast.csv",
               file_format::csv,
               csv_shape::observations,
               "",
               {"country", "cadre"},
               not_in_report,
               {{"backcast", always,
                 "every observed value and its projection (densities per 10,000 people of the "
                 "model's population; `note` is the observed file's note on that value, and says "
                 "`compared with registered` for a register count, whose projection is the "
                 "`registered` indicator rather than supply)"}}});
  c.push_back(other("validation.md", file_format::markdown,
                    {{"backcast", always,
                      "the report: the command that regenerates it, summary statistics at each "
                      "series' last observed year (median absolute error, how many within 10% "
                      "and 25%), the largest misses with the data's notes, and every value"}}));
  c.push_back(other("validation.svg", file_format::svg,
                    {{"backcast", always,
                      "projected against observed (log-log) at each series' last observed "
                      "year, with +-25% lines"}}));
}

void add_calibrate_files(std::vector<result_file>& c) {
  const std::vector<std::string_view> series{"country", "destination", "cadre", "measure"};
  c.push_back({"fit.csv",
               file_format::csv,
               csv_shape::fit,
               "",
               series,
               read_as_records,
               {{"calibrate", always,
                 "every observed value of the fit and hold-out years (`set`: `fit`, "
                 "`holdout`, or `left_out` for a fit year's value marked `fit: false`, which has "
                 "no model value), the model's value before the fit (`start`) and after it "
                 "(`fitted`), the residual weight * log(fitted / observed) and the series' "
                 "weight (1 / se where it gives a standard error); `measure` says what the value "
                 "counts: `practising` workers (compared with supply), `registered` ones, or a "
                 "corridor's (`destination` given) `emigration`, `returns` or `migrant_stock`"}}});
  c.push_back({"parameters.csv",
               file_format::csv,
               csv_shape::estimates,
               "",
               {"parameter"},
               read_as_records,
               {{"calibrate", always,
                 "every fitted parameter: its value before the fit, the estimate, its bounds, "
                 "its prior (or `none`), the standard error, and a flag: `identified`, "
                 "`weakly identified` (its 95% interval is wider than its bounds), `not "
                 "identified` (the data and priors leave it free: no standard error) or `on a "
                 "bound` (no standard error)"}}});
  c.push_back({"correlations.csv",
               file_format::csv,
               csv_shape::correlations,
               "",
               {"parameter", "other"},
               not_in_report,
               {{"calibrate", always,
                 "the correlation of every pair of identified estimates not on a bound"}}});
  c.push_back({"holdout.csv",
               file_format::csv,
               csv_shape::holdout,
               "",
               series,
               read_as_records,
               {{"calibrate", written_when::listed,
                 "with hold-out years: every observed value of those years against the "
                 "calibrated model and two naive forecasts from the series' fit-year values "
                 "(`persistence`: the last one; `trend`: their least-squares line), with "
                 "`horizon`, the years after the series' last fitted value (0 for a series with "
                 "no value in the fit years, which has no naive forecast), and each error in "
                 "percent of the observed value"}}});
  c.push_back(other("holdout.md", file_format::markdown,
                    {{"calibrate", written_when::listed,
                      "with hold-out years: the page of them (also written where `--report` "
                      "says): the hold-out goal at four years (where it is not met, the values "
                      "on which the model loses to persistence or misses), the median absolute "
                      "and signed errors of the model, persistence and the trend at each horizon, "
                      "how many series the model beats persistence in, with `--published` the "
                      "compared scenarios set against the published projections (each "
                      "explained), every held-out value with the data's note, and the "
                      "estimates"}}));
  c.push_back(other("calibrated.yaml", file_format::yaml,
                    {{"calibrate", always,
                      "a scenario that `extends` the calibrated one and `set:`s every "
                      "estimate with `flag: calibrated`, the fit as its source and the standard "
                      "error in its note: run it, compare it, or extend it"}}));
  c.push_back(other("uncertainty.yaml", file_format::yaml,
                    {{"calibrate", written_when::listed,
                      "with `--emit-uncertainty`: a scenario that `extends` calibrated.yaml and "
                      "draws the estimates that have a standard error from one "
                      "`multivariate_normal` group (estimates, standard errors, correlations, "
                      "the fit's bounds), 1000 samples: `hwfsim mc` it"}}));
}

void add_sensitivity_files(std::vector<result_file>& c) {
  c.push_back({"indices.csv",
               file_format::csv,
               csv_shape::indices,
               "",
               {"output", "input"},
               read_as_records,
               {{"sensitivity", always,
                 "one row per output, input and index. Sobol (`method` `sobol`): `first_order` "
                 "(Saltelli 2010), `total` (Jansen) and, with `--second-order`, "
                 "`second_order` (`input` names the pair, `A & B`), each with its bootstrap "
                 "interval (`ci_low`, `ci_high`; empty with `--bootstrap 0`). Morris (`morris`): "
                 "`mu`, `mu_star`, `sigma` (in the output's unit per unit of the input's "
                 "probability range) and `mu_star_relative` (mu* over the output's largest)"}}});
  c.push_back({"convergence.csv",
               file_format::csv,
               csv_shape::convergence,
               "",
               {"output", "input"},
               read_as_records,
               {{"sensitivity", written_when::listed,
                 "Sobol only: the first-order and total indices from the design's first 16, "
                 "32, ... base rows (`runs` counts their runs), up to all of them: how the "
                 "estimates settle as the runs grow"}}});
  c.push_back({"outputs.csv",
               file_format::csv,
               csv_shape::output_stats,
               "",
               {"output"},
               read_as_records,
               {{"sensitivity", always,
                 "every output analysed (`PLACE.CADRE.INDICATOR.YEAR`, then its parts), its mean "
                 "and standard deviation over the design's runs (Sobol: the A and B rows), and "
                 "`constant` `yes` when it is the same in every run (its indices are then 0)"}}});
  c.push_back({"inputs.csv",
               file_format::csv,
               csv_shape::inputs,
               "",
               {"input"},
               read_as_records,
               {{"sensitivity", always,
                 "every input (a factor of the design): `kind` `parameter` (one matched "
                 "parameter), `shared` (one draw for every match of a pattern) or `group` (a "
                 "multivariate-normal group, varied as one), the parameter paths it sets "
                 "(space-separated) and its distribution"}}});
}

void add_workbook(std::vector<result_file>& c) {
  c.push_back(other("results.xlsx", file_format::xlsx,
                    {{"run", written_when::asked,
                      "with `--xlsx`: the results as an Excel workbook (docs/excel.md): `Key "
                      "figures` (the printed table), `Charts` (per country, its density against "
                      "the SDG index threshold and its supply), one sheet per table above with "
                      "a frozen header, filters and number formats by unit, and `Chart data`"},
                     {"compare", written_when::asked,
                      "with `--xlsx`: as for run; the key figures are the printed tables (all "
                      "cadres, or `--cadre`'s, at each printed year) and each chart draws every "
                      "scenario, for the countries of `--countries`"},
                     {"mc", written_when::asked,
                      "with `--xlsx`: as for run; the key figures are the printed table (5%, "
                      "50% and 95% quantiles in the last year, and the chance of reaching the "
                      "SDG index threshold) and each chart draws the median of every scenario "
                      "between its dotted 5% and 95% quantiles"}}));
}

void add_common_files(std::vector<result_file>& c) {
  c.push_back(other(
      "run.json", file_format::json,
      {{"run", always, "what produced the folder and what the run reported (below)"},
       {"compare", always, "the comparison's settings and every run's record (below)"},
       {"mc", always,
        "the scenarios, the design (sampling, seed, samples), successful and skipped runs, the "
        "sampled dimensions, and the records of the scenarios' deterministic runs"},
       {"backcast", always,
        "as for `run`, with the observed file and its SHA-256 among the inputs"},
       {"calibrate", always,
        "`calibration`: the fit's summary (observed data, fit and hold-out years, parameters, "
        "values, starts, iterations, runs, cost, residual scale, convergence and the solver's "
        "message), the hold-out's median absolute and signed errors of the calibrated model "
        "and the two naive forecasts and the series where the model beats persistence, over "
        "all values and by horizon, and the hold-out goal (`holdout_goal`, as in holdout.md); "
        "`calibrated_run`: the record of the calibrated run, with the observed file among the "
        "inputs"},
       {"sensitivity", always,
        "`sensitivity`: the method, seed, runs, inputs, outputs and output patterns, the "
        "design's settings and the estimators; `run`: the record of the scenario's own run "
        "(every input at its dataset value)"}}));
  c.push_back(other("report.html", file_format::html,
                    {{"run", always, "the interactive report (`hwfsim report`, below)"},
                     {"compare", always,
                      "the interactive report: scenarios overlaid, differences from the "
                      "baseline (`hwfsim report`, below)"},
                     {"mc", always,
                      "the interactive report: fan charts of the quantiles and, with "
                      "`--compare`, of the differences, and the probabilities (`hwfsim "
                      "report`, below)"},
                     {"calibrate", always,
                      "the interactive report of the fit: each observed series against the model "
                      "before and after it, the residuals, the estimates and the hold-out's "
                      "errors against the naive forecasts (`hwfsim report`, below)"},
                     {"sensitivity", always,
                      "the interactive report of the indices: a tornado chart per output, a "
                      "heat map of the inputs against the outputs and, for Sobol, the indices' "
                      "convergence as the runs grow (`hwfsim report`, below)"}}));
  std::vector<file_use> manifest;
  for (const auto* command : {"run", "compare", "mc", "backcast", "calibrate", "sensitivity"})
    manifest.push_back({command, always, manifest_text});
  c.push_back(other("files.sha256", file_format::checksums, std::move(manifest)));
}

}  // namespace

const file_use* result_file::use_by(std::string_view command) const {
  for (const auto& u : written_by)
    if (u.command == command) return &u;
  return nullptr;
}

const csv_columns& columns_of(csv_shape shape) {
  static const csv_columns values{{"scenario", "year"}, {"value"}, "", {}};
  static const csv_columns deltas{{"scenario", "year"}, {"baseline", "value", "delta"}, "", {}};
  static const csv_columns statistics{
      {"scenario", "year"}, {"mean", "sd", "p05", "p25", "p50", "p75", "p95"}, "", {}};
  static const csv_columns observations{{"scenario"},
                                        {"year", "observed", "projected", "error_percent",
                                         "observed_density", "projected_density", "note"},
                                        "",
                                        {"note"}};
  static const csv_columns samples{{"run"}, {}, "<sampled dimension>...", {}};
  static const csv_columns fit{
      {"scenario"},
      {"year", "set", "observed", "start", "fitted", "residual", "weight", "note"},
      "",
      {"set", "note"}};
  static const csv_columns estimates{
      {},
      {"start", "estimate", "min", "max", "prior", "standard_error", "flag"},
      "",
      {"prior", "flag"}};
  static const csv_columns correlations{{}, {"correlation"}, "", {}};
  static const csv_columns holdout{{"scenario"},
                                   {"year", "horizon", "observed", "fitted", "persistence", "trend",
                                    "error_fitted", "error_persistence", "error_trend"},
                                   "",
                                   {}};
  static const csv_columns projections{
      {},
      {"scenario", "indicator", "series", "from_year", "to_year", "kind", "published_from",
       "published_change_low", "published_change_high", "model_from", "model_to", "model_change",
       "tolerance", "verdict", "expected"},
      "",
      {"scenario", "indicator", "kind", "verdict", "expected"}};
  static const csv_columns indices{
      {}, {"method", "index", "estimate", "ci_low", "ci_high"}, "", {"method", "index"}};
  static const csv_columns convergence{{}, {"index", "runs", "estimate"}, "", {"index"}};
  static const csv_columns output_stats{
      {},
      {"table", "place", "cadre", "indicator", "year", "mean", "sd", "constant"},
      "",
      {"table", "place", "cadre", "indicator", "constant"}};
  static const csv_columns inputs{
      {}, {"kind", "parameters", "distribution"}, "", {"kind", "parameters", "distribution"}};
  switch (shape) {
    case csv_shape::indices:
      return indices;
    case csv_shape::convergence:
      return convergence;
    case csv_shape::output_stats:
      return output_stats;
    case csv_shape::inputs:
      return inputs;
    case csv_shape::values:
      return values;
    case csv_shape::deltas:
      return deltas;
    case csv_shape::statistics:
      return statistics;
    case csv_shape::observations:
      return observations;
    case csv_shape::samples:
      return samples;
    case csv_shape::fit:
      return fit;
    case csv_shape::estimates:
      return estimates;
    case csv_shape::correlations:
      return correlations;
    case csv_shape::holdout:
      return holdout;
    case csv_shape::projections:
      return projections;
  }
  throw engine::internal_error("unknown CSV shape");
}

const std::vector<result_file>& results_catalogue() {
  static const std::vector<result_file> catalogue = [] {
    std::vector<result_file> c;
    add_run_files(c);
    add_compare_files(c);
    add_mc_tables(c);
    add_mc_runs(c);
    add_backcast_files(c);
    add_calibrate_files(c);
    add_sensitivity_files(c);
    add_workbook(c);
    add_common_files(c);
    return c;
  }();
  return catalogue;
}

const result_file& result_entry(std::string_view name) {
  for (const auto& f : results_catalogue())
    if (f.name == name) return f;
  throw engine::internal_error(fmt::format("{} is not in the results catalogue", name));
}

std::string fixed_keys_header(std::string_view file) {
  const auto& entry = result_entry(file);
  return csv_header(entry.shape, {entry.fixed_keys.begin(), entry.fixed_keys.end()});
}

std::string csv_header(csv_shape shape, const std::vector<std::string>& key_columns) {
  const auto& columns = columns_of(shape);
  std::string out;
  const auto add = [&](std::string_view column) {
    if (!out.empty()) out += ',';
    out += column;
  };
  for (const auto c : columns.leading) add(c);
  for (const auto& c : key_columns) add(c);
  for (const auto c : columns.values) add(c);
  out += '\n';
  return out;
}

std::vector<std::string_view> writing_commands() {
  std::vector<std::string_view> out;
  for (const auto& f : results_catalogue())
    for (const auto& u : f.written_by)
      if (std::find(out.begin(), out.end(), u.command) == out.end()) out.push_back(u.command);
  return out;
}

std::vector<std::string> key_columns_of(const result_file& file, const key_columns_by_table& keys) {
  if (file.table.empty()) return {file.fixed_keys.begin(), file.fixed_keys.end()};
  const auto it = keys.find(file.table);
  return it == keys.end() ? std::vector<std::string>{} : it->second;
}

namespace {

std::string format_text(const result_file& file, const key_columns_by_table& keys) {
  switch (file.format) {
    case file_format::csv: {
      auto header = csv_header(file.shape, key_columns_of(file, keys));
      header.pop_back();
      const auto more = columns_of(file.shape).more;
      if (!more.empty()) header += fmt::format(",{}", more);
      return fmt::format("`{}`", header);
    }
    case file_format::json:
      return "JSON";
    case file_format::html:
      return "HTML";
    case file_format::netcdf:
      return "NetCDF-4";
    case file_format::markdown:
      return "Markdown";
    case file_format::svg:
      return "SVG";
    case file_format::checksums:
      return "`sha256sum` list";
    case file_format::yaml:
      return "YAML";
    case file_format::xlsx:
      return "Excel workbook";
  }
  throw engine::internal_error("unknown file format");
}

}  // namespace

std::string files_table_markdown(std::string_view command, const key_columns_by_table& keys) {
  std::string out = "| file | columns or format | content |\n|---|---|---|\n";
  for (const auto& f : results_catalogue())
    if (const auto* use = f.use_by(command))
      out += fmt::format("| `{}` | {} | {} |\n", f.name, format_text(f, keys), use->description);
  return out;
}

std::string result_names_markdown() {
  const auto& c = results_catalogue();
  std::string out;
  for (std::size_t i = 0; i < c.size(); ++i) {
    if (i > 0) out += i + 1 == c.size() ? " and " : ", ";
    out += fmt::format("`{}`", c[i].name);
  }
  return out + ".\n";
}

std::optional<std::string> docs_block(std::string_view name, const key_columns_by_table& keys) {
  if (name == "result names") return result_names_markdown();
  for (const auto command : writing_commands())
    if (name == fmt::format("files {}", command)) return files_table_markdown(command, keys);
  return std::nullopt;
}

namespace {

/// Where the line `line` (with its "\n") starts in `text` at or after `from`, or npos.
std::size_t find_line(std::string_view text, std::string_view line, std::size_t from) {
  for (auto at = text.find(line, from); at != std::string_view::npos; at = text.find(line, at + 1))
    if (at == 0 || text[at - 1] == '\n') return at;
  return std::string_view::npos;
}

}  // namespace

std::optional<std::string> with_generated_blocks(
    std::string_view text,
    const std::function<std::optional<std::string>(std::string_view)>& block) {
  constexpr std::string_view begin = "<!-- begin: ", close = " -->\n";
  std::string out;
  std::size_t at = 0;
  while (true) {
    const auto b = find_line(text, begin, at);
    if (b == std::string_view::npos) break;
    const auto name_end = text.find(close, b);
    if (name_end == std::string_view::npos) return std::nullopt;
    const auto name = text.substr(b + begin.size(), name_end - b - begin.size());
    const auto body = name_end + close.size();
    const auto end = find_line(text, fmt::format("<!-- end: {} -->\n", name), body);
    if (end == std::string_view::npos) return std::nullopt;
    const auto generated = block(name);
    out += text.substr(at, body - at);
    out += generated ? std::string_view(*generated) : text.substr(body, end - body);
    at = end;
  }
  out += text.substr(at);
  return out;
}

}  // namespace hwf::out
