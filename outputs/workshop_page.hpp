#pragma once
// The workshop page of `hwfsim workshop` (docs/workshop.md): one self-contained, offline HTML
// file that runs the model in the browser (WebAssembly) with sliders, switches and charts.

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace hwf::out {

/// Why this hwfsim cannot write the workshop page (it was built without emscripten, say), or
/// nothing when it can.
std::optional<std::string> workshop_unavailable();

/// The page with `data_json` (what the page opens: the scenario files and which scenarios to
/// offer) inlined. Throws engine::internal_error where workshop_unavailable() says why.
std::string workshop_html(std::string_view data_json);

/// The inlined chart libraries and their versions (empty where the page is unavailable).
std::string_view workshop_libraries();

}  // namespace hwf::out
