#pragma once
// The validated description of a model dataset and a scenario: what the YAML said, checked and
// resolved (names to indices), with every numeric value in the parameter table.

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "engine/diagnostics.hpp"
#include "engine/distributions.hpp"
#include "engine/sampling.hpp"
#include "engine/solver.hpp"
#include "models/workforce/params.hpp"

namespace hwf::model {

/// An input file as read: how messages name it, and the SHA-256 of its bytes.
struct input_file {
  std::string display_name;
  std::string sha256;
};

/// An age band [from, to), in years of age (docs/model.md, 15.7).
struct age_band {
  double from, to;
};

struct cadre_desc {
  std::string id;              ///< e.g. "nurses"
  std::size_t training_years;  ///< parameter index
  std::size_t completion;      ///< parameter index
  bool sdg_core;               ///< counts toward the SDG density index
  std::optional<int> stages;   ///< explicit pipeline stages, if given
  /// Contiguous age bands in increasing order (the same in every country); empty: none.
  std::vector<age_band> age_bands;
  engine::source_location where;
};

struct population_point {
  int year;
  std::size_t value;  ///< parameter index
};

/// A time-varying input (docs/model.md, 15.1): (year, value) points in increasing year order,
/// each a parameter (path <key path>.<year>).
struct input_series {
  std::string key;    ///< e.g. "seats"
  bool step = false;  ///< interpolation: step (else linear)
  std::vector<population_point> points;
};

/// One cadre in one country. Members named like parameters are parameter-table indices.
struct country_cadre_desc {
  std::size_t cadre;  ///< index into model_description::cadres
  int stages;         ///< pipeline stages n (fixed by the dataset; see docs/model.md)
  std::size_t workforce, seats, seat_growth, fill, entry_rate, exit_rate, retirement_rate,
      need_density, salary, cost_per_student_year, demand_elasticity;
  std::size_t unlisted_inflow;  ///< workers arriving from unlisted origins (docs/model.md, 15.9)
  std::size_t training_years, completion;  ///< this country's override, else the cadre's
  std::vector<std::size_t> students;       ///< initial students per stage; empty = steady state
  bool students_growing = false;           ///< `students: growing`: on seat_growth's path (eq. 23a)
  /// Inputs given as series; the member of such a key holds its first point's index.
  std::vector<input_series> series;
  engine::source_location where;
  // Practising and registered workers (docs/model.md, 15.3): parameter indices, and whether
  // `workforce` was given as a registered count (W0 = workforce * practising_share).
  std::size_t practising_share = 0, abroad_registered_share = 0;
  bool workforce_registered = false;
  /// Funded posts and unemployed workers (docs/model.md, 15.5), read only where `posts` is
  /// given: parameter indices of posts (or its series' first point) and the keys beside it.
  struct labour_market {
    std::size_t posts, post_growth, unemployed, hire_years, unemployed_exit_rate,
        unemployed_emigration_factor;
  };
  std::optional<labour_market> labour;
  /// Age structure (docs/model.md, 15.7), where the cadre has age_bands: parameter indices, one
  /// per band. `exit_rates` repeats exit_rate's index when it is one number; `entry_shares`
  /// defaults to all in the first band, `emigration_factors` to 1; empty `age_shares`: the
  /// steady state of the ageing chain. `retirement_rate` is then no_parameter.
  struct age_structure {
    std::vector<std::size_t> exit_rates, entry_shares, age_shares, emigration_factors;
  };
  std::optional<age_structure> ages;
  /// retirement_rate of a country-cadre with age bands (retirement is ageing out of the last).
  static constexpr std::size_t no_parameter = static_cast<std::size_t>(-1);
};

struct country_desc {
  std::string iso3;
  std::string name;
  /// On the WHO Health Workforce Support and Safeguards List (default: the 2023 edition,
  /// safeguards_list.hpp); false for a rest-of-world entry, which is only a destination.
  bool safeguards_list = false;
  /// `rest_of_world: true`: every destination the dataset does not list. No cadres, no
  /// population; only the destination of corridors (docs/model.md, 15.2). These entries come
  /// after every listed country in model_description::countries.
  bool rest_of_world = false;
  std::optional<std::size_t> population;  ///< P0 at the start year (with population_growth), or
  std::size_t code_compliance = 0;        ///< kappa0: the Code compliance in the measured rates
  std::vector<population_point> population_series;  ///< a year-by-year series, then
  std::size_t population_growth = 0;       ///< growth from P0, or after the series' last year
  std::vector<country_cadre_desc> cadres;  ///< in the model's cadre order
  engine::source_location where;

