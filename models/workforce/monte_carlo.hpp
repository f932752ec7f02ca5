#pragma once
// Monte Carlo studies: one scenario, or a baseline and policies compared on common random
// numbers (docs/monte-carlo.md). A study lays every run's values out as one vector of cells:
// each scenario's tables, then each policy's differences from the baseline, then the 0/1
// indicators whose means are the reported probabilities.

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "engine/indicator_info.hpp"
#include "engine/sampling.hpp"
#include "engine/tables.hpp"
#include "models/workforce/compiled_model.hpp"
#include "models/workforce/description.hpp"

namespace hwf::model {

struct mc_study {
  std::vector<scenario_description> scenarios;  ///< baseline first
  std::vector<std::unique_ptr<compiled_model>> models;
  std::vector<std::string> dimensions;  ///< union of the scenarios' sampled dimensions
  std::vector<std::vector<std::size_t>> dimension_of;  ///< per scenario: own dimension -> union
  std::unique_ptr<engine::sample_design> design;
  std::size_t samples = 0;
  std::vector<double> times;                                       ///< every year of the horizon
  std::shared_ptr<const engine::table_schema> probability_schema;  ///< (country, probability)

  /// First cell of table `t` of scenario `s`; of the differences of scenario `s` (s >= 1) from
  /// the baseline in table `t`; of the probabilities of scenario `s`.
  std::size_t table_cell(std::size_t s, std::size_t t) const;
  std::size_t difference_cell(std::size_t s, std::size_t t) const;
  std::size_t probability_cell(std::size_t s) const;
  std::size_t cells() const;
};

/// Loads the scenarios (each needs an `uncertainty` block; all share the baseline's samples,
/// sampling and seed, and the same model layout). Throws engine::input_error.
mc_study prepare_study(const std::vector<std::string>& paths,
                       std::optional<std::size_t> samples_override);

/// Computes every cell of run `run` into `out` (size study.cells()). Throws on a failed run.
void run_sample(const mc_study& study, std::size_t run, std::span<double> out);

/// Where each per-run value to save lies among a run's cells: for (scenario, indicator, year,
/// country, cadre), in that order, the cell index, or `none` (a country without that cadre).
struct saved_runs_map {
  static constexpr std::size_t none = static_cast<std::size_t>(-1);
  std::vector<std::string> countries, cadres, indicators;  ///< cadres end with "all"
  std::vector<std::size_t> cell;
  /// Corridor cadres (origin, destination, cadre) and the corridor indicators to save (without
  /// their `corridor_` prefix); for (scenario, corridor indicator, year, corridor), the cell.
  std::vector<std::string> origins, destinations, corridor_cadres, corridor_indicators;
  std::vector<std::size_t> corridor_cell;
  /// The registry's entries of `indicators` and of `corridor_indicators` (units, meaning).
  std::vector<engine::indicator_info> indicator_info, corridor_indicator_info;
};

/// The map for `indicators`: country indicators, and corridor indicators as `corridor_<name>`
/// (empty: every one of both). Throws engine::input_error naming an unknown indicator, with the
/// closest name, or one named twice.
saved_runs_map saved_runs(const mc_study& study, const std::vector<std::string>& indicators);

/// The sampled values of run `run` (in study.dimensions order).
std::vector<double> sampled_values(const mc_study& study, std::size_t run);

}  // namespace hwf::model
