// The golden whole-run test's checker (docs/architecture.md, "The golden whole-run test").
//
//   hwf_golden check  RESULTS PINS   compares a results folder of `hwfsim compare` with the pins
//   hwf_golden update RESULTS PINS   writes the pins from a results folder
//
// PINS/checksums.txt holds, for each table and indicator, the number of rows and the SHA-256 of
// those rows as written (results are bit-reproducible, so nothing but a real change alters a
// byte). PINS/values.csv holds the rows of the pinned sample (the end year, for a few countries)
// verbatim, so that a mismatch names a cell and both its values.

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <map>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "outputs/atomic_file.hpp"

namespace {

namespace fs = std::filesystem;

/// The tables pinned, in the order they are checked.
const std::vector<std::string> tables{"indicators.csv", "corridors.csv",
                                      "deltas.csv",     "corridor_deltas.csv",
                                      "summary.csv",    "corridor_summary.csv"};
/// The sample whose values are stored: the horizon's end, and the README's countries (a corridor
/// row is sampled when either end is one of them).
const std::string sample_year = "2045";
const std::set<std::string> sample_countries{"NGA", "GHA", "GBR"};
/// Columns that hold values; every other column is part of a row's key.
const std::set<std::string> value_columns{"value", "baseline", "delta"};

std::vector<std::string> split(const std::string& line) {
  std::vector<std::string> out;
  std::string field;
  std::istringstream in(line);
  while (std::getline(in, field, ',')) out.push_back(field);
  if (!line.empty() && line.back() == ',') out.emplace_back();
  return out;
}

std::string read_text(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  if (!in) throw std::runtime_error(fmt::format("cannot read {}", p.string()));
  return {std::istreambuf_iterator<char>(in), {}};
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::string line;
  std::istringstream in(text);
  while (std::getline(in, line)) out.push_back(line);
  return out;
}

/// One results table: its columns and rows, grouped by indicator.
struct table {
  std::vector<std::string> columns;
  std::size_t indicator_column = 0, year_column = 0;
  std::vector<std::string> rows;                                      // without the header
  std::map<std::string, std::pair<std::size_t, std::string>> groups;  // indicator -> rows, bytes

