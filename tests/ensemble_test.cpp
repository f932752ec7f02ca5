#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <cstring>

#include <fmt/format.h>
#include <tbb/global_control.h>

#include "engine/binary_io.hpp"
#include "engine/ensemble.hpp"
#include "engine/quantile_sketch.hpp"
#include "engine/random.hpp"
#include "models/workforce/compiled_model.hpp"
#include "models/workforce/description.hpp"
#include "models/workforce/uncertainty.hpp"
#include "support.hpp"

using namespace hwf;

namespace {

/// Three cells: a uniform draw, a skewed function of it, and a cell undefined in run 0.
void toy_run(std::size_t run, std::span<double> out) {
  const double u = engine::uniform01(5, engine::rng_stream::sample, 0, run);
  out[0] = u;
  out[1] = std::exp(3 * u);
  out[2] = run == 0 ? std::nan("") : 1.0;
}

engine::cell_statistics toy(std::size_t runs, int threads, bool fail_some = false,
                            bool skip = false, bool sketch = false) {
  tbb::global_control limit(tbb::global_control::max_allowed_parallelism, threads);
  engine::ensemble_options opt;
  opt.runs = runs;
  opt.chunk_runs = 7;
  opt.skip_failed = skip;
  opt.force_sketch = sketch;
  if (sketch) {  // many blocks, merged: sketches are summarized per block of runs
    opt.sketch_block = 100;
    opt.chunk_runs = 300;
  }
  return engine::run_ensemble(3, opt, [&](std::size_t run, std::span<double> out) {
    if (fail_some && run % 10 == 3) throw std::runtime_error("boom");
    toy_run(run, out);
  });
}

bool same_bits(const std::vector<double>& a, const std::vector<double>& b) {
  return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(double)) == 0;
}

}  // namespace

TEST_CASE("ensemble statistics are bit-identical for 1, 2 and 4 threads",
          "[engine][mc][determinism]") {
  const auto a = toy(1000, 1), b = toy(1000, 2), c = toy(1000, 4);
  for (const auto* x : {&b, &c}) {
    CHECK(same_bits(a.mean, x->mean));
    CHECK(same_bits(a.sd, x->sd));
    CHECK(same_bits(a.quantiles, x->quantiles));
  }
}

TEST_CASE("ensemble statistics are exact", "[engine][mc]") {
  const auto s = toy(1001, 2);
  std::vector<double> u;
  for (std::size_t r = 0; r < 1001; ++r)
    u.push_back(engine::uniform01(5, engine::rng_stream::sample, 0, r));
  double mean = 0;
  for (double x : u) mean += x;
  mean /= 1001;
  std::sort(u.begin(), u.end());
  CHECK(s.mean[0] == Approx(mean).epsilon(1e-14));
  CHECK(s.quantiles[2] == u[500]);         // median of 1001 values: the 501st
  CHECK(s.quantiles[0] == Approx(u[50]));  // p05 at position 50 exactly (type 7)
  CHECK(std::isnan(s.mean[2]));            // a cell undefined in any run stays undefined
  CHECK(s.runs == 1001);
}

TEST_CASE("bucketed quantiles equal the quantiles of the sorted values", "[engine][mc]") {
  engine::quantile_scratch scratch;
  const double levels[] = {0.0, 0.05, 0.25, 0.5, 0.75, 0.95, 1.0};
  // Shapes that stress the buckets: spread, heavy ties, one far outlier (all else in one
  // bucket), two values, one value, and values whose range overflows a double.
  const auto shapes = [](std::size_t n, int shape) {
    std::vector<double> v(n);
    for (std::size_t i = 0; i < n; ++i) {
      const double u = engine::uniform01(9, engine::rng_stream::sample, shape, i);
      switch (shape) {
        case 0:
          v[i] = std::exp(5 * u);
          break;
        case 1:
          v[i] = std::floor(4 * u);
          break;
        case 2:
          v[i] = i == 0 ? 1e12 : u;
          break;
        default:
          v[i] = u < 0.5 ? -1.5e308 : 1.6e308;
          break;
      }
    }
    return v;
  };
  for (int shape = 0; shape < 4; ++shape)
    for (std::size_t n : {1u, 2u, 3u, 7u, 400u, 1001u}) {
      auto v = shapes(n, shape);
      const auto [lo, hi] = std::minmax_element(v.begin(), v.end());
      double got[7];
      engine::exact_quantiles(v, *lo, *hi, levels, got, scratch);
      std::sort(v.begin(), v.end());
      for (int q = 0; q < 7; ++q) {
        INFO("shape " << shape << ", n " << n << ", level " << levels[q]);
        const double want = engine::quantile_sorted(v, levels[q]);
        CHECK(std::memcmp(&got[q], &want, sizeof want) == 0);
      }
    }
}

