#include "app/calibrate_study.hpp"

#include <algorithm>
#include <cmath>
#include <iterator>
#include <map>
#include <optional>

#include <fmt/format.h>

#include "app/record.hpp"
#include "outputs/atomic_file.hpp"
#include "outputs/csv_writer.hpp"
#include "outputs/holdout_report.hpp"
#include "outputs/results_catalogue.hpp"

namespace hwf::app {

namespace {

std::string flag_of(const engine::fit_result& f, std::size_t i) {
  if (!f.identified[i]) return "not identified";
  if (f.at_bound[i]) return "on a bound";
  if (f.weak[i]) return "weakly identified";
  return "identified";
}

std::string prior_text(const engine::fit_parameter& p) {
  if (!p.prior) return "none";
  return fmt::format("{}({}, {})", p.prior->lognormal ? "lognormal" : "normal", p.prior->centre,
                     p.prior->sigma);
}

double percent_error(double value, double observed) {
  return (value - observed) / observed * 100;
}

/// The median of the finite values of `xs`, or NaN.
double median(const std::vector<double>& xs) {
  std::vector<double> a;
  for (double x : xs)
    if (std::isfinite(x)) a.push_back(x);
  if (a.empty()) return std::nan("");
  std::sort(a.begin(), a.end());
  const std::size_t n = a.size();
  return n % 2 ? a[n / 2] : 0.5 * (a[n / 2 - 1] + a[n / 2]);
}

double median_abs(std::vector<double> xs) {
  for (double& x : xs) x = std::abs(x);
  return median(xs);
}

/// Whether a hold-out value counts in the errors by horizon and the goal: all three forecasts
/// give it (a series needs a fit-year value for persistence, two for the trend).
bool judged(const model::holdout_row& h) {
  return std::isfinite(h.fitted) && std::isfinite(h.persistence) && std::isfinite(h.trend);
}

/// The errors of the hold-out values that all three forecasts give (a series needs a fit-year
/// value for persistence, two for the trend), so the three are over the same values: over all
/// of them (horizon 0), then by horizon. A series beats persistence where the mean of its
/// absolute errors, over its values of that horizon (all of them at horizon 0), is below
/// persistence's.
std::vector<out::calibration_summary::horizon_errors> holdout_errors(
    const model::calibration_problem& problem, const std::vector<model::holdout_row>& rows) {
  std::vector<out::calibration_summary::horizon_errors> out;
  std::vector<model::holdout_row> common;
  for (const auto& h : rows)
    if (judged(h)) common.push_back(h);
  if (common.empty()) return out;
  std::vector<int> horizons{0};
  for (const auto& h : common) horizons.push_back(h.horizon);
  std::sort(horizons.begin() + 1, horizons.end());
  horizons.erase(std::unique(horizons.begin() + 1, horizons.end()), horizons.end());
  for (int horizon : horizons) {
    std::vector<double> fitted, persistence, trend;
    // Per series: the sums of the model's and persistence's absolute errors.
    std::map<std::size_t, std::pair<double, double>> by_series;
    for (const auto& h : common) {
      if (horizon != 0 && h.horizon != horizon) continue;
      const auto& p = problem.points[h.point];
      fitted.push_back(percent_error(h.fitted, p.observed));
      persistence.push_back(percent_error(h.persistence, p.observed));
      trend.push_back(percent_error(h.trend, p.observed));
      auto& [model_sum, persistence_sum] = by_series[p.group];
      model_sum += std::abs(fitted.back());
      persistence_sum += std::abs(persistence.back());
    }
    out::calibration_summary::horizon_errors e;
    e.horizon = horizon;
    e.values = fitted.size();
    e.fitted = median_abs(fitted);
    e.persistence = median_abs(persistence);
    e.trend = median_abs(trend);
    e.fitted_signed = median(fitted);
    e.persistence_signed = median(persistence);
    e.trend_signed = median(trend);
    e.series = by_series.size();
    for (const auto& [group, sums] : by_series)
      if (sums.first < sums.second) ++e.beats_persistence;
    out.push_back(e);
  }
  return out;
}

/// The hold-out goal at its horizon; none without a value there.
std::optional<out::calibration_summary::goal_check> goal_of(
    const std::vector<out::calibration_summary::horizon_errors>& errors) {
  out::calibration_summary::goal_check g;
  const auto at = std::find_if(errors.begin(), errors.end(),
                               [&](const auto& e) { return e.horizon == g.goal.horizon; });
  if (at == errors.end()) return std::nullopt;
  g.at = *at;
  g.beats = static_cast<double>(at->beats_persistence) >=
            g.goal.beats_share * static_cast<double>(at->series);
  g.abs_ok = g.goal.abs_ok(at->fitted);
  g.signed_ok = g.goal.signed_ok(at->fitted_signed);
  return g;
}

/// What run.json says of the fit and of its hold-out years.
out::calibration_summary summary_of(const model::calibration_problem& problem,
                                    const model::calibration_desc& c, const engine::fit_result& f,
                                    const std::vector<model::holdout_row>& holdout) {
  out::calibration_summary sum;
  sum.observed_name = problem.observed.name;
  sum.observed_file = problem.observed.file.display_name;
  sum.fit_from = c.fit_from;
  sum.fit_to = c.fit_to;
  sum.holdout = c.holdout;
  sum.parameters = problem.parameters.size();
  sum.observations = problem.fit_points;
  sum.starts = f.starts.size();
  sum.best_start = f.best + 1;
  sum.iterations = static_cast<std::size_t>(std::max(0, f.starts[f.best].iterations));
  sum.runs = f.evaluations;
  sum.cost = f.cost;
  sum.residual_scale = f.scale;
  sum.scaled = problem.scaled;
  sum.converged = f.converged;
  sum.message = f.starts[f.best].message;
  sum.holdout_errors = holdout_errors(problem, holdout);
  sum.goal = goal_of(sum.holdout_errors);
  sum.holdout_values = holdout.size();
  return sum;
}

}  // namespace

calibrate_study::calibrate_study(calibrate_options options)
    : options_(std::move(options)), started_(std::chrono::steady_clock::now()) {
  scenario_ =
      std::make_shared<const model::scenario_description>(model::load_scenario(options_.scenario));
  report_warnings(*scenario_, options_.report);
  if (!scenario_->calibration.present)
    throw usage_error(scenario_->file.display_name, "calibration",
                      "this scenario has no calibration block",
                      "give `calibration:` with the observed file, the fit years, a seed and the "
                      "parameters to fit (docs/calibration.md)");
  if (!options_.report_page.empty() && !scenario_->calibration.holdout)
    throw usage_error(scenario_->file.display_name, "calibration",
                      "--report writes the hold-out page, and this calibration has no hold-out "
                      "years",
                      "give `holdout: {from: YEAR, to: YEAR}` in the calibration block, or leave "
                      "out --report");
  if (options_.published.empty() != options_.compare.empty())
    throw usage_error(options_.published.empty() ? "--compare" : "--published", "",
                      "--published and --compare go together: the published projections and "
                      "the scenarios set against them",
                      "e.g. --published models/world/published.yaml --compare "
                      "scenarios/flagship.yaml scenarios/world-uk-training-expansion.yaml");
  model_ = std::make_shared<const model::compiled_model>(*scenario_);
  problem_ = model::make_problem(*scenario_, *model_);
  if (options_.published.empty()) return;
  std::vector<const model::scenario_description*> scenarios;
  std::vector<const model::compiled_model*> models;
  for (const auto& path : options_.compare) {
    compared_run r;
    r.scenario = std::make_shared<const model::scenario_description>(model::load_scenario(path));
    report_warnings(*r.scenario, options_.report);
    r.model = std::make_shared<const model::compiled_model>(*r.scenario);
    scenarios.push_back(r.scenario.get());
    models.push_back(r.model.get());
    compared_.push_back(std::move(r));
  }
  model::check_comparable(scenarios, models);
  published_ = model::load_published(options_.published, *compared_.front().model);
  std::vector<std::string> names;
  for (const auto* s : scenarios) names.push_back(s->name);
  model::check_published_scenarios(*published_, names);  // before the fit, not after it
}

std::filesystem::path calibrate_study::output_folder() const {
  return options_.output.empty() ? "results/" + scenario_->name + "-calibrated" : options_.output;
}

calibrate_results calibrate_study::execute() const {
  const auto& m = *model_;
  const auto& c = scenario_->calibration;
  const auto& problem = problem_;
  // Residuals of the fit years: weight * log(model / observed), every run from the scenario's
  // own parameter vector with the fitted values in place.
  const auto residuals = [&](std::span<const double> theta, std::span<double> out) {
    std::vector<double> values;
    if (!model::model_values(m, problem, model::with_estimates(m, problem, theta), values))
      return false;
    for (std::size_t i = 0; i < problem.fit_points; ++i)
      out[i] = model::residual(problem.points[i], values[i]);
    return true;
  };
  engine::fit_settings settings;
  settings.starts = c.starts;
  settings.seed = c.seed;
  settings.max_iterations = c.max_iterations;
  settings.threads = options_.threads;
  if (options_.progress) settings.progress = options_.progress(c.starts);
  settings.cancel = options_.cancel;
  calibrate_results r;
  r.fit_ = engine::least_squares_fit(problem.parameters, problem.fit_points, residuals, settings,
                                     problem.scaled);
  r.scenario_ = scenario_;
  r.model_ = model_;
  r.problem_ = problem;
  std::vector<double> start;
  for (const auto& p : problem.parameters) start.push_back(p.start);
  if (!model::model_values(m, problem, model::with_estimates(m, problem, start), r.start_values_))
    r.start_values_.assign(problem.points.size(), std::nan(""));
  const auto fitted_params = model::with_estimates(m, problem, r.fit_.estimate);
  auto run = model::simulate(m, fitted_params);
  model::model_values(m, problem, fitted_params, r.fitted_values_);
  r.holdout_ = model::holdout_rows(problem, r.fitted_values_);
  r.folder_ = output_folder();
  r.scenario_path_ = scenario_->file.display_name;
  const std::chrono::duration<double> wall = std::chrono::steady_clock::now() - started_;
  r.record_ = make_record(*scenario_, m, run, wall.count());
  if (c.file) r.record_.inputs.emplace_back(c.file->display_name, c.file->sha256);
  r.record_.inputs.emplace_back(problem.observed.file.display_name, problem.observed.file.sha256);
  r.record_.files = {"fit.csv", "parameters.csv", "correlations.csv"};
  if (c.holdout) {
    r.record_.files.emplace_back("holdout.csv");
    r.record_.files.emplace_back("holdout.md");
  }
  r.record_.files.emplace_back("calibrated.yaml");
  r.emit_uncertainty_ = options_.emit_uncertainty;
  if (r.emit_uncertainty_) r.uncertainty_ = r.uncertainty_yaml();
  if (!r.uncertainty_.empty()) r.record_.files.emplace_back("uncertainty.yaml");
  r.record_.files.emplace_back("report.html");  // written after the tables, from them
  r.summary_ = summary_of(problem, c, r.fit_, r.holdout_);
  r.report_page_ = options_.report_page;
  r.command_ = "hwfsim calibrate " + scenario_->file.display_name;
  if (published_) {
    auto compared = compared_;
    for (auto& cr : compared)
      cr.run.emplace(model::simulate(*cr.model, cr.model->default_parameters()));
    r.projections_ = projections_page_of(*published_, compared);
    r.command_ += " --published " + published_->file.display_name + " --compare";
    for (const auto& path : options_.compare)
      r.command_ += " " + std::filesystem::path(path).lexically_normal().generic_string();
    r.record_.files.insert(r.record_.files.end() - 1, "projections.csv");
    for (const auto& cr : compared)
      r.record_.inputs.emplace_back(cr.scenario->file.display_name, cr.scenario->file.sha256);
    r.record_.inputs.emplace_back(published_->file.display_name, published_->file.sha256);
  }
  if (!options_.report_page.empty()) r.command_ += " --report " + options_.report_page;
  const auto& f = r.fit_;
  r.record_.notes.push_back(fmt::format(
      "fit: {} parameters to {} observed values, {} starts (best: {}), {} iterations, {} runs, "
      "cost {:.6g}, {}",
      problem.parameters.size(), problem.fit_points, f.starts.size(), f.best + 1,
      f.starts[f.best].iterations, f.evaluations, f.cost,
      f.converged ? "converged" : "not converged: " + f.starts[f.best].message));
  return r;
}

std::string calibrate_results::fit_csv() const {
  std::string out = out::fixed_keys_header("fit.csv");
  const auto name = out::csv_field(scenario_->name);
  for (std::size_t i = 0; i < problem_.points.size(); ++i) {
    const auto& p = problem_.points[i];
    out += fmt::format("{},{},{},{},{},{},{},{},{},{},{},{},{}\n", name, p.country, p.destination,
                       p.cadre, p.measure, p.year, p.fitted ? "fit" : "holdout",
                       out::csv_number(p.observed), out::csv_number(start_values_[i]),
                       out::csv_number(fitted_values_[i]),
                       out::csv_number(model::residual(p, fitted_values_[i])),
                       out::csv_number(p.weight), out::csv_field(p.note));
  }
  for (const auto& p : problem_.left_out)  // `fit: false`: no model value is computed
    out += fmt::format("{},{},{},{},{},{},left_out,{},,,,{},{}\n", name, p.country, p.destination,
                       p.cadre, p.measure, p.year, out::csv_number(p.observed),
                       out::csv_number(p.weight), out::csv_field(p.note));
  return out;
}

std::string calibrate_results::parameters_csv() const {
  std::string out = out::fixed_keys_header("parameters.csv");
  const auto& f = fit_;
  for (std::size_t i = 0; i < problem_.parameters.size(); ++i) {
    const auto& p = problem_.parameters[i];
    out += fmt::format(
        "{},{},{},{},{},{},{},{}\n", out::csv_field(p.label), out::csv_number(p.start),
        out::csv_number(f.estimate[i]), out::csv_number(p.lower), out::csv_number(p.upper),
        out::csv_field(prior_text(p)), out::csv_number(f.standard_error(i)), flag_of(f, i));
  }
  return out;
}

std::string calibrate_results::correlations_csv() const {
  std::string out = out::fixed_keys_header("correlations.csv");
  const auto& f = fit_;
  const std::size_t n = problem_.parameters.size();
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t j = i + 1; j < n; ++j) {
      const double rho = f.correlation(i, j);
      if (std::isfinite(rho))
        out += fmt::format("{},{},{}\n", out::csv_field(problem_.parameters[i].label),
                           out::csv_field(problem_.parameters[j].label), out::csv_number(rho));
    }
  return out;
}

