#include <catch2/catch.hpp>

#include <cmath>
#include <set>
#include <string>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "engine/diagnostics.hpp"
#include "engine/indicator_info.hpp"
#include "models/workforce/comparison.hpp"
#include "models/workforce/compiled_model.hpp"
#include "models/workforce/indicators.hpp"
#include "outputs/run_record.hpp"
#include "support.hpp"

using namespace hwf;

namespace {

/// A compiled model with two cadres in country BBB and a corridor.
std::unique_ptr<model::compiled_model> two_cadre_model(const std::string& folder) {
  const auto dir = test::scratch_folder(folder);
  std::filesystem::copy(test::source_path("tests/data/good/model_with_doctors.yaml"),
                        dir / "model.yaml");
  test::write_file(dir, "s.yaml",
                   "scenario: s\nmodel: model.yaml\nhorizon: {end: 2030}\n"
                   "solver: {method: rk4, step: 1/12}\n");
  return std::make_unique<model::compiled_model>(model::load_scenario(dir / "s.yaml"));
}

/// Every entry complete: unit, label, unit text and meaning.
void check_complete(std::span<const engine::indicator_info> table, const std::string& name) {
  const auto* e = engine::find_indicator(table, name);
  INFO(name);
  REQUIRE(e != nullptr);
  CHECK_FALSE(e->units.empty());
  CHECK_FALSE(e->label.empty());
  CHECK_FALSE(e->unit_text.empty());
  CHECK_FALSE(e->meaning.empty());
}

}  // namespace

TEST_CASE("every indicator a table writes has a complete registry entry", "[model][indicators]") {
  const auto m = two_cadre_model("indicators_registry");
  for (const auto& key : m->schemas()[0]->series)
    check_complete(model::country_indicators(), key.back());
  for (const auto& key : m->schemas()[1]->series)
    check_complete(model::corridor_indicators(), key.back());
  const auto summary = model::country_summary_schema(*m);
  const auto corridor_summary = model::corridor_summary_schema(*m);
  for (const auto& key : summary->series) check_complete(model::summary_indicators(), key.back());
  for (const auto& key : corridor_summary->series)
    check_complete(model::corridor_summary_indicators(), key.back());
  for (const auto& e : model::probability_indicators())
    check_complete(model::probability_indicators(), std::string(e.name));
  CHECK(model::indicator_names().size() == model::country_indicators().size());
  CHECK(model::corridor_indicator_names().size() == model::corridor_indicators().size());
}

TEST_CASE("the registry holds today's units, labels and meanings", "[model][indicators]") {
  const auto& supply =
      engine::lookup_indicator(model::country_indicators(), "supply", "the indicators");
  CHECK(supply.units == "1");
  CHECK(supply.label == "Supply");
  CHECK(supply.unit_text == "workers");
  CHECK(supply.kind == engine::indicator_kind::stock);
  CHECK(supply.meaning == "workers working in the country (supply)");
  const auto& lost = engine::lookup_indicator(model::corridor_indicators(), "investment_lost", "x");
  CHECK(lost.units == "USD year-1");
  CHECK(lost.format == engine::value_format::usd);
  CHECK(lost.kind == engine::indicator_kind::flow);
  const auto& density =
      engine::lookup_indicator(model::country_indicators(), "density_per_10k", "x");
  CHECK(density.units == "1e-4");
  CHECK(density.over_cadres == engine::aggregation::recomputed);
  // The probability's name carries the threshold the study applies.
  CHECK(model::probability_indicators()[2].name ==
        fmt::format("sdg_density_at_least_{}", model::sdg_threshold));
}

TEST_CASE("an unknown indicator is refused with the closest name", "[model][indicators]") {
  CHECK(engine::find_indicator(model::country_indicators(), "suply") == nullptr);
  try {
    engine::lookup_indicator(model::country_indicators(), "suply", "the indicators");
    FAIL("no error");
  } catch (const engine::input_error& e) {
    const std::string text = e.what();
    CHECK_THAT(text, Catch::Contains("'suply' is not one of the indicators"));
    CHECK_THAT(text, Catch::Contains("did you mean 'supply'?"));
    CHECK_THAT(text, Catch::Contains("students, intake"));
  }
  CHECK_THROWS_AS(model::indicator_position(model::summary_indicators(), "suply"),
                  engine::internal_error);
  CHECK(model::indicator_position(model::summary_indicators(), "shortage") == 3);
}

