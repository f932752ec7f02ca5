#include "models/workforce/resolved_yaml.hpp"

#include <algorithm>
#include <cmath>
#include <span>

#include <fmt/format.h>

#include "engine/diagnostics.hpp"
#include "engine/yaml_input.hpp"
#include "models/workforce/levers/lever.hpp"
#include "models/workforce/schema.hpp"
#include "models/workforce/uncertainty.hpp"
#include "models/workforce/workshop.hpp"

namespace hwf::model {

namespace {

std::string where(const engine::source_location& l) {
  return l.line > 0 ? fmt::format("{}:{}", l.file, l.line) : l.file;
}

/// Quotes a scalar when plain YAML would misread it, or when it holds characters that must not
/// reach a terminal raw (controls, invisible characters): those are written as the YAML escapes
/// \xHH and \uXXXX, which read back as the same text.
std::string scalar(const std::string& s) {
  if (s.empty() || s.find_first_of(":#{}[],&*!|>'\"%@`\n") != std::string::npos ||
      s.front() == ' ' || s.back() == ' ' || s == "true" || s == "false" || s == "null" ||
      engine::printable(s) != s) {
    std::string q;
    for (char c : s) {
      if (c == '"' || c == '\\') q += '\\';
      if (c == '\n') {
        q += "\\n";
        continue;
      }
      q += c;
    }
    return fmt::format("\"{}\"", engine::printable(q));
  }
  return s;
}

class printer {
 public:
  void line(int indent, const std::string& text, const std::string& origin) {
    std::string l(static_cast<std::size_t>(indent), ' ');
    l += text;
    if (!origin.empty()) {
      if (l.size() < 44) l.resize(44, ' ');
      l += "  # " + origin;
    }
    out_ += l + "\n";
  }
  std::string str() const { return out_; }

