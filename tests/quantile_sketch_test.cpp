#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>

#include "engine/binary_io.hpp"
#include "engine/quantile_sketch.hpp"
#include "engine/random.hpp"

using namespace hwf::engine;

namespace {

/// Rank errors of sketches' quantiles against exact values, and the bound they must keep.
struct rank_errors {
  std::vector<double> errors;
  std::size_t most_stored = 0;

  /// The five levels' errors of `sketch` against `exact` (sorted in place).
  void measure(const quantile_sketch& sketch, std::vector<double>& exact) {
    most_stored = std::max(most_stored, sketch.stored());
    std::sort(exact.begin(), exact.end());
    const auto n = static_cast<double>(exact.size());
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

  void check() {
    std::sort(errors.begin(), errors.end());
    const double p99 = errors[errors.size() * 99 / 100], worst = errors.back();
    INFO("99th percentile rank error " << p99 << ", worst " << worst << ", most stored "
                                       << most_stored);
    CHECK(p99 <= quantile_sketch::rank_error_bound);
    CHECK(worst <= 2 * quantile_sketch::rank_error_bound);
    CHECK(most_stored < 1000);  // memory independent of n
  }
};

}  // namespace

TEST_CASE("the quantile sketch stays within its stated rank-error bound", "[engine][mc]") {
  // 250 "cells" of 20,000 values each, of different shapes; the rank error of each reported
  // quantile is measured against the exact sorted values.
  const std::size_t cells = 250, n = 20000;
  rank_errors errors;
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
    errors.measure(sketch, exact);
  }
  errors.check();
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

TEST_CASE("merged sketches stay within the rank-error bound", "[engine][mc]") {
  // As an ensemble with sketches merges its blocks' summaries: 200 cells of 40 blocks of 500
  // values, each block in a sketch of its own (its own salt), condensed, merged in block order.
  const std::size_t cells = 200, blocks = 40, per_block = 500, n = blocks * per_block;
  rank_errors errors;
  for (std::size_t c = 0; c < cells; ++c) {
    quantile_sketch merged(99, c);
    std::vector<double> exact;
    for (std::size_t b = 0; b < blocks; ++b) {
      quantile_sketch block(99, c, b + 1);
      for (std::size_t i = 0; i < per_block; ++i) {
        const double u = uniform01(8, rng_stream::sample, c, b * per_block + i);
        // Blocks drift, so that merging matters: block b's values sit mostly above block b-1's.
        const double x = c % 2 == 0 ? u + 0.05 * static_cast<double>(b) : std::exp(4 * u);
        block.insert(x);
        exact.push_back(x);
      }
      block.condense();
      merged.merge(block);
      errors.most_stored = std::max(errors.most_stored, merged.stored());
    }
    REQUIRE(merged.count() == n);
    errors.measure(merged, exact);
  }
  errors.check();
}

TEST_CASE("merging is deterministic; an empty sketch adds nothing", "[engine][mc][determinism]") {
  const auto fed = [](std::uint64_t salt, std::uint64_t from) {
    quantile_sketch s(1, 2, salt);
    for (std::uint64_t i = from; i < from + 3000; ++i)
      s.insert(uniform01(3, rng_stream::sample, 0, i));
    return s;
  };
  quantile_sketch a(1, 2), b(1, 2);
  for (std::uint64_t k = 0; k < 5; ++k) {
    a.merge(fed(k + 1, 3000 * k));
    b.merge(fed(k + 1, 3000 * k));
  }
  const double median = a.quantile(0.5);
  a.merge(quantile_sketch(1, 2, 9));
  CHECK(a.count() == 15000);
  for (double p : {0.05, 0.5, 0.95}) CHECK(a.quantile(p) == b.quantile(p));
  CHECK(a.quantile(0.5) == median);
  CHECK(std::abs(median - 0.5) < quantile_sketch::rank_error_bound);
  // Condensed, saved and loaded, it goes on taking values and merges exactly as before.
  quantile_sketch c = b;
  c.condense();
  CHECK(c.stored() < b.stored());
  std::string bytes;
  c.save(bytes);
  quantile_sketch d;
  byte_reader in(bytes);
  d.load(in);
  CHECK(in.done());
  for (quantile_sketch* s : {&c, &d})
    for (std::uint64_t i = 0; i < 20000; ++i) s->insert(uniform01(4, rng_stream::sample, 0, i));
  CHECK(c.count() == 35000);
  for (double p : {0.05, 0.5, 0.95}) {
    CHECK(c.quantile(p) == d.quantile(p));
    CHECK(std::abs(c.quantile(p) - p) < quantile_sketch::rank_error_bound);
  }
  quantile_sketch other_k(1, 2, 0, 100);
  CHECK_THROWS_AS(a.merge(other_k), std::logic_error);
}