TEST_CASE("cadre all combines each indicator by its registry rule", "[model][indicators]") {
  const auto m = two_cadre_model("indicators_all");
  const auto run = model::simulate(*m, m->default_parameters());
  const std::size_t row = 5;
  const auto value = [&](const std::string& cadre, const std::string& name) {
    return test::indicator(*m, run, row, "BBB", cadre, name);
  };
  // Only the doctors have posts: the labour indicators of `all` are theirs (nurses have none).
  const std::set<std::string> labour(model::labour_market_indicators.begin(),
                                     model::labour_market_indicators.end());
  REQUIRE(labour.size() == 7);
  for (const auto& e : model::country_indicators()) {
    const std::string name(e.name);
    INFO(name);
    if (labour.count(name)) {
      CHECK_THROWS(value("nurses", name));  // no series: the nurses have no posts
      if (e.over_cadres == engine::aggregation::sum)
        CHECK(value("all", name) == value("doctors", name));
    } else if (e.over_cadres == engine::aggregation::sum) {
      CHECK(value("all", name) == value("nurses", name) + value("doctors", name));
    } else if (e.over_cadres == engine::aggregation::level) {
      CHECK(value("all", name) == value("nurses", name));
    }
  }
  CHECK(value("doctors", "unemployed") > 0);
  CHECK(value("all", "unemployment_rate") ==
        Approx(value("doctors", "unemployed") /
               (value("doctors", "unemployed") + value("doctors", "supply")))
            .epsilon(1e-12));
  CHECK(value("all", "density_per_10k") ==
        Approx(value("all", "supply") / value("all", "population") * 1e4).epsilon(1e-12));
  CHECK(value("all", "sdg_density") == Approx(value("all", "density_per_10k")).epsilon(1e-12));
}

TEST_CASE("run.json carries the registry for the report", "[io][indicators]") {
  out::run_record r;
  r.indicators = model::report_indicators();
  const auto j = nlohmann::json::parse(out::to_json(r));
  const auto& list = j.at("model").at("indicators");
  std::set<std::string> names;
  for (const auto& e : list) names.insert(e.at("name").get<std::string>());
  CHECK(names.size() == list.size());  // each name once
  CHECK(names.count("migrant_stock") == 1);
  CHECK(names.count("policy_cost_cumulative") == 1);
  CHECK(names.count("cumulative_compensation") == 1);
  CHECK(list[0] == nlohmann::json{{"name", "students"},
                                  {"label", "Students in training"},
                                  {"unit", "students"},
                                  {"kind", "stock"},
                                  {"format", "count"},
                                  {"short_label", ""}});
  for (const auto& e : list)
    if (e.at("name") == "sdg_density") {
      CHECK(e.at("label") == "SDG density");
      CHECK(e.at("format") == "density");
    }
}

TEST_CASE("run.json carries every title of every registry entry", "[io][indicators]") {
  out::run_record r;
  r.indicators = model::report_indicators();
  const auto list = nlohmann::json::parse(out::to_json(r)).at("model").at("indicators");
  REQUIRE(list.size() == r.indicators.size());
  for (std::size_t i = 0; i < list.size(); ++i) {
    const auto& e = r.indicators[i];
    INFO(e.name);
    CHECK(list[i].at("name").get<std::string>() == e.name);
    CHECK(list[i].at("label").get<std::string>() == e.label);
    CHECK(list[i].at("unit").get<std::string>() == e.unit_text);
    CHECK(list[i].at("short_label").get<std::string>() == e.short_label);
  }
  // The key figures' column titles of report.html, as the page printed them before they moved
  // into the registry.
  const auto title = [&](std::string_view name) {
    const auto* e = engine::find_indicator(r.indicators, name);
    REQUIRE(e);
    return std::string(e->short_label.empty() ? e->label : e->short_label);
  };
  CHECK(title("supply") == "Supply");
  CHECK(title("sdg_density") == "SDG density per 10,000");
  CHECK(title("shortage") == "Shortage");
  CHECK(title("net_migration") == "Net migration per year");
  CHECK(title("training_cost") == "Training cost per year (USD)");
  CHECK(title("investment_lost") == "Investment lost per year (USD)");
  CHECK(title("emigration") == "Emigration per year");
  CHECK(title("policy_cost_cumulative") == "Policy cost, cumulative (USD)");
  CHECK(title("cost_per_additional_worker_year") == "USD per additional worker-year");
  CHECK(title("shortage_below_baseline") == "Chance shortage strictly below baseline");
  CHECK(title("shortage_not_above_baseline") == "Chance shortage at most baseline (ties count)");
  CHECK(title("sdg_density_at_least_44.5") ==
        fmt::format("Chance SDG density \u2265 {}", model::sdg_threshold));
  // The summary table's entries keep the country entries' titles.
  const auto& summary = model::summary_indicators();
  CHECK(summary[model::indicator_position(summary, "net_migration")].short_label ==
        "Net migration per year");
}

TEST_CASE("a run's tables keep their schemas when the model is gone", "[model][indicators]") {
  const auto dir = test::scratch_folder("indicators_owned");
  std::filesystem::copy(test::source_path("tests/data/good/model.yaml"), dir / "model.yaml");
  test::write_file(
      dir, "s.yaml",
      "scenario: s\nmodel: model.yaml\nhorizon: {end: 2022}\nsolver: {method: rk4, step: 1/12}\n");
  const auto run = test::run_scenario(dir / "s.yaml");  // its compiled model is destroyed
  REQUIRE(run.result.tables.size() == 2);
  const auto& indicators = *run.result.tables[0].schema;
  CHECK(indicators.key_columns == std::vector<std::string>{"country", "cadre", "indicator"});
  CHECK(indicators.series.front() == std::vector<std::string>{"AAA", "nurses", "students"});
  CHECK(run.result.tables[0].values.size() == 3 * indicators.size());
  CHECK(run.result.tables[1].schema->key_columns.front() == "origin");
}
