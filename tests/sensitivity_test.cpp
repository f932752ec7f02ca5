#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <functional>
#include <numbers>
#include <span>
#include <stdexcept>
#include <vector>

#include <fmt/format.h>
#include <tbb/global_control.h>
#include <tbb/parallel_for.h>

#include "engine/diagnostics.hpp"
#include "engine/sensitivity.hpp"

using namespace hwf::engine;

namespace {

constexpr double pi = std::numbers::pi;

/// Ishigami and Homma (1990), a = 7, b = 0.1, x_i uniform on [-pi, pi]; a fourth dimension, if
/// any, enters nothing.
double ishigami(std::span<const double> u) {
  const double x1 = -pi + 2 * pi * u[0], x2 = -pi + 2 * pi * u[1], x3 = -pi + 2 * pi * u[2];
  return std::sin(x1) + 7 * std::sin(x2) * std::sin(x2) + 0.1 * std::pow(x3, 4) * std::sin(x1);
}

/// The Ishigami function's indices in closed form (Sobol' and Levitan 1999).
struct ishigami_exact {
  static constexpr double a = 7, b = 0.1;
  static constexpr double pi4 = pi * pi * pi * pi, pi8 = pi4 * pi4;
  static constexpr double v1 = 0.5 + b * pi4 / 5 + b * b * pi8 / 50, v2 = a * a / 8,
                          v13 = 8 * b * b * pi8 / 225, v = v1 + v2 + v13;
  static constexpr double s1 = v1 / v, s2 = v2 / v, s3 = 0, st1 = (v1 + v13) / v, st2 = v2 / v,
                          st3 = v13 / v, s13 = v13 / v;
};

std::vector<sensitivity_factor> one_per_dimension(std::size_t d) {
  std::vector<sensitivity_factor> f;
  for (std::size_t i = 0; i < d; ++i) f.push_back({fmt::format("x{}", i + 1), {i}});
  return f;
}

template <class Design>
std::vector<double> evaluate(const Design& design,
                             const std::function<double(std::span<const double>)>& f) {
  std::vector<double> y(design.runs());
  tbb::parallel_for(std::size_t{0}, design.runs(), [&](std::size_t run) {
    std::vector<double> u;
    design.point(run, u);
    y[run] = f(u);
  });
  return y;
}

/// Checks an estimate and its interval against the exact value, and the interval's width.
void check_index(const char* name, const sensitivity_index& s, double exact, double width) {
  INFO(fmt::format("{} = {:.4f} [{:.4f}, {:.4f}], exact {:.4f}", name, s.value, s.low, s.high,
                   exact));
  CHECK(s.low <= exact);
  CHECK(exact <= s.high);
  CHECK(s.low <= s.value);
  CHECK(s.value <= s.high);
  CHECK(s.high - s.low < width);
}

bool same(const sensitivity_index& a, const sensitivity_index& b) {
  return a.value == b.value && a.low == b.low && a.high == b.high;
}

}  // namespace

TEST_CASE("Sobol indices of the Ishigami function lie within their bootstrap intervals",
          "[engine][sensitivity][analytic]") {
  const saltelli_design design(4, one_per_dimension(4), 1 << 14, 2024, false);
  REQUIRE(design.runs() == (1 << 14) * 6);
  const auto y = evaluate(design, ishigami);
  const auto s = sobol_indices(design, y, 500, 7, 0.95);
  REQUIRE_FALSE(s.constant_output);
  CHECK(s.second_order.empty());
  using x = ishigami_exact;
  CHECK(s.variance == Approx(x::v).epsilon(0.01));
  check_index("S1", s.first_order[0], x::s1, 0.05);
  check_index("S2", s.first_order[1], x::s2, 0.05);
  check_index("S3", s.first_order[2], x::s3, 0.05);
  check_index("ST1", s.total[0], x::st1, 0.05);
  check_index("ST2", s.total[1], x::st2, 0.05);
  check_index("ST3", s.total[2], x::st3, 0.05);
  // The dummy input: A_B^(4) differs from A in a dimension the function ignores.
  check_index("S4", s.first_order[3], 0, 0.05);
  check_index("ST4", s.total[3], 0, 0.05);
  CHECK(s.total[3].value < 0.01);
}

