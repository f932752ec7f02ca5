#include "engine/ensemble.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstring>
#include <exception>
#include <limits>
#include <map>
#include <memory>
#include <mutex>
#include <new>
#include <optional>

#include <fmt/format.h>
#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>

#include <unistd.h>

#include "engine/binary_io.hpp"
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

constexpr double nan = std::numeric_limits<double>::quiet_NaN();

/// Bytes a sketch per cell takes at most (k = 200: under 600 items, plus level vectors).
constexpr double sketch_bytes = 600 * sizeof(double) + 16 * sizeof(std::vector<double>) + 64;

/// Failed runs, in chunks and in a saved state alike.
void put_failures(std::string& out, std::span<const run_failure> failures) {
  put<std::uint64_t>(out, failures.size());
  for (const auto& f : failures) {
    put<std::uint64_t>(out, f.run);
    put<std::int32_t>(out, f.rank);
    put_string(out, f.message);
  }
}

std::vector<run_failure> get_failures(byte_reader& in, std::size_t most) {
  const auto n = in.get<std::uint64_t>();
  if (n > most) throw corrupt_data("more failures than runs");
  std::vector<run_failure> failures;
  for (std::uint64_t i = 0; i < n; ++i) {
    run_failure f;
    f.run = in.get<std::uint64_t>();
    f.rank = in.get<std::int32_t>();
    f.message = in.get_string();
    failures.push_back(std::move(f));
  }
  return failures;
}

/// The bytes before the trailing checksum, which must match them.
std::string_view checked_body(std::string_view bytes) {
  if (bytes.size() < 8) throw corrupt_data("the data ends too early");
  std::uint64_t sum = 0;
  std::memcpy(&sum, bytes.data() + bytes.size() - 8, 8);
  const auto body = bytes.substr(0, bytes.size() - 8);
  if (sum != checksum(body))
    throw corrupt_data("its checksum does not match (the file is damaged)");
  return body;
}

constexpr std::uint64_t chunk_magic = 0x4b4e4843'46574801ull;  // "\1HWFCHNK", format 1

}  // namespace

std::string failures_message(const std::vector<run_failure>& failures) {
  std::string msg = fmt::format("{} run{} failed", failures.size(), failures.size() > 1 ? "s" : "");
  for (std::size_t i = 0; i < failures.size() && i < 10; ++i)
    msg += fmt::format("\n  run {}{}: {}", failures[i].run,
                       failures[i].rank >= 0 ? fmt::format(" (rank {})", failures[i].rank) : "",
                       failures[i].message);
  return msg;
}

ensemble_error failed_runs_error(const std::vector<run_failure>& failures) {
  return ensemble_error(failures_message(failures), failures, remedy::skip_failed);
}

std::string encode_chunk(const chunk_view& chunk) {
  std::string out;
  put(out, chunk_magic);
  put<std::uint64_t>(out, chunk.first);
  put<std::uint64_t>(out, chunk.last);
  if (!chunk.ok.empty())
    out.append(reinterpret_cast<const char*>(chunk.ok.data()), chunk.ok.size());
  put_failures(out, chunk.failures);
  put<std::uint64_t>(out, chunk.values.size());
  if (!chunk.values.empty())
    out.append(reinterpret_cast<const char*>(chunk.values.data()),
               chunk.values.size() * sizeof(double));
  put<std::uint64_t>(out, chunk.summaries.size());
  for (const auto& s : chunk.summaries) s.save(out);
  put(out, checksum(out));
  return out;
}