std::string calibrate_results::holdout_csv() const {
  std::string out = out::fixed_keys_header("holdout.csv");
  const auto name = out::csv_field(scenario_->name);
  for (const auto& h : holdout_) {
    const auto& p = problem_.points[h.point];
    out +=
        fmt::format("{},{},{},{},{},{},{},{},{},{},{},{},{},{}\n", name, p.country, p.destination,
                    p.cadre, p.measure, p.year, h.horizon, out::csv_number(p.observed),
                    out::csv_number(h.fitted), out::csv_number(h.persistence),
                    out::csv_number(h.trend), out::csv_number(percent_error(h.fitted, p.observed)),
                    out::csv_number(percent_error(h.persistence, p.observed)),
                    out::csv_number(percent_error(h.trend, p.observed)));
  }
  return out;
}

namespace {

/// How the page names a point's series: "NGA nurses", "NGA nurses (registered)",
/// "NGA to GBR nurses, emigration".
std::string series_label(const model::calibration_point& p) {
  if (!p.destination.empty())
    return fmt::format("{} to {} {}, {}", p.country, p.destination, p.cadre, p.measure);
  return p.measure == "practising" ? fmt::format("{} {}", p.country, p.cadre)
                                   : fmt::format("{} {} ({})", p.country, p.cadre, p.measure);
}

}  // namespace

