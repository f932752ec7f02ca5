#include "outputs/csv_writer.hpp"

#include <cmath>

#include <fmt/format.h>

namespace hwf::out {

std::string csv_field(const std::string& s) {
  if (s.find_first_of(",\"\r\n") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

std::string long_csv(const std::string& scenario, const std::vector<double>& times,
                     const engine::table_values& table) {
  const auto& schema = *table.schema;
  std::string out = "scenario,year";
  for (const auto& k : schema.key_columns) {
    out += ',';
    out += k;
  }
  out += ",value\n";
  // Key columns are the same on every row of a series: format them once.
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
  const std::string name = csv_field(scenario);
  fmt::memory_buffer buf;
  for (std::size_t r = 0; r < times.size(); ++r) {
    const auto row = table.row(r);
    for (std::size_t i = 0; i < row.size(); ++i) {
      if (std::isnan(row[i])) continue;
      fmt::format_to(std::back_inserter(buf), "{},{}{},{}\n", name, times[r], keys[i], row[i]);
    }
  }
  out.append(buf.data(), buf.size());
  return out;
}

}  // namespace hwf::out