TEST_CASE("failed runs stop the ensemble, or are skipped and reported", "[engine][mc]") {
  try {
    toy(100, 2, true);
    FAIL("expected ensemble_error");
  } catch (const engine::ensemble_error& e) {
    // The first failure stops the runs not yet started: which failures are seen depends on the
    // threads' timing, but each is named with its run.
    REQUIRE_FALSE(e.failures().empty());
    const auto first = e.failures().front().run;
    CHECK(first % 10 == 3);
    CHECK_THAT(e.what(), Catch::Contains(fmt::format("run {}: boom", first)));
    CHECK(e.what_to_do() == engine::remedy::skip_failed);
  }
  const auto s = toy(100, 2, true, true);
  CHECK(s.runs == 90);
  REQUIRE(s.skipped.size() == 10);
  CHECK(s.skipped[0].run == 3);
  CHECK(s.skipped[9].run == 93);
}

TEST_CASE("with sketches, a failed run stops its chunk's other runs too", "[engine][mc]") {
  tbb::global_control one(tbb::global_control::max_allowed_parallelism, 1);
  engine::ensemble_options opt;
  opt.runs = 5000;
  opt.force_sketch = true;
  opt.sketch_block = 1000;  // chunks of 1,000 runs
  std::size_t computed = 0;
  const auto run = [&](std::size_t r, std::span<double> out) {
    ++computed;
    if (r == 3) throw std::runtime_error("boom");
    toy_run(r, out);
  };
  CHECK_THROWS_WITH(engine::run_ensemble(3, opt, run), Catch::Contains("run 3: boom"));
  CHECK(computed < 1000);
  opt.skip_failed = true;
  computed = 0;
  const auto st = engine::run_ensemble(3, opt, run);
  CHECK(computed == 5000);
  CHECK(st.runs == 4999);
  REQUIRE(st.skipped.size() == 1);
}

TEST_CASE("an ensemble that would not fit even as sketches is refused before running",
          "[engine][mc]") {
  engine::ensemble_options opt;
  opt.runs = 1'000'000;
  opt.memory_bytes = 1 << 16;
  bool ran = false;
  try {
    engine::run_ensemble(100, opt, [&](std::size_t, std::span<double>) { ran = true; });
    FAIL("expected memory_limit_error");
  } catch (const engine::memory_limit_error& e) {
    CHECK_THAT(e.what(), Catch::Contains("100 values per run need at least") &&
                             Catch::Contains("for quantile sketches"));
    CHECK(e.what_to_do() == engine::remedy::raise_memory);
  }
  CHECK_FALSE(ran);
}

TEST_CASE(
    "beyond the memory limit, sketches give close quantiles and exact means, at any thread count",
    "[engine][mc][determinism]") {
  const auto exact = toy(5000, 2);
  // 5000 x 3 x 8 bytes would fit the default memory limit: force the sketch path.
  const auto sketched = [](int threads) { return toy(5000, threads, false, false, true); };
  const auto one = sketched(1), two = sketched(2);
  CHECK_FALSE(one.exact);
  CHECK(same_bits(one.quantiles, two.quantiles));
  CHECK(same_bits(one.mean, two.mean));
  CHECK(one.mean[0] == Approx(exact.mean[0]).epsilon(1e-12));
  CHECK(one.sd[1] == Approx(exact.sd[1]).epsilon(1e-10));
  // Cell 0 is uniform on (0, 1): value differences are rank differences.
  for (int q = 0; q < 5; ++q)
    CHECK(std::abs(one.quantiles[q] - exact.quantiles[q]) <=
          engine::quantile_sketch::rank_error_bound);
  CHECK(std::isnan(one.mean[2]));
}

