// Loading scenarios: `extends` chains, solver and output settings, policies, `set:` overrides
// (docs/yaml-reference.md, "Scenarios").

#include <algorithm>
#include <cmath>
#include <deque>
#include <optional>

#include <fmt/format.h>

#include "engine/yaml_input.hpp"
#include "models/workforce/calibration.hpp"
#include "models/workforce/description.hpp"
#include "models/workforce/levers/lever.hpp"
#include "models/workforce/loader_detail.hpp"
#include "models/workforce/schema.hpp"
#include "models/workforce/uncertainty.hpp"
#include "models/workforce/workshop.hpp"
#include "models/workforce/yaml_schema.hpp"

namespace hwf::model {

using engine::diagnostic;
using engine::diagnostic_list;
using engine::map_view;
using engine::node_ref;
using namespace detail;

std::optional<std::size_t> policy_desc::value(std::string_view key) const {
  for (const auto& [k, v] : values)
    if (k == key) return v;
  return std::nullopt;
}

namespace {

using provenance_list = std::vector<std::pair<std::string, engine::source_location>>;

void record(provenance_list& prov, const std::string& key, const node_ref& n) {
  std::erase_if(prov, [&](const auto& p) { return p.first == key; });
  prov.emplace_back(key, n.where());
}

const std::vector<std::string>& scenario_keys() {
  static const std::vector<std::string> keys = yaml_keys("scenario");
  return keys;
}

void read_solver(const node_ref& n, engine::solver_settings& s, provenance_list& prov) {
  map_view m(n, yaml_keys("solver"));
  if (!m.is_map()) return;
  if (auto v = m.get("method")) {
    if (auto name = v->to_string()) {
      if (auto k = engine::parse_method(*name)) {
        s.kind = *k;
        record(prov, "solver.method", *v);
      } else {
        v->error(fmt::format("unknown solver method '{}'", engine::printable(*name, 40)),
                 {"expected one of: " + engine::join_list(engine::method_names())},
                 engine::closest_match(*name, engine::method_names()).value_or(""));
      }
    }
  }
  if (auto v = m.get("step")) {
    if (auto h = read_value(*v, "years", {0, 1, true}, true)) {
      // The step must divide a year so that whole years (output times) fall on steps.
      const double per_year = 1.0 / h->value;
      if (std::abs(per_year - std::round(per_year)) > 1e-9 * per_year) {
        v->error(fmt::format("a step of {} years does not divide a year", h->value),
                 {"expected 1/n years for a whole n, e.g. 1, 1/4, 1/12, 1/52"});
      } else {
        s.step_years = 1.0 / std::round(per_year);
        record(prov, "solver.step", *v);
      }
    }
  }
  if (auto v = m.get("abs_tol"))
    if (auto t = read_value(*v, "state units", {0, 1, true})) {
      s.abs_tol = t->value;
      record(prov, "solver.abs_tol", *v);
    }
  if (auto v = m.get("rel_tol"))
    if (auto t = read_value(*v, "share", {0, 0.1, true})) {
      s.rel_tol = t->value;
      record(prov, "solver.rel_tol", *v);
    }
  if (auto v = m.get("max_steps"))
    if (auto t = v->to_integer(1, static_cast<long long>(input_limits::max_steps))) {
      s.max_steps = static_cast<std::size_t>(*t);
      record(prov, "solver.max_steps", *v);
    }
}

void read_output(const node_ref& n, output_settings& out, provenance_list& prov) {
  map_view m(n, yaml_keys("output"));
  if (!m.is_map()) return;
  if (auto v = m.get("interval"))
    if (auto i = v->to_integer(1, input_limits::max_horizon_years)) {
      out.interval_years = static_cast<int>(*i);
      record(prov, "output.interval", *v);
    }
  if (auto v = m.get("tables")) {
    if (auto items = v->to_items()) {
      out.indicators = out.corridors = out.ages = false;
      const auto& names = yaml_choices("output", "tables");
      for (auto& item : *items) {
        const auto t = item.to_string();
        if (!t) continue;
        if (*t == "indicators")
          out.indicators = true;
        else if (*t == "corridors")
          out.corridors = true;
        else if (*t == "ages")
          out.ages = true, out.ages_named = item.where();
        else
          item.error(fmt::format("unknown table '{}'", engine::printable(*t, 40)),
                     {"expected one of: " + engine::join_list(names)},
                     engine::closest_match(*t, names).value_or(""));
      }
      record(prov, "output.tables", *v);
    }
  }
}

/// Applies `set:` entries (path: value) to the parameter table.
void apply_overrides(const node_ref& n, parameter_table& params, const std::string& model_name) {
  auto entries = n.to_entries();
  if (!entries) return;
  const auto all_paths = params.paths();
  for (auto& [path, value] : *entries) {
    node_ref v(value.node(), "set." + path, value.file(), value.diags());
    const auto index = params.find(path);
    if (!index) {
      auto notes = engine::character_notes(path, "path");
      notes.push_back("`hwfsim params <scenario>` lists every parameter path");
      v.error(fmt::format("'{}' is not a parameter of model {} or of this scenario's policies",
                          engine::printable(path, 80), model_name),
              std::move(notes), engine::closest_match(path, all_paths).value_or(""));
      continue;
    }
    auto& target = params[*index];
    auto p = read_value(v, target.unit, target.range);
    if (!p) continue;
    target.value = p->value;
    target.where = p->where;
    target.overridden = true;
    target.source = p->source.empty() ? "scenario override" : p->source;
    target.flag = p->flag;
    target.note = p->note;
  }
}

constexpr std::size_t max_policy_name = 64, max_scenario_name = 100;
bool alphanumeric(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}
bool policy_name_char(char c) {
  return alphanumeric(c) || c == '_' || c == '-';
}
bool scenario_name_char(char c) {
  return policy_name_char(c) || c == '.';
}

/// The name of a policy item, for merging by name before the model is known.
std::optional<std::string> policy_name(const node_ref& item) {
  if (!item.is_map()) {
    item.error(fmt::format("expected a policy (a mapping with name, type, start, ...), found {}",
                           item.describe()));
    return std::nullopt;
  }
  const auto n = item.node()["name"];
  if (!n) {
    item.error("missing required key 'name'", {"every policy needs a unique name"});
    return std::nullopt;
  }
  auto name = node_ref(n, item.path() + ".name", item.file(), item.diags()).to_string();
  if (!name) return std::nullopt;
  if (const auto problem = name_problem(*name, max_policy_name, alphanumeric, policy_name_char);
      !problem.empty()) {
    node_ref(n, item.path() + ".name", item.file(), item.diags())
        .error(fmt::format("'{}' is not a valid policy name: {}", engine::printable(*name, 40),
                           problem),
               {fmt::format("expected letters, digits, '_' or '-', at most {} characters (it "
                            "becomes part of parameter paths)",
                            max_policy_name)});
    return std::nullopt;
  }
  return name;
}

/// The lever type a policy item names (`type:`), or nullptr after reporting why not.
const lever_type* read_type(const node_ref& item, const node_ref& self,
                            const lever_registry& lever_types) {
  const auto type_node = item.node()["type"];
  if (!type_node) {
    self.error("missing required key 'type'",
               {"expected one of: " + engine::join_list(lever_types.names())});
    return nullptr;
  }
  const node_ref tn(type_node, self.path() + ".type", item.file(), item.diags());
  const auto type = tn.to_string();
  if (!type) return nullptr;
  if (const auto* found = lever_types.find(*type)) return found;
  const auto kinds = lever_types.names();
  tn.error(fmt::format("unknown policy type '{}'", engine::printable(*type, 40)),
           {"expected one of: " + engine::join_list(kinds)},
           engine::closest_match(*type, kinds).value_or(""));
  return nullptr;
}

/// Reads a policy's timing and its lever's numeric keys into the parameter table; false if one
/// is missing or wrong (reported).
bool read_policy_values(const map_view& m, policy_desc& p, model_description& md) {
  bool ok = true;
  const auto field = [&](const numeric_field& f) -> std::optional<std::size_t> {
    auto i = read_field(m, f, md.params);
    if (!i && (!f.optional || m.get(f.key))) ok = false;
    return i;
  };
  const auto timing = policy_timing_fields();
  const auto start = field(timing[0]);
  const auto end = field(timing[1]);
  const auto ramp = field(timing[2]);
  if (start && ramp) {
    p.start = *start;
    p.ramp_years = *ramp;
    p.end = end;
    if (end && md.params[*end].value <= md.params[*start].value) {
      m.get("end")->error(fmt::format("end {} is not after start {}", md.params[*end].value,
                                      md.params[*start].value));
      ok = false;
    }
  }
  for (const auto& f : p.type->fields())
    if (auto i = field(f)) p.values.emplace_back(std::string(f.key), *i);
  return ok;
}

/// Reports each key of `type` that a later version replaced (the lever's message names what
/// replaces it); true if there was one.
bool has_replaced_key(const map_view& m, const lever_type& type) {
  bool found = false;
  for (const auto& r : type.replaced_keys())
    if (const auto n = m.get(r.key)) {
      n->error(std::string(r.message), {std::string(r.note)});
      found = true;
    }
  return found;
}

/// Reads one policy against the model; registers its parameters as policies.<name>.<key>. The
/// lever type named by `type:` gives its keys and reads its targets.
std::optional<policy_desc> read_policy(const node_ref& item, const std::string& name,
                                       model_description& md, const lever_registry& lever_types) {
  node_ref self(item.node(), "policies." + name, item.file(), item.diags());
  policy_desc p;
  p.name = name;
  p.type = read_type(item, self, lever_types);
  if (!p.type) return std::nullopt;
  p.where = item.where();

  std::vector<std::string> valid;
  for (auto& k : policy_keys(*p.type)) valid.push_back(std::move(k.key));
  std::vector<std::string> refused;
  for (const auto& r : p.type->replaced_keys()) refused.emplace_back(r.key);
  map_view m(self, valid, refused);
  if (!m.is_map()) return std::nullopt;
  const bool replaced = has_replaced_key(m, *p.type);
  const bool values_ok = read_policy_values(m, p, md) && !replaced;
  lever_input in{m, self, md, levers::country_names(md), levers::cadre_names(md)};
  if (!p.type->read(in, p) || !values_ok || !in.ok) return std::nullopt;
  return p;
}

void check_step(const scenario_description& sd, const node_ref& at, diagnostic_list& diags) {
  const auto& s = sd.solver;
  const double years = sd.end_year - sd.start_year;
  if (s.kind != engine::method::dopri5 && years / s.step_years > input_limits::max_steps) {
    at.error(
        fmt::format("the horizon needs {:.0f} steps of {} years, more than the limit of {:.0f}",
                    years / s.step_years, s.step_years, input_limits::max_steps),
        {"choose a larger solver.step or a shorter horizon"});
    return;
  }
  if (s.kind == engine::method::dopri5) return;
  // Largest rate * step for which the fixed-step method keeps a draining stock non-negative
  // (Euler: 1 - z >= 0) or stable (RK4: |R(-z)| <= 1 for z up to about 2.78).
  const double limit = s.kind == engine::method::euler ? 1.0 : 2.78;
  const auto fastest = find_fastest_rate(sd.model);
  if (fastest.rate * s.step_years > limit) {
    diagnostic d;
    d.where = at.where();
    d.key_path = "solver.step";
    d.message = fmt::format(
        "step {:.6g} years is too long for the fastest rate in the model, "
        "{:.6g}/year: the {}",
        s.step_years, fastest.rate, fastest.what);
    // A rate no real step can follow (a training_years of 1e-320 gives an infinite drain): say
    // so, rather than suggest a step of 0.
    const double largest = limit / fastest.rate;
    if (largest * input_limits::max_steps < years)
      d.notes = {
          fmt::format("{} needs rate * step <= {}; no step within the limit of {:.0f} "
                      "steps can follow this rate: check the values it comes from",
                      engine::to_string(s.kind), limit, input_limits::max_steps)};
    else
      d.notes = {fmt::format("{} needs rate * step <= {}; use step <= {:.6g} or method dopri5",
                             engine::to_string(s.kind), limit, largest)};
    diags.add(std::move(d));
  }
}

/// One file of an `extends` chain, parsed, with its top-level keys checked.
struct chain_link {
  std::filesystem::path path;
  std::unique_ptr<engine::yaml_file> file;
  std::optional<map_view> top;
};

/// A scenario file and the files it extends, child first.
using scenario_chain = std::deque<chain_link>;

/// "a.yaml -> b.yaml -> " for the files of `chain`.
std::string chain_text(const scenario_chain& chain) {
  std::string text;
  for (const auto& l : chain) text += l.path.generic_string() + " -> ";
  return text;
}

/// Refuses `current`, named by `extends_from`, when it is in the chain already (a cycle) or
/// the chain is as long as allowed.
void check_chain_room(const scenario_chain& chain, const std::filesystem::path& current,
                      const std::optional<node_ref>& extends_from, diagnostic_list& diags) {
  // A path that cannot be resolved (a symbolic link loop) is in no cycle; reading it says what
  // is wrong with it.
  std::error_code ec_link, ec_current;
  for (const auto& link : chain)
    if (std::filesystem::weakly_canonical(link.path, ec_link) ==
            std::filesystem::weakly_canonical(current, ec_current) &&
        !ec_link && !ec_current) {
      extends_from->error("`extends` makes a cycle: " + chain_text(chain) +
                          current.generic_string());
      diags.throw_if_any();
    }
  if (chain.size() >= input_limits::extends_depth) {
    extends_from->error(
        fmt::format("`extends` chains are limited to {} files", input_limits::extends_depth));
    diags.throw_if_any();
  }
}

/// The file `current`, parsed; a parent scenario that cannot be read is reported at the
/// `extends` that named it.
std::unique_ptr<engine::yaml_file> read_link(const scenario_chain& chain,
                                             const std::filesystem::path& current,
                                             const std::optional<node_ref>& extends_from,
                                             diagnostic_list& diags) {
  const std::string display = current.generic_string();
  try {
    return std::make_unique<engine::yaml_file>(engine::load_yaml_file(current, display));
  } catch (const engine::unreadable_file& e) {
    if (!extends_from) throw;
    const std::string named = chain_text(chain);
    const auto& d = e.diagnostics().at(0);
    if (d.message == "no such file") {
      extends_from->error(fmt::format("the parent scenario '{}' does not exist", display),
                          {"chain: " + named + display,
                           "the path is relative to the file that "
                           "extends it"});
    } else {
      auto notes = d.notes;
      notes.insert(notes.begin(), "chain: " + named + display);
      extends_from->error(
          fmt::format("the parent scenario '{}' cannot be read: {}", display, d.message),
          std::move(notes));
    }
    diags.throw_if_any();
    throw;
  }
}

/// Checks the top level of the link's file and keeps it in `l.top`; its `extends`, if any.
std::optional<node_ref> read_top(chain_link& l, diagnostic_list& diags) {
  node_ref root(l.file->root, "", *l.file, diags);
  if (!l.file->root.IsDefined() || l.file->root.IsNull()) {
    root.error("the file is empty", {"expected a scenario: a mapping with keys scenario, model, "
                                     "horizon (and optionally solver, output, set, policies)"});
    diags.throw_if_any();
  }
  if (!engine::has_expected_shape(root, scenario_keys(), "scenario")) diags.throw_if_any();
  if (!engine::check_format(root, "scenario")) diags.throw_if_any();
  l.top.emplace(root, scenario_keys());
  if (!l.top->is_map()) diags.throw_if_any();
  return l.top->get("extends");
}

/// The scenario file `path` and every file it extends, child first.
scenario_chain read_chain(const std::filesystem::path& path, diagnostic_list& diags) {
  scenario_chain chain;
  std::optional<node_ref> extends_from;  // the `extends` node that named the next file
  for (std::filesystem::path current = path.lexically_normal();;) {
    check_chain_room(chain, current, extends_from, diags);
    auto file = read_link(chain, current, extends_from, diags);
    chain.push_back({current, std::move(file), std::nullopt});
    const auto ext = read_top(chain.back(), diags);
    if (!ext) break;
    const auto parent = ext->to_string();
    if (!parent) diags.throw_if_any();
    extends_from = ext;
    current = (current.parent_path() / *parent).lexically_normal();
  }
  return chain;
}

/// What the chain's files say, merged (each file overrides what it extends), read before the
/// model is.
struct chain_keys {
  std::optional<std::filesystem::path> model_path;
  std::optional<node_ref> model_node, horizon_node, solver_node, discount_node;
  std::optional<long long> start, end;
  bool end_given = false;  // (a bad value was reported where it stands)
  std::vector<node_ref> overrides, uncertainty_blocks;
  std::optional<node_ref> calibration_node;  ///< the nearest file's block replaces the others
  std::filesystem::path calibration_folder;  ///< its file's folder (relative paths start there)
  std::optional<node_ref> workshop_node;     ///< the nearest file's block replaces the others
  std::vector<std::string> removed;          ///< names of the policies `remove:` took out
  std::vector<std::pair<std::string, node_ref>> policies;  // merged by name, in order
};

void read_scenario_name(const node_ref& n, scenario_description& sd) {
  const auto name = n.to_string();
  if (!name) return;
  if (const auto problem = name_problem(*name, max_scenario_name, alphanumeric, scenario_name_char);
      !problem.empty())
    n.error(
        fmt::format("'{}' is not a valid scenario name: {}", engine::printable(*name, 40), problem),
        {fmt::format("expected letters, digits, '.', '_' or '-', at most {} characters "
                     "(it names the results folder)",
                     max_scenario_name)});
  sd.name = *name;
  record(sd.provenance, "scenario", n);
}

void read_horizon(const node_ref& n, chain_keys& k, provenance_list& prov) {
  k.horizon_node = n;
  map_view h(n, yaml_keys("horizon"));
  if (auto s = h.get("start")) {
    k.start = s->to_integer(1800, 2300);
    record(prov, "horizon.start", *s);
  }
  if (auto e = h.get("end")) {
    k.end = e->to_integer(1800, 2300);
    k.end_given = true;
    record(prov, "horizon.end", *e);
  }
}

/// `remove:` takes inherited policies out, by name.
void remove_policies(const node_ref& n, std::vector<std::pair<std::string, node_ref>>& policies,
                     std::vector<std::string>& removed) {
  auto items = n.to_items();
  if (!items) return;
  for (auto& item : *items) {
    const auto name = item.to_string();
    if (!name) continue;
    const auto same = std::find_if(policies.begin(), policies.end(),
                                   [&](const auto& p) { return p.first == *name; });
    if (same == policies.end()) {
      std::vector<std::string> known;
      for (const auto& p : policies) known.push_back(p.first);
      item.error(fmt::format("no inherited policy is named '{}'", engine::printable(*name, 40)),
                 {known.empty() ? std::string("there are no inherited policies")
                                : "inherited policies: " + engine::join_list(known)},
                 engine::closest_match(*name, known).value_or(""));
      continue;
    }
    policies.erase(same);
    removed.push_back(*name);
  }
}

/// `policies:` adds policies, or replaces inherited ones of the same name in place.
void merge_policies(const node_ref& n, std::vector<std::pair<std::string, node_ref>>& policies) {
  auto items = n.to_items();
  if (!items) return;
  within_limit(n, items->size(), input_limits::policies, "policies");
  std::vector<std::string> in_this_file;
  for (auto& item : *items) {
    const auto name = policy_name(item);
    if (!name) continue;
    if (std::find(in_this_file.begin(), in_this_file.end(), *name) != in_this_file.end()) {
      item.error(
          fmt::format("a second policy named '{}' in this file", engine::printable(*name, 40)),
          {"policy names are unique; a scenario that extends another replaces a "
           "policy by giving one of the same name"});
      continue;
    }
    in_this_file.push_back(*name);
    const auto same = std::find_if(policies.begin(), policies.end(),
                                   [&](const auto& p) { return p.first == *name; });
    if (same != policies.end())
      same->second = item;  // replaces the inherited one, in place
    else
      policies.emplace_back(*name, item);
  }
}

/// One file's keys, over what the files it extends said.
void read_file_keys(const chain_link& link, scenario_description& sd, chain_keys& k) {
  const map_view& top = *link.top;
  auto& prov = sd.provenance;
  if (auto n = top.require("scenario")) read_scenario_name(*n, sd);
  if (auto n = top.get("description")) {
    sd.description = n->to_string().value_or("");
    record(prov, "description", *n);
  }
  if (auto n = top.get("model")) {
    if (auto m = n->to_string()) {
      k.model_path = (link.path.parent_path() / *m).lexically_normal();
      k.model_node = n;
      record(prov, "model", *n);
    }
  }
  if (auto n = top.get("horizon")) read_horizon(*n, k, prov);
  if (auto n = top.get("solver")) {
    k.solver_node = n;
    read_solver(*n, sd.solver, prov);
  }
  if (auto n = top.get("output")) read_output(*n, sd.output, prov);
  if (auto n = top.get("discount_rate")) {
    k.discount_node = n;
    record(prov, "discount_rate", *n);
  }
  if (auto n = top.get("set")) k.overrides.push_back(*n);
  if (auto n = top.get("uncertainty")) k.uncertainty_blocks.push_back(*n);
  if (auto n = top.get("calibration")) {
    k.calibration_node = n;
    k.calibration_folder = link.path.parent_path();
  }
  if (auto n = top.get("workshop")) k.workshop_node = n;
  if (auto n = top.get("remove")) remove_policies(*n, k.policies, k.removed);
  if (auto n = top.get("policies")) merge_policies(*n, k.policies);
}

/// The model the scenario names: its own file, its own diagnostics; a file that cannot be read,
/// or is no model dataset, is also reported at the scenario's `model` key.
model_description read_named_model(const chain_keys& k, diagnostic_list& diags) {
  const auto& model_path = *k.model_path;
  const auto& model_node = *k.model_node;
  try {
    return load_model(model_path, model_path.generic_string());
  } catch (const engine::unreadable_file& e) {
    const auto& d = e.diagnostics().at(0);
    if (d.message == "no such file")
      model_node.error(
          fmt::format("the model file '{}' does not exist", model_path.generic_string()),
          {"the path is relative to the scenario's folder"});
    else if (d.message == "this is a folder, not a file")
      model_node.error(
          fmt::format("the model file '{}' is a folder",
                      engine::printable(model_node.node().Scalar(), 200)),
          {"expected a model dataset (a YAML file); resolved to " + model_path.generic_string()});
    else
      model_node.error(fmt::format("the model file '{}' cannot be read: {}",
                                   model_path.generic_string(), d.message),
                       d.notes);
    diags.throw_if_any();
    throw;
  } catch (const engine::input_error& e) {
    if (!e.diagnostics().empty() &&
        e.diagnostics().front().message.starts_with("this is not a model dataset")) {
      // Say which line of the scenario named it, after the model's own message.
      auto all = e.diagnostics();
      all.push_back({model_node.where(),
                     model_node.path(),
                     "the file named here is not a model dataset",
                     {"the path is relative to the scenario's folder"},
                     ""});
      throw engine::input_error(std::move(all));
    }
    throw;
  }
}

/// The stocks a run starts from (docs/model.md, 15.8): each stock's parameter takes its point
/// for `year`, with that point's provenance. Every stock the dataset writes needs one; a stock
/// written as one number has only the dataset's start_year.
void pick_start_stocks(const chain_keys& k, model_description& md, int year,
                       diagnostic_list& diags) {
  if (year == md.start_year) return;  // the loader took start_year's points
  const auto& at = k.horizon_node->where();
  const auto horizon =
      fmt::format("horizon.start {} is set at {}:{}:{}", year, at.file, at.line, at.column);
  std::size_t one_number = 0;
  for (const auto& s : md.start_stocks) {
    auto& stock = md.params[s.stock];
    const auto point = std::find_if(s.points.begin(), s.points.end(),
                                    [&](const auto& p) { return p.year == year; });
    if (point != s.points.end()) {
      const auto path = stock.path;
      stock = point->value;
      stock.path = path;
      continue;
    }
    if (s.points.empty() && ++one_number > 1) continue;  // one such error says it for all
    diags.add(
        {s.where,
         stock.path,
         s.points.empty()
             ? fmt::format("a stock written as one number holds for the dataset's "
                           "start_year {} only: a run cannot start in {} from it",
                           md.start_year, year)
             : fmt::format("the series gives no value for {}, the scenario's start", year),
         {s.points.empty()
              ? fmt::format("give every stock the dataset writes (workforce, unemployed, "
                            "migrant_stock) as a series with a {} point, {{series: {{{}: "
                            "<value>, {}: <value>}}}}, or leave horizon.start out",
                            year, std::min(year, md.start_year), std::max(year, md.start_year))
              : fmt::format("its series gives {}; a stock is never interpolated: add a "
                            "{} point, or start in one of those years",
                            engine::join_list(s.years()), year),
          horizon},
         ""});
  }
  md.start_year = year;
}

/// The horizon's years; a start other than the model's start_year picks the stocks of that
/// year.
void set_horizon(const chain_keys& k, scenario_description& sd, diagnostic_list& diags) {
  sd.start_year = static_cast<int>(k.start.value_or(sd.model.start_year));
  if (k.start) pick_start_stocks(k, sd.model, sd.start_year, diags);
  sd.end_year = static_cast<int>(*k.end);
  if (sd.end_year <= sd.start_year)
    k.horizon_node->error(
        fmt::format("horizon.end {} is not after the start year {}", sd.end_year, sd.start_year));
  else if (sd.end_year - sd.start_year > input_limits::max_horizon_years)
    k.horizon_node->error(fmt::format("a horizon of {} years is more than the limit of {}",
                                      sd.end_year - sd.start_year,
                                      input_limits::max_horizon_years));
}

/// Policies' years at the values in force after `set:`: an end not after its start is an
/// error; a policy wholly outside the horizon is valid but does nothing, a warning.
void check_policy_years(scenario_description& sd, diagnostic_list& diags) {
  const auto& params = sd.model.params;
  for (const auto& p : sd.policies)
    if (p.end && params[*p.end].value <= params[p.start].value) {
      const auto& e = params[*p.end];
      diags.add({e.where,
                 e.path,
                 fmt::format("end {} is not after start {}", e.value, params[p.start].value),
                 {"a `set:` entry may have moved one of them"},
                 ""});
    }
  for (const auto& p : sd.policies) {
    const auto& first = params[p.start];
    if (first.value >= sd.end_year)
      sd.warnings.push_back(
          {first.where,
           first.path,
           fmt::format("the policy starts in {}, at or after the end of the horizon ({}): it "
                       "never acts",
                       first.value, sd.end_year),
           {"move its start before the horizon's end, or extend horizon.end"},
           ""});
    if (p.end && params[*p.end].value <= sd.start_year) {
      const auto& last = params[*p.end];
      sd.warnings.push_back(
          {last.where,
           last.path,
           fmt::format("the policy ends in {}, at or before the start of the horizon ({}): it "
                       "never acts",
                       last.value, sd.start_year),
           {"move its end after the horizon's start, or remove the policy"},
           ""});
    }
  }
}

scenario_description load_chain(const std::filesystem::path& path,
                                const lever_registry& lever_types, const extra_set* set) {
  diagnostic_list diags;
  auto chain = read_chain(path, diags);
  scenario_description sd;
  sd.file = {chain.front().file->display_name, sha256_hex(chain.front().file->content)};
  for (std::size_t i = 1; i < chain.size(); ++i)
    sd.parents.push_back({chain[i].file->display_name, sha256_hex(chain[i].file->content)});

  chain_keys k;
  // Ancestors first, so that each file overrides what it extends.
  for (auto it = chain.rbegin(); it != chain.rend(); ++it) read_file_keys(*it, sd, k);
  const map_view& child = *chain.front().top;
  if (!k.model_node)
    child.report_missing("model", {"the model dataset (a path relative to this file)"});
  if (!k.end_given)
    child.report_missing("horizon",
                         {"horizon: {end: <year>} (start defaults to the model's start_year)"});
  diags.throw_if_any();

  sd.model = read_named_model(k, diags);
  if (sd.output.ages_named &&
      std::none_of(sd.model.cadres.begin(), sd.model.cadres.end(),
                   [](const cadre_desc& c) { return !c.age_bands.empty(); }))
    diags.add({*sd.output.ages_named,
               "output.tables",
               "the model has no age bands, so there is no ages table to write",
               {"give a cadre age_bands in the model (docs/yaml-reference.md), or leave ages out"},
               ""});
  set_horizon(k, sd, diags);
  if (k.discount_node)
    if (auto r = read_value(*k.discount_node, "1/year", {0, 0.5})) sd.discount_rate = r->value;

  for (const auto& [name, item] : k.policies)
    if (auto p = read_policy(item, name, sd.model, lever_types))
      sd.policies.push_back(std::move(*p));
  for (const auto& n : k.overrides) apply_overrides(n, sd.model.params, sd.model.name);
  // Parsed here, not in read_chain: a syntax error in it is reported with the files' errors.
  std::optional<engine::yaml_file> extra;
  if (set && !set->yaml.empty()) {
    extra = engine::parse_yaml(set->yaml, set->display_name);
    apply_overrides(node_ref(extra->root, "set", *extra, diags), sd.model.params, sd.model.name);
  }
  // `set:` may move a policy's start or end: check the order again, at the value in force.
  check_policy_years(sd, diags);
  read_uncertainty(k.uncertainty_blocks, sd.model, sd.uncertainty);
  if (k.calibration_node) read_calibration(*k.calibration_node, k.calibration_folder, sd);
  if (k.workshop_node) read_workshop(*k.workshop_node, sd, k.removed);
  if (diags.empty()) check_consistency(sd.model, diags);
  if (diags.empty())
    check_step(
        sd,
        k.solver_node.value_or(node_ref(chain.front().file->root, "", *chain.front().file, diags)),
        diags);
  diags.throw_if_any();
  return sd;
}

}  // namespace

scenario_description load_scenario(const std::filesystem::path& path) {
  return load_chain(path, lever_registry::builtin(), nullptr);
}

scenario_description load_scenario(const std::filesystem::path& path,
                                   const lever_registry& lever_types) {
  return load_chain(path, lever_types, nullptr);
}

scenario_description load_scenario(const std::filesystem::path& path, const extra_set& set) {
  return load_chain(path, lever_registry::builtin(), &set);
}

}  // namespace hwf::model
