#pragma once
// The WHO Health Workforce Support and Safeguards List 2023: the 55 countries whose health
// workforce WHO asks destinations not to recruit from actively (WHO, March 2023).

#include <span>
#include <string_view>

namespace hwf::model {

struct listed_country {
  std::string_view iso3;
  std::string_view name;
};

/// The list's edition, and the global median density of doctors, nurses and midwives (per
/// 10,000 people) below which a country qualifies, with UHC service coverage index < 55.
inline constexpr int safeguards_list_edition = 2023;
inline constexpr double safeguards_median_density_2023 = 49;

/// The 55 countries of the 2023 list, by WHO region as WHO lists them.
std::span<const listed_country> safeguards_list_2023();

/// True if `iso3` is on the 2023 list (the default of a country's `safeguards_list`).
bool on_safeguards_list_2023(std::string_view iso3);

}  // namespace hwf::model