std::string calibrate_results::holdout_md() const {
  out::holdout_page page;
  page.scenario = scenario_->name;
  page.scenario_file = scenario_->file.display_name;
  page.description = scenario_->description;
  page.observed_source = problem_.observed.source;
  page.command = command_;
  page.summary = summary_;
  for (std::size_t i = 0; i < problem_.parameters.size(); ++i)
    page.parameters.push_back({problem_.parameters[i].label, problem_.parameters[i].start,
                               fit_.estimate[i], fit_.standard_error(i), flag_of(fit_, i)});
  const auto forecast = [](double value, double observed) {
    return out::holdout_page::forecast{value, percent_error(value, observed)};
  };
  for (const auto& h : holdout_) {
    const auto& p = problem_.points[h.point];
    page.values.push_back({series_label(p), p.year, h.horizon, p.observed,
                           forecast(h.fitted, p.observed), forecast(h.persistence, p.observed),
                           forecast(h.trend, p.observed), p.note, judged(h)});
  }
  for (const auto& p : problem_.left_out)
    page.left_out.push_back({series_label(p), p.year, p.observed, p.note});
  page.published = projections_;
  return out::holdout_markdown(page);
}

std::string calibrate_results::uncertainty_yaml() const {
  const auto& s = *scenario_;
  const auto& f = fit_;
  std::vector<std::size_t> drawn;
  std::vector<std::string> left;
  for (std::size_t i = 0; i < problem_.parameters.size(); ++i)
    if (f.standard_error(i) > 0)  // NaN: no standard error; 0: a perfect fit pins it
      drawn.push_back(i);
    else
      left.push_back(
          fmt::format("{} ({})", problem_.parameters[i].label,
                      std::isnan(f.standard_error(i)) ? flag_of(f, i) : "standard error 0"));
  if (drawn.empty()) return {};
  const auto source =
      fmt::format("hwfsim calibrate: {} fitted to {} ({}-{})", s.name, problem_.observed.name,
                  s.calibration.fit_from, s.calibration.fit_to);
  std::string out = fmt::format(
      "# Written by {}.\n"
      "# The estimates with a standard error, drawn together from a multivariate normal (their\n"
      "# estimates, standard errors and correlations; a draw beyond the fit's bounds is set to\n"
      "# the bound). `hwfsim mc` this file; change samples or seed as needed.\n",
      source);
  if (!left.empty()) {
    out += "# Not drawn, without a standard error (parameters.csv):\n";
    for (const auto& l : left) out += fmt::format("#   {}\n", l);
  }
  out += fmt::format(
      "format: 1\nscenario: {}-calibrated-uncertain\nextends: calibrated.yaml\n"
      "description: \"{} (calibrated, with the estimates' uncertainty)\"\n"
      "uncertainty:\n  samples: 1000\n  sampling: lhs\n  seed: {}\n  multivariate_normal:\n"
      "    - source: \"{}\"\n      parameters:\n",
      s.name, s.name, s.calibration.seed, source);
  for (std::size_t i : drawn) {
    const auto& p = problem_.parameters[i];
    out += fmt::format("        {}: {{mean: {}, sd: {}, min: {}, max: {}}}\n", p.label,
                       out::csv_number(f.estimate[i]), out::csv_number(f.standard_error(i)),
                       out::csv_number(p.lower), out::csv_number(p.upper));
  }
  // One value per pair (the upper triangle's), so the matrix is symmetric as written.
  out += "      correlation:\n";
  for (std::size_t a = 0; a < drawn.size(); ++a) {
    std::vector<std::string> row;
    for (std::size_t b = 0; b < drawn.size(); ++b)
      row.push_back(a == b  ? std::string("1")
                    : a < b ? out::csv_number(f.correlation(drawn[a], drawn[b]))
                            : out::csv_number(f.correlation(drawn[b], drawn[a])));
    out += fmt::format("        - [{}]\n", fmt::join(row, ", "));
  }
  return out;
}

