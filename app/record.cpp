#include "app/record.hpp"

#include <optional>

#include <fmt/format.h>

#include "engine/build_info.hpp"
#include "models/workforce/comparison.hpp"
#include "models/workforce/indicators.hpp"
#include "models/workforce/safeguards_list.hpp"
#include "outputs/atomic_file.hpp"
#include "outputs/html_report.hpp"

namespace hwf::app {

out::run_record make_record(const model::scenario_description& s, const model::compiled_model& m,
                            const model::run_output& run, double wall_seconds) {
  out::run_record rec;
  rec.scenario = s.name;
  rec.description = s.description;
  rec.version = std::string(engine::build_version());
  rec.commit = std::string(engine::build_commit());
  rec.inputs.emplace_back(s.file.display_name, s.file.sha256);
  for (const auto& f : s.parents) rec.inputs.emplace_back(f.display_name, f.sha256);
  rec.inputs.emplace_back(s.model.file.display_name, s.model.file.sha256);
  rec.model_name = s.model.name;
  rec.model_description = s.model.description;
  for (const auto& c : s.model.countries)
    rec.countries.push_back({c.iso3, c.name, c.safeguards_list, c.rest_of_world});
  for (const auto& k : s.model.cadres) rec.cadres.push_back({k.id, k.sdg_core});
  rec.indicators = model::report_indicators();
  rec.start_year = static_cast<int>(m.start_time());
  rec.end_year = static_cast<int>(m.end_time());
  rec.output_interval_years = m.output_interval_years();
  rec.solver = m.solver();
  rec.stats = run.stats.solver;
  rec.wall_seconds = wall_seconds;
  rec.mass_balance_residual = run.stats.mass_balance_residual;
  for (const auto& w : s.warnings) rec.warnings.push_back(engine::format(w, "warning"));
  rec.notes = run_notes(m, run);
  return rec;
}

std::size_t write_report(const std::filesystem::path& dir) {
  out::report_settings settings;
  settings.sdg_threshold = model::sdg_threshold;
  settings.safeguards_median = model::safeguards_median_density_2023;
  settings.safeguards_edition = model::safeguards_list_edition;
  settings.generator =
      fmt::format("hwfsim {} ({})", engine::build_version(), engine::build_commit());
  return out::write_report(dir, settings);
}

std::size_t rebuild_report(const std::filesystem::path& dir) {
  // A folder of one complete run only, and none that a run is writing into.
  std::optional<out::results_lock> lock;
  std::error_code ec;
  if (std::filesystem::exists(dir / "run.json", ec)) {
    lock.emplace(dir);
    out::verify_results_folder(dir);
  }
  return write_report(dir);
}

}  // namespace hwf::app
