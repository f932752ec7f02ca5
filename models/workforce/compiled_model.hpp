#pragma once
// The workforce model compiled for the engine: an immutable structure (state layout, index
// maps, output schemas) built once from a scenario and shared read-only by any number of runs
// and threads, plus a flat parameter vector per run (docs/model.md, docs/architecture.md).

#include <cstddef>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "engine/index_set.hpp"
#include "engine/solver.hpp"
#include "engine/stock_layout.hpp"
#include "engine/tables.hpp"
#include "models/workforce/description.hpp"
#include "models/workforce/input_series.hpp"
#include "models/workforce/levers/lever.hpp"
#include "models/workforce/params.hpp"

namespace hwf::model {

/// Indicator names of the `indicators` table, in column order; the last one, sdg_density, is
/// reported only for cadre `all`.
std::span<const std::string_view> indicator_names();
/// Indicator names of the `corridors` table.
std::span<const std::string_view> corridor_indicator_names();
/// Indicator names of the `ages` table, per age band of a cadre with bands (docs/model.md,
/// 15.7); the last, unemployed, only where posts are given.
std::span<const std::string_view> age_indicator_names();
/// The key columns of the ages table.
std::vector<std::string> ages_key_columns();
/// The label of an age band in the ages table: "25-35".
std::string age_band_label(const age_band& band);

/// Accumulators kept per (country, cadre): integrals from the start of the run.
enum cc_accumulator : std::size_t {
  acc_intake,         ///< students admitted
  acc_dropouts,       ///< students who left training
  acc_graduates,      ///< students who completed training
  acc_attrition,      ///< exits + retirements of W
  acc_student_years,  ///< integral of all students (prices training cost)
  acc_worker_years,   ///< integral of W
  acc_retention_cost,
  acc_capital_cost,
  acc_compensation_paid,      ///< as a destination, to origins' training
  acc_compensation_received,  ///< as an origin
  acc_unlisted_immigration,   ///< arrivals from unlisted origins (docs/model.md, 15.9)
  cc_accumulator_count
};
/// Accumulators kept per corridor and cadre.
enum corridor_accumulator : std::size_t {
  acc_emigration,
  acc_returns,
  acc_migrant_attrition,  ///< exits + retirements of migrants in the destination
  acc_compensation,       ///< paid by the destination to the origin under agreements
  acc_migrant_years,      ///< integral of M
  corridor_accumulator_count
};

/// Accumulators kept per (country, cadre) with funded posts (docs/model.md, 15.5).
enum labour_accumulator : std::size_t {
  acc_hires,             ///< hired from U into W
  acc_unemployed_exits,  ///< left the profession from U
  acc_hiring_cost,       ///< cost of the posts added by hiring levers (eq. E7)
  labour_accumulator_count
};

/// One (country, cadre) that exists in the model. Members named `p_*` are parameter indices.
struct cc_block {
  std::size_t country, cadre;
  int stages;
  std::size_t students;      ///< state offset of stage 1 (stages entries follow)
  std::size_t workforce;     ///< state offset of W
  std::size_t accumulators;  ///< state offset of the cc_accumulator block
  std::size_t p_workforce, p_seats, p_seat_growth, p_fill, p_entry_rate, p_exit_rate,
      p_retirement_rate, p_need_density, p_salary, p_cost_per_student_year, p_demand_elasticity,
      p_training_years, p_completion, p_unlisted_inflow;
  std::vector<std::size_t> p_students;  ///< empty: the pipeline starts in steady state
  bool students_growing = false;        ///< the pipeline starts on seat_growth's path (eq. 23a)
  /// First value of this block in a run's dense indicator buffer: every per-cadre indicator,
  /// in registry order (compiled_model::series_of_dense maps it to the table).
  std::size_t dense;
  std::size_t p_practising_share = 0, p_abroad_registered_share = 0;
  bool workforce_registered = false;  ///< W0 = workforce * practising_share (eq. C1)
  /// Funded posts (docs/model.md, 15.5): where given, the state offsets of U and of the
  /// labour_accumulator block, and the parameters read beside posts.
  bool has_posts = false;
  std::size_t unemployed = 0, labour_accumulators = 0;
  std::size_t p_posts = 0, p_post_growth = 0, p_unemployed = 0, p_hire_years = 0,
              p_unemployed_exit_rate = 0, p_unemployed_emigration_factor = 0;
  /// Age bands (docs/model.md, 15.7): where `aged`, W (and U) hold one entry per band from
  /// their offsets, and these are the band widths (years) and parameters by band. Without,
  /// bands is 1 and p_retirement_rate is the block's retirement rate.
  bool aged = false;
  std::size_t bands = 1;
  std::vector<double> band_widths;
  std::vector<std::size_t> p_band_exit, p_entry_shares, p_age_shares, p_emigration_factors;
  std::size_t ages_series = 0;  ///< its first series in the ages table, where aged
};

struct corridor_block {
  /// `destination` of a corridor to a rest-of-world entry, which has no blocks.
  static constexpr std::size_t no_block = static_cast<std::size_t>(-1);
  std::size_t origin, destination;  ///< indices into model_structure::blocks (same cadre), or
                                    ///< no_block for a rest-of-world destination
  /// The destination's index in the dataset's countries: below countries().size() for a listed
  /// country, at or above it for a rest-of-world entry (which has no country_block).
  std::size_t destination_country;
  std::size_t migrants;      ///< state offset of M
  std::size_t accumulators;  ///< state offset of the corridor_accumulator block
  std::size_t p_migrant_stock, p_emigration_rate, p_return_rate, p_active_recruitment_share;
  /// The migrants' own rates, on a corridor to the rest of the world (else the destination's).
  std::size_t p_exit_rate = 0, p_retirement_rate = 0;
  std::size_t series;  ///< first series in the corridors table
  /// M holds one entry per age band of the cadre from `migrants` (1 without bands); on a
  /// corridor to the rest of the world with bands, the migrants' own exit_rate by band.
  std::size_t bands = 1;
  std::vector<std::size_t> p_band_exit;

