#include "models/workforce/backcast.hpp"

#include <algorithm>
#include <charconv>
#include <optional>
#include <span>

#include <fmt/format.h>

#include "engine/yaml_input.hpp"
#include "models/workforce/indicators.hpp"
#include "models/workforce/loader_detail.hpp"

namespace hwf::model {

using engine::map_view;
using engine::node_ref;

observed_data load_observed(const std::filesystem::path& path, const compiled_model& m) {
  const std::string display = path.lexically_normal().generic_string();
  const auto file = engine::load_yaml_file(path, display);
  engine::diagnostic_list diags;
  observed_data out;
  out.file = {display, sha256_hex(file.content)};
  node_ref root(file.root, "", file, diags);
  if (!engine::check_format(root, "observed counts")) diags.throw_if_any();
  map_view top(root, detail::strings({"format", "observed", "description", "source", "series"}));
  if (!top.is_map()) diags.throw_if_any();
  if (auto n = top.require("observed")) out.name = n->to_string().value_or("");
  if (auto n = top.get("description")) out.description = n->to_string().value_or("");
  if (auto n = top.get("source")) out.source = n->to_string().value_or("");
  const auto& isos = m.country_set().labels();
  if (auto series = top.require("series")) {
    if (auto countries = series->to_entries()) {
      for (auto& [iso, cn] : *countries) {
        if (!m.country_set().find(iso)) {
          cn.error(fmt::format("'{}' is not a country of model", iso),
                   {"countries: " + engine::join_list(isos)},
                   engine::closest_match(iso, isos).value_or(""));
          continue;
        }
        const auto cadres = cn.to_entries();
        if (!cadres) continue;
        for (auto& [cadre, kn] : *cadres) {
          const auto& ids = m.cadre_ids();
          if (!m.cadre_set().find(cadre)) {
            kn.error(fmt::format("'{}' is not a cadre of the model", cadre),
                     {"cadres: " + engine::join_list(ids)},
                     engine::closest_match(cadre, ids).value_or(""));
            continue;
          }
          observed_series s{iso, cadre, {}};
          const auto points = kn.to_entries();
          if (!points) continue;
          for (auto& [year_text, v] : *points) {
            int year = 0;
            const auto [p, ec] =
                std::from_chars(year_text.data(), year_text.data() + year_text.size(), year);
            if (ec != std::errc() || p != year_text.data() + year_text.size() || year < 1800 ||
                year > 2300) {
              v.error(fmt::format("'{}' is not a year", year_text));
              continue;
            }
            std::optional<std::string> concept_text;
            auto value = detail::read_value(v, "persons", {0, 1e12, true}, false, &concept_text);
            if (value)
              s.points.push_back(
                  {year, value->value, value->note, value->where, concept_text == "registered"});
          }
          out.series.push_back(std::move(s));
        }
      }
    }
  }
  diags.throw_if_any();
  return out;
}

std::vector<engine::observation_match> match_observations(const compiled_model& m,
                                                          const run_output& run,
                                                          const observed_data& observed) {
  constexpr std::size_t supply = indicator_position(country_indicator_table, "supply");
  constexpr std::size_t registered = indicator_position(country_indicator_table, "registered");
  constexpr std::size_t population = indicator_position(country_indicator_table, "population");
  std::vector<engine::observation_match> out;
  for (const auto& s : observed.series) {
    // The block of this (country, cadre).
    std::optional<std::size_t> block;
    for (std::size_t bi = 0; bi < m.blocks().size(); ++bi) {
      const auto& b = m.blocks()[bi];
      if (m.countries()[b.country].iso3 == s.country && m.cadre_ids()[b.cadre] == s.cadre)
        block = bi;
    }
    if (!block) continue;  // the country does not train this cadre
    const auto value = [&](std::span<const double> row, std::size_t indicator) {
      return row[m.block_series(*block, indicator)];
    };
    for (const auto& p : s.points) {
      if (p.year < m.start_time() || p.year > m.end_time()) continue;
      const auto row = run.result.tables[0].row(static_cast<std::size_t>(p.year - m.start_time()));
      out.push_back({{s.country, s.cadre},
                     static_cast<double>(p.year),
                     p.value,
                     value(row, p.registered ? registered : supply),
                     value(row, population) / 1e4,
                     p.note,
                     p.registered ? "registered" : ""});
    }
  }
  return out;
}

}  // namespace hwf::model
