#include "models/workforce/indicators.hpp"

namespace hwf::model {

std::vector<engine::indicator_info> report_indicators() {
  std::vector<engine::indicator_info> out;
  for (const auto table : {country_indicators(), corridor_indicators(), summary_indicators(),
                           corridor_summary_indicators(), probability_indicators()})
    for (const auto& e : table)
      if (!engine::find_indicator(out, e.name)) out.push_back(e);
  return out;
}

}  // namespace hwf::model
