// One run of the workforce model: per-run rates from the parameter vector, the right-hand side
// (docs/model.md, equations 1-12), integration, invariant checks and indicators.

#include <algorithm>
#include <array>
#include <cmath>
#include <memory>
#include <optional>
#include <string>

#include <fmt/format.h>

#include "engine/ramp.hpp"
#include "models/workforce/compiled_model.hpp"
#include "models/workforce/indicators.hpp"
#include "models/workforce/levers/lever.hpp"

namespace hwf::model {

namespace {

/// Rates of one (country, cadre) for one run, hoisted out of the right-hand side.
struct cc_rates {
  std::size_t country;
  int stages;
  double drain;  ///< stages / training_years: outflow per student per year, each stage
  double completion;
  double dropout_share;     ///< q = 1 - completion^(1/stages)
  double entry;             ///< entry_rate
  double attrition;         ///< exit_rate + retirement_rate
  double exit, retirement;  ///< exit_rate, retirement_rate (the retention lever acts on each)
  double seats0, fill;
  double seat_growth;
  double unlisted_inflow;  ///< arrivals from unlisted origins before the pull (eq. H1)
  double need_per_person;  ///< need_density / 10,000
  double beta;
  double ratio0;  ///< need / supply at the start (pull reference), 1 if beta = 0
  double salary;
  double training_years;
  double cost_per_student_year;
  double cost_per_graduate;  ///< cost_per_student_year * training_years / completion
  double practising_share, abroad_registered_share;  ///< for `registered` (eq. C2)
  // Funded posts (docs/model.md, 15.5), where has_posts.
  bool has_posts;
  double posts0, post_growth;
  double hire_rate;              ///< 1 / hire_years
  double unemployed_exit;        ///< unemployed_exit_rate
  double unemployed_emigration;  ///< unemployed_emigration_factor
};

struct corridor_rates {
  double emigration;  ///< m0
  double returns;     ///< r0
  double attrition;   ///< the destination's exit_rate + retirement_rate (or the corridor's own)
  double active_share;
  /// Where the destination's pull and supply live: its block, or one slot past the blocks for
  /// the rest of the world (pull fixed at 1, supply counted nowhere), so no branch is needed.
  std::size_t slot;
  /// A corridor to the rest of the world: its migrants' own exit_rate and retirement_rate.
  double own_exit, own_retirement;
};

/// P(t) (docs/model.md, (1a)-(1b)): p0 grown from t0 or, with a series, the series to its
/// last year `from` and then its last value `p0` grown from there.
struct population_curve {
  double p0, growth, from;
  std::optional<input_profile> series;  ///< population_series (linear), if given

  double at(double t, double t0) const {
    if (!series) return p0 * std::exp(growth * (t - t0));
    if (t <= from) return series->at(t);
    return p0 * std::exp(growth * (t - from));
  }
};

/// The right-hand side for one run. Owns its rates and scratch; reads the compiled model.
class workforce_system final : public engine::ode_system {
 public:
  workforce_system(const compiled_model& m, std::span<const double> p) : m_(m) {
    t0_ = m.start_time();
    for (const auto& c : m.countries()) {
      population_curve pc{0, p[c.p_population_growth], 0, std::nullopt};
      if (c.has_series) {
        pc.series.emplace(c.p_series, false, p);
        pc.from = c.p_series.back().first;
        pc.p0 = p[c.p_series.back().second];
      } else {
        pc.p0 = p[c.p_population];
      }
      population_.push_back(std::move(pc));
    }
    read_block_rates(p);
    read_corridor_rates(p);
    const std::size_t nb = m.blocks().size(), ne = m.corridors().size();
    read_levers(p);
    for (const auto& s : m.series_inputs()) inputs_.emplace_back(s.points, s.step, p);
    input_pieces_.resize(inputs_.size());
    population_now_.resize(m.countries().size());
    supply_.resize(nb + 1);
    pull_.assign(nb + 1, 1.0);  // pull_[nb]: the rest of the world's, always 1 (eq. B3)
    flow_.resize(ne);
    return_rate_.resize(ne);
    strength_.resize(profiles_.size());
    if (!m.levers().empty()) {
      push_.resize(nb);
      attrition_factor_.resize(nb);
      seats_added_.resize(nb);
      completion_added_.resize(nb);
      retention_cost_.resize(nb);
      capital_cost_.resize(nb);
      compensation_paid_.resize(nb);
      compensation_received_.resize(nb);
      exit_factor_.resize(nb);
      retirement_factor_.resize(nb);
      posts_added_.resize(nb);
      hiring_cost_.resize(nb);
      last_width_added_.resize(nb);
      code_.resize(ne);
      compensation_.resize(ne);
      unemployed_share_.resize(ne);
    }
    // In lever_state's member order: x (set per evaluation), strength, the block spans, the
    // corridor spans.
    state_ = {{},
              strength_,
              push_,
              attrition_factor_,
              seats_added_,
              completion_added_,
              retention_cost_,
              capital_cost_,
              compensation_paid_,
              compensation_received_,
              exit_factor_,
              retirement_factor_,
              posts_added_,
              hiring_cost_,
              last_width_added_,
              code_,
              flow_,
              return_rate_,
              compensation_,
              unemployed_share_};
  }

  std::size_t dimension() const override { return m_.layout().size(); }

  /// The rates of every (country, cadre) for this run (cc_rates), and those of its age bands.
  void read_block_rates(std::span<const double> p) {
    for (const auto& b : m_.blocks()) {
      const double years = p[b.p_training_years];
      const double completion = p[b.p_completion];
      cc_rates r{};
      r.country = b.country;
      r.stages = b.stages;
      r.drain = b.stages / years;
      r.completion = completion;
      r.dropout_share = 1.0 - std::pow(completion, 1.0 / b.stages);
      r.entry = p[b.p_entry_rate];
      r.exit = p[b.p_exit_rate];
      r.retirement = b.aged ? 0.0 : p[b.p_retirement_rate];  // with bands: ageing out (eq. F2)
      r.attrition = r.exit + r.retirement;
      r.seats0 = p[b.p_seats];
      r.fill = p[b.p_fill];
      r.seat_growth = p[b.p_seat_growth];
      r.unlisted_inflow = p[b.p_unlisted_inflow];
      r.need_per_person = p[b.p_need_density] / 1e4;
      r.beta = p[b.p_demand_elasticity];
      r.ratio0 = 1;
      r.salary = p[b.p_salary];
      r.training_years = years;
      r.cost_per_student_year = p[b.p_cost_per_student_year];
      r.cost_per_graduate = r.cost_per_student_year * years / completion;
      r.practising_share = p[b.p_practising_share];
      r.abroad_registered_share = p[b.p_abroad_registered_share];
      r.has_posts = b.has_posts;
      if (b.has_posts) {
        r.posts0 = p[b.p_posts];
        r.post_growth = p[b.p_post_growth];
        r.hire_rate = 1 / p[b.p_hire_years];
        r.unemployed_exit = p[b.p_unemployed_exit_rate];
        r.unemployed_emigration = p[b.p_unemployed_emigration_factor];
      }
      rates_.push_back(r);
      band_at_.push_back(band_exit_.size());
      if (b.aged)
        for (std::size_t k = 0; k < b.bands; ++k) {
          band_exit_.push_back(p[b.p_band_exit[k]]);
          band_ageing_.push_back(1 / b.band_widths[k]);
          band_entry_.push_back(p[b.p_entry_shares[k]]);
          band_factor_.push_back(p[b.p_emigration_factors[k]]);
        }
      if (b.aged) {  // entry shares changed by a Monte Carlo draw still add to 1
        double total = 0;
        for (std::size_t k = 0; k < b.bands; ++k) total += band_entry_[band_at_.back() + k];
        for (std::size_t k = 0; k < b.bands; ++k) band_entry_[band_at_.back() + k] /= total;
      }
    }
  }

  /// The rates of every corridor for this run, and its migrants' exit rates by band.
  void read_corridor_rates(std::span<const double> p) {
    const std::size_t nb = m_.blocks().size();
    for (const auto& k : m_.corridors()) {
      const bool row = k.to_rest_of_world();
      const double own_retirement = row && k.bands == 1 ? p[k.p_retirement_rate] : 0.0;
      corridor_rates_.push_back(
          {p[k.p_emigration_rate], p[k.p_return_rate],
           row ? p[k.p_exit_rate] + own_retirement : rates_[k.destination].attrition,
           p[k.p_active_recruitment_share], row ? nb : k.destination, row ? p[k.p_exit_rate] : 0.0,
           own_retirement});
      // Migrants' exit rates by band (eq. F6): the destination's, or a rest-of-world corridor's.
      migrant_band_at_.push_back(migrant_band_exit_.size());
      if (k.bands > 1 || m_.blocks()[k.origin].aged)
        for (std::size_t b = 0; b < k.bands; ++b)
          migrant_band_exit_.push_back(row ? p[k.p_band_exit[b]]
                                           : band_exit_[band_at_[k.destination] + b]);
    }
    emigration_base_.resize(m_.corridors().size());
  }