run_chunk decode_chunk(std::string_view bytes, std::size_t cells) {
  byte_reader in(checked_body(bytes));
  if (in.get<std::uint64_t>() != chunk_magic) throw corrupt_data("not a chunk of runs");
  run_chunk c;
  c.first = in.get<std::uint64_t>();
  c.last = in.get<std::uint64_t>();
  if (c.last < c.first || c.last - c.first > (std::size_t{1} << 32))
    throw corrupt_data("its run range is not valid");
  const std::size_t n = c.last - c.first;
  // One flag byte per run, read before anything is sized by n.
  const auto flags = in.take(n);
  c.ok.assign(flags.begin(), flags.end());
  c.failures = get_failures(in, n);
  c.values = in.get_array<double>(n * cells);
  if (!c.values.empty() && c.values.size() != n * cells)
    throw corrupt_data(fmt::format("it does not hold {} values per run", cells));
  const auto summaries = in.get<std::uint64_t>();
  if (summaries > n) throw corrupt_data("it holds more summaries than runs");
  for (std::uint64_t i = 0; i < summaries; ++i) c.summaries.push_back(run_summary::load(in, cells));
  if (!in.done()) throw corrupt_data("it has data after its end");
  return c;
}

run_summary::run_summary(std::size_t cells, std::size_t salt)
    : mean_(cells, 0.0), m2_(cells, 0.0), count_(cells, 0), undefined_(cells, 0) {
  sketch_.reserve(cells);
  for (std::size_t c = 0; c < cells; ++c) sketch_.emplace_back(0x5eed, c, salt);
}

void run_summary::add(std::size_t n, std::span<const unsigned char> ok,
                      std::span<const double> values) {
  const std::size_t cells = this->cells();
  if (ok.size() != n || values.size() != n * cells) throw std::logic_error("run_summary::add");
  tbb::parallel_for(tbb::blocked_range<std::size_t>(0, cells, 64), [&](const auto& range) {
    for (std::size_t c = range.begin(); c != range.end(); ++c)
      for (std::size_t r = 0; r < n; ++r) {
        if (!ok[r]) continue;
        const double x = values[r * cells + c];
        if (std::isnan(x)) {
          undefined_[c] = 1;
          continue;
        }
        // Welford's update: exact for a cell that does not vary.
        const double delta = x - mean_[c];
        mean_[c] += delta / static_cast<double>(++count_[c]);
        m2_[c] += delta * (x - mean_[c]);
        sketch_[c].insert(x);
      }
  });
}

void run_summary::merge(const run_summary& later) {
  if (later.cells() != cells()) throw std::logic_error("run_summary::merge: other cells");
  tbb::parallel_for(tbb::blocked_range<std::size_t>(0, cells(), 16), [&](const auto& range) {
    for (std::size_t c = range.begin(); c != range.end(); ++c) {
      undefined_[c] |= later.undefined_[c];
      const std::uint64_t na = count_[c], nb = later.count_[c];
      if (nb == 0) continue;
      if (na == 0) {
        mean_[c] = later.mean_[c];
        m2_[c] = later.m2_[c];
      } else {
        // Chan, Golub & LeVeque's pairwise update; a cell that does not vary keeps its value.
        const double n = static_cast<double>(na + nb), delta = later.mean_[c] - mean_[c];
        mean_[c] += delta * (static_cast<double>(nb) / n);
        m2_[c] +=
            later.m2_[c] + delta * delta * (static_cast<double>(na) * static_cast<double>(nb) / n);
      }
      count_[c] = na + nb;
      sketch_[c].merge(later.sketch_[c]);
    }
  });
}

void run_summary::condense() {
  tbb::parallel_for(tbb::blocked_range<std::size_t>(0, cells(), 64), [&](const auto& range) {
    for (std::size_t c = range.begin(); c != range.end(); ++c) sketch_[c].condense();
  });
}

void run_summary::save(std::string& out) const {
  put<std::uint64_t>(out, cells());
  put_array(out, mean_);
  put_array(out, m2_);
  put_array(out, count_);
  put_array(out, undefined_);
  // Each sketch's size first, so that they can be read back in parallel.
  put<std::uint64_t>(out, cells());
  const std::size_t table = out.size();
  out.resize(table + cells() * sizeof(std::uint64_t));
  for (std::size_t c = 0; c < cells(); ++c) {
    const std::size_t before = out.size();
    sketch_[c].save(out);
    const std::uint64_t size = out.size() - before;
    std::memcpy(out.data() + table + c * sizeof size, &size, sizeof size);
  }
}

