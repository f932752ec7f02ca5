#pragma once
// A KLL quantile sketch (Karnin, Lang & Liberty 2016): a hierarchy of compactors in which level h
// holds items of weight 2^h; a full level is sorted and every other item (odd or even, by a coin)
// moves up. Mergeable, memory O(k) independent of the number of items. Its coins come from
// Random123 keyed by (seed, sketch id, compaction count), so a sketch fed the same values in the
// same order is bit-identical.
//
// Rank error: with k = 200, a quantile's normalized rank error stays below 1.65% with 99%
// probability (the published figure for this k; tests/quantile_sketch_test.cpp checks it on
// thousands of cells against exact quantiles).

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace hwf::engine {

class byte_reader;

class quantile_sketch {
 public:
  static constexpr int default_k = 200;
  static constexpr double rank_error_bound = 0.0165;  ///< for default_k, 99% confidence

  quantile_sketch() = default;
  quantile_sketch(std::uint64_t seed, std::uint64_t id, int k = default_k)
      : seed_(seed), id_(id), k_(k) {}

  void insert(double x);
  std::uint64_t count() const noexcept { return n_; }
  /// The smallest stored value whose weighted rank reaches p * n (p in [0, 1]).
  double quantile(double p) const;
  /// Items currently stored (memory is 8 bytes each plus a small overhead per level).
  std::size_t stored() const noexcept;

  /// Appends the whole state (a checkpoint) to `out`; load() restores a sketch that goes on
  /// exactly as the saved one would have.
  void save(std::string& out) const;
  void load(byte_reader& in);

 private:
  std::size_t capacity(std::size_t level) const;
  void compact(std::size_t level);
  void add_level();

  std::uint64_t seed_ = 0, id_ = 0;
  int k_ = default_k;
  std::uint64_t n_ = 0, compactions_ = 0;
  std::vector<std::vector<double>> levels_;
  std::vector<std::size_t> capacities_;  ///< by depth below the top level
};

}  // namespace hwf::engine
