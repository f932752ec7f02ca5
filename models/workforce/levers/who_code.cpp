// The WHO Code lever (docs/model.md, 7.4): adopting destinations stop recruiting actively from
// countries on the Safeguards List, lowering those corridors' emigration by the share that
// active recruitment drives. A destination whose measured rates already carry a compliance
// (its code_compliance, kappa0: a red list of its own) has it replaced by the policy's.

#include <algorithm>
#include <optional>

#include "models/workforce/compiled_model.hpp"
#include "models/workforce/levers/lever.hpp"

namespace hwf::model::levers {

namespace {

const std::array fields_table{
    numeric_field{"compliance",
                  "share",
                  {0, 1},
                  std::nullopt,
                  "kappa_d: how fully the adopting destinations comply with the WHO Code."},
};

class run final : public lever_run {
 public:
  run(std::size_t policy, const std::vector<std::size_t>& corridors,
      std::vector<double> active_share, std::vector<double> compliance_before, double compliance)
      : policy_(policy),
        corridors_(corridors),
        active_share_(std::move(active_share)),
        before_(std::move(compliance_before)),
        compliance_(compliance) {}

  // Eq. 19: the Code factors of the covered corridors multiply; each takes the corridor from
  // the compliance its measured rate carries (kappa0) to the policy's, as the policy ramps in.
  void before_flows(lever_state& s) override {
    const double strength = s.strength[policy_];
    for (std::size_t j = 0; j < corridors_.size(); ++j) {
      const double a = active_share_[j], k0 = before_[j];
      const double k = k0 + (compliance_ - k0) * strength;
      s.code[corridors_[j]] *= (1 - a * k) / (1 - a * k0);
    }
  }
  void on_flows(lever_state&, lever_trace*) override {}
  void after_flows(lever_state&) override {}

 private:
  std::size_t policy_;
  const std::vector<std::size_t>& corridors_;
  std::vector<double> active_share_;  ///< per target corridor
  std::vector<double> before_;        ///< kappa0 of each target corridor's destination
  double compliance_;
};

class compiled final : public compiled_lever {
 public:
  compiled(std::size_t policy, const compiled_model& m, const policy_desc& p)
      : compiled_lever(policy), p_compliance_(required_value(p, "compliance")) {
    // Corridors from a Safeguards-List origin to an adopting destination.
    const auto& blocks = m.blocks();
    for (std::size_t e = 0; e < m.corridors().size(); ++e) {
      const auto& k = m.corridors()[e];
      const std::size_t d = k.destination_country;
      if (m.countries()[blocks[k.origin].country].safeguards_list &&
          std::find(p.countries.begin(), p.countries.end(), d) != p.countries.end()) {
        corridors_.push_back(e);
        p_active_share_.push_back(k.p_active_recruitment_share);
        // A rest-of-world destination has no country block and no compliance of its own.
        p_before_.push_back(d < m.countries().size()
                                ? std::optional(m.countries()[d].p_code_compliance)
                                : std::nullopt);
      }
    }
  }

  std::unique_ptr<lever_run> bind(std::span<const double> p, lever_binding&) const override {
    std::vector<double> share, before;
    for (std::size_t i : p_active_share_) share.push_back(p[i]);
    for (const auto& i : p_before_) before.push_back(i ? p[*i] : 0.0);
    return std::make_unique<run>(policy(), corridors_, std::move(share), std::move(before),
                                 p[p_compliance_]);
  }

 private:
  std::vector<std::size_t> corridors_, p_active_share_;
  std::vector<std::optional<std::size_t>> p_before_;
  std::size_t p_compliance_;
};

class type final : public compiled_as<compiled> {
 public:
  std::string_view name() const override { return "who_code"; }
  std::span<const numeric_field> fields() const override { return fields_table; }
  std::vector<std::string> target_keys() const override { return {"destinations"}; }
  bool read(lever_input& in, policy_desc& p) const override {
    const auto dn = in.keys.require("destinations");
    if (!dn) return false;
    auto d = read_names(*dn, in.countries, "country");
    if (!d) return false;
    // `all` adopts the Code in the listed destinations; the rest of the world only when named.
    p.countries = is_all(*dn) ? listed_countries(in.model, *d) : *d;
    return true;
  }
  std::vector<std::pair<std::string, std::string>> describe(
      const policy_desc& p, const model_description& md) const override {
    return {{"destinations", names(p.countries, country_names(md))}};
  }
};

}  // namespace

const lever_type& who_code() {
  static const type t;
  return t;
}

}  // namespace hwf::model::levers
