#include "app/run_study.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "app/console.hpp"
#include "app/record.hpp"
#include "models/workforce/comparison.hpp"
#include "models/workforce/indicators.hpp"
#include "outputs/csv_writer.hpp"

namespace hwf::app {

namespace {

/// The value of `indicator` for a country's cadre-`all` row at output row `row`.
double country_value(const model::compiled_model& m, const engine::table_values& t, std::size_t row,
                     std::size_t country, std::string_view indicator) {
  return t.row(row)[m.all_series(
      country, model::indicator_position(model::country_indicators(), indicator))];
}

}  // namespace

run_results::run_results(std::shared_ptr<const model::scenario_description> scenario,
                         std::shared_ptr<const model::compiled_model> model, model::run_output run,
                         out::run_record record, std::filesystem::path folder)
    : scenario_(std::move(scenario)),
      model_(std::move(model)),
      run_(std::move(run)),
      record_(std::move(record)),
      folder_(std::move(folder)) {
  record_.files = table_names();
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
  for (const auto& [name, content] : tables()) folder.write(name, content);
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
  names.insert(names.end(), {"run.json", "report.html"});
  text += fmt::format("Results in {}/: {}\n", folder_.generic_string(), fmt::join(names, ", "));
  return text + country_table(m, run_.result);
}

std::string country_table(const model::compiled_model& m, const engine::run_result& r) {
  const auto& t = r.tables[0];
  const std::size_t first = 0, last = r.times.size() - 1;
  const int y0 = static_cast<int>(r.times[first]), y1 = static_cast<int>(r.times[last]);
  auto text = fmt::format(
      "\nAll cadres, {} and {} (density per 10,000 people; SDG index threshold {}):\n\n", y0, y1,
      model::sdg_threshold);
  text += fmt::format("{:<8}{:>14}{:>14}{:>10}{:>10}{:>13}{:>13}\n", "country",
                      fmt::format("supply {}", y0), fmt::format("supply {}", y1),
                      fmt::format("dens {}", y0), fmt::format("dens {}", y1),
                      fmt::format("short. {}", y0), fmt::format("short. {}", y1));
  for (std::size_t c = 0; c < m.countries().size(); ++c) {
    const auto v = [&](std::size_t row, std::string_view ind) {
      return country_value(m, t, row, c, ind);
    };
    text += fmt::format("{:<8}{:>14.0f}{:>14.0f}{:>10.1f}{:>10.1f}{:>13.0f}{:>13.0f}\n",
                        m.countries()[c].iso3, v(first, "supply"), v(last, "supply"),
                        v(first, "density_per_10k"), v(last, "density_per_10k"),
                        v(first, "shortage"), v(last, "shortage"));
  }
  return text;
}

run_study::run_study(run_options options)
    : options_(std::move(options)), started_(std::chrono::steady_clock::now()) {
  auto scenario =
      std::make_shared<const model::scenario_description>(model::load_scenario(options_.scenario));
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
  return {scenario_, model_, std::move(run), std::move(record), output_folder()};
}

}  // namespace hwf::app
