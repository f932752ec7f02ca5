#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "engine/diagnostics.hpp"
#include "engine/distributions.hpp"
#include "engine/random.hpp"
#include "engine/sampling.hpp"

using namespace hwf::engine;

TEST_CASE("counter-based variates depend only on seed, stream, dimension and run", "[engine][mc]") {
  const double a = uniform01(42, rng_stream::sample, 3, 1000);
  CHECK(a == uniform01(42, rng_stream::sample, 3, 1000));
  CHECK(a != uniform01(43, rng_stream::sample, 3, 1000));
  CHECK(a != uniform01(42, rng_stream::sample, 4, 1000));
  CHECK(a != uniform01(42, rng_stream::lhs_jitter, 3, 1000));
  CHECK(a > 0);
  CHECK(a < 1);
}

TEST_CASE("a random design's point i does not depend on the number of runs", "[engine][mc]") {
  const sample_design small(sampling_method::random, 7, 10, 3),
      big(sampling_method::random, 7, 1000, 3);
  std::vector<double> a, b;
  small.point(5, a);
  big.point(5, b);
  CHECK(a == b);
  const sample_design sob_small(sampling_method::sobol, 7, 10, 3),
      sob_big(sampling_method::sobol, 7, 1000, 3);
  sob_small.point(5, a);
  sob_big.point(5, b);
  CHECK(a == b);
}

TEST_CASE("a Latin hypercube hits each of the N strata exactly once per dimension",
          "[engine][mc]") {
  const std::size_t n = 257, dims = 4;
  const sample_design lhs(sampling_method::lhs, 11, n, dims);
  std::vector<std::vector<int>> hits(dims, std::vector<int>(n, 0));
  std::vector<double> u;
  for (std::size_t i = 0; i < n; ++i) {
    lhs.point(i, u);
    for (std::size_t d = 0; d < dims; ++d) {
      REQUIRE(u[d] > 0);
      REQUIRE(u[d] < 1);
      ++hits[d][static_cast<std::size_t>(std::floor(u[d] * n))];
    }
  }
  for (const auto& h : hits) CHECK(std::all_of(h.begin(), h.end(), [](int x) { return x == 1; }));
}

TEST_CASE("unscrambled Sobol points follow the Joe-Kuo direction numbers", "[engine][mc]") {
  // The first points of the sequence after the all-zero point (Joe & Kuo 2008, dimensions 1-3).
  const double expected[6][3] = {{0.5, 0.5, 0.5},       {0.75, 0.25, 0.25},
                                 {0.25, 0.75, 0.75},    {0.375, 0.375, 0.625},
                                 {0.875, 0.875, 0.125}, {0.625, 0.125, 0.875}};
  const sample_design sobol(sampling_method::sobol, 1, 6, 3, false);
  std::vector<double> u;
  for (std::size_t i = 0; i < 6; ++i) {
    sobol.point(i, u);
    for (std::size_t d = 0; d < 3; ++d) CHECK(u[d] == Approx(expected[i][d]).margin(1e-15));
  }
}

TEST_CASE("distributions reproduce their moments for large samples", "[engine][mc][property]") {
  struct named {
    const char* name;
    distribution d;
  };
  const std::vector<named> cases{
      {"uniform", distribution::uniform(0.9, 1.1)},
      {"triangular", distribution::triangular(0.5, 1.4, 2.5)},
      {"pert", distribution::pert(0.02, 0.03, 0.05)},
      {"normal", distribution::normal(10, 2)},
      {"truncated normal", distribution::truncated_normal(0, 1, -0.5, 2)},
      {"lognormal", distribution::lognormal(0.01, 0.3)},
      {"beta", distribution::beta(2, 5, 0, 0.1)},
      {"gamma", distribution::gamma(3, 0.5)},
      {"discrete", distribution::discrete({1, 2, 5}, {1, 2, 1})},
  };
  const std::size_t n = 200000;
  for (const auto& c : cases) {
    INFO(c.name);
    double sum = 0, sum2 = 0;
    for (std::size_t i = 0; i < n; ++i) {
      const double x = c.d.quantile(uniform01(2026, rng_stream::sample, 0, i));
      sum += x;
      sum2 += x * x;
    }
    const double mean = sum / n, var = sum2 / n - mean * mean;
    const double se = std::sqrt(c.d.variance() / n);
    // Fixed seed: these bounds (5 standard errors, 2% on the variance) are not flaky.
    CHECK(std::abs(mean - c.d.mean()) < 5 * se);
    CHECK(var == Approx(c.d.variance()).epsilon(0.02));
  }
}

