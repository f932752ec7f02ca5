#pragma once
// Comparing scenarios against a baseline: per-country summaries at chosen years (supply,
// densities, shortage, net migration, policy cost, discounted cost-effectiveness) and per-corridor
// cumulative flows and money (docs/comparing.md).

#include <memory>
#include <vector>

#include "engine/tables.hpp"
#include "models/workforce/compiled_model.hpp"

namespace hwf::model {

/// The SDG index threshold: doctors, nurses and midwives per 10,000 people (WHO 2016).
inline constexpr double sdg_threshold = 44.5;

struct comparison_settings {
  std::vector<int> years;       ///< calendar years to summarise (each within the horizon)
  double discount_rate = 0.03;  ///< per year
};

/// Schema of the per-country summary table: keys (country, indicator).
std::shared_ptr<const engine::table_schema> country_summary_schema(const compiled_model& m);
/// Schema of the per-corridor summary table: keys (origin, destination, cadre, indicator).
std::shared_ptr<const engine::table_schema> corridor_summary_schema(const compiled_model& m);

/// True when two compiled models produce tables of the same series and years (so that their
/// runs can be compared value by value).
bool same_layout(const compiled_model& a, const compiled_model& b);

/// Checks that runs of `scenarios` (the baseline first), compiled to `models` (same order), can
/// be compared value by value: each has its own name, and each model has the baseline's layout
/// (same_layout). Throws engine::input_error naming the first scenario file at fault.
void check_comparable(const std::vector<const scenario_description*>& scenarios,
                      const std::vector<const compiled_model*>& models);

/// The per-country summary of `run` against `baseline` at settings.years (one row per year).
/// Both runs come from models with the same layout as `m`.
engine::table_values summarise_countries(const compiled_model& m,
                                         std::shared_ptr<const engine::table_schema> schema,
                                         const run_output& baseline, const run_output& run,
                                         const comparison_settings& settings);

/// Cumulative corridor flows and money from the start year to each summary year.
engine::table_values summarise_corridors(const compiled_model& m,
                                         std::shared_ptr<const engine::table_schema> schema,
                                         const run_output& run,
                                         const comparison_settings& settings);

}  // namespace hwf::model
