#include "app/workshop_session.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <fstream>

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <nlohmann/json.hpp>

#include "app/run_notes.hpp"
#include "models/workforce/comparison.hpp"
#include "models/workforce/indicators.hpp"
#include "models/workforce/workshop.hpp"

namespace hwf::app {

namespace {

using nlohmann::json;

/// The indicators the page draws, of each table (the rest stay out of the responses).
constexpr std::string_view page_indicators[] = {"supply",
                                                "density_per_10k",
                                                "sdg_density",
                                                "need",
                                                "shortage",
                                                "net_migration",
                                                "emigration",
                                                "immigration",
                                                "returns",
                                                "training_cost",
                                                "retention_cost",
                                                "capital_cost",
                                                "compensation_paid",
                                                "compensation_received",
                                                "wage_bill",
                                                "unemployed"};
constexpr std::string_view page_corridor_indicators[] = {"emigration", "returns", "migrant_stock",
                                                         "compensation"};

/// The name of the setting's saved scenario: <given>-workshop, within the name's length limit.
std::string saved_name(const std::string& given) {
  constexpr std::size_t limit = 100;  // scenario names (models/workforce/scenario_loader.cpp)
  constexpr std::string_view suffix = "-workshop";
  return given.substr(0, limit - suffix.size()) + std::string(suffix);
}

bool is_term_of(const std::string& path, const std::string& policy) {
  return path.starts_with("policies." + policy + ".");
}

json number(double v) {
  return std::isfinite(v) ? json(v) : json(nullptr);
}

/// Series-major table: {"columns", "series" (labels), "values" (one array per series)}, only the
/// series whose indicator is one of `keep`.
json table_json(const engine::table_values& t, std::span<const double> times,
                std::span<const std::string_view> keep) {
  const auto& schema = *t.schema;
  const auto indicator = static_cast<std::size_t>(
      std::find(schema.key_columns.begin(), schema.key_columns.end(), "indicator") -
      schema.key_columns.begin());
  json out{{"columns", schema.key_columns}, {"series", json::array()}, {"values", json::array()}};
  for (std::size_t s = 0; s < schema.size(); ++s) {
    const auto& key = schema.series[s];
    if (indicator < key.size() &&
        std::find(keep.begin(), keep.end(), std::string_view(key[indicator])) == keep.end())
      continue;
    json values = json::array();
    for (std::size_t r = 0; r < times.size(); ++r) values.push_back(number(t.row(r)[s]));
    out["series"].push_back(key);
    out["values"].push_back(std::move(values));
  }
  return out;
}

json run_tables(const model::run_output& run) {
  const auto& r = run.result;
  return {{"indicators", table_json(r.tables.at(0), r.times, page_indicators)},
          {"corridors", table_json(r.tables.at(1), r.times, page_corridor_indicators)}};
}

json indicator_labels() {
  json out = json::object();
  const auto add = [&](std::span<const engine::indicator_info> table) {
    for (const auto& i : table)
      if (!out.contains(std::string(i.name)))
        out[std::string(i.name)] = {{"label", i.label}, {"unit", i.unit_text}};
  };
  add(model::country_indicators());
  add(model::corridor_indicators());
  add(model::summary_indicators());
  return out;
}

workshop_settings parse_settings(const json& request) {
  workshop_settings s;
  s.scenario = request.at("scenario").get<std::string>();
  if (request.contains("set"))
    for (const auto& entry : request.at("set"))
      s.set.emplace_back(entry.at(0).get<std::string>(), entry.at(1).get<double>());
  if (request.contains("off"))
    for (const auto& name : request.at("off")) s.off.push_back(name.get<std::string>());
  return s;
}

/// The countries the page shows first: the block's, else the ends of the first agreement or
/// emigration cap's first corridor, else the first corridor's, else the first two countries.
std::vector<std::string> first_countries(const model::scenario_description& sd) {
  if (!sd.workshop.countries.empty()) return sd.workshop.countries;
  const auto& md = sd.model;
  const auto iso = [&](std::size_t c) { return md.countries.at(c).iso3; };
  for (const auto& p : sd.policies)
    if (p.type_name() == "agreement") return {iso(p.origin), iso(p.destination)};
  for (const auto& c : md.corridors)
    if (!md.countries.at(c.destination).rest_of_world) return {iso(c.origin), iso(c.destination)};
  std::vector<std::string> out;
  for (const auto& c : md.countries)
    if (!c.rest_of_world && out.size() < 2) out.push_back(c.iso3);
  return out;
}

json describe(const model::scenario_description& sd) {
  json countries = json::array();
  for (const auto& c : sd.model.countries)
    if (!c.rest_of_world) countries.push_back({{"iso3", c.iso3}, {"name", c.name}});
  json cadres = json::array();
  for (const auto& c : sd.model.cadres) cadres.push_back(c.id);
  json policies = json::array();
  for (const auto& p : sd.policies)
    policies.push_back({{"name", p.name}, {"type", std::string(p.type_name())}});
  json controls = json::array();
  for (const auto& c : model::workshop_controls(sd))
    controls.push_back({{"path", c.path},
                        {"label", c.label},
                        {"unit", c.unit},
                        {"value", c.value},
                        {"min", c.min},
                        {"max", c.max},
                        {"step", c.step},
                        {"integer", c.integer},
                        {"policy", c.policy},
                        {"source", c.source}});
  return {{"ok", true},
          {"name", sd.name},
          {"description", sd.description},
          {"title", sd.workshop.title.empty() ? sd.name : sd.workshop.title},
          {"model", sd.model.name},
          {"start", sd.start_year},
          {"end", sd.end_year},
          {"countries", std::move(countries)},
          {"cadres", std::move(cadres)},
          {"policies", std::move(policies)},
          {"controls", std::move(controls)},
          {"shown", first_countries(sd)},
          {"sdg_threshold", model::sdg_threshold},
          {"saved_file", saved_scenario_path(sd.file.display_name).filename().string()},
          {"indicators", indicator_labels()}};
}

std::string error_text(const engine::input_error& e) {
  std::string out;
  for (const auto& d : e.diagnostics()) out += engine::format(d) + "\n";
  return out;
}

}  // namespace

std::filesystem::path saved_scenario_path(const std::filesystem::path& scenario) {
  return scenario.parent_path() / (scenario.stem().string() + "-workshop.yaml");
}

std::string saved_scenario_yaml(const workshop_settings& settings,
                                const model::scenario_description& given) {
  YAML::Emitter y;
  y << YAML::BeginMap;
  y << YAML::Key << "format" << YAML::Value << 1;
  y << YAML::Key << "scenario" << YAML::Value << saved_name(given.name);
  y << YAML::Key << "extends" << YAML::Value
    << std::filesystem::path(settings.scenario).filename().string();
  y << YAML::Key << "description" << YAML::Value << YAML::DoubleQuoted
    << fmt::format("{}, as set in the workshop page.", given.name);
  std::vector<std::string> off;
  for (const auto& p : given.policies)
    if (std::find(settings.off.begin(), settings.off.end(), p.name) != settings.off.end())
      off.push_back(p.name);
  if (!off.empty()) y << YAML::Key << "remove" << YAML::Value << YAML::Flow << off;
  std::vector<std::pair<std::string, std::string>> set;
  for (const auto& entry : settings.set)
    if (std::none_of(off.begin(), off.end(),
                     [&](const std::string& name) { return is_term_of(entry.first, name); }))
      set.emplace_back(entry.first, fmt::format("{}", entry.second));
  if (!set.empty()) {
    y << YAML::Key << "set" << YAML::Value << YAML::BeginMap;
    for (const auto& [path, value] : set) y << YAML::Key << path << YAML::Value << value;
    y << YAML::EndMap;
  }
  y << YAML::EndMap;
  return fmt::format(
      "# Saved from the hwfsim workshop page: scenario {} with the settings below.\n"
      "# Save it in the folder of the scenario it extends, then: hwfsim run <this file>\n{}\n",
      given.name, y.c_str());
}

const model::scenario_description& workshop_session::given(const std::string& scenario) {
  auto& sd = given_[scenario];
  if (!sd) sd = std::make_shared<const model::scenario_description>(model::load_scenario(scenario));
  return *sd;
}

workshop_session::loaded workshop_session::run(const workshop_settings& settings) {
  const auto& sd = given(settings.scenario);
  const auto path = saved_scenario_path(settings.scenario);
  loaded l;
  l.yaml = saved_scenario_yaml(settings, sd);
  {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << l.yaml;
    if (!out.flush())
      throw engine::input_error({{{path.generic_string(), 0, 0}, "", "cannot be written", {}, ""}});
  }
  l.scenario = std::make_shared<const model::scenario_description>(model::load_scenario(path));
  l.model = std::make_shared<const model::compiled_model>(*l.scenario);
  l.run = model::simulate(*l.model, l.model->default_parameters());
  return l;
}

const workshop_session::loaded& workshop_session::baseline(const std::string& scenario) {
  auto it = baselines_.find(scenario);
  if (it != baselines_.end()) return it->second;
  workshop_settings none{scenario, {}, {}};
  for (const auto& p : given(scenario).policies) none.off.push_back(p.name);
  return baselines_.emplace(scenario, run(none)).first->second;
}

std::string workshop_session::handle(std::string_view request) {
  try {
    const auto r = json::parse(request);
    const auto op = r.at("op").get<std::string>();
    if (op == "describe") return describe(given(r.at("scenario").get<std::string>())).dump();
    if (op != "run") throw std::invalid_argument("unknown op " + op);
    const auto settings = parse_settings(r);
    const auto& base = baseline(settings.scenario);
    const auto started = std::chrono::steady_clock::now();
    const auto l = run(settings);
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    json warnings = json::array();
    for (const auto& w : l.scenario->warnings) warnings.push_back(engine::format(w, "warning"));
    json out{{"ok", true},
             {"yaml", l.yaml},
             {"warnings", std::move(warnings)},
             {"notes", run_notes(*l.model, l.run)},
             {"seconds", seconds},
             {"years", l.run.result.times},
             {"run", run_tables(l.run)},
             {"baseline", run_tables(base.run)}};
    if (model::same_layout(*base.model, *l.model)) {
      model::comparison_settings cs{{}, l.scenario->discount_rate};
      for (double t : l.run.result.times) cs.years.push_back(static_cast<int>(t));
      const auto schema = model::country_summary_schema(*l.model);
      const auto summary = model::summarise_countries(*l.model, schema, base.run, l.run, cs);
      std::vector<double> years(cs.years.begin(), cs.years.end());
      std::vector<std::string_view> all;
      for (const auto& i : model::summary_indicators()) all.push_back(i.name);
      out["run"]["summary"] = table_json(summary, years, all);
    }
    return out.dump();
  } catch (const engine::input_error& e) {
    return json{{"ok", false}, {"error", error_text(e)}}.dump();
  } catch (const std::exception& e) {
    return json{{"ok", false}, {"error", std::string(e.what())}}.dump();
  }
}

}  // namespace hwf::app