  void enter_segment(double a, double b) override {
    const double mid = 0.5 * (a + b);
    for (std::size_t j = 0; j < profiles_.size(); ++j) pieces_[j] = profiles_[j].piece_at(mid);
    for (std::size_t j = 0; j < inputs_.size(); ++j) input_pieces_[j] = inputs_[j].piece_at(mid);
    in_segment_ = true;
  }

  /// Switch times of every lever (start, end of ramp, end, end of capital payments) and the
  /// knots of every series.
  std::vector<double> breakpoints() const {
    std::vector<double> out;
    for (const auto& p : profiles_) p.add_breakpoints(out);
    for (const auto& s : inputs_) s.add_breakpoints(out);
    return out;
  }

  /// Sets the rates given as series to their values at t (docs/model.md, eq. A1-A2): inside a
  /// segment, its piece's (one-sided at its ends); else the value at t.
  void set_inputs(double t) const {
    const auto& series = m_.series_inputs();
    bool attrition = false;
    for (std::size_t j = 0; j < inputs_.size(); ++j) {
      const double v = in_segment_ ? inputs_[j].at(input_pieces_[j], t) : inputs_[j].at(t);
      const std::size_t o = series[j].owner;
      switch (series[j].target) {
        case series_target::seats:
          rates_[o].seats0 = v;
          break;
        case series_target::fill:
          rates_[o].fill = v;
          break;
        case series_target::need_density:
          rates_[o].need_per_person = v / 1e4;
          break;
        case series_target::posts:
          rates_[o].posts0 = v;
          break;
        case series_target::unlisted_inflow:
          rates_[o].unlisted_inflow = v;
          break;
        case series_target::exit_rate:
          rates_[o].exit = v;
          attrition = true;
          break;
        case series_target::retirement_rate:
          rates_[o].retirement = v;
          attrition = true;
          break;
        case series_target::emigration_rate:
          corridor_rates_[o].emigration = v;
          break;
        case series_target::return_rate:
          corridor_rates_[o].returns = v;
          break;
        case series_target::migrant_exit_rate:
          corridor_rates_[o].own_exit = v;
          attrition = true;
          break;
        case series_target::migrant_retirement_rate:
          corridor_rates_[o].own_retirement = v;
          attrition = true;
          break;
      }
    }
    if (!attrition) return;
    for (auto& r : rates_) r.attrition = r.exit + r.retirement;
    const auto& corridors = m_.corridors();
    for (std::size_t e = 0; e < corridors.size(); ++e) {
      auto& k = corridor_rates_[e];
      k.attrition = corridors[e].to_rest_of_world() ? k.own_exit + k.own_retirement
                                                    : rates_[corridors[e].destination].attrition;
    }
  }

  /// The rates at time t, outside integration (initial state, output rows).
  void set_inputs_at(double t) const {
    if (inputs_.empty()) return;
    in_segment_ = false;
    set_inputs(t);
  }

  /// The start shares of block `i`'s age bands (eq. F5): its age_shares, or the steady state of
  /// its ageing chain fed by the entry shares and losing exit_rate by band and ageing out
  /// (emigration and returns left out), as fractions of its total.
  std::vector<double> start_shares(std::size_t i, std::span<const double> p) const {
    const auto& b = m_.blocks()[i];
    std::vector<double> out(b.bands);
    const std::size_t at = band_at_[i];
    if (!b.p_age_shares.empty()) {
      for (std::size_t k = 0; k < b.bands; ++k) out[k] = p[b.p_age_shares[k]];
    } else {
      double aged_in = 0;
      for (std::size_t k = 0; k < b.bands; ++k) {
        out[k] = (band_entry_[at + k] + aged_in) / (band_exit_[at + k] + band_ageing_[at + k]);
        aged_in = out[k] * band_ageing_[at + k];
      }
    }
    double total = 0;
    for (double v : out) total += v;
    for (double& v : out) v /= total;  // shares changed by a Monte Carlo draw still add to 1
    return out;
  }

  /// Initial state: stocks from the parameters, students in steady state unless given.
  std::vector<double> initial_state(std::span<const double> p) {
    std::vector<double> x(dimension(), 0.0);
    set_inputs_at(t0_);
    const auto& blocks = m_.blocks();
    for (std::size_t i = 0; i < blocks.size(); ++i) {
      const auto& b = blocks[i];
      const auto& r = rates_[i];
      const double intake0 = r.seats0 * r.fill;
      if (!b.p_students.empty()) {
        for (int s = 0; s < b.stages; ++s) x[b.students + s] = p[b.p_students[s]];
      } else if (b.students_growing) {
        // Balanced growth (eq. 23a): every stage grows at seat_growth, as the intake does.
        const double g = r.seat_growth, leave = g + r.drain;
        if (!(leave > 0))
          throw engine::numerical_error(fmt::format(
              "{} = {:.6g} shrinks the seats faster than students leave a stage ({:.6g} a "
              "year), so the pipeline of 'students: growing' has no start (eq. 23a). Raise it "
              "above {:.6g}, or give fewer stages",
              m_.parameters()[b.p_seat_growth].path, g, r.drain, -r.drain));
        const double carry = (1 - r.dropout_share) * r.drain / leave;
        for (int s = 0; s < b.stages; ++s) x[b.students + s] = intake0 / leave * std::pow(carry, s);
      } else {
        for (int s = 0; s < b.stages; ++s)
          x[b.students + s] = intake0 / r.drain * std::pow(1 - r.dropout_share, s);
      }
      // A registered count converts to practising headcount (eq. C1).
      const double w0 =
          b.workforce_registered ? p[b.p_workforce] * r.practising_share : p[b.p_workforce];
      if (!b.aged) {
        x[b.workforce] = w0;
        if (b.has_posts) x[b.unemployed] = p[b.p_unemployed];
        continue;
      }
      // With bands, W0 and U0 split by the start shares (eq. F5).
      const auto shares = start_shares(i, p);
      for (std::size_t k = 0; k < b.bands; ++k) {
        x[b.workforce + k] = w0 * shares[k];
        if (b.has_posts) x[b.unemployed + k] = p[b.p_unemployed] * shares[k];
      }
    }
    for (const auto& k : m_.corridors()) {
      if (k.bands == 1 && !blocks[k.origin].aged) {
        x[k.migrants] = p[k.p_migrant_stock];
        continue;
      }
      const auto shares = start_shares(k.origin, p);  // M0 splits like the origin's W0
      for (std::size_t b = 0; b < k.bands; ++b)
        x[k.migrants + b] = p[k.p_migrant_stock] * shares[b];
    }
    // Pull reference: need / supply at t0 (the loader checked both are positive where beta > 0).
    compute_supply(x);
    for (std::size_t i = 0; i < blocks.size(); ++i) {
      auto& r = rates_[i];
      if (r.beta == 0) continue;
      const double need = population_[r.country].at(t0_, t0_) * r.need_per_person;
      r.ratio0 = need / supply_[i];
    }
    return x;
  }

  void derivative(std::span<const double> x, std::span<double> dxdt, double t) const override {
    if (!inputs_.empty()) set_inputs(t);
    // Two instances, so that a run without policies has no lever branch in its loops.
    if (m_.levers().empty())
      evaluate<false>(x, dxdt, t);
    else
      evaluate<true>(x, dxdt, t);
  }

  const cc_rates& rates(std::size_t block) const { return rates_[block]; }

  /// The levers' effects on blocks at (x, t), for an output row: posts_added() then reads them.
  void levers_at(std::span<const double> x, double t) const {
    if (!m_.levers().empty()) apply_block_levers(x, t, false);
  }
  /// Funded posts of a block with posts at t (eq. E1), from the inputs last set, plus those the
  /// hiring levers add (as last set by levers_at).
  double posts(std::size_t block, double t) const {
    return m_.levers().empty() ? funded_posts<false>(block, t) : funded_posts<true>(block, t);
  }

