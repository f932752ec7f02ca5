#include "app/compare_study.hpp"

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cmath>
#include <initializer_list>
#include <stdexcept>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <tbb/parallel_for.h>

#include "app/console.hpp"
#include "app/record.hpp"
#include "models/workforce/indicators.hpp"
#include "outputs/csv_writer.hpp"
#include "outputs/run_record.hpp"

namespace hwf::app {

namespace {

using clock_type = std::chrono::steady_clock;

double seconds_since(clock_type::time_point started) {
  return std::chrono::duration<double>(clock_type::now() - started).count();
}

std::string upper_case(std::string s) {
  for (auto& ch : s) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  return s;
}

/// For a name that is not an ISO3 code of the model: the code it most likely means. Common
/// aliases and two-letter codes (UK, GB -> GBR), the dataset's country names (Ghana -> GHA), or
/// a close code.
std::optional<std::string> country_hint(const std::string& upper,
                                        const model::scenario_description& s) {
  static const std::vector<std::pair<std::string_view, std::string_view>> aliases{
      {"UK", "GBR"},      {"GB", "GBR"},  {"ENGLAND", "GBR"}, {"BRITAIN", "GBR"}, {"US", "USA"},
      {"AMERICA", "USA"}, {"UAE", "ARE"}, {"AE", "ARE"},      {"KSA", "SAU"},     {"SA", "SAU"},
      {"NG", "NGA"},      {"GH", "GHA"},  {"KE", "KEN"},      {"ZW", "ZWE"},      {"ZA", "ZAF"},
      {"PH", "PHL"},      {"IN", "IND"},  {"PK", "PAK"},      {"JM", "JAM"},      {"NP", "NPL"},
      {"CA", "CAN"},      {"AU", "AUS"},  {"DE", "DEU"},      {"IE", "IRL"},      {"NZ", "NZL"},
      {"MW", "MWI"},      {"UG", "UGA"},  {"ZM", "ZMB"}};
  const auto in_model = [&](std::string_view iso3) {
    return std::any_of(s.model.countries.begin(), s.model.countries.end(),
                       [&](const auto& c) { return c.iso3 == iso3; });
  };
  for (const auto& [alias, iso3] : aliases)
    if (alias == upper && in_model(iso3)) return std::string(iso3);
  for (const auto& c : s.model.countries)
    if (!c.rest_of_world && upper_case(c.name) == upper) return c.iso3;
  std::vector<std::string> codes;
  for (const auto& c : s.model.countries)
    if (!c.rest_of_world) codes.push_back(c.iso3);  // it has no rows to show
  return engine::closest_match(upper, codes);
}

/// The countries of the printed comparison table: all, or those named in "NGA,GBR" (ISO3 codes
/// in any case, spaces after the commas allowed).
std::vector<std::size_t> table_countries(const std::string& text,
                                         const model::scenario_description& s,
                                         const model::compiled_model& m) {
  const auto& countries = m.country_set();
  std::vector<std::size_t> out;
  if (text.empty()) {
    for (std::size_t c = 0; c < countries.size(); ++c) out.push_back(c);
    return out;
  }
  for (const auto& item : list_items("--countries", text)) {
    const auto code = upper_case(item);
    const auto c = countries.find(code);
    if (!c) {
      const auto hint = country_hint(code, s);
      throw usage_error("--countries", "", fmt::format("'{}' is not a country of the model", item),
                        "countries (ISO3 codes): " + engine::join_list(countries.labels()),
                        hint.value_or(""));
    }
    if (std::find(out.begin(), out.end(), *c) == out.end()) out.push_back(*c);
  }
  return out;
}

/// Parses "2030,2035" into years; an empty text gives start + 5, start + 10 and the end year
/// (those within the horizon).
std::vector<int> summary_years(const std::string& text, const model::compiled_model& m) {
  const int t0 = static_cast<int>(m.start_time()), t1 = static_cast<int>(m.end_time());
  std::vector<int> years;
  if (text.empty()) {
    for (int y : {t0 + 5, t0 + 10, t1})
      if (y <= t1 && (years.empty() || y > years.back())) years.push_back(y);
    return years;
  }
  for (const auto& item : list_items("--years", text)) {
    int y = 0;
    const auto [p, ec] = std::from_chars(item.data(), item.data() + item.size(), y);
    if (ec != std::errc() || p != item.data() + item.size() || y <= t0 || y > t1)
      throw usage_error("--years", "",
                        fmt::format("'{}' is not a year after {} and up to {}", item, t0, t1),
                        "expected years like 2030,2035 within the horizon (the start year "
                        "has no flows)");
    years.push_back(y);
  }
  std::sort(years.begin(), years.end());
  years.erase(std::unique(years.begin(), years.end()), years.end());
  return years;
}

/// Bad inputs of all scenarios together first; otherwise the first failure in input order.
void rethrow_failures(const std::vector<std::exception_ptr>& errors) {
  std::vector<engine::diagnostic> all;
  std::exception_ptr first_failure;
  for (const auto& error : errors) {
    if (!error) continue;
    try {
      std::rethrow_exception(error);
    } catch (const engine::input_error& e) {
      all.insert(all.end(), e.diagnostics().begin(), e.diagnostics().end());
    } catch (...) {
      if (!first_failure) first_failure = error;
    }
  }
  if (!all.empty()) throw engine::input_error(std::move(all));
  if (first_failure) std::rethrow_exception(first_failure);
}

}  // namespace

compare_study::compare_study(compare_options options) : options_(std::move(options)) {
  const auto& paths = options_.scenarios;
  if (paths.size() < 2)
    throw usage_error("compare", "", "compare needs a baseline and at least one other scenario",
                      "");
  // The lists' spelling first: an unquoted "--countries gha, nga" also makes "nga" a scenario.
  if (!options_.years.empty()) list_items("--years", options_.years);
  if (!options_.countries.empty()) list_items("--countries", options_.countries);
  if (!options_.published_report.empty() && options_.published.empty())
    throw usage_error("--published-report", "",
                      "--published-report writes the page of published projections, which needs "
                      "--published",
                      "e.g. --published models/world/published.yaml --published-report "
                      "pages/projections.md");
  if (options_.threads > 0)
    limit_ = std::make_unique<tbb::global_control>(tbb::global_control::max_allowed_parallelism,
                                                   static_cast<std::size_t>(options_.threads));
  // Each scenario loads and compiles independently: in parallel, results in input order.
  runs_.resize(paths.size());
  errors_.resize(paths.size());
  tbb::parallel_for(std::size_t{0}, paths.size(), [&](std::size_t i) {
    auto& r = runs_[i];
    try {
      const auto started = clock_type::now();
      r.scenario = std::make_shared<const model::scenario_description>(
          model::load_scenario(paths[i], options_.set));
      r.model = std::make_shared<const model::compiled_model>(*r.scenario);
      r.seconds = seconds_since(started);
    } catch (...) {
      errors_[i] = std::current_exception();
    }
  });
  // Bad input now; a failure of another kind after the folder is checked (execute()).
  std::vector<engine::diagnostic> all;
  for (const auto& error : errors_) {
    try {
      if (error) std::rethrow_exception(error);
    } catch (const engine::input_error& e) {
      all.insert(all.end(), e.diagnostics().begin(), e.diagnostics().end());
    } catch (...) {
    }
  }
  if (!all.empty()) throw engine::input_error(std::move(all));
  for (const auto& r : runs_)
    if (r.scenario) report_warnings(*r.scenario, options_.report);
  if (!options_.published.empty())
    published_ = model::load_published(options_.published, *runs_[0].model);
}

compare_study::~compare_study() = default;

std::filesystem::path compare_study::output_folder() const {
  return options_.output.empty() ? "results/compare" : options_.output;
}

compare_results compare_study::execute() {
  tbb::parallel_for(std::size_t{0}, runs_.size(), [&](std::size_t i) {
    auto& r = runs_[i];
    if (errors_[i]) return;
    try {
      const auto started = clock_type::now();
      r.run.emplace(model::simulate(*r.model, r.model->default_parameters()));
      r.seconds += seconds_since(started);
    } catch (...) {
      errors_[i] = std::current_exception();
    }
  });
  rethrow_failures(errors_);
  std::vector<const model::scenario_description*> scenarios;
  std::vector<const model::compiled_model*> models;
  for (const auto& r : runs_) {
    scenarios.push_back(r.scenario.get());
    models.push_back(r.model.get());
  }
  model::check_comparable(scenarios, models);
  const auto& base = runs_[0];
  model::comparison_settings settings;
  settings.discount_rate = options_.discount_rate.value_or(base.scenario->discount_rate);
  settings.years = summary_years(options_.years, *base.model);
  auto shown = table_countries(options_.countries, *base.scenario, *base.model);
  const auto& cadre_ids = base.model->cadre_ids();
  const auto& cadre = options_.cadre;
  if (!cadre.empty() && std::find(cadre_ids.begin(), cadre_ids.end(), cadre) == cadre_ids.end())
    throw usage_error("--cadre", "", fmt::format("'{}' is not a cadre of the model", cadre),
                      "cadres: " + engine::join_list(cadre_ids),
                      engine::closest_match(cadre, cadre_ids).value_or(""));
  auto projections = published_ ? std::optional(projections_page()) : std::nullopt;
  return {std::move(runs_), std::move(settings), std::move(shown),
          options_,         output_folder(),     std::move(projections)};
}

out::projections_page projections_page_of(const model::published_data& published,
                                          const std::vector<compared_run>& runs) {
  const auto& m = *runs.front().model;
  std::vector<std::pair<std::string, const model::run_output*>> named;
  out::projections_page page;
  for (const auto& r : runs) {
    named.emplace_back(r.scenario->name, &*r.run);
    page.scenarios.push_back(r.scenario->name);
  }
  page.published_name = published.name;
  page.published_file = published.file.display_name;
  page.description = published.description;
  const auto countries = m.country_set().size();
  for (const auto& c : model::compare_published(published, m, named)) {
    const auto& pr = *c.projection;
    out::projections_page::line l;
    l.name = pr.name;
    l.title = pr.title;
    l.source = pr.source;
    l.flag = pr.flag;
    l.counts = pr.counts;
    l.explanation = pr.explanation;
    l.scenario = pr.scenario.empty() ? page.scenarios.front() : pr.scenario;
    l.indicator = pr.indicator;
    l.scope = (pr.countries.empty() ? fmt::format("all {} countries", countries)
                                    : fmt::format("{}", fmt::join(pr.countries, ", "))) +
              ", " +
              (pr.cadres.empty() ? "all cadres" : fmt::format("{}", fmt::join(pr.cadres, ", ")));
    l.series = c.series;
    l.from_year = pr.from_year;
    l.to_year = pr.to_year;
    l.relative = pr.relative;
    l.published_from = pr.from;
    l.published_low = c.published_low;
    l.published_high = c.published_high;
    l.model_from = c.model_from;
    l.model_to = c.model_to;
    l.model_change = c.model_change;
    l.tolerance = pr.tolerance;
    l.verdict = model::to_string(c.verdict);
    l.expected = model::to_string(pr.expect);
    page.lines.push_back(std::move(l));
  }
  return page;
}

std::string agreement_text(const out::projections_page& page) {
  std::size_t agree = 0;
  for (const auto& l : page.lines) agree += l.verdict == "agree";
  return fmt::format("published projections: the model agrees with {} of {}", agree,
                     page.lines.size());
}

std::vector<std::string> stale_explanations(const out::projections_page& page) {
  std::vector<std::string> notes;
  for (const auto& l : page.lines)
    if (l.verdict != l.expected)
      notes.push_back(fmt::format(
          "published projection '{}': its explanation was written for a model that is {}, "
          "the model is now {}; revise the explanation",
          l.name, l.expected, l.verdict));
  return notes;
}

out::projections_page compare_study::projections_page() const {
  auto page = projections_page_of(*published_, runs_);
  page.command = "hwfsim compare";
  for (const auto& path : options_.scenarios)
    page.command += " " + std::filesystem::path(path).lexically_normal().generic_string();
  page.command += " --published " + published_->file.display_name;
  if (!options_.published_report.empty())
    page.command += " --published-report " + options_.published_report;
  return page;
}

compare_results::compare_results(std::vector<compared_run> runs,
                                 model::comparison_settings settings,
                                 std::vector<std::size_t> shown, const compare_options& options,
                                 std::filesystem::path folder,
                                 std::optional<out::projections_page> projections)
    : runs_(std::move(runs)),
      settings_(std::move(settings)),
      shown_(std::move(shown)),
      cadre_(options.cadre),
      years_given_(!options.years.empty()),
      xlsx_(options.xlsx),
      folder_(std::move(folder)),
      projections_(std::move(projections)),
      published_report_(options.published_report) {
  const auto& base = runs_[0];
  summary_schema_ = model::country_summary_schema(*base.model);
  corridor_schema_ = model::corridor_summary_schema(*base.model);
  for (const auto& r : runs_)
    summaries_.push_back(
        model::summarise_countries(*r.model, summary_schema_, *base.run, *r.run, settings_));
}

std::vector<std::pair<std::string, std::string>> compare_results::tables() const {
  const auto& base = runs_[0];
  const auto& times = base.run->result.times;
  const auto& base_tables = base.run->result.tables;
  const std::vector<double> summary_times(settings_.years.begin(), settings_.years.end());
  std::string indicators, corridors, deltas, corridor_deltas, summary, corridor_summary, ages,
      age_deltas;
  const bool aged = base.model->has_ages();
  const auto base_corridor_summary =
      model::summarise_corridors(*base.model, corridor_schema_, *base.run, settings_);
  for (std::size_t i = 0; i < runs_.size(); ++i) {
    const auto& r = runs_[i];
    const bool first = i == 0;
    const auto& name = r.scenario->name;
    const auto& tables = r.run->result.tables;
    indicators += out::long_csv(name, times, tables[0], {}, first);
    corridors += out::long_csv(name, times, tables[1], {}, first);
    deltas += out::delta_csv(name, times, base_tables[0], tables[0], first);
    corridor_deltas += out::delta_csv(name, times, base_tables[1], tables[1], first);
    if (aged) {
      ages += out::long_csv(name, times, tables[2], {}, first);
      age_deltas += out::delta_csv(name, times, base_tables[2], tables[2], first);
    }
    summary += out::long_csv(name, summary_times, summaries_[i], {}, first);
    corridor_summary += out::delta_csv(
        name, summary_times, base_corridor_summary,
        model::summarise_corridors(*r.model, corridor_schema_, *r.run, settings_), first);
  }
  std::vector<std::pair<std::string, std::string>> files{{"indicators.csv", indicators},
                                                         {"corridors.csv", corridors},
                                                         {"deltas.csv", deltas},
                                                         {"corridor_deltas.csv", corridor_deltas}};
  if (aged) {
    files.emplace_back("ages.csv", ages);
    files.emplace_back("age_deltas.csv", age_deltas);
  }
  files.emplace_back("summary.csv", summary);
  files.emplace_back("corridor_summary.csv", corridor_summary);
  if (projections_) files.emplace_back("projections.csv", out::projections_csv(*projections_));
  return files;
}

void compare_results::write(results_folder& folder) const {
  std::vector<std::string> records;
  for (const auto& r : runs_)
    records.push_back(out::to_json(make_record(*r.scenario, *r.model, *r.run, r.seconds)));
  const auto files = tables();
  // The workbook first: if it cannot be made, nothing is written.
  const auto workbook = xlsx_ ? results_workbook(figures(), runs_[0].run->result.times,
                                                 compare_charts(runs_, shown_), files)
                              : std::string();
  for (const auto& [name, content] : files) folder.write(name, content);
  if (xlsx_) folder.write("results.xlsx", workbook);
  std::string page;
  if (projections_) {
    page = out::projections_markdown(*projections_);
    folder.write("projections.md", page);
  }
  folder.write("run.json", out::comparison_json(records, settings_.discount_rate, settings_.years));
  folder.commit(true);
  if (!published_report_.empty()) write_asked_report(published_report_, page);
}

std::vector<std::string> compare_results::notes() const {
  std::vector<std::string> notes;
  for (const auto& r : runs_) {
    const auto n = run_notes(*r.model, *r.run);
    notes.insert(notes.end(), n.begin(), n.end());
  }
  if (projections_) {
    const auto stale = stale_explanations(*projections_);
    notes.insert(notes.end(), stale.begin(), stale.end());
  }
  return notes;
}

double compare_results::summary_value(std::size_t i, std::size_t row, std::string_view country,
                                      std::string_view indicator) const {
  const auto k = summary_schema_->find({{"country", country}, {"indicator", indicator}});
  if (!k)
    throw std::out_of_range(
        fmt::format("the summary has no indicator '{}' of country '{}'", indicator, country));
  return summaries_[i].row(row)[*k];
}

std::vector<std::size_t> compare_results::printed_rows() const {
  // Each year given with --years; without it, the last summary year.
  std::vector<std::size_t> rows;
  for (std::size_t row = years_given_ ? 0 : settings_.years.size() - 1;
       row < settings_.years.size(); ++row)
    rows.push_back(row);
  return rows;
}

key_figures compare_results::figures() const {
  const auto& m = *runs_[0].model;
  const auto& times = runs_[0].run->result.times;
  key_figures k;
  k.label_columns = {"scenario", "country"};
  k.add_column("year", out::xlsx_number::year);
  const auto rows = printed_rows();
  std::vector<int> printed_years;
  for (const std::size_t row : rows) printed_years.push_back(settings_.years[row]);
  const auto years = fmt::format("{}", fmt::join(printed_years, ", "));
  if (cadre_.empty()) {
    k.title = fmt::format(
        "All cadres in {}; policy cost cumulative from {} (USD); cost per additional worker-year "
        "discounted at {} a year",
        years, m.start_time(), settings_.discount_rate);
    const auto table = model::summary_indicators();
    const std::string_view shown[] = {"supply",
                                      "density_per_10k",
                                      "sdg_density",
                                      "shortage",
                                      "net_migration",
                                      "policy_cost_cumulative",
                                      "cost_per_additional_worker_year"};
    for (const auto name : shown) k.add_column(table[model::indicator_position(table, name)]);
    for (const std::size_t row : rows)
      for (const std::size_t c : shown_)
        for (std::size_t i = 0; i < runs_.size(); ++i) {
          const auto& iso3 = m.countries()[c].iso3;
          k.labels.push_back({runs_[i].scenario->name, iso3});
          std::vector<double> v{static_cast<double>(settings_.years[row])};
          for (const auto name : shown) v.push_back(summary_value(i, row, iso3, name));
          k.values.push_back(std::move(v));
        }
    return k;
  }
  k.title = fmt::format("{} in {} (density per 10,000 people; flows over the year before)", cadre_,
                        years);
  const auto table = model::country_indicators();
  const std::string_view shown[] = {"supply",     "density_per_10k", "shortage",
                                    "emigration", "immigration",     "returns"};
  for (const auto name : shown) k.add_column(table[model::indicator_position(table, name)]);
  for (const std::size_t row : rows) {
    const int year = settings_.years[row];
    const auto t = static_cast<std::size_t>(
        std::find(times.begin(), times.end(), static_cast<double>(year)) - times.begin());
    for (const std::size_t c : shown_)
      for (std::size_t i = 0; i < runs_.size(); ++i) {
        const auto& iso3 = m.countries()[c].iso3;
        const auto& values = runs_[i].run->result.tables[0];
        k.labels.push_back({runs_[i].scenario->name, iso3});
        std::vector<double> v{static_cast<double>(year)};
        for (const auto name : shown) {
          const auto at =
              values.schema->find({{"country", iso3}, {"cadre", cadre_}, {"indicator", name}});
          v.push_back(at ? values.row(t)[*at] : engine::not_defined);  // no such cadre there
        }
        k.values.push_back(std::move(v));
      }
  }
  return k;
}

std::string compare_results::text() const {
  const auto& base = runs_[0];
  auto text = fmt::format("Compared {} scenario{} against {} (discount rate {}): results in {}/\n",
                          runs_.size() - 1, runs_.size() > 2 ? "s" : "", base.scenario->name,
                          settings_.discount_rate, folder_.generic_string());
  text += fmt::format(
      "  indicators.csv, corridors.csv, deltas.csv, corridor_deltas.csv, {}summary.csv, "
      "corridor_summary.csv, {}{}run.json, report.html\n",
      base.model->has_ages() ? "ages.csv, age_deltas.csv, " : "", xlsx_ ? "results.xlsx, " : "",
      projections_ ? "projections.md, projections.csv, " : "");
  if (projections_)
    text += "  " + agreement_text(*projections_) +
            (published_report_.empty() ? "" : "; page " + published_report_) + "\n";
  const auto k = figures();
  const std::size_t per_year = shown_.size() * runs_.size();
  const auto start = base.model->start_time();
  for (std::size_t first = 0; first < k.values.size(); first += per_year) {
    const auto year = static_cast<int>(k.values[first][0]);
    if (cadre_.empty()) {
      text += fmt::format(
          "\nAll cadres in {}; policy cost cumulative from {} (USD); cost per additional "
          "worker-year discounted:\n\n",
          year, start);
      text += fmt::format("{:<32}{:<8}{:>12}{:>8}{:>8}{:>12}{:>10}{:>16}{:>14}\n", "scenario",
                          "country", "supply", "dens", "sdg", "shortage", "net mig.", "policy cost",
                          "USD/worker-yr");
    } else {
      text += fmt::format("\n{} in {} (density per 10,000 people; flows over the year before):\n\n",
                          cadre_, year);
      text += fmt::format("{:<32}{:<8}{:>12}{:>8}{:>12}{:>12}{:>12}{:>10}\n", "scenario", "country",
                          "supply", "dens", "shortage", "emigration", "immigration", "returns");
    }
    for (std::size_t r = first; r < first + per_year; ++r) {
      const auto& l = k.labels[r];
      const auto& v = k.values[r];
      const auto scenario = l[0].substr(0, 31);
      if (cadre_.empty())
        text += fmt::format("{:<32}{:<8}{:>12.0f}{:>8.1f}{:>8.1f}{:>12.0f}{:>10.0f}{:>16}{:>14}\n",
                            scenario, l[1], v[1], v[2], v[3], v[4], v[5], money(v[6]), money(v[7]));
      else if (std::isnan(v[1]))
        text += fmt::format("{:<32}{:<8}{:>12}\n", scenario, l[1], "(no " + cadre_ + ")");
      else
        text += fmt::format("{:<32}{:<8}{:>12.0f}{:>8.1f}{:>12.0f}{:>12.0f}{:>12.0f}{:>10.0f}\n",
                            scenario, l[1], v[1], v[2], v[3], v[4], v[5], v[6]);
    }
  }
  return text;
}

}  // namespace hwf::app
