#include "models/workforce/published.hpp"

#include <algorithm>
#include <array>
#include <cmath>

#include <fmt/format.h>

#include "engine/yaml_input.hpp"
#include "models/workforce/indicators.hpp"
#include "models/workforce/loader_detail.hpp"

namespace hwf::model {

using engine::map_view;
using engine::node_ref;

std::string_view to_string(projection_verdict v) {
  switch (v) {
    case projection_verdict::agree:
      return "agree";
    case projection_verdict::below:
      return "below";
    case projection_verdict::above:
      return "above";
  }
  return "agree";
}

namespace {

/// The indicators a projection may sum: stocks of persons, which add over countries and cadres.
const std::vector<std::string>& summable_indicators() {
  static const std::vector<std::string> names{"supply",  "workforce_domestic", "foreign_trained",
                                              "abroad",  "registered",         "need",
                                              "shortage"};
  return names;
}

/// Reads `key` as one of `choices` (reported, with the closest, when it is not).
std::optional<std::string> read_choice(const map_view& m, std::string_view key,
                                       const std::vector<std::string>& choices, bool required) {
  const auto n = required ? m.require(key) : m.get(key);
  if (!n) return std::nullopt;
  const auto text = n->to_string();
  if (!text) return std::nullopt;
  if (std::find(choices.begin(), choices.end(), *text) == choices.end()) {
    n->error(fmt::format("expected one of: {}; found '{}'", engine::join_list(choices),
                         engine::printable(*text, 40)),
             {}, engine::closest_match(*text, choices).value_or(""));
    return std::nullopt;
  }
  return text;
}

/// Reads `all` (an empty list) or a list of names, each one of `valid`.
std::optional<std::vector<std::string>> read_names(const node_ref& n,
                                                   const std::vector<std::string>& valid,
                                                   std::string_view what) {
  if (n.is_scalar() && n.to_string() == "all") return std::vector<std::string>{};
  const auto items = n.to_items();
  if (!items) return std::nullopt;
  std::vector<std::string> out;
  bool ok = true;
  for (const auto& item : *items) {
    const auto text = item.to_string();
    if (!text) {
      ok = false;
      continue;
    }
    if (std::find(valid.begin(), valid.end(), *text) == valid.end()) {
      item.error(fmt::format("'{}' is not a {} of the model", engine::printable(*text, 40), what),
                 {fmt::format("{}: {}, or `all` for every one", what, engine::join_list(valid))},
                 engine::closest_match(*text, valid).value_or(""));
      ok = false;
      continue;
    }
    if (std::find(out.begin(), out.end(), *text) != out.end()) {
      item.error(fmt::format("{} '{}' is listed twice", what, *text));
      ok = false;
      continue;
    }
    out.push_back(*text);
  }
  if (ok && out.empty()) {
    n.error(fmt::format("expected at least one {}, or `all`", what));
    return std::nullopt;
  }
  return ok ? std::optional(out) : std::nullopt;
}

/// A year of the model's tables: within the horizon, on an output row.
std::optional<int> read_year(const node_ref& n, const compiled_model& m) {
  const auto y = n.to_integer(1800, 2300);
  if (!y) return std::nullopt;
  const int start = static_cast<int>(m.start_time()), end = static_cast<int>(m.end_time());
  const int step = m.output_interval_years();
  if (*y < start || *y > end || ((*y - start) % step != 0 && *y != end)) {
    n.error(fmt::format("{} is not a year of the model's tables", *y),
            {fmt::format("the tables have {} to {}{}", start, end,
                         step == 1 ? "" : fmt::format(", every {} years, and {}", step, end))});
    return std::nullopt;
  }
  return static_cast<int>(*y);
}

/// A number > 0 (a level or the size of a change may be negative only as a change).
std::optional<double> read_figure(const map_view& m, std::string_view key, bool positive) {
  const auto n = m.get(key);
  if (!n) return std::nullopt;
  const auto x = n->to_number();
  if (!x) return std::nullopt;
  if (!std::isfinite(*x) || (positive && !(*x > 0))) {
    n->error(fmt::format("expected a number{}, found {}", positive ? " > 0" : "", *x));
    return std::nullopt;
  }
  return x;
}

/// The `figures` mapping: levels or a change, a value or a range.
bool read_figures(const node_ref& n, published_projection& p) {
  map_view f(n, detail::strings(
                    {"from", "to", "to_low", "to_high", "change", "change_low", "change_high"}));
  if (!f.is_map()) return false;
  const auto from = read_figure(f, "from", true), to = read_figure(f, "to", true),
             to_low = read_figure(f, "to_low", true), to_high = read_figure(f, "to_high", true),
             change = read_figure(f, "change", false),
             change_low = read_figure(f, "change_low", false),
             change_high = read_figure(f, "change_high", false);
  const auto shape_error = [&] {
    n.error("expected the published figures as levels or as a change",
            {"levels: {from: 65.1e6, to: 84e6}, or a range {from: 154000, to_low: 260000, "
             "to_high: 360000}: compared as a relative change",
             "a change in persons: {change: 60000}, or {change_low: 50000, change_high: 70000}"});
    return false;
  };
  const bool levels = f.get("from") || f.get("to") || f.get("to_low") || f.get("to_high");
  const bool changes = f.get("change") || f.get("change_low") || f.get("change_high");
  if (levels == changes) return shape_error();
  if (levels) {
    if (!f.get("from") || (f.get("to") ? (f.get("to_low") || f.get("to_high"))
                                       : !(f.get("to_low") && f.get("to_high"))))
      return shape_error();
    if (!from || !(to || (to_low && to_high))) return false;  // reported
    p.relative = true;
    p.from = *from;
    p.low = (to ? *to : *to_low) / *from - 1;
    p.high = (to ? *to : *to_high) / *from - 1;
  } else {
    if (f.get("change") ? (f.get("change_low") || f.get("change_high"))
                        : !(f.get("change_low") && f.get("change_high")))
      return shape_error();
    if (!(change || (change_low && change_high))) return false;  // reported
    p.relative = false;
    p.low = change ? *change : *change_low;
    p.high = change ? *change : *change_high;
  }
  if (p.low > p.high) {
    n.error("the low end of the range is above the high end");
    return false;
  }
  return true;
}

std::optional<published_projection> read_projection(const node_ref& n, const compiled_model& m) {
  map_view pm(n, detail::strings({"name", "title", "source", "flag", "counts", "indicator",
                                  "countries", "cadres", "scenario", "years", "figures",
                                  "tolerance", "expect", "explanation"}));
  if (!pm.is_map()) return std::nullopt;
  published_projection p;
  p.where = n.where();
  p.path = n.path();
  bool ok = true;
  const auto text = [&](std::string_view key, std::string& out, bool required) {
    const auto x = required ? pm.require(key) : pm.get(key);
    if (!x) {
      ok = ok && !required;
      return;
    }
    const auto s = x->to_string();
    if (!s || s->empty()) {
      if (s) x->error("expected text, found an empty string");
      ok = false;
      return;
    }
    out = *s;
  };
  text("name", p.name, true);
  text("title", p.title, true);
  text("source", p.source, true);
  text("counts", p.counts, true);
  text("explanation", p.explanation, true);
  text("scenario", p.scenario, false);
  if (const auto f = read_choice(pm, "flag", {"verified", "derived", "estimate"}, true))
    p.flag = *f;
  else
    ok = false;
  if (const auto i = read_choice(pm, "indicator", summable_indicators(), true))
    p.indicator = *i;
  else
    ok = false;
  if (const auto e = read_choice(pm, "expect", {"agree", "below", "above"}, true))
    p.expect = *e == "below"   ? projection_verdict::below
               : *e == "above" ? projection_verdict::above
                               : projection_verdict::agree;
  else
    ok = false;
  if (const auto c = pm.get("countries")) {
    const auto names = read_names(*c, m.country_set().labels(), "country");
    if (names)
      p.countries = *names;
    else
      ok = false;
  }
  if (const auto c = pm.get("cadres")) {
    const auto names = read_names(*c, m.cadre_ids(), "cadre");
    if (names)
      p.cadres = *names;
    else
      ok = false;
  }
  if (const auto y = pm.require("years")) {
    const auto items = y->to_items();
    if (items && items->size() != 2) {
      y->error(fmt::format("expected two years, [from, to]; found {}", items->size()));
      ok = false;
    } else if (items) {
      const auto a = read_year((*items)[0], m), b = read_year((*items)[1], m);
      if (a && b && *a >= *b) {
        y->error(fmt::format("the first year ({}) must come before the second ({})", *a, *b));
        ok = false;
      } else if (a && b) {
        p.from_year = *a;
        p.to_year = *b;
      } else {
        ok = false;
      }
    } else {
      ok = false;
    }
  } else {
    ok = false;
  }
  if (const auto f = pm.require("figures"))
    ok = read_figures(*f, p) && ok;
  else
    ok = false;
  if (const auto t = pm.get("tolerance")) {
    const auto x = t->to_number();
    if (x && !(*x >= 0 && std::isfinite(*x)))
      t->error(fmt::format("expected a number >= 0, found {}", *x));
    if (x && *x >= 0 && std::isfinite(*x))
      p.tolerance = *x;
    else
      ok = false;
  } else {
    p.tolerance = p.relative ? 0.05 : 0.1 * std::max(std::abs(p.low), std::abs(p.high));
  }
  return ok ? std::optional(std::move(p)) : std::nullopt;
}

}  // namespace

published_data load_published(const std::filesystem::path& path, const compiled_model& m) {
  published_data out;
  const auto file = detail::read_data_file(path, out.file);
  engine::diagnostic_list diags;
  node_ref root(file.root, "", file, diags);
  if (!engine::check_format(root, "published projections")) diags.throw_if_any();
  map_view top(root, detail::strings({"format", "published", "description", "projections"}));
  if (!top.is_map()) diags.throw_if_any();
  if (auto n = top.require("published")) out.name = n->to_string().value_or("");
  if (auto n = top.get("description")) out.description = n->to_string().value_or("");
  if (const auto list = top.require("projections")) {
    if (const auto items = list->to_items()) {
      if (items->empty()) list->error("expected at least one projection");
      for (const auto& item : *items) {
        auto p = read_projection(item, m);
        if (!p) continue;
        const bool seen = std::any_of(out.projections.begin(), out.projections.end(),
                                      [&](const auto& q) { return q.name == p->name; });
        if (seen)
          item.error(fmt::format("a second projection named '{}'", p->name),
                     {"each projection's `name` is its own"});
        else
          out.projections.push_back(std::move(*p));
      }
    }
  }
  diags.throw_if_any();
  return out;
}

void check_published_scenarios(const published_data& published,
                               const std::vector<std::string>& names) {
  std::vector<engine::diagnostic> problems;
  for (const auto& p : published.projections)
    if (!p.scenario.empty() && std::find(names.begin(), names.end(), p.scenario) == names.end())
      problems.push_back({p.where,
                          p.path + ".scenario",
                          fmt::format("'{}' is not a compared scenario", p.scenario),
                          {"compared: " + engine::join_list(names)},
                          engine::closest_match(p.scenario, names).value_or("")});
  if (!problems.empty()) throw engine::input_error(std::move(problems));
}

std::vector<projection_comparison> compare_published(
    const published_data& published, const compiled_model& m,
    const std::vector<std::pair<std::string, const run_output*>>& runs) {
  std::vector<std::string> names;
  for (const auto& [name, run] : runs) names.push_back(name);
  check_published_scenarios(published, names);
  std::vector<projection_comparison> out;
  for (const auto& p : published.projections) {
    const std::string& wanted = p.scenario.empty() ? runs.front().first : p.scenario;
    const auto it = std::find(names.begin(), names.end(), wanted);
    const auto& run = *runs[static_cast<std::size_t>(it - names.begin())].second;
    const std::size_t indicator = indicator_position(country_indicators(), p.indicator);
    // The series summed: each chosen country's `all` row, or its rows of the chosen cadres.
    std::vector<std::size_t> series;
    for (std::size_t c = 0; c < m.countries().size(); ++c) {
      const auto& country = m.countries()[c];
      if (!p.countries.empty() &&
          std::find(p.countries.begin(), p.countries.end(), country.iso3) == p.countries.end())
        continue;
      if (p.cadres.empty()) {
        const std::size_t s = m.all_series(c, indicator);
        if (s != compiled_model::no_series) series.push_back(s);
        continue;
      }
      for (const std::size_t b : country.blocks) {
        const auto& cadre = m.cadre_ids()[m.blocks()[b].cadre];
        if (std::find(p.cadres.begin(), p.cadres.end(), cadre) == p.cadres.end()) continue;
        const std::size_t s = m.block_series(b, indicator);
        if (s != compiled_model::no_series) series.push_back(s);
      }
    }
    const auto& table = run.result.tables[0];
    const auto sum = [&](int year) {
      const auto& times = run.result.times;
      const auto t = std::find(times.begin(), times.end(), static_cast<double>(year));
      if (t == times.end()) throw engine::internal_error(fmt::format("no table row for {}", year));
      const auto row = table.row(static_cast<std::size_t>(t - times.begin()));
      double total = 0;
      for (const std::size_t s : series) total += row[s];
      return total;
    };
    projection_comparison r;
    r.projection = &p;
    r.series = series.size();
    r.model_from = sum(p.from_year);
    r.model_to = sum(p.to_year);
    if (series.empty() || (p.relative && !(r.model_from > 0)))
      throw engine::input_error(
          {{p.where,
            p.path,
            fmt::format("the model's {} is {} in {}: no change to compare", p.indicator,
                        series.empty() ? "not defined for these countries and cadres" : "0",
                        p.from_year),
            {"choose countries and cadres where the indicator has a value"},
            ""}});
    r.model_change = p.relative ? r.model_to / r.model_from - 1 : r.model_to - r.model_from;
    r.published_low = p.low;
    r.published_high = p.high;
    r.verdict = r.model_change < p.low - p.tolerance    ? projection_verdict::below
                : r.model_change > p.high + p.tolerance ? projection_verdict::above
                                                        : projection_verdict::agree;
    out.push_back(r);
  }
  return out;
}

}  // namespace hwf::model