std::string calibrate_results::run_json() const {
  return out::calibration_json(summary_, out::to_json(record_));
}

std::string calibrate_results::calibrated_yaml() const {
  const auto& s = *scenario_;
  const auto& c = s.calibration;
  // `extends` is relative to the calibrated file's folder: the results folder.
  const auto target = std::filesystem::absolute(scenario_path_).lexically_normal();
  const auto here = std::filesystem::absolute(folder_).lexically_normal();
  auto parent = target.lexically_relative(here).generic_string();
  if (parent.empty()) parent = target.generic_string();
  const auto source = fmt::format("hwfsim calibrate: {} fitted to {} ({}-{})", s.name,
                                  problem_.observed.name, c.fit_from, c.fit_to);
  std::string out = fmt::format(
      "# Written by {}, with every fitted parameter set to its estimate.\n"
      "format: 1\nscenario: {}-calibrated\nextends: \"{}\"\ndescription: \"{} (calibrated)\"\n"
      "set:\n",
      source, s.name, parent, s.name);
  for (std::size_t i = 0; i < problem_.parameters.size(); ++i) {
    const double se = fit_.standard_error(i);
    const auto note = std::isfinite(se) ? fmt::format("standard error {:.4g}", se)
                                        : "flag in parameters.csv: " + flag_of(fit_, i);
    out +=
        fmt::format("  {}: {{value: {}, flag: calibrated, source: \"{}\", note: \"{}\"}}\n",
                    problem_.parameters[i].label, out::csv_number(fit_.estimate[i]), source, note);
  }
  return out;
}

