#include <catch2/catch.hpp>

#include <cmath>

#include "engine/diagnostics.hpp"
#include "engine/index_set.hpp"
#include "engine/solver.hpp"
#include "engine/stock_layout.hpp"

using namespace hwf::engine;

namespace {

/// dx/dt = -k x + s, with s switched on at t_switch (a breakpoint).
struct decay final : ode_system {
  double k = 0.5, s = 0, t_switch = 1e9;
  bool on = false;
  std::vector<std::pair<double, double>> segments;
  std::size_t dimension() const override { return 1; }
  void derivative(std::span<const double> x, std::span<double> dxdt, double) const override {
    dxdt[0] = -k * x[0] + (on ? s : 0.0);
  }
  void enter_segment(double a, double b) override {
    segments.emplace_back(a, b);
    on = 0.5 * (a + b) > t_switch;  // one-sided: decided by where the segment lies
  }
};

double solve_to(decay& sys, const solver_settings& s, double t_end, double x0 = 1.0) {
  std::vector<double> x{x0};
  const std::vector<double> obs{t_end};
  std::vector<double> bps{sys.t_switch};
  integrate(sys, x, 0.0, obs, bps, s, [](double, std::span<const double>) {});
  return x[0];
}

}  // namespace

TEST_CASE("dopri5 meets its tolerance on exponential decay", "[engine][analytic]") {
  decay sys;
  solver_settings s{method::dopri5, 0.1, 1e-12, 1e-12, 1'000'000};
  CHECK(solve_to(sys, s, 10.0) == Approx(std::exp(-5.0)).epsilon(1e-9));
}

TEST_CASE("rk4 error falls sixteenfold when the step halves", "[engine][analytic]") {
  decay sys;
  const double exact = std::exp(-0.5 * 8.0);
  const auto err = [&](double h) {
    return std::abs(solve_to(sys, {method::rk4, h, 0, 0, 1'000'000}, 8.0) - exact);
  };
  const double ratio1 = err(0.25) / err(0.125), ratio2 = err(0.125) / err(0.0625);
  CHECK(ratio1 == Approx(16).margin(1.0));
  CHECK(ratio2 == Approx(16).margin(1.0));
}

TEST_CASE("euler is first order", "[engine][analytic]") {
  decay sys;
  const double exact = std::exp(-0.5 * 8.0);
  const auto err = [&](double h) {
    return std::abs(solve_to(sys, {method::euler, h, 0, 0, 1'000'000}, 8.0) - exact);
  };
  CHECK(err(0.01) / err(0.005) == Approx(2).margin(0.05));
}

TEST_CASE("integration stops at breakpoints and observations, each segment one-sided", "[engine]") {
  decay sys;
  sys.s = 1.0;
  sys.t_switch = 2.5;
  std::vector<double> x{1.0};
  std::vector<double> seen;
  const std::vector<double> obs{0, 1, 2, 3, 4};
  const std::vector<double> bps{2.5, 7.0 /* outside: ignored */};
  integrate(sys, x, 0.0, obs, bps, {method::dopri5, 0.1, 1e-12, 1e-12, 1'000'000},
            [&](double t, std::span<const double>) { seen.push_back(t); });
  CHECK(seen == obs);
  REQUIRE(sys.segments.size() == 5);
  CHECK(sys.segments[2] == std::pair<double, double>(2.0, 2.5));
  CHECK(sys.segments[3] == std::pair<double, double>(2.5, 3.0));
  // x(4) with the source on from 2.5: decay to 2.5, then relax towards s/k = 2.
  const double x25 = std::exp(-0.5 * 2.5);
  const double expected = 2.0 + (x25 - 2.0) * std::exp(-0.5 * 1.5);
  CHECK(x[0] == Approx(expected).epsilon(1e-9));
}

TEST_CASE("a collapsing adaptive step stops with a numerical error", "[engine]") {
  struct blow_up final : ode_system {
    std::size_t dimension() const override { return 1; }
    void derivative(std::span<const double> x, std::span<double> dxdt, double) const override {
      dxdt[0] = x[0] * x[0];  // finite-time blow-up at t = 1
    }
    void enter_segment(double, double) override {}
  } sys;
  std::vector<double> x{1.0};
  const std::vector<double> obs{2.0};
  CHECK_THROWS_AS(integrate(sys, x, 0.0, obs, {}, {method::dopri5, 0.1, 1e-8, 1e-8, 100000},
                            [](double, std::span<const double>) {}),
                  numerical_error);
}

TEST_CASE("too many steps stop with a numerical error naming the limit", "[engine]") {
  decay sys;
  CHECK_THROWS_WITH(solve_to(sys, {method::rk4, 1e-3, 0, 0, 100}, 1.0),
                    Catch::Contains("more than 100 steps"));
}

TEST_CASE("a stock layout names each state entry", "[engine]") {
  stock_layout layout;
  layout.add_block("W", state_kind::stock, {"KEN,nurses", "GBR,nurses"});
  layout.add_block("acc", state_kind::accumulator, {"KEN,intake"});
  CHECK(layout.size() == 3);
  CHECK(layout.describe(1) == "W[GBR,nurses]");
  CHECK(layout.describe(2) == "acc[KEN,intake]");
  CHECK(layout.stock_indices() == std::vector<std::size_t>{0, 1});
  CHECK_THROWS_AS(layout.describe(3), internal_error);
}

TEST_CASE("an index set keeps label order and finds labels", "[engine]") {
  const index_set countries("country", {"KEN", "GBR", "GHA"});
  CHECK(countries.size() == 3);
  CHECK(countries[1] == "GBR");
  CHECK(countries.find("GHA") == std::optional<std::size_t>(2));
  CHECK_FALSE(countries.find("USA"));
  CHECK_THROWS_AS(index_set("cadre", {"nurses", "nurses"}), internal_error);
}
