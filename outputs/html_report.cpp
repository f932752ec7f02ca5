#include "outputs/html_report.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>
#include <map>
#include <optional>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "engine/diagnostics.hpp"
#include "engine/input_file.hpp"
#include "outputs/atomic_file.hpp"
#include "outputs/csv_writer.hpp"
#include "outputs/report_assets.hpp"

namespace hwf::out {

namespace fs = std::filesystem;
using nlohmann::ordered_json;

namespace {

engine::input_error folder_error(const fs::path& where, std::string message, std::string note = {},
                                 int line = 0) {
  engine::diagnostic d;
  d.where.file = where.string();
  d.where.line = line;
  d.where.column = line > 0 ? 1 : 0;
  d.message = std::move(message);
  if (!note.empty()) d.notes.push_back(std::move(note));
  return engine::input_error({std::move(d)});
}

constexpr std::string_view expected_folder =
    "expected a results folder of hwfsim run, compare or mc: run.json and the CSV files it "
    "names (docs/report.md)";

std::string read_whole_file(const fs::path& path) {
  try {
    return engine::read_regular_file(
        path, max_result_file_bytes,
        "results files this large are refused to protect memory (hwf::out::max_result_file_bytes)");
  } catch (const engine::read_error& e) {
    throw folder_error(path, e.what(), std::string(expected_folder));
  }
}

/// Labels of one kind (scenarios, countries, indicators...) in order of first appearance; the
/// page refers to them by index.
class dictionary {
 public:
  std::uint32_t id(std::string_view label) {
    if (const auto it = index_.find(label); it != index_.end()) return it->second;
    const auto i = static_cast<std::uint32_t>(labels_.size());
    labels_.emplace_back(label);
    index_.emplace(labels_.back(), i);
    return i;
  }
  std::optional<std::uint32_t> find(std::string_view label) const {
    if (const auto it = index_.find(label); it != index_.end()) return it->second;
    return std::nullopt;
  }
  const std::vector<std::string>& labels() const noexcept { return labels_; }

 private:
  std::vector<std::string> labels_;
  std::map<std::string, std::uint32_t, std::less<>> index_;
};

/// One CSV file of a results folder and how its columns map to the page's tables.
struct table_spec {
  std::string_view name;  ///< key in the page's data
  std::string_view file;
  std::vector<std::pair<std::string_view, std::string_view>> keys;  ///< (column, dictionary)
  std::vector<std::string_view> columns;                            ///< value columns
};

const table_spec indicators_spec{
    "indicators",
    "indicators.csv",
    {{"country", "countries"}, {"cadre", "cadres"}, {"indicator", "indicators"}},
    {"value"}};
const table_spec corridors_spec{"corridors",
                                "corridors.csv",
                                {{"origin", "countries"},
                                 {"destination", "countries"},
                                 {"cadre", "cadres"},
                                 {"indicator", "corridor_indicators"}},
                                {"value"}};
const table_spec summary_spec{"summary",
                              "summary.csv",
                              {{"country", "countries"}, {"indicator", "summary_indicators"}},
                              {"value"}};
const std::vector<std::string_view> quantile_columns{"mean", "sd",  "p05", "p25",
                                                     "p50",  "p75", "p95"};
const table_spec quantiles_spec{"quantiles", "quantiles.csv", indicators_spec.keys,
                                quantile_columns};
const table_spec corridor_quantiles_spec{"corridor_quantiles", "corridor_quantiles.csv",
                                         corridors_spec.keys, quantile_columns};
const table_spec difference_spec{"difference_quantiles", "difference_quantiles.csv",
                                 indicators_spec.keys, quantile_columns};
const table_spec corridor_difference_spec{"corridor_difference_quantiles",
                                          "corridor_difference_quantiles.csv", corridors_spec.keys,
                                          quantile_columns};
const table_spec probabilities_spec{"probabilities",
                                    "probabilities.csv",
                                    {{"country", "countries"}, {"probability", "probabilities"}},
                                    {"value"}};

/// Splits CSV text (RFC 4180, as csv_field quotes) into records of texts (csv_text: without the
/// apostrophe csv_field puts before a formula); calls `on_record(fields, line)`.
template <class F>
void for_each_record(const std::string& text, F&& on_record) {
  std::vector<std::string> fields;
  std::string field;
  std::size_t i = 0, line = 1, record_line = 1;
  bool quoted = false, any = false;
  while (i < text.size()) {
    const char c = text[i];
    if (quoted) {
      if (c == '"') {
        if (i + 1 < text.size() && text[i + 1] == '"') {
          field += '"';
          ++i;
        } else {
          quoted = false;
        }
      } else {
        if (c == '\n') ++line;
        field += c;
      }
    } else if (c == '"' && field.empty()) {
      quoted = true;
      any = true;
    } else if (c == ',') {
      fields.push_back(csv_text(std::move(field)));
      field.clear();
      any = true;
    } else if (c == '\n' || c == '\r') {
      if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') ++i;
      if (any || !field.empty()) {
        fields.push_back(csv_text(std::move(field)));
        field.clear();
        on_record(fields, record_line);
      }
      fields.clear();
      any = false;
      record_line = ++line;
    } else {
      field += c;
      any = true;
    }
    ++i;
  }
  if (any || !field.empty()) {
    fields.push_back(csv_text(std::move(field)));
    on_record(fields, record_line);
  }
}

std::optional<double> parse_number(std::string_view s) {
  double x = 0;
  const auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), x);
  if (ec != std::errc() || p != s.data() + s.size()) return std::nullopt;
  return x;
}