run_summary run_summary::load(byte_reader& in, std::size_t cells) {
  if (in.get<std::uint64_t>() != cells)
    throw corrupt_data(fmt::format("it is not a summary of {} cells", cells));
  run_summary s;
  s.mean_ = in.get_array<double>(cells);
  s.m2_ = in.get_array<double>(cells);
  s.count_ = in.get_array<std::uint64_t>(cells);
  s.undefined_ = in.get_array<unsigned char>(cells);
  const auto sizes = in.get_array<std::uint64_t>(cells);
  if (s.mean_.size() != cells || s.m2_.size() != cells || s.count_.size() != cells ||
      s.undefined_.size() != cells || sizes.size() != cells)
    throw corrupt_data("its cell count does not match");
  std::vector<std::size_t> at(cells + 1, 0);
  for (std::size_t c = 0; c < cells; ++c) {
    if (sizes[c] > (std::size_t{1} << 24))
      throw corrupt_data("a sketch is larger than sketches are");
    at[c + 1] = at[c] + sizes[c];
  }
  const std::string_view body = in.take(at[cells]);
  s.sketch_.resize(cells);
  tbb::parallel_for(tbb::blocked_range<std::size_t>(0, cells, 64), [&](const auto& range) {
    for (std::size_t c = range.begin(); c != range.end(); ++c) {
      byte_reader one(body.substr(at[c], sizes[c]));
      s.sketch_[c].load(one);
      if (!one.done()) throw corrupt_data("a sketch has data after its end");
    }
  });
  return s;
}

namespace {

/// The machine's physical memory in bytes (infinity where the system does not say).
double physical_memory_bytes() {
  const long pages = ::sysconf(_SC_PHYS_PAGES), page = ::sysconf(_SC_PAGESIZE);
  if (pages <= 0 || page <= 0) return std::numeric_limits<double>::infinity();
  return static_cast<double>(pages) * static_cast<double>(page);
}

}  // namespace

ensemble_accumulator::ensemble_accumulator(std::size_t cells, const ensemble_options& options)
    : cells_(cells), options_(options) {
  const std::size_t runs = options.runs;
  exact_ = keeps_exact(cells, options);
  options_.chunk_runs = resolve_chunk_runs(cells, options);
  if (exact_) {
    // Not zero-filled: every slot of a successful run is written, and failed runs' slots are
    // never read (filling 8 bytes x runs x cells would cost as much as a tenth of the runs).
    // --memory may allow more than the machine has: refuse with the size, as for sketches,
    // before asking for more than its physical memory (an allocator may abort rather than fail,
    // and an overcommitted allocation fails only when touched), and when the allocation fails.
    const double bytes = static_cast<double>(runs) * static_cast<double>(cells) * sizeof(double);
    const auto refuse = [&] {
      return memory_limit_error(
          fmt::format(
              "keeping every value of {} runs x {} values per run needs {:.0f} MiB, which this "
              "machine could not allocate",
              runs, cells, bytes / (1 << 20)),
          remedy::memory_it_has_or_fewer_runs);
    };
    if (bytes > physical_memory_bytes()) throw refuse();
    try {
      store_.reset(new double[runs * cells]);
      ok_.assign(runs, 0);
    } catch (const std::bad_alloc&) {
      throw refuse();
    }
    block_runs_ = runs;
    return;
  }
  block_runs_ = sketch_buffer_runs(cells, options_);
  sketches_.emplace(cells, 0);
}

