#pragma once
// Sample designs: the uniform number u(run, dimension) in (0, 1) that each run feeds to each
// uncertain parameter's quantile function. Random and Sobol points of run i depend only on the
// seed and i (not on the number of runs); a Latin hypercube's strata depend on the number of runs.

#include <cstdint>
#include <string_view>
#include <vector>

#include <boost/random/sobol.hpp>

namespace hwf::engine {

enum class sampling_method { random, lhs, sobol };
std::string_view to_string(sampling_method m);

class sample_design {
 public:
  /// Sobol supports up to 3,667 dimensions (Joe & Kuo's direction numbers in Boost.Random).
  /// `keys`: one number per dimension that names its random stream (default: its index). With
  /// keys, a dimension's random and Latin-hypercube draws and its Sobol shift depend only on its
  /// key, not on its position among the others; Sobol coordinates still follow the position.
  sample_design(sampling_method method, std::uint64_t seed, std::size_t runs,
                std::size_t dimensions, bool scramble = true, std::vector<std::uint64_t> keys = {});

  std::size_t runs() const noexcept { return runs_; }
  std::size_t dimensions() const noexcept { return dimensions_; }
  /// Writes u(run, d) for every dimension d into `out` (size dimensions()).
  void point(std::size_t run, std::vector<double>& out) const;

  static constexpr std::size_t max_sobol_dimensions = 3667;

 private:
  sampling_method method_;
  std::uint64_t seed_;
  std::size_t runs_, dimensions_;
  std::vector<std::uint32_t> strata_;       ///< lhs: dimension-major permutations of [0, runs)
  std::vector<std::uint64_t> sobol_shift_;  ///< sobol: digital shift per dimension (0 = none)
  std::vector<std::uint64_t> keys_;         ///< the random stream of each dimension
};

}  // namespace hwf::engine
