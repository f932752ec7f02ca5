#include "engine/quantile_sketch.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <utility>

#include "engine/random.hpp"

namespace hwf::engine {

std::size_t quantile_sketch::capacity(std::size_t level) const {
  // The top level holds k items; each level below holds 2/3 of the one above, at least 2.
  const std::size_t depth = levels_.size() - level - 1;
  return std::max<std::size_t>(
      2, static_cast<std::size_t>(std::ceil(k_ * std::pow(2.0 / 3.0, depth))));
}

std::size_t quantile_sketch::stored() const noexcept {
  std::size_t s = 0;
  for (const auto& l : levels_) s += l.size();
  return s;
}

void quantile_sketch::insert(double x) {
  if (levels_.empty()) levels_.emplace_back();
  levels_[0].push_back(x);
  ++n_;
  std::size_t total_capacity = 0;
  for (std::size_t h = 0; h < levels_.size(); ++h) total_capacity += capacity(h);
  if (stored() > total_capacity) compress();
}

void quantile_sketch::compress() {
  for (std::size_t h = 0; h < levels_.size(); ++h) {
    if (levels_[h].size() < capacity(h)) continue;
    if (h + 1 == levels_.size()) levels_.emplace_back();
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
    return;  // one compaction frees enough room for the next insert
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

}  // namespace hwf::engine
