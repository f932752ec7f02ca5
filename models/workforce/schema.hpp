#pragma once
// The keys of model datasets and scenarios: one table, used by the loader (validation and
// defaults), by `hwfsim params` (units) and by `hwfsim schema` (docs/yaml-reference.md).

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "models/workforce/description.hpp"
#include "models/workforce/params.hpp"

namespace hwf::model {

/// A numeric parameter key: its unit, valid range, and default. Required unless it has a
/// default or is marked optional.
struct numeric_field {
  std::string_view key;
  std::string_view unit;
  value_range range;
  std::optional<double> default_value;  ///< used when the key is absent
  std::string_view doc;
  bool optional = false;  ///< may be absent with no default (its meaning then is in `doc`)
  /// For the reference table: when an optional key is required, if only in some places.
  std::string_view required_where = {};
};

/// Keys under `cadres.<cadre>`.
std::span<const numeric_field> cadre_fields();
/// Keys under `countries.<ISO3>` (population).
std::span<const numeric_field> country_fields();
/// Keys under `countries.<ISO3>.cadres.<cadre>`.
std::span<const numeric_field> country_cadre_fields();
/// Keys under `corridors[i].cadres.<cadre>`.
std::span<const numeric_field> corridor_fields();

/// Keys common to every policy lever: start, end, ramp_years. (Each lever type has its own
/// keys: models/workforce/levers/lever.hpp.)
std::span<const numeric_field> policy_timing_fields();
/// Looks a field up by key in one of the tables above; nullptr if absent.
const numeric_field* find_field(std::span<const numeric_field> table, std::string_view key);

/// The keys of a table, for "expected one of" lists.
std::vector<std::string> keys_of(std::span<const numeric_field> table);

/// Limits that protect memory and time; inputs beyond them are refused up front.
struct input_limits {
  static constexpr std::size_t countries = 500;
  static constexpr std::size_t cadres = 50;
  static constexpr std::size_t corridors = 20'000;
  static constexpr std::size_t series_points = 500;
  static constexpr std::size_t age_bands = 20;
  static constexpr int max_stages = 50;
  static constexpr int max_horizon_years = 500;
  static constexpr std::size_t policies = 1000;
  static constexpr std::size_t extends_depth = 32;
  static constexpr std::size_t samples = 10'000'000;
  static constexpr std::size_t uncertain_dimensions = 3667;  // Sobol direction numbers
  static constexpr double max_steps = 5e6;
};

/// Markdown reference of every key (the body of docs/yaml-reference.md's tables).
std::string schema_markdown();

}  // namespace hwf::model
