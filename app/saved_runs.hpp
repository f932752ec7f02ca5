#pragma once
// What a Monte Carlo study writes besides its statistics: runs.nc of `--save-runs` (its layout,
// and the mapping of a run's cells to the file's slabs) and samples.csv.

#include <cstddef>
#include <span>
#include <string>

#include "models/workforce/monte_carlo.hpp"
#include "outputs/netcdf_runs.hpp"

namespace hwf::app {

/// The layout of runs.nc for the values `saved` picks from the runs of `study`.
out::runs_layout saved_runs_layout(const model::mc_study& study,
                                   const model::saved_runs_map& saved);

/// Writes the values of run `run` (all its cells, `values`) that `saved` picks into `file`, one
/// slab per scenario and indicator (NaN for a country without the cadre), and marks the run done.
void write_saved_run(out::netcdf_runs& file, const model::mc_study& study,
                     const model::saved_runs_map& saved, std::size_t run,
                     std::span<const double> values);

/// samples.csv: `run` and the sampled dimensions, then each run's sampled values. With `file`,
/// also writes each run's values there as its sampled inputs (a failed run's too: what made it
/// fail).
std::string samples_csv(const model::mc_study& study, out::netcdf_runs* file);

}  // namespace hwf::app