  /// Why stock `i` falls at (x, t), for messages: the policy term that adds most to its outflow
  /// (empty `policy_parameter` if none does), and how far the pull has raised the emigration
  /// out of it. Evaluates the right-hand side once; used only after a failure.
  struct outflow_cause {
    std::string policy_parameter;  ///< path of the policy term, e.g. policies.x.target_flow
    std::string policy_name;
    double policy_value = 0, added = 0;  ///< the term's value; outflow it adds (per year)
    std::string pull_parameter;          ///< the destination's demand_elasticity
    std::string pull_rates;              ///< the destination's exit and retirement rates
    double pull = 1;                     ///< largest pull factor on the stock's emigration
  };
  outflow_cause cause_of_fall(std::span<const double> x, double t, std::size_t i) const {
    outflow_cause out;
    const auto& blocks = m_.blocks();
    const auto& corridors = m_.corridors();
    const auto& params = m_.parameters();
    std::vector<double> dxdt(dimension());
    derivative(x, dxdt, t);
    const std::size_t nl = runs_.size(), ne = corridors.size();
    std::vector<double> added_flow(nl * ne, 0.0), added_return(nl * ne, 0.0);
    if (!m_.levers().empty()) {
      std::vector<lever_trace> traces;
      for (std::size_t j = 0; j < nl; ++j)
        traces.push_back({std::span(added_flow).subspan(j * ne, ne),
                          std::span(added_return).subspan(j * ne, ne)});
      corridor_flows(x, true);
      apply_corridor_levers(traces.data());
    }
    const auto consider = [&](std::size_t j, const lever_term& term, double added) {
      if (!term.parameter || !(added > out.added)) return;
      out.added = added;
      out.policy_name = m_.levers().timings[j].name;
      out.policy_parameter = params[*term.parameter].path;
      out.policy_value = term.value;
    };
    for (std::size_t e = 0; e < ne; ++e) {
      const auto& k = corridors[e];
      const auto& o = blocks[k.origin];
      const auto within = [&](std::size_t first) { return i >= first && i < first + o.bands; };
      if (within(o.workforce) || (o.has_posts && within(o.unemployed))) {
        for (std::size_t j = 0; j < nl; ++j)
          consider(j, runs_[j]->raises_flow(), added_flow[j * ne + e]);
        if (k.to_rest_of_world()) continue;  // its pull is 1
        const auto& d = blocks[k.destination];
        if (rates_[k.destination].beta != 0 && pull_[k.destination] > out.pull) {
          out.pull = pull_[k.destination];
          out.pull_parameter = params[d.p_demand_elasticity].path;
          out.pull_rates =
              d.aged ? params[d.p_exit_rate].path + " and its age bands"
                     : params[d.p_exit_rate].path + " and " + params[d.p_retirement_rate].path;
        }
      }
      if (i >= k.migrants && i < k.migrants + k.bands)
        for (std::size_t j = 0; j < nl; ++j)
          consider(j, runs_[j]->raises_return(), added_return[j * ne + e] * std::abs(x[i]));
    }
    return out;
  }
  double population(std::size_t country, double t) const { return population_[country].at(t, t0_); }

  /// Limit parameters (quotas, caps) that never lowered a flow in this run, in the order the
  /// limits apply.
  std::vector<std::size_t> idle_limits() const {
    std::vector<std::size_t> out;
    for (std::size_t j : flow_order_) {
      const auto limits = m_.levers().compiled[j]->limit_parameters();
      if (limits.size() > lever_run::max_limits)
        throw engine::internal_error("a lever has more limits than lever_run::max_limits");
      for (std::size_t k = 0; k < limits.size(); ++k)
        if (!runs_[j]->ever_bound(k)) out.push_back(limits[k]);
    }
    return out;
  }

  /// Conserved total: stocks + cumulative losses - cumulative intake (constant in exact
  /// arithmetic).
  double mass(std::span<const double> x) const {
    double total = 0;
    for (std::size_t i : m_.layout().stock_indices()) total += x[i];
    const auto& blocks = m_.blocks();
    for (std::size_t i = 0; i < blocks.size(); ++i) {
      const double* acc = &x[blocks[i].accumulators];
      total += acc[acc_dropouts] + (1 - rates_[i].entry) * acc[acc_graduates] + acc[acc_attrition] -
               acc[acc_intake] - acc[acc_unlisted_immigration];
      if (blocks[i].has_posts) total += x[blocks[i].labour_accumulators + acc_unemployed_exits];
    }
    for (const auto& k : m_.corridors()) total += x[k.accumulators + acc_migrant_attrition];
    return total;
  }

 private:
  /// The right-hand side (docs/model.md, eq. 1-22); `levers`: whether the scenario has any.
  template <bool levers>
  void evaluate(std::span<const double> x, std::span<double> dxdt, double t) const {
    const auto& blocks = m_.blocks();
    const auto& corridors = m_.corridors();
    for (std::size_t c = 0; c < population_.size(); ++c)
      population_now_[c] = population_[c].at(t, t0_);
    compute_supply(x);
    for (std::size_t i = 0; i < blocks.size(); ++i) {
      const auto& r = rates_[i];
      if (r.beta == 0) {
        pull_[i] = 1;
      } else {
        const double ratio = population_now_[r.country] * r.need_per_person / supply_[i];
        pull_[i] = std::pow(ratio / r.ratio0, r.beta);
      }
    }
    if (levers) apply_block_levers(x, t);

    // Corridor flows (docs/model.md, eq. 10), then agreements, caps and compensation (levers 4-5).
    corridor_flows(x, levers);
    if (levers) apply_corridor_levers(nullptr);

    for (std::size_t i = 0; i < blocks.size(); ++i) {
      const auto& b = blocks[i];
      const auto& r = rates_[i];
      double seats = r.seats0 * std::exp(r.seat_growth * (t - t0_));
      double q = r.dropout_share;
      double attrition_rate = r.attrition;
      if (levers) {
        seats += seats_added_[i];
        if (completion_added_[i] != 0)
          q = 1.0 - std::pow(std::min(1.0, r.completion + completion_added_[i]), 1.0 / b.stages);
        attrition_rate = (r.exit * exit_factor_[i] + r.retirement * retirement_factor_[i]) *
                         attrition_factor_[i];  // eq. D2
      }
      const double intake = seats * r.fill;
      double inflow = intake, drained = 0, students = 0, last_out = 0;
      for (int s = 0; s < b.stages; ++s) {
        const double stock = x[b.students + s];
        const double out = stock * r.drain;
        dxdt[b.students + s] = inflow - out;
        inflow = out * (1 - q);
        drained += out;
        students += stock;
        last_out = out;
      }
      const double graduates = last_out * (1 - q);
      // Arrivals from unlisted origins, drawn by the pull as corridors are, join W, or U where
      // there are posts, as graduates do (eq. H1).
      const double unlisted = r.unlisted_inflow * pull_[i];
      double workers = x[b.workforce];
      double attrition = attrition_rate * workers;
      if (b.aged) {
        aged_workers<levers>(i, x, dxdt, t, r.entry * graduates, unlisted, workers, attrition);
      } else if (!r.has_posts) {
        dxdt[b.workforce] = r.entry * graduates + unlisted - attrition;  // corridors add below
      } else {
        // Entrants wait in U until hired into a vacancy (eq. E2-E4).
        const double unemployed = x[b.unemployed];
        const double hires = hiring<levers>(i, unemployed, t, dxdt);
        const double exits = r.unemployed_exit * unemployed;
        dxdt[b.workforce] = hires - attrition;
        dxdt[b.unemployed] = r.entry * graduates + unlisted - hires - exits;
        dxdt[b.labour_accumulators + acc_unemployed_exits] = exits;
      }
      double* acc = &dxdt[b.accumulators];
      acc[acc_intake] = intake;
      acc[acc_dropouts] = drained * q;
      acc[acc_graduates] = graduates;
      acc[acc_attrition] = attrition;
      acc[acc_student_years] = students;
      acc[acc_worker_years] = workers;
      acc[acc_retention_cost] = levers ? retention_cost_[i] : 0.0;
      acc[acc_capital_cost] = levers ? capital_cost_[i] : 0.0;
      acc[acc_compensation_paid] = levers ? compensation_paid_[i] : 0.0;
      acc[acc_compensation_received] = levers ? compensation_received_[i] : 0.0;
      acc[acc_unlisted_immigration] = unlisted;
    }

    for (std::size_t e = 0; e < corridors.size(); ++e) {
      if (blocks[corridors[e].origin].aged)
        aged_migrants<levers>(e, x, dxdt);
      else
        migrants_of<levers>(e, x, dxdt);
    }
  }

  /// M of corridor `e` without age bands (docs/model.md, eq. 10-12): the final flow leaves the
  /// origin's W (and U, eq. E5), returns go back to it, migrants leave at the destination's rates.
  template <bool levers>
  void migrants_of(std::size_t e, std::span<const double> x, std::span<double> dxdt) const {
    const auto& k = m_.corridors()[e];
    const auto& o = m_.blocks()[k.origin];
    const double migrants = x[k.migrants];
    const double flow = flow_[e];
    const double returns = return_rate_[e] * migrants;
    const double attrition = corridor_rates_[e].attrition * migrants;
    if (!o.has_posts) {
      dxdt[o.workforce] += returns - flow;
    } else {
      // Returnees join U; the flow leaves W and U in proportion W : f U (eq. E5), but for the
      // share an agreement takes from U alone (eq. 20a).
      const double w = x[o.workforce];
      const double u = rates_[k.origin].unemployed_emigration * x[o.unemployed];
      const double rest = levers && u > 0 ? flow * (1 - unemployed_share_[e]) : flow;
      const double from_w = w + u > 0 ? rest * (w / (w + u)) : rest;  // as in version 1
      dxdt[o.workforce] -= from_w;
      dxdt[o.unemployed] += returns - (flow - from_w);
    }
    dxdt[k.migrants] = flow - returns - attrition;
    corridor_accumulators<levers>(e, dxdt, flow, returns, attrition, migrants);
  }