TEST_CASE("second-order Sobol indices of the Ishigami function find the x1-x3 interaction",
          "[engine][sensitivity][analytic]") {
  const saltelli_design design(3, one_per_dimension(3), 1 << 13, 99, true);
  REQUIRE(design.runs() == (1 << 13) * 8);
  const auto y = evaluate(design, ishigami);
  const auto s = sobol_indices(design, y, 500, 8, 0.95);
  REQUIRE(s.second_order.size() == 3);
  using x = ishigami_exact;
  check_index("S1", s.first_order[0], x::s1, 0.05);
  check_index("ST3", s.total[2], x::st3, 0.05);
  check_index("S12", s.second(0, 1), 0, 0.1);
  check_index("S13", s.second(0, 2), x::s13, 0.1);
  check_index("S23", s.second(1, 2), 0, 0.1);
  CHECK(&s.second(2, 0) == &s.second(0, 2));
  CHECK(s.second(0, 2).value == Approx(x::s13).margin(0.02));
  CHECK(std::abs(s.second(0, 1).value) < 0.02);
  CHECK_THROWS_AS(s.second(1, 1), internal_error);
}

TEST_CASE("Sobol indices and their intervals are bit-identical with 1 and 2 threads",
          "[engine][sensitivity][determinism]") {
  const saltelli_design design(3, one_per_dimension(3), 1 << 10, 5, true);
  const auto y = evaluate(design, ishigami);
  auto with_threads = [&](int threads) {
    tbb::global_control limit(tbb::global_control::max_allowed_parallelism, threads);
    return sobol_indices(design, y, 300, 11, 0.9);
  };
  const auto one = with_threads(1), two = with_threads(2);
  REQUIRE(one.second_order.size() == 3);
  for (std::size_t i = 0; i < 3; ++i) {
    CHECK(same(one.first_order[i], two.first_order[i]));
    CHECK(same(one.total[i], two.total[i]));
    CHECK(same(one.second_order[i], two.second_order[i]));
  }
  CHECK(one.variance == two.variance);
  // Another bootstrap seed moves the intervals, not the estimates.
  const auto other = sobol_indices(design, y, 300, 12, 0.9);
  CHECK(other.first_order[0].value == one.first_order[0].value);
  CHECK(other.first_order[0].low != one.first_order[0].low);
}

TEST_CASE("Sobol indices of an output shifted by a large constant are those of the output",
          "[engine][sensitivity][property]") {
  // The products of the estimators would carry the shift's square if the output were not
  // centred first, and its noise would swamp the indices.
  const saltelli_design design(3, one_per_dimension(3), 1 << 10, 4, true);
  const auto y = evaluate(design, ishigami);
  auto shifted = y;
  for (double& v : shifted) v += 1e4;
  const auto s = sobol_indices(design, y, 100, 3, 0.95),
             t = sobol_indices(design, shifted, 100, 3, 0.95);
  auto close = [](const sensitivity_index& a, const sensitivity_index& b) {
    return std::abs(a.value - b.value) < 1e-9 && std::abs(a.low - b.low) < 1e-9 &&
           std::abs(a.high - b.high) < 1e-9;
  };
  for (std::size_t i = 0; i < 3; ++i) {
    CHECK(close(s.first_order[i], t.first_order[i]));
    CHECK(close(s.total[i], t.total[i]));
    CHECK(close(s.second_order[i], t.second_order[i]));
  }
  CHECK(t.mean == Approx(s.mean + 1e4));
}