TEST_CASE("quantiles respect supports and known points", "[engine][mc]") {
  CHECK(distribution::uniform(2, 4).quantile(0.25) == Approx(2.5));
  CHECK(distribution::lognormal(0.01, 0.3).quantile(0.5) == Approx(0.01));
  CHECK(distribution::pert(0, 0.5, 1).quantile(0.5) == Approx(0.5));
  const auto t = distribution::truncated_normal(0, 1, -0.5, 2);
  CHECK(t.quantile(1e-12) >= -0.5);
  CHECK(t.quantile(1 - 1e-12) <= 2);
  CHECK(distribution::discrete({1, 2, 5}, {1, 2, 1}).quantile(0.3) == 2);
  CHECK_THROWS_AS(distribution::triangular(1, 0, 2), internal_error);
}

TEST_CASE("a truncated normal is sampled exactly far in either tail and in narrow windows",
          "[engine][mc]") {
  // References: the quantile by bisection on erfc at 40 digits (mpmath).
  struct known {
    double mean, sd, min, max, u, quantile;
  };
  for (const auto& k :
       {known{0, 1, 40, 41, 0.5, 40.017314126764651}, known{0, 1, 40, 41, 0.1, 40.002632283207007},
        known{0, 1, 40, 41, 0.9, 40.057487458036022},
        known{0, 1, -41, -40, 0.5, -40.017314126764651},
        known{0, 1, 100, 101, 0.5, 100.00693053875243},
        known{0, 1, 1000, 1e6, 0.5, 1000.0006931462472},
        known{10, 2, -100, -99, 0.25, -99.050844226807188},
        known{0, 1, 9, 9.000001, 0.5, 9.0000004999988746},
        known{0, 1, 6, 7, 0.99, 6.6903366226039159}, known{0, 1, 1, 2, 0.5, 1.3364403477452469},
        known{0, 1, -0.5, 2, 0.3, 0.022940762771432146},
        known{0, 1, -0.5, 2, 0.97, 1.7189525974468291}}) {
    INFO(fmt::format("mean {} sd {} window [{}, {}] u {}", k.mean, k.sd, k.min, k.max, k.u));
    CHECK(distribution::truncated_normal(k.mean, k.sd, k.min, k.max).quantile(k.u) ==
          Approx(k.quantile).epsilon(1e-12));
  }
  // An sd far above the window: the density is flat over it, so the quantiles are uniform's
  // (not every draw at the mean).
  const auto flat = distribution::truncated_normal(0.5, 1e14, 0, 1);
  for (double u : {0.01, 0.25, 0.5, 0.75, 0.99})
    CHECK(flat.quantile(u) == Approx(u).epsilon(1e-12));
  const auto flat_below = distribution::truncated_normal(-3, 1e14, 0, 1);  // window above the mean
  for (double u : {0.01, 0.25, 0.75, 0.99})
    CHECK(flat_below.quantile(u) == Approx(u).epsilon(1e-12));
  // A window beyond the range of a double in sd units: all at its near end.
  CHECK(distribution::truncated_normal(0, 1e-300, 1e10, 1e11).quantile(0.5) == 1e10);
  CHECK(distribution::truncated_normal(0, 1e-300, -1e11, -1e10).quantile(0.5) == -1e10);
  // Quantiles rise with u and stay in the window, deep in both tails.
  for (const auto& d : {distribution::truncated_normal(0, 1, 37, 39),
                        distribution::truncated_normal(0, 1, -39, -37),
                        distribution::truncated_normal(0, 1, -1e-9, 1e-9)}) {
    double last = -HUGE_VAL;
    for (double u = 1e-9; u < 1; u += 0.0625) {
      const double x = d.quantile(u);
      CHECK(x >= last);
      last = x;
    }
  }
}

