#include "app/run_study.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "app/console.hpp"
#include "app/record.hpp"
#include "app/workbook.hpp"
#include "models/workforce/comparison.hpp"
#include "models/workforce/indicators.hpp"
#include "outputs/csv_writer.hpp"

namespace hwf::app {

run_results::run_results(std::shared_ptr<const model::scenario_description> scenario,
                         std::shared_ptr<const model::compiled_model> model, model::run_output run,
                         out::run_record record, std::filesystem::path folder, bool xlsx)
    : scenario_(std::move(scenario)),
      model_(std::move(model)),
      run_(std::move(run)),
      record_(std::move(record)),
      folder_(std::move(folder)),
      xlsx_(xlsx) {
  record_.files = table_names();
  if (xlsx_) record_.files.push_back("results.xlsx");
  record_.files.push_back("report.html");  // written after the tables, from them
}

std::vector<std::string> run_results::table_names() const {
  std::vector<std::string> names;
  if (scenario_->output.indicators) names.emplace_back("indicators.csv");
  if (scenario_->output.corridors) names.emplace_back("corridors.csv");
  if (scenario_->output.ages && model_->has_ages()) names.emplace_back("ages.csv");
  return names;
}

std::vector<std::pair<std::string, std::string>> run_results::tables() const {
  const auto& r = run_.result;
  const auto rows = out::rows_every(r.times.size(), model_->output_interval_years());
  std::vector<std::pair<std::string, std::string>> files;
  if (scenario_->output.indicators)
    files.emplace_back("indicators.csv",
                       out::long_csv(scenario_->name, r.times, r.tables[0], rows));
  if (scenario_->output.corridors)
    files.emplace_back("corridors.csv", out::long_csv(scenario_->name, r.times, r.tables[1], rows));
  if (scenario_->output.ages && model_->has_ages())
    files.emplace_back("ages.csv", out::long_csv(scenario_->name, r.times, r.tables[2], rows));
  return files;
}

void run_results::write(results_folder& folder) const {
  const auto files = tables();
  // The workbook first: if it cannot be made, nothing is written.
  const auto workbook =
      xlsx_ ? results_workbook(run_key_figures(*model_, run_.result), run_.result.times,
                               run_charts(*scenario_, *model_, run_.result), files)
            : std::string();
  for (const auto& [name, content] : files) folder.write(name, content);
  if (xlsx_) folder.write("results.xlsx", workbook);
  folder.write("run.json", out::to_json(record_));
  folder.commit(true);
}

std::string run_results::text() const {
  const auto& m = *model_;
  auto text = fmt::format(
      "Scenario {}: {} to {}, {} step {} years, {:.1f} ms, mass-balance residual {:.1e}\n",
      scenario_->name, m.start_time(), m.end_time(), engine::to_string(m.solver().kind),
      step_text(m.solver().step_years), record_.wall_seconds * 1e3,
      run_.stats.mass_balance_residual);
  auto names = table_names();
  if (xlsx_) names.emplace_back("results.xlsx");
  names.insert(names.end(), {"run.json", "report.html"});
  text += fmt::format("Results in {}/: {}\n", folder_.generic_string(), fmt::join(names, ", "));
  return text + country_table(m, run_.result);
}

std::string country_table(const model::compiled_model& m, const engine::run_result& r) {
  const auto k = run_key_figures(m, r);
  const int y0 = static_cast<int>(r.times.front()), y1 = static_cast<int>(r.times.back());
  auto text = fmt::format("\n{}:\n\n", k.title);
  text += fmt::format("{:<8}{:>14}{:>14}{:>10}{:>10}{:>13}{:>13}\n", "country",
                      fmt::format("supply {}", y0), fmt::format("supply {}", y1),
                      fmt::format("dens {}", y0), fmt::format("dens {}", y1),
                      fmt::format("short. {}", y0), fmt::format("short. {}", y1));
  for (std::size_t c = 0; c < k.labels.size(); ++c) {
    const auto& v = k.values[c];
    text += fmt::format("{:<8}{:>14.0f}{:>14.0f}{:>10.1f}{:>10.1f}{:>13.0f}{:>13.0f}\n",
                        k.labels[c][0], v[0], v[1], v[2], v[3], v[4], v[5]);
  }
  return text;
}

run_study::run_study(run_options options)
    : options_(std::move(options)), started_(std::chrono::steady_clock::now()) {
  auto scenario = std::make_shared<const model::scenario_description>(
      model::load_scenario(options_.scenario, options_.set));
  report_warnings(*scenario, options_.report);
  model_ = std::make_shared<const model::compiled_model>(*scenario);
  scenario_ = std::move(scenario);
}

std::filesystem::path run_study::output_folder() const {
  return options_.output.empty() ? "results/" + scenario_->name : options_.output;
}

run_results run_study::execute() const {
  auto run = model::simulate(*model_, model_->default_parameters());
  const std::chrono::duration<double> wall = std::chrono::steady_clock::now() - started_;
  auto record = make_record(*scenario_, *model_, run, wall.count());
  return {scenario_, model_, std::move(run), std::move(record), output_folder(), options_.xlsx};
}

}  // namespace hwf::app