TEST_CASE("a Saltelli design's A_B and B_A rows take a factor's dimensions from the other matrix",
          "[engine][sensitivity]") {
  // Five dimensions in three factors, two of them groups varied as one.
  const std::vector<sensitivity_factor> factors{{"x", {0}}, {"g", {1, 3}}, {"h", {4, 2}}};
  const std::size_t n = 16;
  const saltelli_design first(5, factors, n, 3, false), second(5, factors, n, 3, true);
  CHECK(first.runs() == n * 5);
  CHECK(second.runs() == n * 8);
  using m = saltelli_design::matrix;
  std::vector<double> a, b, mixed;
  for (std::size_t row = 0; row < n; ++row) {
    second.point(second.run_index(m::a, row), a);
    second.point(second.run_index(m::b, row), b);
    std::vector<double> first_a;
    first.point(first.run_index(m::a, row), first_a);
    CHECK(first_a == a);  // second order adds runs, not other points
    for (std::size_t d = 0; d < 5; ++d) CHECK(a[d] != b[d]);
    for (std::size_t f = 0; f < factors.size(); ++f) {
      const auto& dims = factors[f].dimensions;
      auto in_factor = [&](std::size_t d) {
        return std::find(dims.begin(), dims.end(), d) != dims.end();
      };
      second.point(second.run_index(m::a_b, row, f), mixed);
      for (std::size_t d = 0; d < 5; ++d) CHECK(mixed[d] == (in_factor(d) ? b[d] : a[d]));
      second.point(second.run_index(m::b_a, row, f), mixed);
      for (std::size_t d = 0; d < 5; ++d) CHECK(mixed[d] == (in_factor(d) ? a[d] : b[d]));
    }
  }
  // The documented order, row by row: A, B, A_B^(0..k-1), B_A^(0..k-1).
  CHECK(second.run_index(m::a, 2) == 16);
  CHECK(second.run_index(m::b, 2) == 17);
  CHECK(second.run_index(m::a_b, 2, 1) == 19);
  CHECK(second.run_index(m::b_a, 2, 0) == 21);
  for (std::size_t run = 0; run < second.runs(); ++run) {
    const auto r = second.role_of(run);
    CHECK(second.run_index(r.which, r.row, r.factor) == run);
  }
  CHECK_THROWS_AS(first.run_index(m::b_a, 0, 0), internal_error);
  CHECK_THROWS_AS(first.point(first.runs(), a), internal_error);
}

TEST_CASE("a Saltelli design's points depend only on the seed and the run",
          "[engine][sensitivity][determinism]") {
  const saltelli_design d1(4, one_per_dimension(4), 64, 17, true),
      d2(4, one_per_dimension(4), 64, 17, true), other(4, one_per_dimension(4), 64, 18, true);
  // d2 in reverse order and in parallel, d1 in order.
  std::vector<std::vector<double>> forward(d1.runs()), backward(d2.runs());
  for (std::size_t run = 0; run < d1.runs(); ++run) d1.point(run, forward[run]);
  tbb::parallel_for(std::size_t{0}, d2.runs(), [&](std::size_t i) {
    const std::size_t run = d2.runs() - 1 - i;
    d2.point(run, backward[run]);
  });
  CHECK(forward == backward);
  std::vector<double> u;
  other.point(0, u);
  CHECK(u != forward[0]);
}

TEST_CASE("a Saltelli design's A and B are a whole Sobol net: N strata, each hit once",
          "[engine][sensitivity]") {
  const std::size_t n = 64, d = 6;
  const saltelli_design design(d, one_per_dimension(d), n, 21, false);
  using m = saltelli_design::matrix;
  std::vector<std::vector<int>> hits(2 * d, std::vector<int>(n, 0));
  std::vector<double> u;
  for (std::size_t row = 0; row < n; ++row)
    for (const auto which : {m::a, m::b}) {
      design.point(design.run_index(which, row), u);
      const std::size_t offset = which == m::a ? 0 : d;
      for (std::size_t j = 0; j < d; ++j) {
        REQUIRE(u[j] > 0);
        REQUIRE(u[j] < 1);
        ++hits[offset + j][static_cast<std::size_t>(u[j] * static_cast<double>(n))];
      }
    }
  for (std::size_t j = 0; j < 2 * d; ++j) {
    INFO("coordinate " << j);
    CHECK(std::all_of(hits[j].begin(), hits[j].end(), [](int h) { return h == 1; }));
  }
}

