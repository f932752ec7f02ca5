#include "engine/ensemble.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <memory>

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

void exact_quantiles(std::span<const double> values, double low, double high,
                     std::span<const double> levels, std::span<double> out,
                     quantile_scratch& scratch) {
  const std::size_t n = values.size();
  if (n == 0 || !(low < high)) {  // no values, or all equal
    std::fill(out.begin(), out.end(), n == 0 ? std::numeric_limits<double>::quiet_NaN() : low);
    return;
  }
  // Buckets of equal width between low and high. The bucket index is a monotone function of the
  // value (each floating-point step rounds monotonically), so bucket b holds exactly the ranks
  // [start[b], start[b] + count[b]) of the sorted values.
  std::size_t buckets = std::clamp<std::size_t>(n / 4, 1, 4096);
  double scale = static_cast<double>(buckets) / (high - low);
  if (!std::isfinite(high - low) || !std::isfinite(scale)) buckets = 1, scale = 0;  // extremes
  auto& bucket = scratch.bucket;
  auto& start = scratch.start;
  bucket.resize(n);
  start.assign(buckets + 1, 0);
  for (std::size_t i = 0; i < n; ++i) {
    const auto b = buckets == 1
                       ? 0
                       : std::min(buckets - 1, static_cast<std::size_t>((values[i] - low) * scale));
    bucket[i] = static_cast<std::uint32_t>(b);
    ++start[b + 1];
  }
  for (std::size_t b = 0; b < buckets; ++b) start[b + 1] += start[b];
  // Ranks wanted: two neighbours per level (type 7). Only their buckets are gathered and sorted.
  const auto bucket_of = [&](std::size_t rank) {
    return static_cast<std::size_t>(std::upper_bound(start.begin(), start.end(), rank) -
                                    start.begin()) -
           1;
  };
  auto& wanted = scratch.wanted;
  wanted.assign(buckets, 0);
  for (double p : levels) {
    const auto lo = static_cast<std::size_t>(std::floor((static_cast<double>(n) - 1) * p));
    wanted[bucket_of(lo)] = 1;
    wanted[bucket_of(std::min(lo + 1, n - 1))] = 1;
  }
  auto& sorted = scratch.sorted;  // ranks of the wanted buckets only
  sorted.resize(n);
  auto& fill = scratch.fill;
  fill.assign(start.begin(), start.end() - 1);
  for (std::size_t i = 0; i < n; ++i)
    if (wanted[bucket[i]]) sorted[fill[bucket[i]]++] = values[i];
  for (std::size_t b = 0; b < buckets; ++b)
    if (wanted[b])
      std::sort(sorted.begin() + static_cast<std::ptrdiff_t>(start[b]),
                sorted.begin() + static_cast<std::ptrdiff_t>(start[b + 1]));
  for (std::size_t q = 0; q < levels.size(); ++q) {
    const double h = (static_cast<double>(n) - 1) * levels[q];
    const auto lo = static_cast<std::size_t>(std::floor(h));
    const double next = sorted[std::min(lo + 1, n - 1)];
    out[q] = sorted[lo] + (h - static_cast<double>(lo)) * (next - sorted[lo]);
  }
}

