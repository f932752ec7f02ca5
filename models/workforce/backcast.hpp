#pragma once
// Back-casting: a scenario started in a past year, compared with observed workforce counts
// (docs/validation.md is generated from this by `hwfsim backcast`).

#include <filesystem>
#include <string>
#include <vector>

#include "engine/tables.hpp"
#include "models/workforce/compiled_model.hpp"

namespace hwf::model {

/// Observed series: country -> cadre -> year -> persons (with an optional note per value).
struct observed_point {
  int year;
  double value;
  std::string note;
  engine::source_location where;
  bool registered = false;  ///< a register count (`concept: registered`), else practising
};
struct observed_series {
  std::string country, cadre;
  std::vector<observed_point> points;
};
struct observed_data {
  std::string name, description, source;
  std::vector<observed_series> series;
  input_file file;
};

/// Loads an observed-data file (docs/yaml-reference.md, "Observed data"), checking countries and
/// cadres against the compiled model. Throws engine::input_error listing every problem.
observed_data load_observed(const std::filesystem::path& path, const compiled_model& m);

/// Projected supply (and density) against every observed point within the run's horizon, in
/// the order of the observed file; a registered point is compared with `registered` instead of
/// supply (docs/model.md, 15.3).
std::vector<engine::observation_match> match_observations(const compiled_model& m,
                                                          const run_output& run,
                                                          const observed_data& observed);

}  // namespace hwf::model