void calibrate_results::write(results_folder& folder) const {
  folder.write("fit.csv", fit_csv());
  folder.write("parameters.csv", parameters_csv());
  folder.write("correlations.csv", correlations_csv());
  std::string page;
  if (scenario_->calibration.holdout) {
    page = holdout_md();
    folder.write("holdout.csv", holdout_csv());
    folder.write("holdout.md", page);
  }
  folder.write("calibrated.yaml", calibrated_yaml());
  if (!uncertainty_.empty()) folder.write("uncertainty.yaml", uncertainty_);
  if (projections_) folder.write("projections.csv", out::projections_csv(*projections_));
  folder.write("run.json", run_json());
  folder.commit(true);
  if (!report_page_.empty()) write_asked_report(report_page_, page);
}

std::vector<std::string> calibrate_results::notes() const {
  std::vector<std::string> out;
  if (projections_) out = stale_explanations(*projections_);
  if (emit_uncertainty_ && uncertainty_.empty())
    out.emplace_back(
        "no estimate has a standard error above 0 (each is not identified, on a bound, or "
        "fits exactly): uncertainty.yaml is not written");
  if (fit_.converged) return out;
  // The parameters that moved the residuals least, which a fit that stalls usually hides.
  std::vector<std::size_t> order(problem_.parameters.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    return fit_.influence[a] < fit_.influence[b];
  });
  std::vector<std::string> least;
  for (std::size_t k = 0; k < std::min<std::size_t>(3, order.size()); ++k)
    least.push_back(problem_.parameters[order[k]].label);
  out.push_back(
      fmt::format("the fit did not converge ({}): cost {:.6g}; the parameters that moved the "
                  "fit least: {}. Try more starts, other bounds, or priors",
                  fit_.starts[fit_.best].message, fit_.cost, engine::join_list(least)));
  return out;
}