  /// This country's entry for cadre index `cadre`, or nullptr if it has none.
  const country_cadre_desc* find(std::size_t cadre) const;
};

/// A declared migration route for one cadre.
struct corridor_desc {
  std::size_t origin, destination, cadre;  ///< indices into countries / cadres
  std::size_t migrant_stock, emigration_rate, return_rate, active_recruitment_share;
  /// The migrants' own exit and retirement rates: given on (and only on) a corridor to a
  /// rest-of-world destination, which has no rates of its own.
  std::optional<std::size_t> exit_rate, retirement_rate;
  /// With age bands (the cadre's), the migrants' own exit_rate by band (a rest-of-world
  /// corridor; retirement_rate is then not given).
  std::vector<std::size_t> band_exit_rates;
  std::vector<input_series> series;  ///< inputs given as series (as in country_cadre_desc)
  engine::source_location where;
};

/// A stock at the start (`workforce`, `unemployed`, `migrant_stock`) as the dataset gives it
/// (docs/model.md, 15.8): one number, for the dataset's start_year only, or a series of
/// (year, value) points, one per year a run may start in. The stock's own parameter (path: the
/// key's path) holds the value in force; the scenario's horizon.start picks which point that is.
struct start_stock {
  struct point {
    int year;
    parameter value;  ///< the point's value and provenance (not in the parameter table)
  };
  std::size_t stock;              ///< the stock's parameter
  std::vector<point> points;      ///< in increasing year order; empty: given as one number
  engine::source_location where;  ///< the stock's key

  /// The years of its points, as text (for messages).
  std::vector<std::string> years() const {
    std::vector<std::string> out;
    for (const auto& p : points) out.push_back(std::to_string(p.year));
    return out;
  }
};

struct model_description {
  std::string name;
  std::string description;
  /// The year the stocks are given for: the dataset's `start_year`, then the scenario's
  /// horizon.start once load_scenario has picked the stocks of that year.
  int start_year = 0;
  /// Every stock the dataset writes (one left to its default is valid for any start year).
  std::vector<start_stock> start_stocks;
  std::vector<cadre_desc> cadres;
  std::vector<country_desc> countries;
  std::vector<corridor_desc> corridors;
  parameter_table params;
  input_file file;
};

class lever_type;      // models/workforce/levers/lever.hpp
class lever_registry;  // the lever types a scenario may use

/// One policy lever of a scenario. Members that name parameters are parameter-table indices;
/// their paths are policies.<name>.<key>. The targets are resolved by the lever type's reader,
/// each using the members it needs (docs/model.md, "Policy levers").
struct policy_desc {
  std::string name;
  const lever_type* type = nullptr;  ///< its lever type (never null once read)
  engine::source_location where;
  std::size_t start, ramp_years;   ///< years (calendar year; duration)
  std::optional<std::size_t> end;  ///< calendar year, if the lever stops
  /// retention, training: the countries targeted; who_code: the adopting destinations.
  std::vector<std::size_t> countries;
  std::vector<std::size_t> cadres;          ///< cadres targeted (indices into the model's cadres)
  std::size_t origin = 0, destination = 0;  ///< agreement (both); emigration_cap (origin)
  std::vector<std::size_t> exempt;          ///< emigration_cap: destinations not counted or capped
  std::vector<std::pair<std::string, std::size_t>> values;  ///< lever parameters by key

  /// The parameter index of lever key `key` (e.g. "quota"), if the scenario gave it.
  std::optional<std::size_t> value(std::string_view key) const;
  /// Its lever type's name (`type:` in the scenario).
  std::string_view type_name() const;
};

/// How a sampled value acts on its parameter(s).
enum class apply_mode { set, multiply, add };

/// One entry of a scenario's `uncertainty.parameters`: a path pattern ('*' matches one path
/// segment), its distribution, and the parameters it matched.
struct uncertain_parameter {
  std::string pattern;
  engine::distribution dist;
  apply_mode apply = apply_mode::set;
  bool shared = false;               ///< one draw for every match (else one per match)
  std::vector<std::size_t> targets;  ///< parameter indices, in table order
  engine::source_location where;
};

/// One `uncertainty.multivariate_normal` group: parameters drawn together from a multivariate
/// normal (their means, standard deviations and correlation), each set to its draw, clamped to
/// its bounds (docs/monte-carlo.md).
struct correlated_group {
  std::vector<std::size_t> targets;  ///< one parameter per coordinate, in the group's order
  engine::multivariate_normal dist;
  std::string source;  ///< where the group comes from (`source:`), e.g. a calibration
  engine::source_location where;
};

/// A scenario's `uncertainty` block (Monte Carlo ensembles).
struct uncertainty_desc {
  bool present = false;
  std::size_t samples = 0;  ///< 0 when no file of the chain gives it (`mc` then needs --samples)
  engine::sampling_method sampling = engine::sampling_method::random;
  std::uint64_t seed = 0;
  std::vector<uncertain_parameter> parameters;  ///< applied in this order
  std::vector<correlated_group> groups;         ///< applied after `parameters`
  engine::source_location where;                ///< the last `uncertainty` block of the chain