 private:
  std::string out_;
};

/// The `calibration` block (`hwfsim calibrate`), as the loader resolved it: the observed file's
/// path as `calibrate` opens it, every setting, and each parameter pattern with its bounds and
/// prior. A block read from a file of its own is written in place.
void print_calibration(printer& p, const calibration_desc& c) {
  if (!c.present) return;
  p.line(
      0, "calibration:",
      c.file ? fmt::format("{} (from {})", where(c.where), c.file->display_name) : where(c.where));
  p.line(2, "observed: " + scalar(c.observed.generic_string()), where(c.observed_at));
  p.line(2, fmt::format("fit: {{from: {}, to: {}}}", c.fit_from, c.fit_to), "");
  if (c.holdout)
    p.line(2, fmt::format("holdout: {{from: {}, to: {}}}", c.holdout->first, c.holdout->second),
           "");
  p.line(2, fmt::format("seed: {}", c.seed), "");
  p.line(2, fmt::format("starts: {}", c.starts), "");
  p.line(2, fmt::format("max_iterations: {}", c.max_iterations), "");
  p.line(2, "parameters:", "");
  for (const auto& q : c.parameters) {
    std::string prior;
    if (q.has_prior)
      prior = q.lognormal_prior ? fmt::format(", prior: {{dist: lognormal, median: {}, sigma: {}}}",
                                              q.prior_centre, q.prior_sigma)
                                : fmt::format(", prior: {{dist: normal, mean: {}, sigma: {}}}",
                                              q.prior_centre, q.prior_sigma);
    p.line(4, fmt::format("{}: {{min: {}, max: {}{}}}", scalar(q.pattern), q.lower, q.upper, prior),
           where(q.where));
  }
}

/// The `workshop` block (`hwfsim workshop`), where the scenario has one: its title, countries and
/// every control with its label (where given) and its range and step as the page uses them (the
/// defaults resolved).
void print_workshop(printer& p, const scenario_description& s) {
  const auto& w = s.workshop;
  if (!w.present) return;
  p.line(0, "workshop:", where(w.where));
  if (!w.title.empty()) p.line(2, "title: " + scalar(w.title), "");
  if (!w.countries.empty())
    p.line(2, fmt::format("countries: [{}]", fmt::join(w.countries, ", ")), "");
  p.line(2, "controls:", "");
  const auto controls = workshop_controls(s);
  for (std::size_t i = 0; i < w.controls.size(); ++i) {
    const auto& e = w.controls[i];
    const auto& c = controls[i];
    const std::string label = e.label.empty() ? "" : "label: " + scalar(e.label) + ", ";
    p.line(4,
           fmt::format("{}: {{{}min: {}, max: {}, step: {}}}", scalar(c.path), label, c.min, c.max,
                       c.step),
           where(e.where));
  }
}

/// A distribution as an `uncertainty` entry writes it: `dist:` and its numbers, by the keys
/// the loader reads (distribution_keys), each number as the shortest text that reads back the
/// same double.
std::string distribution_yaml(const engine::distribution& d) {
  std::vector<std::string> parts{fmt::format("dist: {}", engine::to_string(d.kind()))};
  if (d.kind() == engine::distribution_kind::discrete) {
    parts.push_back(fmt::format("values: [{}]", fmt::join(d.values(), ", ")));
    parts.push_back(fmt::format("weights: [{}]", fmt::join(d.weights(), ", ")));
  } else {
    const auto& keys = distribution_keys(d.kind());
    std::size_t i = 0;
    for (const auto* names : {&keys.required, &keys.optional})
      for (const auto& key : *names) parts.push_back(fmt::format("{}: {}", key, d.numbers()[i++]));
  }
  return fmt::format("{}", fmt::join(parts, ", "));
}

/// The `uncertainty` block (`hwfsim mc`, `hwfsim sensitivity`), as the chain resolved it: each
/// parameter entry (with the pattern it was written with) and each correlated group.
void print_uncertainty(printer& p, const uncertainty_desc& u, const parameter_table& params) {
  if (!u.present) return;
  p.line(0, "uncertainty:", where(u.where));
  if (u.samples > 0) p.line(2, fmt::format("samples: {}", u.samples), "");
  p.line(2, fmt::format("sampling: {}", engine::to_string(u.sampling)), "");
  p.line(2, fmt::format("seed: {}", u.seed), "");
  if (!u.parameters.empty()) p.line(2, "parameters:", "");
  for (const auto& e : u.parameters) {
    std::string extra;
    if (e.apply != apply_mode::set) extra += fmt::format(", apply: {}", apply_name(e.apply));
    if (e.shared) extra += ", shared: true";
    p.line(4, fmt::format("{}: {{{}{}}}", scalar(e.pattern), distribution_yaml(e.dist), extra),
           where(e.where));
  }
  if (!u.groups.empty()) p.line(2, "multivariate_normal:", "");
  for (const auto& g : u.groups) {
    const auto& d = g.dist;
    p.line(4, g.source.empty() ? "- parameters:" : "- source: " + scalar(g.source), where(g.where));
    if (!g.source.empty()) p.line(6, "parameters:", "");
    for (std::size_t i = 0; i < g.targets.size(); ++i)
      p.line(8,
             fmt::format("{}: {{mean: {}, sd: {}, min: {}, max: {}}}", params[g.targets[i]].path,
                         d.mean()[i], d.sd()[i], d.lower()[i], d.upper()[i]),
             "");
    p.line(6, "correlation:", "");
    const std::size_t n = g.targets.size();
    for (std::size_t r = 0; r < n; ++r)
      p.line(8,
             fmt::format("- [{}]", fmt::join(std::span(d.correlation()).subspan(r * n, n), ", ")),
             "");
  }
}

}  // namespace

std::string resolved_yaml(const scenario_description& s) {
  const auto origin = [&](const std::string& key) -> std::string {
    for (const auto& [k, l] : s.provenance)
      if (k == key) return where(l);
    return "default";
  };
  printer p;
  p.line(0, "# The resolved scenario: what `hwfsim run` runs. Comments name each value's origin.",
         "");
  if (!s.parents.empty()) {
    std::string chain = s.file.display_name;
    for (const auto& f : s.parents) chain += " -> " + f.display_name;
    p.line(0, "# extends: " + chain, "");
  }
  p.line(0, fmt::format("format: {}", engine::current_format), "");
  p.line(0, "scenario: " + scalar(s.name), origin("scenario"));
  if (!s.description.empty())
    p.line(0, "description: " + scalar(s.description), origin("description"));
  p.line(0, "model: " + scalar(s.model.file.display_name), origin("model"));
  p.line(0, "horizon:", "");
  p.line(2, fmt::format("start: {}", s.start_year),
         origin("horizon.start") == "default" ? "the model's start_year" : origin("horizon.start"));
  p.line(2, fmt::format("end: {}", s.end_year), origin("horizon.end"));
  p.line(0, "solver:", "");
  p.line(2, fmt::format("method: {}", engine::to_string(s.solver.kind)), origin("solver.method"));
  p.line(2, fmt::format("step: 1/{}", std::lround(1.0 / s.solver.step_years)),
         origin("solver.step"));
  p.line(2, fmt::format("abs_tol: {}", s.solver.abs_tol), origin("solver.abs_tol"));
  p.line(2, fmt::format("rel_tol: {}", s.solver.rel_tol), origin("solver.rel_tol"));
  p.line(2, fmt::format("max_steps: {}", s.solver.max_steps), origin("solver.max_steps"));
  p.line(0, "output:", "");
  p.line(2, fmt::format("interval: {}", s.output.interval_years), origin("output.interval"));
  std::vector<std::string> tables;
  if (s.output.indicators) tables.emplace_back("indicators");
  if (s.output.corridors) tables.emplace_back("corridors");
  const bool bands = std::any_of(s.model.cadres.begin(), s.model.cadres.end(),
                                 [](const cadre_desc& c) { return !c.age_bands.empty(); });
  if (s.output.ages && bands) tables.emplace_back("ages");  // only a model with bands has it
  p.line(2, fmt::format("tables: [{}]", fmt::join(tables, ", ")), origin("output.tables"));
  p.line(0, fmt::format("discount_rate: {}", s.discount_rate), origin("discount_rate"));

  const auto& params = s.model.params;
  bool any_set = false;
  for (const auto& par : params.items())
    if (par.overridden && par.path.rfind("policies.", 0) != 0) {
      if (!any_set) p.line(0, "set:", "");
      any_set = true;
      p.line(2, fmt::format("{}: {}", par.path, par.value), where(par.where));
    }

  if (!s.policies.empty()) p.line(0, "policies:", "");
  for (const auto& pol : s.policies) {
    p.line(2, "- name: " + scalar(pol.name), where(pol.where));
    p.line(4, "type: " + std::string(pol.type_name()), "");
    for (const auto& [key, value] : pol.type->describe(pol, s.model))
      p.line(4, key + ": " + value, "");
    const auto value_line = [&](const std::string& key, std::size_t idx) {
      const auto& par = params[idx];
      p.line(4, fmt::format("{}: {}", key, par.value),
             par.note.rfind("default", 0) == 0 ? "default" : where(par.where));
    };
    value_line("start", pol.start);
    if (pol.end) value_line("end", *pol.end);
    value_line("ramp_years", pol.ramp_years);
    for (const auto& [key, idx] : pol.values) value_line(key, idx);
  }
  print_uncertainty(p, s.uncertainty, params);
  print_calibration(p, s.calibration);
  print_workshop(p, s);
  return p.str();
}

}  // namespace hwf::model
