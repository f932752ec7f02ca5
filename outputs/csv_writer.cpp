#include "outputs/csv_writer.hpp"

#include <charconv>
#include <cmath>
#include <optional>
#include <string_view>

#include <fmt/format.h>

#include "outputs/results_catalogue.hpp"

namespace hwf::out {

namespace {

/// First characters that make a spreadsheet read a cell as a formula (OWASP, "CSV Injection"),
/// and the apostrophe itself, so that the apostrophe added to a text can always be removed again.
constexpr std::string_view formula_starts = "=+-@\t\r'";

/// True when all of `s` is a finite number ("-0.5", "+2e3"): a number is never a formula.
bool is_number(std::string_view s) {
  if (s.size() > 1 && s.front() == '+' && s[1] != '-') s.remove_prefix(1);
  double x = 0;
  const auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), x);
  return ec == std::errc() && p == s.data() + s.size() && std::isfinite(x);
}

}  // namespace

std::string csv_field(const std::string& s) {
  std::string text;
  if (!s.empty() && formula_starts.find(s.front()) != std::string_view::npos && !is_number(s))
    text = "'" + s;
  const std::string& t = text.empty() ? s : text;
  if (t.find_first_of(",\"\r\n") == std::string::npos) return t;
  std::string out = "\"";
  for (char c : t) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

std::string csv_text(std::string field) {
  if (field.size() >= 2 && field.front() == '\'' &&
      formula_starts.find(field[1]) != std::string_view::npos)
    field.erase(0, 1);
  return field;
}

std::vector<std::size_t> rows_every(std::size_t rows, int interval) {
  std::vector<std::size_t> out;
  for (std::size_t r = 0; r < rows; r += static_cast<std::size_t>(interval)) out.push_back(r);
  if (rows > 0 && out.back() != rows - 1) out.push_back(rows - 1);
  return out;
}

namespace {

/// The key columns of every series, formatted once: ",KEN,nurses,supply".
std::vector<std::string> formatted_keys(const engine::table_schema& schema) {
  std::vector<std::string> keys;
  keys.reserve(schema.size());
  for (const auto& s : schema.series) {
    std::string k;
    for (const auto& label : s) {
      k += ',';
      k += csv_field(label);
    }
    keys.push_back(std::move(k));
  }
  return keys;
}

std::string header_line(const engine::table_schema& schema, csv_shape shape) {
  return csv_header(shape, schema.key_columns);
}

}  // namespace

std::string long_csv(const std::string& scenario, const std::vector<double>& times,
                     const engine::table_values& table, const std::vector<std::size_t>& rows,
                     bool header) {
  const auto& schema = *table.schema;
  std::string out = header ? header_line(schema, csv_shape::values) : std::string();
  const auto keys = formatted_keys(schema);
  const std::string name = csv_field(scenario);
  fmt::memory_buffer buf;
  const auto write_row = [&](std::size_t r) {
    const auto row = table.row(r);
    for (std::size_t i = 0; i < row.size(); ++i) {
      if (std::isnan(row[i])) continue;
      fmt::format_to(std::back_inserter(buf), "{},{}{},{}\n", name, times[r], keys[i], row[i]);
    }
  };
  if (rows.empty())
    for (std::size_t r = 0; r < times.size(); ++r) write_row(r);
  else
    for (std::size_t r : rows) write_row(r);
  out.append(buf.data(), buf.size());
  return out;
}

std::string quantiles_csv(const std::string& scenario, const std::vector<double>& times,
                          const engine::table_schema& schema, std::size_t first_cell,
                          const std::vector<double>& mean, const std::vector<double>& sd,
                          const std::vector<double>& quantiles, bool header) {
  std::string out = header ? header_line(schema, csv_shape::statistics) : std::string();
  const auto keys = formatted_keys(schema);
  const std::string name = csv_field(scenario);
  fmt::memory_buffer buf;
  for (std::size_t r = 0; r < times.size(); ++r)
    for (std::size_t i = 0; i < schema.size(); ++i) {
      const std::size_t c = first_cell + r * schema.size() + i;
      if (std::isnan(mean[c])) continue;
      const double* q = &quantiles[c * 5];
      fmt::format_to(std::back_inserter(buf), "{},{}{},{},{},{},{},{},{},{}\n", name, times[r],
                     keys[i], mean[c], sd[c], q[0], q[1], q[2], q[3], q[4]);
    }
  out.append(buf.data(), buf.size());
  return out;
}

std::string delta_csv(const std::string& scenario, const std::vector<double>& times,
                      const engine::table_values& baseline, const engine::table_values& table,
                      bool header) {
  const auto& schema = *table.schema;
  std::string out = header ? header_line(schema, csv_shape::deltas) : std::string();
  const auto keys = formatted_keys(schema);
  const std::string name = csv_field(scenario);
  fmt::memory_buffer buf;
  for (std::size_t r = 0; r < times.size(); ++r) {
    const auto a = baseline.row(r), b = table.row(r);
    for (std::size_t i = 0; i < b.size(); ++i) {
      if (std::isnan(a[i]) && std::isnan(b[i])) continue;
      fmt::format_to(std::back_inserter(buf), "{},{}{},{},{},{}\n", name, times[r], keys[i], a[i],
                     b[i], b[i] - a[i]);
    }
  }
  out.append(buf.data(), buf.size());
  return out;
}

std::optional<double> parse_csv_number(std::string_view s) {
  double x = 0;
  const auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), x);
  if (ec != std::errc() || p != s.data() + s.size()) return std::nullopt;
  return x;
}

std::string csv_number(double x) {
  return std::isnan(x) ? std::string() : fmt::format("{}", x);
}

}  // namespace hwf::out
