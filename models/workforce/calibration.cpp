#include "models/workforce/calibration.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <tuple>

#include <fmt/format.h>

#include "models/workforce/indicators.hpp"
#include "models/workforce/loader_detail.hpp"
#include "models/workforce/uncertainty.hpp"
#include "models/workforce/yaml_schema.hpp"

namespace hwf::model {

using engine::map_view;
using engine::node_ref;

namespace {

constexpr double not_a_number = std::numeric_limits<double>::quiet_NaN();

/// Reads `{from: year, to: year}` (inclusive), within the horizon; nullopt after reporting.
std::optional<std::pair<int, int>> read_years(const node_ref& n, const scenario_description& sd,
                                              std::string_view what) {
  map_view m(n, yaml_keys("years"));
  if (!m.is_map()) return std::nullopt;
  const auto from = m.require("from"), to = m.require("to");
  if (!from || !to) return std::nullopt;
  const auto a = from->to_integer(1800, 2300), b = to->to_integer(1800, 2300);
  if (!a || !b) return std::nullopt;
  if (*a > *b) {
    to->error(fmt::format("the {} years end ({}) before they start ({})", what, *b, *a));
    return std::nullopt;
  }
  if (*a < sd.start_year || *b > sd.end_year) {
    n.error(fmt::format("the {} years {}-{} are not all within the horizon {}-{}", what, *a, *b,
                        sd.start_year, sd.end_year),
            {"calibration compares the run's years with the observed ones: choose years of the "
             "horizon, or move the horizon"});
    return std::nullopt;
  }
  return std::pair<int, int>{static_cast<int>(*a), static_cast<int>(*b)};
}

/// Reads one `parameters` entry's bounds and prior; checks them against every matched
/// parameter's valid range and value in force (the fit's first start).
std::optional<calibration_parameter> read_entry(const node_ref& n, const std::string& pattern,
                                                const std::vector<std::vector<std::string>>& split,
                                                const std::vector<std::string>& all_paths,
                                                const parameter_table& params) {
  map_view m(n, yaml_keys("calibration_parameter"));
  if (!m.is_map()) return std::nullopt;
  calibration_parameter out;
  out.pattern = pattern;
  out.where = n.where();
  out.targets = matching_paths(pattern, split);
  if (out.targets.empty()) {
    n.error(fmt::format("'{}' matches no parameter of the model or its policies", pattern),
            {"'*' stands for one path segment; `hwfsim params <scenario>` lists every path"},
            engine::closest_match(pattern, all_paths).value_or(""));
    return std::nullopt;
  }
  const auto lo = m.require("min"), hi = m.require("max");
  if (!lo || !hi) return std::nullopt;
  const auto a = lo->to_number(), b = hi->to_number();
  if (!a || !b) return std::nullopt;
  if (!(*a < *b)) {
    hi->error(fmt::format("max ({}) must be above min ({})", *b, *a));
    return std::nullopt;
  }
  out.lower = *a;
  out.upper = *b;
  bool ok = true;
  for (std::size_t t : out.targets) {
    const auto& p = params[t];
    if (!p.range.contains(*a) || !p.range.contains(*b)) {
      n.error(fmt::format("the bounds [{}, {}] leave the valid range of {}, {}", *a, *b, p.path,
                          p.range.describe()),
              {fmt::format("unit: {}", p.unit)});
      ok = false;
    } else if (!(p.value >= *a && p.value <= *b)) {
      n.error(fmt::format("{} is {} in this scenario, outside the bounds [{}, {}]", p.path, p.value,
                          *a, *b),
              {"the value in force is the fit's first start: widen the bounds, or `set:` a "
               "value within them"});
      ok = false;
    }
  }
  if (const auto prior = m.get("prior")) {
    map_view pm(*prior, yaml_keys("prior"));
    if (!pm.is_map()) return std::nullopt;
    const auto dist = pm.require("dist");
    const auto sigma = pm.require("sigma");
    if (!dist || !sigma) return std::nullopt;
    const auto kind = dist->to_string();
    const auto& kinds = yaml_choices("prior", "dist");
    if (!kind) return std::nullopt;
    if (std::find(kinds.begin(), kinds.end(), *kind) == kinds.end()) {
      dist->error(fmt::format("expected one of: {}; found '{}'", engine::join_list(kinds),
                              engine::printable(*kind, 40)),
                  {}, engine::closest_match(*kind, kinds).value_or(""));
      return std::nullopt;
    }
    out.has_prior = true;
    out.lognormal_prior = *kind == "lognormal";
    const auto centre = pm.require(out.lognormal_prior ? "median" : "mean");
    const auto s = sigma->to_number();
    if (!centre || !s) return std::nullopt;
    const auto c = centre->to_number();
    if (!c) return std::nullopt;
    if (!(*s > 0)) {
      sigma->error(fmt::format("expected a number > 0, found {}", *s));
      return std::nullopt;
    }
    if (out.lognormal_prior && !(*c > 0 && out.lower > 0)) {
      prior->error("a lognormal prior needs a median > 0 and min > 0",
                   {"its penalty is (log value - log median) / sigma"});
      return std::nullopt;
    }
    out.prior_centre = *c;
    out.prior_sigma = *s;
  }
  if (!ok) return std::nullopt;
  return out;
}

}  // namespace

namespace {

void read_block(const node_ref& n, const std::filesystem::path& folder, scenario_description& sd,
                bool own_file);

/// `calibration: file.yaml`: the block in a file of its own (its paths relative to its folder).
void read_block_file(const node_ref& n, const std::filesystem::path& folder,
                     scenario_description& sd) {
  const auto text = n.to_string();
  if (!text) return;
  const auto path = (folder / *text).lexically_normal();
  std::optional<engine::yaml_file> file;
  try {
    file.emplace(engine::load_yaml_file(path, path.generic_string()));
  } catch (const engine::unreadable_file& e) {
    const auto& d = e.diagnostics().at(0);
    n.error(fmt::format("the calibration file '{}' cannot be read: {}", path.generic_string(),
                        d.message),
            {"the path is relative to the scenario's folder"});
    return;
  }
  const node_ref root(file->root, "", *file, n.diags());
  if (!engine::check_format(root, "calibration")) return;
  read_block(root, path.parent_path(), sd, true);
  sd.calibration.file = input_file{file->display_name, sha256_hex(file->content)};
}

void read_block(const node_ref& n, const std::filesystem::path& folder, scenario_description& sd,
                bool own_file) {
  auto keys = yaml_keys("calibration");
  if (own_file) keys.emplace_back("format");
  map_view m(n, keys);
  if (!m.is_map()) return;
  auto& c = sd.calibration;
  c = {};
  c.where = n.where();
  bool ok = true;
  if (const auto o = m.require("observed")) {
    if (const auto text = o->to_string()) {
      c.observed = (folder / *text).lexically_normal();
      c.observed_at = o->where();
    } else {
      ok = false;
    }
  } else {
    ok = false;
  }
  std::optional<std::pair<int, int>> fit;
  if (const auto f = m.require("fit")) fit = read_years(*f, sd, "fit");
  if (!fit) ok = false;
  if (const auto h = m.get("holdout")) {
    c.holdout = read_years(*h, sd, "hold-out");
    if (!c.holdout) {
      ok = false;
    } else if (fit && c.holdout->first <= fit->second && fit->first <= c.holdout->second) {
      h->error(fmt::format("the hold-out years {}-{} overlap the fit years {}-{}", c.holdout->first,
                           c.holdout->second, fit->first, fit->second),
               {"a hold-out year judges the fit on data it did not see: keep the two apart"});
      ok = false;
    }
  }
  if (const auto s = m.get("starts")) {
    if (const auto v = s->to_integer(1, 64))
      c.starts = static_cast<std::size_t>(*v);
    else
      ok = false;
  }
  if (const auto s = m.require("seed")) {
    if (const auto v = s->to_integer(0, std::numeric_limits<long long>::max()))
      c.seed = static_cast<std::uint64_t>(*v);
    else
      ok = false;
  } else {
    ok = false;
  }
  if (const auto s = m.get("max_iterations")) {
    if (const auto v = s->to_integer(1, 10000))
      c.max_iterations = static_cast<int>(*v);
    else
      ok = false;
  }
  const auto all_paths = sd.model.params.paths();
  const auto split = split_paths(sd.model.params);
  std::vector<std::size_t> taken;  // a parameter fitted by two entries is an error
  if (const auto p = m.require("parameters")) {
    if (const auto entries = p->to_entries()) {
      if (entries->empty()) p->error("expected at least one parameter to fit");
      for (const auto& [pattern, node] : *entries) {
        auto entry = read_entry(node, pattern, split, all_paths, sd.model.params);
        if (!entry) {
          ok = false;
          continue;
        }
        for (std::size_t t : entry->targets)
          if (std::find(taken.begin(), taken.end(), t) != taken.end()) {
            node.error(fmt::format("{} is fitted by an earlier entry too", sd.model.params[t].path),
                       {"each parameter is fitted once: narrow one of the patterns"});
            ok = false;
          } else {
            taken.push_back(t);
          }
        c.parameters.push_back(std::move(*entry));
      }
    }
  } else {
    ok = false;
  }
  if (fit) {
    c.fit_from = fit->first;
    c.fit_to = fit->second;
  }
  c.present = ok;
}

}  // namespace

void read_calibration(const node_ref& n, const std::filesystem::path& folder,
                      scenario_description& sd) {
  if (n.node().IsScalar())
    read_block_file(n, folder, sd);
  else
    read_block(n, folder, sd, false);
}

calibration_problem make_problem(const scenario_description& sd, const compiled_model& m) {
  const auto& c = sd.calibration;
  if (!c.present) throw engine::internal_error("make_problem without a calibration block");
  calibration_problem out;
  for (const auto& entry : c.parameters)
    for (std::size_t t : entry.targets) {
      engine::fit_parameter p;
      const auto& par = sd.model.params[t];
      p.label = par.path;
      p.start = par.value;
      p.lower = entry.lower;
      p.upper = entry.upper;
      if (entry.has_prior)
        p.prior = engine::fit_prior{entry.lognormal_prior, entry.prior_centre, entry.prior_sigma};
      out.parameters.push_back(std::move(p));
      out.targets.push_back(t);
    }
  out.observed = load_observed(c.observed, m);
  constexpr std::size_t supply = indicator_position(country_indicator_table, "supply");
  constexpr std::size_t registered = indicator_position(country_indicator_table, "registered");
  std::vector<calibration_point> fitted, held;
  std::map<std::tuple<std::string, std::string, std::string, std::string>, std::size_t> groups;
  const auto& corridor_labels = m.corridor_set().labels();
  for (const auto& s : out.observed.series) {
    // Where the model keeps its values: a block of the indicators table, or a corridor.
    std::optional<std::size_t> block, corridor;
    if (s.corridor()) {
      const auto label = s.country + "-" + s.destination + "," + s.cadre;
      const auto it = std::find(corridor_labels.begin(), corridor_labels.end(), label);
      if (it != corridor_labels.end())
        corridor = static_cast<std::size_t>(it - corridor_labels.begin());
    } else {
      for (std::size_t bi = 0; bi < m.blocks().size(); ++bi) {
        const auto& b = m.blocks()[bi];
        if (m.countries()[b.country].iso3 == s.country && m.cadre_ids()[b.cadre] == s.cadre)
          block = bi;
      }
    }
    for (const auto& p : s.points) {
      const bool in_fit = p.year >= c.fit_from && p.year <= c.fit_to;
      const bool in_holdout =
          c.holdout && p.year >= c.holdout->first && p.year <= c.holdout->second;
      if (!in_fit && !in_holdout) continue;
      if (!block && !corridor)
        throw engine::input_error({{p.where,
                                    "",
                                    fmt::format("{} has no {} in the model, so nothing to compare "
                                                "this {} value with",
                                                s.country, s.cadre, p.year),
                                    {"remove the series from the observed file, or give the "
                                     "country that cadre in the model"},
                                    ""}});
      if (!(p.value > 0))
        throw engine::input_error(
            {{p.where,
              "",
              fmt::format("an observed value of {} cannot be fitted", p.value),
              {"the fit compares log(model / observed): observed values must be above 0"},
              ""}});
      calibration_point point;
      point.country = s.country;
      point.destination = s.destination;
      point.cadre = s.cadre;
      point.measure = s.corridor() ? s.measure : p.registered ? "registered" : "practising";
      point.year = p.year;
      point.observed = p.value;
      point.weight = s.weight;
      point.has_se = s.has_se;
      point.fitted = in_fit && p.fit;
      point.note = p.note;
      if (corridor) {
        point.table = 1;
        point.series = m.corridors()[*corridor].series +
                       engine::position_of(corridor_indicator_table, point.measure);
      } else {
        point.series = m.block_series(*block, p.registered ? registered : supply);
      }
      point.group =
          groups
              .emplace(std::tuple{s.country, s.destination, s.cadre, point.measure}, groups.size())
              .first->second;
      auto& into = !in_fit ? held : p.fit ? fitted : out.left_out;  // left out: `fit: false`
      into.push_back(std::move(point));
    }
  }
  if (fitted.empty())
    throw engine::input_error({{c.where,
                                "calibration.fit",
                                fmt::format("no observed value of {} falls in the fit years "
                                            "{}-{}",
                                            c.observed.generic_string(), c.fit_from, c.fit_to),
                                {"choose fit years that the observed series cover"},
                                ""}});
  out.fit_points = fitted.size();
  out.scaled = std::all_of(fitted.begin(), fitted.end(),
                           [](const calibration_point& p) { return p.has_se; });
  out.points = std::move(fitted);
  out.points.insert(out.points.end(), held.begin(), held.end());
  return out;
}

std::vector<double> with_estimates(const compiled_model& m, const calibration_problem& problem,
                                   std::span<const double> theta) {
  auto params = m.default_parameters();
  for (std::size_t i = 0; i < problem.targets.size(); ++i) params[problem.targets[i]] = theta[i];
  return params;
}

double residual(const calibration_point& p, double model_value) {
  return p.weight * std::log(model_value / p.observed);
}

bool model_values(const compiled_model& m, const calibration_problem& problem,
                  std::span<const double> params, std::vector<double>& values) {
  run_output run;
  try {
    run = simulate(m, params);
  } catch (const engine::numerical_error&) {
    return false;
  }
  values.resize(problem.points.size());
  for (std::size_t i = 0; i < problem.points.size(); ++i) {
    const auto& p = problem.points[i];
    const auto& table = run.result.tables[p.table];
    values[i] = table.row(static_cast<std::size_t>(p.year - m.start_time()))[p.series];
  }
  return true;
}

std::vector<holdout_row> holdout_rows(const calibration_problem& problem,
                                      std::span<const double> fitted_values) {
  std::vector<holdout_row> out;
  for (std::size_t i = problem.fit_points; i < problem.points.size(); ++i) {
    const auto& p = problem.points[i];
    // The fit years' observations of the same series, in year order.
    std::vector<std::pair<double, double>> seen;
    for (std::size_t j = 0; j < problem.fit_points; ++j)
      if (problem.points[j].group == p.group)
        seen.emplace_back(problem.points[j].year, problem.points[j].observed);
    std::sort(seen.begin(), seen.end());
    holdout_row r{i, 0, fitted_values[i], not_a_number, not_a_number};
    if (!seen.empty()) {
      r.horizon = p.year - static_cast<int>(seen.back().first);
      r.persistence = seen.back().second;
    }
    if (seen.size() >= 2) {  // least squares: value = a + b (year - mean year)
      double my = 0, mv = 0;
      for (const auto& [y, v] : seen) {
        my += y;
        mv += v;
      }
      my /= static_cast<double>(seen.size());
      mv /= static_cast<double>(seen.size());
      double sxy = 0, sxx = 0;
      for (const auto& [y, v] : seen) {
        sxy += (y - my) * (v - mv);
        sxx += (y - my) * (y - my);
      }
      r.trend = mv + sxy / sxx * (p.year - my);
    }
    out.push_back(r);
  }
  return out;
}

}  // namespace hwf::model
