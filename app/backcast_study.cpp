#include "app/backcast_study.hpp"

#include <fmt/format.h>

#include "app/record.hpp"
#include "outputs/atomic_file.hpp"
#include "outputs/csv_writer.hpp"

namespace hwf::app {

backcast_study::backcast_study(backcast_options options)
    : options_(std::move(options)), started_(std::chrono::steady_clock::now()) {
  scenario_ =
      std::make_shared<const model::scenario_description>(model::load_scenario(options_.scenario));
  model_ = std::make_shared<const model::compiled_model>(*scenario_);
  observed_ = model::load_observed(options_.observed, *model_);
}

std::filesystem::path backcast_study::output_folder() const {
  return options_.output.empty() ? "results/" + scenario_->name + "-backcast" : options_.output;
}

backcast_results backcast_study::execute() const {
  const auto& m = *model_;
  const auto& s = *scenario_;
  backcast_results r;
  r.run_ = model::simulate(m, m.default_parameters());
  r.matches_ = model::match_observations(m, r.run_, observed_);
  if (r.matches_.empty())
    throw usage_error(observed_.file.display_name, "series",
                      "no observed value falls within the scenario's horizon and model",
                      fmt::format("the horizon is {} to {}", m.start_time(), m.end_time()));
  auto& info = r.info_;
  info.scenario = s.name;
  info.start_year = static_cast<int>(m.start_time());
  info.end_year = static_cast<int>(m.end_time());
  info.observed_name = observed_.name;
  info.observed_source = observed_.source;
  info.observed_file = observed_.file.display_name;
  info.command = fmt::format("hwfsim backcast {} --observed {}{}", s.file.display_name,
                             observed_.file.display_name,
                             options_.report.empty() ? "" : " --report " + options_.report);
  info.chart_file = "validation.svg";
  const std::chrono::duration<double> wall = std::chrono::steady_clock::now() - started_;
  r.record_ = make_record(s, m, r.run_, wall.count());
  r.record_.inputs.emplace_back(observed_.file.display_name, observed_.file.sha256);
  r.record_.files = {"backcast.csv", "validation.md", "validation.svg", "indicators.csv"};
  r.scenario_name_ = s.name;
  r.report_ = options_.report;
  r.folder_ = output_folder();
  r.model_ = model_;
  return r;
}

void backcast_results::write(results_folder& folder) const {
  const auto markdown = out::validation_markdown(info_, matches_);
  const auto svg = out::validation_svg(matches_);
  folder.write("backcast.csv", out::validation_csv(scenario_name_, matches_));
  folder.write("validation.md", markdown);
  folder.write("validation.svg", svg);
  folder.write("indicators.csv",
               out::long_csv(scenario_name_, run_.result.times, run_.result.tables[0]));
  folder.write("run.json", out::to_json(record_));
  folder.commit(false);
  if (!report_.empty()) write_asked_report(report_, markdown, {{info_.chart_file, svg}});
}

std::string backcast_results::text() const {
  return fmt::format("Back-cast {}: {} to {}, {} observed values compared; results in {}/{}\n",
                     scenario_name_, info_.start_year, info_.end_year, matches_.size(),
                     folder_.generic_string(), report_.empty() ? "" : "; report " + report_);
}

}  // namespace hwf::app
