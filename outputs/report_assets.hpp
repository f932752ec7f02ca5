#pragma once
// The report page (outputs/report/: template, style sheet, app script, and the chart libraries
// from node_modules), compiled into hwfsim by hwf_report_embed at build time.

#include <span>
#include <string_view>

namespace hwf::out::detail {

/// The page up to where the results' data goes (inside a <script type="application/json">).
std::span<const std::string_view> report_page_before_data();
/// The rest of the page, after the data.
std::span<const std::string_view> report_page_after_data();
/// The inlined chart libraries and their versions: "vega 6.4.0, vega-lite 6.4.1, ...".
std::string_view report_libraries();

}  // namespace hwf::out::detail