/// A table read back from its CSV file: one series per (scenario, keys), values by column and
/// year.
struct table_data {
  const table_spec* spec = nullptr;
  std::vector<double> years;
  std::vector<std::vector<std::uint32_t>> series_keys;  ///< scenario id, then one id per key
  std::vector<std::vector<double>> values;  ///< per series: columns x years, column-major
};

table_data read_table(const fs::path& dir, const table_spec& spec,
                      std::map<std::string, dictionary, std::less<>>& dicts,
                      const dictionary& scenarios) {
  const fs::path path = dir / spec.file;
  const std::string text = read_whole_file(path);
  std::vector<std::string> header{"scenario", "year"};
  for (const auto& [column, dict] : spec.keys) header.emplace_back(column);
  for (const auto& column : spec.columns) header.emplace_back(column);

  struct row {
    std::size_t series;
    double year;
    std::size_t first;  ///< into cells
  };
  std::vector<row> rows;
  std::vector<double> cells;
  std::map<std::vector<std::uint32_t>, std::size_t> series_of;
  table_data t;
  t.spec = &spec;
  bool header_seen = false;
  std::vector<std::uint32_t> key(spec.keys.size() + 1);
  for_each_record(text, [&](const std::vector<std::string>& fields, std::size_t line) {
    if (!header_seen) {
      if (fields != header)
        throw folder_error(path, "not a table hwfsim writes",
                           fmt::format("expected the header '{}'", fmt::join(header, ",")), line);
      header_seen = true;
      return;
    }
    if (fields.size() != header.size())
      throw folder_error(
          path, fmt::format("{} fields where the header has {}", fields.size(), header.size()), "",
          line);
    const auto s = scenarios.find(fields[0]);
    if (!s)
      throw folder_error(path, fmt::format("scenario '{}' is not one of run.json's", fields[0]),
                         fmt::format("run.json names: {}", fmt::join(scenarios.labels(), ", ")),
                         line);
    key[0] = *s;
    for (std::size_t k = 0; k < spec.keys.size(); ++k)
      key[k + 1] = dicts[std::string(spec.keys[k].second)].id(fields[k + 2]);
    const auto year = parse_number(fields[1]);
    if (!year) throw folder_error(path, fmt::format("'{}' is not a year", fields[1]), "", line);
    auto [it, added] = series_of.try_emplace(key, t.series_keys.size());
    if (added) t.series_keys.push_back(key);
    rows.push_back({it->second, *year, cells.size()});
    for (std::size_t c = 0; c < spec.columns.size(); ++c) {
      const auto& f = fields[2 + spec.keys.size() + c];
      const auto x = parse_number(f);
      if (!x) throw folder_error(path, fmt::format("'{}' is not a number", f), "", line);
      cells.push_back(*x);
    }
  });
  if (!header_seen) throw folder_error(path, "is empty", "expected a table hwfsim writes");

  for (const auto& r : rows) t.years.push_back(r.year);
  std::sort(t.years.begin(), t.years.end());
  t.years.erase(std::unique(t.years.begin(), t.years.end()), t.years.end());
  const std::size_t n_years = t.years.size(), n_columns = spec.columns.size();
  t.values.assign(
      t.series_keys.size(),
      std::vector<double>(n_years * n_columns, std::numeric_limits<double>::quiet_NaN()));
  for (const auto& r : rows) {
    const auto y = static_cast<std::size_t>(
        std::lower_bound(t.years.begin(), t.years.end(), r.year) - t.years.begin());
    for (std::size_t c = 0; c < n_columns; ++c)
      t.values[r.series][c * n_years + y] = cells[r.first + c];
  }
  return t;
}

