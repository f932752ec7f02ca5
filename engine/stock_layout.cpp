#include "engine/stock_layout.hpp"

#include <fmt/format.h>

#include "engine/diagnostics.hpp"

namespace hwf::engine {

std::size_t stock_layout::add_block(std::string name, state_kind kind,
                                    std::vector<std::string> labels) {
  const std::size_t offset = size_;
  size_ += labels.size();
  if (kind == state_kind::stock)
    for (std::size_t i = offset; i < size_; ++i) stock_indices_.push_back(i);
  blocks_.push_back({std::move(name), kind, offset, std::move(labels)});
  return offset;
}

std::string stock_layout::describe(std::size_t index) const {
  for (const auto& b : blocks_)
    if (index >= b.offset && index < b.offset + b.size())
      return fmt::format("{}[{}]", b.name, b.labels[index - b.offset]);
  throw internal_error(fmt::format("state index {} outside a layout of {}", index, size_));
}

}  // namespace hwf::engine
