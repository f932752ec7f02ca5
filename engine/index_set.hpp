#pragma once
// Named index sets (subscripts): an ordered list of unique labels, e.g. countries {KEN, GBR} or
// cadres {doctors, nurses}. Arrays of stocks and output series are laid out over them.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace hwf::engine {

class index_set {
 public:
  index_set() = default;
  /// Throws internal_error if a label appears twice.
  index_set(std::string name, std::vector<std::string> labels);

  const std::string& name() const noexcept { return name_; }
  std::size_t size() const noexcept { return labels_.size(); }
  const std::string& operator[](std::size_t i) const { return labels_.at(i); }
  const std::vector<std::string>& labels() const noexcept { return labels_; }
  /// Position of `label`, if it is in the set.
  std::optional<std::size_t> find(std::string_view label) const;

 private:
  std::string name_;
  std::vector<std::string> labels_;
  // Lookup only; iteration always follows `labels_`, so order never depends on hashing.
  std::unordered_map<std::string, std::size_t> position_;
};

}  // namespace hwf::engine