  /// Funded posts of block i with posts at t (eq. E1), with those the hiring levers add.
  template <bool levers>
  double funded_posts(std::size_t i, double t) const {
    const auto& r = rates_[i];
    return r.posts0 * std::exp(r.post_growth * (t - t0_)) + (levers ? posts_added_[i] : 0.0);
  }

  /// Hiring from `unemployed` into the vacancies of block i (eq. E2-E3), and the rates of its
  /// hires and hiring-cost accumulators: added posts are paid in the share of all posts that
  /// is filled (eq. E7). Returns the hires.
  template <bool levers>
  double hiring(std::size_t i, double unemployed, double t, std::span<double> dxdt) const {
    const double posts = funded_posts<levers>(i, t);
    const double vacancies = std::max(0.0, posts - supply_[i]);
    const double hires = std::min(unemployed, vacancies) * rates_[i].hire_rate;
    double* lacc = &dxdt[m_.blocks()[i].labour_accumulators];
    lacc[acc_hires] = hires;
    lacc[acc_hiring_cost] =
        levers && posts > 0 ? hiring_cost_[i] * std::min(1.0, supply_[i] / posts) : 0.0;
    return hires;
  }

  /// The rates of corridor e's accumulators (section 9).
  template <bool levers>
  void corridor_accumulators(std::size_t e, std::span<double> dxdt, double flow, double returns,
                             double attrition, double migrants) const {
    double* acc = &dxdt[m_.corridors()[e].accumulators];
    acc[acc_emigration] = flow;
    acc[acc_returns] = returns;
    acc[acc_migrant_attrition] = attrition;
    acc[acc_compensation] = levers ? compensation_[e] : 0.0;
    acc[acc_migrant_years] = migrants;
  }

  /// W (and U) of block `i` with age bands (docs/model.md, eq. F1-F4): entrants, and arrivals
  /// from unlisted origins (eq. H1), by entry share (into U where there are posts), hiring from
  /// each band of U in proportion, exits by band, ageing into the next band and, from the last,
  /// retirement (scaled as retirement is by the retention lever) over a width the retirement-age
  /// lever moves. Returns W's total and its attrition (exits + retirements).
  template <bool levers>
  void aged_workers(std::size_t i, std::span<const double> x, std::span<double> dxdt, double t,
                    double entrants, double unlisted, double& workers, double& attrition) const {
    const auto& b = m_.blocks()[i];
    const auto& r = rates_[i];
    const std::size_t at = band_at_[i], n = b.bands;
    const double exit_scale = levers ? exit_factor_[i] * attrition_factor_[i] : 1.0;
    const double retire_scale = levers ? retirement_factor_[i] * attrition_factor_[i] : 1.0;
    const double last_ageing = 1 / (b.band_widths[n - 1] + (levers ? last_width_added_[i] : 0.0));
    double hire_share = 0, unemployed_total = 0;  // hires per unemployed worker (eq. E3, F3)
    if (r.has_posts) {
      for (std::size_t k = 0; k < n; ++k) unemployed_total += x[b.unemployed + k];
      const double hires = hiring<levers>(i, unemployed_total, t, dxdt);
      hire_share = unemployed_total > 0 ? hires / unemployed_total : 0.0;
    }
    workers = attrition = 0;
    double into_w = 0, into_u = 0, unemployed_exits = 0;  // aged in from the band below
    for (std::size_t k = 0; k < n; ++k) {
      const bool last = k + 1 == n;
      const double ageing = last ? last_ageing : band_ageing_[at + k];
      const double w = x[b.workforce + k];
      const double exits = band_exit_[at + k] * exit_scale * w;
      const double aged_out = ageing * w * (last ? retire_scale : 1.0);
      const double entering = (entrants + unlisted) * band_entry_[at + k];
      if (!r.has_posts) {
        dxdt[b.workforce + k] = into_w + entering - exits - aged_out;
      } else {
        const double u = x[b.unemployed + k];
        const double u_exits = r.unemployed_exit * u, u_aged_out = ageing * u;
        dxdt[b.workforce + k] = into_w + hire_share * u - exits - aged_out;
        dxdt[b.unemployed + k] = into_u + entering - hire_share * u - u_exits - u_aged_out;
        unemployed_exits += u_exits + (last ? u_aged_out : 0.0);
        into_u = u_aged_out;
      }
      into_w = aged_out;
      workers += w;
      attrition += exits + (last ? aged_out : 0.0);
    }
    if (r.has_posts) dxdt[b.labour_accumulators + acc_unemployed_exits] = unemployed_exits;
  }

  /// M of corridor `e` with age bands (docs/model.md, eq. F5-F7): the final flow taken from
  /// each band of the origin's W and U in proportion to its term of the emigration base and
  /// entering M in the same band; returns to the band they left; exits at the destination's
  /// rates by band and ageing, out of the last band over the destination's retirement age.
  template <bool levers>
  void aged_migrants(std::size_t e, std::span<const double> x, std::span<double> dxdt) const {
    const auto& k = m_.corridors()[e];
    const auto& o = m_.blocks()[k.origin];
    const auto& r = rates_[k.origin];
    const std::size_t at = band_at_[k.origin], mat = migrant_band_at_[e], n = k.bands;
    const double flow = flow_[e], base = emigration_base_[e];
    // The share an agreement takes from U alone (eq. 20a) leaves U's bands in proportion to
    // f_b f_U U_b; the rest leaves every band of W and U in proportion to its term (eq. F6).
    double only_u = levers && o.has_posts ? flow * unemployed_share_[e] : 0.0, u_base = 0;
    if (only_u > 0)
      for (std::size_t b = 0; b < n; ++b)
        u_base += band_factor_[at + b] * r.unemployed_emigration * x[o.unemployed + b];
    if (!(u_base > 0)) only_u = 0;
    const double per_base = base > 0 ? (flow - only_u) / base : 0.0;
    const double per_u_base = only_u > 0 ? only_u / u_base : 0.0;
    double last_width = o.band_widths[n - 1];
    if (!k.to_rest_of_world() && levers) last_width += last_width_added_[k.destination];
    const std::size_t back_to = o.has_posts ? o.unemployed : o.workforce;  // returnees (eq. E5)
    double into = 0, migrants = 0, returns = 0, attrition = 0;
    for (std::size_t b = 0; b < n; ++b) {
      const bool last = b + 1 == n;
      const double f = band_factor_[at + b];
      // Nothing to take in proportion to (an empty origin): the flow leaves the first band.
      double from_w = base > 0 ? per_base * f * x[o.workforce + b] : (b == 0 ? flow : 0.0);
      double from_u = 0;
      if (o.has_posts && base > 0)
        from_u = (per_base + per_u_base) * f * r.unemployed_emigration * x[o.unemployed + b];
      dxdt[o.workforce + b] -= from_w;
      if (o.has_posts) dxdt[o.unemployed + b] -= from_u;
      const double m = x[k.migrants + b];
      const double back = return_rate_[e] * m;
      dxdt[back_to + b] += back;
      const double exits = migrant_band_exit_[mat + b] * m;
      const double aged_out = m * (last ? 1 / last_width : band_ageing_[at + b]);
      dxdt[k.migrants + b] = into + from_w + from_u - back - exits - aged_out;
      into = aged_out;
      migrants += m;
      returns += back;
      attrition += exits + (last ? aged_out : 0.0);
    }
    corridor_accumulators<levers>(e, dxdt, flow, returns, attrition, migrants);
  }

  /// The levers' ramp profiles (one per policy, then any a lever adds) and per-run values.
  void read_levers(std::span<const double> p) {
    const auto& lv = m_.levers();
    for (const auto& t : lv.timings) {
      engine::ramp_profile r;
      r.start = p[t.p_start];
      r.ramp_years = p[t.p_ramp_years];
      if (t.p_end) r.end = p[*t.p_end];
      profiles_.push_back(r);
    }
    lever_binding binding{profiles_};
    for (const auto& l : lv.compiled) runs_.push_back(l->bind(p, binding));
    // Flow levers apply in their stage's order, then file order (docs/model.md, eq. 20-21).
    for (std::size_t j = 0; j < runs_.size(); ++j) flow_order_.push_back(j);
    std::stable_sort(flow_order_.begin(), flow_order_.end(), [&](std::size_t a, std::size_t b) {
      return lv.compiled[a]->flow_order() < lv.compiled[b]->flow_order();
    });
    pieces_.assign(profiles_.size(), engine::ramp_profile::piece::before);
  }

