#include "models/workforce/safeguards_list.hpp"

#include <algorithm>
#include <array>

namespace hwf::model {

namespace {
// WHO, Health Workforce Support and Safeguards List 2023 (criteria: density of doctors, nurses
// and midwives below the global median of 49 per 10,000 and UHC service coverage index < 55).
constexpr std::array<listed_country, 55> list_2023{{
    // African Region (37)
    {"AGO", "Angola"},
    {"BEN", "Benin"},
    {"BFA", "Burkina Faso"},
    {"BDI", "Burundi"},
    {"CMR", "Cameroon"},
    {"CAF", "Central African Republic"},
    {"TCD", "Chad"},
    {"COM", "Comoros"},
    {"COG", "Congo"},
    {"CIV", "Côte d'Ivoire"},
    {"COD", "Democratic Republic of the Congo"},
    {"GNQ", "Equatorial Guinea"},
    {"ERI", "Eritrea"},
    {"ETH", "Ethiopia"},
    {"GAB", "Gabon"},
    {"GMB", "Gambia"},
    {"GHA", "Ghana"},
    {"GIN", "Guinea"},
    {"GNB", "Guinea-Bissau"},
    {"LSO", "Lesotho"},
    {"LBR", "Liberia"},
    {"MDG", "Madagascar"},
    {"MWI", "Malawi"},
    {"MLI", "Mali"},
    {"MRT", "Mauritania"},
    {"MOZ", "Mozambique"},
    {"NER", "Niger"},
    {"NGA", "Nigeria"},
    {"RWA", "Rwanda"},
    {"SEN", "Senegal"},
    {"SLE", "Sierra Leone"},
    {"SSD", "South Sudan"},
    {"TGO", "Togo"},
    {"UGA", "Uganda"},
    {"TZA", "United Republic of Tanzania"},
    {"ZMB", "Zambia"},
    {"ZWE", "Zimbabwe"},
    // Region of the Americas (1)
    {"HTI", "Haiti"},
    // Eastern Mediterranean Region (6)
    {"AFG", "Afghanistan"},
    {"DJI", "Djibouti"},
    {"PAK", "Pakistan"},
    {"SOM", "Somalia"},
    {"SDN", "Sudan"},
    {"YEM", "Yemen"},
    // South-East Asia Region (3)
    {"BGD", "Bangladesh"},
    {"NPL", "Nepal"},
    {"TLS", "Timor-Leste"},
    // Western Pacific Region (8)
    {"KIR", "Kiribati"},
    {"LAO", "Lao People's Democratic Republic"},
    {"FSM", "Micronesia (Federated States of)"},
    {"PNG", "Papua New Guinea"},
    {"WSM", "Samoa"},
    {"SLB", "Solomon Islands"},
    {"TUV", "Tuvalu"},
    {"VUT", "Vanuatu"},
}};
}  // namespace

std::span<const listed_country> safeguards_list_2023() {
  return list_2023;
}

bool on_safeguards_list_2023(std::string_view iso3) {
  return std::any_of(list_2023.begin(), list_2023.end(),
                     [&](const listed_country& c) { return c.iso3 == iso3; });
}

}  // namespace hwf::model