/// The table as compact JSON: dictionary names of its keys, its value columns, its years, and
/// each series as [scenario, key ids..., [[column 0 by year], [column 1 by year]...]].
void append_table_json(std::string& out, const table_data& t) {
  const auto& spec = *t.spec;
  out += fmt::format("\"{}\":{{\"keys\":[\"scenarios\"", spec.name);
  for (const auto& k : spec.keys) out += fmt::format(",\"{}\"", k.second);
  out += "],\"columns\":[";
  for (std::size_t c = 0; c < spec.columns.size(); ++c)
    out += fmt::format("{}\"{}\"", c ? "," : "", spec.columns[c]);
  out += "],\"years\":[";
  for (std::size_t y = 0; y < t.years.size(); ++y) {
    if (y) out += ',';
    out += compact_number(t.years[y]);
  }
  out += "],\"series\":[";
  const std::size_t n_years = t.years.size();
  for (std::size_t s = 0; s < t.series_keys.size(); ++s) {
    out += s ? ",[" : "[";
    for (auto id : t.series_keys[s]) out += fmt::format("{},", id);
    out += '[';
    for (std::size_t c = 0; c < spec.columns.size(); ++c) {
      out += c ? ",[" : "[";
      for (std::size_t y = 0; y < n_years; ++y) {
        if (y) out += ',';
        out += compact_number(t.values[s][c * n_years + y]);
      }
      out += ']';
    }
    out += "]]";
  }
  out += "]}";
}

/// What the page shows of one run's record (run.json, or one of its runs).
ordered_json scenario_meta(const ordered_json& r) {
  ordered_json m = ordered_json::object();
  for (const char* key : {"scenario", "description", "hwfsim_version", "git_commit", "inputs",
                          "horizon", "output_interval_years", "solver", "mass_balance_residual"})
    if (r.contains(key)) m[key] = r[key];
  if (r.contains("model")) {
    m["model"] = {{"name", r["model"].value("name", "")},
                  {"description", r["model"].value("description", "")}};
    // Which cadres the SDG density counts, for the page's labels (absent in older folders).
    if (r["model"].contains("cadres")) m["model"]["cadres"] = r["model"]["cadres"];
    // The model's indicators: labels, units and number formats (absent in older folders).
    if (r["model"].contains("indicators")) m["model"]["indicators"] = r["model"]["indicators"];
  }
  return m;
}

struct folder_contents {
  std::string kind;                   ///< run, compare, mc
  std::vector<ordered_json> records;  ///< each scenario's run record, baseline first
  ordered_json extra;                 ///< comparison or monte_carlo settings
  std::vector<const table_spec*> required, optional;
};

