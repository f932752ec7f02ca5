#include "engine/random.hpp"

#include <Random123/philox.h>

namespace hwf::engine {

std::uint64_t random_bits(std::uint64_t seed, rng_stream stream, std::uint64_t dimension,
                          std::uint64_t run, std::uint64_t draw) {
  using philox = r123::Philox4x64;
  const philox::key_type key = {{seed, (static_cast<std::uint64_t>(stream) << 32) + dimension}};
  const philox::ctr_type counter = {{run, draw, 0, 0}};
  return philox()(counter, key)[0];
}

double uniform01(std::uint64_t seed, rng_stream stream, std::uint64_t dimension, std::uint64_t run,
                 std::uint64_t draw) {
  const std::uint64_t bits = random_bits(seed, stream, dimension, run, draw);
  return (static_cast<double>(bits >> 11) + 0.5) * 0x1.0p-53;
}

}  // namespace hwf::engine
