// Reading a scenario's `uncertainty` block: sample design, seed, and the distributions of
// uncertain parameters with wildcard paths (docs/monte-carlo.md).

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>

#include <fmt/format.h>

#include "models/workforce/loader_detail.hpp"
#include "models/workforce/uncertainty.hpp"
#include "models/workforce/yaml_schema.hpp"

namespace hwf::model {

using engine::map_view;
using engine::node_ref;

std::size_t uncertainty_desc::dimensions() const {
  std::size_t d = 0;
  for (const auto& p : parameters) d += p.shared ? 1 : p.targets.size();
  for (const auto& g : groups) d += g.targets.size();
  return d;
}

const distribution_numbers& distribution_keys(engine::distribution_kind k) {
  using d = engine::distribution_kind;
  static const std::vector<std::pair<d, distribution_numbers>> table{
      {d::uniform, {{"min", "max"}, {}}},
      {d::triangular, {{"min", "mode", "max"}, {}}},
      {d::pert, {{"min", "mode", "max"}, {}}},
      {d::normal, {{"mean", "sd"}, {}}},
      {d::truncated_normal, {{"mean", "sd", "min", "max"}, {}}},
      {d::lognormal, {{"median", "sigma"}, {}}},
      {d::beta, {{"alpha", "beta"}, {"min", "max"}}},
      {d::gamma, {{"shape", "scale"}, {}}},
      {d::discrete, {{}, {}}},
  };
  for (const auto& [kind, numbers] : table)
    if (kind == k) return numbers;
  throw engine::internal_error("a distribution without its keys in distribution_keys()");
}

namespace {

std::vector<std::string> split_path(const std::string& s) {
  std::vector<std::string> out;
  std::size_t start = 0;
  for (std::size_t i = 0; i <= s.size(); ++i)
    if (i == s.size() || s[i] == '.') {
      out.push_back(s.substr(start, i - start));
      start = i + 1;
    }
  return out;
}

using kind = engine::distribution_kind;

/// The distribution a spec names under `dist`; reports a spec that is not a mapping, has no
/// `dist` or names an unknown distribution.
std::optional<kind> read_kind(const node_ref& n) {
  if (!n.is_map()) {
    n.error(fmt::format(
        "expected a distribution such as {{dist: uniform, min: 0.9, max: 1.1}}, found {}",
        n.describe()));
    return std::nullopt;
  }
  const auto dn = n.node()["dist"];
  if (!dn) {
    n.error("missing required key 'dist'",
            {"expected one of: " + engine::join_list(engine::distribution_names())});
    return std::nullopt;
  }
  const node_ref dist_node(dn, n.path() + ".dist", n.file(), n.diags());
  const auto name = dist_node.to_string();
  if (!name) return std::nullopt;
  const auto names = engine::distribution_names();
  const auto it = std::find(names.begin(), names.end(), *name);
  if (it == names.end()) {
    dist_node.error(fmt::format("unknown distribution '{}'", *name),
                    {"expected one of: " + engine::join_list(names)},
                    engine::closest_match(*name, names).value_or(""));
    return std::nullopt;
  }
  return static_cast<kind>(it - names.begin());
}

/// The keys a spec of distribution `k` may have (the table in yaml_schema.cpp).
std::vector<std::string> spec_keys(kind k) {
  return yaml_keys("distribution_" + engine::distribution_names()[static_cast<std::size_t>(k)]);
}

/// `apply` and `shared` into `up`; false when either is wrong (reported).
bool read_apply_and_shared(const map_view& m, uncertain_parameter& up) {
  bool ok = true;
  if (auto a = m.get("apply")) {
    const auto t = a->to_string();
    std::vector<std::string> modes;
    bool found = false;
    for (const auto mode : {apply_mode::set, apply_mode::multiply, apply_mode::add}) {
      modes.emplace_back(apply_name(mode));
      if (t == modes.back()) up.apply = mode, found = true;
    }
    if (t && !found) {
      a->error(fmt::format("expected one of: {}; found '{}'", engine::join_list(modes), *t), {},
               engine::closest_match(*t, modes).value_or(""));
      ok = false;
    }
  }
  if (auto s = m.get("shared")) {
    const auto b = s->to_bool();
    if (b)
      up.shared = *b;
    else
      ok = false;
  }
  return ok;
}

/// The numeric keys of distribution `k` into `v`; false when one is missing or not a number.
bool read_numbers(const map_view& m, kind k, std::map<std::string, double>& v) {
  const auto& spec = distribution_keys(k);
  const auto number = [&](const std::string& key, const std::optional<node_ref>& x) {
    const auto d = x ? x->to_number() : std::nullopt;
    if (d) v[key] = *d;
    return d.has_value();
  };
  bool ok = true;
  for (const auto& key : spec.required)
    if (!number(key, m.require(key))) ok = false;
  for (const auto& key : spec.optional)
    if (const auto x = m.get(key); x && !number(key, x)) ok = false;
  return ok;
}

/// A discrete distribution's values and weights (1 each when not given); `ok` tells whether the
/// spec's other keys were right (the checks of the lists need it). The new `ok`.
bool read_discrete(const map_view& m, bool ok, std::vector<double>& values,
                   std::vector<double>& weights) {
  const auto read_list = [&](std::string_view key, std::vector<double>& out) {
    if (auto x = m.get(key))
      if (auto items = x->to_items())
        for (auto& item : *items) {
          if (auto d = item.to_number())
            out.push_back(*d);
          else
            ok = false;
        }
  };
  if (!m.require("values")) ok = false;
  read_list("values", values);
  read_list("weights", weights);
  if (ok && values.empty()) {
    m.get("values")->error("expected at least one value");
    ok = false;
  }
  if (ok && !weights.empty() && weights.size() != values.size()) {
    m.get("weights")->error(fmt::format("expected {} weights (one per value), found {}",
                                        values.size(), weights.size()));
    ok = false;
  }
  if (ok && weights.empty()) weights.assign(values.size(), 1.0);
  if (ok && (std::any_of(weights.begin(), weights.end(), [](double w) { return w < 0; }) ||
             std::all_of(weights.begin(), weights.end(), [](double w) { return w == 0; }))) {
    m.get("weights")->error("weights must be >= 0 and not all 0");
    ok = false;
  }
  return ok;
}

/// The distribution of kind `k` with parameters `v` (values and weights for a discrete one);
/// parameters that make no distribution are reported at the spec `n`.
std::optional<engine::distribution> make_distribution(const node_ref& n, kind k,
                                                      std::map<std::string, double>& v,
                                                      const std::vector<double>& values,
                                                      const std::vector<double>& weights) {
  const auto bad = [&](std::string message) {
    n.error(std::move(message));
    return std::nullopt;
  };
  switch (k) {
    case kind::uniform:
      if (!(v["min"] < v["max"]))
        return bad(fmt::format("min {} is not below max {}", v["min"], v["max"]));
      return engine::distribution::uniform(v["min"], v["max"]);
    case kind::triangular:
    case kind::pert:
      if (!(v["min"] <= v["mode"] && v["mode"] <= v["max"] && v["min"] < v["max"]))
        return bad(fmt::format("expected min <= mode <= max (and min < max), found {}, {}, {}",
                               v["min"], v["mode"], v["max"]));
      return k == kind::pert ? engine::distribution::pert(v["min"], v["mode"], v["max"])
                             : engine::distribution::triangular(v["min"], v["mode"], v["max"]);
    case kind::normal:
      if (!(v["sd"] > 0)) return bad(fmt::format("sd must be > 0, found {}", v["sd"]));
      return engine::distribution::normal(v["mean"], v["sd"]);
    case kind::truncated_normal:
      if (!(v["sd"] > 0)) return bad(fmt::format("sd must be > 0, found {}", v["sd"]));
      if (!(v["min"] < v["max"]))
        return bad(fmt::format("min {} is not below max {}", v["min"], v["max"]));
      return engine::distribution::truncated_normal(v["mean"], v["sd"], v["min"], v["max"]);
    case kind::lognormal:
      if (!(v["median"] > 0)) return bad(fmt::format("median must be > 0, found {}", v["median"]));
      if (!(v["sigma"] > 0)) return bad(fmt::format("sigma must be > 0, found {}", v["sigma"]));
      return engine::distribution::lognormal(v["median"], v["sigma"]);
    case kind::beta: {
      const double lo = v.count("min") ? v["min"] : 0.0, hi = v.count("max") ? v["max"] : 1.0;
      if (!(v["alpha"] > 0 && v["beta"] > 0)) return bad("alpha and beta must be > 0");
      if (!(lo < hi)) return bad(fmt::format("min {} is not below max {}", lo, hi));
      return engine::distribution::beta(v["alpha"], v["beta"], lo, hi);
    }
    case kind::gamma:
      if (!(v["shape"] > 0 && v["scale"] > 0)) return bad("shape and scale must be > 0");
      return engine::distribution::gamma(v["shape"], v["scale"]);
    case kind::discrete:
      return engine::distribution::discrete(values, weights);
  }
  return std::nullopt;
}

/// Reads one distribution spec; reports problems at their keys.
std::optional<uncertain_parameter> read_spec(const node_ref& n, const std::string& pattern) {
  const auto k = read_kind(n);
  if (!k) return std::nullopt;
  map_view m(n, spec_keys(*k));
  uncertain_parameter up;
  up.pattern = pattern;
  up.where = n.where();
  bool ok = read_apply_and_shared(m, up);
  std::map<std::string, double> v;
  if (!read_numbers(m, *k, v)) ok = false;
  std::vector<double> values, weights;
  if (*k == kind::discrete) ok = read_discrete(m, ok, values, weights);
  if (!ok) return std::nullopt;
  // Parameter checks, reported at the distribution.
  auto dist = make_distribution(n, *k, v, values, weights);
  if (!dist) return std::nullopt;
  up.dist = std::move(*dist);
  return up;
}

/// The support a sample may take, cut at the 1e-9 tails (unbounded distributions).
std::pair<double, double> practical_support(const engine::distribution& d) {
  return {d.quantile(1e-9), d.quantile(1 - 1e-9)};
}

/// What the `uncertainty` blocks of a scenario chain say, each over the ones before it.
struct uncertainty_keys {
  std::vector<std::pair<std::string, node_ref>> specs;  // by pattern, first appearance order
  std::vector<node_ref> groups;                         // every file's, ancestors first
  std::optional<node_ref> samples_node, last;
  bool has_seed = false, has_params = false;  // anywhere in the chain
};

void read_sampling(const node_ref& n, uncertainty_desc& out) {
  const auto& methods = yaml_choices("uncertainty", "sampling");
  const auto t = n.to_string();
  if (!t) return;
  if (*t == "random")
    out.sampling = engine::sampling_method::random;
  else if (*t == "lhs")
    out.sampling = engine::sampling_method::lhs;
  else if (*t == "sobol")
    out.sampling = engine::sampling_method::sobol;
  else
    n.error(fmt::format("unknown sampling '{}'", *t),
            {"expected one of: " + engine::join_list(methods)},
            engine::closest_match(*t, methods).value_or(""));
}

/// `parameters:` entries: a pattern given again replaces the earlier spec, in place.
void merge_specs(const node_ref& n, std::vector<std::pair<std::string, node_ref>>& specs) {
  auto entries = n.to_entries();
  if (!entries) return;
  for (auto& entry : *entries) {
    const std::string& pattern = entry.first;  // (clang 14 cannot capture a binding)
    const auto& spec = entry.second;
    const auto same =
        std::find_if(specs.begin(), specs.end(), [&](const auto& s) { return s.first == pattern; });
    if (same != specs.end())
      same->second = spec;
    else
      specs.emplace_back(pattern, spec);
  }
}

const std::vector<std::string>& block_keys() {
  static const std::vector<std::string> keys = yaml_keys("uncertainty");
  return keys;
}

void read_block(const node_ref& b, uncertainty_desc& out, uncertainty_keys& k) {
  map_view m(b, block_keys());
  if (!m.is_map()) return;
  out.present = true;
  k.last = b;
  if (auto n = m.get("samples")) {
    k.samples_node = n;
    if (auto v = n->to_integer(1, static_cast<long long>(input_limits::samples)))
      out.samples = static_cast<std::size_t>(*v);
  }
  if (auto n = m.get("sampling")) read_sampling(*n, out);
  if (auto n = m.get("seed")) {
    k.has_seed = true;
    if (auto v = n->to_integer(0, std::numeric_limits<long long>::max()))
      out.seed = static_cast<std::uint64_t>(*v);
  }
  if (auto n = m.get("parameters")) {
    k.has_params = true;
    merge_specs(*n, k.specs);
  }
  if (auto n = m.get("multivariate_normal")) {
    k.has_params = true;
    if (auto items = n->to_items()) k.groups.insert(k.groups.end(), items->begin(), items->end());
  }
}

/// One parameter of a `multivariate_normal` group: its index and its four numbers.
struct group_entry {
  std::size_t target;
  double mean, sd, lower, upper;
};

/// Reads a group's `parameters`: each a full path with {mean, sd, min, max}.
std::optional<std::vector<group_entry>> read_group_entries(
    const node_ref& n, const model_description& md,
    const std::vector<std::vector<std::string>>& split_all,
    const std::vector<std::string>& all_paths) {
  const auto entries = n.to_entries();
  if (!entries) return std::nullopt;
  if (entries->empty()) {
    n.error("expected at least one parameter");
    return std::nullopt;
  }
  std::vector<group_entry> out;
  bool ok = true;
  for (const auto& entry : *entries) {
    const std::string& path = entry.first;  // (clang 14 cannot capture a binding)
    const node_ref& e = entry.second;
    const auto targets = matching_paths(path, split_all);
    if (targets.size() != 1 || split_path(path).size() != split_all[targets[0]].size()) {
      e.error(targets.empty()
                  ? fmt::format("'{}' matches no parameter of the model or its policies", path)
                  : fmt::format("'{}' matches {} parameters", path, targets.size()),
              {"a correlated group names each parameter by its whole path, without '*'; "
               "`hwfsim params <scenario>` lists every path"},
              targets.empty() ? engine::closest_match(path, all_paths).value_or("") : "");
      ok = false;
      continue;
    }
    const auto& p = md.params[targets[0]];
    map_view m(e, yaml_keys("group_entry"));
    if (!m.is_map()) {
      ok = false;
      continue;
    }
    std::map<std::string, double> v;
    bool numbers = true;
    for (const char* key : {"mean", "sd", "min", "max"}) {
      const auto x = m.require(key);
      const auto d = x ? x->to_number() : std::nullopt;
      if (d)
        v[key] = *d;
      else
        numbers = false;
    }
    if (!numbers) {
      ok = false;
      continue;
    }
    const auto bad = [&](std::string message, std::vector<std::string> notes = {}) {
      e.error(std::move(message), std::move(notes));
      ok = false;
    };
    if (p.range.integer)
      bad(fmt::format("{} is a whole number: a normal draw cannot give it", p.path));
    else if (!(v["sd"] > 0))
      bad(fmt::format("sd must be > 0, found {}", v["sd"]));
    else if (!(v["min"] < v["max"]))
      bad(fmt::format("min {} is not below max {}", v["min"], v["max"]));
    else if (!p.range.contains(v["min"]) || !p.range.contains(v["max"]))
      bad(fmt::format("the bounds [{}, {}] leave the valid range of {}, {}", v["min"], v["max"],
                      p.path, p.range.describe()),
          {"a draw beyond a bound is set to it: the bounds keep every draw valid"});
    else if (!(v["mean"] >= v["min"] && v["mean"] <= v["max"]))
      bad(fmt::format("the mean {} is outside the bounds [{}, {}]", v["mean"], v["min"], v["max"]));
    else
      out.push_back({targets[0], v["mean"], v["sd"], v["min"], v["max"]});
  }
  if (!ok) return std::nullopt;
  return out;
}

/// Reads a group's `correlation`: n rows of n numbers, symmetric, unit diagonal, each in
/// [-1, 1]; row-major.
std::optional<std::vector<double>> read_correlation(const node_ref& n, std::size_t size) {
  const auto rows = n.to_items();
  if (!rows) return std::nullopt;
  if (rows->size() != size) {
    n.error(fmt::format("expected {} rows (one per parameter, in their order), found {}", size,
                        rows->size()));
    return std::nullopt;
  }
  std::vector<double> c(size * size);
  std::vector<std::vector<node_ref>> cells;
  for (std::size_t i = 0; i < size; ++i) {
    auto row = (*rows)[i].to_items();
    if (!row) return std::nullopt;
    if (row->size() != size) {
      (*rows)[i].error(fmt::format("expected {} numbers, found {}", size, row->size()));
      return std::nullopt;
    }
    for (std::size_t j = 0; j < size; ++j) {
      const auto x = (*row)[j].to_number();
      if (!x) return std::nullopt;
      c[i * size + j] = *x;
    }
    cells.push_back(std::move(*row));
  }
  for (std::size_t i = 0; i < size; ++i)
    for (std::size_t j = 0; j < size; ++j) {
      const double r = c[i * size + j];
      if (i == j && r != 1) {
        cells[i][j].error(fmt::format("a parameter's correlation with itself is 1, found {}", r));
        return std::nullopt;
      }
      if (!(r >= -1 && r <= 1)) {
        cells[i][j].error(fmt::format("expected a correlation in [-1, 1], found {}", r));
        return std::nullopt;
      }
      if (j < i && r != c[j * size + i]) {
        cells[i][j].error(
            fmt::format("the matrix is not symmetric: {} here, {} in row {}, "
                        "column {}",
                        r, c[j * size + i], j + 1, i + 1));
        return std::nullopt;
      }
    }
  return c;
}

/// Reads one `multivariate_normal` group; reports problems at their keys.
std::optional<correlated_group> read_group(const node_ref& n, const model_description& md,
                                           const std::vector<std::vector<std::string>>& split_all,
                                           const std::vector<std::string>& all_paths) {
  map_view m(n, yaml_keys("correlated_group"));
  if (!m.is_map()) return std::nullopt;
  correlated_group g;
  g.where = n.where();
  if (const auto s = m.get("source")) g.source = s->to_string().value_or("");
  const auto ps = m.require("parameters");
  const auto cs = m.require("correlation");
  if (!ps || !cs) return std::nullopt;
  const auto entries = read_group_entries(*ps, md, split_all, all_paths);
  if (!entries) return std::nullopt;
  const auto correlation = read_correlation(*cs, entries->size());
  if (!correlation) return std::nullopt;
  std::vector<double> mean, sd, lower, upper;
  for (const auto& e : *entries) {
    g.targets.push_back(e.target);
    mean.push_back(e.mean);
    sd.push_back(e.sd);
    lower.push_back(e.lower);
    upper.push_back(e.upper);
  }
  auto dist = engine::multivariate_normal::make(std::move(mean), std::move(sd), *correlation,
                                                std::move(lower), std::move(upper));
  if (!dist) {
    cs->error("the correlation matrix is not positive definite",
              {"no set of variables has these correlations: check for a typo, or for "
               "parameters correlated +-1 (keep one of them)"});
    return std::nullopt;
  }
  g.dist = std::move(*dist);
  return g;
}

/// Whether every value a sample of `up` can give is valid for every parameter it matches;
/// reports the first that is not at the spec `node`.
bool fits_ranges(const node_ref& node, const uncertain_parameter& up, const model_description& md) {
  const auto [lo, hi] = practical_support(up.dist);
  for (std::size_t t : up.targets) {
    const auto& p = md.params[t];
    double a = lo, b = hi;
    if (up.apply == apply_mode::multiply) {
      a = std::min(lo * p.value, hi * p.value);
      b = std::max(lo * p.value, hi * p.value);
    } else if (up.apply == apply_mode::add) {
      a = p.value + lo;
      b = p.value + hi;
    }
    if (!p.range.contains(a) || !p.range.contains(b)) {
      node.error(
          fmt::format("samples can fall outside the valid range of {}", p.path),
          {fmt::format(
               "the distribution gives {} to {} (1e-9 tails cut){}; {} must be {}", a, b,
               up.apply == apply_mode::set
                   ? std::string()
                   : fmt::format(" after {} its value {}",
                                 up.apply == apply_mode::multiply ? "multiplying" : "adding to",
                                 p.value),
               p.path, p.range.describe()),
           "choose bounds inside the range, or a bounded distribution "
           "(uniform, triangular, pert, truncated_normal, beta)"});
      return false;
    }
  }
  return true;
}

/// Whether a path segment is a year: the last segment of a series point's path.
bool is_year(const std::string& segment) {
  return !segment.empty() &&
         std::all_of(segment.begin(), segment.end(), [](char c) { return c >= '0' && c <= '9'; });
}

/// Whether `pattern`, with no '*', names a series (its matches are its points): one draw then
/// acts on every point, as with `shared: true` (docs/monte-carlo.md).
bool names_series(const std::string& pattern, const std::vector<std::size_t>& targets,
                  const std::vector<std::vector<std::string>>& split_all) {
  const auto pat = split_path(pattern);
  if (std::find(pat.begin(), pat.end(), "*") != pat.end()) return false;
  return std::all_of(targets.begin(), targets.end(),
                     [&](std::size_t t) { return split_all[t].size() == pat.size() + 1; });
}

}  // namespace

// A series' path (e.g. countries.NGA.cadres.doctors.seats; its last segment not '*') matches
// all its points (.2023, ...).
std::vector<std::size_t> matching_paths(const std::string& pattern,
                                        const std::vector<std::vector<std::string>>& split_all) {
  const auto pat = split_path(pattern);
  std::vector<std::size_t> out;
  for (std::size_t i = 0; i < split_all.size(); ++i) {
    const auto& segs = split_all[i];
    const bool point = segs.size() == pat.size() + 1 && pat.back() != "*" && is_year(segs.back());
    if (segs.size() != pat.size() && !point) continue;
    bool match = true;
    for (std::size_t s = 0; s < pat.size() && match; ++s)
      match = pat[s] == "*" || pat[s] == segs[s];
    if (match) out.push_back(i);
  }
  return out;
}

std::vector<std::vector<std::string>> split_paths(const parameter_table& params) {
  std::vector<std::vector<std::string>> out;
  for (const auto& p : params.paths()) out.push_back(split_path(p));
  return out;
}

std::string_view apply_name(apply_mode mode) {
  switch (mode) {
    case apply_mode::set:
      return "set";
    case apply_mode::multiply:
      return "multiply";
    case apply_mode::add:
      return "add";
  }
  return "set";
}

void read_uncertainty(const std::vector<node_ref>& blocks, model_description& md,
                      uncertainty_desc& out) {
  uncertainty_keys k;
  for (const auto& b : blocks) read_block(b, out, k);
  if (!out.present) return;
  // The seed is required somewhere in the chain: no silent default. So is the number of runs
  // of `mc`, which checks it (prepare_study); a sensitivity study's design sets its own.
  const map_view whole(*k.last, block_keys());
  out.where = k.last->where();
  if (!k.has_seed)
    whole.report_missing("seed", {"a whole number; the same seed gives the same runs"});
  if (!k.has_params)
    whole.report_missing("parameters", {"path: {dist: ..., ...} entries, or correlated groups "
                                        "under `multivariate_normal`"});

  const auto all_paths = md.params.paths();
  const auto split_all = split_paths(md.params);
  for (const auto& [pattern, node] : k.specs) {
    auto up = read_spec(node, pattern);
    if (!up) continue;
    up->targets = matching_paths(pattern, split_all);
    if (!up->targets.empty() && names_series(pattern, up->targets, split_all)) up->shared = true;
    if (up->targets.empty()) {
      node.error(fmt::format("'{}' matches no parameter of the model or its policies", pattern),
                 {"'*' stands for one path segment; `hwfsim params <scenario>` lists every path"},
                 engine::closest_match(pattern, all_paths).value_or(""));
      continue;
    }
    // Every value a sample can give must be valid for every matched parameter.
    if (fits_ranges(node, *up, md)) out.parameters.push_back(std::move(*up));
  }
  for (const auto& node : k.groups)
    if (auto g = read_group(node, md, split_all, all_paths)) {
      // A parameter is drawn once: by one entry of `parameters` or one group.
      bool ok = true;
      for (std::size_t c = 0; c < g->targets.size(); ++c) {
        const auto t = g->targets[c];
        const auto same = [t](const auto& x) {
          return std::find(x.targets.begin(), x.targets.end(), t) != x.targets.end();
        };
        const auto spec = std::find_if(out.parameters.begin(), out.parameters.end(), same);
        const auto group = std::find_if(out.groups.begin(), out.groups.end(), same);
        if (spec == out.parameters.end() && group == out.groups.end()) continue;
        const auto& at = spec != out.parameters.end() ? spec->where : group->where;
        node.error(fmt::format("{} is drawn already, by the entry at {}:{}:{}", md.params[t].path,
                               at.file, at.line, at.column),
                   {"a parameter is drawn once: remove it from one of the two"});
        ok = false;
      }
      if (ok) out.groups.push_back(std::move(*g));
    }
  if (out.dimensions() > input_limits::uncertain_dimensions)
    k.last->error(fmt::format("{} sampled dimensions, more than the limit of {}", out.dimensions(),
                              input_limits::uncertain_dimensions),
                  {"use `shared: true` on wildcard entries to draw once for all their matches"});
}

}  // namespace hwf::model

