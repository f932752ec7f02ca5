#include "engine/indicator_info.hpp"

#include <array>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "engine/diagnostics.hpp"

namespace hwf::engine {

const indicator_info* find_indicator(std::span<const indicator_info> table, std::string_view name) {
  const std::size_t i = position_of(table, name);
  return i < table.size() ? &table[i] : nullptr;
}

const indicator_info& lookup_indicator(std::span<const indicator_info> table, std::string_view name,
                                       std::string_view what) {
  if (const auto* found = find_indicator(table, name)) return *found;
  std::vector<std::string> names;
  for (const auto& e : table) names.emplace_back(e.name);
  diagnostic d;
  d.message = fmt::format("'{}' is not one of {}", name, what);
  d.notes = {fmt::format("{}: {}", what, join_list(names, 100))};
  d.suggestion = closest_match(name, names).value_or("");
  throw input_error({std::move(d)});
}

// The names in enumerator order.
std::string_view to_string(indicator_kind kind) {
  static constexpr std::array<std::string_view, 4> names{"stock", "flow", "ratio", "flag"};
  return names.at(static_cast<std::size_t>(kind));
}

std::string_view to_string(aggregation rule) {
  static constexpr std::array<std::string_view, 5> names{"sum", "recomputed", "level", "total_only",
                                                         "none"};
  return names.at(static_cast<std::size_t>(rule));
}

std::string_view to_string(value_format format) {
  static constexpr std::array<std::string_view, 5> names{"count", "density", "usd", "share",
                                                         "number"};
  return names.at(static_cast<std::size_t>(format));
}

}  // namespace hwf::engine