TEST_CASE("zero-width distributions reproduce the deterministic run exactly", "[model][mc]") {
  const auto scenario_path = test::scenario_on_good_model("mc_zero_width",
                                                          R"(scenario: zero
model: model.yaml
horizon: {end: 2030}
uncertainty:
  samples: 20
  sampling: sobol
  seed: 1
  parameters:
    countries.AAA.cadres.nurses.exit_rate: {dist: discrete, values: [0.06]}
    countries.*.cadres.*.retirement_rate: {dist: discrete, values: [1], apply: multiply, shared: true}
)");
  const auto s = model::load_scenario(scenario_path);
  const model::compiled_model m(s);
  const auto base = m.default_parameters();
  const auto det = model::simulate(m, base);
  engine::ensemble_options opt;
  opt.runs = 20;
  const auto& u = s.uncertainty;
  const engine::sample_design design(u.sampling, u.seed, u.samples, u.dimensions());
  const std::size_t cells = det.result.tables[0].values.size();
  const auto st = engine::run_ensemble(cells, opt, [&](std::size_t run, std::span<double> out) {
    std::vector<double> uniforms, params = base;
    design.point(run, uniforms);
    model::apply_sample(u, uniforms, params);
    const auto r = model::simulate(m, params);
    std::copy(r.result.tables[0].values.begin(), r.result.tables[0].values.end(), out.begin());
  });
  for (std::size_t c = 0; c < cells; ++c) {
    const double v = det.result.tables[0].values[c];
    if (std::isnan(v)) continue;
    CHECK(st.mean[c] == v);
    CHECK(st.sd[c] == 0);
    for (int q = 0; q < 5; ++q) CHECK(st.quantiles[c * 5 + q] == v);
  }
}

TEST_CASE("wildcards match one path segment; shared draws once for every match", "[model][mc]") {
  const auto scenario_path = test::scenario_on_good_model("mc_wildcards",
                                                          R"(scenario: wild
model: model.yaml
horizon: {end: 2030}
uncertainty:
  samples: 10
  sampling: random
  seed: 3
  parameters:
    countries.*.cadres.nurses.exit_rate: {dist: uniform, min: 0.01, max: 0.04}
    countries.*.cadres.*.retirement_rate: {dist: uniform, min: 0.9, max: 1.1, apply: multiply, shared: true}
)");
  const auto s = model::load_scenario(scenario_path);
  const auto& u = s.uncertainty;
  REQUIRE(u.parameters.size() == 2);
  CHECK(u.parameters[0].targets.size() == 2);  // AAA and BBB
  CHECK(u.dimensions() == 3);                  // two independent, one shared
  const auto labels = model::dimension_labels(u, s.model.params);
  CHECK(labels == std::vector<std::string>{"countries.AAA.cadres.nurses.exit_rate",
                                           "countries.BBB.cadres.nurses.exit_rate",
                                           "countries.*.cadres.*.retirement_rate"});
  const auto& p = s.model.params;
  std::vector<double> params = p.values(), sampled;
  model::apply_sample(u, {0.5, 0.25, 0.75}, params, &sampled);
  CHECK(params[*p.find("countries.AAA.cadres.nurses.exit_rate")] == Approx(0.025));
  CHECK(params[*p.find("countries.BBB.cadres.nurses.exit_rate")] == Approx(0.0175));
  CHECK(params[*p.find("countries.AAA.cadres.nurses.retirement_rate")] == Approx(0.04 * 1.05));
  CHECK(params[*p.find("countries.BBB.cadres.nurses.retirement_rate")] == Approx(0.02 * 1.05));
  REQUIRE(sampled.size() == 3);
  CHECK(sampled[0] == Approx(0.025));
  CHECK(sampled[1] == Approx(0.0175));
  CHECK(sampled[2] == Approx(1.05));
}

TEST_CASE("a multivariate-normal group draws its parameters together", "[model][mc]") {
  const auto scenario_path = test::scenario_on_good_model("mc_mvn", R"(scenario: mvn
model: model.yaml
horizon: {end: 2030}
uncertainty:
  samples: 10
  seed: 3
  parameters:
    countries.*.cadres.nurses.retirement_rate: {dist: uniform, min: 0.01, max: 0.03, shared: true}
  multivariate_normal:
    - source: "a fit"
      parameters:
        countries.AAA.cadres.nurses.exit_rate: {mean: 0.03, sd: 0.01, min: 0.001, max: 0.2}
        countries.BBB.cadres.nurses.exit_rate: {mean: 0.05, sd: 0.02, min: 0.001, max: 0.2}
      correlation:
        - [1, -0.5]
        - [-0.5, 1]
)");
  const auto s = model::load_scenario(scenario_path);
  const auto& u = s.uncertainty;
  REQUIRE(u.groups.size() == 1);
  CHECK(u.groups[0].source == "a fit");
  CHECK(u.dimensions() == 3);
  CHECK(model::dimension_labels(u, s.model.params) ==
        std::vector<std::string>{"countries.*.cadres.nurses.retirement_rate",
                                 "countries.AAA.cadres.nurses.exit_rate",
                                 "countries.BBB.cadres.nurses.exit_rate"});
  // z = (1, 0) for the group: AAA = 0.03 + 0.01, BBB = 0.05 + 0.02 x -0.5.
  const auto& p = s.model.params;
  std::vector<double> params = p.values(), sampled;
  const double one = 0.5 * std::erfc(-1 / std::sqrt(2.0));
  model::apply_sample(u, {0.5, one, 0.5}, params, &sampled);
  CHECK(params[*p.find("countries.AAA.cadres.nurses.exit_rate")] == Approx(0.04).epsilon(1e-12));
  CHECK(params[*p.find("countries.BBB.cadres.nurses.exit_rate")] == Approx(0.04).epsilon(1e-12));
  CHECK(params[*p.find("countries.AAA.cadres.nurses.retirement_rate")] == Approx(0.02));
  REQUIRE(sampled.size() == 3);
  CHECK(sampled[1] == Approx(0.04).epsilon(1e-12));
}

