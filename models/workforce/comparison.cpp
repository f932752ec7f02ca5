#include "models/workforce/comparison.hpp"

#include "models/workforce/indicators.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <string_view>

#include <fmt/format.h>

#include "engine/diagnostics.hpp"

namespace hwf::model {

namespace {

/// Positions of the summary columns, by name (a name missing from the registry fails the build).
consteval std::size_t at(std::string_view name) {
  return indicator_position(summary_indicator_table, name);
}
consteval std::size_t at_corridor(std::string_view name) {
  return indicator_position(corridor_summary_indicator_table, name);
}

/// Value of indicator `name` of the country's cadre-`all` row at output row `row`; not defined
/// where the row has no such series (a labour-market indicator without posts).
double all_value(const compiled_model& m, const run_output& r, std::size_t country, std::size_t row,
                 std::string_view name) {
  const std::size_t k = m.all_series(country, indicator_position(country_indicators(), name));
  return k == compiled_model::no_series ? engine::not_defined : r.result.tables[0].row(row)[k];
}

double corridor_value(const run_output& r, const corridor_block& k, std::size_t row,
                      std::string_view name) {
  return r.result.tables[1].row(row)[k.series + indicator_position(corridor_indicators(), name)];
}

std::size_t row_of(const run_output& r, int year) {
  for (std::size_t i = 0; i < r.result.times.size(); ++i)
    if (r.result.times[i] == year) return i;
  throw engine::internal_error("summary year outside the run");
}

/// Money spent on policies by a country in one year (its own policy costs, net of compensation
/// it receives). Hiring costs exist only where posts are modelled.
double policy_cost(const compiled_model& m, const run_output& r, std::size_t c, std::size_t row) {
  const double hiring = all_value(m, r, c, row, "hiring_cost");
  return all_value(m, r, c, row, "retention_cost") + all_value(m, r, c, row, "capital_cost") +
         all_value(m, r, c, row, "compensation_paid") -
         all_value(m, r, c, row, "compensation_received") + (std::isnan(hiring) ? 0.0 : hiring);
}

}  // namespace

std::shared_ptr<const engine::table_schema> country_summary_schema(const compiled_model& m) {
  engine::table_schema s{"summary", {"country", "indicator"}, {}};
  for (const auto& c : m.countries())
    for (const auto& e : summary_indicators()) s.series.push_back({c.iso3, std::string(e.name)});
  return std::make_shared<const engine::table_schema>(std::move(s));
}

std::shared_ptr<const engine::table_schema> corridor_summary_schema(const compiled_model& m) {
  engine::table_schema s{"corridor_summary", {"origin", "destination", "cadre", "indicator"}, {}};
  const auto& corridors = *m.schemas()[1];
  // One series per (origin, destination, cadre) of the corridors table, by key column name.
  const auto column = [&](std::string_view name) {
    return static_cast<std::size_t>(
        std::find(corridors.key_columns.begin(), corridors.key_columns.end(), name) -
        corridors.key_columns.begin());
  };
  const std::size_t o = column("origin"), d = column("destination"), k = column("cadre");
  for (const auto& key : corridors.series) {
    if (!s.series.empty() && s.series.back()[0] == key[o] && s.series.back()[1] == key[d] &&
        s.series.back()[2] == key[k])
      continue;  // the next indicator of the same corridor cadre
    for (const auto& e : corridor_summary_indicators())
      s.series.push_back({key[o], key[d], key[k], std::string(e.name)});
  }
  return std::make_shared<const engine::table_schema>(std::move(s));
}

bool same_layout(const compiled_model& a, const compiled_model& b) {
  if (a.start_time() != b.start_time() || a.end_time() != b.end_time() ||
      a.schemas().size() != b.schemas().size())
    return false;
  for (std::size_t t = 0; t < a.schemas().size(); ++t)  // every table, the ages too
    if (a.schemas()[t]->series != b.schemas()[t]->series) return false;
  return true;
}

void check_comparable(const std::vector<const scenario_description*>& scenarios,
                      const std::vector<const compiled_model*>& models) {
  const auto refuse = [](const scenario_description& s, std::string key, std::string message,
                         std::string note) {
    engine::diagnostic d;
    d.where.file = s.file.display_name;
    d.key_path = std::move(key);
    d.message = std::move(message);
    d.notes.push_back(std::move(note));
    return engine::input_error({std::move(d)});
  };
  const auto& base = *scenarios[0];
  for (std::size_t i = 0; i < scenarios.size(); ++i) {
    const auto& s = *scenarios[i];
    for (std::size_t j = 0; j < i; ++j)
      if (scenarios[j]->name == s.name)
        throw refuse(s, "scenario", fmt::format("two compared scenarios are named '{}'", s.name),
                     "names tell scenarios apart in the output; give each its own");
    if (!same_layout(*models[0], *models[i]))
      throw refuse(
          s, "", fmt::format("scenario '{}' cannot be compared with '{}'", s.name, base.name),
          "compared scenarios need the same countries, cadres, corridors, age bands and horizon");
  }
}

engine::table_values summarise_countries(const compiled_model& m,
                                         std::shared_ptr<const engine::table_schema> shared,
                                         const run_output& baseline, const run_output& run,
                                         const comparison_settings& settings) {
  const auto& schema = *shared;
  engine::table_values out{std::move(shared),
                           std::vector<double>(settings.years.size() * schema.size())};
  const std::size_t per = summary_indicators().size();
  const double t0 = m.start_time();
  for (std::size_t c = 0; c < m.countries().size(); ++c) {
    for (std::size_t y = 0; y < settings.years.size(); ++y) {
      const std::size_t last = row_of(run, settings.years[y]);
      double cost = 0, incremental = 0, extra_years = 0, wages = 0;
      for (std::size_t row = 1; row <= last; ++row) {
        // A year's flow [t - 1, t] is discounted at its middle.
        const double discount =
            std::pow(1 + settings.discount_rate, -(run.result.times[row] - t0 - 0.5));
        const double own = policy_cost(m, run, c, row);
        const double base = policy_cost(m, baseline, c, row);
        cost += own;
        wages += all_value(m, run, c, row, "wage_bill");
        incremental += discount * (own - base + all_value(m, run, c, row, "training_cost") -
                                   all_value(m, baseline, c, row, "training_cost"));
        extra_years += discount * (all_value(m, run, c, row, "supply_years") -
                                   all_value(m, baseline, c, row, "supply_years"));
      }
      double* v = &out.values[y * schema.size() + c * per];
      // The cadre-`all` values of the indicators table under the same names.
      for (const std::string_view name :
           {"supply", "density_per_10k", "sdg_density", "shortage", "net_migration", "unemployed"})
        v[indicator_position(summary_indicators(), name)] = all_value(m, run, c, last, name);
      v[at("policy_cost_cumulative")] = cost;
      v[at("wage_bill_cumulative")] = wages;
      v[at("incremental_cost_discounted")] = incremental;
      v[at("additional_supply_years_discounted")] = extra_years;
      // Defined only when the scenario adds workers at a cost (a ratio of two small differences
      // of opposite signs means nothing).
      v[at("cost_per_additional_worker_year")] =
          extra_years > 0 && incremental > 0 ? incremental / extra_years : engine::not_defined;
      v[at("meets_sdg_threshold")] = v[at("sdg_density")] >= sdg_threshold ? 1.0 : 0.0;
    }
  }
  return out;
}

engine::table_values summarise_corridors(const compiled_model& m,
                                         std::shared_ptr<const engine::table_schema> shared,
                                         const run_output& run,
                                         const comparison_settings& settings) {
  const auto& schema = *shared;
  engine::table_values out{std::move(shared),
                           std::vector<double>(settings.years.size() * schema.size())};
  const std::size_t per = corridor_summary_indicators().size();
  for (std::size_t e = 0; e < m.corridors().size(); ++e) {
    const auto& k = m.corridors()[e];
    for (std::size_t y = 0; y < settings.years.size(); ++y) {
      const std::size_t last = row_of(run, settings.years[y]);
      double* v = &out.values[y * schema.size() + e * per];
      // Each a flow of the corridors table, summed from the start year.
      for (std::size_t row = 1; row <= last; ++row) {
        v[at_corridor("cumulative_emigration")] += corridor_value(run, k, row, "emigration");
        v[at_corridor("cumulative_returns")] += corridor_value(run, k, row, "returns");
        v[at_corridor("cumulative_investment_lost")] +=
            corridor_value(run, k, row, "investment_lost");
        v[at_corridor("cumulative_compensation")] += corridor_value(run, k, row, "compensation");
      }
    }
  }
  return out;
}

}  // namespace hwf::model
