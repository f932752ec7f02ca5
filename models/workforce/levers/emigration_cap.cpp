// The emigration cap lever (docs/model.md, 7.6): at most `cap` emigrants a year of each capped
// cadre over the origin's corridors (exempt destinations neither counted nor capped).

#include <algorithm>

#include <fmt/format.h>

#include "models/workforce/compiled_model.hpp"
#include "models/workforce/levers/lever.hpp"

namespace hwf::model::levers {

namespace {

const std::array fields_table{
    numeric_field{
        "cap",
        "persons/year",
        {0, 1e300},
        std::nullopt,
        "Most emigrants a year of each capped cadre, over the origin's non-exempt corridors."},
};

using corridor_groups = std::vector<std::vector<std::size_t>>;  ///< per cadre: capped corridors

class run final : public lever_run {
 public:
  run(std::size_t policy, const corridor_groups& groups, double cap)
      : policy_(policy), groups_(groups), cap_(cap) {}

  void before_flows(lever_state&) override {}

  // Eq. 21: each group's flows scale down together to the cap, by the strength.
  void on_flows(lever_state& s, lever_trace*) override {
    const double strength = s.strength[policy_];
    if (strength == 0) return;
    for (const auto& group : groups_) {
      double total = 0;
      for (std::size_t e : group) total += s.flow[e];
      if (total <= 0) continue;
      if (total > cap_) bound_[0] = true;
      const double factor = 1 - strength * (1 - std::min(1.0, cap_ / total));
      for (std::size_t e : group) s.flow[e] *= factor;
    }
  }
  void after_flows(lever_state&) override {}

 private:
  std::size_t policy_;
  const corridor_groups& groups_;
  double cap_;
};

class compiled final : public compiled_lever {
 public:
  compiled(std::size_t policy, const compiled_model& m, const policy_desc& p)
      : compiled_lever(policy), p_cap_(required_value(p, "cap")) {
    const auto& blocks = m.blocks();
    for (std::size_t k : p.cadres) {
      std::vector<std::size_t> group;
      for (std::size_t e = 0; e < m.corridors().size(); ++e) {
        const auto& o = blocks[m.corridors()[e].origin];
        const std::size_t d = m.corridors()[e].destination_country;
        if (o.country == p.origin && o.cadre == k &&
            std::find(p.exempt.begin(), p.exempt.end(), d) == p.exempt.end())
          group.push_back(e);
      }
      if (!group.empty()) groups_.push_back(std::move(group));
    }
  }

  std::unique_ptr<lever_run> bind(std::span<const double> p, lever_binding&) const override {
    return std::make_unique<run>(policy(), groups_, p[p_cap_]);
  }
  int flow_order() const override { return 1; }  // after the agreements (eq. 21)
  std::vector<std::size_t> limit_parameters() const override { return {p_cap_}; }

 private:
  corridor_groups groups_;
  std::size_t p_cap_;
};

class type final : public compiled_as<compiled> {
 public:
  std::string_view name() const override { return "emigration_cap"; }
  std::span<const numeric_field> fields() const override { return fields_table; }
  std::vector<std::string> target_keys() const override { return {"origin", "cadres", "exempt"}; }
  bool read(lever_input& in, policy_desc& p) const override {
    const auto on = in.keys.require("origin");
    if (!on) return false;
    const auto o = read_one_name(*on, in.countries, "country");
    std::vector<std::size_t> cadres;
    if (!o || !read_cadres_or_all(in, "cadres", cadres)) return false;
    if (in.model.countries[*o].rest_of_world) {
      on->error(
          fmt::format("{} is a rest-of-world entry: no one emigrates from it", in.countries[*o]),
          {"an emigration cap is set by the origin country whose workers leave"});
      return false;
    }
    p.origin = *o;
    p.cadres = cadres;
    if (auto en = in.keys.get("exempt")) {
      auto v = read_names(*en, in.countries, "country");
      if (!v) return false;
      p.exempt = *v;
    }
    return true;
  }
  std::vector<std::pair<std::string, std::string>> describe(
      const policy_desc& p, const model_description& md) const override {
    const auto isos = country_names(md);
    std::vector<std::pair<std::string, std::string>> out{
        {"origin", isos[p.origin]}, {"cadres", names(p.cadres, cadre_names(md))}};
    if (!p.exempt.empty()) out.emplace_back("exempt", names(p.exempt, isos));
    return out;
  }
};

}  // namespace

const lever_type& emigration_cap() {
  static const type t;
  return t;
}

}  // namespace hwf::model::levers
