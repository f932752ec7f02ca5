#include <catch2/catch.hpp>

#include <cmath>

#include "models/workforce/comparison.hpp"
#include "models/workforce/compiled_model.hpp"
#include "models/workforce/description.hpp"
#include "support.hpp"

using namespace hwf;

namespace {

struct loaded {
  model::scenario_description scenario;
  std::unique_ptr<model::compiled_model> model;
  model::run_output out;
};

loaded load_run(const std::filesystem::path& p) {
  loaded l{model::load_scenario(p), nullptr, {}};
  l.model = std::make_unique<model::compiled_model>(l.scenario);
  l.out = model::simulate(*l.model, l.model->default_parameters());
  return l;
}

std::filesystem::path pair_folder(const std::string& name, const std::string& policy) {
  const auto dir = test::scratch_folder("compare_" + name);
  std::filesystem::copy(test::source_path("tests/data/good/model.yaml"), dir / "model.yaml");
  test::write_file(dir, "base.yaml",
                   "scenario: base\nmodel: model.yaml\nhorizon: {end: 2040}\n"
                   "solver: {method: rk4, step: 1/12}\n");
  test::write_file(dir, "policy.yaml", "scenario: policy\nextends: base.yaml\n" + policy);
  return dir;
}

/// Summary value for (country, indicator) at summary row `row`.
double summary(const std::shared_ptr<const engine::table_schema>& shared,
               const engine::table_values& v, std::size_t row, const std::string& country,
               const std::string& indicator) {
  const auto& schema = *shared;
  for (std::size_t i = 0; i < schema.size(); ++i)
    if (schema.series[i][0] == country && schema.series[i][1] == indicator) return v.row(row)[i];
  throw std::runtime_error("no summary value " + country + " " + indicator);
}

}  // namespace

TEST_CASE("a scenario identical to the baseline has exactly zero deltas", "[model][compare]") {
  const auto dir = pair_folder("identical", "");
  const auto base = load_run(dir / "base.yaml");
  const auto same = load_run(dir / "policy.yaml");
  REQUIRE(model::same_layout(*base.model, *same.model));
  CHECK(same.out.result.tables[0].values.size() == base.out.result.tables[0].values.size());
  for (std::size_t t = 0; t < 2; ++t) {
    const auto& a = base.out.result.tables[t].values;
    const auto& b = same.out.result.tables[t].values;
    for (std::size_t i = 0; i < a.size(); ++i)
      if (!std::isnan(a[i])) CHECK(b[i] - a[i] == 0.0);
  }
  const model::comparison_settings settings{{2025, 2030, 2040}, 0.03};
  const auto schema = model::country_summary_schema(*base.model);
  const auto s = model::summarise_countries(*base.model, schema, base.out, same.out, settings);
  for (std::size_t row = 0; row < 3; ++row) {
    CHECK(summary(schema, s, row, "AAA", "incremental_cost_discounted") == 0.0);
    CHECK(summary(schema, s, row, "AAA", "additional_supply_years_discounted") == 0.0);
    CHECK(std::isnan(summary(schema, s, row, "AAA", "cost_per_additional_worker_year")));
  }
}