std::size_t sketch_buffer_runs(std::size_t cells, const ensemble_options& options) {
  // The ensemble's sketches, a block's being built, and a chunk's values when they are kept.
  const std::size_t runs = options.runs, chunk = resolve_chunk_runs(cells, options);
  const double budget = static_cast<double>(options.memory_bytes);
  const double row = static_cast<double>(cells) * sizeof(double);
  const bool keep = options.keep_values || options.run_sink;
  const double need = 2 * static_cast<double>(cells) * (sketch_bytes + 3 * sizeof(double)) +
                      (keep ? static_cast<double>(chunk) * row : 0.0);
  // Runs are computed in parallel a buffer at a time (at most 64 MiB), then added in run order.
  const double room = budget - need;
  auto buffer = static_cast<std::size_t>(std::min<double>(
      static_cast<double>(runs), std::floor(std::min(room, 64.0 * (1 << 20)) / row)));
  if (keep) buffer = std::min(runs, chunk);  // into the chunk's own values
  if (room <= 0 || buffer < 1)
    throw memory_limit_error(
        fmt::format("{} values per run need at least {:.0f} MiB for quantile sketches{}, more than "
                    "the limit "
                    "of {:.0f} MiB",
                    cells, (need + row) / (1 << 20),
                    keep ? fmt::format(" and {} runs' values", chunk) : "", budget / (1 << 20)),
        remedy::raise_memory);
  return buffer;
}

ensemble_accumulator::~ensemble_accumulator() = default;

bool ensemble_accumulator::keeps_exact(std::size_t cells,
                                       const ensemble_options& options) noexcept {
  const double bytes =
      static_cast<double>(options.runs) * static_cast<double>(cells) * sizeof(double);
  return bytes <= static_cast<double>(options.memory_bytes) && !options.force_sketch;
}

std::span<double> ensemble_accumulator::slot(std::size_t run) {
  if (!exact_ || run >= options_.runs) throw std::logic_error("ensemble_accumulator::slot");
  return {store_.get() + run * cells_, cells_};
}

void ensemble_accumulator::take(const chunk_view& chunk) {
  const std::size_t n = chunk.last - chunk.first, block = options_.sketch_block;
  const bool whole = chunk.values.size() == n * cells_;
  const bool fits = exact_ ? whole
                           : (whole || chunk.values.empty()) && chunk.first % block == 0 &&
                                 chunk.summaries.size() == (n + block - 1) / block &&
                                 (n % block == 0 || chunk.last == options_.runs);
  if (chunk.first != taken_ || chunk.last > options_.runs || chunk.last < chunk.first ||
      chunk.ok.size() != n || !fits)
    throw std::logic_error(fmt::format("ensemble: chunk [{}, {}) taken out of order or malformed",
                                       chunk.first, chunk.last));
  failures_.insert(failures_.end(), chunk.failures.begin(), chunk.failures.end());
  for (unsigned char o : chunk.ok) successes_ += o;
  if (exact_) {
    double* to = store_.get() + chunk.first * cells_;
    if (chunk.values.data() != to) std::copy(chunk.values.begin(), chunk.values.end(), to);
    std::copy(chunk.ok.begin(), chunk.ok.end(),
              ok_.begin() + static_cast<std::ptrdiff_t>(chunk.first));
  } else {
    for (const auto& s : chunk.summaries) {
      if (s.cells() != cells_) throw std::logic_error("ensemble: a summary of other cells");
      sketches_->merge(s);
    }
  }
  if (options_.run_sink) {
    if (!whole) throw std::logic_error("ensemble: a chunk without its values for run_sink");
    for (std::size_t r = 0; r < n; ++r)
      if (chunk.ok[r]) options_.run_sink(chunk.first + r, chunk.values.subspan(r * cells_, cells_));
  }
  taken_ = chunk.last;
}

std::string ensemble_accumulator::save() const {
  if (exact_) throw std::logic_error("ensemble_accumulator::save in exact mode");
  std::string out;
  put<std::uint64_t>(out, cells_);
  put<std::uint64_t>(out, taken_);
  put<std::uint64_t>(out, successes_);
  put_failures(out, failures_);
  sketches_->save(out);
  put(out, checksum(out));
  return out;
}

void ensemble_accumulator::load(std::string_view state, std::size_t runs) {
  if (exact_) throw corrupt_data("a sketch state, but this ensemble keeps exact values");
  byte_reader in(checked_body(state));
  if (in.get<std::uint64_t>() != cells_)
    throw corrupt_data(fmt::format("it is not a state of {} cells", cells_));
  taken_ = in.get<std::uint64_t>();
  if (taken_ != runs || taken_ > options_.runs) throw corrupt_data("its run count does not match");
  successes_ = in.get<std::uint64_t>();
  failures_ = get_failures(in, taken_);
  sketches_ = run_summary::load(in, cells_);
  if (!in.done()) throw corrupt_data("it has data after its end");
}

