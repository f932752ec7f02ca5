#pragma once
// The workshop page (outputs/workshop/: template, style sheet, app script; the model compiled to
// WebAssembly, workshop/; the chart libraries from outputs/report/node_modules), compiled into
// hwfsim by hwf_report_embed at build time where emscripten is available.

#include <span>
#include <string_view>

namespace hwf::out::detail {

/// The page up to where its data goes (inside a <script type="application/json">).
std::span<const std::string_view> workshop_page_before_data();
/// The rest of the page, after the data.
std::span<const std::string_view> workshop_page_after_data();
/// The inlined chart libraries and their versions: "vega 6.4.0, vega-lite 6.4.1, ...".
std::string_view workshop_libraries();

}  // namespace hwf::out::detail
