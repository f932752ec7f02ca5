// The retention lever (docs/model.md, 7.2 and 15.4): a salary top-up that lowers emigration
// (push), exits and retirement of the covered workers, each with its own elasticity, at a cost
// proportional to the workforce.

#include <cmath>

#include "models/workforce/compiled_model.hpp"
#include "models/workforce/levers/lever.hpp"

namespace hwf::model::levers {

namespace {

const std::array fields_table{
    numeric_field{"u", "share of salary", {0, 10}, std::nullopt, "Salary top-up u."},
    numeric_field{"kappa", "share", {0, 1}, 1.0, "Share of the workforce covered by the top-up."},
    numeric_field{
        "eps_m", "dimensionless", {0, 10}, std::nullopt, "Elasticity of emigration to the top-up."},
    numeric_field{
        "eps_x", "dimensionless", {0, 10}, std::nullopt, "Elasticity of exits to the top-up."},
    numeric_field{"eps_r",
                  "dimensionless",
                  {0, 10},
                  0.0,
                  "Elasticity of retirement to the top-up (0: retirement untouched)."},
};

const std::array replaced_table{
    replaced_key{"eps_a", "'eps_a' is replaced by two keys, eps_x (exits) and eps_r (retirement)",
                 "the attrition elasticity now acts on exit_rate (eps_x) and retirement_rate "
                 "(eps_r, default 0) apart; see docs/model.md, 15.4"},
};

/// The factor 1 - kappa * (1 - x^(-eps)) of a top-up x on a covered share kappa (eq. D1).
double retention_factor(double kappa, double topup, double eps) {
  return 1 - kappa * (1 - std::pow(topup, -eps));
}

/// Elasticities of emigration (m), exits (x) and retirement (r) to the top-up.
struct elasticities {
  double m, x, r;
};

class run final : public lever_run {
 public:
  run(std::size_t policy, const std::vector<std::size_t>& blocks,
      const std::vector<std::size_t>& workforce, const std::vector<std::size_t>& bands,
      std::vector<double> salary, double u, double kappa, const elasticities& eps)
      : policy_(policy),
        blocks_(blocks),
        workforce_(workforce),
        bands_(bands),
        salary_(std::move(salary)),
        u_(u),
        kappa_(kappa),
        eps_(eps) {}

  // Eq. 14-16 and D1-D2: push, exit and retirement factors multiply; the cost is the top-up
  // paid to the covered.
  void before_flows(lever_state& s) override {
    const double strength = s.strength[policy_];
    if (strength == 0) return;
    const double topup = 1 + u_ * strength;
    const double push = retention_factor(kappa_, topup, eps_.m);
    const double exits = retention_factor(kappa_, topup, eps_.x);
    const double retirement = retention_factor(kappa_, topup, eps_.r);
    for (std::size_t j = 0; j < blocks_.size(); ++j) {
      const std::size_t b = blocks_[j];
      s.push[b] *= push;
      s.exit_factor[b] *= exits;
      s.retirement_factor[b] *= retirement;
      double workers = s.x[workforce_[j]];  // summed over age bands, where there are any
      for (std::size_t k = 1; k < bands_[j]; ++k) workers += s.x[workforce_[j] + k];
      s.retention_cost[b] += u_ * strength * salary_[j] * kappa_ * workers;
    }
  }
  void on_flows(lever_state&, lever_trace*) override {}
  void after_flows(lever_state&) override {}

 private:
  std::size_t policy_;
  const std::vector<std::size_t>& blocks_;
  const std::vector<std::size_t>& workforce_;  ///< state offset of W, per target block
  const std::vector<std::size_t>& bands_;      ///< its age bands (1 without)
  std::vector<double> salary_;                 ///< per target block, USD/year
  double u_, kappa_;
  elasticities eps_;
};

class compiled final : public compiled_lever {
 public:
  compiled(std::size_t policy, const compiled_model& m, const policy_desc& p)
      : compiled_lever(policy),
        blocks_(blocks_of(m, p)),
        p_u_(required_value(p, "u")),
        p_kappa_(required_value(p, "kappa")),
        p_eps_m_(required_value(p, "eps_m")),
        p_eps_x_(required_value(p, "eps_x")),
        p_eps_r_(required_value(p, "eps_r")) {
    for (std::size_t b : blocks_) {
      workforce_.push_back(m.blocks()[b].workforce);
      bands_.push_back(m.blocks()[b].bands);
      p_salary_.push_back(m.blocks()[b].p_salary);
    }
  }

  std::unique_ptr<lever_run> bind(std::span<const double> p, lever_binding&) const override {
    std::vector<double> salary;
    for (std::size_t i : p_salary_) salary.push_back(p[i]);
    return std::make_unique<run>(policy(), blocks_, workforce_, bands_, std::move(salary), p[p_u_],
                                 p[p_kappa_], elasticities{p[p_eps_m_], p[p_eps_x_], p[p_eps_r_]});
  }

 private:
  std::vector<std::size_t> blocks_, workforce_, bands_, p_salary_;
  std::size_t p_u_, p_kappa_, p_eps_m_, p_eps_x_, p_eps_r_;
};

class type final : public block_lever_type<compiled> {
 public:
  std::string_view name() const override { return "retention"; }
  std::span<const numeric_field> fields() const override { return fields_table; }
  std::span<const replaced_key> replaced_keys() const override { return replaced_table; }
};

}  // namespace

const lever_type& retention() {
  static const type t;
  return t;
}

}  // namespace hwf::model::levers