cell_statistics ensemble_accumulator::finish() {
  if (taken_ != options_.runs && !must_stop())
    throw std::logic_error("ensemble_accumulator::finish before every run is in");
  if (must_stop()) throw failed_runs_error(failures_);
  if (successes_ == 0 && !failures_.empty()) {
    // Failures skipped, and nothing left to summarize: tables of no runs would look like results.
    throw ensemble_error(fmt::format("every run failed, so there are no statistics: {}",
                                     failures_message(failures_)),
                         failures_, remedy::skip_failed_needs_success);
  }
  cell_statistics st;
  st.skipped = failures_;
  st.runs = successes_;
  const std::size_t cells = cells_;
  if (!exact_) {
    const auto& k = *sketches_;
    st.exact = false;
    st.mean.assign(cells, nan);
    st.sd.assign(cells, nan);
    st.quantiles.assign(cells * 5, nan);
    tbb::parallel_for(tbb::blocked_range<std::size_t>(0, cells, 64), [&](const auto& range) {
      for (std::size_t c = range.begin(); c != range.end(); ++c) {
        if (k.undefined_[c] || k.count_[c] == 0) continue;
        st.mean[c] = k.mean_[c];
        st.sd[c] =
            k.count_[c] > 1 ? std::sqrt(k.m2_[c] / static_cast<double>(k.count_[c] - 1)) : 0.0;
        for (int q = 0; q < 5; ++q)
          st.quantiles[c * 5 + q] = k.sketch_[c].quantile(cell_statistics::levels[q]);
      }
    });
    return st;
  }
  st.mean.assign(cells, 0);
  st.sd.assign(cells, 0);
  st.quantiles.assign(cells * 5, 0);
  std::vector<std::size_t> good;
  for (std::size_t r = 0; r < options_.runs; ++r)
    if (ok_[r]) good.push_back(r);
  // Run-major storage: the statistics gather blocks of cells (a transpose by blocks, so that
  // memory is read in cache lines).
  constexpr std::size_t block = 256;  // cells gathered together: 2 KiB of each run's row
  const double* values = store_.get();
  tbb::parallel_for(
      tbb::blocked_range<std::size_t>(0, (cells + block - 1) / block), [&](const auto& blocks) {
        std::vector<double> gathered;
        quantile_scratch scratch;
        for (std::size_t b = blocks.begin(); b != blocks.end(); ++b) {
          const std::size_t c0 = b * block, c1 = std::min(cells, c0 + block);
          gathered.resize((c1 - c0) * good.size());
          for (std::size_t i = 0; i < good.size(); ++i) {
            const double* row = values + good[i] * cells;
            for (std::size_t c = c0; c < c1; ++c) gathered[(c - c0) * good.size() + i] = row[c];
          }
          for (std::size_t c = c0; c < c1; ++c) {
            const std::span<const double> v(gathered.data() + (c - c0) * good.size(), good.size());
            double low = 0, high = 0;
            const bool defined = !v.empty() && summarize(v, st.mean[c], st.sd[c], low, high);
            if (!defined) {
              st.mean[c] = st.sd[c] = nan;
              for (int q = 0; q < 5; ++q) st.quantiles[c * 5 + q] = nan;
              continue;
            }
            exact_quantiles(v, low, high, cell_statistics::levels,
                            std::span<double>(st.quantiles.data() + c * 5, 5), scratch);
          }
        }
      });
  return st;
}

namespace {

/// One run into `out`; a failure fills the row with NaN and returns the message.
std::optional<std::string> run_guarded(const run_function& run_one, std::size_t run,
                                       std::span<double> out) {
  try {
    run_one(run, out);
    return std::nullopt;
  } catch (const std::exception& e) {
    std::fill(out.begin(), out.end(), nan);
    return std::string(e.what());
  }
}

bool cancelled(const ensemble_options& options) {
  return options.cancel != nullptr && options.cancel->load();
}

}  // namespace

