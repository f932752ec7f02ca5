// The bilateral agreement lever (docs/model.md, 7.5): on the corridors from one origin to one
// destination, a target flow, a quota, circular migration (stay_years), compensation (training
// seats the destination funds in the origin per recruit), and a recruitment route: a quota on
// the actively recruited share, and recruits taken from the origin's unemployed.

#include <algorithm>

#include <fmt/format.h>

#include "models/workforce/compiled_model.hpp"
#include "models/workforce/levers/lever.hpp"

namespace hwf::model::levers {

namespace {

constexpr double inf = 1e300;  // "no upper bound" in value_range (finite, so ranges print)

const std::array fields_table{
    numeric_field{"target_flow",
                  "persons/year",
                  {0, inf},
                  std::nullopt,
                  "Flow the agreement brings the corridor up to (at least).",
                  true},
    numeric_field{"quota",
                  "persons/year",
                  {0, inf},
                  std::nullopt,
                  "Most workers a year the corridor may carry.",
                  true},
    numeric_field{"stay_years",
                  "years",
                  {0, 100, true},
                  std::nullopt,
                  "Circular migration: the return rate becomes at least 1/stay_years.",
                  true},
    numeric_field{"seats_per_recruit",
                  "seats/recruit",
                  {0, 100},
                  std::nullopt,
                  "Compensation: training seats the destination funds in the origin per "
                  "recruit.",
                  true},
    numeric_field{"active_quota",
                  "persons/year",
                  {0, inf},
                  std::nullopt,
                  "Most workers a year recruited actively (the corridor's "
                  "active_recruitment_share of its flow); those who go on their own are not "
                  "counted.",
                  true},
    numeric_field{"unemployed_share",
                  "1",
                  {0, 1},
                  std::nullopt,
                  "Share of the actively recruited workers taken from the origin's unemployed "
                  "(who have no post); needs funded posts in the origin.",
                  true},
};

/// A corridor the agreement covers: its index and blocks, and the parameters of its origin's
/// training that price compensation.
struct corridor_target {
  std::size_t corridor, origin, destination;
  std::size_t p_training_years, p_cost_per_student_year, p_active_recruitment_share;
};

/// A covered corridor in one run.
struct covered {
  std::size_t corridor, origin, destination;
  double training_years, cost_per_student_year;  ///< the origin's
  double active_share;                           ///< the corridor's active_recruitment_share
};

/// The agreement's values in one run; `has_*` says whether the scenario gave the term.
struct terms {
  bool has_target, has_quota, has_stay, has_seats, has_active_quota, has_unemployed_share;
  double target, quota, stay_rate, seats_per_recruit;  ///< stay_rate = 1 / stay_years
  double active_quota, unemployed_share;
};

class run final : public lever_run {
 public:
  run(std::size_t policy, std::vector<covered> corridors, terms t, lever_term flow_term,
      lever_term return_term)
      : policy_(policy),
        corridors_(std::move(corridors)),
        t_(t),
        flow_term_(flow_term),
        return_term_(return_term) {}

  void before_flows(lever_state&) override {}

