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
#include "outputs/results_catalogue.hpp"

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
    "expected a results folder of hwfsim run, compare, mc, calibrate or sensitivity: run.json and "
    "the CSV "
    "files it names (docs/report.md)";

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

/// The dictionary the page keeps the labels of key column `column` of table `table` in: the
/// column's plural ("cadre": "cadres", "country": "countries"), but for two rules: origins and
/// destinations are countries, and each table's indicators are its own set ("indicators",
/// "corridor_indicators", "summary_indicators").
std::string dictionary_of(std::string_view column, std::string_view table) {
  if (column == "origin" || column == "destination") return "countries";
  if (column == "indicator") {
    if (table == "indicators") return "indicators";
    if (table.ends_with('s')) table.remove_suffix(1);
    return fmt::format("{}_indicators", table);
  }
  if (column.ends_with('y')) return fmt::format("{}ies", column.substr(0, column.size() - 1));
  return fmt::format("{}s", column);
}

/// True for a key column name hwfsim writes: lowercase letters, digits and underscores.
bool is_key_column(std::string_view column) {
  return !column.empty() && column.front() >= 'a' && column.front() <= 'z' &&
         std::all_of(column.begin(), column.end(), [](char c) {
           return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
         });
}

/// A table read back from its CSV file: one series per (scenario, keys), values by column and
/// year.
struct table_data {
  const result_file* file = nullptr;
  std::vector<std::string> dictionaries;  ///< of the key columns, from the file's header
  std::vector<std::string> key_columns;   ///< "scenario", then the header's key columns
  std::vector<double> years;
  std::vector<std::vector<std::uint32_t>> series_keys;  ///< scenario id, then one id per key
  std::vector<std::vector<double>> values;  ///< per series: columns x years, column-major
};

/// Reads a table's CSV records: the header first, whose key columns (between the catalogue's
/// leading and value columns) name the dictionaries, then one row per record.
class table_reader {
 public:
  table_reader(fs::path path, const result_file& file,
               std::map<std::string, dictionary, std::less<>>& dicts, const dictionary& scenarios)
      : path_(std::move(path)),
        columns_(columns_of(file.shape)),
        dicts_(dicts),
        scenarios_(scenarios) {
    t_.file = &file;
  }

  void record(const std::vector<std::string>& fields, std::size_t line) {
    if (header_.empty())
      header(fields, line);
    else
      row(fields, line);
  }

  table_data finish();

 private:
  struct row_at {
    std::size_t series;
    double year;
    std::size_t first;  ///< into cells_
  };

  void header(const std::vector<std::string>& fields, std::size_t line);
  void row(const std::vector<std::string>& fields, std::size_t line);

  fs::path path_;
  const csv_columns& columns_;
  std::map<std::string, dictionary, std::less<>>& dicts_;
  const dictionary& scenarios_;
  std::vector<std::string> header_;
  std::vector<dictionary*> key_dicts_;
  std::vector<std::uint32_t> key_;  ///< of the current row: scenario id, then one id per key
  std::vector<row_at> rows_;
  std::vector<double> cells_;
  std::map<std::vector<std::uint32_t>, std::size_t> series_of_;
  table_data t_;
};

void table_reader::header(const std::vector<std::string>& fields, std::size_t line) {
  const std::size_t lead = columns_.leading.size(), n_values = columns_.values.size();
  bool good = fields.size() > lead + n_values &&
              std::equal(columns_.leading.begin(), columns_.leading.end(), fields.begin()) &&
              std::equal(columns_.values.begin(), columns_.values.end(), fields.end() - n_values);
  for (std::size_t k = lead; good && k < fields.size() - n_values; ++k) {
    const auto& column = fields[k];
    good = is_key_column(column) && std::count(fields.begin(), fields.end(), column) == 1 &&
           std::find(columns_.leading.begin(), columns_.leading.end(), column) ==
               columns_.leading.end();
    if (!good) break;
    t_.dictionaries.push_back(dictionary_of(column, t_.file->table));
    t_.key_columns.push_back(column);
  }
  if (!good)
    throw folder_error(
        path_, "not a table hwfsim writes",
        fmt::format("expected the header '{},<key columns>,{}'", fmt::join(columns_.leading, ","),
                    fmt::join(columns_.values, ",")),
        static_cast<int>(line));
  t_.key_columns.insert(t_.key_columns.begin(), fields[0]);
  header_ = fields;
}