namespace hwf::model {

std::vector<std::string> dimension_labels(const uncertainty_desc& u,
                                          const parameter_table& params) {
  std::vector<std::string> out;
  for (const auto& p : u.parameters) {
    if (p.shared)
      out.push_back(p.pattern);
    else
      for (std::size_t t : p.targets) out.push_back(params[t].path);
  }
  for (const auto& g : u.groups)
    for (std::size_t t : g.targets) out.push_back(params[t].path);
  return out;
}

void apply_sample(const uncertainty_desc& u, const std::vector<double>& uniforms,
                  std::vector<double>& params, std::vector<double>* sampled_values) {
  std::size_t d = 0;
  if (sampled_values) sampled_values->clear();
  const auto apply = [&](const uncertain_parameter& p, std::size_t target, double x) {
    switch (p.apply) {
      case apply_mode::set:
        params[target] = x;
        break;
      case apply_mode::multiply:
        params[target] *= x;
        break;
      case apply_mode::add:
        params[target] += x;
        break;
    }
  };
  for (const auto& p : u.parameters) {
    if (p.shared) {
      const double x = p.dist.quantile(uniforms[d++]);
      if (sampled_values) sampled_values->push_back(x);
      for (std::size_t t : p.targets) apply(p, t, x);
    } else {
      for (std::size_t t : p.targets) {
        const double x = p.dist.quantile(uniforms[d++]);
        if (sampled_values) sampled_values->push_back(x);
        apply(p, t, x);
      }
    }
  }
  std::vector<double> x;
  for (const auto& g : u.groups) {
    x.resize(g.targets.size());
    g.dist.draw(std::span<const double>(uniforms).subspan(d, x.size()), x);
    d += x.size();
    for (std::size_t c = 0; c < x.size(); ++c) {
      params[g.targets[c]] = x[c];
      if (sampled_values) sampled_values->push_back(x[c]);
    }
  }
}

}  // namespace hwf::model
