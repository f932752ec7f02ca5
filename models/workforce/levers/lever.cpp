#include "models/workforce/levers/lever.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "models/workforce/compiled_model.hpp"

namespace hwf::model {

const lever_registry& lever_registry::builtin() {
  // Built once, never changed: the registration list of the built-in levers, in the order
  // `hwfsim schema` documents them.
  static const lever_registry registry = [] {
    lever_registry r;
    r.add(levers::retention());
    r.add(levers::training());
    r.add(levers::who_code());
    r.add(levers::agreement());
    r.add(levers::emigration_cap());
    r.add(levers::hiring());
    r.add(levers::retirement_age());
    return r;
  }();
  return registry;
}

void lever_registry::add(const lever_type& type) {
  if (find(type.name()))
    throw engine::internal_error(fmt::format("lever type '{}' registered twice", type.name()));
  types_.push_back(&type);
}

const lever_type* lever_registry::find(std::string_view name) const {
  for (const auto* t : types_)
    if (t->name() == name) return t;
  return nullptr;
}

std::vector<std::string> lever_registry::names() const {
  std::vector<std::string> out;
  for (const auto* t : types_) out.emplace_back(t->name());
  return out;
}

std::string_view policy_desc::type_name() const {
  return type ? type->name() : std::string_view("?");
}

namespace levers {

using engine::node_ref;

namespace {
std::optional<std::size_t> find_name(const node_ref& n, const std::vector<std::string>& known,
                                     std::string_view what, std::string_view expected) {
  const auto name = n.to_string();
  if (!name) return std::nullopt;
  const auto it = std::find(known.begin(), known.end(), *name);
  if (it == known.end()) {
    n.error(fmt::format("'{}' is not a declared {}", engine::printable(*name, 40), what),
            {fmt::format("{}{}", expected, engine::join_list(known))},
            engine::closest_match(*name, known).value_or(""));
    return std::nullopt;
  }
  return static_cast<std::size_t>(it - known.begin());
}
}  // namespace

std::optional<std::vector<std::size_t>> read_names(const node_ref& n,
                                                   const std::vector<std::string>& known,
                                                   std::string_view what) {
  std::vector<std::size_t> out;
  if (is_all(n)) {
    for (std::size_t i = 0; i < known.size(); ++i) out.push_back(i);
    return out;
  }
  std::vector<node_ref> items;
  if (n.is_scalar()) {
    items.push_back(n);  // a single name
  } else {
    auto list = n.to_items();
    if (!list) return std::nullopt;
    items = std::move(*list);
  }
  bool ok = true;
  for (auto& item : items) {
    const auto i = find_name(item, known, what, "expected `all` or a list of: ");
    if (!i) {
      ok = false;
    } else if (std::find(out.begin(), out.end(), *i) != out.end()) {
      item.error(fmt::format("'{}' is listed twice", engine::printable(known[*i], 40)));
      ok = false;
    } else {
      out.push_back(*i);
    }
  }
  if (ok && out.empty()) {
    n.error(fmt::format("expected at least one {}", what));
    return std::nullopt;
  }
  if (!ok) return std::nullopt;
  return out;
}

std::optional<std::size_t> read_one_name(const node_ref& n, const std::vector<std::string>& known,
                                         std::string_view what) {
  return find_name(n, known, what, "declared: ");
}

bool read_cadres_or_all(lever_input& in, std::string_view key, std::vector<std::size_t>& out) {
  if (auto n = in.keys.get(key)) {
    auto v = read_names(*n, in.cadres, "cadre");
    if (!v) return false;
    out = *v;
  } else {
    for (std::size_t k = 0; k < in.cadres.size(); ++k) out.push_back(k);
  }
  return true;
}

bool is_all(const node_ref& n) {
  return n.is_scalar() && n.node().Scalar() == "all" && n.node().Tag() != "!";
}

std::vector<std::size_t> listed_countries(const model_description& md,
                                          const std::vector<std::size_t>& countries) {
  std::vector<std::size_t> out;
  for (std::size_t c : countries)
    if (!md.countries[c].rest_of_world) out.push_back(c);
  return out;
}

bool read_blocks(lever_input& in, policy_desc& p) {
  const auto cn = in.keys.require("countries");
  if (!cn) return false;
  auto countries = read_names(*cn, in.countries, "country");
  std::vector<std::size_t> cadres;
  if (!countries || !read_cadres_or_all(in, "cadres", cadres)) return false;
  p.countries = is_all(*cn) ? listed_countries(in.model, *countries) : *countries;
  p.cadres = cadres;
  for (std::size_t c : p.countries)
    if (in.model.countries[c].rest_of_world) {
      cn->error(fmt::format("{} is a rest-of-world entry: it has no workforce or training",
                            in.countries[c]),
                {"name the countries the lever acts in; `all` leaves out the rest of the world"});
      in.ok = false;
    }
  // An explicit cadre must exist in every listed country; with `all`, each country's own.
  const auto cadres_node = in.keys.get("cadres");
  const bool explicit_cadres =
      cadres_node && !(cadres_node->is_scalar() && cadres_node->node().Scalar() == "all");
  for (std::size_t c : p.countries)
    for (std::size_t k : p.cadres)
      if (!in.model.countries[c].find(k) && explicit_cadres) {
        cadres_node->error(
            fmt::format("country {} has no {} declared", in.countries[c], in.cadres[k]));
        in.ok = false;
      }
  return true;
}

std::vector<std::pair<std::string, std::string>> describe_blocks(const policy_desc& p,
                                                                 const model_description& md) {
  return {{"countries", names(p.countries, country_names(md))},
          {"cadres", names(p.cadres, cadre_names(md))}};
}

bool corridor_exists(const model_description& md, std::size_t o, std::size_t d, std::size_t k) {
  return std::any_of(md.corridors.begin(), md.corridors.end(), [&](const corridor_desc& e) {
    return e.origin == o && e.destination == d && e.cadre == k;
  });
}

std::string names(const std::vector<std::size_t>& idx, const std::vector<std::string>& all) {
  if (idx.size() == all.size() && all.size() > 1) return "all";
  std::string out = "[";
  for (std::size_t i = 0; i < idx.size(); ++i) out += (i ? ", " : "") + all[idx[i]];
  return out + "]";
}

std::vector<std::string> country_names(const model_description& md) {
  std::vector<std::string> out;
  for (const auto& c : md.countries) out.push_back(c.iso3);
  return out;
}

std::vector<std::string> cadre_names(const model_description& md) {
  std::vector<std::string> out;
  for (const auto& k : md.cadres) out.push_back(k.id);
  return out;
}

std::optional<std::size_t> block_of(const compiled_model& m, std::size_t country,
                                    std::size_t cadre) {
  if (country >= m.countries().size()) return std::nullopt;  // the rest of the world
  for (std::size_t bi : m.countries()[country].blocks)
    if (m.blocks()[bi].cadre == cadre) return bi;
  return std::nullopt;
}

std::vector<std::size_t> blocks_of(const compiled_model& m, const policy_desc& p) {
  std::vector<std::size_t> out;
  for (std::size_t c : p.countries)
    for (std::size_t k : p.cadres)
      if (auto b = block_of(m, c, k)) out.push_back(*b);
  return out;
}

std::size_t required_value(const policy_desc& p, std::string_view key) {
  const auto index = p.value(key);
  if (!index)
    throw engine::internal_error(
        fmt::format("policy '{}' reached the compiler without its `{}`", p.name, key));
  return *index;
}

}  // namespace levers

}  // namespace hwf::model
