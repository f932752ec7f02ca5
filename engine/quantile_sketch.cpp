#include "engine/quantile_sketch.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <utility>

#include "engine/binary_io.hpp"
#include "engine/random.hpp"

namespace hwf::engine {

std::size_t quantile_sketch::capacity(std::size_t level) const {
  // The top level holds k items; each level below holds 2/3 of the one above, at least 2.
  return capacities_[levels_.size() - level - 1];
}

void quantile_sketch::add_level() {
  levels_.emplace_back();
  const std::size_t depth = levels_.size() - 1;
  if (capacities_.size() <= depth)
    capacities_.push_back(std::max<std::size_t>(
        2,
        static_cast<std::size_t>(std::ceil(k_ * std::pow(2.0 / 3.0, static_cast<double>(depth))))));
  levels_.back().reserve(capacity(levels_.size() - 1) + 1);
}

std::size_t quantile_sketch::stored() const noexcept {
  std::size_t s = 0;
  for (const auto& l : levels_) s += l.size();
  return s;
}

void quantile_sketch::insert(double x) {
  if (levels_.empty()) add_level();
  levels_[0].push_back(x);
  ++n_;
  // Eager compaction (every level within its capacity) keeps memory at about the sum of the
  // capacities, about 3k items, however many values arrive.
  while (true) {
    std::size_t h = 0;
    while (h < levels_.size() && levels_[h].size() <= capacity(h)) ++h;
    if (h == levels_.size()) break;
    compact(h);
  }
}

void quantile_sketch::compact(std::size_t h) {
  if (h + 1 == levels_.size()) add_level();
  auto& level = levels_[h];
  std::sort(level.begin(), level.end());
  // An odd item stays behind; of the rest, every other one moves up with twice the weight.
  double kept = 0;
  const bool odd = level.size() % 2 == 1;
  if (odd) {
    kept = level.back();
    level.pop_back();
  }
  const std::size_t offset = random_bits(seed_, rng_stream::sketch, id_, compactions_++) & 1u;
  auto& up = levels_[h + 1];
  for (std::size_t i = offset; i < level.size(); i += 2) up.push_back(level[i]);
  level.clear();
  if (odd) level.push_back(kept);
  // Levels below the top shrink as the sketch grows: release what they no longer need.
  for (std::size_t l = 0; l + 1 < levels_.size(); ++l)
    if (levels_[l].capacity() > 2 * (capacity(l) + 1)) {
      std::vector<double> smaller;
      smaller.reserve(capacity(l) + 1);
      smaller.assign(levels_[l].begin(), levels_[l].end());
      levels_[l].swap(smaller);
    }
}

double quantile_sketch::quantile(double p) const {
  if (n_ == 0) return std::numeric_limits<double>::quiet_NaN();
  std::vector<std::pair<double, std::uint64_t>> items;
  items.reserve(stored());
  for (std::size_t h = 0; h < levels_.size(); ++h)
    for (double v : levels_[h]) items.emplace_back(v, std::uint64_t{1} << h);
  std::sort(items.begin(), items.end());
  std::uint64_t total = 0;
  for (const auto& it : items) total += it.second;
  const double target = p * static_cast<double>(total);
  std::uint64_t cumulative = 0;
  for (const auto& [v, w] : items) {
    cumulative += w;
    if (static_cast<double>(cumulative) >= target) return v;
  }
  return items.back().first;
}

void quantile_sketch::save(std::string& out) const {
  put(out, seed_);
  put(out, id_);
  put(out, k_);
  put(out, n_);
  put(out, compactions_);
  put<std::uint64_t>(out, levels_.size());
  for (const auto& level : levels_) put_array(out, level);
}

void quantile_sketch::load(byte_reader& in) {
  seed_ = in.get<std::uint64_t>();
  id_ = in.get<std::uint64_t>();
  k_ = in.get<int>();
  n_ = in.get<std::uint64_t>();
  compactions_ = in.get<std::uint64_t>();
  const auto depth = in.get<std::uint64_t>();
  if (k_ < 2 || depth > 64) throw corrupt_data("not a quantile sketch");
  levels_.clear();
  capacities_.clear();
  for (std::uint64_t h = 0; h < depth; ++h) {
    add_level();
    levels_.back() = in.get_array<double>(std::size_t{1} << 20);
  }
}

}  // namespace hwf::engine