std::string calibrate_results::text() const {
  const auto& s = *scenario_;
  const auto& c = s.calibration;
  const auto& f = fit_;
  auto text = fmt::format(
      "Calibrated {} to {} (fit {}-{}: {} values): {} starts, best {}, {} iterations, {} runs; "
      "cost {:.4g} ({})\n\n",
      s.name, problem_.observed.name, c.fit_from, c.fit_to, problem_.fit_points, f.starts.size(),
      f.best + 1, f.starts[f.best].iterations, f.evaluations, f.cost,
      f.converged ? "converged" : "NOT converged");
  text += fmt::format("{:<48}{:>12}{:>12}{:>12}  {}\n", "parameter", "start", "estimate",
                      "std. error", "flag");
  for (std::size_t i = 0; i < problem_.parameters.size(); ++i) {
    const double se = f.standard_error(i);
    text += fmt::format("{:<48}{:>12.4g}{:>12.4g}{:>12}  {}\n", problem_.parameters[i].label,
                        problem_.parameters[i].start, f.estimate[i],
                        std::isnan(se) ? "-" : fmt::format("{:.4g}", se), flag_of(f, i));
  }
  if (!summary_.holdout_errors.empty()) {
    const auto& all = summary_.holdout_errors.front();
    text += fmt::format(
        "\nHold-out {}-{}, {} values ({} with both naive forecasts), median absolute error over "
        "those: calibrated model {:.1f}%, persistence {:.1f}%, linear trend {:.1f}%\n",
        c.holdout->first, c.holdout->second, summary_.holdout_values, all.values, all.fitted,
        all.persistence, all.trend);
  }
  if (projections_) text += "\n" + agreement_text(*projections_) + " (in holdout.md)\n";
  // In the order they are written: the tables, run.json, then report.html from them.
  std::vector<std::string> files = record_.files;
  files.insert(std::find(files.begin(), files.end(), "report.html"), "run.json");
  text += fmt::format("Results in {}/: {}\n", folder_.generic_string(), fmt::join(files, ", "));
  return text;
}

calibrate_outcome calibrate_and_write(const calibrate_options& options) {
  calibrate_study study(options);
  results_folder folder(study.output_folder(), options.force);
  const auto results = study.execute();
  results.write(folder);
  for (const auto& n : results.notes()) options.report.say(n);
  return {results.text(), results.converged()};
}

}  // namespace hwf::app
