// The training lever (docs/model.md, 7.3): training seats and a completion gain added in the
// targeted country-cadres, with a one-off capital cost per added seat.

#include <algorithm>

#include "models/workforce/compiled_model.hpp"
#include "models/workforce/levers/lever.hpp"

namespace hwf::model::levers {

namespace {

constexpr double inf = 1e300;  // "no upper bound" in value_range (finite, so ranges print)

const std::array fields_table{
    numeric_field{"added_seats", "persons/year", {0, inf}, 0.0, "Training seats added."},
    numeric_field{
        "delta_completion", "share", {0, 1}, 0.0, "Completion gain (completion is capped at 1)."},
    numeric_field{"capital_cost_per_seat",
                  "USD",
                  {0, inf},
                  0.0,
                  "One-off capital cost per added seat, paid evenly over max(ramp_years, 1) "
                  "years from start."},
};

class run final : public lever_run {
 public:
  run(std::size_t policy, std::size_t window, const std::vector<std::size_t>& blocks,
      double added_seats, double delta_completion, double capital_rate)
      : policy_(policy),
        window_(window),
        blocks_(blocks),
        added_seats_(added_seats),
        delta_completion_(delta_completion),
        capital_rate_(capital_rate) {}

  // Eq. 17-18: seats and completion rise with the strength; capital is paid over its window.
  void before_flows(lever_state& s) override {
    const double strength = s.strength[policy_], pay = s.strength[window_];
    for (std::size_t b : blocks_) {
      s.seats_added[b] += added_seats_ * strength;
      s.completion_added[b] += delta_completion_ * strength;
      s.capital_cost[b] += capital_rate_ * pay;
    }
  }
  void on_flows(lever_state&, lever_trace*) override {}
  void after_flows(lever_state&) override {}

 private:
  std::size_t policy_, window_;  ///< window: the profile of its capital payments
  const std::vector<std::size_t>& blocks_;
  double added_seats_, delta_completion_, capital_rate_;  ///< capital_rate: USD/year per block
};

class compiled final : public compiled_lever {
 public:
  compiled(std::size_t policy, const compiled_model& m, const policy_desc& p)
      : compiled_lever(policy),
        blocks_(blocks_of(m, p)),
        p_added_seats_(required_value(p, "added_seats")),
        p_delta_completion_(required_value(p, "delta_completion")),
        p_capital_cost_per_seat_(required_value(p, "capital_cost_per_seat")) {}

  std::unique_ptr<lever_run> bind(std::span<const double> p,
                                  lever_binding& binding) const override {
    // Capital is paid at an even rate over max(ramp_years, 1) years from start (and not after
    // the lever ends): its own on/off profile.
    const auto timing = binding.profiles[policy()];
    const double years = std::max(timing.ramp_years, 1.0);
    const std::size_t window = binding.add_profile(
        engine::ramp_profile{timing.start, 0.0, std::min(timing.start + years, timing.end)});
    return std::make_unique<run>(policy(), window, blocks_, p[p_added_seats_],
                                 p[p_delta_completion_],
                                 p[p_capital_cost_per_seat_] * p[p_added_seats_] / years);
  }

 private:
  std::vector<std::size_t> blocks_;
  std::size_t p_added_seats_, p_delta_completion_, p_capital_cost_per_seat_;
};

class type final : public block_lever_type<compiled> {
 public:
  std::string_view name() const override { return "training"; }
  std::span<const numeric_field> fields() const override { return fields_table; }
};

}  // namespace

const lever_type& training() {
  static const type t;
  return t;
}

}  // namespace hwf::model::levers
