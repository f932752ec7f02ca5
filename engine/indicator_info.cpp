#include "engine/indicator_info.hpp"

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

std::string_view to_string(indicator_kind kind) {
  switch (kind) {
    case indicator_kind::stock:
      return "stock";
    case indicator_kind::flow:
      return "flow";
    case indicator_kind::ratio:
      return "ratio";
    case indicator_kind::flag:
      return "flag";
  }
  return "?";
}

std::string_view to_string(aggregation rule) {
  switch (rule) {
    case aggregation::sum:
      return "sum";
    case aggregation::recomputed:
      return "recomputed";
    case aggregation::level:
      return "level";
    case aggregation::total_only:
      return "total_only";
    case aggregation::none:
      return "none";
  }
  return "?";
}

std::string_view to_string(value_format format) {
  switch (format) {
    case value_format::count:
      return "count";
    case value_format::density:
      return "density";
    case value_format::usd:
      return "usd";
    case value_format::share:
      return "share";
    case value_format::number:
      return "number";
  }
  return "?";
}

}  // namespace hwf::engine
