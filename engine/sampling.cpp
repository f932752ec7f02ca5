#include "engine/sampling.hpp"

#include <numeric>

#include "engine/diagnostics.hpp"
#include "engine/random.hpp"

namespace hwf::engine {

std::string_view to_string(sampling_method m) {
  switch (m) {
    case sampling_method::random:
      return "random";
    case sampling_method::lhs:
      return "lhs";
    case sampling_method::sobol:
      return "sobol";
  }
  return "";
}

sample_design::sample_design(sampling_method method, std::uint64_t seed, std::size_t runs,
                             std::size_t dimensions, bool scramble, std::vector<std::uint64_t> keys)
    : method_(method), seed_(seed), runs_(runs), dimensions_(dimensions), keys_(std::move(keys)) {
  if (method == sampling_method::sobol && dimensions > max_sobol_dimensions)
    throw internal_error("too many dimensions for Sobol points");
  if (keys_.empty()) {
    keys_.resize(dimensions);
    std::iota(keys_.begin(), keys_.end(), std::uint64_t{0});
  }
  if (keys_.size() != dimensions) throw internal_error("one key per sampled dimension expected");
  if (method == sampling_method::lhs) {
    // One permutation of the strata per dimension (Fisher-Yates with counter-based draws).
    strata_.resize(runs * dimensions);
    for (std::size_t d = 0; d < dimensions; ++d) {
      auto* perm = &strata_[d * runs];
      std::iota(perm, perm + runs, std::uint32_t{0});
      for (std::size_t i = runs; i > 1; --i) {
        const std::uint64_t bits = random_bits(seed, rng_stream::lhs_shuffle, keys_[d], i);
        // The modulo bias is below i / 2^64 < 2^-32 for the run counts allowed.
        const auto j = static_cast<std::size_t>(bits % i);
        std::swap(perm[i - 1], perm[j]);
      }
    }
  }
  if (method == sampling_method::sobol) {
    sobol_shift_.assign(dimensions, 0);
    if (scramble)
      for (std::size_t d = 0; d < dimensions; ++d)
        sobol_shift_[d] = random_bits(seed, rng_stream::sobol_shift, keys_[d], 0);
  }
}

void sample_design::point(std::size_t run, std::vector<double>& out) const {
  out.resize(dimensions_);
  switch (method_) {
    case sampling_method::random:
      for (std::size_t d = 0; d < dimensions_; ++d)
        out[d] = uniform01(seed_, rng_stream::sample, keys_[d], run);
      break;
    case sampling_method::lhs:
      for (std::size_t d = 0; d < dimensions_; ++d)
        out[d] =
            (strata_[d * runs_ + run] + uniform01(seed_, rng_stream::lhs_jitter, keys_[d], run)) /
            static_cast<double>(runs_);
      break;
    case sampling_method::sobol: {
      if (dimensions_ == 0) break;
      // Point run + 1 of the sequence: Boost's sequence starts after the all-zero point.
      boost::random::sobol gen(dimensions_);
      gen.seed(run);
      for (std::size_t d = 0; d < dimensions_; ++d) {
        const std::uint64_t bits = gen() ^ sobol_shift_[d];
        out[d] = (static_cast<double>(bits >> 11) + 0.5) * 0x1.0p-53;
      }
      break;
    }
  }
}

}  // namespace hwf::engine