  // Eq. 20: the flow is raised to the target, then held to the quota; returns raised to
  // 1/stay_years; each by the strength, to the flow the previous levers left. Eq. 20a: then the
  // actively recruited part of the flow is held to the active quota, and a share of it is taken
  // from the origin's unemployed alone.
  void on_flows(lever_state& s, lever_trace* trace) override {
    const double strength = s.strength[policy_];
    if (strength == 0) return;
    for (const auto& c : corridors_) {
      const std::size_t e = c.corridor;
      const double f = s.flow[e];
      double f2 = t_.has_target ? std::max(f, t_.target) : f;
      if (t_.has_quota && f2 > t_.quota) bound_[0] = true;
      if (t_.has_quota) f2 = std::min(f2, t_.quota);
      double g = f + strength * (f2 - f);
      if (t_.has_active_quota || t_.has_unemployed_share) {
        const double active = c.active_share * g;
        double held = active;
        if (t_.has_active_quota && active > t_.active_quota) {
          bound_[t_.has_quota ? 1 : 0] = true;  // limit_parameters(): the quota first
          held = t_.active_quota;
        }
        const double recruits = active + strength * (held - active);
        g += recruits - active;
        if (t_.has_unemployed_share && g > 0)
          s.unemployed_share[e] =
              std::max(s.unemployed_share[e], strength * t_.unemployed_share * recruits / g);
      }
      s.flow[e] = g;
      if (trace) trace->added_flow[e] = s.flow[e] - f;
      if (t_.has_stay) {
        const double r = s.return_rate[e];
        s.return_rate[e] = r + strength * (std::max(r, t_.stay_rate) - r);
        if (trace) trace->added_return[e] = s.return_rate[e] - r;
      }
    }
  }

  // Eq. 22: compensation on the final flows, as seats in the origin paid by the destination.
  void after_flows(lever_state& s) override {
    const double strength = s.strength[policy_];
    if (!t_.has_seats || strength == 0) return;
    for (const auto& c : corridors_) {
      const double seats = strength * t_.seats_per_recruit * s.flow[c.corridor];
      const double cost = seats * c.training_years * c.cost_per_student_year;
      s.seats_added[c.origin] += seats;
      // The rest of the world has no block to book what it pays (docs/model.md, 15.2).
      if (c.destination != corridor_block::no_block) s.compensation_paid[c.destination] += cost;
      s.compensation_received[c.origin] += cost;
      s.compensation[c.corridor] += cost;
    }
  }
  lever_term raises_flow() const override { return flow_term_; }
  lever_term raises_return() const override { return return_term_; }

 private:
  std::size_t policy_;
  std::vector<covered> corridors_;
  terms t_;
  lever_term flow_term_, return_term_;
};

class compiled final : public compiled_lever {
 public:
  compiled(std::size_t policy, const compiled_model& m, const policy_desc& p)
      : compiled_lever(policy),
        p_target_flow_(p.value("target_flow")),
        p_quota_(p.value("quota")),
        p_stay_years_(p.value("stay_years")),
        p_seats_per_recruit_(p.value("seats_per_recruit")),
        p_active_quota_(p.value("active_quota")),
        p_unemployed_share_(p.value("unemployed_share")) {
    const auto& blocks = m.blocks();
    for (std::size_t k : p.cadres)
      for (std::size_t e = 0; e < m.corridors().size(); ++e) {
        const auto& c = m.corridors()[e];
        if (blocks[c.origin].country == p.origin && c.destination_country == p.destination &&
            blocks[c.origin].cadre == k) {
          const auto& o = blocks[c.origin];
          corridors_.push_back({e, c.origin, c.destination, o.p_training_years,
                                o.p_cost_per_student_year, c.p_active_recruitment_share});
          break;
        }
      }
  }

  std::unique_ptr<lever_run> bind(std::span<const double> p, lever_binding&) const override {
    const auto value = [&](const std::optional<std::size_t>& i) { return i ? p[*i] : 0.0; };
    terms t{p_target_flow_.has_value(),
            p_quota_.has_value(),
            p_stay_years_.has_value(),
            p_seats_per_recruit_.has_value(),
            p_active_quota_.has_value(),
            p_unemployed_share_.has_value(),
            value(p_target_flow_),
            value(p_quota_),
            p_stay_years_ ? 1.0 / p[*p_stay_years_] : 0.0,
            value(p_seats_per_recruit_),
            value(p_active_quota_),
            value(p_unemployed_share_)};
    std::vector<covered> corridors;
    for (const auto& c : corridors_)
      corridors.push_back({c.corridor, c.origin, c.destination, p[c.p_training_years],
                           p[c.p_cost_per_student_year], p[c.p_active_recruitment_share]});
    return std::make_unique<run>(policy(), std::move(corridors), t,
                                 lever_term{p_target_flow_, t.target},
                                 lever_term{p_stay_years_, t.has_stay ? 1 / t.stay_rate : 0.0});
  }
  std::vector<std::size_t> limit_parameters() const override {
    std::vector<std::size_t> out;
    for (const auto& p : {p_quota_, p_active_quota_})
      if (p) out.push_back(*p);
    return out;
  }