  bool to_rest_of_world() const noexcept { return destination == no_block; }
};

struct country_block {
  std::string iso3;
  bool safeguards_list;
  std::vector<std::size_t> blocks;  ///< its cc_blocks, in cadre order
  bool has_series;                  ///< population from a series rather than P0 and growth
  std::size_t p_population, p_population_growth;
  std::size_t p_code_compliance;                         ///< kappa0 (docs/model.md, 7.4)
  std::vector<std::pair<double, std::size_t>> p_series;  ///< (year, parameter index)
  std::size_t dense_all;  ///< first value of its cadre-`all` row in the dense buffer
  bool has_posts;         ///< one of its cadres has funded posts
};

/// A time-varying input (docs/model.md, 15.1): the rate it sets, whose, and its points.
struct series_input {
  series_target target;
  std::size_t owner;  ///< index into blocks() (country-cadre keys) or corridors()
  bool step;          ///< interpolation: step (else linear)
  std::vector<std::pair<double, std::size_t>> points;  ///< (year, parameter index)
};

/// Switch times of one policy: parameter indices of start, ramp_years and (optional) end.
struct lever_timing {
  std::string name;
  std::size_t p_start, p_ramp_years;
  std::optional<std::size_t> p_end;
};

/// Policy levers compiled to the blocks and corridors they act on (docs/model.md, levers): one
/// compiled_lever per policy, made by its lever type (models/workforce/levers/).
struct lever_set {
  std::vector<lever_timing> timings;  ///< one per policy, in application order
  std::vector<std::shared_ptr<const compiled_lever>> compiled;  ///< one per policy, same order
  bool empty() const noexcept { return timings.empty(); }
};

class compiled_model {
 public:
  /// Compiles a validated scenario. Throws engine::internal_error on an inconsistent description.
  explicit compiled_model(const scenario_description& scenario);

  const std::string& scenario_name() const noexcept { return scenario_name_; }
  double start_time() const noexcept { return start_year_; }
  double end_time() const noexcept { return end_year_; }
  int output_interval_years() const noexcept { return output_interval_; }
  const engine::solver_settings& solver() const noexcept { return solver_; }
  const engine::stock_layout& layout() const noexcept { return layout_; }
  /// [0] indicators (country, cadre, indicator), [1] corridors (origin, destination, cadre,
  /// indicator), and [2] ages (country, cadre, age_band, indicator) where a cadre has age bands
  /// (docs/model.md, 15.7). Shared with every run's tables, which outlive the model if need be.
  const std::vector<std::shared_ptr<const engine::table_schema>>& schemas() const noexcept {
    return schemas_;
  }
  const parameter_table& parameters() const noexcept { return params_; }
  std::vector<double> default_parameters() const { return params_.values(); }
  /// Throws engine::input_error naming the path of any value outside its valid range.
  void check_parameters(std::span<const double> values) const;