void table_reader::row(const std::vector<std::string>& fields, std::size_t line) {
  const int at = static_cast<int>(line);
  if (fields.size() != header_.size())
    throw folder_error(
        path_, fmt::format("{} fields where the header has {}", fields.size(), header_.size()), "",
        at);
  const auto s = scenarios_.find(fields[0]);
  if (!s)
    throw folder_error(path_, fmt::format("scenario '{}' is not one of run.json's", fields[0]),
                       fmt::format("run.json names: {}", fmt::join(scenarios_.labels(), ", ")), at);
  if (key_dicts_.empty())  // made with the first row: a table without rows adds no dictionary
    for (const auto& name : t_.dictionaries) key_dicts_.push_back(&dicts_[name]);
  key_.resize(key_dicts_.size() + 1);
  key_[0] = *s;
  for (std::size_t k = 0; k < key_dicts_.size(); ++k)
    key_[k + 1] = key_dicts_[k]->id(fields[k + 2]);
  const auto year = parse_csv_number(fields[1]);
  if (!year) throw folder_error(path_, fmt::format("'{}' is not a year", fields[1]), "", at);
  auto [it, added] = series_of_.try_emplace(key_, t_.series_keys.size());
  if (added) t_.series_keys.push_back(key_);
  rows_.push_back({it->second, *year, cells_.size()});
  for (std::size_t c = 2 + key_dicts_.size(); c < fields.size(); ++c) {
    const auto x = parse_csv_number(fields[c]);
    if (!x) throw folder_error(path_, fmt::format("'{}' is not a number", fields[c]), "", at);
    cells_.push_back(*x);
  }
}

table_data table_reader::finish() {
  if (header_.empty()) throw folder_error(path_, "is empty", "expected a table hwfsim writes");
  for (const auto& r : rows_) t_.years.push_back(r.year);
  std::sort(t_.years.begin(), t_.years.end());
  t_.years.erase(std::unique(t_.years.begin(), t_.years.end()), t_.years.end());
  const std::size_t n_years = t_.years.size(), n_columns = columns_.values.size();
  t_.values.assign(
      t_.series_keys.size(),
      std::vector<double>(n_years * n_columns, std::numeric_limits<double>::quiet_NaN()));
  for (const auto& r : rows_) {
    const auto y = static_cast<std::size_t>(
        std::lower_bound(t_.years.begin(), t_.years.end(), r.year) - t_.years.begin());
    for (std::size_t c = 0; c < n_columns; ++c)
      t_.values[r.series][c * n_years + y] = cells_[r.first + c];
  }
  return std::move(t_);
}

table_data read_table(const fs::path& dir, const result_file& file,
                      std::map<std::string, dictionary, std::less<>>& dicts,
                      const dictionary& scenarios) {
  const fs::path path = dir / file.name;
  const std::string text = read_whole_file(path);
  table_reader reader(path, file, dicts, scenarios);
  for_each_csv_record(text, [&](const std::vector<std::string>& fields, std::size_t line) {
    reader.record(fields, line);
  });
  return reader.finish();
}

