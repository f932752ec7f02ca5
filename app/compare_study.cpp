#include "app/compare_study.hpp"

#include <algorithm>
#include <charconv>
#include <chrono>
#include <initializer_list>
#include <stdexcept>

#include <fmt/format.h>
#include <tbb/parallel_for.h>

#include "app/console.hpp"
#include "app/record.hpp"
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

/// The series of `schema` whose key has, in each named key column, the given label.
std::optional<std::size_t> find_series(
    const engine::table_schema& schema,
    std::initializer_list<std::pair<std::string_view, std::string_view>> key) {
  std::vector<std::pair<std::size_t, std::string_view>> wanted;
  for (const auto& [column, label] : key) {
    const auto& cols = schema.key_columns;
    const auto at = std::find(cols.begin(), cols.end(), column);
    if (at == cols.end()) return std::nullopt;
    wanted.emplace_back(static_cast<std::size_t>(at - cols.begin()), label);
  }
  for (std::size_t k = 0; k < schema.size(); ++k)
    if (std::all_of(wanted.begin(), wanted.end(),
                    [&](const auto& w) { return schema.series[k][w.first] == w.second; }))
      return k;
  return std::nullopt;
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
  return {std::move(runs_), std::move(settings), std::move(shown), options_, output_folder()};
}

compare_results::compare_results(std::vector<compared_run> runs,
                                 model::comparison_settings settings,
                                 std::vector<std::size_t> shown, const compare_options& options,
                                 std::filesystem::path folder)
    : runs_(std::move(runs)),
      settings_(std::move(settings)),
      shown_(std::move(shown)),
      cadre_(options.cadre),
      years_given_(!options.years.empty()),
      folder_(std::move(folder)) {
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
  return files;
}

void compare_results::write(results_folder& folder) const {
  std::vector<std::string> records;
  for (const auto& r : runs_)
    records.push_back(out::to_json(make_record(*r.scenario, *r.model, *r.run, r.seconds)));
  for (const auto& [name, content] : tables()) folder.write(name, content);
  folder.write("run.json", out::comparison_json(records, settings_.discount_rate, settings_.years));
  folder.commit(true);
}

std::vector<std::string> compare_results::notes() const {
  std::vector<std::string> notes;
  for (const auto& r : runs_) {
    const auto n = run_notes(*r.model, *r.run);
    notes.insert(notes.end(), n.begin(), n.end());
  }
  return notes;
}

double compare_results::summary_value(std::size_t i, std::size_t row, std::string_view country,
                                      std::string_view indicator) const {
  const auto k = find_series(*summary_schema_, {{"country", country}, {"indicator", indicator}});
  if (!k)
    throw std::out_of_range(
        fmt::format("the summary has no indicator '{}' of country '{}'", indicator, country));
  return summaries_[i].row(row)[*k];
}

std::string compare_results::text() const {
  const auto& base = runs_[0];
  auto text = fmt::format("Compared {} scenario{} against {} (discount rate {}): results in {}/\n",
                          runs_.size() - 1, runs_.size() > 2 ? "s" : "", base.scenario->name,
                          settings_.discount_rate, folder_.generic_string());
  text += fmt::format(
      "  indicators.csv, corridors.csv, deltas.csv, corridor_deltas.csv, {}summary.csv, "
      "corridor_summary.csv, run.json, report.html\n",
      base.model->has_ages() ? "ages.csv, age_deltas.csv, " : "");
  // A table for each year given with --years; without it, for the last summary year.
  for (std::size_t row = years_given_ ? 0 : settings_.years.size() - 1;
       row < settings_.years.size(); ++row)
    text += cadre_.empty() ? all_cadres_table(row) : cadre_table(settings_.years[row]);
  return text;
}

std::string compare_results::all_cadres_table(std::size_t row) const {
  const auto& m = *runs_[0].model;
  auto text = fmt::format(
      "\nAll cadres in {}; policy cost cumulative from {} (USD); cost per additional "
      "worker-year discounted:\n\n",
      settings_.years[row], m.start_time());
  text +=
      fmt::format("{:<32}{:<8}{:>12}{:>8}{:>8}{:>12}{:>10}{:>16}{:>14}\n", "scenario", "country",
                  "supply", "dens", "sdg", "shortage", "net mig.", "policy cost", "USD/worker-yr");
  for (std::size_t c : shown_)
    for (std::size_t i = 0; i < runs_.size(); ++i) {
      const auto& iso3 = m.countries()[c].iso3;
      const auto v = [&](std::string_view name) { return summary_value(i, row, iso3, name); };
      text += fmt::format("{:<32}{:<8}{:>12.0f}{:>8.1f}{:>8.1f}{:>12.0f}{:>10.0f}{:>16}{:>14}\n",
                          runs_[i].scenario->name.substr(0, 31), iso3, v("supply"),
                          v("density_per_10k"), v("sdg_density"), v("shortage"), v("net_migration"),
                          money(v("policy_cost_cumulative")),
                          money(v("cost_per_additional_worker_year")));
    }
  return text;
}

// One cadre: its indicators of that year (flows over the year before it).
std::string compare_results::cadre_table(int year) const {
  const auto& m = *runs_[0].model;
  const auto& times = runs_[0].run->result.times;
  const auto t = static_cast<std::size_t>(
      std::find(times.begin(), times.end(), static_cast<double>(year)) - times.begin());
  auto text = fmt::format("\n{} in {} (density per 10,000 people; flows over the year before):\n\n",
                          cadre_, year);
  text += fmt::format("{:<32}{:<8}{:>12}{:>8}{:>12}{:>12}{:>12}{:>10}\n", "scenario", "country",
                      "supply", "dens", "shortage", "emigration", "immigration", "returns");
  for (std::size_t c : shown_)
    for (std::size_t i = 0; i < runs_.size(); ++i) {
      const auto& iso3 = m.countries()[c].iso3;
      const auto& table = runs_[i].run->result.tables[0];
      const auto value = [&](std::string_view indicator) -> std::optional<double> {
        const auto k = find_series(
            *table.schema, {{"country", iso3}, {"cadre", cadre_}, {"indicator", indicator}});
        if (!k) return std::nullopt;  // the country has no such cadre
        return table.row(t)[*k];
      };
      const auto& name = runs_[i].scenario->name;
      const auto supply = value("supply");
      if (!supply) {
        text += fmt::format("{:<32}{:<8}{:>12}\n", name.substr(0, 31), iso3, "(no " + cadre_ + ")");
        continue;
      }
      text += fmt::format("{:<32}{:<8}{:>12.0f}{:>8.1f}{:>12.0f}{:>12.0f}{:>12.0f}{:>10.0f}\n",
                          name.substr(0, 31), iso3, *supply, value("density_per_10k").value_or(0),
                          value("shortage").value_or(0), value("emigration").value_or(0),
                          value("immigration").value_or(0), value("returns").value_or(0));
    }
  return text;
}

}  // namespace hwf::app
