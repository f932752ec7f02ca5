#include "models/workforce/data_sources.hpp"

#include <algorithm>
#include <map>
#include <vector>

#include <fmt/format.h>

#include "engine/markdown_text.hpp"

#include "models/workforce/safeguards_list.hpp"

namespace hwf::model {

namespace {

/// "countries.KEN.cadres.nurses.exit_rate" -> group "countries.KEN", key "cadres.nurses.exit_rate".
std::pair<std::string, std::string> split(const std::string& path) {
  std::size_t dots = 0;
  for (std::size_t i = 0; i < path.size(); ++i)
    if (path[i] == '.' && ++dots == 2) return {path.substr(0, i), path.substr(i + 1)};
  return {path, ""};
}

}  // namespace

std::string data_sources_markdown(const scenario_description& s, const std::string& command) {
  // A stock given by start year is listed by its points (docs/model.md, 15.8), each a row of
  // its own named <key>.<year>, in place of the stock's parameter, which holds one of them.
  std::vector<parameter> rows;
  for (std::size_t i = 0; i < s.model.params.size(); ++i) {
    const auto stock = std::find_if(s.model.start_stocks.begin(), s.model.start_stocks.end(),
                                    [&](const start_stock& x) { return x.stock == i; });
    // A stock `set:` by the scenario is listed as set.
    if (stock == s.model.start_stocks.end() || stock->points.empty() ||
        s.model.params[i].overridden) {
      rows.push_back(s.model.params[i]);
      continue;
    }
    for (const auto& point : stock->points) {
      rows.push_back(point.value);
      rows.back().path = fmt::format("{}.{}", s.model.params[i].path, point.year);
    }
  }
  std::map<evidence, std::size_t> by_flag;
  std::size_t defaults = 0;
  for (const auto& p : rows) {
    if (p.note.rfind("default", 0) == 0)
      ++defaults;
    else
      ++by_flag[p.flag];
  }
  std::string md = fmt::format(
      "# Data sources\n\n"
      "Every parameter of the model {} ({}), as the scenario {} uses it: value, unit, "
      "how sure the figure is and where it comes from. Generated; do not edit by hand:\n\n"
      "{}sh\n{}\n{}\n\n"
      "Flags: **verified** = as printed in the source; **derived** = arithmetic on verified "
      "figures (the note shows it); **estimate** = a judgement (the note says why); "
      "**calibrated** = fitted by `hwfsim calibrate` (the note gives the fit). Values the "
      "dataset leaves to their documented default (docs/yaml-reference.md) are listed as "
      "*default*. A stock given for several start years is listed by its points, "
      "`<key>.<year>`; the scenario starts from those of {}.\n\n"
      "| verified | derived | estimate | calibrated | no flag | default |\n"
      "|---|---|---|---|---|---|\n"
      "| {} | {} | {} | {} | {} | {} |\n\n",
      engine::markdown_code(s.model.name), engine::markdown_code(s.model.file.display_name),
      engine::markdown_code(s.name), engine::markdown_fence(command), command,
      engine::markdown_fence(command), s.start_year, by_flag[evidence::verified],
      by_flag[evidence::derived], by_flag[evidence::estimate], by_flag[evidence::calibrated],
      by_flag[evidence::unstated], defaults);

  std::string group;
  for (const auto& p : rows) {
    const auto [g, key] = split(p.path);
    if (g != group) {
      group = g;
      std::string title = g;
      for (const auto& c : s.model.countries)
        if (g == "countries." + c.iso3)
          title = fmt::format("{} ({}{})", g, c.name,
                              c.safeguards_list ? ", on the Safeguards List" : "");
      md += fmt::format(
          "\n## {}\n\n| parameter | value | unit | flag | source | note |\n"
          "|---|---|---|---|---|---|\n",
          engine::markdown_text(title));
    }
    const bool is_default = p.note.rfind("default", 0) == 0;
    md += fmt::format(
        "| {} | {:.6g} | {} | {} | {} | {} |\n", engine::markdown_code(key.empty() ? p.path : key),
        p.value, engine::markdown_text(p.unit),
        is_default ? std::string("*default*") : std::string(to_string(p.flag)),
        engine::markdown_text(p.source), is_default ? "" : engine::markdown_text(p.note));
  }

  md +=
      "\n## WHO Health Workforce Support and Safeguards List 2023\n\n"
      "A country's `safeguards_list` defaults to its membership of this list (55 countries; "
      "WHO, March 2023). The WHO Code lever acts on corridors from these origins.\n\n"
      "| ISO3 | country |\n|---|---|\n";
  for (const auto& c : safeguards_list_2023()) md += fmt::format("| {} | {} |\n", c.iso3, c.name);
  return md;
}

}  // namespace hwf::model
