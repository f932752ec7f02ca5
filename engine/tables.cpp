#include "engine/tables.hpp"

#include <algorithm>

namespace hwf::engine {

std::optional<std::size_t> table_schema::find(
    std::initializer_list<std::pair<std::string_view, std::string_view>> key) const {
  std::vector<std::pair<std::size_t, std::string_view>> wanted;
  for (const auto& [column, label] : key) {
    const auto at = std::find(key_columns.begin(), key_columns.end(), column);
    if (at == key_columns.end()) return std::nullopt;
    wanted.emplace_back(static_cast<std::size_t>(at - key_columns.begin()), label);
  }
  for (std::size_t k = 0; k < size(); ++k)
    if (std::all_of(wanted.begin(), wanted.end(),
                    [&](const auto& w) { return series[k][w.first] == w.second; }))
      return k;
  return std::nullopt;
}

}  // namespace hwf::engine
