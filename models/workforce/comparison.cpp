#include "models/workforce/comparison.hpp"

#include <array>
#include <cmath>
#include <string_view>

#include <fmt/format.h>

#include "engine/diagnostics.hpp"

namespace hwf::model {

namespace {

constexpr std::array<std::string_view, 10> country_summary_list{
    "supply",
    "density_per_10k",
    "sdg_density",
    "shortage",
    "net_migration",
    "policy_cost_cumulative",
    "incremental_cost_discounted",
    "additional_supply_years_discounted",
    "cost_per_additional_worker_year",
    "meets_sdg_threshold"};

constexpr std::array<std::string_view, 4> corridor_summary_list{
    "cumulative_emigration", "cumulative_returns", "cumulative_investment_lost",
    "cumulative_compensation"};

std::size_t index_of(std::span<const std::string_view> names, std::string_view name) {
  for (std::size_t i = 0; i < names.size(); ++i)
    if (names[i] == name) return i;
  throw engine::internal_error("no indicator named " + std::string(name));
}

/// Value of indicator `name` of the country's cadre-`all` row at output row `row`.
double all_value(const compiled_model& m, const run_output& r, std::size_t country, std::size_t row,
                 std::string_view name) {
  return r.result.tables[0].row(
      row)[m.countries()[country].series_all + index_of(indicator_names(), name)];
}

double corridor_value(const run_output& r, const corridor_block& k, std::size_t row,
                      std::string_view name) {
  return r.result.tables[1].row(row)[k.series + index_of(corridor_indicator_names(), name)];
}

std::size_t row_of(const run_output& r, int year) {
  for (std::size_t i = 0; i < r.result.times.size(); ++i)
    if (r.result.times[i] == year) return i;
  throw engine::internal_error("summary year outside the run");
}

/// Money spent on policies by a country in one year (its own policy costs, net of compensation
/// it receives).
double policy_cost(const compiled_model& m, const run_output& r, std::size_t c, std::size_t row) {
  return all_value(m, r, c, row, "retention_cost") + all_value(m, r, c, row, "capital_cost") +
         all_value(m, r, c, row, "compensation_paid") -
         all_value(m, r, c, row, "compensation_received");
}

}  // namespace

engine::table_schema country_summary_schema(const compiled_model& m) {
  engine::table_schema s{"summary", {"country", "indicator"}, {}};
  for (const auto& c : m.countries())
    for (auto name : country_summary_list) s.series.push_back({c.iso3, std::string(name)});
  return s;
}

engine::table_schema corridor_summary_schema(const compiled_model& m) {
  engine::table_schema s{"corridor_summary", {"origin", "destination", "cadre", "indicator"}, {}};
  const auto& corridors = m.schemas()[1];
  const std::size_t per = corridor_indicator_names().size();
  for (std::size_t i = 0; i < corridors.size(); i += per)
    for (auto name : corridor_summary_list)
      s.series.push_back({corridors.series[i][0], corridors.series[i][1], corridors.series[i][2],
                          std::string(name)});
  return s;
}

bool same_layout(const compiled_model& a, const compiled_model& b) {
  return a.start_time() == b.start_time() && a.end_time() == b.end_time() &&
         a.schemas()[0].series == b.schemas()[0].series &&
         a.schemas()[1].series == b.schemas()[1].series;
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
      throw refuse(s, "",
                   fmt::format("scenario '{}' cannot be compared with '{}'", s.name, base.name),
                   "compared scenarios need the same countries, cadres, corridors and horizon");
  }
}

engine::table_values summarise_countries(const compiled_model& m,
                                         const engine::table_schema& schema,
                                         const run_output& baseline, const run_output& run,
                                         const comparison_settings& settings) {
  engine::table_values out{&schema, std::vector<double>(settings.years.size() * schema.size())};
  const std::size_t per = country_summary_list.size();
  const double t0 = m.start_time();
  for (std::size_t c = 0; c < m.countries().size(); ++c) {
    for (std::size_t y = 0; y < settings.years.size(); ++y) {
      const std::size_t last = row_of(run, settings.years[y]);
      double cost = 0, incremental = 0, extra_years = 0;
      for (std::size_t row = 1; row <= last; ++row) {
        // A year's flow [t - 1, t] is discounted at its middle.
        const double discount =
            std::pow(1 + settings.discount_rate, -(run.result.times[row] - t0 - 0.5));
        const double own = policy_cost(m, run, c, row);
        const double base = policy_cost(m, baseline, c, row);
        cost += own;
        incremental += discount * (own - base + all_value(m, run, c, row, "training_cost") -
                                   all_value(m, baseline, c, row, "training_cost"));
        extra_years += discount * (all_value(m, run, c, row, "supply_years") -
                                   all_value(m, baseline, c, row, "supply_years"));
      }
      double* v = &out.values[y * schema.size() + c * per];
      v[0] = all_value(m, run, c, last, "supply");
      v[1] = all_value(m, run, c, last, "density_per_10k");
      v[2] = all_value(m, run, c, last, "sdg_density");
      v[3] = all_value(m, run, c, last, "shortage");
      v[4] = all_value(m, run, c, last, "net_migration");  // the indicators table's
      v[5] = cost;
      v[6] = incremental;
      v[7] = extra_years;
      // Defined only when the scenario adds workers at a cost (a ratio of two small differences
      // of opposite signs means nothing).
      v[8] = extra_years > 0 && incremental > 0 ? incremental / extra_years : engine::not_defined;
      v[9] = v[2] >= sdg_threshold ? 1.0 : 0.0;
    }
  }
  return out;
}

engine::table_values summarise_corridors(const compiled_model& m,
                                         const engine::table_schema& schema, const run_output& run,
                                         const comparison_settings& settings) {
  engine::table_values out{&schema, std::vector<double>(settings.years.size() * schema.size())};
  const std::size_t per = corridor_summary_list.size();
  for (std::size_t e = 0; e < m.corridors().size(); ++e) {
    const auto& k = m.corridors()[e];
    for (std::size_t y = 0; y < settings.years.size(); ++y) {
      const std::size_t last = row_of(run, settings.years[y]);
      std::array<double, 4> sums{};
      for (std::size_t row = 1; row <= last; ++row) {
        sums[0] += corridor_value(run, k, row, "emigration");
        sums[1] += corridor_value(run, k, row, "returns");
        sums[2] += corridor_value(run, k, row, "investment_lost");
        sums[3] += corridor_value(run, k, row, "compensation");
      }
      for (std::size_t i = 0; i < per; ++i) out.values[y * schema.size() + e * per + i] = sums[i];
    }
  }
  return out;
}

}  // namespace hwf::model