folder_contents classify(const fs::path& dir, const ordered_json& j) {
  const fs::path path = dir / "run.json";
  folder_contents f;
  if (!j.is_object())
    throw folder_error(path, "not a run.json of hwfsim", std::string(expected_folder));
  if (j.contains("comparison")) {
    f.kind = "compare";
    for (const auto& r : j.at("runs")) f.records.push_back(r);
    f.extra = j.at("comparison");
    f.required = {&indicators_spec, &corridors_spec, &summary_spec};
  } else if (j.contains("monte_carlo")) {
    f.kind = "mc";
    for (const auto& r : j.at("deterministic_runs")) f.records.push_back(r);
    f.extra = j.at("monte_carlo");
    f.required = {&quantiles_spec, &corridor_quantiles_spec, &probabilities_spec};
    if (f.records.size() > 1) {
      f.required.push_back(&difference_spec);
      f.required.push_back(&corridor_difference_spec);
    }
  } else if (j.contains("scenario") && j.contains("horizon")) {
    f.kind = "run";
    f.records.push_back(j);
    // A run writes the tables its scenario's output.tables names (run.json lists them).
    const auto files = j.value("files", std::vector<std::string>{});
    for (const auto* spec : {&indicators_spec, &corridors_spec}) {
      const bool listed = std::find(files.begin(), files.end(), spec->file) != files.end();
      (listed ? f.required : f.optional).push_back(spec);
    }
  } else {
    throw folder_error(path,
                       "not a run.json of hwfsim: it has no scenario, comparison or "
                       "monte_carlo",
                       std::string(expected_folder));
  }
  if (f.records.empty())
    throw folder_error(path, "names no scenario", std::string(expected_folder));
  for (const auto& r : f.records)
    if (!r.is_object() || !r.contains("scenario") || !r["scenario"].is_string())
      throw folder_error(path, "a run's record has no scenario name", std::string(expected_folder));
  return f;
}

}  // namespace

std::string compact_number(double x) {
  if (!std::isfinite(x)) return "null";
  // Round to the significant digits, then print the shorter of the plain and exponent forms.
  const double r =
      std::strtod(fmt::format("{:.{}e}", x, report_significant_digits - 1).c_str(), nullptr);
  std::string plain = fmt::format("{}", r);
  std::string sci = fmt::format("{:.{}g}", r, report_significant_digits);
  if (const auto e = sci.find('e'); e != std::string::npos) {
    // "1.35389e+06" -> "1.35389e6", "6.4e-16" stays.
    std::string exponent = sci.substr(e + 1);
    const bool negative = exponent[0] == '-';
    exponent.erase(0, 1);
    exponent.erase(0, std::min(exponent.find_first_not_of('0'), exponent.size() - 1));
    sci = sci.substr(0, e) + "e" + (negative ? "-" : "") + exponent;
  }
  if (plain.size() >= 2 && plain.ends_with(".0")) plain.resize(plain.size() - 2);
  return sci.size() < plain.size() ? sci : plain;
}

std::string script_safe_json(std::string_view json) {
  std::string out;
  out.reserve(json.size() + json.size() / 50);
  for (std::size_t i = 0; i < json.size(); ++i) {
    const char c = json[i];
    if (c == '<') {
      out += "\\u003c";
    } else if (c == '>') {
      out += "\\u003e";
    } else if (c == '&') {
      out += "\\u0026";
    } else if (c == '\xE2' && i + 2 < json.size() && json[i + 1] == '\x80' &&
               (json[i + 2] == '\xA8' || json[i + 2] == '\xA9')) {
      // U+2028 and U+2029: valid in JSON strings, line terminators in older JavaScript.
      out += json[i + 2] == '\xA8' ? "\\u2028" : "\\u2029";
      i += 2;
    } else {
      out += c;
    }
  }
  return out;
}

