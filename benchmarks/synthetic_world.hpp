#pragma once
// A synthetic world of N countries x K cadres with C corridor-cadres, written as YAML files, so
// that benchmarks measure the whole path a user's input takes (load, validate, compile, run).

#include <filesystem>
#include <string>

namespace hwf::bench {

struct world_size {
  int countries = 20;  ///< half sources, half destinations
  int cadres = 4;
  int corridors = 40;  ///< corridor-cadre entries (each a source -> destination for one cadre)
  int years = 25;
  std::string step = "1/12";
  std::string method = "rk4";
  bool corridor_series = false;  ///< every corridor's emigration and return rate a series
  /// Every cadre in five age bands and every country-cadre with funded posts (docs/model.md,
  /// 15.5 and 15.7).
  bool ages_and_posts = false;
};

/// Writes `world.yaml` and `scenario.yaml` into `folder`; returns the scenario's path.
/// Values are deterministic functions of the indices (no randomness), realistic in magnitude.
std::filesystem::path write_synthetic_world(const std::filesystem::path& folder,
                                            const world_size& w);

/// As write_synthetic_world, with an `uncertainty` block of `samples` LHS runs (seed 20261125)
/// over the given `parameters:` entries (YAML lines, indented by four spaces).
std::filesystem::path write_uncertain_world(const std::filesystem::path& folder,
                                            std::size_t samples, const std::string& parameters);

/// "world-20: 20 countries x 4 cadres, 40 corridor-cadres, 25 years, rk4 step 1/12".
std::string describe(const world_size& w);

}  // namespace hwf::bench
