#include "app/sensitivity_study.hpp"

#include <algorithm>
#include <bit>
#include <chrono>
#include <cmath>
#include <memory>
#include <stdexcept>
#include <utility>

#include <fmt/format.h>
#include <tbb/enumerable_thread_specific.h>
#include <tbb/global_control.h>

#include "app/record.hpp"
#include "engine/ensemble.hpp"
#include "engine/sensitivity.hpp"
#ifdef HWF_HAVE_MPI
#include "engine/mpi_ensemble.hpp"
#endif
#include "models/workforce/indicators.hpp"
#include "models/workforce/sensitivity.hpp"
#include "outputs/csv_writer.hpp"
#include "outputs/results_catalogue.hpp"
#include "outputs/run_record.hpp"

namespace hwf::app {

namespace {

/// Most bytes of output values kept (runs x outputs x 8; the ensemble keeps as many again).
constexpr std::size_t max_output_bytes = std::size_t{512} << 20;
/// The convergence table starts at this many base rows (or N, when smaller).
constexpr std::size_t first_convergence_rows = 16;

/// One output's indices, as computed on rank 0.
struct output_indices {
  engine::sobol_result sobol;
  std::vector<engine::morris_effect> morris;
  /// Sobol: first-order and total indices from the first rows, for each row count.
  std::vector<std::pair<std::size_t, engine::sobol_result>> convergence;
  double mean = 0, sd = 0;
};

class sensitivity_study {
 public:
  sensitivity_study(sensitivity_options o, int rank, int ranks)
      : o_(std::move(o)), rank_(rank), ranks_(ranks), started_(std::chrono::steady_clock::now()) {
    if (o_.threads > 0)
      limit_ = std::make_unique<tbb::global_control>(tbb::global_control::max_allowed_parallelism,
                                                     static_cast<std::size_t>(o_.threads));
  }

  /// Everything that can go wrong before the runs (see sensitivity_and_write); with `folder`,
  /// also checks the results folder on rank 0.
  void prepare(bool folder);
  /// The runs' output values, run-major (runs x outputs), on rank 0; empty on the others.
  std::vector<double> run();
  /// The indices of every output, from the runs' values.
  std::vector<output_indices> indices(const std::vector<double>& y) const;
  /// The result tables, as (file name, CSV text).
  std::vector<std::pair<std::string, std::string>> tables(
      const std::vector<output_indices>& idx) const;
  /// Writes the results folder; returns what the command prints.
  std::string write(const std::vector<output_indices>& idx);

 private:
  bool sobol() const noexcept { return o_.method == sensitivity_method::sobol; }
  std::size_t runs() const { return sobol() ? saltelli_->runs() : morris_->runs(); }
  void check_options(std::size_t k) const;
  void check_size() const;
  void point(std::size_t run, std::vector<double>& grid, std::vector<double>& u) const;
  std::string indices_csv(const std::vector<output_indices>& idx) const;
  std::string convergence_csv(const std::vector<output_indices>& idx) const;
  std::string outputs_csv(const std::vector<output_indices>& idx) const;
  std::string inputs_csv() const;
  std::string run_json() const;
  std::string text(const std::vector<output_indices>& idx) const;

