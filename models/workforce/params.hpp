#pragma once
// The model's numeric parameters: one stable dotted path each, with value, unit, valid range,
// where it was set and its source. A run's parameters are a flat vector indexed like this table.

#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/diagnostics.hpp"

namespace hwf::model {

/// Valid values of a parameter: [min, max], with `min_open` for (min, max].
struct value_range {
  double min;
  double max;
  bool min_open = false;
  bool integer = false;

  bool contains(double v) const {
    return (min_open ? v > min : v >= min) && v <= max &&
           (!integer || v == static_cast<long long>(v));
  }
  /// "in [0, 1]", "in (0, 1]", ">= 0" (for an unbounded range).
  std::string describe() const;
};

/// How sure a figure is, as the dataset states it.
/// How sure a value is; `calibrated`: estimated by `hwfsim calibrate` from observed data.
enum class evidence { unstated, verified, derived, estimate, calibrated };
std::string_view to_string(evidence e);

struct parameter {
  std::string path;  ///< e.g. countries.KEN.cadres.nurses.exit_rate
  double value;
  std::string unit;  ///< e.g. "1/year", "persons", "USD/year"
  value_range range;
  engine::source_location where;  ///< where the value in force was written
  std::string source;             ///< citation (dataset `source:`), empty if none
  evidence flag = evidence::unstated;
  std::string note;         ///< derivation or reason for an estimate
  bool overridden = false;  ///< set by a scenario's `set:` rather than the dataset
};

/// All parameters of a model, in the order they were declared. Paths are unique.
class parameter_table {
 public:
  /// Adds a parameter; returns its index. Throws internal_error if the path exists.
  std::size_t add(parameter p);
  std::optional<std::size_t> find(std::string_view path) const;
  const parameter& operator[](std::size_t i) const { return items_.at(i); }
  parameter& operator[](std::size_t i) { return items_.at(i); }
  std::size_t size() const noexcept { return items_.size(); }
  const std::vector<parameter>& items() const noexcept { return items_; }
  /// Every path, in table order (for suggestions).
  std::vector<std::string> paths() const;
  /// The values, in table order: the default parameter vector of a run.
  std::vector<double> values() const;

 private:
  std::vector<parameter> items_;
  std::map<std::string, std::size_t, std::less<>> index_;
};

}  // namespace hwf::model
