#include "engine/quantile_sketch.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <utility>

#include "engine/binary_io.hpp"
#include "engine/random.hpp"

namespace hwf::engine {

namespace {

/// The capacity of a level `depth` levels below the top: k (2/3)^depth, at least 2.
std::size_t level_capacity(int k, std::size_t depth) {
  const auto compute = [](int kk, std::size_t d) {
    return std::max<std::size_t>(
        2, static_cast<std::size_t>(std::ceil(kk * std::pow(2.0 / 3.0, static_cast<double>(d)))));
  };
  static const auto table = [&] {
    std::array<std::size_t, 64> t{};
    for (std::size_t d = 0; d < t.size(); ++d) t[d] = compute(quantile_sketch::default_k, d);
    return t;
  }();
  return k == quantile_sketch::default_k && depth < table.size() ? table[depth] : compute(k, depth);
}

}  // namespace

std::size_t quantile_sketch::capacity(std::size_t level) const {
  return level_capacity(k_, levels() - level - 1);
}

std::size_t quantile_sketch::total_capacity() const {
  std::size_t total = 0;
  for (std::size_t h = 0; h < levels(); ++h) total += capacity(h);
  return total;
}

void quantile_sketch::lay_out(const std::vector<std::vector<double>>& by_level, bool spare) {
  levels_.assign(by_level.size() + 1, 0);  // the capacity depends on the number of levels
  std::size_t items = 0;
  for (const auto& l : by_level) items += l.size();
  std::vector<double> array(spare ? std::max(total_capacity(), items) : items);
  auto at = array.size() - items;
  for (std::size_t h = 0; h < by_level.size(); ++h) {
    levels_[h] = static_cast<std::uint32_t>(at);
    std::copy(by_level[h].begin(), by_level[h].end(),
              array.begin() + static_cast<std::ptrdiff_t>(at));
    at += by_level[h].size();
  }
  levels_.back() = static_cast<std::uint32_t>(at);
  items_.swap(array);
}

void quantile_sketch::append_levels(std::vector<std::vector<double>>& by_level) const {
  for (std::size_t h = 0; h < levels(); ++h)
    by_level[h].insert(by_level[h].end(), items_.begin() + levels_[h],
                       items_.begin() + levels_[h + 1]);
}

void quantile_sketch::insert(double x) {
  if (levels_.empty()) lay_out({{}}, true);
  if (levels_[0] == 0) make_room();
  items_[--levels_[0]] = x;
  ++n_;
}

void quantile_sketch::make_room() {
  if (stored() < total_capacity()) {  // condensed or loaded: take the room back
    std::vector<std::vector<double>> by_level(levels());
    append_levels(by_level);
    lay_out(by_level, true);
  } else {
    compress();
  }
}

void quantile_sketch::condense() {
  while (true) {
    std::size_t h = 0;
    while (h < levels() && level_size(h) <= capacity(h)) ++h;
    if (h == levels()) break;
    if (h + 1 == levels()) add_level();
    compact(h);
  }
  if (levels_.empty() || levels_[0] == 0) return;
  std::vector<double> array(items_.begin() + levels_[0], items_.end());
  const std::uint32_t spare = levels_[0];
  items_.swap(array);
  for (auto& l : levels_) l -= spare;
}

void quantile_sketch::compress() {
  // The lowest level at or over its capacity (one is, when the items fill the capacity).
  std::size_t h = 0;
  while (h < levels() && level_size(h) < capacity(h)) ++h;
  if (h == levels()) throw std::logic_error("quantile_sketch: compress with room to spare");
  if (h + 1 == levels()) add_level();
  compact(h);
}

void quantile_sketch::add_level() {
  // A new, empty top level; every level's capacity shrinks by 2/3 and the total grows by the
  // capacity of the new lowest depth: that much free space is added in front.
  const std::size_t grow = level_capacity(k_, levels());
  std::vector<double> array(items_.size() + grow);
  std::copy(items_.begin() + levels_[0], items_.end(),
            array.begin() + static_cast<std::ptrdiff_t>(levels_[0] + grow));
  items_.swap(array);
  for (auto& l : levels_) l += static_cast<std::uint32_t>(grow);
  levels_.push_back(static_cast<std::uint32_t>(items_.size()));
}

void quantile_sketch::compact(std::size_t h) {
  const std::uint32_t a = levels_[h], b = levels_[h + 1];
  // An odd item stays behind (the first); of the rest, sorted, every other one moves up.
  const std::uint32_t odd = (b - a) % 2, from = a + odd, half = (b - from) / 2;
  double* const v = items_.data();
  std::sort(v + from, v + b);
  const std::uint64_t offset =
      random_bits(seed_, rng_stream::sketch, id_, compactions_++, salt_) & 1u;
  // The chosen items go to the top of the level's range, which joins level h + 1 (just above);
  // going down, no item is overwritten before it is read.
  for (std::uint32_t j = half; j-- > 0;) v[b - half + j] = v[from + offset + 2 * j];
  // Level h keeps [a, from); it and the levels below move up by `half` to keep the free space in
  // front.
  std::move_backward(v + levels_[0], v + from, v + from + half);
  for (std::size_t l = 0; l <= h; ++l) levels_[l] += half;
  levels_[h + 1] = b - half;
}

void quantile_sketch::merge(const quantile_sketch& other) {
  if (other.k_ != k_) throw std::logic_error("quantile_sketch::merge: sketches of different k");
  if (other.n_ == 0) return;
  // Each level takes the other's items of the same weight; then the sketch compacts until its
  // items fit its capacity, and gives back the room it no longer needs.
  std::vector<std::vector<double>> by_level(std::max(levels(), other.levels()));
  append_levels(by_level);
  other.append_levels(by_level);
  lay_out(by_level, true);
  n_ += other.n_;
  while (stored() > total_capacity()) compress();
  if (const std::size_t excess = items_.size() - total_capacity(); excess > 0) {
    std::vector<double> array(items_.begin() + static_cast<std::ptrdiff_t>(excess), items_.end());
    items_.swap(array);
    for (auto& l : levels_) l -= static_cast<std::uint32_t>(excess);
  }
}

double quantile_sketch::quantile(double p) const {
  if (n_ == 0) return std::numeric_limits<double>::quiet_NaN();
  std::vector<std::pair<double, std::uint64_t>> items;
  items.reserve(stored());
  for (std::size_t h = 0; h < levels(); ++h)
    for (std::uint32_t i = levels_[h]; i < levels_[h + 1]; ++i)
      items.emplace_back(items_[i], std::uint64_t{1} << h);
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
  put(out, salt_);
  put(out, k_);
  put(out, n_);
  put(out, compactions_);
  put<std::uint64_t>(out, levels());
  for (std::size_t h = 0; h < levels(); ++h) {
    put<std::uint64_t>(out, level_size(h));
    out.append(reinterpret_cast<const char*>(items_.data() + levels_[h]),
               level_size(h) * sizeof(double));
  }
}

void quantile_sketch::load(byte_reader& in) {
  seed_ = in.get<std::uint64_t>();
  id_ = in.get<std::uint64_t>();
  salt_ = in.get<std::uint64_t>();
  k_ = in.get<int>();
  n_ = in.get<std::uint64_t>();
  compactions_ = in.get<std::uint64_t>();
  const auto depth = in.get<std::uint64_t>();
  if (k_ < 2 || k_ > (1 << 20) || depth > 64) throw corrupt_data("not a quantile sketch");
  std::vector<std::vector<double>> by_level(depth);
  for (auto& l : by_level) l = in.get_array<double>(std::size_t{1} << 24);
  items_.clear();
  levels_.clear();
  if (depth > 0) lay_out(by_level, false);  // as saved: a condensed sketch stays small
  if (stored() > total_capacity()) throw corrupt_data("a quantile sketch holds more than it can");
}

}  // namespace hwf::engine