  sensitivity_options o_;
  int rank_, ranks_;
  std::chrono::steady_clock::time_point started_;
  std::unique_ptr<tbb::global_control> limit_;
  model::mc_study study_;
  std::vector<model::sensitivity_input> inputs_;
  std::vector<model::sensitivity_output> outputs_;
  std::vector<std::pair<double, double>> morris_ranges_;
  std::optional<engine::saltelli_design> saltelli_;
  std::optional<engine::morris_design> morris_;
  std::filesystem::path dir_;
  std::unique_ptr<results_folder> folder_;
  double run_seconds_ = 0;
};

void sensitivity_study::check_options(std::size_t k) const {
  if (sobol()) {
    const std::size_t n = o_.base_samples;
    if (!std::has_single_bit(n) || n <= k) {
      const std::size_t least = std::bit_ceil(k + 1);
      throw usage_error(
          "--base-samples", "",
          n <= k ? fmt::format("{} base samples are too few for {} inputs", n, k)
                 : fmt::format("{} base samples are not a power of two", n),
          fmt::format("Sobol indices need a power of two above the number of inputs ({}), at "
                      "least {}; the intervals narrow as it grows (512 to 4096 is usual)",
                      k, least),
          fmt::format("--base-samples {}", std::max(least, std::bit_ceil(n))));
    }
    if (!(o_.confidence > 0 && o_.confidence < 1))
      throw usage_error(
          "--confidence", "",
          fmt::format("the confidence level must lie in (0, 1); {} does not", o_.confidence),
          "e.g. 0.95 for 95% intervals");
    if (2 * study_.dimensions.size() > engine::sample_design::max_sobol_dimensions)
      throw usage_error(
          "--method", "",
          fmt::format("{} sampled dimensions are too many for a Saltelli design "
                      "(at most {})",
                      study_.dimensions.size(), engine::sample_design::max_sobol_dimensions / 2),
          "screen the inputs with --method morris first, or share draws");
  } else {
    if (o_.levels < 2 || o_.levels % 2 != 0)
      throw usage_error(
          "--levels", "",
          fmt::format("Morris levels must be an even number of at least 2; {} is not", o_.levels),
          "4 is usual");
    if (o_.trajectories < 2)
      throw usage_error(
          "--trajectories", "",
          fmt::format("{} trajectories are too few: sigma needs at least 2", o_.trajectories),
          "10 to 50 is usual");
  }
}

void sensitivity_study::check_size() const {
  const std::size_t values = runs() * outputs_.size();
  if (values > max_output_bytes / sizeof(double))
    throw usage_error(
        "--outputs", "",
        fmt::format("{} outputs x {} runs would keep {} MiB of values (at most {})",
                    outputs_.size(), runs(), values * sizeof(double) >> 20, max_output_bytes >> 20),
        "choose fewer outputs (a year instead of *), or fewer runs");
}

void sensitivity_study::prepare(bool folder) {
  // The runs are the design's: mc's sample design, of one run here, is not used.
  study_ = model::prepare_study({o_.scenario}, 1, o_.set);
  const auto& sc = study_.scenarios[0];
  report_warnings(sc, o_.report, rank_ == 0);
  inputs_ = model::sensitivity_inputs(study_);
  if (inputs_.empty())
    throw usage_error(sc.file.display_name, "uncertainty.parameters",
                      "this scenario's `uncertainty` block draws no input",
                      "a sensitivity study varies the inputs that `uncertainty` draws "
                      "(docs/monte-carlo.md)");
  outputs_ = model::select_outputs(
      study_, o_.outputs.empty() ? model::default_output_patterns(study_) : o_.outputs);
  check_options(inputs_.size());
  const std::size_t d = study_.dimensions.size();
  const std::uint64_t seed = sc.uncertainty.seed;
  if (sobol()) {
    saltelli_.emplace(d, model::factors_of(inputs_), o_.base_samples, seed, o_.second_order);
  } else {
    morris_.emplace(d, model::factors_of(inputs_), o_.trajectories, o_.levels, seed);
    morris_ranges_ = model::morris_ranges(study_);
  }
  check_size();
  dir_ = o_.output.empty() ? "results/" + sc.name + "-sensitivity" : o_.output;
  if (folder && rank_ == 0) folder_ = std::make_unique<results_folder>(dir_, o_.force);
}

void sensitivity_study::point(std::size_t run, std::vector<double>& grid,
                              std::vector<double>& u) const {
  if (sobol()) {
    saltelli_->point(run, u);
    return;
  }
  morris_->point(run, grid);
  u.resize(grid.size());
  for (std::size_t d = 0; d < grid.size(); ++d) {
    const auto [low, high] = morris_ranges_[d];
    u[d] = low + (high - low) * grid[d];
  }
}

std::vector<double> sensitivity_study::run() {
  const std::size_t n = runs(), k = outputs_.size();
  engine::ensemble_options opt;
  opt.runs = n;
  opt.memory_bytes = std::size_t{1} << 30;
  opt.keep_values = true;  // on every rank: the workers send their values to rank 0
  opt.cancel = o_.cancel;
  std::vector<double> y;
  std::function<void(std::size_t)> progress;
  if (rank_ == 0) {
    y.assign(n * k, engine::not_defined);
    opt.run_sink = [&y, k](std::size_t run, std::span<const double> values) {
      std::copy(values.begin(), values.end(), y.begin() + static_cast<std::ptrdiff_t>(run * k));
    };
    if (o_.progress) {
      progress = o_.progress(n);
      opt.progress = [&progress](std::size_t done) { progress(done); };
    }
  }
  struct scratch {
    std::vector<double> grid, u, cells;
  };
  tbb::enumerable_thread_specific<scratch> local;
  const engine::run_function run_one = [&](std::size_t run, std::span<double> out) {
    auto& s = local.local();
    point(run, s.grid, s.u);
    s.cells.resize(study_.cells());
    model::run_point(study_, s.u, s.cells);
    for (std::size_t i = 0; i < k; ++i) out[i] = s.cells[outputs_[i].cell];
  };
  const auto started = std::chrono::steady_clock::now();
  const auto runs = [&] {
    try {
#ifdef HWF_HAVE_MPI
      if (ranks_ > 1) {
        engine::mpi::run_ensemble(k, opt, run_one);
        return;
      }
#endif
      engine::run_ensemble(k, opt, run_one);
    } catch (const engine::ensemble_error& e) {
      if (o_.cancel && o_.cancel->load())
        throw engine::ensemble_error("the runs were interrupted: nothing was written", {});
      // Every run of a design counts: no run may be skipped.
      throw engine::ensemble_error(
          fmt::format("{}; a sensitivity design needs every run: narrow the distribution of "
                      "the inputs that take the model where it fails",
                      e.what()),
          e.failures());
    }
  };
  if (o_.around_runs)
    o_.around_runs(runs);
  else
    runs();
  run_seconds_ = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return y;
}

std::vector<output_indices> sensitivity_study::indices(const std::vector<double>& y) const {
  const std::size_t n = runs(), k = outputs_.size();
  const std::uint64_t seed = study_.scenarios[0].uncertainty.seed;
  std::vector<output_indices> out(k);
  std::vector<double> column(n);
  for (std::size_t i = 0; i < k; ++i) {
    for (std::size_t r = 0; r < n; ++r) column[r] = y[r * k + i];
    auto& o = out[i];
    try {
      if (sobol()) {
        o.sobol = engine::sobol_indices(*saltelli_, column, o_.bootstrap, seed, o_.confidence);
        o.mean = o.sobol.mean;
        o.sd = std::sqrt(o.sobol.variance);
        const std::size_t base = saltelli_->base_samples();
        for (std::size_t rows = std::min(first_convergence_rows, base); rows <= base; rows *= 2)
          o.convergence.emplace_back(
              rows, engine::sobol_indices(*saltelli_, column, 0, seed, o_.confidence, rows));
      } else {
        o.morris = engine::morris_effects(*morris_, column);
        double sum = 0, squares = 0;
        for (double v : column) sum += v;
        o.mean = sum / static_cast<double>(n);
        for (double v : column) squares += (v - o.mean) * (v - o.mean);
        o.sd = n > 1 ? std::sqrt(squares / static_cast<double>(n - 1)) : 0.0;
      }
    } catch (const std::invalid_argument& e) {
      throw engine::ensemble_error(
          fmt::format("output {}: {}; nothing was written", outputs_[i].name, e.what()), {});
    }
  }
  return out;
}

std::string sensitivity_study::indices_csv(const std::vector<output_indices>& idx) const {
  std::string out = out::fixed_keys_header("indices.csv");
  const auto row = [&](const std::string& output, const std::string& input, std::string_view method,
                       std::string_view index, double value, double low, double high) {
    out +=
        fmt::format("{},{},{},{},{},{},{}\n", out::csv_field(output), out::csv_field(input), method,
                    index, out::csv_number(value), out::csv_number(low), out::csv_number(high));
  };
  const std::size_t k = inputs_.size();
  for (std::size_t i = 0; i < outputs_.size(); ++i) {
    const auto& name = outputs_[i].name;
    if (sobol()) {
      const auto& s = idx[i].sobol;
      for (std::size_t f = 0; f < k; ++f) {
        const auto& a = s.first_order[f];
        row(name, inputs_[f].label, "sobol", "first_order", a.value, a.low, a.high);
      }
      for (std::size_t f = 0; f < k; ++f) {
        const auto& t = s.total[f];
        row(name, inputs_[f].label, "sobol", "total", t.value, t.low, t.high);
      }
      if (saltelli_->second_order())
        for (std::size_t a = 0; a < k; ++a)
          for (std::size_t b = a + 1; b < k; ++b) {
            const auto& p = s.second(a, b);
            row(name, inputs_[a].label + " & " + inputs_[b].label, "sobol", "second_order", p.value,
                p.low, p.high);
          }
    } else {
      const auto& m = idx[i].morris;
      double largest = 0;
      for (const auto& e : m) largest = std::max(largest, e.mu_star);
      for (std::size_t f = 0; f < k; ++f) {
        row(name, inputs_[f].label, "morris", "mu", m[f].mu, engine::not_defined,
            engine::not_defined);
        row(name, inputs_[f].label, "morris", "mu_star", m[f].mu_star, engine::not_defined,
            engine::not_defined);
        row(name, inputs_[f].label, "morris", "sigma", m[f].sigma, engine::not_defined,
            engine::not_defined);
        // mu* over the output's largest: comparable across outputs of different units.
        row(name, inputs_[f].label, "morris", "mu_star_relative",
            largest > 0 ? m[f].mu_star / largest : 0.0, engine::not_defined, engine::not_defined);
      }
    }
  }
  return out;
}

std::string sensitivity_study::convergence_csv(const std::vector<output_indices>& idx) const {
  std::string out = out::fixed_keys_header("convergence.csv");
  const std::size_t per_row = saltelli_->runs_per_row();
  for (std::size_t i = 0; i < outputs_.size(); ++i)
    for (const auto& [rows, s] : idx[i].convergence)
      for (std::size_t f = 0; f < inputs_.size(); ++f)
        out += fmt::format("{},{},{},{},{}\n{},{},{},{},{}\n", out::csv_field(outputs_[i].name),
                           out::csv_field(inputs_[f].label), "first_order", rows * per_row,
                           out::csv_number(s.first_order[f].value),
                           out::csv_field(outputs_[i].name), out::csv_field(inputs_[f].label),
                           "total", rows * per_row, out::csv_number(s.total[f].value));
  return out;
}

std::string sensitivity_study::outputs_csv(const std::vector<output_indices>& idx) const {
  std::string out = out::fixed_keys_header("outputs.csv");
  for (std::size_t i = 0; i < outputs_.size(); ++i) {
    const auto& o = outputs_[i];
    const bool constant = sobol() ? idx[i].sobol.constant_output : idx[i].sd == 0;
    out += fmt::format("{},{},{},{},{},{},{},{},{}\n", out::csv_field(o.name), o.table,
                       out::csv_field(o.place), out::csv_field(o.cadre), o.indicator, o.year,
                       out::csv_number(idx[i].mean), out::csv_number(idx[i].sd),
                       constant ? "yes" : "no");
  }
  return out;
}

std::string sensitivity_study::inputs_csv() const {
  std::string out = out::fixed_keys_header("inputs.csv");
  for (const auto& in : inputs_) {
    std::string paths;
    for (const auto& p : in.parameters) paths += (paths.empty() ? "" : " ") + p;
    out += fmt::format("{},{},{},{}\n", out::csv_field(in.label), in.kind, out::csv_field(paths),
                       out::csv_field(in.distribution));
  }
  return out;
}

std::string sensitivity_study::run_json() const {
  const auto& sc = study_.scenarios[0];
  const auto& m = *study_.models[0];
  out::sensitivity_summary s;
  s.method = sobol() ? "sobol" : "morris";
  s.seed = sc.uncertainty.seed;
  s.runs = runs();
  s.inputs = inputs_.size();
  s.outputs = outputs_.size();
  s.patterns = o_.outputs.empty() ? model::default_output_patterns(study_) : o_.outputs;
  if (sobol()) {
    s.base_samples = saltelli_->base_samples();
    s.second_order = saltelli_->second_order();
    s.bootstrap = o_.bootstrap;
    s.confidence = o_.confidence;
  } else {
    s.trajectories = morris_->trajectories();
    s.levels = morris_->levels();
    s.delta = morris_->delta();
    s.morris_tail = model::morris_tail;
  }
  s.run_seconds = run_seconds_;
  const double wall =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count();
  auto record = make_record(sc, m, model::simulate(m, m.default_parameters()), wall);
  record.files = {"indices.csv", "outputs.csv", "inputs.csv"};
  if (sobol()) record.files.insert(record.files.begin() + 1, "convergence.csv");
  return out::sensitivity_json(s, out::to_json(record));
}

std::string sensitivity_study::text(const std::vector<output_indices>& idx) const {
  const auto& sc = study_.scenarios[0];
  const double wall =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count();
  std::string t = fmt::format(
      "Sensitivity of {}: {} of {} inputs for {} outputs, {} runs ({}, seed {}), {:.1f} s; "
      "results in {}/\n",
      sc.name, sobol() ? "Sobol indices" : "Morris elementary effects", inputs_.size(),
      outputs_.size(), runs(),
      sobol()
          ? fmt::format("{} base samples", saltelli_->base_samples())
          : fmt::format("{} trajectories, {} levels", morris_->trajectories(), morris_->levels()),
      sc.uncertainty.seed, wall, dir_.generic_string());
  // The most influential inputs of each output, by total index or mu*.
  constexpr std::size_t shown_outputs = 12, shown_inputs = 3;
  t += fmt::format("\n{:<40} most influential inputs ({})\n", "output",
                   sobol() ? "total index" : "mu*, relative to the largest");
  for (std::size_t i = 0; i < std::min(outputs_.size(), shown_outputs); ++i) {
    std::vector<std::pair<double, std::size_t>> order;
    for (std::size_t f = 0; f < inputs_.size(); ++f)
      order.emplace_back(sobol() ? idx[i].sobol.total[f].value : idx[i].morris[f].mu_star, f);
    std::stable_sort(order.begin(), order.end(),
                     [](const auto& a, const auto& b) { return a.first > b.first; });
    const double largest = order.empty() ? 0.0 : order.front().first;
    std::vector<std::string> top;
    for (std::size_t j = 0; j < std::min(order.size(), shown_inputs); ++j) {
      const double v = sobol() ? order[j].first : (largest > 0 ? order[j].first / largest : 0.0);
      top.push_back(fmt::format("{} {:.2f}", inputs_[order[j].second].label, v));
    }
    const bool constant = sobol() ? idx[i].sobol.constant_output : idx[i].sd == 0;
    t += fmt::format("{:<40} {}\n", outputs_[i].name,
                     constant ? std::string("(the same in every run)")
                              : fmt::format("{}", fmt::join(top, "; ")));
  }
  if (outputs_.size() > shown_outputs)
    t += fmt::format("... and {} more outputs in indices.csv\n", outputs_.size() - shown_outputs);
  return t;
}

std::vector<std::pair<std::string, std::string>> sensitivity_study::tables(
    const std::vector<output_indices>& idx) const {
  std::vector<std::pair<std::string, std::string>> files{{"indices.csv", indices_csv(idx)}};
  if (sobol()) files.emplace_back("convergence.csv", convergence_csv(idx));
  files.emplace_back("outputs.csv", outputs_csv(idx));
  files.emplace_back("inputs.csv", inputs_csv());
  return files;
}

std::string sensitivity_study::write(const std::vector<output_indices>& idx) {
  auto& folder = *folder_;
  for (const auto& [name, content] : tables(idx)) folder.write(name, content);
  folder.write("run.json", run_json());
  folder.commit(true);
  return text(idx);
}

}  // namespace

ensemble_outcome sensitivity_and_write(sensitivity_options options, int& argc, char**& argv) {
  const auto exit_code = options.exit_code;
  return on_ranks(argc, argv, exit_code, [&](int rank, int ranks) -> ensemble_outcome {
    if (rank != 0) options.progress = nullptr;
    sensitivity_study study(std::move(options), rank, ranks);
    if (const int status = prepare_on_ranks(rank, ranks, exit_code, [&] { study.prepare(true); });
        status != 0)
      return {status, {}};
    const auto y = study.run();
    if (rank != 0) return {};
    return {0, study.write(study.indices(y))};
  });
}

std::vector<std::pair<std::string, std::string>> sensitivity_tables(sensitivity_options options) {
  sensitivity_study study(std::move(options), 0, 1);
  study.prepare(false);
  return study.tables(study.indices(study.run()));
}

}  // namespace hwf::app
