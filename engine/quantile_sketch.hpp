#pragma once
// A KLL quantile sketch (Karnin, Lang & Liberty 2016): a hierarchy of compactors in which level h
// holds items of weight 2^h; when the sketch is full, its lowest level at or over capacity is
// sorted and every other item (odd or even, by a coin) moves up (the lazy compaction of Apache
// DataSketches' KLL, in one array per sketch). Mergeable (two sketches of the same k make one
// sketch of both inputs, with the same error guarantee), memory O(k) independent of the number of
// items. Its coins come from Random123 keyed by (seed, sketch id, salt, compaction count), so a
// sketch fed the same values and merges in the same order is bit-identical; sketches that are to be
// merged take different salts, so that their coins are independent.
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
  quantile_sketch(std::uint64_t seed, std::uint64_t id, std::uint64_t salt = 0, int k = default_k)
      : seed_(seed), id_(id), salt_(salt), k_(k) {}

  void insert(double x);
  /// Adds everything `other` has taken (same k; its coins should differ: another salt). The cost
  /// is about that of inserting other.stored() items, not other.count().
  void merge(const quantile_sketch& other);
  /// Compacts every level over its capacity (the lowest first) and frees the spare room: the
  /// sketch then holds about as few items as an eagerly compacted one (2,048 values: about 130
  /// items instead of up to 480), cheaper to send, keep and merge, for a little more rank error.
  void condense();
  std::uint64_t count() const noexcept { return n_; }
  /// The smallest stored value whose weighted rank reaches p * n (p in [0, 1]).
  double quantile(double p) const;
  /// Items currently stored; memory is 8 bytes per item of capacity (about 3k items once the
  /// sketch has many levels) plus a few bytes per level.
  std::size_t stored() const noexcept { return levels_.empty() ? 0 : items_.size() - levels_[0]; }

  /// Appends the whole state (a checkpoint) to `out`; load() restores a sketch that goes on
  /// exactly as the saved one would have.
  void save(std::string& out) const;
  void load(byte_reader& in);

 private:
  std::size_t levels() const noexcept { return levels_.empty() ? 0 : levels_.size() - 1; }
  std::size_t level_size(std::size_t h) const noexcept { return levels_[h + 1] - levels_[h]; }
  std::size_t capacity(std::size_t level) const;
  std::size_t total_capacity() const;
  /// Lays out `by_level` (level 0 first) in one array, free space in front: with `spare`, the
  /// array has the sketch's capacity (or the items, when they are more), else just the items
  /// (the next insert takes the room back).
  void lay_out(const std::vector<std::vector<double>>& by_level, bool spare);
  /// Appends each level's items to by_level[level] (which has at least levels() entries).
  void append_levels(std::vector<std::vector<double>>& by_level) const;
  void make_room();
  void compress();
  void compact(std::size_t level);
  void add_level();

  std::uint64_t seed_ = 0, id_ = 0, salt_ = 0;
  int k_ = default_k;
  std::uint64_t n_ = 0, compactions_ = 0;
  /// All levels in one array of the sketch's capacity: [levels_[h], levels_[h + 1]) is level h,
  /// level 0 lowest; [0, levels_[0]) is free space, where new items go (one allocation a sketch).
  std::vector<double> items_;
  std::vector<std::uint32_t> levels_;
};

}  // namespace hwf::engine
