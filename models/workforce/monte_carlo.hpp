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
/// sampling and seed, and the same model layout), each with `set` beside its files
/// (load_scenario). The number of runs is `samples_override`, or each scenario's
/// `uncertainty.samples`, which is then required. Throws engine::input_error.
mc_study prepare_study(const std::vector<std::string>& paths,
                       std::optional<std::size_t> samples_override, const extra_set& set = {});

/// Computes every cell of run `run` into `out` (size study.cells()). Throws on a failed run.
void run_sample(const mc_study& study, std::size_t run, std::span<double> out);

/// Computes every cell of one run at `uniforms` (one number per sampled dimension, in [0, 1];
/// an end only where the dimension's distribution is bounded there) into `out`. run_sample is
/// run_point at the design's point of the run. Throws on a failed run.
void run_point(const mc_study& study, std::span<const double> uniforms, std::span<double> out);

/// One table of per-run values to save, described by its own key columns (every key column of
/// the table's schema except `indicator`). A dense table has a value for every combination of
/// its keys' labels (missing ones `none`); a sparse one (e.g. corridors) for its entries only.
struct saved_table_map {
  std::string table;   ///< schema name, e.g. "indicators"
  std::string prefix;  ///< of the saved variables' names, e.g. "corridor_"
  std::string entry;   ///< sparse tables: the entries' name ("corridor"); else ""
  std::vector<std::string> entry_labels;  ///< sparse tables: one label per entry
  std::vector<std::string> keys;          ///< key columns, in schema order, without `indicator`
  /// Dense: labels[k] the labels of key k. Sparse: labels[k][e] key k's label of entry e.
  std::vector<std::vector<std::string>> labels;
  std::vector<std::string> indicators;       ///< to save (without the prefix)
  std::vector<engine::indicator_info> info;  ///< the registry's entries of `indicators`
  /// For (scenario, indicator, year, cell of the slab), in that order, the run's cell or `none`.
  std::vector<std::size_t> cell;

  /// Values per (scenario, indicator, year): the product of the key sizes, or the entries.
  std::size_t slab() const;
};

/// Where each per-run value to save lies among a run's cells, table by table: the indicators
/// table (dense over country and cadre, cadres ending with "all"), the corridors table (sparse:
/// one entry per corridor cadre) and, for a model with age bands, the ages table (sparse: one
/// entry per country, cadre and age band).
struct saved_runs_map {
  static constexpr std::size_t none = static_cast<std::size_t>(-1);
  std::vector<saved_table_map> tables;
};

/// The map for `indicators`: country indicators, corridor indicators as `corridor_<name>` and
/// age-band indicators as `age_<name>` (empty: every one of each). Throws engine::input_error
/// naming an unknown indicator, with the closest name, or one named twice.
saved_runs_map saved_runs(const mc_study& study, const std::vector<std::string>& indicators);

/// The sampled values of run `run` (in study.dimensions order).
std::vector<double> sampled_values(const mc_study& study, std::size_t run);

}  // namespace hwf::model
