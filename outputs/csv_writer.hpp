#pragma once
// Long ("tidy") CSV: one row per value, `scenario,year,<key columns>,value`.

#include <string>

#include "engine/tables.hpp"

namespace hwf::out {

/// The CSV text of one table of one run. Values that are not defined (yearly flows at the
/// start year) are left out. Numbers use the shortest text that reads back to the same double.
std::string long_csv(const std::string& scenario, const std::vector<double>& times,
                     const engine::table_values& table);

/// Quotes a CSV field when it holds a comma, quote or line break (RFC 4180).
std::string csv_field(const std::string& s);

}  // namespace hwf::out
