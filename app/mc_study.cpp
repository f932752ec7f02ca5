#include "app/mc_study.hpp"

#include <fmt/format.h>

#include "app/ranks.hpp"
#include "app/record.hpp"
#include "app/saved_runs.hpp"
#include "app/workbook.hpp"
#include "engine/build_info.hpp"
#include "engine/quantile_sketch.hpp"
#ifdef HWF_HAVE_MPI
#include "engine/mpi_ensemble.hpp"
#endif
#include "outputs/atomic_file.hpp"
#include "outputs/csv_writer.hpp"
#include "outputs/run_record.hpp"

namespace hwf::app {

out::checkpoint_manifest study_manifest(const model::mc_study& study, std::size_t cells, bool exact,
                                        std::size_t chunk_runs,
                                        const std::optional<std::string>& save_runs) {
  const auto& u = study.scenarios[0].uncertainty;
  out::checkpoint_manifest m{{"format", "2"},
                             {"hwfsim_version", std::string(engine::build_version())}};
  const auto exe = out::read_file("/proc/self/exe");
  const std::string binary = exe ? model::sha256_hex(*exe) : "unknown";
  // The most telling differences first: the first one found is the one reported.
  m.emplace_back("seed", std::to_string(u.seed));
  m.emplace_back("samples", std::to_string(study.samples));
  m.emplace_back("sampling", std::string(engine::to_string(u.sampling)));
  m.emplace_back("sampled dimensions", engine::join_list(study.dimensions));
  for (std::size_t s = 0; s < study.scenarios.size(); ++s) {
    const auto& sc = study.scenarios[s];
    // Contents, not paths: the same files given by another path are the same study.
    std::string inputs = sc.file.sha256;
    for (const auto& f : sc.parents) inputs += " " + f.sha256;
    inputs += " " + sc.model.file.sha256;
    m.emplace_back(fmt::format("scenario {}", s + 1), sc.name);
    m.emplace_back(fmt::format("SHA-256 of scenario {}'s input files", s + 1), inputs);
  }
  m.emplace_back("binary_sha256", binary);
  m.emplace_back("values per run", std::to_string(cells));
  m.emplace_back("quantiles", exact ? "exact" : "sketches (raise or lower --memory as before)");
  m.emplace_back("chunk runs", std::to_string(chunk_runs));
  m.emplace_back("saved runs", save_runs ? "--save-runs " + *save_runs : "none");
  return m;
}

void apply(const mc_switches& s, mc_options& o) {
  if (o.scenarios.size() > 1 && !s.compare)
    throw usage_error("mc", "", "several scenarios given without --compare",
                      "give one scenario, or --compare with a baseline first");
  if (s.compare && o.scenarios.size() < 2)
    throw usage_error("mc", "", "--compare needs a baseline and at least one other scenario", "");
  if (!s.save_indicators.empty() && !s.save_runs)
    throw usage_error("--save-indicators", "", "--save-indicators needs --save-runs", "");
  if (s.no_checkpoint && !o.dist.resume.empty())
    throw usage_error("--no-checkpoint", "", "--resume goes on saving its checkpoint",
                      "leave --no-checkpoint out");
  if (s.save_runs) o.save_runs = s.save_indicators;
  if (s.checkpoint) o.dist.checkpoint = true;
  if (s.no_checkpoint) o.dist.checkpoint = false;
}

namespace {

mc_outcome execute_here(mc_options o) {
  if (o.dist.rank != 0) o.progress = nullptr;
  mc_study study(std::move(o));
  if (const int status = study.prepare(); status != 0) return {status, {}};
  auto results = study.execute();
  if (!results) return {};  // an MPI worker
  results->write(study.folder());
  return {0, results->text()};
}

}  // namespace

mc_outcome execute_and_write(mc_options options, int& argc, char**& argv) {
  return on_ranks(argc, argv, options.exit_code, [&](int rank, int ranks) {
    options.dist.rank = rank;
    options.dist.ranks = ranks;
    return execute_here(std::move(options));
  });
}

mc_study::mc_study(mc_options options)
    : options_(std::move(options)), started_(std::chrono::steady_clock::now()) {
  if (options_.threads > 0)
    limit_ = std::make_unique<tbb::global_control>(tbb::global_control::max_allowed_parallelism,
                                                   static_cast<std::size_t>(options_.threads));
}

mc_study::~mc_study() = default;

int mc_study::prepare() {
  return prepare_on_ranks(options_.dist.rank, options_.dist.ranks, options_.exit_code,
                          [this] { prepare_here(); });
}

void mc_study::prepare_here() {
  const auto& dist = options_.dist;
  const bool resuming = !dist.resume.empty();
  study_ = model::prepare_study(options_.scenarios, options_.samples, options_.set);
  for (const auto& sc : study_.scenarios) report_warnings(sc, options_.report, lead());
  if (resuming && !options_.output.empty() &&
      std::filesystem::path(options_.output).lexically_normal() !=
          std::filesystem::path(dist.resume).lexically_normal())
    throw usage_error("--resume", "", "--resume names the results folder to carry on",
                      "give -o the same folder as --resume, or leave -o out");
  dir_ = resuming ? std::filesystem::path(dist.resume)
                  : std::filesystem::path(options_.output.empty()
                                              ? "results/" + study_.scenarios[0].name + "-mc"
                                              : options_.output);
  set_ensemble_options();
  if (!lead()) return;
  if (options_.in_memory) {
    if (options_.save_runs || resuming || dist.checkpoint.value_or(false) || dist.ranks > 1)
      throw engine::internal_error("an mc study in memory writes no files and runs in one process");
    opt_.run_sink = options_.run_values;
  } else {
    check_folder();
  }
  if (options_.progress) {
    progress_ = options_.progress(study_.samples);
    opt_.progress = [this](std::size_t done) { progress_(done); };
  }
  if (options_.in_memory) return;
  if (resuming || dist.checkpoint.value_or(dist.ranks > 1)) start_checkpoint();
  if (options_.save_runs) open_saved_runs();
}

void mc_study::set_ensemble_options() {
  opt_.runs = study_.samples;
  opt_.memory_bytes = options_.memory_mb << 20;
  opt_.skip_failed = options_.skip_failed;
  opt_.cancel = options_.cancel;
  opt_.chunk_runs = options_.dist.chunk_runs;
  opt_.keep_values = options_.save_runs.has_value();  // on every rank: workers send their values
  opt_.state_interval = options_.dist.checkpoint_interval;
  try {
    opt_.chunk_runs = engine::resolve_chunk_runs(study_.cells(), opt_);
  } catch (const std::invalid_argument& e) {
    throw usage_error("--chunk-runs", "", e.what(),
                      fmt::format("give a multiple of {}, leave --chunk-runs out, or raise "
                                  "--memory to keep every value",
                                  opt_.sketch_block));
  }
}

void mc_study::check_folder() {
  const bool resuming = !options_.dist.resume.empty();
  if (resuming) {
    if (!out::checkpoint_folder::exists(dir_))
      throw out::output_error(
          fmt::format("{} holds no checkpoint to resume (no {}/checkpoint/manifest.json)",
                      dir_.string(), dir_.string()));
  } else if (out::checkpoint_folder::exists(dir_) && !options_.force) {
    throw out::folder_not_empty(fmt::format(
        "{} holds the checkpoint of an unfinished Monte Carlo run; nothing was written. "
        "Carry on with --resume {}, or start over with --force",
        dir_.string(), dir_.string()));
  } else {
    out::check_results_folder(dir_, options_.force);
  }
  folder_ = std::make_unique<results_folder>(dir_, options_.force || resuming, false);
}

void mc_study::start_checkpoint() {
  const bool resuming = !options_.dist.resume.empty();
  const std::size_t cells = study_.cells();
  const bool exact = engine::ensemble_accumulator::keeps_exact(cells, opt_);
  const auto manifest = study_manifest(study_, cells, exact, opt_.chunk_runs, options_.save_runs);
  folder_->lock(!resuming);
  checkpoint_ = std::make_unique<out::checkpoint_folder>(dir_);
  if (resuming) {
    checkpoint_->check(manifest);
    resume_ = checkpoint_->load(cells);
    opt_.resume = &resume_;
  } else {
    checkpoint_->remove();  // --force: an older, unfinished run's
    checkpoint_->start(manifest);
  }
  auto* checkpoint = checkpoint_.get();
  opt_.chunk_done = [checkpoint](const engine::chunk_view& c) { checkpoint->save_chunk(c); };
  // With --save-runs every chunk is kept until the end: a resume replays them to runs.nc.
  if (!options_.save_runs)
    opt_.state_done = [checkpoint](const std::string& state, std::size_t n) {
      checkpoint->save_state(state, n);
    };
}

// --save-runs: every run's values of the chosen indicators, streamed in run order.
void mc_study::open_saved_runs() {
  const auto& wanted_text = *options_.save_runs;
  const auto wanted = wanted_text.empty() ? std::vector<std::string>{}
                                          : list_items("--save-indicators", wanted_text);
  saved_ = model::saved_runs(study_, wanted);
  const auto layout = saved_runs_layout(study_, *saved_);
  folder_->lock(true);
  netcdf_ = std::make_unique<out::netcdf_runs>(dir_ / "runs.nc", layout);
  opt_.run_sink = [this](std::size_t run, std::span<const double> values) {
    write_saved_run(*netcdf_, study_, *saved_, run, values);
  };
}

engine::cell_statistics mc_study::run_ensemble() {
  engine::cell_statistics st;
  const auto runs = [&] {
    const engine::run_function run_one = [this](std::size_t run, std::span<double> out) {
      model::run_sample(study_, run, out);
    };
#ifdef HWF_HAVE_MPI
    if (options_.dist.ranks > 1) {
      st = engine::mpi::run_ensemble(study_.cells(), opt_, run_one);
      return;
    }
#endif
    st = engine::run_ensemble(study_.cells(), opt_, run_one);
  };
  if (options_.around_runs)
    options_.around_runs(runs);
  else
    runs();
  return st;
}

std::optional<mc_results> mc_study::execute() {
  engine::cell_statistics st;
  try {
    st = run_ensemble();
  } catch (const engine::ensemble_error&) {
    netcdf_.reset();  // removes its temporary
    // A cancelled run can go on; a failed one not.
    const bool kept = checkpoint_ && options_.cancel && options_.cancel->load();
    if (checkpoint_ && !kept) checkpoint_->remove();
    folder_.reset();  // unlocked; removed if created here and left empty
    if (kept)
      options_.report.say(
          fmt::format("hwfsim: the completed runs are saved in {}; carry on with --resume {}",
                      checkpoint_->path().string(), dir_.string()));
    throw;
  } catch (...) {
    netcdf_.reset();
    throw;  // the checkpoint stays: whatever stopped the job, the runs done are kept
  }
  if (!lead()) return std::nullopt;
  mc_results r;
  build_results(st, r);
  r.netcdf_ = std::move(netcdf_);
  r.checkpoint_ = std::move(checkpoint_);
  return r;
}

namespace {

/// The tables of an ensemble's statistics: quantiles of each scenario, of the differences from
/// the baseline, and the probabilities.
std::vector<std::pair<std::string, std::string>> statistics_files(
    const model::mc_study& study, const engine::cell_statistics& st) {
  const auto& m = *study.models[0];
  const auto stats_of = [&](std::size_t first, const engine::table_schema& schema,
                            const std::string& name, bool header) {
    return out::quantiles_csv(name, study.times, schema, first, st.mean, st.sd, st.quantiles,
                              header);
  };
  std::string quantiles, corridor_quantiles, differences, corridor_differences, probabilities,
      age_quantiles, age_differences;
  for (std::size_t s = 0; s < study.scenarios.size(); ++s) {
    const auto& name = study.scenarios[s].name;
    quantiles += stats_of(study.table_cell(s, 0), *m.schemas()[0], name, s == 0);
    corridor_quantiles += stats_of(study.table_cell(s, 1), *m.schemas()[1], name, s == 0);
    if (m.has_ages())
      age_quantiles += stats_of(study.table_cell(s, 2), *m.schemas()[2], name, s == 0);
    if (s > 0) {
      differences += stats_of(study.difference_cell(s, 0), *m.schemas()[0], name, s == 1);
      corridor_differences += stats_of(study.difference_cell(s, 1), *m.schemas()[1], name, s == 1);
      if (m.has_ages())
        age_differences += stats_of(study.difference_cell(s, 2), *m.schemas()[2], name, s == 1);
    }
    engine::table_values p{study.probability_schema, {}};
    const auto begin = st.mean.begin() + static_cast<std::ptrdiff_t>(study.probability_cell(s));
    p.values.assign(begin, begin + static_cast<std::ptrdiff_t>(study.times.size() *
                                                               study.probability_schema->size()));
    probabilities += out::long_csv(name, study.times, p, {}, s == 0);
  }
  std::vector<std::pair<std::string, std::string>> files{
      {"quantiles.csv", quantiles}, {"corridor_quantiles.csv", corridor_quantiles}};
  if (m.has_ages()) files.emplace_back("age_quantiles.csv", age_quantiles);
  if (study.scenarios.size() > 1) {
    files.emplace_back("difference_quantiles.csv", differences);
    files.emplace_back("corridor_difference_quantiles.csv", corridor_differences);
    if (m.has_ages()) files.emplace_back("age_difference_quantiles.csv", age_differences);
  }
  files.emplace_back("probabilities.csv", probabilities);
  return files;
}

}  // namespace

void mc_study::build_results(const engine::cell_statistics& st, mc_results& r) const {
  const auto& study = study_;
  const bool comparing = study.scenarios.size() > 1;
  const auto samples = samples_csv(study, netcdf_.get());
  r.files_ = statistics_files(study, st);
  r.files_.emplace_back("samples.csv", samples);
  const auto figures = mc_key_figures(study, st);
  if (options_.xlsx)
    r.files_.emplace_back("results.xlsx",
                          results_workbook(figures, study.times, mc_charts(study, st), r.files_));
  const double wall =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count();
  std::vector<std::string> names, records;
  for (std::size_t s = 0; s < study.scenarios.size(); ++s) {
    names.push_back(study.scenarios[s].name);
    const auto& ms = *study.models[s];
    records.push_back(out::to_json(
        make_record(study.scenarios[s], ms, model::simulate(ms, ms.default_parameters()), wall)));
  }
  std::vector<std::size_t> skipped;
  for (const auto& f : st.skipped) skipped.push_back(f.run);
  const auto& u = study.scenarios[0].uncertainty;
  r.files_.emplace_back(
      "run.json",
      out::monte_carlo_json(
          names, std::string(engine::to_string(u.sampling)),
          st.exact ? "exact (type 7)"
                   : fmt::format("KLL sketch, k = {}, rank error below {} with 99% probability",
                                 engine::quantile_sketch::default_k,
                                 engine::quantile_sketch::rank_error_bound),
          u.seed, study.samples, st.runs, skipped, study.dimensions, records));
  r.text_ = fmt::format(
      "Monte Carlo {}{}: {} runs ({} sampling, seed {}, {} sampled dimensions), {:.1f} s; "
      "results in {}/\n",
      study.scenarios[0].name,
      comparing ? fmt::format(" and {} compared", study.scenarios.size() - 1) : "", study.samples,
      engine::to_string(u.sampling), u.seed, study.dimensions.size(), wall, dir_.generic_string());
  if (!skipped.empty())
    r.text_ += fmt::format("{} failed runs were excluded (--skip-failed): runs {}\n",
                           skipped.size(), fmt::join(skipped, ","));
  r.text_ += key_figures_text(figures);
}

void mc_results::write(results_folder& folder) {
  if (netcdf_) {
    out::remove_manifest(folder.path());  // before the old runs.nc is replaced
    netcdf_->finish();  // before the folder's first write, which clears stale temporaries
    folder.adopt("runs.nc");
  }
  for (const auto& [name, content] : files_) folder.write(name, content);
  folder.commit(true);
  if (checkpoint_) checkpoint_->remove();  // the results are complete and durable
}

std::string mc_results::text() const {
  return text_;
}

}  // namespace hwf::app