run_chunk compute_chunk(std::size_t first, std::size_t last, std::size_t cells,
                        const ensemble_options& options, const run_function& run_one,
                        const std::atomic<bool>& stop, bool& complete, std::span<double> into) {
  run_chunk c;
  c.first = first;
  c.last = last;
  c.ok.assign(last - first, 0);
  if (into.empty()) c.values.resize((last - first) * cells);
  if (!into.empty() && into.size() != (last - first) * cells)
    throw std::logic_error("compute_chunk: `into` has the wrong size");
  double* const values = into.empty() ? c.values.data() : into.data();
  std::vector<std::optional<std::string>> errors(last - first);
  std::atomic<std::size_t> attempted{0};
  const std::size_t grain = std::max<std::size_t>(1, options.grain);
  tbb::parallel_for(tbb::blocked_range<std::size_t>(first, last, grain), [&](const auto& range) {
    for (std::size_t r = range.begin(); r != range.end(); ++r) {
      if (stop.load(std::memory_order_relaxed) || cancelled(options)) return;
      const std::size_t i = r - first;
      errors[i] = run_guarded(run_one, r, {values + i * cells, cells});
      c.ok[i] = errors[i] ? 0 : 1;
      ++attempted;
    }
  });
  for (std::size_t i = 0; i < errors.size(); ++i)
    if (errors[i]) c.failures.push_back({first + i, std::move(*errors[i])});
  complete = attempted == last - first;
  return c;
}

run_chunk compute_summarized_chunk(std::size_t first, std::size_t last, std::size_t cells,
                                   const ensemble_options& options, std::size_t block_runs,
                                   const run_function& run_one, const std::atomic<bool>& stop,
                                   bool& complete,
                                   const std::function<void(std::size_t)>& progress) {
  const std::size_t block = options.sketch_block, n = last - first;
  if (block == 0 || first % block != 0 || (n % block != 0 && last != options.runs) ||
      block_runs == 0)
    throw std::logic_error("compute_summarized_chunk: not whole blocks of runs");
  run_chunk c;
  c.first = first;
  c.last = last;
  c.ok.assign(n, 0);
  const bool keep = options.keep_values || options.run_sink;
  std::vector<double> buffer;  // without keep: runs [at, at + block_runs) of the chunk at a time
  if (keep)
    c.values.resize(n * cells);
  else
    buffer.resize(std::min(block_runs, n) * cells);
  std::vector<std::optional<std::string>> errors(n);
  const std::size_t grain = std::max<std::size_t>(1, options.grain);
  std::atomic<bool> failed{false};  // a run failed and failures stop the ensemble
  const auto failures = [&] {
    for (std::size_t i = 0; i < n; ++i)
      if (errors[i]) c.failures.push_back({first + i, std::move(*errors[i])});
  };
  complete = false;
  for (std::size_t b = first; b < last; b += block) {
    run_summary summary(cells, b / block + 1);
    const std::size_t block_end = std::min(last, b + block);
    for (std::size_t at = b; at < block_end; at += block_runs) {
      const std::size_t to = std::min(block_end, at + block_runs);
      double* const base = keep ? c.values.data() + (at - first) * cells : buffer.data();
      std::atomic<std::size_t> attempted{0};
      tbb::parallel_for(tbb::blocked_range<std::size_t>(at, to, grain), [&](const auto& range) {
        for (std::size_t r = range.begin(); r != range.end(); ++r) {
          if (stop.load(std::memory_order_relaxed) || failed.load(std::memory_order_relaxed) ||
              cancelled(options))
            return;
          errors[r - first] = run_guarded(run_one, r, {base + (r - at) * cells, cells});
          c.ok[r - first] = errors[r - first] ? 0 : 1;
          if (errors[r - first] && !options.skip_failed) failed = true;
          ++attempted;
        }
      });
      if (failed) {  // the ensemble stops on these failures: no summaries
        c.summaries.clear();
        failures();
        complete = true;
        return c;
      }
      if (attempted != to - at) return c;  // stopped: incomplete
      summary.add(to - at, std::span<const unsigned char>(c.ok).subspan(at - first, to - at),
                  {base, (to - at) * cells});
      if (progress) progress(to - first);
    }
    summary.condense();
    c.summaries.push_back(std::move(summary));
  }
  failures();
  complete = true;
  return c;
}

