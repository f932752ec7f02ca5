#include "outputs/run_record.hpp"

#include <cmath>

#include <nlohmann/json.hpp>

namespace hwf::out {

std::string to_json(const run_record& r) {
  using nlohmann::ordered_json;
  ordered_json inputs = ordered_json::array();
  for (const auto& [file, hash] : r.inputs) inputs.push_back({{"file", file}, {"sha256", hash}});
  ordered_json solver = {{"method", std::string(engine::to_string(r.solver.kind))},
                         {"step_years", r.solver.step_years}};
  if (r.solver.kind == engine::method::dopri5) {
    solver["abs_tol"] = r.solver.abs_tol;
    solver["rel_tol"] = r.solver.rel_tol;
  }
  solver["max_steps"] = r.solver.max_steps;
  ordered_json countries = ordered_json::array();
  for (const auto& c : r.countries) {
    countries.push_back(
        {{"iso3", c.iso3}, {"name", c.name}, {"safeguards_list", c.safeguards_list}});
    if (c.rest_of_world) countries.back()["rest_of_world"] = true;
  }
  ordered_json cadres = ordered_json::array();
  for (const auto& k : r.cadres) cadres.push_back({{"id", k.id}, {"sdg_core", k.sdg_core}});
  ordered_json indicators = ordered_json::array();
  for (const auto& i : r.indicators)
    indicators.push_back({{"name", std::string(i.name)},
                          {"label", std::string(i.label)},
                          {"unit", std::string(i.unit_text)},
                          {"kind", std::string(engine::to_string(i.kind))},
                          {"format", std::string(engine::to_string(i.format))},
                          {"short_label", std::string(i.short_label)}});
  const ordered_json j = {
      {"scenario", r.scenario},
      {"description", r.description},
      {"hwfsim_version", r.version},
      {"git_commit", r.commit},
      {"inputs", inputs},
      {"model",
       {{"name", r.model_name},
        {"description", r.model_description},
        {"countries", countries},
        {"cadres", cadres},
        {"indicators", indicators}}},
      {"horizon", {{"start", r.start_year}, {"end", r.end_year}}},
      {"output_interval_years", r.output_interval_years},
      {"solver", solver},
      {"steps", r.stats.steps},
      {"rejected_steps", r.stats.rejected},
      {"rhs_evaluations", r.stats.rhs_evaluations},
      {"wall_seconds", r.wall_seconds},
      {"mass_balance_residual", r.mass_balance_residual},
      {"files", r.files},
      {"warnings", r.warnings},
      {"notes", r.notes},
  };
  return j.dump(2) + "\n";
}

std::string monte_carlo_json(const std::vector<std::string>& scenarios, const std::string& sampling,
                             const std::string& quantile_method, std::uint64_t seed,
                             std::size_t samples, std::size_t successful,
                             const std::vector<std::size_t>& skipped_runs,
                             const std::vector<std::string>& dimensions,
                             const std::vector<std::string>& records) {
  nlohmann::ordered_json runs = nlohmann::ordered_json::array();
  for (const auto& r : records) runs.push_back(nlohmann::ordered_json::parse(r));
  const nlohmann::ordered_json j = {{"monte_carlo",
                                     {{"scenarios", scenarios},
                                      {"sampling", sampling},
                                      {"seed", seed},
                                      {"samples", samples},
                                      {"successful_runs", successful},
                                      {"skipped_runs", skipped_runs},
                                      {"quantiles", quantile_method},
                                      {"dimensions", dimensions}}},
                                    {"deterministic_runs", runs}};
  return j.dump(2) + "\n";
}

std::string calibration_json(const calibration_summary& s, const std::string& record) {
  using nlohmann::ordered_json;
  // NaN (a median over no values) is written as null.
  const auto number = [](double x) { return std::isfinite(x) ? ordered_json(x) : ordered_json(); };
  ordered_json errors = ordered_json::array();
  for (const auto& e : s.holdout_errors)
    errors.push_back({{"horizon", e.horizon},
                      {"values", e.values},
                      {"fitted", number(e.fitted)},
                      {"persistence", number(e.persistence)},
                      {"trend", number(e.trend)},
                      {"fitted_signed", number(e.fitted_signed)},
                      {"persistence_signed", number(e.persistence_signed)},
                      {"trend_signed", number(e.trend_signed)},
                      {"series", e.series},
                      {"series_beating_persistence", e.beats_persistence}});
  ordered_json goal;  // null without a hold-out value at the goal's horizon
  if (s.goal)
    goal = {{"horizon", s.goal->goal.horizon},
            {"beats_persistence_share", s.goal->goal.beats_share},
            {"median_abs_error_below", s.goal->goal.median_abs},
            {"median_signed_error_within", s.goal->goal.median_signed},
            {"beats_persistence", s.goal->beats},
            {"median_abs_error_met", s.goal->abs_ok},
            {"median_signed_error_met", s.goal->signed_ok},
            {"met", s.goal->met()}};
  ordered_json c = {{"observed", {{"name", s.observed_name}, {"file", s.observed_file}}},
                    {"fit_years", {s.fit_from, s.fit_to}},
                    {"holdout_years", s.holdout ? ordered_json{s.holdout->first, s.holdout->second}
                                                : ordered_json()},
                    {"parameters", s.parameters},
                    {"observations", s.observations},
                    {"starts", s.starts},
                    {"best_start", s.best_start},
                    {"iterations", s.iterations},
                    {"runs", s.runs},
                    {"cost", number(s.cost)},
                    {"residual_scale", number(s.residual_scale)},
                    {"standard_errors_given", s.scaled},
                    {"converged", s.converged},
                    {"message", s.message},
                    {"holdout_values", s.holdout_values},
                    {"holdout_median_abs_error_percent", errors},
                    {"holdout_goal", goal}};
  const ordered_json j = {{"calibration", c}, {"calibrated_run", ordered_json::parse(record)}};
  return j.dump(2) + "\n";
}

std::string sensitivity_json(const sensitivity_summary& s, const std::string& record) {
  using nlohmann::ordered_json;
  ordered_json j = {{"method", s.method}, {"seed", s.seed},       {"runs", s.runs},
                    {"inputs", s.inputs}, {"outputs", s.outputs}, {"output_patterns", s.patterns}};
  if (s.method == "sobol") {
    j["base_samples"] = s.base_samples;
    j["second_order"] = s.second_order;
    j["bootstrap_samples"] = s.bootstrap;
    j["confidence"] = s.confidence;
    j["estimators"] = {{"first_order", "Saltelli et al. (2010)"},
                       {"total", "Jansen (1999)"},
                       {"second_order", "Saltelli (2002)"},
                       {"design", "Saltelli: Sobol points N to 2N - 1, digitally shifted"}};
  } else {
    j["trajectories"] = s.trajectories;
    j["levels"] = s.levels;
    j["delta"] = s.delta;
    j["morris_tail"] = s.morris_tail;
    j["estimators"] = {{"mu_star", "Campolongo et al. (2007)"}, {"design", "Morris (1991)"}};
  }
  j["run_seconds"] = s.run_seconds;
  const ordered_json out = {{"sensitivity", j}, {"run", ordered_json::parse(record)}};
  return out.dump(2) + "\n";
}

std::string comparison_json(const std::vector<std::string>& records, double discount_rate,
                            const std::vector<int>& summary_years) {
  nlohmann::ordered_json runs = nlohmann::ordered_json::array();
  for (const auto& r : records) runs.push_back(nlohmann::ordered_json::parse(r));
  const nlohmann::ordered_json j = {{"comparison",
                                     {{"baseline", runs.at(0).at("scenario")},
                                      {"discount_rate", discount_rate},
                                      {"summary_years", summary_years}}},
                                    {"runs", runs}};
  return j.dump(2) + "\n";
}

}  // namespace hwf::out