namespace {

/// An ensemble of the toy runs with checkpoints: every chunk it completes and its last sketch
/// state are kept, as the mc command writes them to files.
struct checkpointed {
  std::vector<engine::run_chunk> chunks;
  std::string state;
  std::size_t state_runs = 0;
  std::size_t computed = 0;  ///< runs computed by this ensemble
};

engine::ensemble_options checkpoint_options(std::size_t runs, bool sketch, checkpointed& cp) {
  engine::ensemble_options opt;
  opt.runs = runs;
  opt.chunk_runs = 16;
  opt.force_sketch = sketch;
  // Sketch mode: blocks of 16 runs, and a small memory limit (two sketches per cell and 5 runs'
  // values), so that a chunk's runs are computed a few at a time.
  if (sketch) {
    opt.sketch_block = 16;
    opt.memory_bytes = 2 * 3 * (600 * 8 + 16 * sizeof(std::vector<double>) + 64 + 24) + 5 * 3 * 8;
  }
  opt.state_interval = 0;
  opt.chunk_done = [&cp](const engine::chunk_view& c) {
    cp.chunks.push_back(engine::decode_chunk(engine::encode_chunk(c), 3));
  };
  opt.state_done = [&cp](const std::string& state, std::size_t n) {
    cp.state = state;
    cp.state_runs = n;
  };
  return opt;
}

engine::cell_statistics toy_counted(const engine::ensemble_options& opt, checkpointed& cp,
                                    std::size_t cancel_after = 0) {
  std::atomic<bool> cancel{false};
  auto o = opt;
  o.cancel = &cancel;
  std::atomic<std::size_t> computed{0};
  auto st = engine::run_ensemble(3, o, [&](std::size_t run, std::span<double> out) {
    toy_run(run, out);
    if (++computed == cancel_after) cancel = true;
  });
  cp.computed = computed;
  return st;
}

}  // namespace

