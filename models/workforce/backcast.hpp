#pragma once
// Back-casting: a scenario started in a past year, compared with observed workforce counts
// (docs/validation.md is generated from this by `hwfsim backcast`).

#include <filesystem>
#include <string>
#include <vector>

#include "engine/tables.hpp"
#include "models/workforce/compiled_model.hpp"

namespace hwf::model {

/// Observed series (docs/yaml-reference.md, "Observed data"): a country's count of a cadre, or a
/// corridor's yearly flow or migrant stock, year by year with an optional note per value.
struct observed_point {
  int year;
  double value;
  std::string note;
  engine::source_location where;
  bool registered = false;  ///< a register count (`concept: registered`), else practising
  /// `fit: false`: a calibration leaves the value out of its fit years (and of the naive
  /// forecasts made from them), as on another basis than the run's start stock; its `note` says
  /// why. A hold-out value is judged whatever it says.
  bool fit = true;
};
struct observed_series {
  std::string country, cadre;  ///< for a corridor's series, `country` is its origin
  std::string destination;     ///< a corridor's destination; empty for a country's series
  /// A corridor's series: the corridors-table indicator it is compared with (`emigration`,
  /// `returns` or `migrant_stock`); empty for a country's series (each point's `registered`).
  std::string measure;
  /// How much each of its residuals counts in a calibration: `weight`, or 1 / `se` (the
  /// standard error of log(observed)); 1 when neither is given.
  double weight = 1;
  bool has_se = false;  ///< the weight is 1 / se: the residuals are in standard errors
  std::vector<observed_point> points;

  bool corridor() const noexcept { return !destination.empty(); }
};
struct observed_data {
  std::string name, description, source;
  std::vector<observed_series> series;
  input_file file;
};

/// Loads an observed-data file (docs/yaml-reference.md, "Observed data"), checking countries and
/// cadres against the compiled model. Throws engine::input_error listing every problem.
observed_data load_observed(const std::filesystem::path& path, const compiled_model& m);

/// Projected supply (and density) against every observed point of a country within the run's
/// horizon, in the order of the observed file (corridor series serve calibration only); a
/// registered point is compared with `registered` instead of supply (docs/model.md, 15.3).
std::vector<engine::observation_match> match_observations(const compiled_model& m,
                                                          const run_output& run,
                                                          const observed_data& observed);

}  // namespace hwf::model