std::string report_html(const fs::path& dir, const report_settings& settings) {
  std::error_code ec;
  if (!fs::exists(dir, ec)) throw folder_error(dir, "no such folder", std::string(expected_folder));
  if (!fs::is_directory(dir, ec))
    throw folder_error(dir, "not a folder", std::string(expected_folder));
  const fs::path run_json = dir / "run.json";
  if (!fs::exists(run_json, ec))
    throw folder_error(dir, "not a results folder: it has no run.json",
                       std::string(expected_folder));

  ordered_json j;
  // Nesting is bounded while parsing: copying or walking a value nested 100,000 deep would
  // exhaust the stack.
  struct too_deep {};
  try {
    j = ordered_json::parse(read_whole_file(run_json),
                            [](int depth, nlohmann::json::parse_event_t, ordered_json&) {
                              if (depth > max_run_json_depth) throw too_deep{};
                              return true;
                            });
  } catch (const too_deep&) {
    throw folder_error(run_json,
                       fmt::format("not a run.json hwfsim writes: its arrays and objects nest "
                                   "more than {} levels deep",
                                   max_run_json_depth),
                       std::string(expected_folder));
  } catch (const ordered_json::exception& e) {
    throw folder_error(run_json, fmt::format("not valid JSON: {}", e.what()),
                       std::string(expected_folder));
  }

  ordered_json meta;
  std::map<std::string, dictionary, std::less<>> dicts;
  std::vector<table_data> tables;
  try {
    const auto f = classify(dir, j);
    dictionary scenarios;
    for (const auto& r : f.records) scenarios.id(r["scenario"].get<std::string>());
    auto& countries = dicts["countries"];
    // Country names and Safeguards-List membership come from the model (run.json, `model`);
    // a folder written before run.json held them shows ISO3 codes only.
    std::map<std::string, ordered_json, std::less<>> info;
    if (f.records[0].contains("model") && f.records[0]["model"].contains("countries"))
      for (const auto& c : f.records[0]["model"]["countries"]) {
        const auto iso3 = c.at("iso3").get<std::string>();
        countries.id(iso3);
        info[iso3] = c;
      }
    for (const auto* spec : f.required) {
      if (!fs::exists(dir / spec->file, ec))
        throw folder_error(
            dir, fmt::format("{} is missing", spec->file),
            fmt::format("run.json describes a folder of hwfsim {}, which writes it", f.kind));
      tables.push_back(read_table(dir, *spec, dicts, scenarios));
    }
    for (const auto* spec : f.optional)
      if (fs::exists(dir / spec->file, ec))
        tables.push_back(read_table(dir, *spec, dicts, scenarios));

    meta["format"] = 1;
    meta["kind"] = f.kind;
    // The folder's own path stays out, so that a folder gives the same page wherever it is.
    meta["generator"] = settings.generator;
    meta["libraries"] = std::string(detail::report_libraries());
    meta["significant_digits"] = report_significant_digits;
    meta["constants"] = {{"sdg_threshold", settings.sdg_threshold},
                         {"safeguards_median", settings.safeguards_median},
                         {"safeguards_edition", settings.safeguards_edition}};
    meta["scenarios"] = ordered_json::array();
    for (const auto& r : f.records) meta["scenarios"].push_back(scenario_meta(r));
    if (f.kind == "compare") meta["comparison"] = f.extra;
    if (f.kind == "mc") meta["monte_carlo"] = f.extra;
    ordered_json country_info = ordered_json::array();
    for (const auto& iso3 : countries.labels()) {
      const auto it = info.find(iso3);
      if (it == info.end())
        country_info.push_back({{"name", iso3}, {"safeguards_list", nullptr}});
      else
        country_info.push_back({{"name", it->second.value("name", iso3)},
                                {"safeguards_list", it->second.value("safeguards_list", false)}});
    }
    meta["country_info"] = country_info;
    ordered_json d = {{"scenarios", scenarios.labels()}};
    for (const auto& [name, dict] : dicts) d[name] = dict.labels();
    meta["dictionaries"] = d;
  } catch (const ordered_json::exception& e) {
    throw folder_error(run_json, fmt::format("unexpected content: {}", e.what()),
                       std::string(expected_folder));
  }

  // Labels come from files a user may have edited: invalid UTF-8 is replaced, not fatal.
  std::string json = meta.dump(-1, ' ', false, ordered_json::error_handler_t::replace);
  json.pop_back();  // the closing brace; the tables follow
  json += ",\"tables\":{";
  for (std::size_t i = 0; i < tables.size(); ++i) {
    if (i) json += ',';
    append_table_json(json, tables[i]);
  }
  json += "}}";

  std::string page;
  const auto safe = script_safe_json(json);
  std::size_t size = safe.size();
  for (auto part : detail::report_page_before_data()) size += part.size();
  for (auto part : detail::report_page_after_data()) size += part.size();
  page.reserve(size);
  for (auto part : detail::report_page_before_data()) page += part;
  page += safe;
  for (auto part : detail::report_page_after_data()) page += part;
  return page;
}

std::size_t write_report(const fs::path& dir, const report_settings& settings) {
  const auto page = report_html(dir, settings);
  write_file_atomically(dir / "report.html", page);
  return page.size();
}

}  // namespace hwf::out
