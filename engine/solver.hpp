#pragma once
// Time integration with Boost.Odeint: fixed-step Euler and RK4, adaptive Dormand-Prince 5(4).
// Integration stops and restarts at every breakpoint (discontinuities of the right-hand side)
// and at every observation time, so both are hit exactly.

#include <cstddef>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace hwf::engine {

enum class method { euler, rk4, dopri5 };

/// "euler", "rk4", "dopri5".
std::string_view to_string(method m);
std::optional<method> parse_method(std::string_view name);
/// Every method name, for messages and suggestions.
std::vector<std::string> method_names();

struct solver_settings {
  method kind = method::rk4;
  double step_years = 1.0 / 12.0;     ///< fixed step (euler, rk4) or first trial step (dopri5)
  double abs_tol = 1e-6;              ///< dopri5 only: absolute tolerance (state units)
  double rel_tol = 1e-8;              ///< dopri5 only: relative tolerance
  std::size_t max_steps = 5'000'000;  ///< a run taking more steps stops with numerical_error
};

/// A system of ODEs. `derivative` must set every entry of `dxdt`, allocate nothing and throw
/// nothing. `enter_segment` is called before integrating each interval [t_begin, t_end] that has
/// no breakpoint inside; the system then evaluates time-switched terms as one-sided limits
/// inside that interval.
class ode_system {
 public:
  virtual ~ode_system() = default;
  virtual std::size_t dimension() const = 0;
  virtual void derivative(std::span<const double> x, std::span<double> dxdt, double t) const = 0;
  virtual void enter_segment(double t_begin, double t_end) = 0;
};

struct solve_stats {
  std::size_t steps = 0;     ///< accepted steps
  std::size_t rejected = 0;  ///< rejected trial steps (dopri5)
  std::size_t rhs_evaluations = 0;
};

/// Called at each observation time with the state there.
using observer = std::function<void(double t, std::span<const double> x)>;

/// A sign test after every accepted step: state entries [begin, end) must stay at or above
/// `floor` (NaN fails too). On the first step that breaks it, `fail` is called with the step's
/// end time and state, and its start time and state (what drove the step), and must throw. The
/// test costs one pass over those entries; fixed steps alternate two buffers, so keeping the
/// start state costs no copy.
struct step_guard {
  using failure = std::function<void(double t, std::span<const double> x, double t_before,
                                     std::span<const double> before)>;
  std::size_t begin = 0, end = 0;
  double floor = 0;
  failure fail;
};

/// Integrates `system` from `t0` (state `x`, updated in place) through every time in
/// `observe_at` (sorted, strictly increasing, first >= t0), calling `observe` at each.
/// `breakpoints` (any order; those outside (t0, last observation) are ignored) split the
/// integration. Throws numerical_error if the adaptive step collapses or max_steps is exceeded.
/// With a `guard`, every accepted step is checked (see step_guard).
solve_stats integrate(ode_system& system, std::vector<double>& x, double t0,
                      std::span<const double> observe_at, std::span<const double> breakpoints,
                      const solver_settings& settings, const observer& observe,
                      const step_guard* guard = nullptr);

}  // namespace hwf::engine
