#pragma once
// Counter-based random numbers (Random123 Philox4x64): a variate is a pure function of
// (seed, stream, run, draw), so run i draws the same numbers whatever the thread count,
// chunking or order of evaluation.

#include <cstdint>

namespace hwf::engine {

/// Streams keep independent uses of one seed apart; ids come from this fixed table.
enum class rng_stream : std::uint64_t {
  sample = 1,                 ///< plain random sampling: stream + dimension
  lhs_jitter = 2,             ///< position inside a Latin-hypercube stratum
  lhs_shuffle = 3,            ///< permutations of Latin-hypercube strata
  sobol_shift = 4,            ///< digital shift of Sobol points
  sketch = 5,                 ///< compaction coins of quantile sketches
  fit_start = 6,              ///< starting points of a calibration: stream + parameter, run = start
  sensitivity_bootstrap = 7,  ///< rows resampled for Sobol-index intervals: run = replicate
  morris = 8,                 ///< Morris trajectories: stream + purpose, run = trajectory
};

/// A uniform variate in the open interval (0, 1): ((top 53 bits) + 0.5) / 2^53.
/// `dimension` is added to the stream id (each stream owns 2^32 dimensions).
double uniform01(std::uint64_t seed, rng_stream stream, std::uint64_t dimension, std::uint64_t run,
                 std::uint64_t draw = 0);

/// 64 random bits for the same key and counter.
std::uint64_t random_bits(std::uint64_t seed, rng_stream stream, std::uint64_t dimension,
                          std::uint64_t run, std::uint64_t draw = 0);

}  // namespace hwf::engine
