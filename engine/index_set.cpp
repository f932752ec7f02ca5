#include "engine/index_set.hpp"

#include "engine/diagnostics.hpp"

namespace hwf::engine {

index_set::index_set(std::string name, std::vector<std::string> labels)
    : name_(std::move(name)), labels_(std::move(labels)) {
  for (std::size_t i = 0; i < labels_.size(); ++i)
    if (!position_.emplace(labels_[i], i).second)
      throw internal_error("index set " + name_ + " has the label " + labels_[i] + " twice");
}

std::optional<std::size_t> index_set::find(std::string_view label) const {
  const auto it = position_.find(std::string(label));
  if (it == position_.end()) return std::nullopt;
  return it->second;
}

}  // namespace hwf::engine