TEST_CASE("policy costs accumulate to the analytic total of a constant-cost lever",
          "[model][compare]") {
  const auto dir = pair_folder("capital", R"(policies:
  - {name: build, type: training, countries: [AAA], added_seats: 40, capital_cost_per_seat: 2500, start: 2023, ramp_years: 4}
)");
  const auto base = load_run(dir / "base.yaml");
  const auto pol = load_run(dir / "policy.yaml");
  const model::comparison_settings settings{{2025, 2040}, 0.03};
  const auto schema = model::country_summary_schema(*base.model);
  const auto s = model::summarise_countries(*pol.model, schema, base.out, pol.out, settings);
  // 40 seats * 2,500 USD paid over 4 years from 2023: half by 2025, all by 2027.
  CHECK(summary(schema, s, 0, "AAA", "policy_cost_cumulative") == Approx(50000).epsilon(1e-12));
  CHECK(summary(schema, s, 1, "AAA", "policy_cost_cumulative") == Approx(100000).epsilon(1e-12));
  CHECK(summary(schema, s, 1, "BBB", "policy_cost_cumulative") == 0);

  // Cost-effectiveness by hand: discounted extra cost (capital + training) over discounted extra
  // supply-years, each year's flow discounted at its middle.
  double cost = 0, years = 0;
  for (int y = 2021; y <= 2040; ++y) {
    const auto row = static_cast<std::size_t>(y - 2020);
    const double d = std::pow(1.03, -(y - 2020 - 0.5));
    const auto v = [&](const loaded& l, const char* ind) {
      return test::indicator(*l.model, l.out, row, "AAA", "all", ind);
    };
    cost += d * (v(pol, "capital_cost") + v(pol, "training_cost") - v(base, "training_cost"));
    years += d * (v(pol, "supply_years") - v(base, "supply_years"));
  }
  REQUIRE(years > 0);
  CHECK(summary(schema, s, 1, "AAA", "incremental_cost_discounted") == Approx(cost).epsilon(1e-12));
  CHECK(summary(schema, s, 1, "AAA", "additional_supply_years_discounted") ==
        Approx(years).epsilon(1e-12));
  CHECK(summary(schema, s, 1, "AAA", "cost_per_additional_worker_year") ==
        Approx(cost / years).epsilon(1e-12));
}

TEST_CASE("net migration counts arrivals and departures of both kinds", "[model][compare]") {
  const auto dir = pair_folder("net", "");
  const auto base = load_run(dir / "base.yaml");
  const model::comparison_settings settings{{2030}, 0.03};
  const auto schema = model::country_summary_schema(*base.model);
  const auto s = model::summarise_countries(*base.model, schema, base.out, base.out, settings);
  const auto v = [&](const char* country, const char* ind) {
    return test::indicator(*base.model, base.out, 10, country, "all", ind);
  };
  // AAA loses emigrants and regains returnees; BBB gains immigrants and loses returnees.
  CHECK(summary(schema, s, 0, "AAA", "net_migration") ==
        Approx(v("AAA", "returns") - v("AAA", "emigration")));
  CHECK(summary(schema, s, 0, "BBB", "net_migration") ==
        Approx(v("BBB", "immigration") - v("AAA", "returns")));
}

TEST_CASE("net migration is one indicator of indicators.csv, which the summary reads",
          "[model][compare]") {
  const auto dir = pair_folder("net_indicator", "");
  const auto base = load_run(dir / "base.yaml");
  const model::comparison_settings settings{{2025, 2040}, 0.03};
  const auto schema = model::country_summary_schema(*base.model);
  const auto s = model::summarise_countries(*base.model, schema, base.out, base.out, settings);
  const auto v = [&](std::size_t row, const char* country, const char* cadre, const char* ind) {
    return test::indicator(*base.model, base.out, row, country, cadre, ind);
  };
  // Not defined at the start year, as every yearly flow.
  CHECK(std::isnan(v(0, "AAA", "all", "net_migration")));
  CHECK(std::isnan(v(0, "BBB", "nurses", "net_migration")));
  const auto& times = base.out.result.times;
  for (std::size_t row = 1; row < times.size(); ++row) {
    // The one corridor AAA -> BBB: its returns leave BBB and reach AAA.
    const double returns = v(row, "AAA", "nurses", "returns");
    CHECK(returns > 0);
    for (const char* cadre : {"nurses", "all"}) {
      CHECK(v(row, "AAA", cadre, "net_migration") ==
            Approx(returns - v(row, "AAA", cadre, "emigration")).epsilon(1e-12));
      CHECK(v(row, "BBB", cadre, "net_migration") ==
            Approx(v(row, "BBB", cadre, "immigration") - returns).epsilon(1e-12));
    }
  }
  // summary.csv's net_migration is the indicator's value at the summary year, bit for bit.
  for (std::size_t y = 0; y < settings.years.size(); ++y) {
    std::size_t row = 0;
    while (times[row] != settings.years[y]) ++row;
    for (const char* country : {"AAA", "BBB"})
      CHECK(summary(schema, s, y, country, "net_migration") ==
            v(row, country, "all", "net_migration"));
  }
}
