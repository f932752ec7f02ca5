// Time-varying inputs (docs/model.md, section 15.1): series against hand-computed integrals,
// against constants, as parameters, and with mass balance.

#include <catch2/catch.hpp>

#include <cmath>
#include <cstring>
#include <fstream>
#include <iterator>
#include <stdexcept>
#include <string>

#include "models/workforce/compiled_model.hpp"
#include "models/workforce/description.hpp"
#include "models/workforce/uncertainty.hpp"
#include "support.hpp"

using namespace hwf;

namespace {

const auto one_country = test::one_country_yaml;

using test::run_model;
using test::run_solved;

const std::string seat_step =
    "        seats: {series: {2020: 500, 2023: 1000}, interpolation: step}\n"
    "        exit_rate: 0.06\n        retirement_rate: 0.04";

std::string read_text(const std::filesystem::path& path) {
  std::ifstream in(path);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

/// tests/data/good/model.yaml (two countries, a corridor, pull feedback) with `edits` applied.
std::string good_model(const std::vector<std::pair<std::string, std::string>>& edits) {
  std::string text = read_text(test::source_path("tests/data/good/model.yaml"));
  for (const auto& [from, to] : edits) {
    const auto at = text.find(from);
    if (at == std::string::npos) throw std::runtime_error("no '" + from + "' in the model");
    text.replace(at, from.size(), to);
  }
  return text;
}

bool same_bytes(const engine::run_result& a, const engine::run_result& b) {
  if (a.tables.size() != b.tables.size()) return false;
  for (std::size_t t = 0; t < a.tables.size(); ++t) {
    const auto& x = a.tables[t].values;
    const auto& y = b.tables[t].values;
    if (x.size() != y.size() || std::memcmp(x.data(), y.data(), x.size() * sizeof(double)) != 0)
      return false;
  }
  return true;
}

}  // namespace

TEST_CASE("a step in seats changes intake at its knot, and graduates after it",
          "[model][analytic]") {
  const auto r = run_model("series_seat_step", one_country(seat_step));
  // Intake over [t-1, t]: 500 a year until 2023, then 1000 (eq. A2).
  CHECK(r.at(2023, "AAA", "intake") == Approx(500).epsilon(1e-10));
  CHECK(r.at(2024, "AAA", "intake") == Approx(1000).epsilon(1e-10));
  CHECK(r.at(2030, "AAA", "intake") == Approx(1000).epsilon(1e-10));
  // Three stages draining at 1/year, each keeping 0.8^(1/3): the extra 500 a year reaches
  // graduation as 400 (1 - exp(-s)(1 + s + s^2/2)), s years after the knot; over [2023, 2024]
  // the integral of exp(-s)(1 + s + s^2/2) is 3 - 5.5/e.
  CHECK(r.at(2023, "AAA", "graduates") == Approx(400).epsilon(1e-9));
  CHECK(r.at(2024, "AAA", "graduates") ==
        Approx(400 + 400 * (1 - (3 - 5.5 * std::exp(-1.0)))).epsilon(1e-9));
}

TEST_CASE("step knots are breakpoints: a loose dopri5 integrates the step exactly",
          "[model][analytic]") {
  // Inside each segment the intake is constant, so any Runge-Kutta step is exact there if no
  // step straddles the knot and the segment's end takes the left limit.
  const auto r = run_solved("series_breakpoint", one_country(seat_step),
                            "{method: dopri5, step: 1, abs_tol: 1e-3, rel_tol: 1e-3}");
  CHECK(r.at(2023, "AAA", "intake") == Approx(500).epsilon(1e-13));
  CHECK(r.at(2024, "AAA", "intake") == Approx(1000).epsilon(1e-13));
  const auto rk4 =
      run_solved("series_breakpoint_rk4", one_country(seat_step), "{method: rk4, step: 1}");
  CHECK(rk4.at(2023, "AAA", "intake") == Approx(500).epsilon(1e-13));
  CHECK(rk4.at(2024, "AAA", "intake") == Approx(1000).epsilon(1e-13));
}

TEST_CASE("a linear ramp of exit_rate gives W0 exp(-integral of mu)", "[model][analytic]") {
  const auto r = run_model("series_exit_ramp",
                           one_country("        seats: 0\n"
                                       "        exit_rate: {series: {2020: 0.02, 2030: 0.08}}\n"
                                       "        retirement_rate: 0.02"));
  // mu(t) = 0.02 + 0.06 (t - 2020) / 10 + 0.02 up to 2030, then 0.1 (constant beyond the end).
  const auto integral = [](double t) {
    const double s = std::min(t, 2030.0) - 2020;
    return 0.04 * s + 0.003 * s * s + 0.1 * std::max(0.0, t - 2030);
  };
  for (int year : {2021, 2025, 2030, 2035}) {
    INFO(year);
    CHECK(r.at(year, "AAA", "workforce_domestic") ==
          Approx(1000 * std::exp(-integral(year))).epsilon(1e-8));
  }
}

TEST_CASE("a series equal to a constant gives the constant's results, bit for bit", "[model]") {
  const std::string constant = good_model({});
  const std::string series = good_model({
      {"exit_rate: 0.06", "exit_rate: {series: {2020: 0.06, 2030: 0.06}}"},
      {"seats: 500", "seats: {series: {2025: 500}, interpolation: step}"},
      {"need_density: 45", "need_density: {series: {2021: 45, 2024: 45}}"},
      {"emigration_rate: 0.02", "emigration_rate: {series: {2022: 0.02, 2026: 0.02}}"},
      {"return_rate: 0.05", "return_rate: {series: {2020: 0.05}, interpolation: step}"},
  });
  const auto a = run_solved("series_const_a", constant, "{method: rk4, step: 1/12}");
  const auto b = run_solved("series_const_b", series, "{method: rk4, step: 1/12}");
  CHECK(b.model->series_inputs().size() == 5);
  CHECK(same_bytes(a.out.result, b.out.result));
}

TEST_CASE("every point of a series is a parameter that set: can change", "[model]") {
  const auto r = run_solved("series_set_point", one_country(seat_step), "{method: rk4, step: 1/4}",
                            "set: {countries.AAA.cadres.nurses.seats.2023: 2000}\n");
  const auto& params = r.model->parameters();
  const auto p2020 = params.find("countries.AAA.cadres.nurses.seats.2020");
  const auto p2023 = params.find("countries.AAA.cadres.nurses.seats.2023");
  REQUIRE(p2020);
  REQUIRE(p2023);
  CHECK(params[*p2020].value == 500);
  CHECK(params[*p2023].value == 2000);
  CHECK(params[*p2023].overridden);
  CHECK(r.at(2023, "AAA", "intake") == Approx(500).epsilon(1e-12));
  CHECK(r.at(2024, "AAA", "intake") == Approx(2000).epsilon(1e-12));
}

TEST_CASE("uncertainty on a series' path scales every point with one draw", "[model]") {
  const auto r = run_solved("series_multiply", one_country(seat_step), "{method: rk4, step: 1/4}",
                            "uncertainty:\n  samples: 4\n  seed: 1\n  parameters:\n"
                            "    countries.AAA.cadres.nurses.seats: "
                            "{dist: uniform, min: 1, max: 3, apply: multiply}\n");
  const auto& u = r.scenario.uncertainty;
  REQUIRE(u.parameters.size() == 1);
  CHECK(u.parameters[0].shared);
  CHECK(u.parameters[0].targets.size() == 2);
  CHECK(u.dimensions() == 1);
  auto values = r.model->default_parameters();
  model::apply_sample(u, {0.5}, values);  // the median of uniform(1, 3): 2
  const auto& params = r.model->parameters();
  CHECK(values[*params.find("countries.AAA.cadres.nurses.seats.2020")] == 1000);
  CHECK(values[*params.find("countries.AAA.cadres.nurses.seats.2023")] == 2000);
  const auto scaled = model::simulate(*r.model, values);
  CHECK(test::indicator(*r.model, scaled, 4, "AAA", "nurses", "intake") ==
        Approx(2000).epsilon(1e-12));
}

TEST_CASE("mass balances with series on seats, rates and corridor rates", "[model][property]") {
  const auto r = run_solved(
      "series_mass",
      good_model({
          {"seats: 500", "seats: {series: {2020: 500, 2024: 900, 2028: 300}, interpolation: step}"},
          {"exit_rate: 0.06", "exit_rate: {series: {2020: 0.06, 2030: 0.1}}"},
          {"retirement_rate: 0.02", "retirement_rate: {series: {2022: 0.02, 2026: 0.05}}"},
          {"emigration_rate: 0.02",
           "emigration_rate: {series: {2021: 0.02, 2023: 0.06}, interpolation: step}"},
          {"return_rate: 0.05", "return_rate: {series: {2020: 0.05, 2035: 0.01}}"},
      }),
      "{method: rk4, step: 1/12}");
  CHECK(r.out.stats.mass_balance_residual < 1e-9);
  CHECK(r.out.stats.min_stock >= 0);
  // The emigration rate triples at 2023: the corridor's flow jumps there.
  CHECK(r.at(2024, "AAA", "emigration") > 2.5 * r.at(2023, "AAA", "emigration"));
}

TEST_CASE("the pull's start check reads a need_density series at the start year", "[model][io]") {
  // BBB's nurses have demand_elasticity 1: the pull needs a positive need at the start year.
  const auto with_need = [](const std::string& series) {
    return good_model({{"        need_density: 45", "        need_density: " + series}});
  };
  // Zero before the start year, positive at it: accepted (the first point is not the start).
  CHECK_NOTHROW(model::parse_model(with_need("{series: {2010: 0, 2020: 45}}"), "m.yaml"));
  // Zero at the start year, positive later: refused, naming the elasticity.
  try {
    model::parse_model(with_need("{series: {2020: 0, 2030: 45}}"), "m.yaml");
    FAIL("a zero need at the start year was accepted");
  } catch (const std::exception& e) {
    CHECK_THAT(e.what(), Catch::Contains("countries.BBB.cadres.nurses.demand_elasticity") &&
                             Catch::Contains("positive starting supply and need_density"));
  }
}

namespace {

/// tests/data/good/model_by_year.yaml run from `start` to 2030 (rk4, 1/12), with the scenario's
/// further lines `extra`.
test::model_run run_by_year(const std::string& folder, int start, const std::string& extra = "") {
  return test::run_from(folder, read_text(test::source_path("tests/data/good/model_by_year.yaml")),
                        start, 2030, "{method: rk4, step: 1/12}", extra);
}

}  // namespace

TEST_CASE("stocks by start year: a run from 2013 is the dataset written for 2013, bit for bit",
          "[model][io]") {
  const auto by_year = run_by_year("by_year_2013", 2013);
  // The same dataset with the 2013 points as its stocks and 2013 as its start_year.
  const auto dir = test::scratch_folder("by_year_2013_plain");
  test::write_file(dir, "model.yaml",
                   good_model({{"start_year: 2020", "start_year: 2013"},
                               {"    population: 1.0e6\n",
                                "    population_series: {2013: 0.9e6, 2020: 1.0e6}\n"
                                "    population_growth: 0.01\n"},
                               {"workforce: 1000", "workforce: 800"},
                               {"workforce: 8000", "workforce: 7000"},
                               {"migrant_stock: 200", "migrant_stock: 150"}}));
  const auto path = test::write_file(dir, "s.yaml",
                                     "scenario: plain\nmodel: model.yaml\nhorizon: {end: 2030}\n"
                                     "solver: {method: rk4, step: 1/12}\n");
  const model::compiled_model plain(model::load_scenario(path));
  CHECK(same_bytes(by_year.out.result, model::simulate(plain, plain.default_parameters()).result));
  // The values a user reads: the 2013 stocks, and the population on its series.
  CHECK(by_year.at(2013, "AAA", "workforce_domestic") == 800);
  CHECK(by_year.at(2013, "BBB", "supply") == 7000 + 150);
  CHECK(by_year.at(2016, "AAA", "population") == Approx(0.9e6 + 0.1e6 * 3 / 7).epsilon(1e-14));
  CHECK(by_year.at(2025, "AAA", "population") == Approx(1e6 * std::exp(0.05)).epsilon(1e-14));
  // The stock's parameter keeps its path and takes the chosen point's provenance.
  const auto& params = by_year.scenario.model.params;
  const auto& w = params[*params.find("countries.AAA.cadres.nurses.workforce")];
  CHECK(w.value == 800);
  CHECK(w.note == "the 2013 count");
  CHECK(w.flag == model::evidence::estimate);
  CHECK(by_year.scenario.model.start_year == 2013);
  CHECK(by_year.out.stats.mass_balance_residual < 1e-9);
}

TEST_CASE(
    "stocks by start year: at the dataset's start_year the series' point is the stock, and "
    "population_growth continues the population series",
    "[model][io]") {
  const auto by_year = run_by_year("by_year_2020", 2020);
  const auto dir = test::scratch_folder("by_year_2020_plain");
  test::write_file(dir, "model.yaml",
                   good_model({{"    population: 1.0e6\n",
                                "    population: 1.0e6\n    population_growth: 0.01\n"}}));
  const auto path = test::write_file(dir, "s.yaml",
                                     "scenario: plain\nmodel: model.yaml\nhorizon: {end: 2030}\n"
                                     "solver: {method: rk4, step: 1/12}\n");
  const model::compiled_model plain(model::load_scenario(path));
  CHECK(same_bytes(by_year.out.result, model::simulate(plain, plain.default_parameters()).result));
  const auto& params = by_year.scenario.model.params;
  const auto& w = params[*params.find("countries.AAA.cadres.nurses.workforce")];
  CHECK(w.value == 1000);
  CHECK(w.source == "a register");  // a point written as a plain number takes the series'
  // The points are not parameters: `set:` and uncertainty act on the stock itself.
  CHECK_FALSE(params.find("countries.AAA.cadres.nurses.workforce.2013"));
}

TEST_CASE(
    "stocks by start year: `set:` acts on the picked stock, and the pull's start check "
    "reads need at the scenario's start",
    "[model][io]") {
  const auto set =
      run_by_year("by_year_set", 2013, "set:\n  countries.AAA.cadres.nurses.workforce: 850\n");
  CHECK(set.at(2013, "AAA", "workforce_domestic") == 850);
  // BBB's pull needs a positive need at the start: zero in 2013 is refused for a 2013 start,
  // though the dataset's own start year has a need.
  const auto dir = test::scratch_folder("by_year_need");
  std::string text = read_text(test::source_path("tests/data/good/model_by_year.yaml"));
  const auto at = text.find("need_density: 45");
  REQUIRE(at != std::string::npos);
  text.replace(at, 16, "need_density: {series: {2013: 0, 2020: 45}}");
  test::write_file(dir, "model.yaml", text);
  CHECK_NOTHROW(model::load_scenario(test::write_file(
      dir, "s2020.yaml", "scenario: s\nmodel: model.yaml\nhorizon: {end: 2030}\n")));
  CHECK_THROWS_WITH(model::load_scenario(test::write_file(
                        dir, "s2013.yaml",
                        "scenario: s\nmodel: model.yaml\nhorizon: {start: 2013, end: 2030}\n")),
                    Catch::Contains("countries.BBB.cadres.nurses.demand_elasticity") &&
                        Catch::Contains("positive starting supply and need_density"));
}
