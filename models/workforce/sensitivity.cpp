#include "models/workforce/sensitivity.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <set>

#include <fmt/format.h>

#include "engine/diagnostics.hpp"
#include "models/workforce/uncertainty.hpp"

namespace hwf::model {

namespace {

/// "pert, 90% within [0.024, 0.043], set": the kind and a range any distribution has.
std::string describe(const uncertain_parameter& p) {
  return fmt::format("{}, 90% within [{:.4g}, {:.4g}], {}", engine::to_string(p.dist.kind()),
                     p.dist.quantile(0.05), p.dist.quantile(0.95), apply_name(p.apply));
}

[[noreturn]] void refuse_outputs(std::string message, std::vector<std::string> notes,
                                 std::string suggestion = {}) {
  engine::diagnostic d;
  d.where.file = engine::setting_label(engine::setting::sensitivity_outputs);
  d.message = std::move(message);
  d.notes = std::move(notes);
  d.suggestion = std::move(suggestion);
  throw engine::setting_error({std::move(d)}, engine::setting::sensitivity_outputs);
}

/// The series of the study's indicator and corridor tables as outputs of every year.
struct output_space {
  struct series {
    std::size_t table, index;
    std::string place, cadre, indicator;
  };
  std::vector<series> all;
  std::vector<std::string> places, cadres, indicators, years;  ///< each name once, in order
};

void add_once(std::vector<std::string>& names, const std::string& name) {
  if (std::find(names.begin(), names.end(), name) == names.end()) names.push_back(name);
}

output_space space_of(const mc_study& study) {
  output_space s;
  const auto& schemas = study.models[0]->schemas();
  for (std::size_t t = 0; t < 2; ++t)
    for (std::size_t i = 0; i < schemas[t]->size(); ++i) {
      const auto& l = schemas[t]->series[i];
      // indicators: country, cadre, indicator; corridors: origin, destination, cadre, indicator.
      output_space::series e{t, i, t == 0 ? l[0] : l[0] + "-" + l[1], l[l.size() - 2], l.back()};
      add_once(s.places, e.place);
      add_once(s.cadres, e.cadre);
      add_once(s.indicators, e.indicator);
      s.all.push_back(std::move(e));
    }
  for (double y : study.times) s.years.push_back(fmt::format("{}", static_cast<int>(y)));
  return s;
}

std::vector<std::string> split_segments(const std::string& pattern) {
  std::vector<std::string> out(1);
  for (const char c : pattern) {
    if (c == '.')
      out.emplace_back();
    else
      out.back() += c;
  }
  return out;
}

bool matches(const std::string& segment, const std::string& name) {
  return segment == "*" || segment == name;
}

/// Refuses a pattern that matches nothing: the first segment naming nothing, or else the
/// combination.
[[noreturn]] void refuse_unmatched(const std::string& pattern,
                                   const std::vector<std::string>& segments,
                                   const output_space& s) {
  const std::array<const std::vector<std::string>*, 4> names{&s.places, &s.cadres, &s.indicators,
                                                             &s.years};
  const std::array<const char*, 4> what{"place (a country or ORIGIN-DESTINATION corridor)", "cadre",
                                        "indicator", "year"};
  for (std::size_t i = 0; i < 4; ++i) {
    const auto& n = *names[i];
    if (segments[i] == "*" || std::find(n.begin(), n.end(), segments[i]) != n.end()) continue;
    const auto suggestion = engine::closest_match(segments[i], n);
    std::string suggested;
    if (suggestion) {
      auto fixed = segments;
      fixed[i] = *suggestion;
      suggested = fmt::format("{}.{}.{}.{}", fixed[0], fixed[1], fixed[2], fixed[3]);
    }
    refuse_outputs(
        fmt::format("'{}' matches no output: no {} is called '{}'", pattern, what[i], segments[i]),
        {fmt::format("the {}s: {}", i == 0 ? "place" : what[i], engine::join_list(n))}, suggested);
  }
  // Every segment names something: the place has no such cadre or indicator.
  std::vector<std::string> here;
  for (const auto& e : s.all)
    if (matches(segments[0], e.place) && matches(segments[1], e.cadre)) add_once(here, e.indicator);
  refuse_outputs(
      fmt::format("'{}' matches no output: no {} has the indicator '{}' for cadre '{}'", pattern,
                  segments[0] == "*" ? "place" : "'" + segments[0] + "'", segments[2], segments[1]),
      {here.empty() ? fmt::format("'{}' has no cadre '{}'", segments[0], segments[1])
                    : "its indicators there: " + engine::join_list(here),
       "country indicators belong to a country (GHA), corridor indicators to a corridor "
       "(GHA-GBR); docs/indicators.md lists both"});
}

}  // namespace

std::vector<sensitivity_input> sensitivity_inputs(const mc_study& study) {
  const auto& sc = study.scenarios[0];
  const auto& u = sc.uncertainty;
  const auto& params = sc.model.params;
  std::vector<sensitivity_input> out;
  std::size_t d = 0;
  for (const auto& p : u.parameters) {
    if (p.dist.variance() == 0) {
      engine::diagnostic diag;
      diag.where = p.where;
      diag.key_path = "uncertainty.parameters." + p.pattern;
      diag.message =
          "this input has zero width: every draw is the same value, so it cannot "
          "move any output";
      diag.notes.push_back(
          "a sensitivity study varies each input over its distribution; give it a spread, or "
          "leave it out of `uncertainty` (set the value in the dataset or a policy instead)");
      throw engine::input_error({std::move(diag)});
    }
    if (p.shared) {
      sensitivity_input in{p.pattern, "shared", {}, describe(p), {d++}};
      for (std::size_t t : p.targets) in.parameters.push_back(params[t].path);
      out.push_back(std::move(in));
    } else {
      for (std::size_t t : p.targets)
        out.push_back({params[t].path, "parameter", {params[t].path}, describe(p), {d++}});
    }
  }
  for (std::size_t g = 0; g < u.groups.size(); ++g) {
    const auto& group = u.groups[g];
    sensitivity_input in;
    in.label = group.source.empty() ? fmt::format("multivariate_normal[{}]", g + 1) : group.source;
    const bool taken = std::any_of(out.begin(), out.end(),
                                   [&](const sensitivity_input& i) { return i.label == in.label; });
    if (taken) in.label += fmt::format(" [{}]", g + 1);
    in.kind = "group";
    in.distribution = fmt::format("multivariate normal of {} parameters", group.targets.size());
    for (std::size_t t : group.targets) {
      in.parameters.push_back(params[t].path);
      in.dimensions.push_back(d++);
    }
    out.push_back(std::move(in));
  }
  if (d != study.dimensions.size())
    throw engine::internal_error(
        fmt::format("{} inputs' dimensions for {} sampled dimensions", d, study.dimensions.size()));
  return out;
}

std::vector<engine::sensitivity_factor> factors_of(const std::vector<sensitivity_input>& inputs) {
  std::vector<engine::sensitivity_factor> out;
  for (const auto& i : inputs) out.push_back({i.label, i.dimensions});
  return out;
}

std::vector<sensitivity_output> select_outputs(const mc_study& study,
                                               const std::vector<std::string>& patterns) {
  const auto space = space_of(study);
  const auto& m = *study.models[0];
  const auto& schemas = m.schemas();
  const auto own = simulate(m, m.default_parameters()).result;
  // Chosen (series, year) pairs, kept in table, series and year order whatever the patterns'.
  std::set<std::pair<std::size_t, std::size_t>> chosen;
  for (const auto& pattern : patterns) {
    const auto segments = split_segments(pattern);
    if (segments.size() != 4 ||
        std::any_of(segments.begin(), segments.end(), [](const auto& s) { return s.empty(); }))
      refuse_outputs(fmt::format("'{}' is not an output pattern", pattern),
                     {"an output is PLACE.CADRE.INDICATOR.YEAR, each part a name or * (any), "
                      "e.g. NGA.nurses.density_per_10k.2035 or GHA-GBR.*.emigration.2030"});
    bool any = false;
    std::string undefined;  // the first match not defined in the scenario's own run
    for (std::size_t e = 0; e < space.all.size(); ++e) {
      const auto& s = space.all[e];
      if (!matches(segments[0], s.place) || !matches(segments[1], s.cadre) ||
          !matches(segments[2], s.indicator))
        continue;
      for (std::size_t y = 0; y < space.years.size(); ++y) {
        if (!matches(segments[3], space.years[y])) continue;
        // A flow has no value in the first year: a wildcard passes it by.
        if (std::isnan(own.tables[s.table].values[y * schemas[s.table]->size() + s.index])) {
          if (undefined.empty())
            undefined = fmt::format("{}.{}.{}.{}", s.place, s.cadre, s.indicator, space.years[y]);
          continue;
        }
        chosen.emplace(e, y);
        any = true;
      }
    }
    if (!any && !undefined.empty())
      refuse_outputs(fmt::format("'{}' matches only values the model does not define, such as {}",
                                 pattern, undefined),
                     {"a yearly flow has no value in the first year (it is the flow over the "
                      "year ending there); choose a later year"});
    if (!any) refuse_unmatched(pattern, segments, space);
  }
  std::vector<sensitivity_output> out;
  for (const auto& [e, y] : chosen) {
    const auto& s = space.all[e];
    const std::size_t cell = study.table_cell(0, s.table) + y * schemas[s.table]->size() + s.index;
    out.push_back({fmt::format("{}.{}.{}.{}", s.place, s.cadre, s.indicator, space.years[y]),
                   schemas[s.table]->name, s.place, s.cadre, s.indicator,
                   static_cast<int>(study.times[y]), cell});
  }
  return out;
}

std::vector<std::string> default_output_patterns(const mc_study& study) {
  const int last = static_cast<int>(study.times.back());
  return {fmt::format("*.all.density_per_10k.{}", last), fmt::format("*.all.shortage.{}", last)};
}

std::vector<std::pair<double, double>> morris_ranges(const mc_study& study) {
  const auto& u = study.scenarios[0].uncertainty;
  std::vector<std::pair<double, double>> out;
  const auto range = [](bool below, bool above) {
    return std::pair{below ? 0.0 : morris_tail, above ? 1.0 : 1 - morris_tail};
  };
  for (const auto& p : u.parameters) {
    const auto r = range(p.dist.bounded_below(), p.dist.bounded_above());
    out.insert(out.end(), p.shared ? 1 : p.targets.size(), r);
  }
  for (const auto& g : u.groups) out.insert(out.end(), g.targets.size(), range(false, false));
  return out;
}

}  // namespace hwf::model