TEST_CASE("a multivariate normal has its means, standard deviations and correlations",
          "[engine][mc][property]") {
  // Three coordinates, correlations 0.6, -0.3 and 0.2, bounds beyond 8 standard deviations.
  const std::vector<double> correlation{1, 0.6, -0.3, 0.6, 1, 0.2, -0.3, 0.2, 1};
  const auto d = multivariate_normal::make({1, 10, -2}, {0.5, 2, 0.1}, correlation,
                                           {-10, -100, -10}, {10, 100, 10});
  REQUIRE(d);
  const std::size_t n = 200000;
  std::vector<double> sum(3, 0), sum2(9, 0), u(3), x(3);
  for (std::size_t i = 0; i < n; ++i) {
    for (std::uint64_t k = 0; k < 3; ++k) u[k] = uniform01(2026, rng_stream::sample, k, i);
    d->draw(u, x);
    for (std::size_t a = 0; a < 3; ++a) {
      sum[a] += x[a];
      for (std::size_t b = 0; b < 3; ++b) sum2[a * 3 + b] += x[a] * x[b];
    }
  }
  const std::vector<double> mean{1, 10, -2}, sd{0.5, 2, 0.1};
  std::vector<double> m(3), s(3);
  for (std::size_t a = 0; a < 3; ++a) {
    m[a] = sum[a] / n;
    s[a] = std::sqrt(sum2[a * 4] / n - m[a] * m[a]);
    // Fixed seed: 5 standard errors, 1% on the standard deviation; not flaky.
    CHECK(std::abs(m[a] - mean[a]) < 5 * sd[a] / std::sqrt(double(n)));
    CHECK(s[a] == Approx(sd[a]).epsilon(0.01));
  }
  for (std::size_t a = 0; a < 3; ++a)
    for (std::size_t b = a + 1; b < 3; ++b) {
      const double r = (sum2[a * 3 + b] / n - m[a] * m[b]) / (s[a] * s[b]);
      CHECK(r == Approx(correlation[a * 3 + b]).margin(0.01));
    }
}

TEST_CASE(
    "a multivariate normal's draws are clamped to their bounds; a matrix that is not "
    "positive definite makes none",
    "[engine][mc]") {
  const auto d = multivariate_normal::make({0, 0}, {1, 1}, {1, 0.5, 0.5, 1}, {-1, -0.5}, {1, 2});
  REQUIRE(d);
  std::vector<double> x(2);
  // z = (Phi^-1(0.99), Phi^-1(0.01)) = (2.326, -2.326): x1 = 2.326 -> 1; x2 = 0.5 * 2.326 +
  // sqrt(0.75) * -2.326 = -0.852 -> -0.5.
  const std::vector<double> far{0.99, 0.01};
  d->draw(far, x);
  CHECK(x[0] == 1);
  CHECK(x[1] == -0.5);
  // The centre draws the means; z = (1, 0) gives (sd1, r sd2).
  const double one = 0.5 * std::erfc(-1 / std::sqrt(2.0));
  const std::vector<double> z{one, 0.5};
  d->draw(z, x);
  CHECK(x[0] == Approx(1).epsilon(1e-12));
  CHECK(x[1] == Approx(0.5).epsilon(1e-12));
  CHECK_FALSE(multivariate_normal::make(
      {0, 0, 0}, {1, 1, 1}, {1, 0.9, -0.9, 0.9, 1, 0.9, -0.9, 0.9, 1}, {-1, -1, -1}, {1, 1, 1}));
}