std::size_t resolve_chunk_runs(std::size_t cells, const ensemble_options& options) {
  const bool exact = ensemble_accumulator::keeps_exact(cells, options);
  if (options.chunk_runs == 0) return exact ? 64 : options.sketch_block;
  if (!exact && (options.sketch_block == 0 || options.chunk_runs % options.sketch_block != 0))
    throw std::invalid_argument(fmt::format(
        "the quantiles of these runs are sketched (their values exceed the memory limit), in "
        "blocks of {} runs: the chunk size must be a multiple of {}, not {}",
        options.sketch_block, options.sketch_block, options.chunk_runs));
  return options.chunk_runs;
}

std::size_t chunk_end(const ensemble_options& options, std::size_t first) {
  if (options.chunk_runs == 0) throw std::logic_error("chunk_end: chunk_runs not resolved");
  return std::min(options.runs, first + options.chunk_runs);
}

ensemble_start start_ensemble(ensemble_accumulator& acc) {
  const auto& options = acc.options();  // chunk_runs resolved
  ensemble_start start;
  // Chunks from a checkpoint: the state first, then each chunk when its turn comes.
  if (const auto* resume = options.resume; resume != nullptr) {
    if (!resume->state.empty()) acc.load(resume->state, resume->state_runs);
    for (const auto& c : resume->chunks)
      if (c.first >= acc.taken()) start.resumed[c.first] = &c;
  }
  start.done = options.runs;
  for (std::size_t first = acc.taken(); first < options.runs; first = chunk_end(options, first))
    if (start.resumed.find(first) == start.resumed.end()) {
      start.todo.push_back(first);
      start.done -= chunk_end(options, first) - first;
    }
  if (options.progress) options.progress(start.done);
  return start;
}