namespace {

/// Mean, sd (n - 1), smallest and largest of `v`; false when a value is NaN (not defined).
/// Sums are shifted by the first value, so that a cell that does not vary has exactly that value
/// as its mean, and go in four interleaved partial sums (i mod 4) added in a fixed order: the same
/// for any thread count, and four times the instruction-level parallelism of one running sum.
bool summarize(std::span<const double> v, double& mean, double& sd, double& low, double& high) {
  const std::size_t n = v.size(), n4 = n / 4 * 4;
  const double first = v[0];
  double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
  double lo = first, hi = first;
  bool nan_seen = false;
  const auto see = [&](double x, double& sum) {
    nan_seen |= std::isnan(x);
    sum += x - first;
    lo = std::min(lo, x);
    hi = std::max(hi, x);
  };
  for (std::size_t i = 0; i < n4; i += 4) {
    see(v[i], s0);
    see(v[i + 1], s1);
    see(v[i + 2], s2);
    see(v[i + 3], s3);
  }
  for (std::size_t i = n4; i < n; ++i) see(v[i], i % 4 == 0 ? s0 : i % 4 == 1 ? s1 : s2);
  if (nan_seen) return false;
  low = lo;
  high = hi;
  if (lo == hi) {  // does not vary
    mean = first;
    sd = 0;
    return true;
  }
  const double m = first + ((s0 + s1) + (s2 + s3)) / static_cast<double>(n);
  double q0 = 0, q1 = 0, q2 = 0, q3 = 0;
  for (std::size_t i = 0; i < n4; i += 4) {
    q0 += (v[i] - m) * (v[i] - m);
    q1 += (v[i + 1] - m) * (v[i + 1] - m);
    q2 += (v[i + 2] - m) * (v[i + 2] - m);
    q3 += (v[i + 3] - m) * (v[i + 3] - m);
  }
  for (std::size_t i = n4; i < n; ++i)
    (i % 4 == 0 ? q0 : i % 4 == 1 ? q1 : q2) += (v[i] - m) * (v[i] - m);
  mean = m;
  sd = n > 1 ? std::sqrt(((q0 + q1) + (q2 + q3)) / static_cast<double>(n - 1)) : 0.0;
  return true;
}

/// Runs [first, last) in parallel into `block` (run-major: (r - first) * cells + c).
void run_block(std::size_t first, std::size_t last, std::size_t cells,
               const ensemble_options& options, const run_function& run_one, double* block,
               std::vector<unsigned char>& ok, std::vector<std::string>& errors,
               std::atomic<std::size_t>& done, std::atomic<bool>& stop) {
  const std::size_t chunk = std::max<std::size_t>(1, options.chunk_runs);
  tbb::parallel_for(tbb::blocked_range<std::size_t>(first, last, chunk), [&](const auto& range) {
    for (std::size_t r = range.begin(); r != range.end(); ++r) {
      if (stop.load(std::memory_order_relaxed) || (options.cancel && options.cancel->load())) break;
      try {
        run_one(r, std::span<double>(block + (r - first) * cells, cells));
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
    run_block(first, last, cells, options, run_one, block.data(), ok, errors, done, stop);
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
  // Not zero-filled: every slot of a successful run is written by that run, and failed runs'
  // slots are never read (filling 8 bytes x runs x cells would cost as much as a tenth of the
  // runs themselves).
  const std::unique_ptr<double[]> values(new double[runs * cells]);
  std::vector<unsigned char> ok(runs, 0);
  std::vector<std::string> errors(runs);
  std::atomic<std::size_t> done{0};
  std::atomic<bool> stop{false};

  run_block(0, runs, cells, options, run_one, values.get(), ok, errors, done, stop);

  cell_statistics st;
  check_failures(options, ok, errors, st);
  if (options.run_sink)
    for (std::size_t r = 0; r < runs; ++r)
      if (ok[r]) options.run_sink(r, std::span<const double>(values.get() + r * cells, cells));
  st.mean.assign(cells, 0);
  st.sd.assign(cells, 0);
  st.quantiles.assign(cells * 5, 0);
  std::vector<std::size_t> good;
  for (std::size_t r = 0; r < runs; ++r)
    if (ok[r]) good.push_back(r);
  constexpr std::size_t block = 256;  // cells gathered together: 2 KiB of each run's row
  tbb::parallel_for(
      tbb::blocked_range<std::size_t>(0, (cells + block - 1) / block), [&](const auto& blocks) {
        std::vector<double> gathered;
        quantile_scratch scratch;
        for (std::size_t b = blocks.begin(); b != blocks.end(); ++b) {
          const std::size_t c0 = b * block, c1 = std::min(cells, c0 + block);
          gathered.resize((c1 - c0) * good.size());
          for (std::size_t i = 0; i < good.size(); ++i) {
            const double* row = values.get() + good[i] * cells;
            for (std::size_t c = c0; c < c1; ++c) gathered[(c - c0) * good.size() + i] = row[c];
          }
          for (std::size_t c = c0; c < c1; ++c) {
            const std::span<const double> v(gathered.data() + (c - c0) * good.size(), good.size());
            double low = 0, high = 0;
            const bool defined = !v.empty() && summarize(v, st.mean[c], st.sd[c], low, high);
            if (!defined) {
              st.mean[c] = st.sd[c] = std::numeric_limits<double>::quiet_NaN();
              for (int q = 0; q < 5; ++q) st.quantiles[c * 5 + q] = st.mean[c];
              continue;
            }
            exact_quantiles(v, low, high, cell_statistics::levels,
                            std::span<double>(st.quantiles.data() + c * 5, 5), scratch);
          }
        }
      });
  return st;
}

}  // namespace hwf::engine
