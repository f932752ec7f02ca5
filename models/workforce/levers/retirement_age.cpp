// The retirement-age lever (docs/model.md, 15.7): the upper edge of the last age band moves by
// `shift_years` over the ramp, in country-cadres with age bands.

#include <algorithm>
#include <array>

#include <fmt/format.h>

#include "models/workforce/compiled_model.hpp"
#include "models/workforce/levers/lever.hpp"

namespace hwf::model::levers {

namespace {

const std::array fields_table{
    numeric_field{"shift_years",
                  "years",
                  {-100, 100},
                  std::nullopt,
                  "Years added to the retirement age (the last age band's upper edge); negative "
                  "lowers it, but the band must stay wider than 0."},
};

/// Narrowest last band among the targeted blocks (years): a shift must stay above its minus.
double narrowest_last_band(const compiled_model& m, const std::vector<std::size_t>& blocks) {
  double out = 1e300;
  for (std::size_t b : blocks) out = std::min(out, m.blocks()[b].band_widths.back());
  return out;
}

class run final : public lever_run {
 public:
  run(std::size_t policy, const std::vector<std::size_t>& blocks, double shift)
      : policy_(policy), blocks_(blocks), shift_(shift) {}

  // Eq. F8: the last band is wider by shift_years x strength.
  void before_flows(lever_state& s) override {
    const double added = shift_ * s.strength[policy_];
    for (std::size_t b : blocks_) s.last_width_added[b] += added;
  }
  void on_flows(lever_state&, lever_trace*) override {}
  void after_flows(lever_state&) override {}

 private:
  std::size_t policy_;
  const std::vector<std::size_t>& blocks_;
  double shift_;
};

class compiled final : public compiled_lever {
 public:
  compiled(std::size_t policy, const compiled_model& m, const policy_desc& p)
      : compiled_lever(policy),
        blocks_(blocks_of(m, p)),
        p_shift_(required_value(p, "shift_years")),
        narrowest_(narrowest_last_band(m, blocks_)),
        shift_(m.parameters()[p_shift_]) {}

  std::unique_ptr<lever_run> bind(std::span<const double> p, lever_binding&) const override {
    // Checked as read, but a Monte Carlo draw or `set:` can move it.
    if (!(p[p_shift_] > -narrowest_))
      throw engine::input_error({{shift_.where,
                                  shift_.path,
                                  fmt::format("a shift of {} years would close the last age "
                                              "band, {} years wide",
                                              p[p_shift_], narrowest_),
                                  {"a retirement age can be lowered by less than the last "
                                   "band's width"},
                                  ""}});
    return std::make_unique<run>(policy(), blocks_, p[p_shift_]);
  }

 private:
  std::vector<std::size_t> blocks_;
  std::size_t p_shift_;
  double narrowest_;
  parameter shift_;  ///< its description, for the message
};

class type final : public block_lever_type<compiled> {
 public:
  std::string_view name() const override { return "retirement_age"; }
  std::span<const numeric_field> fields() const override { return fields_table; }
  /// Every targeted cadre must have age bands, and the shift must leave the last band open.
  bool read(lever_input& in, policy_desc& p) const override {
    if (!read_blocks(in, p)) return false;
    const auto where = in.keys.get("cadres") ? *in.keys.get("cadres") : in.self;
    for (std::size_t k : p.cadres) {
      const auto& cadre = in.model.cadres[k];
      if (cadre.age_bands.empty()) {
        where.error(
            fmt::format("cadre {} has no age bands, so no retirement age to move", cadre.id),
            {fmt::format("give cadres.{}.age_bands in the model (docs/yaml-reference.md, "
                         "age bands), or leave it out of this policy",
                         cadre.id)});
        in.ok = false;
        continue;
      }
      const auto shift = p.value("shift_years");
      const auto& last = cadre.age_bands.back();
      if (shift && !(in.model.params[*shift].value > -(last.to - last.from))) {
        const auto n = in.keys.get("shift_years");
        (n ? *n : in.self)
            .error(fmt::format("a shift of {} years would close the last age band of {}, "
                               "[{}, {})",
                               in.model.params[*shift].value, cadre.id, last.from, last.to),
                   {"a retirement age can be lowered by less than the last band's width"});
        in.ok = false;
      }
    }
    return in.ok;
  }
};

}  // namespace

const lever_type& retirement_age() {
  static const type t;
  return t;
}

}  // namespace hwf::model::levers