TEST_CASE("a constant output gives zero Sobol indices and says so, without NaN",
          "[engine][sensitivity]") {
  const saltelli_design design(2, one_per_dimension(2), 32, 1, true);
  const std::vector<double> y(design.runs(), 0.1);
  const auto s = sobol_indices(design, y, 50, 2, 0.95);
  CHECK(s.constant_output);
  CHECK(s.variance == 0);
  CHECK(s.mean == Approx(0.1));
  for (const auto* list : {&s.first_order, &s.total, &s.second_order}) {
    REQUIRE_FALSE(list->empty());
    for (const auto& index : *list) {
      CHECK(index.value == 0);
      CHECK(index.low == 0);
      CHECK(index.high == 0);
    }
  }
  // Without bootstrap, the intervals are not defined.
  const auto bare = sobol_indices(design, y, 0, 2, 0.95);
  CHECK(std::isnan(bare.first_order[0].low));
}

TEST_CASE("Sobol indices refuse a non-finite output, naming its run", "[engine][sensitivity]") {
  const saltelli_design design(2, one_per_dimension(2), 8, 1, false);
  std::vector<double> y(design.runs(), 1.0);
  y[13] = std::nan("");
  CHECK_THROWS_WITH(sobol_indices(design, y, 10, 1, 0.95), Catch::Contains("run 13"));
  y[13] = 1;
  CHECK_THROWS_AS(sobol_indices(design, std::span(y).first(10), 10, 1, 0.95), internal_error);
  CHECK_THROWS_WITH(sobol_indices(design, y, 10, 1, 1.0), Catch::Contains("confidence"));
}

TEST_CASE("Morris elementary effects of a linear function are its slopes times the ranges",
          "[engine][sensitivity][analytic]") {
  // y = sum c_i (lo_i + (hi_i - lo_i) u_i); dimensions 2 and 3 form one factor.
  const double c[4] = {2, -3, 0.5, 4}, lo[4] = {1, -2, 10, 0}, hi[4] = {5, 0, 30, 0.25};
  auto linear = [&](std::span<const double> u) {
    double sum = 0;
    for (std::size_t i = 0; i < 4; ++i) sum += c[i] * (lo[i] + (hi[i] - lo[i]) * u[i]);
    return sum;
  };
  const std::vector<sensitivity_factor> factors{{"a", {0}}, {"b", {1}}, {"pair", {3, 2}}};
  const morris_design design(4, factors, 20, 4, 31);
  CHECK(design.runs() == 20 * 4);
  CHECK(design.delta() == Approx(4.0 / 6));
  const auto e = morris_effects(design, evaluate(design, linear));
  REQUIRE(e.size() == 3);
  const double expected[3] = {c[0] * (hi[0] - lo[0]), c[1] * (hi[1] - lo[1]),
                              c[2] * (hi[2] - lo[2]) + c[3] * (hi[3] - lo[3])};
  for (std::size_t i = 0; i < 3; ++i) {
    INFO(factors[i].label);
    CHECK(e[i].mu == Approx(expected[i]).margin(1e-12));
    CHECK(e[i].mu_star == Approx(std::abs(expected[i])).margin(1e-12));
    CHECK(e[i].sigma == Approx(0).margin(1e-12));
  }
  // An interaction: u0's effect is u1's value, which differs between trajectories; the pair
  // enters nothing.
  const auto product = morris_effects(
      design, evaluate(design, [](std::span<const double> u) { return u[0] * u[1]; }));
  CHECK(product[0].sigma > 0.1);
  CHECK(product[2].mu_star == 0);
  CHECK(product[2].sigma == 0);
}

