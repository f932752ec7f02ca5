#include "engine/diagnostics.hpp"

#include <algorithm>
#include <numeric>
#include <tuple>

#include <fmt/format.h>

namespace hwf::engine {

std::string format(const diagnostic& d) {
  std::string out = d.where.file;
  if (d.where.line > 0) out += fmt::format(":{}:{}", d.where.line, d.where.column);
  out += ": error: ";
  if (!d.key_path.empty()) out += d.key_path + ": ";
  out += d.message;
  for (const auto& n : d.notes) out += "\n  " + n;
  if (!d.suggestion.empty()) out += fmt::format("\n  did you mean '{}'?", d.suggestion);
  return out;
}

namespace {
std::string format_all(const std::vector<diagnostic>& ds) {
  std::string out;
  for (const auto& d : ds) {
    if (!out.empty()) out += '\n';
    out += format(d);
  }
  return out;
}
}  // namespace

input_error::input_error(std::vector<diagnostic> diagnostics)
    : std::runtime_error(format_all(diagnostics)), diagnostics_(std::move(diagnostics)) {}

void diagnostic_list::add(diagnostic d) {
  ++count_;
  if (kept_.size() < max_reported) kept_.push_back(std::move(d));
}

void diagnostic_list::throw_if_any() const {
  if (count_ == 0) return;
  auto all = kept_;
  // File order: checks run section by section, but a reader fixes a file top to bottom.
  std::stable_sort(all.begin(), all.end(), [](const diagnostic& a, const diagnostic& b) {
    return std::tie(a.where.file, a.where.line, a.where.column) <
           std::tie(b.where.file, b.where.line, b.where.column);
  });
  if (count_ > kept_.size()) {
    diagnostic more;
    more.where.file = kept_.back().where.file;
    more.message = fmt::format("{} more errors not shown (first {} reported)",
                               count_ - kept_.size(), kept_.size());
    all.push_back(std::move(more));
  }
  throw input_error(std::move(all));
}

std::size_t edit_distance(std::string_view a, std::string_view b) {
  // Optimal string alignment distance: one row per character of `a`, three rows kept.
  const std::size_t n = b.size();
  std::vector<std::size_t> prev2(n + 1), prev(n + 1), cur(n + 1);
  std::iota(prev.begin(), prev.end(), std::size_t{0});
  for (std::size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (std::size_t j = 1; j <= n; ++j) {
      const std::size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
        cur[j] = std::min(cur[j], prev2[j - 2] + 1);
    }
    std::swap(prev2, prev);
    std::swap(prev, cur);
  }
  return prev[n];
}

std::optional<std::string> closest_match(std::string_view key,
                                         std::span<const std::string> candidates) {
  std::optional<std::string> best;
  std::size_t best_distance = 3;
  for (const auto& c : candidates) {
    const std::size_t d = edit_distance(key, c);
    if (d < best_distance && 2 * d < std::max(key.size(), std::size_t{2})) {
      best = c;
      best_distance = d;
    }
  }
  return best;
}

std::string join_list(std::span<const std::string> items, std::size_t max_items) {
  std::string out;
  for (std::size_t i = 0; i < items.size() && i < max_items; ++i) {
    if (i) out += ", ";
    out += items[i];
  }
  if (items.size() > max_items) out += fmt::format(", ... ({} in all)", items.size());
  return out;
}

}  // namespace hwf::engine
