#include "engine/solver.hpp"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>
#include <boost/numeric/odeint.hpp>

#include "engine/diagnostics.hpp"

namespace hwf::engine {

namespace odeint = boost::numeric::odeint;
using state = std::vector<double>;

std::string_view to_string(method m) {
  switch (m) {
    case method::euler:
      return "euler";
    case method::rk4:
      return "rk4";
    case method::dopri5:
      return "dopri5";
  }
  throw internal_error("unknown solver method");
}

std::optional<method> parse_method(std::string_view name) {
  for (method m : {method::euler, method::rk4, method::dopri5})
    if (to_string(m) == name) return m;
  return std::nullopt;
}

std::vector<std::string> method_names() {
  return {"euler", "rk4", "dopri5"};
}

namespace {

/// Adapts ode_system to odeint's callable shape and counts evaluations.
struct odeint_system {
  const ode_system* sys;
  std::size_t* evaluations;
  void operator()(const state& x, state& dxdt, double t) const {
    ++*evaluations;
    sys->derivative(x, dxdt, t);
  }
};

/// Sorted segment ends: the observation times and the breakpoints strictly inside the run.
std::vector<double> segment_ends(double t0, std::span<const double> observe_at,
                                 std::span<const double> breakpoints) {
  std::vector<double> ends(observe_at.begin(), observe_at.end());
  const double t_end = observe_at.back();
  for (double b : breakpoints)
    if (b > t0 && b < t_end) ends.push_back(b);
  std::sort(ends.begin(), ends.end());
  ends.erase(std::unique(ends.begin(), ends.end()), ends.end());
  return ends;
}

/// The guard's sign test on the state `x` after a step from (t_before, before) to t; calls its
/// `fail` on a breach.
void check_step(const step_guard* guard, const state& x, double t, double t_before,
                const state& before) {
  if (!guard) return;
  bool ok = true;
  for (std::size_t i = guard->begin; i < guard->end; ++i) ok &= x[i] >= guard->floor;
  if (!ok) {
    guard->fail(t, x, t_before, before);
    throw internal_error("step_guard::fail returned");
  }
}

/// Fixed steps from `a` to `b`, alternating `x` and `scratch` (same size): each step reads one
/// and writes the other, so the state before a step is at hand for the guard without a copy.
template <class Stepper>
void fixed_segment(Stepper& stepper, odeint_system sys, state& x, state& scratch, double a,
                   double b, double h, solve_stats& stats, std::size_t max_steps,
                   const step_guard* guard) {
  // Steps are placed at a + i*h (not accumulated) so that long runs do not drift; the last step
  // is shortened to land exactly on b.
  const auto n = static_cast<std::size_t>(std::ceil((b - a) / h - 1e-9));
  for (std::size_t i = 0; i < n; ++i) {
    const double t = a + static_cast<double>(i) * h;
    const double dt = (i + 1 == n) ? b - t : h;
    if (dt <= 0) break;
    stepper.do_step(sys, x, t, scratch, dt);
    x.swap(scratch);
    check_step(guard, x, i + 1 == n ? b : t + dt, t, scratch);
    if (++stats.steps > max_steps)
      throw numerical_error(
          fmt::format("more than {} steps; the step is too small for this "
                      "horizon (raise solver.max_steps or the step)",
                      max_steps));
  }
}

}  // namespace

solve_stats integrate(ode_system& system, std::vector<double>& x, double t0,
                      std::span<const double> observe_at, std::span<const double> breakpoints,
                      const solver_settings& settings, const observer& observe,
                      const step_guard* guard) {
  solve_stats stats;
  if (observe_at.empty()) return stats;
  if (x.size() != system.dimension())
    throw internal_error(
        fmt::format("state has {} entries, system {}", x.size(), system.dimension()));
  if (!(observe_at.front() >= t0) || !std::is_sorted(observe_at.begin(), observe_at.end()))
    throw internal_error("observation times must be sorted and not before t0");
  if (!(settings.step_years > 0)) throw internal_error("solver step must be positive");
  if (guard && (guard->begin > guard->end || guard->end > x.size() || !guard->fail))
    throw internal_error("step guard does not fit the state");

  const auto ends = segment_ends(t0, observe_at, breakpoints);
  odeint_system sys{&system, &stats.rhs_evaluations};
  std::size_t next_obs = 0;
  auto observe_due = [&](double t) {
    while (next_obs < observe_at.size() && observe_at[next_obs] == t) {
      observe(t, x);
      ++next_obs;
    }
  };
  observe_due(t0);

  odeint::euler<state> euler;
  odeint::runge_kutta4<state> rk4;
  auto dopri = odeint::make_controlled(settings.abs_tol, settings.rel_tol,
                                       odeint::runge_kutta_dopri5<state>());
  double dt_adaptive = settings.step_years;
  state scratch(x.size());  // fixed steps: the other buffer; dopri5: the state before a step

  double a = t0;
  for (double b : ends) {
    if (b <= a) continue;
    system.enter_segment(a, b);
    switch (settings.kind) {
      case method::euler:
        fixed_segment(euler, sys, x, scratch, a, b, settings.step_years, stats, settings.max_steps,
                      guard);
        break;
      case method::rk4:
        fixed_segment(rk4, sys, x, scratch, a, b, settings.step_years, stats, settings.max_steps,
                      guard);
        break;
      case method::dopri5: {
        // The right-hand side may jump at `a`: forget the derivative kept for FSAL reuse.
        dopri.reset();
        double t = a;
        const double min_dt = 1e-12 * std::max(1.0, std::abs(b));
        while (t < b) {
          double dt = std::min(dt_adaptive, b - t);
          const bool last = dt >= b - t;
          const double dt_tried = dt, t_before = t;
          if (guard) scratch = x;
          if (dopri.try_step(sys, x, t, dt) == odeint::success) {
            if (last) t = b;  // land on b exactly, whatever rounding did
            check_step(guard, x, t, t_before, scratch);
            if (!last || dt > dt_tried) dt_adaptive = dt;  // keep the controller's proposal
            if (++stats.steps > settings.max_steps)
              throw numerical_error(
                  fmt::format("more than {} steps (at t = {:.6f}); the tolerances may be too tight",
                              settings.max_steps, t));
          } else {
            ++stats.rejected;
            dt_adaptive = dt;
            if (dt < min_dt)
              throw numerical_error(fmt::format(
                  "the adaptive step collapsed to {:.3g} years at t = {:.6f}; the model is too "
                  "stiff for these tolerances, or its state became invalid",
                  dt, t));
          }
        }
        break;
      }
    }
    a = b;
    observe_due(b);
  }
  return stats;
}

}  // namespace hwf::engine
