#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>

#include "engine/quantile_sketch.hpp"
#include "engine/random.hpp"

using namespace hwf::engine;

TEST_CASE("the quantile sketch stays within its stated rank-error bound", "[engine][mc]") {
  // 250 "cells" of 20,000 values each, of different shapes; the rank error of each reported
  // quantile is measured against the exact sorted values.
  const std::size_t cells = 250, n = 20000;
  std::vector<double> errors;
  std::size_t most_stored = 0;
  for (std::size_t c = 0; c < cells; ++c) {
    quantile_sketch sketch(99, c);
    std::vector<double> exact;
    for (std::size_t i = 0; i < n; ++i) {
      const double u = uniform01(7, rng_stream::sample, c, i);
      const double x = c % 3 == 0   ? u
                       : c % 3 == 1 ? std::exp(4 * u)
                                    : std::round(10 * u);  // ties too
      sketch.insert(x);
      exact.push_back(x);
    }
    most_stored = std::max(most_stored, sketch.stored());
    std::sort(exact.begin(), exact.end());
    for (double p : {0.05, 0.25, 0.5, 0.75, 0.95}) {
      const double q = sketch.quantile(p);
      // The range of ranks q holds in the exact data; the error is the distance from p to it.
      const double lo =
          static_cast<double>(std::lower_bound(exact.begin(), exact.end(), q) - exact.begin()) / n;
      const double hi =
          static_cast<double>(std::upper_bound(exact.begin(), exact.end(), q) - exact.begin()) / n;
      errors.push_back(p < lo ? lo - p : p > hi ? p - hi : 0.0);
    }
  }
  std::sort(errors.begin(), errors.end());
  const double p99 = errors[errors.size() * 99 / 100], worst = errors.back();
  INFO("99th percentile rank error " << p99 << ", worst " << worst << ", most stored "
                                     << most_stored);
  CHECK(p99 <= quantile_sketch::rank_error_bound);
  CHECK(worst <= 2 * quantile_sketch::rank_error_bound);
  CHECK(most_stored < 1000);  // memory independent of n
}

TEST_CASE("a sketch fed the same values in the same order is identical",
          "[engine][mc][determinism]") {
  quantile_sketch a(1, 2), b(1, 2);
  for (int i = 0; i < 50000; ++i) {
    const double x = uniform01(3, rng_stream::sample, 0, static_cast<std::uint64_t>(i));
    a.insert(x);
    b.insert(x);
  }
  for (double p : {0.05, 0.5, 0.95}) CHECK(a.quantile(p) == b.quantile(p));
}
