#pragma once
// The workforce model's indicator registry: every indicator of every table the model and its
// studies write (indicators.csv, corridors.csv, summary.csv, corridor_summary.csv, the
// probabilities of mc), once, with its unit, label, kind, aggregation and meaning. The tables'
// column lists, the units of runs.nc and the labels of report.html all come from here;
// simulate.cpp checks at compile time that its positions match (docs/architecture.md,
// "Indicators").

#include <array>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "engine/diagnostics.hpp"
#include "engine/indicator_info.hpp"

namespace hwf::model {

namespace registry_detail {
using engine::aggregation;
using engine::indicator_info;
using engine::indicator_kind;
using engine::value_format;
constexpr auto stock = indicator_kind::stock;
constexpr auto flow = indicator_kind::flow;
constexpr auto ratio = indicator_kind::ratio;
constexpr auto flag = indicator_kind::flag;
constexpr auto count = value_format::count;
constexpr auto density = value_format::density;
constexpr auto usd = value_format::usd;
constexpr auto share = value_format::share;
constexpr auto number = value_format::number;
constexpr auto sum = aggregation::sum;
constexpr auto recomputed = aggregation::recomputed;
constexpr auto level = aggregation::level;
constexpr auto total_only = aggregation::total_only;
constexpr auto none = aggregation::none;
}  // namespace registry_detail

/// The `indicators` table (country, cadre, indicator), in column order. Flows are over the year
/// before the year shown (undefined at the start year).
inline constexpr std::array<engine::indicator_info, 34> country_indicator_table = [] {
  using namespace registry_detail;
  return std::array<indicator_info, 34>{{
      {"students", "1", "Students in training", "students", stock, count, sum, sum,
       "students in training"},
      {"intake", "year-1", "Intake", "students per year", flow, count, sum, sum,
       "students admitted (over the year before)"},
      {"graduates", "year-1", "Graduates", "per year", flow, count, sum, sum,
       "graduates (over the year before)"},
      {"entrants", "year-1", "Entrants to practice", "per year", flow, count, sum, sum,
       "graduates entering practice (over the year before)"},
      {"workforce_domestic", "1", "Domestic workforce", "workers", stock, count, sum, sum,
       "workers trained in the country and working there"},
      {"foreign_trained", "1", "Foreign-trained workforce", "workers", stock, count, sum, sum,
       "foreign-trained workers working in the country"},
      {"abroad", "1", "Trained here, working abroad", "workers", stock, count, sum, sum,
       "workers trained in the country working abroad"},
      {"supply", "1", "Supply", "workers", stock, count, sum, sum,
       "workers working in the country (supply)"},
      {"population", "1", "Population", "people", stock, count, level, sum, "population"},
      {"need", "1", "Need", "workers", stock, count, sum, sum, "workers needed"},
      {"density_per_10k", "1e-4", "Density", "workers per 10,000 people", ratio, density,
       recomputed, recomputed, "workers per 10,000 people"},
      {"shortage", "1", "Shortage", "workers", stock, count, sum, sum,
       "workers needed minus supply, when positive"},
      {"emigration", "year-1", "Emigration", "workers per year", flow, count, sum, sum,
       "workers emigrating (over the year before)", "Emigration per year"},
      {"immigration", "year-1", "Immigration", "workers per year", flow, count, sum, sum,
       "workers immigrating (over the year before)"},
      {"returns", "year-1", "Returns", "workers per year", flow, count, sum, sum,
       "emigrants coming home (over the year before)"},
      {"attrition", "year-1", "Attrition", "workers per year", flow, count, sum, sum,
       "workers leaving the profession or retiring (over the year before)"},
      {"training_cost", "USD year-1", "Training cost", "USD per year", flow, usd, sum, sum,
       "training cost (over the year before)", "Training cost per year (USD)"},
      {"retention_cost", "USD year-1", "Retention cost", "USD per year", flow, usd, sum, sum,
       "cost of retention policies (over the year before)"},
      {"compensation_paid", "USD year-1", "Compensation paid", "USD per year", flow, usd, sum, sum,
       "compensation paid (over the year before)"},
      {"compensation_received", "USD year-1", "Compensation received", "USD per year", flow, usd,
       sum, sum, "compensation received (over the year before)"},
      {"capital_cost", "USD year-1", "Capital cost of training", "USD per year", flow, usd, sum,
       sum, "capital cost of added training seats (over the year before)"},
      {"investment_lost", "USD year-1", "Training investment lost", "USD per year", flow, usd, sum,
       sum, "training investment lost to emigration (over the year before)",
       "Investment lost per year (USD)"},
      {"supply_years", "year year-1", "Supply-years", "worker-years per year", flow, count, sum,
       sum, "worker-years of supply (over the year before)"},
      {"net_migration", "year-1", "Net migration", "workers per year", flow, count, sum, sum,
       "immigrants and returning emigrants minus emigrants and foreign-trained workers going "
       "home (over the year before)",
       "Net migration per year"},
      {"registered", "1", "Registered workers", "workers", stock, count, sum, sum,
       "workers on the country's register: practising supply over the practising share, plus "
       "the registered share of those abroad"},
      // Labour markets (docs/model.md, 15.5): rows only where posts are given, but wage_bill.
      {"posts", "1", "Funded posts", "posts", stock, count, sum, sum,
       "funded posts, where posts are modelled"},
      {"vacancies", "1", "Vacancies", "posts", stock, count, sum, sum,
       "funded posts not filled (posts minus supply, when positive)"},
      {"unemployed", "1", "Unemployed workers", "workers", stock, count, sum, sum,
       "qualified workers without a post, where posts are modelled"},
      {"unemployment_rate", "1", "Unemployment rate", "share", ratio, share, recomputed, recomputed,
       "unemployed over unemployed plus supply"},
      {"hires", "year-1", "Hires", "workers per year", flow, count, sum, sum,
       "unemployed workers hired into vacancies (over the year before)"},
      {"unemployed_exits", "year-1", "Unemployed leaving", "workers per year", flow, count, sum,
       sum, "unemployed workers leaving the profession (over the year before)"},
      {"hiring_cost", "USD year-1", "Hiring cost", "USD per year", flow, usd, sum, sum,
       "salaries of the filled posts that hiring policies added (over the year before)"},
      {"wage_bill", "USD year-1", "Wage bill", "USD per year", flow, usd, sum, sum,
       "salaries of the workers in practice, supply times salary (over the year before)",
       "Wage bill per year (USD)"},
      {"sdg_density", "1e-4", "SDG density", "per 10,000 people", ratio, density, total_only,
       recomputed, "doctors, nurses and midwives per 10,000 people (SDG index)",
       "SDG density per 10,000"},
  }};
}();

/// The `corridors` table (origin, destination, cadre, indicator), in column order.
inline constexpr std::array<engine::indicator_info, 7> corridor_indicator_table = [] {
  using namespace registry_detail;
  return std::array<indicator_info, 7>{{
      {"emigration", "year-1", "Emigration", "workers per year", flow, count, sum, sum,
       "workers emigrating along the corridor (over the year before)"},
      {"returns", "year-1", "Returns", "workers per year", flow, count, sum, sum,
       "migrants going home (over the year before)"},
      {"migrant_stock", "1", "Migrant stock", "workers", stock, count, sum, sum,
       "migrants of the corridor working in the destination"},
      {"attrition", "year-1", "Attrition", "workers per year", flow, count, sum, sum,
       "migrants leaving the profession (over the year before)"},
      {"investment_lost", "USD year-1", "Training investment lost", "USD per year", flow, usd, sum,
       sum, "training investment lost with the emigrants (over the year before)"},
      {"compensation", "USD year-1", "Compensation", "USD per year", flow, usd, sum, sum,
       "compensation paid along the corridor (over the year before)"},
      {"migrant_years", "year year-1", "Migrant worker-years", "worker-years per year", flow, count,
       sum, sum, "worker-years of the migrants (over the year before)"},
  }};
}();

/// The labour-market indicators (docs/model.md, 15.5): a country-cadre has them only where posts
/// are given, and a country's cadre `all` only where one of its cadres has posts.
inline constexpr std::array<std::string_view, 7> labour_market_indicators{
    "posts", "vacancies",        "unemployed", "unemployment_rate",
    "hires", "unemployed_exits", "hiring_cost"};
constexpr bool is_labour_market_indicator(std::string_view name) {
  for (const auto n : labour_market_indicators)
    if (n == name) return true;
  return false;
}

namespace registry_detail {
/// A country indicator as the summary table holds it: cadre `all` only, so not combined over
/// cadres there.
constexpr indicator_info summary_of(std::string_view name) {
  auto e = country_indicator_table[engine::position_of(country_indicator_table, name)];
  e.over_cadres = aggregation::none;
  return e;
}
}  // namespace registry_detail

/// The `summary` table of compare (country, indicator): cadre `all`, at each summary year; its
/// first six are the indicators table's values.
inline constexpr std::array<engine::indicator_info, 12> summary_indicator_table = [] {
  using namespace registry_detail;
  return std::array<indicator_info, 12>{{
      summary_of("supply"),
      summary_of("density_per_10k"),
      summary_of("sdg_density"),
      summary_of("shortage"),
      summary_of("net_migration"),
      summary_of("unemployed"),
      {"policy_cost_cumulative", "USD", "Policy cost, cumulative", "USD", flow, usd, none, sum,
       "policy costs net of compensation received, from the start year",
       "Policy cost, cumulative (USD)"},
      {"wage_bill_cumulative", "USD", "Wage bill, cumulative", "USD", flow, usd, none, sum,
       "salaries of the workers in practice, from the start year", "Wage bill, cumulative (USD)"},
      {"incremental_cost_discounted", "USD", "Incremental cost, discounted", "USD", flow, usd, none,
       sum, "policy cost above the baseline's, discounted"},
      {"additional_supply_years_discounted", "year", "Additional supply-years, discounted",
       "worker-years", flow, count, none, sum,
       "worker-years of supply above the baseline's, discounted"},
      {"cost_per_additional_worker_year", "USD year-1", "Cost per additional worker-year", "USD",
       ratio, usd, none, recomputed,
       "discounted incremental cost over discounted additional supply-years",
       "USD per additional worker-year"},
      {"meets_sdg_threshold", "1", "Meets the SDG threshold", "1 if it does, 0 if not", flag,
       number, none, none, "1 if the SDG density is at least the SDG index threshold"},
  }};
}();

/// The `corridor_summary` table of compare (origin, destination, cadre, indicator).
inline constexpr std::array<engine::indicator_info, 4> corridor_summary_indicator_table = [] {
  using namespace registry_detail;
  return std::array<indicator_info, 4>{{
      {"cumulative_emigration", "1", "Emigration, cumulative", "workers", flow, count, sum, sum,
       "workers emigrated along the corridor from the start year"},
      {"cumulative_returns", "1", "Returns, cumulative", "workers", flow, count, sum, sum,
       "migrants gone home from the start year"},
      {"cumulative_investment_lost", "USD", "Training investment lost, cumulative", "USD", flow,
       usd, sum, sum, "training investment lost with the emigrants from the start year"},
      {"cumulative_compensation", "USD", "Compensation, cumulative", "USD", flow, usd, sum, sum,
       "compensation paid along the corridor from the start year"},
  }};
}();

/// The `probabilities` table of mc (country, probability): per run 0 or 1, their mean the
/// probability. The threshold in the last name is sdg_threshold (comparison.hpp).
inline constexpr std::array<engine::indicator_info, 3> probability_table = [] {
  using namespace registry_detail;
  return std::array<indicator_info, 3>{{
      {"shortage_below_baseline", "1", "Chance shortage strictly below baseline", "share of runs",
       flag, share, none, none, "the shortage is below the baseline's"},
      {"shortage_not_above_baseline", "1", "Chance shortage at most baseline (ties count)",
       "share of runs", flag, share, none, none, "the shortage is at most the baseline's"},
      {"sdg_density_at_least_44.5", "1", "Chance SDG density at least 44.5", "share of runs", flag,
       share, none, none, "the SDG density is at least the SDG index threshold",
       "Chance SDG density \u2265 44.5"},
  }};
}();

inline std::span<const engine::indicator_info> country_indicators() {
  return country_indicator_table;
}
inline std::span<const engine::indicator_info> corridor_indicators() {
  return corridor_indicator_table;
}
inline std::span<const engine::indicator_info> summary_indicators() {
  return summary_indicator_table;
}
inline std::span<const engine::indicator_info> corridor_summary_indicators() {
  return corridor_summary_indicator_table;
}
inline std::span<const engine::indicator_info> probability_indicators() {
  return probability_table;
}

/// Position of `name` in `table`; throws engine::internal_error when it has none (a name the
/// code uses, so a missing one is a defect, not bad input). In a constant expression, a missing
/// name fails the build.
constexpr std::size_t indicator_position(std::span<const engine::indicator_info> table,
                                         std::string_view name) {
  const std::size_t i = engine::position_of(table, name);
  if (i == table.size()) throw engine::internal_error("no indicator named " + std::string(name));
  return i;
}

/// Every indicator once by name, for report.html's labels (run.json): the country indicators,
/// then those of the other tables not already named, in table order.
std::vector<engine::indicator_info> report_indicators();

}  // namespace hwf::model
