#include "support.hpp"

#include <algorithm>
#include <fstream>

#include <unistd.h>

#include <fmt/format.h>

#include "models/workforce/description.hpp"

namespace hwf::test {

std::filesystem::path source_path(const std::string& relative) {
  return std::filesystem::path(HWF_SOURCE_DIR) / relative;
}

std::filesystem::path scratch_folder(const std::string& name) {
  const auto dir =
      std::filesystem::temp_directory_path() / ("hwf_tests_" + std::to_string(::getpid())) / name;
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

std::filesystem::path write_file(const std::filesystem::path& folder, const std::string& name,
                                 const std::string& content) {
  const auto p = folder / name;
  std::ofstream(p, std::ios::binary) << content;
  return p;
}

model::scenario_description load_shown(const std::string& shown,
                                       const std::filesystem::path& folder) {
  return model::load_scenario(write_file(folder, "again.yaml", shown));
}

std::filesystem::path scenario_on_good_model(const std::string& folder,
                                             const std::string& scenario_text) {
  const auto dir = scratch_folder(folder);
  std::filesystem::copy(source_path("tests/data/good/model.yaml"), dir / "model.yaml");
  return write_file(dir, "s.yaml", scenario_text);
}

model::run_output run_scenario(const std::filesystem::path& scenario) {
  const auto s = model::load_scenario(scenario);
  const model::compiled_model m(s);
  return model::simulate(m, m.default_parameters());
}

double indicator(const model::compiled_model& m, const model::run_output& r, std::size_t row,
                 const std::string& country, const std::string& cadre, const std::string& name) {
  const auto& schema = *m.schemas()[0];
  for (std::size_t i = 0; i < schema.size(); ++i)
    if (schema.series[i][0] == country && schema.series[i][1] == cadre &&
        schema.series[i][2] == name)
      return r.result.tables[0].row(row)[i];
  throw std::runtime_error("no such indicator: " + country + " " + cadre + " " + name);
}

double model_run::at(int year, const std::string& country, const std::string& name,
                     const std::string& cadre) const {
  const int first = static_cast<int>(model->start_time());
  return indicator(*model, out, static_cast<std::size_t>(year - first), country, cadre, name);
}

bool model_run::has(const std::string& country, const std::string& cadre,
                    const std::string& name) const {
  const auto& series = model->schemas()[0]->series;
  return std::find(series.begin(), series.end(), std::vector<std::string>{country, cadre, name}) !=
         series.end();
}

model_run run_from(const std::string& folder, const std::string& model_text, int start, int end,
                   const std::string& solver, const std::string& extra) {
  const auto dir = scratch_folder(folder);
  write_file(dir, "model.yaml", model_text);
  const auto path =
      write_file(dir, "s.yaml",
                 fmt::format("scenario: s\nmodel: model.yaml\nhorizon: {{start: {}, end: {}}}\n"
                             "solver: {}\n{}",
                             start, end, solver, extra));
  model_run r{model::load_scenario(path), nullptr, {}};
  r.model = std::make_unique<model::compiled_model>(r.scenario);
  r.out = model::simulate(*r.model, r.model->default_parameters());
  return r;
}

model_run run_model(const std::string& folder, const std::string& model_text, int end,
                    const std::string& extra) {
  return run_from(folder, model_text, 2020, end, "{method: dopri5, abs_tol: 1e-10, rel_tol: 1e-12}",
                  extra);
}

model_run run_solved(const std::string& folder, const std::string& model_text,
                     const std::string& solver, const std::string& extra) {
  return run_from(folder, model_text, 2020, 2035, solver, extra);
}

std::string one_country_yaml(const std::string& nurses) {
  return fmt::format(R"(model: one-country
start_year: 2020
cadres:
  nurses: {{training_years: 3, completion: 0.8, sdg_core: true}}
countries:
  AAA:
    name: Analytica
    population: 1.0e6
    cadres:
      nurses:
        workforce: 1000
        entry_rate: 1
        need_density: 40
        salary: 1000
        cost_per_student_year: 100
{}
)",
                     nurses);
}

std::string analytic_model_yaml() {
  return R"(model: analytic
start_year: 2020
cadres:
  nurses: {training_years: 3, completion: 0.8, sdg_core: true}
countries:
  AAA:
    name: Analytica
    safeguards_list: false
    population: 1.0e6
    cadres:
      nurses:
        workforce: 1000
        seats: 500
        entry_rate: 0.9
        exit_rate: 0.06
        retirement_rate: 0.04
        need_density: 40
        salary: 1000
        cost_per_student_year: 100
)";
}

std::string analytic_scenario_yaml(const std::string& solver) {
  return "scenario: analytic\nmodel: analytic.yaml\nhorizon: {start: 2020, end: 2050}\nsolver: " +
         solver + "\n";
}

}  // namespace hwf::test
