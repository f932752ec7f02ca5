#include "engine/ensemble.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include <fmt/format.h>
#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>

#include "engine/quantile_sketch.hpp"

namespace hwf::engine {

double quantile_sorted(std::span<const double> sorted, double p) {
  if (sorted.empty()) return std::numeric_limits<double>::quiet_NaN();
  const double h = (static_cast<double>(sorted.size()) - 1) * p;
  const auto lo = static_cast<std::size_t>(std::floor(h));
  const std::size_t hi = std::min(lo + 1, sorted.size() - 1);
  return sorted[lo] + (h - static_cast<double>(lo)) * (sorted[hi] - sorted[lo]);
}

namespace {

/// Runs [first, last) in parallel into `block` (run-major: (r - first) * cells + c).
void run_block(std::size_t first, std::size_t last, std::size_t cells,
               const ensemble_options& options, const run_function& run_one,
               std::vector<double>& block, std::vector<unsigned char>& ok,
               std::vector<std::string>& errors, std::atomic<std::size_t>& done,
               std::atomic<bool>& stop) {
  const std::size_t chunk = std::max<std::size_t>(1, options.chunk_runs);
  tbb::parallel_for(tbb::blocked_range<std::size_t>(first, last, chunk), [&](const auto& range) {
    for (std::size_t r = range.begin(); r != range.end(); ++r) {
      if (stop.load(std::memory_order_relaxed) || (options.cancel && options.cancel->load())) break;
      try {
        run_one(r, std::span<double>(block.data() + (r - first) * cells, cells));
        ok[r] = 1;
      } catch (const std::exception& e) {
        errors[r] = e.what();
        if (!options.skip_failed) stop = true;  // the ensemble will stop: spare the remaining runs
      }
    }
    const std::size_t now = done += range.size();
    if (options.progress) options.progress(now);
  });
}

void check_failures(const ensemble_options& options, const std::vector<unsigned char>& ok,
                    const std::vector<std::string>& errors, cell_statistics& st) {
  if (options.cancel && options.cancel->load())
    throw ensemble_error("cancelled before all runs finished; nothing was written", {});
  std::vector<run_failure> failures;
  for (std::size_t r = 0; r < ok.size(); ++r)
    if (!ok[r] && !errors[r].empty()) failures.push_back({r, errors[r]});
  if (!failures.empty() && !options.skip_failed) {
    std::string msg =
        fmt::format("{} run{} failed", failures.size(), failures.size() > 1 ? "s" : "");
    for (std::size_t i = 0; i < failures.size() && i < 10; ++i)
      msg += fmt::format("\n  run {}: {}", failures[i].run, failures[i].message);
    msg += "\n  (--skip-failed excludes failed runs from the statistics and reports them)";
    throw ensemble_error(msg, failures);
  }
  st.skipped = std::move(failures);
  for (unsigned char o : ok) st.runs += o;
}

constexpr double nan = std::numeric_limits<double>::quiet_NaN();

/// Bytes a sketch per cell takes at most (k = 200: under 600 items, plus level vectors).
constexpr double sketch_bytes = 600 * sizeof(double) + 16 * sizeof(std::vector<double>) + 64;

cell_statistics run_with_sketches(std::size_t cells, const ensemble_options& options,
                                  const run_function& run_one) {
  const std::size_t runs = options.runs;
  const double budget = static_cast<double>(options.memory_bytes);
  const double sketches = static_cast<double>(cells) * (sketch_bytes + 3 * sizeof(double));
  // Runs go in blocks (a buffer of at most 64 MiB): computed in parallel, then fed to the
  // sketches in run order.
  const double room = budget - sketches;
  const auto block_runs = static_cast<std::size_t>(std::min<double>(
      static_cast<double>(runs), std::floor(std::min(room, 64.0 * (1 << 20)) /
                                            (static_cast<double>(cells) * sizeof(double)))));
  if (room <= 0 || block_runs < 1)
    throw memory_limit_error(fmt::format(
        "{} values per run need at least {:.0f} MiB for quantile sketches, more than the limit of "
        "{:.0f} MiB; raise --memory",
        cells, (sketches + static_cast<double>(cells) * sizeof(double)) / (1 << 20),
        budget / (1 << 20)));

  std::vector<quantile_sketch> sketch;
  sketch.reserve(cells);
  for (std::size_t c = 0; c < cells; ++c) sketch.emplace_back(0x5eed, c);
  std::vector<double> mean(cells, 0.0), m2(cells, 0.0);
  std::vector<std::uint64_t> count(cells, 0);
  std::vector<unsigned char> undefined(cells, 0);
  std::vector<double> block(block_runs * cells);
  std::vector<unsigned char> ok(runs, 0);
  std::vector<std::string> errors(runs);
  std::atomic<std::size_t> done{0};
  std::atomic<bool> stop{false};
  for (std::size_t first = 0; first < runs && !stop; first += block_runs) {
    const std::size_t last = std::min(runs, first + block_runs);
    run_block(first, last, cells, options, run_one, block, ok, errors, done, stop);
    if (options.cancel && options.cancel->load()) break;
    if (options.run_sink)
      for (std::size_t r = first; r < last; ++r)
        if (ok[r])
          options.run_sink(r, std::span<const double>(block.data() + (r - first) * cells, cells));
    // Each cell takes its values in run order: the same sketches for any thread count.
    tbb::parallel_for(tbb::blocked_range<std::size_t>(0, cells, 64), [&](const auto& range) {
      for (std::size_t c = range.begin(); c != range.end(); ++c)
        for (std::size_t r = first; r < last; ++r) {
          if (!ok[r]) continue;
          const double x = block[(r - first) * cells + c];
          if (std::isnan(x)) {
            undefined[c] = 1;
            continue;
          }
          const double delta = x - mean[c];
          mean[c] += delta / static_cast<double>(++count[c]);
          m2[c] += delta * (x - mean[c]);
          sketch[c].insert(x);
        }
    });
  }
  cell_statistics st;
  check_failures(options, ok, errors, st);
  st.exact = false;
  st.mean.assign(cells, nan);
  st.sd.assign(cells, nan);
  st.quantiles.assign(cells * 5, nan);
  tbb::parallel_for(tbb::blocked_range<std::size_t>(0, cells, 64), [&](const auto& range) {
    for (std::size_t c = range.begin(); c != range.end(); ++c) {
      if (undefined[c] || count[c] == 0) continue;
      st.mean[c] = mean[c];
      st.sd[c] = count[c] > 1 ? std::sqrt(m2[c] / static_cast<double>(count[c] - 1)) : 0.0;
      for (int q = 0; q < 5; ++q)
        st.quantiles[c * 5 + q] = sketch[c].quantile(cell_statistics::levels[q]);
    }
  });
  return st;
}

}  // namespace

cell_statistics run_ensemble(std::size_t cells, const ensemble_options& options,
                             const run_function& run_one) {
  const std::size_t runs = options.runs;
  const double bytes = static_cast<double>(runs) * static_cast<double>(cells) * sizeof(double);
  if (bytes > static_cast<double>(options.memory_bytes) || options.force_sketch)
    return run_with_sketches(cells, options, run_one);

  // Run-major storage: each run writes its values in one contiguous stretch; the statistics
  // then gather blocks of cells (a transpose by blocks, so that memory is read in cache lines).
  std::vector<double> values(runs * cells);
  std::vector<unsigned char> ok(runs, 0);
  std::vector<std::string> errors(runs);
  std::atomic<std::size_t> done{0};
  std::atomic<bool> stop{false};

  run_block(0, runs, cells, options, run_one, values, ok, errors, done, stop);

  cell_statistics st;
  check_failures(options, ok, errors, st);
  if (options.run_sink)
    for (std::size_t r = 0; r < runs; ++r)
      if (ok[r]) options.run_sink(r, std::span<const double>(values.data() + r * cells, cells));
  st.mean.assign(cells, 0);
  st.sd.assign(cells, 0);
  st.quantiles.assign(cells * 5, 0);
  std::vector<std::size_t> good;
  for (std::size_t r = 0; r < runs; ++r)
    if (ok[r]) good.push_back(r);
  constexpr std::size_t block = 64;
  tbb::parallel_for(
      tbb::blocked_range<std::size_t>(0, (cells + block - 1) / block), [&](const auto& blocks) {
        std::vector<double> gathered, v;
        for (std::size_t b = blocks.begin(); b != blocks.end(); ++b) {
          const std::size_t c0 = b * block, c1 = std::min(cells, c0 + block);
          gathered.resize((c1 - c0) * good.size());
          for (std::size_t i = 0; i < good.size(); ++i) {
            const double* row = values.data() + good[i] * cells;
            for (std::size_t c = c0; c < c1; ++c) gathered[(c - c0) * good.size() + i] = row[c];
          }
          for (std::size_t c = c0; c < c1; ++c) {
            const double* col = gathered.data() + (c - c0) * good.size();
            v.assign(col, col + good.size());
            const bool undefined =
                std::any_of(v.begin(), v.end(), [](double x) { return std::isnan(x); });
            if (undefined || v.empty()) {
              st.mean[c] = st.sd[c] = std::numeric_limits<double>::quiet_NaN();
              for (int q = 0; q < 5; ++q) st.quantiles[c * 5 + q] = st.mean[c];
              continue;
            }
            // Sums in run order (the same for any thread count), shifted by the first value so that
            // a cell that does not vary has exactly that value as its mean.
            double sum = 0;
            for (double x : v) sum += x - v[0];
            const double mean = v[0] + sum / static_cast<double>(v.size());
            double ss = 0;
            for (double x : v) ss += (x - mean) * (x - mean);
            st.mean[c] = mean;
            st.sd[c] = v.size() > 1 ? std::sqrt(ss / static_cast<double>(v.size() - 1)) : 0.0;
            // Type-7 quantiles need two neighbouring order statistics each: select them in
            // increasing order (linear time) instead of sorting.
            auto from = v.begin();
            for (int q = 0; q < 5; ++q) {
              const double h = (static_cast<double>(v.size()) - 1) * cell_statistics::levels[q];
              const auto lo = static_cast<std::size_t>(std::floor(h));
              const auto at = v.begin() + static_cast<std::ptrdiff_t>(lo);
              std::nth_element(from, at, v.end());
              const double next = lo + 1 < v.size() ? *std::min_element(at + 1, v.end()) : *at;
              st.quantiles[c * 5 + q] = *at + (h - static_cast<double>(lo)) * (next - *at);
              from = at;
            }
          }
        }
      });
  return st;
}

}  // namespace hwf::engine