 private:
  std::vector<corridor_target> corridors_;
  std::optional<std::size_t> p_target_flow_, p_quota_, p_stay_years_, p_seats_per_recruit_,
      p_active_quota_, p_unemployed_share_;
};

/// Reads origin, destination and cadres: each cadre needs a declared corridor.
bool read_route(lever_input& in, policy_desc& p) {
  const auto on = in.keys.require("origin");
  const auto dn = in.keys.require("destination");
  if (!on || !dn) return false;
  const auto o = read_one_name(*on, in.countries, "country");
  const auto d = read_one_name(*dn, in.countries, "country");
  if (!o || !d) return false;
  p.origin = *o;
  p.destination = *d;
  std::vector<std::size_t> with_corridor;
  for (std::size_t k = 0; k < in.cadres.size(); ++k)
    if (corridor_exists(in.model, *o, *d, k)) with_corridor.push_back(k);
  if (with_corridor.empty()) {
    in.self.error(
        fmt::format("no corridor is declared from {} to {}", in.countries[*o], in.countries[*d]),
        {"an agreement acts on declared corridors; add one under `corridors` in the model"});
    return false;
  }
  const auto cn = in.keys.get("cadres");
  if (!cn) {
    p.cadres = with_corridor;
    return true;
  }
  auto v = read_names(*cn, in.cadres, "cadre");
  if (!v) return false;
  for (std::size_t k : *v)
    if (!corridor_exists(in.model, *o, *d, k)) {
      cn->error(fmt::format("no {} corridor is declared from {} to {}", in.cadres[k],
                            in.countries[*o], in.countries[*d]));
      in.ok = false;
    }
  p.cadres = *v;
  return true;
}

class type final : public compiled_as<compiled> {
 public:
  std::string_view name() const override { return "agreement"; }
  std::span<const numeric_field> fields() const override { return fields_table; }
  std::vector<std::string> target_keys() const override {
    return {"origin", "destination", "cadres"};
  }
  std::string_view schema_note() const override { return " (at least one of these)"; }
  bool read(lever_input& in, policy_desc& p) const override {
    if (!read_route(in, p)) return false;
    if (p.values.empty()) {
      in.self.error("an agreement needs at least one term",
                    {"give one or more of: target_flow, quota, stay_years, seats_per_recruit, "
                     "active_quota, unemployed_share"});
      in.ok = false;
    }
    // Recruits from the unemployed need an unemployed stock in the origin (funded posts).
    if (p.value("unemployed_share"))
      for (std::size_t k : p.cadres) {
        const auto* cc = in.model.countries[p.origin].find(k);
        if (cc && cc->labour) continue;
        const auto where = in.keys.get("unemployed_share");
        where->error(fmt::format("countries.{}.cadres.{} has no unemployed workers to recruit from",
                                 in.countries[p.origin], in.cadres[k]),
                     {"unemployed workers are modelled where the origin gives funded posts "
                      "(docs/model.md, 15.5); give posts for that country-cadre, or leave "
                      "unemployed_share out"});
        in.ok = false;
      }
    return true;
  }
  std::vector<std::pair<std::string, std::string>> describe(
      const policy_desc& p, const model_description& md) const override {
    const auto isos = country_names(md);
    return {{"origin", isos[p.origin]},
            {"destination", isos[p.destination]},
            {"cadres", names(p.cadres, cadre_names(md))}};
  }
};

}  // namespace

const lever_type& agreement() {
  static const type t;
  return t;
}

}  // namespace hwf::model::levers