  /// The levers' effects before corridor flows: push, attrition factor, seats, completion, Code,
  /// and the costs they incur (docs/model.md, "Policy levers").
  /// Inside a segment (the right-hand side) the strengths are its pieces'; outside (output
  /// rows), their values at t.
  void apply_block_levers(std::span<const double> x, double t, bool in_segment = true) const {
    for (std::size_t j = 0; j < profiles_.size(); ++j)
      strength_[j] = in_segment ? profiles_[j].value(pieces_[j], t) : profiles_[j].value(t);
    std::fill(push_.begin(), push_.end(), 1.0);
    std::fill(attrition_factor_.begin(), attrition_factor_.end(), 1.0);
    std::fill(seats_added_.begin(), seats_added_.end(), 0.0);
    std::fill(completion_added_.begin(), completion_added_.end(), 0.0);
    std::fill(retention_cost_.begin(), retention_cost_.end(), 0.0);
    std::fill(capital_cost_.begin(), capital_cost_.end(), 0.0);
    std::fill(compensation_paid_.begin(), compensation_paid_.end(), 0.0);
    std::fill(compensation_received_.begin(), compensation_received_.end(), 0.0);
    std::fill(exit_factor_.begin(), exit_factor_.end(), 1.0);
    std::fill(retirement_factor_.begin(), retirement_factor_.end(), 1.0);
    std::fill(posts_added_.begin(), posts_added_.end(), 0.0);
    std::fill(hiring_cost_.begin(), hiring_cost_.end(), 0.0);
    std::fill(last_width_added_.begin(), last_width_added_.end(), 0.0);
    std::fill(code_.begin(), code_.end(), 1.0);
    std::fill(compensation_.begin(), compensation_.end(), 0.0);
    state_.x = x;
    for (const auto& r : runs_) r->before_flows(state_);
  }

  /// Corridor flows before the flow levers (eq. 10), from the pull, push and Code of this moment.
  void corridor_flows(std::span<const double> x, bool levers) const {
    const auto& blocks = m_.blocks();
    const auto& corridors = m_.corridors();
    for (std::size_t e = 0; e < corridors.size(); ++e) {
      const auto& k = corridors[e];
      const auto& r = corridor_rates_[e];
      double rate = r.emigration * pull_[r.slot];
      if (levers) rate *= push_[k.origin] * code_[e];
      const auto& o = blocks[k.origin];
      if (o.aged) {  // eq. F5: sum over bands of f_b (W_b + f_U U_b)
        const std::size_t at = band_at_[k.origin];
        double base = 0;
        for (std::size_t b = 0; b < o.bands; ++b) {
          double stock = x[o.workforce + b];
          if (o.has_posts) stock += rates_[k.origin].unemployed_emigration * x[o.unemployed + b];
          base += band_factor_[at + b] * stock;
        }
        emigration_base_[e] = base;
        flow_[e] = base * rate;
      } else {
        flow_[e] =
            o.has_posts
                ? (x[o.workforce] + rates_[k.origin].unemployed_emigration * x[o.unemployed]) * rate
                : x[o.workforce] * rate;
      }
      return_rate_[e] = r.returns;
      if (levers) unemployed_share_[e] = 0;
    }
  }

  /// The flow levers on corridor flows, in order, then the effects of the final flows
  /// (compensation). For messages, `traces` (one per lever, or null) receive what each lever
  /// added to each corridor's flow and return rate.
  void apply_corridor_levers(lever_trace* traces) const {
    for (std::size_t j : flow_order_) runs_[j]->on_flows(state_, traces ? &traces[j] : nullptr);
    for (const auto& r : runs_) r->after_flows(state_);
  }

  void compute_supply(std::span<const double> x) const {
    const auto& blocks = m_.blocks();
    const auto& corridors = m_.corridors();
    supply_[blocks.size()] = 0;  // the rest of the world's slot: summed, never read
    if (band_exit_.empty()) {    // no age bands: one entry per stock
      for (std::size_t i = 0; i < blocks.size(); ++i) supply_[i] = x[blocks[i].workforce];
      for (std::size_t e = 0; e < corridors.size(); ++e)
        supply_[corridor_rates_[e].slot] += x[corridors[e].migrants];
      return;
    }
    for (std::size_t i = 0; i < blocks.size(); ++i) {
      const auto& b = blocks[i];
      supply_[i] = x[b.workforce];
      for (std::size_t k = 1; k < b.bands; ++k) supply_[i] += x[b.workforce + k];
    }
    for (std::size_t e = 0; e < corridors.size(); ++e) {
      const auto& k = corridors[e];
      for (std::size_t b = 0; b < k.bands; ++b)
        supply_[corridor_rates_[e].slot] += x[k.migrants + b];
    }
  }