  /// Sampled dimensions: one per shared entry, one per match otherwise, one per coordinate of
  /// each group.
  std::size_t dimensions() const;
};

/// One entry of a scenario's `calibration.parameters`: a path pattern (as in `uncertainty`),
/// its bounds and optional prior, and the parameters it matched (each fitted on its own).
struct calibration_parameter {
  std::string pattern;
  double lower = 0, upper = 0;
  bool has_prior = false, lognormal_prior = false;
  double prior_centre = 0, prior_sigma = 1;  ///< mean (normal) or median (lognormal); sigma
  std::vector<std::size_t> targets;
  engine::source_location where;
};

/// A scenario's `calibration` block (`hwfsim calibrate`, docs/calibration.md): the observed
/// series, the years fitted and held out, and the parameters to fit.
struct calibration_desc {
  bool present = false;
  std::filesystem::path observed;  ///< the observed-data file, relative paths resolved
  engine::source_location observed_at;
  int fit_from = 0, fit_to = 0;
  std::optional<std::pair<int, int>> holdout;  ///< from, to (inclusive)
  std::size_t starts = 4;
  std::uint64_t seed = 1;
  int max_iterations = 100;
  std::vector<calibration_parameter> parameters;
  engine::source_location where;
  /// The block's own file, when the scenario names one (`calibration: file.yaml`).
  std::optional<input_file> file;
};

/// One control of a scenario's `workshop:` block: a parameter the workshop page exposes.
struct workshop_entry {
  std::size_t parameter;  ///< parameter index
  std::string label;      ///< empty: the page shows the path
  double min = 0, max = 0;
  std::optional<double> step;
  engine::source_location where;
};

/// A scenario's `workshop:` block (`hwfsim workshop`, docs/workshop.md).
struct workshop_desc {
  bool present = false;
  std::string title;                   ///< the page's heading; empty: the scenario's name
  std::vector<std::string> countries;  ///< ISO3 codes of the countries shown first
  std::vector<workshop_entry> controls;
  engine::source_location where;
};

/// Which tables a run writes and how often (whole years between rows).
struct output_settings {
  int interval_years = 1;
  bool indicators = true;
  bool corridors = true;
  /// The ages table (docs/model.md, 15.7), written where a cadre has age bands.
  bool ages = true;
  /// Where `tables` names `ages`, if it does (an error for a model without age bands).
  std::optional<engine::source_location> ages_named;
};

struct scenario_description {
  std::string name;
  std::string description;
  model_description model;
  int start_year = 0;
  int end_year = 0;
  engine::solver_settings solver;
  output_settings output;
  double discount_rate = 0.03;        ///< per year, for cost-effectiveness in comparisons
  std::vector<policy_desc> policies;  ///< in application order (after inheritance)
  uncertainty_desc uncertainty;
  calibration_desc calibration;
  workshop_desc workshop;
  input_file file;                  ///< the scenario file itself
  std::vector<input_file> parents;  ///< the files it extends, nearest first
  /// Where each resolved setting came from (key path, location), for `hwfsim show`.
  std::vector<std::pair<std::string, engine::source_location>> provenance;
  /// What is valid but almost certainly not meant: a policy that never acts within the
  /// horizon. The commands print these (`--strict` makes them errors); run.json records them.
  std::vector<engine::diagnostic> warnings;
};

/// Loads and validates a model dataset. Throws engine::input_error listing every problem.
model_description load_model(const std::filesystem::path& path, const std::string& display_name);

/// Like load_model, for a dataset held in memory (tests, fuzzing).
model_description parse_model(std::string text, const std::string& display_name);

/// Loads a scenario, the scenarios it extends (nearest last wins) and the model it names
/// (relative to the file that names it); reads its policies, applies its `set:` overrides and
/// checks solver settings against the model. Throws engine::input_error listing every problem.
scenario_description load_scenario(const std::filesystem::path& path);
/// Like load_scenario(path), with the lever types of `levers` (load_scenario(path) uses
/// lever_registry::builtin()).
scenario_description load_scenario(const std::filesystem::path& path, const lever_registry& levers);

/// `set:` entries given beside a scenario's files rather than in them (the Python module's
/// `run(set=...)`): the YAML text of a mapping from parameter paths to values, as a `set:` block
/// holds, and the name that messages give as its file.
struct extra_set {
  std::string yaml;          ///< empty: none
  std::string display_name;  ///< e.g. "run(set=...)"
};

/// Like load_scenario(path), with `set`'s entries applied after the files' own `set:` blocks and
/// checked as theirs are (an unknown path names the closest one; a value must be of the
/// parameter's kind and range), before the checks that read values in force (policy years,
/// consistency). Throws engine::input_error citing `set.display_name`:line:col for its entries.
scenario_description load_scenario(const std::filesystem::path& path, const extra_set& set);

/// SHA-256 of `bytes` as 64 lowercase hex digits.
std::string sha256_hex(std::string_view bytes);

}  // namespace hwf::model
