#pragma once
// docs/data-sources.md, generated: every parameter of a scenario's model with its value, unit,
// evidence flag and source, and the WHO Safeguards List 2023.

#include <string>

#include "models/workforce/description.hpp"

namespace hwf::model {

/// Markdown: counts by evidence flag, one table per cadre, country and corridor, then the
/// Safeguards List. `command` is the command line that regenerates the page.
std::string data_sources_markdown(const scenario_description& s, const std::string& command);

}  // namespace hwf::model
