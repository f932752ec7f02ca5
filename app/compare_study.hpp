#pragma once
// `hwfsim compare`: a baseline and other scenarios run in parallel; their tables, the deltas from
// the baseline, per-country and per-corridor summaries at chosen years, and the console tables.

#include <exception>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <tbb/global_control.h>

#include "app/results_folder.hpp"
#include "app/study.hpp"
#include "app/workbook.hpp"
#include "models/workforce/comparison.hpp"
#include "models/workforce/compiled_model.hpp"
#include "models/workforce/description.hpp"
#include "models/workforce/published.hpp"
#include "outputs/projections_report.hpp"

namespace hwf::app {

struct compare_options {
  std::vector<std::string> scenarios;  ///< baseline first; at least two
  std::string output;                  ///< results folder; empty: results/compare
  bool force = false;
  std::optional<double> discount_rate;  ///< per year; none: the baseline scenario's
  model::extra_set set;   ///< `set:` entries beside every scenario's own (the Python module's)
  std::string years;      ///< summary years, "2030,2035"; empty: start + 5, start + 10, end
  std::string countries;  ///< countries of the console tables, "NGA,GBR"; empty: all
  std::string cadre;      ///< console tables of this cadre; empty: all cadres together
  int threads = 0;        ///< most threads; 0: all cores
  bool xlsx = false;      ///< also write results.xlsx (app/workbook.hpp)
  /// Published projections to set the runs against (projections.md and projections.csv);
  /// empty: none.
  std::string published;
  /// Also write projections.md here (needs `published`); empty: only in the results folder.
  std::string published_report;
  reporting report;
};

/// One compared scenario: its description, model and run.
struct compared_run {
  std::shared_ptr<const model::scenario_description> scenario;
  std::shared_ptr<const model::compiled_model> model;
  std::optional<model::run_output> run;
  double seconds = 0;  ///< loading, compiling and running
};

/// Published projections set against runs (the baseline first, each run done): every line of
/// the page, whose command is the caller's. Throws engine::input_error at a projection whose
/// scenario is not among the runs (model::compare_published).
out::projections_page projections_page_of(const model::published_data& published,
                                          const std::vector<compared_run>& runs);

/// "published projections: the model agrees with 3 of 9", as the commands print it.
std::string agreement_text(const out::projections_page& page);

/// A note for each projection of `page` whose explanation was written for another verdict.
std::vector<std::string> stale_explanations(const out::projections_page& page);

/// The comparison: every run, the summaries and what the console tables show. Owns the models
/// and the summary schemas its tables point to.
class compare_results {
 public:
  compare_results(std::vector<compared_run> runs, model::comparison_settings settings,
                  std::vector<std::size_t> shown, const compare_options& options,
                  std::filesystem::path folder,
                  std::optional<out::projections_page> projections = std::nullopt);

  /// Writes indicators.csv, corridors.csv, deltas.csv, corridor_deltas.csv, summary.csv,
  /// corridor_summary.csv, results.xlsx when asked, projections.md and projections.csv when
  /// published projections are given, run.json and report.html; then, when asked for, the
  /// projections page at --published-report (over an older version: it is asked for by name).
  void write(results_folder& folder) const;
  /// The published projections set against the runs, when given.
  const std::optional<out::projections_page>& projections() const noexcept { return projections_; }
  /// The tables that write() writes, as (file name, CSV text) in its order (projections.csv
  /// last, when published projections are given), without projections.md, results.xlsx,
  /// run.json and report.html and without writing them.
  std::vector<std::pair<std::string, std::string>> tables() const;
  /// What the command prints: the files, then the key figures, a table for each --years year
  /// (else the last).
  std::string text() const;
  /// The key figures: for each --years year (else the last summary year), of each country shown
  /// (--countries) and each scenario, with --cadre that cadre's supply, density, shortage and
  /// flows; otherwise all cadres' supply, density, SDG density, shortage, net migration, policy
  /// cost and cost per additional worker-year. A country without the cadre has NaN values.
  key_figures figures() const;
  /// Notes on the runs (limits that never bind; published projections whose explanation was
  /// written for another verdict), for standard error.
  std::vector<std::string> notes() const;
  const model::comparison_settings& settings() const noexcept { return settings_; }
  /// The per-country summary of scenario `i` (keys country, indicator), one row per year.
  const engine::table_values& summary(std::size_t i) const { return summaries_[i]; }
  /// A value of the per-country summary of scenario `i` at summary row `row`, found by its
  /// (country, indicator) key; throws std::out_of_range for a key not in the schema.
  double summary_value(std::size_t i, std::size_t row, std::string_view country,
                       std::string_view indicator) const;

 private:
  std::vector<std::size_t> printed_rows() const;

  std::vector<compared_run> runs_;
  model::comparison_settings settings_;
  std::vector<std::size_t> shown_;
  std::string cadre_;
  bool years_given_;
  bool xlsx_;
  std::filesystem::path folder_;
  std::optional<out::projections_page> projections_;
  std::string published_report_;
  std::shared_ptr<const engine::table_schema> summary_schema_, corridor_schema_;
  std::vector<engine::table_values> summaries_;
};

class compare_study {
 public:
  /// Checks the options' lists, then loads and compiles the scenarios in parallel; reports every
  /// bad input of all of them together (engine::input_error) and says their warnings; then loads
  /// the published projections, when given, against the baseline's model.
  explicit compare_study(compare_options options);
  ~compare_study();
  /// The results folder: options.output, or results/compare.
  std::filesystem::path output_folder() const;
  /// Runs the scenarios in parallel (the first failure in input order is thrown), checks that
  /// they are comparable and the options' years, countries and cadre, and summarises.
  compare_results execute();

 private:
  /// The published projections set against the runs (after execute()'s runs).
  out::projections_page projections_page() const;

  compare_options options_;
  std::unique_ptr<tbb::global_control> limit_;
  std::vector<compared_run> runs_;
  std::vector<std::exception_ptr> errors_;  ///< per scenario: what stopped it, if anything
  std::optional<model::published_data> published_;
};

}  // namespace hwf::app
