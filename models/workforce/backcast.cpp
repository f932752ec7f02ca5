#include "models/workforce/backcast.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <optional>
#include <span>

#include <fmt/format.h>

#include "engine/yaml_input.hpp"
#include "models/workforce/indicators.hpp"
#include "models/workforce/loader_detail.hpp"

namespace hwf::model {

using engine::map_view;
using engine::node_ref;

namespace {

/// The corridors-table indicators a corridor's observed series may be compared with.
const std::vector<std::string>& corridor_measures() {
  static const std::vector<std::string> measures{"emigration", "returns", "migrant_stock"};
  return measures;
}

/// Reads a value's `fit` (true when absent); nullopt when it is wrong (reported). A value left
/// out of the fit must say why in its note.
std::optional<bool> read_fit(const node_ref& v, const std::string& note) {
  if (!v.is_map()) return true;
  // read_value has checked the mapping's keys (and reported a duplicate): read `fit` alone.
  const YAML::Node& mapping = v.node();
  const YAML::Node given = mapping["fit"];
  if (!given) return true;
  const auto f = v.child(given, "fit");
  const auto fit = f.to_bool();
  if (fit && !*fit && note.empty()) {
    f.error("a value left out of the fit says why in its `note`",
            {"e.g. note: \"series break: a registered count, the start stock is practising\""});
    return std::nullopt;
  }
  return fit;
}

/// Reads `year: value` entries into s.points; a country's value may give its `concept`
/// (`registered`: the series' default), and any value `fit: false`.
void read_points(const node_ref& n, observed_series& s, bool registered) {
  const auto points = n.to_entries();
  if (!points) return;
  static const std::vector<std::string> settings{"values", "concept", "measure", "weight", "se"};
  const bool flow = s.measure == "emigration" || s.measure == "returns";
  for (auto& [year_text, v] : *points) {
    int year = 0;
    const auto [p, ec] =
        std::from_chars(year_text.data(), year_text.data() + year_text.size(), year);
    if (ec != std::errc() || p != year_text.data() + year_text.size() || year < 1800 ||
        year > 2300) {
      std::vector<std::string> notes;
      if (std::find(settings.begin(), settings.end(), year_text) != settings.end())
        notes.emplace_back(
            "a series with settings gives its years under `values:`, e.g. {se: 0.1, values: "
            "{2015: 1200, 2016: 1350}}");
      v.error(fmt::format("'{}' is not a year", year_text), std::move(notes));
      continue;
    }
    std::optional<std::string> concept_text;
    static const std::vector<std::string> point_keys{"fit"};
    auto value = detail::read_value(v, flow ? "persons per year" : "persons", {0, 1e12, true},
                                    false, s.corridor() ? nullptr : &concept_text, point_keys);
    if (!value) continue;
    const auto fit = read_fit(v, value->note);
    if (fit)
      s.points.push_back({year, value->value, value->note, value->where,
                          concept_text ? *concept_text == "registered" : registered, *fit});
  }
}

/// Reads `weight` or `se` into the series; false when either is wrong (reported).
bool read_weight(const map_view& m, observed_series& s) {
  const auto w = m.get("weight"), se = m.get("se");
  if (w && se) {
    se->error("give `weight` or `se`, not both",
              {"`se` is the standard error of log(observed), and counts as weight 1 / se"});
    return false;
  }
  const auto& given = w ? w : se;
  if (!given) return true;
  const auto x = given->to_number();
  if (!x) return false;
  if (!(*x > 0 && std::isfinite(*x))) {
    given->error(fmt::format("expected a number > 0, found {}", *x));
    return false;
  }
  s.weight = w ? *x : 1 / *x;
  s.has_se = !w;
  return true;
}

/// Reads one series: a map of years, or its settings with the years under `values` (a
/// corridor's series always has settings: its `measure`).
void read_series(const node_ref& n, observed_series& s) {
  const bool settings = n.is_map() && n.node()["values"];
  if (!settings && s.corridor()) {
    n.error("expected a corridor series such as {measure: emigration, values: {2016: 1200}}",
            {"measure: one of " + engine::join_list(corridor_measures()) +
                 "; optionally `weight` or `se`",
             "a list of such series gives several measures of one corridor cadre"});
    return;
  }
  if (!settings) return read_points(n, s, false);
  map_view m(n, detail::strings({s.corridor() ? "measure" : "concept", "weight", "se", "values"}));
  bool registered = false;
  if (s.corridor()) {
    const auto x = m.require("measure");
    const auto text = x ? x->to_string() : std::nullopt;
    if (!text) return;
    const auto& measures = corridor_measures();
    if (std::find(measures.begin(), measures.end(), *text) == measures.end()) {
      x->error(fmt::format("expected one of: {}; found '{}'", engine::join_list(measures),
                           engine::printable(*text, 40)),
               {"the corridors table's indicator the values are compared with"},
               engine::closest_match(*text, measures).value_or(""));
      return;
    }
    s.measure = *text;
  } else if (const auto x = m.get("concept")) {
    const auto text = x->to_string();
    const std::vector<std::string> concepts{"practising", "registered"};
    if (!text) return;
    if (std::find(concepts.begin(), concepts.end(), *text) == concepts.end()) {
      x->error(fmt::format("expected one of: practising, registered; found '{}'",
                           engine::printable(*text, 40)),
               {}, engine::closest_match(*text, concepts).value_or(""));
      return;
    }
    registered = *text == "registered";
  }
  if (!read_weight(m, s)) return;
  if (const auto v = m.require("values")) read_points(*v, s, registered);
}

/// The `series` section: country -> cadre -> series.
void read_country_series(const node_ref& n, const compiled_model& m, observed_data& out) {
  const auto countries = n.to_entries();
  if (!countries) return;
  const auto& isos = m.country_set().labels();
  const auto& ids = m.cadre_ids();
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
      if (!m.cadre_set().find(cadre)) {
        kn.error(fmt::format("'{}' is not a cadre of the model", cadre),
                 {"cadres: " + engine::join_list(ids)},
                 engine::closest_match(cadre, ids).value_or(""));
        continue;
      }
      observed_series s;
      s.country = iso;
      s.cadre = cadre;
      read_series(kn, s);
      out.series.push_back(std::move(s));
    }
  }
}

