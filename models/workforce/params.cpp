#include "models/workforce/params.hpp"

#include <fmt/format.h>

namespace hwf::model {

std::string value_range::describe() const {
  if (max >= 1e300) return fmt::format("{} {}", min_open ? ">" : ">=", min);
  return fmt::format("in {}{}, {}]", min_open ? "(" : "[", min, max);
}

std::string_view to_string(evidence e) {
  switch (e) {
    case evidence::unstated:
      return "";
    case evidence::verified:
      return "verified";
    case evidence::derived:
      return "derived";
    case evidence::estimate:
      return "estimate";
    case evidence::calibrated:
      return "calibrated";
  }
  return "";
}

std::size_t parameter_table::add(parameter p) {
  if (index_.count(p.path))
    throw engine::internal_error("parameter path declared twice: " + p.path);
  const std::size_t i = items_.size();
  index_.emplace(p.path, i);
  items_.push_back(std::move(p));
  return i;
}

std::optional<std::size_t> parameter_table::find(std::string_view path) const {
  const auto it = index_.find(path);
  if (it == index_.end()) return std::nullopt;
  return it->second;
}

std::vector<std::string> parameter_table::paths() const {
  std::vector<std::string> out;
  out.reserve(items_.size());
  for (const auto& p : items_) out.push_back(p.path);
  return out;
}

std::vector<double> parameter_table::values() const {
  std::vector<double> out;
  out.reserve(items_.size());
  for (const auto& p : items_) out.push_back(p.value);
  return out;
}

}  // namespace hwf::model