namespace {

/// The runs of `todo` with exact values, straight into the accumulator's store, all chunks in one
/// parallel loop; a chunk goes to chunk_done as soon as its last run is done.
void run_exact(ensemble_accumulator& acc, ensemble_start& start, const run_function& run_one,
               const std::function<void()>& take_resumed) {
  const auto& options = acc.options();
  const auto& todo = start.todo;
  const std::size_t cells = acc.cells();
  const auto size_of = [&](std::size_t k) { return chunk_end(options, todo[k]) - todo[k]; };
  std::vector<std::size_t> offset(todo.size() + 1, 0);  // position of each chunk's first run
  for (std::size_t k = 0; k < todo.size(); ++k) offset[k + 1] = offset[k] + size_of(k);
  const std::size_t total = offset.back();
  std::vector<unsigned char> ok(total, 0);
  std::vector<std::optional<std::string>> errors(total);
  std::vector<std::atomic<std::size_t>> left(todo.size());
  for (std::size_t k = 0; k < todo.size(); ++k) left[k] = size_of(k);
  const auto view_of = [&](std::size_t k, std::vector<run_failure>& failures) {
    const std::size_t at = offset[k], n = size_of(k);
    for (std::size_t r = 0; r < n; ++r)
      if (errors[at + r]) failures.push_back({todo[k] + r, *errors[at + r]});
    return chunk_view{todo[k],
                      todo[k] + n,
                      std::span<const unsigned char>(ok).subspan(at, n),
                      failures,
                      std::span<const double>(acc.slot(todo[k]).data(), n * cells),
                      {}};
  };
  std::atomic<bool> stop{acc.must_stop()};
  std::atomic<std::size_t> done_runs{start.done};
  std::mutex persist;
  std::exception_ptr persist_error;
  const std::size_t grain = std::max<std::size_t>(1, options.grain);
  tbb::parallel_for(tbb::blocked_range<std::size_t>(0, total, grain), [&](const auto& range) {
    for (std::size_t p = range.begin(); p != range.end(); ++p) {
      if (stop.load(std::memory_order_relaxed) || cancelled(options)) return;
      const auto k = static_cast<std::size_t>(std::upper_bound(offset.begin(), offset.end(), p) -
                                              offset.begin()) -
                     1;
      const std::size_t r = todo[k] + p - offset[k];
      errors[p] = run_guarded(run_one, r, acc.slot(r));
      ok[p] = errors[p] ? 0 : 1;
      if (errors[p] && !options.skip_failed) stop = true;  // spare the remaining runs
      if (--left[k] == 0) {
        const std::size_t now = done_runs += size_of(k);
        if (options.chunk_done) {
          const std::lock_guard lock(persist);
          try {
            std::vector<run_failure> failures;
            if (!persist_error) options.chunk_done(view_of(k, failures));
          } catch (...) {
            persist_error = std::current_exception();
            stop = true;
          }
        }
        if (options.progress) options.progress(now);
      }
    }
  });
  if (persist_error) std::rethrow_exception(persist_error);
  if (!options.skip_failed) {  // a failure anywhere stops the ensemble here
    std::vector<run_failure> failures;
    for (std::size_t p = 0; p < total; ++p)
      if (errors[p]) {
        const auto k = static_cast<std::size_t>(std::upper_bound(offset.begin(), offset.end(), p) -
                                                offset.begin()) -
                       1;
        failures.push_back({todo[k] + p - offset[k], *errors[p]});
      }
    if (!failures.empty()) throw failed_runs_error(failures);
  }
  // Take the complete chunks in run order, with any resumed chunks between them.
  for (std::size_t k = 0; k < todo.size(); ++k) {
    take_resumed();
    if (left[k] != 0 || acc.taken() != todo[k]) break;
    std::vector<run_failure> failures;
    acc.take(view_of(k, failures));
  }
  take_resumed();
}

/// The chunks of `todo` with sketches, one after another (each in parallel), summarized, saved
/// and merged in run order.
void run_sketched(ensemble_accumulator& acc, ensemble_start& start, const run_function& run_one,
                  const std::function<void()>& take_resumed) {
  const auto& options = acc.options();
  const std::atomic<bool> never{false};
  std::size_t done = start.done;
  auto last_state = std::chrono::steady_clock::now();
  for (const std::size_t first : start.todo) {
    take_resumed();
    if (acc.must_stop() || cancelled(options)) break;
    const std::size_t last = chunk_end(options, first);
    bool complete = false;
    const auto c = compute_summarized_chunk(first, last, acc.cells(), options, acc.block_runs(),
                                            run_one, never, complete, [&](std::size_t n) {
                                              if (options.progress) options.progress(done + n);
                                            });
    if (!complete) break;  // cancelled
    if (!c.failures.empty() && !options.skip_failed) throw failed_runs_error(c.failures);
    if (options.chunk_done) options.chunk_done(c.view());
    done += last - first;
    acc.take(c.view());
    if (options.state_done &&
        std::chrono::duration<double>(std::chrono::steady_clock::now() - last_state).count() >=
            options.state_interval) {
      options.state_done(acc.save(), acc.taken());
      last_state = std::chrono::steady_clock::now();
    }
  }
  take_resumed();
}

}  // namespace

cell_statistics run_ensemble(std::size_t cells, const ensemble_options& options,
                             const run_function& run_one) {
  ensemble_accumulator acc(cells, options);
  auto start = start_ensemble(acc);
  const auto take_resumed = [&] {
    auto& resumed = start.resumed;
    for (auto it = resumed.find(acc.taken()); it != resumed.end(); it = resumed.find(acc.taken())) {
      acc.take(it->second->view());
      resumed.erase(it);
    }
  };
  take_resumed();
  if (acc.exact())
    run_exact(acc, start, run_one, take_resumed);
  else
    run_sketched(acc, start, run_one, take_resumed);
  if (cancelled(options))
    throw ensemble_error("cancelled before all runs finished; nothing was written", {});
  return acc.finish();
}

}  // namespace hwf::engine
