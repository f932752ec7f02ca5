#pragma once
// What a model says about each indicator it reports: its unit, a readable label, whether it is
// a stock, a flow or a ratio, how it combines over the dimensions of a table, and what it means.
// A model keeps one table of these per output table (docs/architecture.md, "Indicators"); the
// writers (units of runs.nc, labels of report.html) read them from there and from nowhere else.

#include <cstddef>
#include <span>
#include <string_view>

namespace hwf::engine {

enum class indicator_kind {
  stock,  ///< a level at the time shown
  flow,   ///< an amount over the year before the time shown (or over the horizon, cumulated)
  ratio,  ///< a quotient of other values (a density, a cost per worker-year)
  flag,   ///< 0 or 1 in a run; its mean over runs is a probability
};

/// How the values of the parts combine into the value of their total (cadre `all`, or several
/// countries together).
enum class aggregation {
  sum,         ///< the sum of the parts
  recomputed,  ///< a ratio recomputed from the summed numerator and denominator
  level,       ///< a value of the whole itself (a country's population), the same for each part
  total_only,  ///< defined for the total only (e.g. a density over some cadres, for cadre `all`)
  none,        ///< not combined (a yes/no result, or the table has no such dimension)
};

/// How a value is printed: a whole count, a density with one decimal, money, or a plain number
/// (a share is printed as a percentage).
enum class value_format { count, density, usd, share, number };

struct indicator_info {
  std::string_view name;
  std::string_view units;      ///< CF / UDUNITS text: "1" a count, "year-1" a yearly flow
  std::string_view label;      ///< readable title, e.g. "Supply"
  std::string_view unit_text;  ///< readable unit, e.g. "workers per year"
  indicator_kind kind;
  value_format format;
  aggregation over_cadres, over_countries;
  std::string_view meaning;  ///< one line, e.g. "workers working in the country (supply)"
  /// A column title for tables of key figures, e.g. "Net migration per year", where the label
  /// alone would not say it; empty where the label says it.
  std::string_view short_label = {};
};

/// Position of `name` in `table`, or table.size() when it has none (usable in static_assert).
constexpr std::size_t position_of(std::span<const indicator_info> table, std::string_view name) {
  for (std::size_t i = 0; i < table.size(); ++i)
    if (table[i].name == name) return i;
  return table.size();
}

/// The entry named `name`, or nullptr.
const indicator_info* find_indicator(std::span<const indicator_info> table, std::string_view name);

/// The entry named `name`. Throws input_error saying that `name` is not one of `what` (e.g.
/// "the indicators"), with the closest name as a suggestion and the list of names as a note.
const indicator_info& lookup_indicator(std::span<const indicator_info> table, std::string_view name,
                                       std::string_view what);

std::string_view to_string(indicator_kind kind);
std::string_view to_string(aggregation rule);
std::string_view to_string(value_format format);

}  // namespace hwf::engine
