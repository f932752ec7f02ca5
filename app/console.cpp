#include "app/console.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <csignal>
#include <cstdlib>
#include <memory>
#include <utility>

#include <fmt/format.h>
#include <unistd.h>

#include "outputs/html_report.hpp"

namespace hwf::app {

namespace {

// A signal handler can reach nothing but a lock-free flag of static storage.
std::atomic<bool> sigint_seen{false};
extern "C" void on_interrupt(int) {
  sigint_seen = true;
}

}  // namespace

const std::atomic<bool>& interrupted() noexcept {
  return sigint_seen;
}

void interruptible(const std::function<void()>& runs) {
  sigint_seen = false;
  struct restore {
    void (*previous)(int);
    ~restore() { std::signal(SIGINT, previous); }
  } r{std::signal(SIGINT, on_interrupt)};
  runs();
}

// Each step rounds half up on the magnitude, in the same double arithmetic as the page, from the
// same 6 significant digits, so both read alike.
std::string money(double value) {
  if (!std::isfinite(value)) return "-";
  // The page holds report_significant_digits: round so first, as it does.
  const double x = std::strtod(out::compact_number(value).c_str(), nullptr);
  const bool negative = x < 0;
  const double a = std::abs(x);
  const double whole = std::floor(a + 0.5);
  if (whole < 1e6) {
    auto digits = fmt::format("{:.0f}", whole);
    for (auto i = static_cast<std::ptrdiff_t>(digits.size()) - 3; i > 0; i -= 3)
      digits.insert(static_cast<std::size_t>(i), 1, ',');
    return (negative && whole > 0 ? "-" : "") + digits;
  }
  constexpr std::array<std::pair<double, char>, 3> units{{{1e6, 'M'}, {1e9, 'B'}, {1e12, 'T'}}};
  for (std::size_t i = 0; i < units.size(); ++i) {
    const double v = a / units[i].first;
    const double r2 = std::floor(v * 100 + 0.5) / 100;
    if (r2 < 10) return fmt::format("{}{:.2f} {}", negative ? "-" : "", r2, units[i].second);
    const double r1 = std::floor(v * 10 + 0.5) / 10;
    if (r1 < 1000 || i + 1 == units.size())
      return fmt::format("{}{:.1f} {}", negative ? "-" : "", r1, units[i].second);
  }
  return {};
}

std::string step_text(double step_years) {
  const double per_year = std::round(1.0 / step_years);
  return per_year == 1 ? "1" : fmt::format("1/{}", per_year);
}

progress_meter::progress_meter(std::size_t total) : total_(total), tty_(::isatty(2) != 0) {}

void progress_meter::update(std::size_t done) {
  const std::lock_guard lock(mutex_);
  const double s = std::chrono::duration<double>(clock_type::now() - start_).count();
  if (!base_) base_ = done;  // a resume starts part way: the rate counts this job's runs
  const double rate = s > 0 ? static_cast<double>(done - *base_) / s : 0;
  const double eta = rate > 0 ? static_cast<double>(total_ - done) / rate : 0;
  const int percent = static_cast<int>(100 * done / std::max<std::size_t>(total_, 1));
  if (tty_) {
    const int filled = percent / 5;
    fmt::print(stderr, "\r[{:<20}] {:3d}% {}/{} runs, {:.0f} runs/s, ETA {:.0f} s   ",
               std::string(static_cast<std::size_t>(filled), '#'), percent, done, total_, rate,
               eta);
    if (done == total_) fmt::print(stderr, "\n");
  } else if (percent >= next_percent_ || done == total_) {
    fmt::print(stderr, "{}% of {} runs, {:.0f} runs/s, ETA {:.0f} s\n", percent, total_, rate, eta);
    while (next_percent_ <= percent) next_percent_ += 10;
  }
}

std::function<std::function<void(std::size_t)>(std::size_t runs)> console_progress() {
  return [](std::size_t runs) -> std::function<void(std::size_t)> {
    auto meter = std::make_shared<progress_meter>(runs);
    return [meter](std::size_t done) { meter->update(done); };
  };
}

fit_meter::fit_meter(std::size_t starts)
    : tty_(::isatty(2) != 0), last_(starts), begun_(starts, false) {}

std::string fit_meter::state() const {
  std::string out;
  for (std::size_t k = 0; k < last_.size(); ++k) {
    if (!begun_[k]) continue;
    const auto& i = last_[k];
    out += fmt::format("{}start {}: {} {}, cost {:.5g}", out.empty() ? "" : " | ", k + 1,
                       i.done ? "done after" : "iteration", i.iteration, i.cost);
  }
  const double s = std::chrono::duration<double>(clock_type::now() - start_).count();
  return fmt::format("fit, {} starts: {} ({:.1f} s)", last_.size(), out, s);
}

void fit_meter::update(const engine::fit_iteration& i) {
  const std::lock_guard lock(mutex_);
  if (i.start >= last_.size()) return;
  const bool first = std::none_of(begun_.begin(), begun_.end(), [](bool b) { return b; });
  last_[i.start] = i;
  begun_[i.start] = true;
  const auto now = clock_type::now();
  if (first && !tty_) fmt::print(stderr, "fit: {} starts begun\n", last_.size());
  if (tty_) {
    fmt::print(stderr, "\r{}   ", state());
    if (std::all_of(last_.begin(), last_.end(), [](const auto& x) { return x.done; }))
      fmt::print(stderr, "\n");
  } else if (i.done) {
    fmt::print(stderr, "start {} of {} done: {} iterations, cost {:.6g}, {} ({:.1f} s)\n",
               i.start + 1, last_.size(), i.iteration, i.cost,
               i.converged ? "converged" : "not converged",
               std::chrono::duration<double>(now - start_).count());
  } else if (now - printed_ >= std::chrono::seconds(10)) {
    printed_ = now;
    fmt::print(stderr, "{}\n", state());
  }
}

std::function<std::function<void(const engine::fit_iteration&)>(std::size_t starts)>
console_fit_progress() {
  return [](std::size_t starts) -> std::function<void(const engine::fit_iteration&)> {
    auto meter = std::make_shared<fit_meter>(starts);
    return [meter](const engine::fit_iteration& i) { meter->update(i); };
  };
}

}  // namespace hwf::app
