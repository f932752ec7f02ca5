#pragma once
// Time switches of policy levers: a strength that is 0 before `start`, rises linearly to 1 over
// `ramp_years` (a step when 0), stays 1, and is 0 again after `end`. The right-hand side jumps
// at the switch times, so integration stops there (breakpoints) and, inside each segment, the
// ramp is evaluated on the piece the segment lies in: one-sided limits at the segment's ends.

#include <limits>
#include <vector>

namespace hwf::engine {

struct ramp_profile {
  double start = 0;
  double ramp_years = 0;
  double end = std::numeric_limits<double>::infinity();

  enum class piece { before, rising, full, after };

  /// Appends the switch times (start, start + ramp_years if > 0, end if finite).
  void add_breakpoints(std::vector<double>& out) const {
    out.push_back(start);
    if (ramp_years > 0) out.push_back(start + ramp_years);
    if (end < std::numeric_limits<double>::infinity()) out.push_back(end);
  }

  /// The piece holding time `t` (use a segment's midpoint to pick the piece of that segment).
  piece piece_at(double t) const {
    if (t < start || t >= end) return t < start ? piece::before : piece::after;
    if (ramp_years > 0 && t < start + ramp_years) return piece::rising;
    return piece::full;
  }

  /// The strength at `t`, evaluated on piece `p` (continuous within a piece).
  double value(piece p, double t) const {
    switch (p) {
      case piece::rising:
        return (t - start) / ramp_years;
      case piece::full:
        return 1.0;
      default:
        return 0.0;
    }
  }

  /// The strength at `t` itself (right-continuous); for reporting, not for the solver.
  double value(double t) const { return value(piece_at(t), t); }
};

}  // namespace hwf::engine
