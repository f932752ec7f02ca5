#include "models/workforce/workshop.hpp"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "models/workforce/yaml_schema.hpp"

namespace hwf::model {

namespace {

using engine::map_view;
using engine::node_ref;

/// The policy whose term `path` is (policies.<name>.<key>), or empty.
std::string policy_of(const std::string& path) {
  constexpr std::string_view prefix = "policies.";
  if (!path.starts_with(prefix)) return {};
  const auto dot = path.find('.', prefix.size());
  return dot == std::string::npos ? std::string() : path.substr(prefix.size(), dot - prefix.size());
}

bool is_year(const parameter& p) {
  return p.unit == "year";
}

/// The default range of a control on `p`: the horizon for a year; else from the lower bound to
/// twice the value (at least one unit above the lower bound), within the valid range. An open
/// lower bound is kept out by a hundredth of the range.
std::pair<double, double> default_range(const parameter& p, const scenario_description& sd) {
  if (is_year(p))
    return {std::min<double>(sd.start_year, p.value), std::max<double>(sd.end_year, p.value)};
  double lo = std::isfinite(p.range.min) ? p.range.min : std::min(0.0, 2 * p.value);
  double hi = std::max(2 * p.value, lo + 1);
  if (std::isfinite(p.range.max)) hi = std::min(hi, p.range.max);
  if (p.range.min_open) lo += (hi - lo) / 100;
  return {std::min(lo, p.value), std::max(hi, p.value)};
}

workshop_control make_control(const scenario_description& sd, std::size_t index,
                              const std::string& label, double min, double max,
                              std::optional<double> step) {
  const auto& p = sd.model.params[index];
  workshop_control c;
  c.path = p.path;
  c.policy = policy_of(p.path);
  // A lever term shows under its policy: its key says enough (policies.<name>.<key>).
  c.label = !label.empty() ? label
            : c.policy.empty()
                ? p.path
                : p.path.substr(std::string_view("policies.").size() + c.policy.size() + 1);
  c.unit = p.unit;
  c.value = p.value;
  c.min = min;
  c.max = max;
  c.integer = p.range.integer || is_year(p);
  // By default a round step near a hundredth of the range (0.01, 100, 0.0005...).
  c.step =
      step.value_or(c.integer ? 1.0 : std::pow(10.0, std::floor(std::log10((max - min) / 100))));
  c.source = p.source;
  return c;
}

std::optional<double> read_number(const std::optional<node_ref>& n) {
  return n ? n->to_number() : std::nullopt;
}

void read_control(const node_ref& n, const std::string& path, scenario_description& sd,
                  const std::vector<std::string>& all_paths) {
  map_view m(n, yaml_keys("workshop_control"));
  const auto& params = sd.model.params;
  const auto index = params.find(path);
  if (!index) {
    auto notes = engine::character_notes(path, "path");
    notes.push_back("`hwfsim params <scenario>` lists every parameter path");
    n.error(fmt::format("'{}' is not a parameter of model {} or of this scenario's policies",
                        engine::printable(path, 80), sd.model.name),
            std::move(notes), engine::closest_match(path, all_paths).value_or(""));
    return;
  }
  if (!m.is_map()) return;
  const auto& p = params[*index];
  workshop_entry e;
  e.parameter = *index;
  e.where = n.where();
  if (const auto l = m.get("label")) e.label = l->to_string().value_or("");
  const auto [lo, hi] = default_range(p, sd);
  const auto min_node = m.get("min"), max_node = m.get("max"), step_node = m.get("step");
  const auto min = min_node ? read_number(min_node) : std::optional<double>(lo);
  const auto max = max_node ? read_number(max_node) : std::optional<double>(hi);
  if (!min || !max) return;
  e.min = *min;
  e.max = *max;
  const auto& at = max_node ? *max_node : min_node ? *min_node : n;
  if (!(e.min < e.max)) {
    at.error(fmt::format("the range [{}, {}] of {} is empty", e.min, e.max, p.path),
             {"min must be below max"});
    return;
  }
  if (!p.range.contains(e.min) || !p.range.contains(e.max)) {
    at.error(fmt::format("the range [{}, {}] goes outside the values {} can take ({})", e.min,
                         e.max, p.path, p.range.describe()),
             {"narrow min and max to the parameter's valid range"});
    return;
  }
  if (p.value < e.min || p.value > e.max) {
    at.error(fmt::format("the range [{}, {}] does not hold the value in force of {}, {}", e.min,
                         e.max, p.path, p.value),
             {"the slider marks the scenario's value: widen the range to include it"});
    return;
  }
  if (step_node) {
    const auto step = step_node->to_number();
    if (!step) return;
    if (!(*step > 0) || *step > e.max - e.min) {
      step_node->error(
          fmt::format("a step of {} does not fit the range [{}, {}]", *step, e.min, e.max),
          {"expected a step above 0 and at most max - min"});
      return;
    }
    if ((p.range.integer || is_year(p)) && *step != std::floor(*step)) {
      step_node->error(
          fmt::format("{} takes whole numbers, so its step must be a whole number", p.path));
      return;
    }
    e.step = *step;
  }
  sd.workshop.controls.push_back(std::move(e));
}

}  // namespace

void read_workshop(const node_ref& n, scenario_description& sd,
                   const std::vector<std::string>& removed) {
  map_view m(n, yaml_keys("workshop"));
  if (!m.is_map()) return;
  auto& w = sd.workshop;
  w = {};
  w.present = true;
  w.where = n.where();
  if (const auto t = m.get("title")) w.title = t->to_string().value_or("");
  if (const auto c = m.get("countries")) {
    if (const auto items = c->to_items(); items && (items->empty() || items->size() > 2)) {
      c->error(fmt::format("expected one or two countries, got {}", items->size()),
               {"the page shows two countries side by side: the two ends of a corridor"});
    } else if (items) {
      std::vector<std::string> codes;
      for (const auto& c2 : sd.model.countries)
        if (!c2.rest_of_world) codes.push_back(c2.iso3);
      for (const auto& item : *items) {
        const auto code = item.to_string();
        if (!code) continue;
        if (std::find(codes.begin(), codes.end(), *code) == codes.end()) {
          item.error(fmt::format("'{}' is not a country of model {}", engine::printable(*code, 40),
                                 sd.model.name),
                     {"expected one of: " + fmt::format("{}", fmt::join(codes, ", "))},
                     engine::closest_match(*code, codes).value_or(""));
          continue;
        }
        w.countries.push_back(*code);
      }
    }
  }
  if (const auto c = m.require("controls")) {
    if (const auto entries = c->to_entries()) {
      if (entries->empty()) c->error("expected at least one control (a parameter path)");
      const auto all_paths = sd.model.params.paths();
      for (const auto& [path, node] : *entries)
        if (!sd.model.params.find(path) &&
            std::find(removed.begin(), removed.end(), policy_of(path)) != removed.end())
          continue;  // a term of a policy taken out: the control goes with it
        else
          read_control(node, path, sd, all_paths);
    }
  }
}

std::vector<workshop_control> workshop_controls(const scenario_description& sd) {
  std::vector<workshop_control> out;
  const auto& params = sd.model.params;
  if (sd.workshop.present) {
    for (const auto& e : sd.workshop.controls)
      out.push_back(make_control(sd, e.parameter, e.label, e.min, e.max, e.step));
    return out;
  }
  for (std::size_t i = 0; i < params.size(); ++i) {
    if (policy_of(params[i].path).empty()) continue;
    const auto [lo, hi] = default_range(params[i], sd);
    out.push_back(make_control(sd, i, "", lo, hi, std::nullopt));
  }
  return out;
}

}  // namespace hwf::model