TEST_CASE("a Morris trajectory moves each factor once, all its dimensions together by delta",
          "[engine][sensitivity]") {
  const std::vector<sensitivity_factor> factors{{"a", {0}}, {"pair", {1, 3}}, {"c", {2}}};
  const std::size_t levels = 6, k = 3;
  const morris_design design(4, factors, 30, levels, 5);
  std::vector<double> before, after;
  std::size_t up = 0, down = 0;
  for (std::size_t t = 0; t < design.trajectories(); ++t) {
    const auto steps = design.steps(t);
    REQUIRE(steps.size() == k);
    std::vector<int> moved(k, 0);
    for (std::size_t s = 0; s < k; ++s) {
      design.point(t * (k + 1) + s, before);
      design.point(t * (k + 1) + s + 1, after);
      const auto& dims = factors[steps[s].factor].dimensions;
      ++moved[steps[s].factor];
      (steps[s].change > 0 ? up : down) += 1;
      for (std::size_t d = 0; d < 4; ++d) {
        // On the grid, in [0, 1].
        const double level = after[d] * (levels - 1);
        CHECK(level == Approx(std::round(level)).margin(1e-12));
        CHECK(after[d] >= 0);
        CHECK(after[d] <= 1);
        const bool in = std::find(dims.begin(), dims.end(), d) != dims.end();
        CHECK(after[d] - before[d] == Approx(in ? steps[s].change : 0).margin(1e-12));
      }
    }
    CHECK(moved == std::vector<int>(k, 1));
  }
  CHECK(up > 0);
  CHECK(down > 0);
  // The same arguments give the same points; another seed other points.
  const morris_design again(4, factors, 30, levels, 5), other(4, factors, 30, levels, 6);
  std::vector<double> u, v;
  bool differs = false;
  for (std::size_t run = 0; run < design.runs(); ++run) {
    design.point(run, u);
    again.point(run, v);
    CHECK(u == v);
    other.point(run, v);
    differs = differs || u != v;
  }
  CHECK(differs);
}

TEST_CASE("sensitivity designs refuse invalid arguments", "[engine][sensitivity]") {
  const auto three = one_per_dimension(3);
  CHECK_THROWS_WITH(saltelli_design(3, three, 12, 1, false), Catch::Contains("power of two"));
  CHECK_THROWS_WITH(saltelli_design(3, three, 2, 1, false),
                    Catch::Contains("must exceed the number of factors"));
  CHECK_NOTHROW(saltelli_design(3, three, 4, 1, false));
  const std::vector<sensitivity_factor> twice{{"a", {0, 1}}, {"b", {1, 2}}};
  CHECK_THROWS_WITH(saltelli_design(3, twice, 8, 1, false),
                    Catch::Contains("dimension 1 is in two factors: 'a' and 'b'"));
  const std::vector<sensitivity_factor> missing{{"a", {0}}, {"b", {2}}};
  CHECK_THROWS_WITH(saltelli_design(3, missing, 8, 1, false),
                    Catch::Contains("dimension 1 is in no factor"));
  const std::vector<sensitivity_factor> beyond{{"a", {0, 1, 2, 3}}};
  CHECK_THROWS_WITH(saltelli_design(3, beyond, 8, 1, false), Catch::Contains("out of range"));
  CHECK_THROWS_AS(saltelli_design(2000, one_per_dimension(2000), 4096, 1, false),
                  std::invalid_argument);
  CHECK_THROWS_WITH(morris_design(3, three, 10, 5, 1), Catch::Contains("even"));
  CHECK_THROWS_AS(morris_design(3, three, 10, 0, 1), std::invalid_argument);
  CHECK_THROWS_WITH(morris_design(3, three, 1, 4, 1), Catch::Contains("at least 2 trajectories"));
  CHECK_THROWS_WITH(morris_design(3, twice, 10, 4, 1), Catch::Contains("in two factors"));
}