/// The `corridors` section: "ORIGIN-DESTINATION" -> cadre -> series.
void read_corridor_series(const node_ref& n, const compiled_model& m, observed_data& out) {
  const auto corridors = n.to_entries();
  if (!corridors) return;
  // The model's corridors ("KEN-GBR,nurses"), and their pairs ("KEN-GBR").
  const auto& labels = m.corridor_set().labels();
  std::vector<std::string> pairs;
  for (const auto& l : labels) {
    auto pair = l.substr(0, l.find(','));
    if (std::find(pairs.begin(), pairs.end(), pair) == pairs.end()) pairs.push_back(pair);
  }
  for (auto& [pair, pn] : *corridors) {
    if (std::find(pairs.begin(), pairs.end(), pair) == pairs.end()) {
      pn.error(fmt::format("'{}' is not a corridor of the model", engine::printable(pair, 40)),
               {pairs.empty() ? std::string("the model has no corridors")
                              : "a corridor is ORIGIN-DESTINATION: " + engine::join_list(pairs)},
               engine::closest_match(pair, pairs).value_or(""));
      continue;
    }
    const auto cadres = pn.to_entries();
    if (!cadres) continue;
    for (auto& [cadre, kn] : *cadres) {
      if (std::find(labels.begin(), labels.end(), pair + "," + cadre) == labels.end()) {
        std::vector<std::string> here;
        for (const auto& l : labels)
          if (l.starts_with(pair + ",")) here.push_back(l.substr(pair.size() + 1));
        kn.error(fmt::format("the corridor {} has no {}", pair, cadre),
                 {"its cadres: " + engine::join_list(here)},
                 engine::closest_match(cadre, here).value_or(""));
        continue;
      }
      // One series, or a list of them with different measures (a register's joiners and its
      // count by country of training, say).
      std::vector<node_ref> items{kn};
      if (kn.is_sequence()) {
        const auto list = kn.to_items();
        if (!list) continue;
        items = *list;
      }
      std::vector<std::string> measures;
      for (const auto& item : items) {
        observed_series s;
        const auto dash = pair.find('-');
        s.country = pair.substr(0, dash);
        s.destination = pair.substr(dash + 1);
        s.cadre = cadre;
        read_series(item, s);
        if (s.measure.empty()) continue;  // reported by read_series
        if (std::find(measures.begin(), measures.end(), s.measure) != measures.end()) {
          item.error(
              fmt::format("a second {} series for the corridor {} {}", s.measure, pair, cadre),
              {"a corridor cadre has at most one series of each measure: put every year "
               "of it under one `values`"});
          continue;
        }
        measures.push_back(s.measure);
        out.series.push_back(std::move(s));
      }
    }
  }
}

}  // namespace

observed_data load_observed(const std::filesystem::path& path, const compiled_model& m) {
  observed_data out;
  const auto file = detail::read_data_file(path, out.file);
  engine::diagnostic_list diags;
  node_ref root(file.root, "", file, diags);
  if (!engine::check_format(root, "observed counts")) diags.throw_if_any();
  map_view top(root, detail::strings(
                         {"format", "observed", "description", "source", "series", "corridors"}));
  if (!top.is_map()) diags.throw_if_any();
  if (auto n = top.require("observed")) out.name = n->to_string().value_or("");
  if (auto n = top.get("description")) out.description = n->to_string().value_or("");
  if (auto n = top.get("source")) out.source = n->to_string().value_or("");
  const auto series = top.get("series"), corridors = top.get("corridors");
  if (!series && !corridors)
    top.report_missing("series", {"countries' counts under `series:`, corridors' flows under "
                                  "`corridors:` (docs/yaml-reference.md, \"Observed data\")"});
  if (series) read_country_series(*series, m, out);
  if (corridors) read_corridor_series(*corridors, m, out);
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
    if (s.corridor()) continue;
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