TEST_CASE("chunks survive encoding; a damaged chunk is refused", "[engine][mc][checkpoint]") {
  checkpointed cp;
  auto opt = checkpoint_options(40, false, cp);
  toy_counted(opt, cp);
  REQUIRE(cp.chunks.size() == 3);  // 16 + 16 + 8 runs, saved in the order they finish
  std::sort(cp.chunks.begin(), cp.chunks.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  const auto& c = cp.chunks[2];
  CHECK(c.first == 32);
  CHECK(c.last == 40);
  auto bytes = engine::encode_chunk(c.view());
  const auto back = engine::decode_chunk(bytes, 3);
  CHECK(same_bits(back.values, c.values));
  CHECK(back.ok == c.ok);
  bytes[bytes.size() / 2] ^= 1;
  CHECK_THROWS_WITH(engine::decode_chunk(bytes, 3), Catch::Contains("checksum"));
  CHECK_THROWS_AS(engine::decode_chunk(engine::encode_chunk(c.view()), 4), engine::corrupt_data);
}

TEST_CASE("a resumed ensemble computes only the missing runs and ends bit-identical",
          "[engine][mc][checkpoint][determinism]") {
  for (const bool sketch : {false, true}) {
    INFO((sketch ? "sketches" : "exact"));
    checkpointed full;
    const auto whole = toy_counted(checkpoint_options(1000, sketch, full), full);
    CHECK(whole.exact == !sketch);

    // Interrupted part way: the chunks done so far are kept (and, with sketches, the state).
    checkpointed first;
    CHECK_THROWS_WITH(toy_counted(checkpoint_options(1000, sketch, first), first, 500),
                      Catch::Contains("cancelled"));
    REQUIRE_FALSE(first.chunks.empty());
    CHECK(first.chunks.size() < 63);
    if (sketch) CHECK(first.state_runs > 0);

    engine::ensemble_resume resume;
    resume.state = first.state;
    resume.state_runs = first.state_runs;
    // As an MPI job leaves them: some chunks done out of order, one of them lost in flight.
    for (std::size_t i = 0; i < first.chunks.size(); ++i)
      if (i != first.chunks.size() / 2 || first.chunks[i].first < first.state_runs)
        resume.chunks.push_back(first.chunks[i]);
    checkpointed second;
    auto opt = checkpoint_options(1000, sketch, second);
    opt.resume = &resume;
    const auto resumed = toy_counted(opt, second);
    std::size_t kept = 0;
    for (const auto& c : resume.chunks)
      if (c.first >= resume.state_runs) kept += c.last - c.first;
    CHECK(second.computed == 1000 - resume.state_runs - kept);
    CHECK(same_bits(whole.mean, resumed.mean));
    CHECK(same_bits(whole.sd, resumed.sd));
    CHECK(same_bits(whole.quantiles, resumed.quantiles));
  }
}

TEST_CASE("statistics do not depend on the chunk size", "[engine][mc][determinism]") {
  const auto with_chunks = [](std::size_t chunk, bool sketch, std::size_t block = 16) {
    engine::ensemble_options opt;
    opt.runs = 777;
    opt.chunk_runs = chunk;
    opt.force_sketch = sketch;
    opt.sketch_block = block;
    return engine::run_ensemble(3, opt, toy_run);
  };
  {
    const auto a = with_chunks(1, false), b = with_chunks(7, false), c = with_chunks(1000, false);
    CHECK(same_bits(a.quantiles, b.quantiles));
    CHECK(same_bits(a.quantiles, c.quantiles));
    CHECK(same_bits(a.mean, c.mean));
  }
  // Sketches: chunks are whole blocks of runs (their summaries are merged block by block).
  const auto a = with_chunks(16, true), b = with_chunks(48, true), c = with_chunks(784, true);
  CHECK(same_bits(a.quantiles, b.quantiles));
  CHECK(same_bits(a.quantiles, c.quantiles));
  CHECK(same_bits(a.mean, c.mean));
  CHECK(same_bits(a.sd, c.sd));
  CHECK(same_bits(with_chunks(0, true).quantiles, a.quantiles));  // 0: one block per chunk
  CHECK_THROWS_WITH(with_chunks(7, true), Catch::Contains("must be a multiple of 16, not 7"));
  // Another block size is another (close) estimate: the exact quantile is within the bound.
  const auto exact = with_chunks(0, false), one_block = with_chunks(0, true, 1024);
  for (int q = 0; q < 5; ++q) {
    CHECK(std::abs(a.quantiles[q] - exact.quantiles[q]) <=
          engine::quantile_sketch::rank_error_bound);
    CHECK(std::abs(one_block.quantiles[q] - exact.quantiles[q]) <=
          engine::quantile_sketch::rank_error_bound);
  }
  CHECK(a.mean[0] == Approx(exact.mean[0]).epsilon(1e-12));
  CHECK(a.sd[1] == Approx(exact.sd[1]).epsilon(1e-10));
}

TEST_CASE("a sketch state from another ensemble is refused", "[engine][mc][checkpoint]") {
  checkpointed cp;
  CHECK_THROWS(toy_counted(checkpoint_options(1000, true, cp), cp, 600));
  REQUIRE(cp.state_runs > 0);
  engine::ensemble_options opt;
  opt.runs = 1000;
  opt.force_sketch = true;
  engine::ensemble_accumulator other(4, opt);
  CHECK_THROWS_WITH(other.load(cp.state, cp.state_runs), Catch::Contains("4 cells"));
  engine::ensemble_accumulator same(3, opt);
  auto damaged = cp.state;
  damaged[10] ^= 1;
  CHECK_THROWS_WITH(same.load(damaged, cp.state_runs), Catch::Contains("checksum"));
  opt.force_sketch = false;
  engine::ensemble_accumulator exact(3, opt);
  CHECK_THROWS_AS(exact.load(cp.state, cp.state_runs), engine::corrupt_data);
}