  const std::vector<cc_block>& blocks() const noexcept { return blocks_; }
  const std::vector<corridor_block>& corridors() const noexcept { return corridors_; }
  const std::vector<country_block>& countries() const noexcept { return countries_; }
  const std::vector<std::string>& cadre_ids() const noexcept { return cadres_.labels(); }
  /// The subscripts of the model: countries (ISO3), cadres, and corridor-cadres ("KEN-GBR,nurses").
  const engine::index_set& country_set() const noexcept { return countries_set_; }
  const engine::index_set& cadre_set() const noexcept { return cadres_; }
  const engine::index_set& corridor_set() const noexcept { return corridors_set_; }
  const std::vector<bool>& cadre_sdg_core() const noexcept { return cadre_sdg_core_; }
  const lever_set& levers() const noexcept { return levers_; }
  /// Whether a cadre has age bands: then schemas()[2] is the ages table.
  bool has_ages() const noexcept { return schemas_.size() > 2; }
  /// The inputs given as series, blocks' first, in dataset order.
  const std::vector<series_input>& series_inputs() const noexcept { return series_inputs_; }

  /// A run computes its indicators into a dense buffer, every indicator of every cadre row and
  /// `all` row (cc_block::dense, country_block::dense_all, plus the registry position); the
  /// indicators table holds those that exist (no labour-market indicators without posts).
  std::size_t dense_size() const noexcept { return series_of_dense_.size(); }
  /// For each series of the indicators table, its place in the dense buffer.
  const std::vector<std::size_t>& dense_of_series() const noexcept { return dense_of_series_; }
  /// The indicators-table series of dense value `i`, or no_series.
  static constexpr std::size_t no_series = static_cast<std::size_t>(-1);
  std::size_t series_of_dense(std::size_t i) const { return series_of_dense_.at(i); }
  /// The series of indicator `indicator` (registry position) of country `c`'s cadre `all`, or
  /// no_series.
  std::size_t all_series(std::size_t c, std::size_t indicator) const {
    return series_of_dense_.at(countries_[c].dense_all + indicator);
  }
  /// The same for block `b`'s cadre row (indicator below the cadre-`all`-only ones).
  std::size_t block_series(std::size_t b, std::size_t indicator) const {
    return series_of_dense_.at(blocks_[b].dense + indicator);
  }

 private:
  struct state_labels;  // labels of the state blocks, while they are laid out
  void compile_blocks(const model_description& md, engine::table_schema& indicators,
                      state_labels& labels);
  void compile_corridors(const model_description& md, engine::table_schema& corridor_table,
                         state_labels& labels);
  void compile_levers(const scenario_description& scenario);
  /// Adds a series to the indicators table (and its dense place), unless it is a labour-market
  /// indicator of a row without posts (a dense place with no series).
  void add_indicator(engine::table_schema& indicators, bool has_posts,
                     std::vector<std::string> key);

  std::string scenario_name_;
  double start_year_, end_year_;
  int output_interval_;
  engine::solver_settings solver_;
  parameter_table params_;
  engine::stock_layout layout_;
  std::vector<std::shared_ptr<const engine::table_schema>> schemas_;
  std::vector<cc_block> blocks_;
  std::vector<corridor_block> corridors_;
  std::vector<country_block> countries_;
  engine::index_set countries_set_, cadres_, corridors_set_;
  std::vector<bool> cadre_sdg_core_;
  lever_set levers_;
  std::vector<series_input> series_inputs_;
  std::vector<std::size_t> dense_of_series_, series_of_dense_;
};

/// What a run reports about itself.
struct run_stats {
  engine::solve_stats solver;
  /// max over whole years of |mass(t) - mass(t0)| / max(1, initial stocks + cumulative intake),
  /// where mass = stocks + cumulative dropouts, leakage and attrition - cumulative intake.
  double mass_balance_residual = 0;
  double min_stock = 0;  ///< smallest stock value seen at any whole year
  /// Parameters (indices) of agreement quotas and emigration caps that never lowered a flow.
  std::vector<std::size_t> idle_limits;
};

struct run_output {
  engine::run_result result;
  run_stats stats;
};

/// The right-hand side of one run and its initial state, for tools that drive the solver
/// themselves (benchmarks, allocation tests). It is the same system simulate() integrates.
struct run_system {
  std::unique_ptr<engine::ode_system> system;
  std::vector<double> initial_state;
};
run_system make_run_system(const compiled_model& model, std::span<const double> params);

/// Runs the model once with parameter vector `params` (one value per parameter, in table
/// order). Allocates its own state; safe to call concurrently on one compiled_model.
/// Throws engine::numerical_error if a state becomes non-finite or a stock negative.
run_output simulate(const compiled_model& model, std::span<const double> params);

}  // namespace hwf::model
