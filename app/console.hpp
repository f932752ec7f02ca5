#pragma once
// Console text shared by the studies: numbers as report.html shows them, solver steps, and the
// progress meter of an ensemble.

#include <atomic>
#include <chrono>
#include <cstddef>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "engine/calibration.hpp"

namespace hwf::app {

/// Money as report.html shows it (outputs/report/report.js, money()): whole dollars with
/// thousands separators below a million, else M, B or T with two decimals below 10 and one from
/// 10 ("2.39 M", "12.0 M", "1.36 B"); "-" for a value that is not finite.
std::string money(double value);

/// A fixed step in years as a fraction: "1", "1/4".
std::string step_text(double step_years);

/// Progress of `total` runs on standard error: a bar with rate and ETA on a terminal, a line
/// every 10% otherwise. update() may be called from any thread.
class progress_meter {
 public:
  explicit progress_meter(std::size_t total);
  void update(std::size_t done);

 private:
  using clock_type = std::chrono::steady_clock;
  std::size_t total_;
  bool tty_;
  int next_percent_ = 10;
  std::optional<std::size_t> base_;
  std::mutex mutex_;
  clock_type::time_point start_ = clock_type::now();
};

/// Set by SIGINT (Ctrl-C) while interruptible() runs: a study's options.cancel points here.
const std::atomic<bool>& interrupted() noexcept;

/// Runs `runs` with SIGINT (Ctrl-C) setting interrupted(), cleared first, instead of calling the
/// process's handler, which is restored after: for a study's options.around_runs, so that
/// Ctrl-C cancels its runs (the command line; Python, on its main thread).
void interruptible(const std::function<void()>& runs);

/// An ensemble's progress callback (mc_options::progress) that shows a progress_meter.
std::function<std::function<void(std::size_t)>(std::size_t runs)> console_progress();

/// Progress of a fit's starts on standard error: on a terminal one line, rewritten, with each
/// start's iteration and cost; otherwise a line when a start ends and the whole state at most
/// every 10 seconds. update() may be called from any thread.
class fit_meter {
 public:
  explicit fit_meter(std::size_t starts);
  void update(const engine::fit_iteration& i);

 private:
  using clock_type = std::chrono::steady_clock;
  std::string state() const;
  bool tty_;
  std::vector<engine::fit_iteration> last_;
  std::vector<bool> begun_;
  std::mutex mutex_;
  clock_type::time_point start_ = clock_type::now(), printed_ = start_;
};

/// A calibration's progress callback (calibrate_options::progress) that shows a fit_meter.
std::function<std::function<void(const engine::fit_iteration&)>(std::size_t starts)>
console_fit_progress();

}  // namespace hwf::app