/// The table as compact JSON: dictionary names of its keys, the names of its key columns (the
/// page finds a key by its column, never by its position), its value columns, its years, and
/// each series as [scenario, key ids..., [[column 0 by year], [column 1 by year]...]].
void append_table_json(std::string& out, const table_data& t) {
  const auto& columns = columns_of(t.file->shape).values;
  out += fmt::format("\"{}\":{{\"keys\":[\"scenarios\"", t.file->stem());
  for (const auto& k : t.dictionaries) out += fmt::format(",\"{}\"", k);
  out += "],\"key_columns\":[";
  for (std::size_t k = 0; k < t.key_columns.size(); ++k)
    out += fmt::format("{}\"{}\"", k ? "," : "", t.key_columns[k]);
  out += "],\"columns\":[";
  for (std::size_t c = 0; c < columns.size(); ++c)
    out += fmt::format("{}\"{}\"", c ? "," : "", columns[c]);
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
    for (std::size_t c = 0; c < columns.size(); ++c) {
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

/// A file the page embeds as its columns and rows (report_use::records): the columns of its
/// header, then each row's fields as JSON, a number (6 significant digits, null where empty) or,
/// in the key and text columns, a string.
struct records_data {
  const result_file* file = nullptr;
  std::vector<std::string> columns;
  std::vector<std::vector<std::string>> rows;  ///< JSON texts
};

/// `text` as a JSON string (invalid UTF-8 replaced, as in the rest of the page's data).
std::string json_string(const std::string& text) {
  return ordered_json(text).dump(-1, ' ', false, ordered_json::error_handler_t::replace);
}

/// Reads a file of records: its header must be the catalogue's columns around its fixed keys,
/// each row as many fields, each number column a number or empty, and a `scenario` column one
/// of run.json's scenarios.
records_data read_records(const fs::path& dir, const result_file& file,
                          const dictionary& scenarios) {
  const fs::path path = dir / file.name;
  const std::string text = read_whole_file(path);
  const auto& shape = columns_of(file.shape);
  std::string expected = csv_header(file.shape, {file.fixed_keys.begin(), file.fixed_keys.end()});
  expected.pop_back();
  records_data r;
  r.file = &file;
  std::vector<bool> is_text;
  std::size_t scenario_column = std::string::npos;
  for_each_csv_record(text, [&](const std::vector<std::string>& fields, std::size_t line) {
    const int at = static_cast<int>(line);
    if (r.columns.empty()) {
      if (fmt::format("{}", fmt::join(fields, ",")) != expected)
        throw folder_error(path, "not a table hwfsim writes",
                           fmt::format("expected the header '{}'", expected), at);
      r.columns = fields;
      for (std::size_t c = 0; c < fields.size(); ++c) {
        const bool value = c >= fields.size() - shape.values.size();
        is_text.push_back(!value || std::find(shape.texts.begin(), shape.texts.end(), fields[c]) !=
                                        shape.texts.end());
        if (fields[c] == "scenario") scenario_column = c;
      }
      return;
    }
    if (fields.size() != r.columns.size())
      throw folder_error(
          path, fmt::format("{} fields where the header has {}", fields.size(), r.columns.size()),
          "", at);
    if (scenario_column < fields.size() && !scenarios.find(fields[scenario_column]))
      throw folder_error(
          path, fmt::format("scenario '{}' is not one of run.json's", fields[scenario_column]),
          fmt::format("run.json names: {}", fmt::join(scenarios.labels(), ", ")), at);
    auto& row = r.rows.emplace_back();
    for (std::size_t c = 0; c < fields.size(); ++c) {
      if (is_text[c]) {
        row.push_back(json_string(fields[c]));
      } else if (fields[c].empty()) {
        row.emplace_back("null");
      } else {
        const auto x = parse_csv_number(fields[c]);
        if (!x) throw folder_error(path, fmt::format("'{}' is not a number", fields[c]), "", at);
        row.push_back(compact_number(*x));
      }
    }
  });
  if (r.columns.empty())
    throw folder_error(path, "is empty", fmt::format("expected the header '{}'", expected));
  return r;
}

/// The records as compact JSON: {"columns": [...], "rows": [[...], ...]}, named by the file's
/// stem.
void append_records_json(std::string& out, const records_data& r) {
  out += fmt::format("\"{}\":{{\"columns\":[", r.file->stem());
  for (std::size_t c = 0; c < r.columns.size(); ++c)
    out += fmt::format("{}{}", c ? "," : "", json_string(r.columns[c]));
  out += "],\"rows\":[";
  for (std::size_t i = 0; i < r.rows.size(); ++i)
    out += fmt::format("{}[{}]", i ? "," : "", fmt::join(r.rows[i], ","));
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
  std::string kind;                   ///< run, compare, mc, calibrate, sensitivity
  std::vector<ordered_json> records;  ///< each scenario's run record, baseline first
  ordered_json extra;                 ///< comparison or monte_carlo settings, calibration summary
  std::vector<const result_file*> required, optional;  ///< the files the page reads
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
  } else if (j.contains("monte_carlo")) {
    f.kind = "mc";
    for (const auto& r : j.at("deterministic_runs")) f.records.push_back(r);
    f.extra = j.at("monte_carlo");
  } else if (j.contains("calibration")) {
    f.kind = "calibrate";
    f.records.push_back(j.at("calibrated_run"));
    f.extra = j.at("calibration");
    if (!f.extra.is_object())
      throw folder_error(path, "its calibration is not an object", std::string(expected_folder));
  } else if (j.contains("sensitivity")) {
    f.kind = "sensitivity";
    f.records.push_back(j.at("run"));
    f.extra = j.at("sensitivity");
    if (!f.extra.is_object())
      throw folder_error(path, "its sensitivity is not an object", std::string(expected_folder));
  } else if (j.contains("scenario") && j.contains("horizon")) {
    f.kind = "run";
    f.records.push_back(j);
  } else {
    throw folder_error(path,
                       "not a run.json of hwfsim: it has no scenario, comparison, monte_carlo, "
                       "calibration or sensitivity",
                       std::string(expected_folder));
  }
  if (f.records.empty())
    throw folder_error(path, "names no scenario", std::string(expected_folder));
  for (const auto& r : f.records)
    if (!r.is_object() || !r.contains("scenario") || !r["scenario"].is_string())
      throw folder_error(path, "a run's record has no scenario name", std::string(expected_folder));
  // A run writes the tables its scenario's output.tables names, a calibration its hold-out
  // table when the scenario has hold-out years (the run's record lists them).
  const auto files = f.kind == "run" || f.kind == "calibrate" || f.kind == "sensitivity"
                         ? f.records[0].value("files", std::vector<std::string>{})
                         : std::vector<std::string>{};
  for (const auto& file : results_catalogue()) {
    const auto* use = file.in_report != report_use::none ? file.use_by(f.kind) : nullptr;
    if (use == nullptr) continue;
    const bool listed = std::find(files.begin(), files.end(), file.name) != files.end();
    if (use->when == written_when::always || (use->when == written_when::listed && listed) ||
        (use->when == written_when::comparing && f.records.size() > 1))
      f.required.push_back(&file);
    else if (use->when != written_when::comparing)
      f.optional.push_back(&file);
  }
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

std::string page_with_data(std::span<const std::string_view> before, std::string_view json,
                           std::span<const std::string_view> after) {
  const auto safe = script_safe_json(json);
  std::size_t size = safe.size();
  for (auto part : before) size += part.size();
  for (auto part : after) size += part.size();
  std::string page;
  page.reserve(size);
  for (auto part : before) page += part;
  page += safe;
  for (auto part : after) page += part;
  return page;
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

namespace {

/// run.json of results folder `dir`, parsed with its nesting bounded.
ordered_json read_run_json(const fs::path& dir) {
  std::error_code ec;
  if (!fs::exists(dir, ec)) throw folder_error(dir, "no such folder", std::string(expected_folder));
  if (!fs::is_directory(dir, ec))
    throw folder_error(dir, "not a folder", std::string(expected_folder));
  const fs::path run_json = dir / "run.json";
  if (!fs::exists(run_json, ec))
    throw folder_error(dir, "not a results folder: it has no run.json",
                       std::string(expected_folder));
  // Nesting is bounded while parsing: copying or walking a value nested 100,000 deep would
  // exhaust the stack.
  struct too_deep {};
  try {
    return ordered_json::parse(read_whole_file(run_json),
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
}

/// The files of `f` the page reads as `use`: those the folder's kind requires (folder_error if
/// one is missing), then the optional ones present.
std::vector<const result_file*> present_files(const fs::path& dir, const folder_contents& f,
                                              report_use use) {
  std::vector<const result_file*> out;
  std::error_code ec;
  for (const auto* file : f.required) {
    if (file->in_report != use) continue;
    if (!fs::exists(dir / file->name, ec))
      throw folder_error(
          dir, fmt::format("{} is missing", file->name),
          fmt::format("run.json describes a folder of hwfsim {}, which writes it", f.kind));
    out.push_back(file);
  }
  for (const auto* file : f.optional)
    if (file->in_report == use && fs::exists(dir / file->name, ec)) out.push_back(file);
  return out;
}

/// Name and Safeguards-List membership of each country of the page, from the model's records
/// (`info`, by ISO3); a country the model does not describe shows its code.
ordered_json country_info(const dictionary& countries,
                          const std::map<std::string, ordered_json, std::less<>>& info) {
  ordered_json out = ordered_json::array();
  for (const auto& iso3 : countries.labels()) {
    const auto it = info.find(iso3);
    if (it == info.end())
      out.push_back({{"name", iso3}, {"safeguards_list", nullptr}});
    else
      out.push_back({{"name", it->second.value("name", iso3)},
                     {"safeguards_list", it->second.value("safeguards_list", false)}});
    // A rest-of-world entry names corridor destinations only: the page lists no row for it.
    if (it != info.end() && it->second.value("rest_of_world", false))
      out.back()["rest_of_world"] = true;
  }
  return out;
}

/// What the page shows besides the tables.
ordered_json page_meta(const folder_contents& f, const report_settings& settings) {
  ordered_json meta;
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
  if (f.kind == "calibrate") meta["calibration"] = f.extra;
  if (f.kind == "sensitivity") meta["sensitivity"] = f.extra;
  return meta;
}

/// The page: its parts around the data, which is `meta` followed by the tables and the records.
std::string page_text(const ordered_json& meta, const std::vector<table_data>& tables,
                      const std::vector<records_data>& records) {
  // Labels come from files a user may have edited: invalid UTF-8 is replaced, not fatal.
  std::string json = meta.dump(-1, ' ', false, ordered_json::error_handler_t::replace);
  json.pop_back();  // the closing brace; the tables follow
  json += ",\"tables\":{";
  for (std::size_t i = 0; i < tables.size(); ++i) {
    if (i) json += ',';
    append_table_json(json, tables[i]);
  }
  json += '}';
  if (!records.empty()) {  // a calibration's or a sensitivity study's
    json += ",\"records\":{";
    for (std::size_t i = 0; i < records.size(); ++i) {
      if (i) json += ',';
      append_records_json(json, records[i]);
    }
    json += '}';
  }
  json += '}';

  return page_with_data(detail::report_page_before_data(), json, detail::report_page_after_data());
}

}  // namespace

std::string report_html(const fs::path& dir, const report_settings& settings) {
  const ordered_json j = read_run_json(dir);
  ordered_json meta;
  std::map<std::string, dictionary, std::less<>> dicts;
  std::vector<table_data> tables;
  std::vector<records_data> records;
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
    for (const auto* file : present_files(dir, f, report_use::table))
      tables.push_back(read_table(dir, *file, dicts, scenarios));
    for (const auto* file : present_files(dir, f, report_use::records))
      records.push_back(read_records(dir, *file, scenarios));
    meta = page_meta(f, settings);
    meta["country_info"] = country_info(countries, info);
    ordered_json d = {{"scenarios", scenarios.labels()}};
    for (const auto& [name, dict] : dicts) d[name] = dict.labels();
    meta["dictionaries"] = d;
  } catch (const ordered_json::exception& e) {
    throw folder_error(dir / "run.json", fmt::format("unexpected content: {}", e.what()),
                       std::string(expected_folder));
  }
  return page_text(meta, tables, records);
}

std::size_t write_report(const fs::path& dir, const report_settings& settings) {
  const auto page = report_html(dir, settings);
  write_file_atomically(dir / "report.html", page);
  return page.size();
}

}  // namespace hwf::out
