#pragma once
// Run results as dense tables: a fixed list of labelled series, one value per series and year.
// The same layout serves single runs, comparisons and ensemble statistics.

#include <cstddef>
#include <initializer_list>
#include <limits>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace hwf::engine {

/// The series of one output table, fixed when a model is compiled. Each series has one label
/// per key column, e.g. columns {country, cadre, indicator} and labels {KEN, nurses, supply}.
struct table_schema {
  std::string name;  ///< e.g. "indicators" (the CSV file stem)
  std::vector<std::string> key_columns;
  std::vector<std::vector<std::string>> series;  ///< series[i].size() == key_columns.size()

  std::size_t size() const noexcept { return series.size(); }
  /// The first series whose key has, in each named key column, the given label ({{"country",
  /// "GHA"}, {"indicator", "supply"}}); none when no series has, or a column is not a key column.
  std::optional<std::size_t> find(
      std::initializer_list<std::pair<std::string_view, std::string_view>> key) const;
};

/// A value that is not defined at a time point (e.g. a yearly flow at the start year).
/// Writers leave such cells out.
inline constexpr double not_defined = std::numeric_limits<double>::quiet_NaN();

/// Values of one table for one run: row-major, `times.size()` rows of `schema.size()` values.
/// The values own their schema (shared with the model that made them, which may be gone).
struct table_values {
  std::shared_ptr<const table_schema> schema;
  std::vector<double> values;

  std::span<const double> row(std::size_t time_index) const {
    return {values.data() + time_index * schema->size(), schema->size()};
  }
  std::span<double> row(std::size_t time_index) {
    return {values.data() + time_index * schema->size(), schema->size()};
  }
};

/// Everything one run produces.
struct run_result {
  std::vector<double> times;         ///< output time points (calendar years)
  std::vector<table_values> tables;  ///< one per schema of the compiled model
};

}  // namespace hwf::engine

namespace hwf::engine {

/// One observed value and what a run projected for it (validation against data).
struct observation_match {
  std::vector<std::string> keys;  ///< e.g. {country, cadre}
  double year;
  double observed;
  double projected;
  double scale;      ///< divisor for densities (e.g. population / 10,000); 0 = none
  std::string note;  ///< what the data says about this value (series break, ...)
  /// The indicator `projected` is, when not the default one (e.g. "registered" for a register
  /// count); reports name it beside the series.
  std::string compared_with;

  double error_percent() const { return (projected - observed) / observed * 100.0; }
};

}  // namespace hwf::engine