  const compiled_model& m_;
  double t0_;
  std::vector<population_curve> population_;
  // Rates given as series change with t (set_inputs); the others are set once.
  mutable std::vector<cc_rates> rates_;
  mutable std::vector<corridor_rates> corridor_rates_;
  std::vector<input_profile> inputs_;      ///< one per series_input, same order
  std::vector<std::size_t> input_pieces_;  ///< the piece of the current segment
  mutable bool in_segment_ = false;
  std::vector<engine::ramp_profile> profiles_;       ///< per policy, then those levers add
  std::vector<engine::ramp_profile::piece> pieces_;  ///< the piece of the current segment
  std::vector<std::unique_ptr<lever_run>> runs_;     ///< one per policy, in file order
  std::vector<std::size_t> flow_order_;              ///< indices into runs_, as flows apply
  // Scratch written by derivative(): one run owns this object, so no sharing across threads.
  mutable std::vector<double> population_now_, supply_, pull_, flow_, return_rate_, strength_;
  mutable std::vector<double> push_, attrition_factor_, seats_added_, completion_added_,
      retention_cost_, capital_cost_, compensation_paid_, compensation_received_, exit_factor_,
      retirement_factor_, posts_added_, hiring_cost_, last_width_added_, code_, compensation_,
      unemployed_share_;
  // Age bands (docs/model.md, 15.7): per block with bands, from band_at_[block], its exit rate,
  // ageing rate (1 / width), entry share and emigration factor by band; per corridor with bands,
  // from migrant_band_at_[corridor], its migrants' exit rate by band.
  std::vector<std::size_t> band_at_, migrant_band_at_;
  std::vector<double> band_exit_, band_ageing_, band_entry_, band_factor_, migrant_band_exit_;
  mutable std::vector<double> emigration_base_;  ///< per corridor: sum_b f_b (W_b + f_U U_b)
  mutable lever_state state_;                    ///< spans over the scratch above, for the levers
};

/// Indicator positions in the registry (indicators.hpp), checked below.
enum indicator : std::size_t {
  i_students,
  i_intake,
  i_graduates,
  i_entrants,
  i_workforce_domestic,
  i_foreign_trained,
  i_abroad,
  i_supply,
  i_population,
  i_need,
  i_density,
  i_shortage,
  i_emigration,
  i_immigration,
  i_returns,
  i_attrition,
  i_training_cost,
  i_retention_cost,
  i_compensation_paid,
  i_compensation_received,
  i_capital_cost,
  i_investment_lost,
  i_supply_years,
  i_net_migration,
  i_registered,
  i_posts,
  i_vacancies,
  i_unemployed,
  i_unemployment_rate,
  i_hires,
  i_unemployed_exits,
  i_hiring_cost,
  i_wage_bill,
  i_sdg_density
};
enum corridor_indicator : std::size_t {
  ci_emigration,
  ci_returns,
  ci_migrant_stock,
  ci_attrition,
  ci_investment_lost,
  ci_compensation,
  ci_migrant_years
};

/// The enumerators name the registry's positions (indicators.hpp): checked here, at compile time.
constexpr bool at(std::size_t i, std::string_view name) {
  return country_indicator_table[i].name == name;
}
constexpr bool corridor_at(std::size_t i, std::string_view name) {
  return corridor_indicator_table[i].name == name;
}
static_assert(country_indicator_table.size() == i_sdg_density + 1);
static_assert(at(i_students, "students") && at(i_intake, "intake") &&
              at(i_graduates, "graduates") && at(i_entrants, "entrants") &&
              at(i_workforce_domestic, "workforce_domestic") &&
              at(i_foreign_trained, "foreign_trained") && at(i_abroad, "abroad") &&
              at(i_supply, "supply") && at(i_population, "population") && at(i_need, "need") &&
              at(i_density, "density_per_10k") && at(i_shortage, "shortage") &&
              at(i_emigration, "emigration") && at(i_immigration, "immigration") &&
              at(i_returns, "returns") && at(i_attrition, "attrition") &&
              at(i_training_cost, "training_cost") && at(i_retention_cost, "retention_cost") &&
              at(i_compensation_paid, "compensation_paid") &&
              at(i_compensation_received, "compensation_received") &&
              at(i_capital_cost, "capital_cost") && at(i_investment_lost, "investment_lost") &&
              at(i_supply_years, "supply_years") && at(i_net_migration, "net_migration") &&
              at(i_registered, "registered") && at(i_posts, "posts") &&
              at(i_vacancies, "vacancies") && at(i_unemployed, "unemployed") &&
              at(i_unemployment_rate, "unemployment_rate") && at(i_hires, "hires") &&
              at(i_unemployed_exits, "unemployed_exits") && at(i_hiring_cost, "hiring_cost") &&
              at(i_wage_bill, "wage_bill") && at(i_sdg_density, "sdg_density"));
static_assert(corridor_indicator_table.size() == ci_migrant_years + 1);
static_assert(corridor_at(ci_emigration, "emigration") && corridor_at(ci_returns, "returns") &&
              corridor_at(ci_migrant_stock, "migrant_stock") &&
              corridor_at(ci_attrition, "attrition") &&
              corridor_at(ci_investment_lost, "investment_lost") &&
              corridor_at(ci_compensation, "compensation") &&
              corridor_at(ci_migrant_years, "migrant_years"));

/// Positions of the country indicators that satisfy a rule of the registry.
struct indicator_list {
  std::array<std::size_t, country_indicator_table.size()> at{};
  std::size_t size = 0;
  const std::size_t* begin() const { return at.data(); }
  const std::size_t* end() const { return at.data() + size; }
};
template <typename Rule>
constexpr indicator_list indicators_where(Rule rule) {
  indicator_list out;
  for (std::size_t i = 0; i < country_indicator_table.size(); ++i)
    if (rule(country_indicator_table[i])) out.at[out.size++] = i;
  return out;
}
/// The yearly flows of the indicators table: integrals over [t - 1, t], undefined at the start.
constexpr auto flow_indicators = indicators_where(
    [](const engine::indicator_info& e) { return e.kind == engine::indicator_kind::flow; });
/// The indicators whose cadre-`all` value is the sum over cadres.
constexpr auto summed_over_cadres = indicators_where(
    [](const engine::indicator_info& e) { return e.over_cadres == engine::aggregation::sum; });
/// fill_row sets the others itself: the population (the country's), the density and the
/// unemployment rate (recomputed) and the SDG density (cadre `all` only, recomputed over the
/// SDG cadres).
static_assert(summed_over_cadres.size + 4 == country_indicator_table.size() &&
              country_indicator_table[i_unemployment_rate].over_cadres ==
                  engine::aggregation::recomputed &&
              country_indicator_table[i_population].over_cadres == engine::aggregation::level &&
              country_indicator_table[i_density].over_cadres == engine::aggregation::recomputed &&
              country_indicator_table[i_sdg_density].over_cadres ==
                  engine::aggregation::total_only);

/// The labour-market indicators, reported only where posts are modelled (docs/model.md, 15.5).
constexpr std::array<std::size_t, 7> labour_indicators{
    i_posts, i_vacancies,        i_unemployed, i_unemployment_rate,
    i_hires, i_unemployed_exits, i_hiring_cost};
constexpr bool is_labour_indicator(std::size_t i) {
  return i >= i_posts && i <= i_hiring_cost;
}
static_assert(labour_indicators.back() == i_hiring_cost &&
              i_hiring_cost - i_posts + 1 == labour_indicators.size());
static_assert([] {
  for (std::size_t j = 0; j < labour_indicators.size(); ++j)
    if (country_indicator_table[labour_indicators[j]].name != labour_market_indicators[j])
      return false;
  return true;
}());

/// The `registered` indicator of each block (eq. C2): practising supply plus the unemployed,
/// over the practising share, plus the share of the workers abroad still on the register.
/// Reads supply, unemployed (where posts are modelled) and abroad, set before.
void fill_registered(const compiled_model& m, const workforce_system& sys, std::span<double> ind) {
  const auto& blocks = m.blocks();
  for (std::size_t bi = 0; bi < blocks.size(); ++bi) {
    const auto& r = sys.rates(bi);
    double* v = &ind[blocks[bi].dense];
    const double practising = blocks[bi].has_posts ? v[i_supply] + v[i_unemployed] : v[i_supply];
    v[i_registered] = practising / r.practising_share + r.abroad_registered_share * v[i_abroad];
  }
}

/// A stock summed over its `bands` entries from `first` (x[first] alone without bands).
double band_sum(std::span<const double> x, std::size_t first, std::size_t bands) {
  double total = x[first];
  for (std::size_t k = 1; k < bands; ++k) total += x[first + k];
  return total;
}

/// Positions in the ages table's indicators (age_indicator_names), per band.
enum age_indicator : std::size_t {
  a_workforce_domestic,
  a_foreign_trained,
  a_abroad,
  a_supply,
  a_unemployed
};

/// The ages table's row (docs/model.md, eq. F9): the stocks of each age band of each block with
/// bands; `unemployed` only where posts are given.
void fill_ages(const compiled_model& m, std::span<const double> x, std::span<double> ages) {
  std::fill(ages.begin(), ages.end(), 0.0);
  const auto& blocks = m.blocks();
  const auto stride = [](const cc_block& b) { return b.has_posts ? std::size_t{5} : 4; };
  for (const auto& b : blocks) {
    if (!b.aged) continue;
    for (std::size_t k = 0; k < b.bands; ++k) {
      double* a = &ages[b.ages_series + k * stride(b)];
      a[a_workforce_domestic] = x[b.workforce + k];
      if (b.has_posts) a[a_unemployed] = x[b.unemployed + k];
    }
  }
  for (const auto& k : m.corridors()) {
    const auto& o = blocks[k.origin];
    if (!o.aged) continue;
    for (std::size_t band = 0; band < k.bands; ++band) {
      const double migrants = x[k.migrants + band];
      ages[o.ages_series + band * stride(o) + a_abroad] += migrants;
      if (k.to_rest_of_world()) continue;
      const auto& d = blocks[k.destination];
      ages[d.ages_series + band * stride(d) + a_foreign_trained] += migrants;
    }
  }
  for (const auto& b : blocks) {
    if (!b.aged) continue;
    for (std::size_t k = 0; k < b.bands; ++k) {
      double* a = &ages[b.ages_series + k * stride(b)];
      a[a_supply] = a[a_workforce_domestic] + a[a_foreign_trained];
    }
  }
}

void fill_all_cadres(const compiled_model& m, const workforce_system& sys, double t, bool flows,
                     std::span<double> ind);

/// Fills one output row of both tables from the states at t (x) and t - 1 (prev, or empty at
/// the start year, where yearly flows are not defined).
void fill_row(const compiled_model& m, const workforce_system& sys, double t,
              std::span<const double> x, std::span<const double> prev, std::span<double> ind,
              std::span<double> cor) {
  const auto& blocks = m.blocks();
  const auto& corridors = m.corridors();
  const bool flows = !prev.empty();
  const auto delta = [&](std::size_t i) { return flows ? x[i] - prev[i] : engine::not_defined; };
  std::fill(ind.begin(), ind.end(), 0.0);
  // A rest-of-world destination has no row: what corridors add to it lands here, unread.
  std::array<double, country_indicator_table.size()> rest_of_world{};
  sys.set_inputs_at(t);  // need at t where need_density is a series
  sys.levers_at(x, t);   // posts at t with those hiring policies add

  for (std::size_t bi = 0; bi < blocks.size(); ++bi) {
    const auto& b = blocks[bi];
    const auto& r = sys.rates(bi);
    double* v = &ind[b.dense];
    double students = 0;
    for (int s = 0; s < b.stages; ++s) students += x[b.students + s];
    v[i_students] = students;
    v[i_workforce_domestic] = band_sum(x, b.workforce, b.bands);
    v[i_population] = sys.population(b.country, t);
    v[i_need] = v[i_population] * r.need_per_person;
    const std::size_t acc = b.accumulators;
    v[i_intake] = delta(acc + acc_intake);
    v[i_graduates] = delta(acc + acc_graduates);
    v[i_entrants] = r.entry * v[i_graduates];
    v[i_attrition] = delta(acc + acc_attrition);
    v[i_training_cost] = r.cost_per_student_year * delta(acc + acc_student_years);
    v[i_retention_cost] = delta(acc + acc_retention_cost);
    v[i_capital_cost] = delta(acc + acc_capital_cost);
    v[i_compensation_paid] = delta(acc + acc_compensation_paid);
    v[i_compensation_received] = delta(acc + acc_compensation_received);
    v[i_supply_years] = delta(acc + acc_worker_years);  // migrants working here added below
    if (b.has_posts) {
      const std::size_t lacc = b.labour_accumulators;
      v[i_posts] = sys.posts(bi, t);
      v[i_unemployed] = band_sum(x, b.unemployed, b.bands);
      v[i_hires] = delta(lacc + acc_hires);
      v[i_unemployed_exits] = delta(lacc + acc_unemployed_exits);
      v[i_hiring_cost] = delta(lacc + acc_hiring_cost);
    } else {
      for (std::size_t i : labour_indicators) v[i] = engine::not_defined;
    }
    for (std::size_t i :
         {i_emigration, i_immigration, i_returns, i_investment_lost, i_net_migration})
      v[i] = flows ? 0.0 : engine::not_defined;
    if (flows) v[i_immigration] = delta(acc + acc_unlisted_immigration);  // corridors add below
  }
  for (std::size_t e = 0; e < corridors.size(); ++e) {
    const auto& k = corridors[e];
    double* o = &ind[blocks[k.origin].dense];
    double* d = k.to_rest_of_world() ? rest_of_world.data() : &ind[blocks[k.destination].dense];
    double* c = &cor[k.series];
    const double migrants = band_sum(x, k.migrants, k.bands);
    o[i_abroad] += migrants;
    d[i_foreign_trained] += migrants;
    c[ci_migrant_stock] = migrants;
    c[ci_emigration] = delta(k.accumulators + acc_emigration);
    c[ci_returns] = delta(k.accumulators + acc_returns);
    c[ci_attrition] = delta(k.accumulators + acc_migrant_attrition);
    c[ci_investment_lost] = c[ci_emigration] * sys.rates(k.origin).cost_per_graduate;
    c[ci_compensation] = delta(k.accumulators + acc_compensation);
    c[ci_migrant_years] = delta(k.accumulators + acc_migrant_years);
    if (flows) {
      d[i_supply_years] += c[ci_migrant_years];
      o[i_emigration] += c[ci_emigration];
      o[i_returns] += c[ci_returns];
      o[i_investment_lost] += c[ci_investment_lost];
      d[i_immigration] += c[ci_emigration];
      d[i_attrition] += c[ci_attrition];
      d[i_net_migration] -= c[ci_returns];  // foreign-trained workers going home
    }
  }
  for (const auto& b : blocks) {
    double* v = &ind[b.dense];
    v[i_supply] = v[i_workforce_domestic] + v[i_foreign_trained];
    v[i_density] = v[i_supply] / v[i_population] * 1e4;
    v[i_shortage] = std::max(0.0, v[i_need] - v[i_supply]);
    v[i_wage_bill] = sys.rates(static_cast<std::size_t>(&b - blocks.data())).salary *
                     v[i_supply_years];  // employed = supply (eq. E6)
    if (b.has_posts) {
      v[i_vacancies] = std::max(0.0, v[i_posts] - v[i_supply]);
      v[i_unemployment_rate] = v[i_unemployed] / (v[i_unemployed] + v[i_supply]);
    }
    // Arrivals (immigrants, own returnees) minus departures (emigrants, and the foreign-trained
    // going home, subtracted above): the one definition every output reads.
    if (flows) v[i_net_migration] += v[i_immigration] + v[i_returns] - v[i_emigration];
  }
  fill_registered(m, sys, ind);
  fill_all_cadres(m, sys, t, flows, ind);
}

/// The cadre-`all` rows of the dense buffer from its cadre rows (filled before): by the
/// registry's rule (summed_over_cadres), and the population, densities and unemployment rate.
void fill_all_cadres(const compiled_model& m, const workforce_system& sys, double t, bool flows,
                     std::span<double> ind) {
  const auto& blocks = m.blocks();
  for (std::size_t c = 0; c < m.countries().size(); ++c) {
    const auto& cb = m.countries()[c];
    double* all = &ind[cb.dense_all];
    const double population = sys.population(c, t);
    double sdg_supply = 0, supply_with_posts = 0;
    bool posts = false;
    for (std::size_t bi : cb.blocks) {
      const double* v = &ind[blocks[bi].dense];
      const bool labour = blocks[bi].has_posts;
      for (std::size_t i : summed_over_cadres)
        if (labour || !is_labour_indicator(i)) all[i] += v[i];
      if (m.cadre_sdg_core()[blocks[bi].cadre]) sdg_supply += v[i_supply];
      if (labour) supply_with_posts += v[i_supply];
      posts = posts || labour;
    }
    // The labour indicators of cadre `all` sum the cadres with posts; none, no row.
    if (posts)
      all[i_unemployment_rate] = all[i_unemployed] / (all[i_unemployed] + supply_with_posts);
    else
      for (std::size_t i : labour_indicators) all[i] = engine::not_defined;
    if (!flows)
      for (std::size_t i : flow_indicators) all[i] = engine::not_defined;
    all[i_population] = population;
    all[i_density] = all[i_supply] / population * 1e4;
    all[i_sdg_density] = sdg_supply / population * 1e4;
  }
}

/// The parameters that drive state entry `i`, for messages: a failing stock names them so
/// that a user (or a Monte Carlo sample) knows what to look at.
std::string likely_parameters(const compiled_model& m, std::size_t i) {
  const auto& p = m.parameters();
  const auto& blocks = m.blocks();
  std::vector<std::string> out;
  const auto block_params = [&](const cc_block& b, bool pipeline) {
    if (pipeline)
      for (std::size_t k : {b.p_seats, b.p_training_years, b.p_completion})
        out.push_back(p[k].path);
    if (b.aged) {  // exit rates by band; retirement is ageing out of the last band
      for (std::size_t k : b.p_band_exit) out.push_back(p[k].path);
      return;
    }
    for (std::size_t k : {b.p_exit_rate, b.p_retirement_rate}) out.push_back(p[k].path);
  };
  for (const auto& b : blocks) {
    const bool in_students = i >= b.students && i < b.students + static_cast<std::size_t>(b.stages);
    const bool in_acc = i >= b.accumulators && i < b.accumulators + cc_accumulator_count;
    const auto within = [&](std::size_t first) { return i >= first && i < first + b.bands; };
    if (b.has_posts && within(b.unemployed)) {
      for (std::size_t k :
           {b.p_posts, b.p_hire_years, b.p_unemployed_exit_rate, b.p_unemployed_emigration_factor})
        out.push_back(p[k].path);
      for (const auto& k : m.corridors())
        if (&blocks[k.origin] == &b) out.push_back(p[k.p_emigration_rate].path);
    }
    if (in_students || in_acc || within(b.workforce)) {
      block_params(b, in_students || in_acc);
      if (!in_students)
        for (const auto& k : m.corridors())
          if (&blocks[k.origin] == &b) out.push_back(p[k.p_emigration_rate].path);
    }
  }
  for (const auto& k : m.corridors())
    if ((i >= k.migrants && i < k.migrants + k.bands) ||
        (i >= k.accumulators && i < k.accumulators + corridor_accumulator_count)) {
      out.push_back(p[k.p_emigration_rate].path);
      out.push_back(p[k.p_return_rate].path);
      if (k.to_rest_of_world()) {
        if (k.p_band_exit.empty()) {
          out.push_back(p[k.p_exit_rate].path);
          out.push_back(p[k.p_retirement_rate].path);
        }
        for (std::size_t r : k.p_band_exit) out.push_back(p[r].path);
      } else {
        block_params(blocks[k.destination], false);
      }
    }
  if (!m.levers().empty()) out.push_back("the policies' parameters (policies.*)");
  return engine::join_list(out, 8);
}

/// The message for state entry `i`, invalid at (x, t): what drives it down (read from the
/// right-hand side at (before, t_before), the state the failing step started from, when there
/// is one) and advice that fits the cause (a policy term, the pull, or the solver step).
[[noreturn]] void fail_state(const compiled_model& m, const workforce_system& sys,
                             std::span<const double> x, double t, std::size_t i,
                             std::span<const double> before = {}, double t_before = 0) {
  const auto cause =
      before.empty() ? sys.cause_of_fall(x, t, i) : sys.cause_of_fall(before, t_before, i);
  const bool negative = std::isfinite(x[i]);
  const std::string what =
      negative ? fmt::format("stock {} went negative ({:.6g}) at t = {:.4f}",
                             m.layout().describe(i), x[i], t)
               : fmt::format("{} became {} at t = {:.4f}", m.layout().describe(i), x[i], t);
  if (!cause.policy_parameter.empty())
    throw engine::numerical_error(fmt::format(
        "{}: policy '{}' adds {:.6g} a year to its outflow ({} = {:.6g}), more than the stock "
        "can carry. Lower {} or shorten the policy; a smaller solver step does not help",
        what, cause.policy_name, cause.added, cause.policy_parameter, cause.policy_value,
        cause.policy_parameter));
  if (cause.pull > 10)
    throw engine::numerical_error(fmt::format(
        "{}: the pull of its destination has multiplied the emigration out of it {:.3g}-fold "
        "(the destination's need over its supply, relative to the start, to the power {}). "
        "Check {} and the destination's {}; the solver step is not the cause",
        what, cause.pull, cause.pull_parameter, cause.pull_parameter, cause.pull_rates));
  const bool adaptive = m.solver().kind == engine::method::dopri5;
  throw engine::numerical_error(fmt::format(
      "{}; its outflows are too large for {}. Likely parameters: {}. {}", what,
      adaptive ? "what it holds" : "the solver step", likely_parameters(m, i),
      adaptive ? "Check these values (dopri5 adapts its step, so the step is not the cause)"
               : "Use a smaller solver.step or method dopri5"));
}

/// Stops the run at the first non-finite value or clearly negative stock, naming it, the time
/// and the parameters that drive it.
void check_state(const compiled_model& m, const workforce_system& sys, std::span<const double> x,
                 double t, double tolerance, double& min_stock) {
  for (std::size_t i = 0; i < x.size(); ++i)
    if (!std::isfinite(x[i])) fail_state(m, sys, x, t, i);
  for (std::size_t i : m.layout().stock_indices()) {
    min_stock = std::min(min_stock, x[i]);
    if (x[i] < -tolerance) fail_state(m, sys, x, t, i);
  }
}

/// Stops the run at an indicator that is not a finite number, naming it, the year and the
/// inputs it is computed from: stocks are checked as the run goes, but a derived value (a
/// density over a population near zero, costs near the largest double) can still overflow.
/// Yearly flows are not defined at the start year: there NaN is expected, infinity is not; nor
/// is the unemployment rate with no one to count.
void check_row(const compiled_model& m, double t, bool start, std::span<const double> ind,
               std::span<const double> cor) {
  const auto& params = m.parameters();
  for (std::size_t tab = 0; tab < 2; ++tab) {
    const auto values = tab == 0 ? ind : cor;
    for (std::size_t i = 0; i < values.size(); ++i) {
      const double v = values[i];
      if (std::isfinite(v) || (start && std::isnan(v))) continue;
      const auto& key = m.schemas()[tab]->series[i];
      if (tab == 0 && std::isnan(v) && key.back() == "unemployment_rate") continue;  // 0 / 0
      std::vector<std::string> inputs;
      if (tab == 0) {
        const auto c = m.country_set().find(key[0]);
        if (!c) throw engine::internal_error("an indicator series names an unknown country");
        const auto& country = m.countries()[*c];
        if (country.has_series)
          for (const auto& point : country.p_series) inputs.push_back(params[point.second].path);
        else
          inputs.push_back(params[country.p_population].path);
        for (std::size_t bi : country.blocks) {
          const auto& b = m.blocks()[bi];
          if (key[1] != "all" && m.cadre_ids()[b.cadre] != key[1]) continue;
          for (std::size_t k :
               {b.p_seats, b.p_completion, b.p_need_density, b.p_salary, b.p_cost_per_student_year})
            inputs.push_back(params[k].path);
        }
      } else {
        for (const auto& k : m.corridors())
          if (i >= k.series && i < k.series + corridor_indicator_names().size()) {
            const auto& o = m.blocks()[k.origin];
            for (std::size_t p : {o.p_cost_per_student_year, o.p_training_years, o.p_completion})
              inputs.push_back(params[p].path);
          }
      }
      if (!m.levers().empty()) inputs.emplace_back("the policies' parameters (policies.*)");
      throw engine::numerical_error(fmt::format(
          "indicator {} of {} is {} in {:.0f}: a value beyond the range of a double (about "
          "1.8e308) or undefined arithmetic. It is computed from {}; check these for extreme "
          "values",
          key.back(), tab == 0 ? key[0] + "," + key[1] : key[0] + "-" + key[1] + "," + key[2], v, t,
          engine::join_list(inputs, 8)));
    }
  }
}

/// Every table of a run, one row per whole year, from the states kept at each (snapshots[y] at
/// the start year + y).
engine::run_result result_tables(const compiled_model& m, const workforce_system& sys,
                                 const std::vector<std::vector<double>>& snapshots) {
  engine::run_result out;
  const double t0 = m.start_time();
  // Each table is allocated once, whole (rows are filled in place): growing it year by year
  // would copy it again and again.
  const std::size_t rows = snapshots.size();
  for (const auto& schema : m.schemas())
    out.tables.push_back({schema, std::vector<double>(rows * schema->size())});
  out.times.reserve(rows);
  std::vector<double> dense(m.dense_size());  // every indicator of every row, then gathered
  const auto& gather = m.dense_of_series();
  for (std::size_t row = 0; row < rows; ++row) {
    const double t = t0 + static_cast<double>(row);
    out.times.push_back(t);
    const std::span<const double> prev =
        row == 0 ? std::span<const double>() : std::span<const double>(snapshots[row - 1]);
    fill_row(m, sys, t, snapshots[row], prev, dense, out.tables[1].row(row));
    const auto indicators = out.tables[0].row(row);
    for (std::size_t k = 0; k < gather.size(); ++k) indicators[k] = dense[gather[k]];
    check_row(m, t, row == 0, out.tables[0].row(row), out.tables[1].row(row));
    if (m.has_ages()) fill_ages(m, snapshots[row], out.tables[2].row(row));
  }
  return out;
}

}  // namespace

run_system make_run_system(const compiled_model& m, std::span<const double> params) {
  if (params.size() != m.parameters().size())
    throw engine::internal_error("parameter vector does not match the model");
  auto sys = std::make_unique<workforce_system>(m, params);
  auto x = sys->initial_state(params);
  return {std::move(sys), std::move(x)};
}

run_output simulate(const compiled_model& m, std::span<const double> params) {
  if (params.size() != m.parameters().size())
    throw engine::internal_error("parameter vector does not match the model");
  workforce_system sys(m, params);
  std::vector<double> x = sys.initial_state(params);

  const double t0 = m.start_time();
  const int years = static_cast<int>(m.end_time() - t0);
  std::vector<double> observe_at;
  for (int y = 0; y <= years; ++y) observe_at.push_back(t0 + y);

  // Keep the state at every whole year: yearly flows need t - 1, and every year gets a row
  // (writers thin them to the scenario's output interval).
  std::vector<std::vector<double>> snapshots;
  snapshots.reserve(observe_at.size());
  const double mass0 = sys.mass(x);
  double initial_stock = 0;
  for (std::size_t i : m.layout().stock_indices()) initial_stock += x[i];
  run_output out;
  const double tolerance = 1e-12 * initial_stock + 1e-9;
  out.stats.min_stock = initial_stock > 0 ? initial_stock : 0;

  const auto breakpoints = sys.breakpoints();
  bool observed_failure = false;  // check_state's own, already specific message
  // Every accepted step: stocks (contiguous at the start of the state) must stay above
  // -tolerance, so that a stock driven negative and back inside a year still stops the run.
  const auto& stocks = m.layout().stock_indices();
  if (!stocks.empty() && stocks.back() + 1 - stocks.front() != stocks.size())
    throw engine::internal_error("stocks are not contiguous in the state");
  engine::step_guard guard{
      stocks.empty() ? 0 : stocks.front(), stocks.empty() ? 0 : stocks.back() + 1, -tolerance,
      [&](double t, std::span<const double> s, double t_before, std::span<const double> before) {
        observed_failure = true;
        for (std::size_t i : stocks)
          if (!(s[i] >= -tolerance)) fail_state(m, sys, s, t, i, before, t_before);
      }};
  try {
    out.stats.solver = engine::integrate(
        sys, x, t0, observe_at, breakpoints, m.solver(),
        [&](double t, std::span<const double> s) {
          observed_failure = true;
          check_state(m, sys, s, t, tolerance, out.stats.min_stock);
          observed_failure = false;
          snapshots.emplace_back(s.begin(), s.end());
        },
        &guard);
  } catch (const engine::numerical_error& e) {
    if (observed_failure) throw;
    // The solver gave up between observations: name the state that changes fastest there.
    std::vector<double> dx(x.size());
    sys.derivative(x, dx, t0 + static_cast<double>(snapshots.size()));
    std::size_t worst = 0;
    double worst_rate = -1;
    for (std::size_t i = 0; i < x.size(); ++i) {
      const double rate = std::isfinite(dx[i]) ? std::abs(dx[i]) / (std::abs(x[i]) + 1) : 1e300;
      if (rate > worst_rate) {
        worst = i;
        worst_rate = rate;
      }
    }
    const auto cause = sys.cause_of_fall(x, t0 + static_cast<double>(snapshots.size()), worst);
    const std::string pull = cause.pull > 10
                                 ? fmt::format(
                                       "; the pull of its destination has multiplied its "
                                       "emigration {:.3g}-fold: check {}",
                                       cause.pull, cause.pull_parameter)
                                 : std::string();
    throw engine::numerical_error(
        fmt::format("{}; fastest-changing state: {} (likely parameters: {}){}", e.what(),
                    m.layout().describe(worst), likely_parameters(m, worst), pull));
  }

  // Mass balance against the largest scale the run reached.
  const auto& blocks = m.blocks();
  for (const auto& s : snapshots) {
    double intake = 0;
    for (const auto& b : blocks)
      intake += s[b.accumulators + acc_intake] + s[b.accumulators + acc_unlisted_immigration];
    const double scale = std::max(initial_stock + intake, 1.0);
    out.stats.mass_balance_residual =
        std::max(out.stats.mass_balance_residual, std::abs(sys.mass(s) - mass0) / scale);
  }

  out.result = result_tables(m, sys, snapshots);
  // A quota or cap that never lowered a flow did nothing in this run: the commands note it.
  out.stats.idle_limits = sys.idle_limits();
  return out;
}

}  // namespace hwf::model