  std::size_t column(const std::string& name) const {
    const auto it = std::find(columns.begin(), columns.end(), name);
    if (it == columns.end()) throw std::runtime_error("no column " + name);
    return static_cast<std::size_t>(it - columns.begin());
  }
  /// The row's key: the values of every column that is not a value column.
  std::string key(const std::vector<std::string>& fields) const {
    std::string k;
    for (std::size_t i = 0; i < columns.size() && i < fields.size(); ++i)
      if (!value_columns.count(columns[i])) k += columns[i] + "=" + fields[i] + " ";
    if (!k.empty()) k.pop_back();
    return k;
  }
  bool sampled(const std::vector<std::string>& fields) const {
    if (fields.size() != columns.size() || fields[year_column] != sample_year) return false;
    for (const char* c : {"country", "origin", "destination"}) {
      const auto it = std::find(columns.begin(), columns.end(), c);
      if (it != columns.end() && sample_countries.count(fields[it - columns.begin()])) return true;
    }
    return false;
  }
};

table read_table(const fs::path& p) {
  table t;
  auto lines = lines_of(read_text(p));
  if (lines.empty()) throw std::runtime_error(fmt::format("{} is empty", p.string()));
  t.columns = split(lines.front());
  t.indicator_column = t.column("indicator");
  t.year_column = t.column("year");
  t.rows.assign(lines.begin() + 1, lines.end());
  for (const auto& r : t.rows) {
    const auto fields = split(r);
    const std::string indicator =
        fields.size() > t.indicator_column ? fields[t.indicator_column] : "";
    auto& g = t.groups[indicator];
    ++g.first;
    g.second += r + "\n";
  }
  return t;
}

/// "table indicator" -> "rows sha256"; the header is pinned as the indicator "(columns)".
std::map<std::string, std::string> checksums(const fs::path& results,
                                             std::map<std::string, table>& read) {
  std::map<std::string, std::string> out;
  for (const auto& name : tables) {
    auto& t = read[name] = read_table(results / name);
    std::string header;
    for (const auto& c : t.columns) header += (header.empty() ? "" : ",") + c;
    out[name + " (columns)"] = fmt::format("1 {}", hwf::out::sha256_hex(header + "\n"));
    for (const auto& [indicator, g] : t.groups)
      out[name + " " + indicator] = fmt::format("{} {}", g.first, hwf::out::sha256_hex(g.second));
  }
  return out;
}

int update(const fs::path& results, const fs::path& pins) {
  std::map<std::string, table> read;
  const auto sums = checksums(results, read);
  fs::create_directories(pins);
  std::string text =
      "# The flagship comparison's pins (docs/architecture.md, \"The golden whole-run test\"):\n"
      "# table, indicator, rows, SHA-256 of the rows as written. Regenerated by\n"
      "# tests/golden/golden_test.sh HWFSIM HWF_GOLDEN --update; do not edit.\n";
  for (const auto& [k, v] : sums) text += k + " " + v + "\n";
  std::ofstream(pins / "checksums.txt", std::ios::binary) << text;
  std::string values = fmt::format(
      "# The flagship comparison's pinned cells: every row of year {} for {} (table, then the row "
      "as written; columns as in that table's header). Regenerated with checksums.txt.\n",
      sample_year, fmt::join(sample_countries, ", "));
  std::size_t n = 0;
  for (const auto& name : tables) {
    const auto& t = read.at(name);
    values += name + "," + fmt::format("{}", fmt::join(t.columns, ",")) + "\n";
    for (const auto& r : t.rows)
      if (t.sampled(split(r))) {
        values += name + "," + r + "\n";
        ++n;
      }
  }
  std::ofstream(pins / "values.csv", std::ios::binary) << values;
  fmt::print("golden: pinned {} checksums and {} cells in {}\n", sums.size(), n, pins.string());
  return 0;
}

int check(const fs::path& results, const fs::path& pins) {
  std::map<std::string, table> read;
  const auto sums = checksums(results, read);
  std::map<std::string, std::string> pinned;
  for (const auto& line : lines_of(read_text(pins / "checksums.txt"))) {
    if (line.empty() || line[0] == '#') continue;
    const auto a = line.find(' ');
    const auto b = line.find(' ', a + 1);
    if (a == std::string::npos || b == std::string::npos)
      throw std::runtime_error("bad line in checksums.txt: " + line);
    pinned[line.substr(0, b)] = line.substr(b + 1);
  }
  std::vector<std::string> problems;
  std::set<std::string> differing;  // "table indicator"
  for (const auto& [k, v] : pinned) {
    const auto it = sums.find(k);
    if (it == sums.end()) {
      problems.push_back(
          fmt::format("{}: pinned ({} rows) but not in the results", k, v.substr(0, v.find(' '))));
      differing.insert(k);
    } else if (it->second != v) {
      problems.push_back(
          fmt::format("{}: differs (pinned {} rows, sha256 {}; now {} rows, sha256 {})", k,
                      v.substr(0, v.find(' ')), v.substr(v.find(' ') + 1, 12),
                      it->second.substr(0, it->second.find(' ')),
                      it->second.substr(it->second.find(' ') + 1, 12)));
      differing.insert(k);
    }
  }
  for (const auto& [k, v] : sums)
    if (!pinned.count(k)) {
      problems.push_back(
          fmt::format("{}: in the results ({} rows) but not pinned", k, v.substr(0, v.find(' '))));
      differing.insert(k);
    }
  if (problems.empty()) {
    fmt::print("golden: {} tables, {} checksums match the pins\n", tables.size(), sums.size());
    return 0;
  }
  // In the tables' order (indicators.csv first); the first dozen, then a count: a change in
  // the dynamics moves most indicators.
  const auto rank = [](const std::string& problem) {
    const auto name = problem.substr(0, problem.find(' '));
    return std::find(tables.begin(), tables.end(), name) - tables.begin();
  };
  std::stable_sort(problems.begin(), problems.end(),
                   [&](const auto& a, const auto& b) { return rank(a) < rank(b); });
  constexpr std::size_t shown = 12;
  fmt::print("golden: {} of {} checksums differ from the pins\n", problems.size(), pinned.size());
  for (std::size_t i = 0; i < problems.size() && i < shown; ++i)
    fmt::print("golden: {}\n", problems[i]);
  if (problems.size() > shown) fmt::print("golden: ... and {} more\n", problems.size() - shown);

  // The first pinned cell (in the tables' order, then the rows') whose value differs.
  std::map<std::string, std::map<std::string, std::vector<std::string>>> now;  // table, key
  for (const auto& [name, t] : read)
    for (const auto& r : t.rows) {
      auto fields = split(r);
      if (t.sampled(fields)) now[name][t.key(fields)] = std::move(fields);
    }
  std::map<std::string, std::vector<std::string>> pinned_columns;
  std::optional<std::string> first;
  for (const auto& line : lines_of(read_text(pins / "values.csv"))) {
    if (line.empty() || line[0] == '#' || first) continue;
    auto fields = split(line);
    const std::string name = fields.front();
    fields.erase(fields.begin());
    auto& columns = pinned_columns[name];
    if (columns.empty()) {
      columns = fields;
      continue;
    }
    table shape;
    shape.columns = columns;
    const std::string key = shape.key(fields);
    const auto found = now[name].find(key);
    if (found == now[name].end()) {
      first = fmt::format("{} {}: pinned but not in the results", name, key);
      continue;
    }
    for (std::size_t i = 0; i < columns.size() && !first; ++i) {
      if (!value_columns.count(columns[i]) || found->second.size() != columns.size()) continue;
      if (fields[i] != found->second[i])
        first = fmt::format("{} {}, column {}: pinned {}, now {}", name, key, columns[i], fields[i],
                            found->second[i]);
    }
  }
  if (first)
    fmt::print("golden: first differing pinned cell: {}\n", *first);
  else
    fmt::print(
        "golden: no pinned cell ({} for {}) differs: the change lies in other years or "
        "countries; run the comparison into a folder and compare it with one made before "
        "the change\n",
        sample_year, fmt::join(sample_countries, ", "));
  fmt::print(
      "golden: if the change is intended, regenerate the pins: "
      "tests/golden/golden_test.sh HWFSIM HWF_GOLDEN --update (docs/architecture.md)\n");
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  const std::vector<std::string> args(argv + 1, argv + argc);
  if (args.size() != 3 || (args[0] != "check" && args[0] != "update")) {
    std::cerr << "usage: hwf_golden check|update RESULTS_FOLDER PINS_FOLDER\n";
    return 2;
  }
  try {
    return args[0] == "update" ? update(args[1], args[2]) : check(args[1], args[2]);
  } catch (const std::exception& e) {
    std::cerr << "hwf_golden: " << e.what() << "\n";
    return 2;
  }
}
