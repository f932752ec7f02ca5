// The hiring lever (docs/model.md, 15.6): funded posts added in country-cadres that have posts,
// costed at the salary of the posts filled.

#include <array>

#include <fmt/format.h>

#include "models/workforce/compiled_model.hpp"
#include "models/workforce/levers/lever.hpp"

namespace hwf::model::levers {

namespace {

constexpr double inf = 1e300;  // "no upper bound" in value_range (finite, so ranges print)

const std::array fields_table{
    numeric_field{"added_posts",
                  "posts",
                  {0, inf},
                  std::nullopt,
                  "Funded posts added; each filled post costs the cadre's salary a year."},
};

class run final : public lever_run {
 public:
  run(std::size_t policy, const std::vector<std::size_t>& blocks, std::vector<double> salary,
      double added_posts)
      : policy_(policy), blocks_(blocks), salary_(std::move(salary)), added_(added_posts) {}

  // Eq. E7: posts rise with the strength; the cost at full fill is salary x added posts (the
  // model scales it by the share of posts filled).
  void before_flows(lever_state& s) override {
    const double added = added_ * s.strength[policy_];
    for (std::size_t j = 0; j < blocks_.size(); ++j) {
      s.posts_added[blocks_[j]] += added;
      s.hiring_cost[blocks_[j]] += salary_[j] * added;
    }
  }
  void on_flows(lever_state&, lever_trace*) override {}
  void after_flows(lever_state&) override {}

 private:
  std::size_t policy_;
  const std::vector<std::size_t>& blocks_;
  std::vector<double> salary_;  ///< per target block, USD/year
  double added_;
};

class compiled final : public compiled_lever {
 public:
  compiled(std::size_t policy, const compiled_model& m, const policy_desc& p)
      : compiled_lever(policy),
        blocks_(blocks_of(m, p)),
        p_added_posts_(required_value(p, "added_posts")) {
    for (std::size_t b : blocks_) p_salary_.push_back(m.blocks()[b].p_salary);
  }

  std::unique_ptr<lever_run> bind(std::span<const double> p, lever_binding&) const override {
    std::vector<double> salary;
    for (std::size_t i : p_salary_) salary.push_back(p[i]);
    return std::make_unique<run>(policy(), blocks_, std::move(salary), p[p_added_posts_]);
  }

 private:
  std::vector<std::size_t> blocks_;
  std::vector<std::size_t> p_salary_;
  std::size_t p_added_posts_;
};

class type final : public block_lever_type<compiled> {
 public:
  std::string_view name() const override { return "hiring"; }
  std::span<const numeric_field> fields() const override { return fields_table; }
  /// Every targeted country-cadre must have funded posts: there are none to add to otherwise.
  bool read(lever_input& in, policy_desc& p) const override {
    if (!read_blocks(in, p)) return false;
    for (std::size_t c : p.countries)
      for (std::size_t k : p.cadres) {
        const auto* cc = in.model.countries[c].find(k);
        if (!cc || cc->labour) continue;
        const auto where = in.keys.get("cadres") ? *in.keys.get("cadres") : in.self;
        where.error(fmt::format("countries.{}.cadres.{} has no funded posts to add to",
                                in.countries[c], in.cadres[k]),
                    {"give posts for that country-cadre in the model (docs/yaml-reference.md, "
                     "funded posts), or leave it out of this policy"});
        in.ok = false;
      }
    return in.ok;
  }
};

}  // namespace

const lever_type& hiring() {
  static const type t;
  return t;
}

}  // namespace hwf::model::levers
