#include "app/inspect.hpp"

#include <algorithm>
#include <filesystem>

#include <fmt/format.h>

#include "app/record.hpp"
#include "models/workforce/compiled_model.hpp"
#include "models/workforce/data_sources.hpp"
#include "models/workforce/resolved_yaml.hpp"
#include "models/workforce/schema.hpp"
#include "models/workforce/yaml_schema.hpp"
#include "outputs/atomic_file.hpp"
#include "outputs/csv_writer.hpp"

namespace hwf::app {

namespace {

std::string params_csv(const model::parameter_table& table, const std::string& filter) {
  std::string text = "path,value,unit,range,source,flag,note,set_at\n";
  for (const auto& p : table.items())
    if (filter.empty() || p.path.find(filter) != std::string::npos)
      text += fmt::format(
          "{},{},{},{},{},{},{},{}\n", out::csv_field(p.path), p.value, out::csv_field(p.unit),
          out::csv_field(p.range.describe()), out::csv_field(p.source), model::to_string(p.flag),
          out::csv_field(p.note),
          out::csv_field(fmt::format("{}:{}:{}", p.where.file, p.where.line, p.where.column)));
  return text;
}

}  // namespace

std::string validate_text(const std::string& scenario_path, const reporting& r) {
  const auto scenario = model::load_scenario(scenario_path);
  report_warnings(scenario, r);
  const model::compiled_model m(scenario);
  return fmt::format(
      "{}: valid. Model {} ({}): {} countries, {} cadres, {} country-cadres, {} corridor "
      "cadres, {} policies, {} parameters, {} state variables; {} to {}.\n",
      engine::printable(scenario.file.display_name), engine::printable(scenario.model.name, 80),
      engine::printable(scenario.model.file.display_name), m.countries().size(),
      m.cadre_ids().size(), m.blocks().size(), m.corridors().size(), scenario.policies.size(),
      m.parameters().size(), m.layout().size(), m.start_time(), m.end_time());
}

std::string params_text(const std::string& scenario_path, bool csv, const std::string& filter) {
  const auto scenario = model::load_scenario(scenario_path);
  const auto& table = scenario.model.params;
  if (csv) return params_csv(table, filter);
  std::size_t width = 4;
  for (const auto& p : table.items()) width = std::max(width, p.path.size());
  auto text = fmt::format("{:<{}}  {:>14}  {:<18}  {}\n", "path", width, "value", "unit", "source");
  for (const auto& p : table.items()) {
    if (!filter.empty() && p.path.find(filter) == std::string::npos) continue;
    std::vector<std::string> parts;
    if (!p.source.empty()) parts.push_back(p.source);
    if (p.flag != model::evidence::unstated)
      parts.push_back(fmt::format("[{}]", model::to_string(p.flag)));
    if (!p.note.empty()) parts.push_back(p.note);
    if (p.overridden) parts.push_back(fmt::format("(set at {}:{})", p.where.file, p.where.line));
    text +=
        fmt::format("{:<{}}  {:>14}  {:<18}  {}\n", p.path, width, fmt::format("{:.6g}", p.value),
                    p.unit, engine::printable(fmt::format("{}", fmt::join(parts, " "))));
  }
  return text;
}

std::string show_text(const std::string& scenario) {
  return model::resolved_yaml(model::load_scenario(scenario));
}

std::string sources_text(const std::string& scenario) {
  return model::data_sources_markdown(model::load_scenario(scenario),
                                      "hwfsim sources " + scenario + " > docs/data-sources.md");
}

std::string schema_text() {
  return model::schema_markdown();
}

std::string write_json_schemas(const std::string& folder, bool force) {
  std::vector<std::pair<std::filesystem::path, std::string>> files;
  for (const auto root : model::yaml_roots)
    files.emplace_back(std::filesystem::path(folder) / fmt::format("{}.schema.json", root),
                       model::json_schema(root));
  // All refused before any is written, so that the folder never holds half of a new set.
  if (!force)
    for (const auto& [path, text] : files)
      if (const auto old = out::read_file(path); std::filesystem::exists(path) && old != text)
        throw out::folder_not_empty(
            fmt::format("{} differs from the schema this build writes; nothing was written",
                        path.generic_string()),
            engine::remedy::write_anew);
  out::create_results_folder(folder);
  std::string report;
  for (const auto& [path, text] : files) {
    const bool same = out::read_file(path) == text;
    if (!same) out::write_file_atomically(path, text);
    report += fmt::format("{} {}\n", same ? "Unchanged:" : "Wrote", path.generic_string());
  }
  return report;
}

std::string report_text(const std::string& folder) {
  const auto bytes = rebuild_report(folder);
  return fmt::format("Report in {}: {:.1f} MB\n",
                     (std::filesystem::path(folder) / "report.html").generic_string(),
                     static_cast<double>(bytes) / 1e6);
}

}  // namespace hwf::app
