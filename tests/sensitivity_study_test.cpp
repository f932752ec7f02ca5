// `hwfsim sensitivity` below the command line: the scenario's inputs as factors, the outputs
// chosen by pattern, and the indices written against the engine's estimators on the same runs.

#include <algorithm>
#include <filesystem>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <catch2/catch.hpp>

#include "app/sensitivity_study.hpp"
#include "engine/diagnostics.hpp"
#include "models/workforce/sensitivity.hpp"
#include "outputs/atomic_file.hpp"
#include "support.hpp"

using namespace hwf;
namespace fs = std::filesystem;

namespace {

/// The two-country baseline with three inputs: Ghana's nurse exit rate (moves every stock),
/// its training cost per student-year (moves the training cost only, which is linear in it)
/// and every retirement rate scaled together (one shared draw).
fs::path sensitivity_scenario(const std::string& folder, const std::string& extra = {}) {
  return test::write_file(
      test::scratch_folder(folder), "s.yaml",
      fmt::format(R"(format: 1
scenario: sensitivity-test
extends: {}
uncertainty:
  samples: 10
  sampling: lhs
  seed: 7
  parameters:
    countries.GHA.cadres.nurses.exit_rate: {{dist: uniform, min: 0.02, max: 0.04}}
    countries.GHA.cadres.nurses.cost_per_student_year: {{dist: uniform, min: 2000, max: 3000}}
    countries.*.cadres.*.retirement_rate: {{dist: uniform, min: 0.9, max: 1.1, apply: multiply, shared: true}}
{})",
                  test::source_path("scenarios/two-countries.yaml").generic_string(), extra));
}

const std::string density = "GHA.nurses.density_per_10k.2035";
const std::string training = "GHA.nurses.training_cost.2035";
const std::string exit_rate = "countries.GHA.cadres.nurses.exit_rate";
const std::string cost = "countries.GHA.cadres.nurses.cost_per_student_year";

/// indices.csv as (output, input, index) -> {estimate, ci_low, ci_high}, as written.
using index_rows =
    std::map<std::tuple<std::string, std::string, std::string>, std::vector<std::string>>;
index_rows read_indices(const fs::path& dir) {
  const auto text = out::read_file(dir / "indices.csv");
  REQUIRE(text);
  std::istringstream in(*text);
  std::string line;
  std::getline(in, line);
  CHECK(line == "output,input,method,index,estimate,ci_low,ci_high");
  index_rows rows;
  while (std::getline(in, line)) {
    std::vector<std::string> f;
    std::stringstream ss(line);
    for (std::string field; std::getline(ss, field, ',');) f.push_back(field);
    while (f.size() < 7) f.emplace_back();  // empty trailing intervals (Morris)
    rows[{f[0], f[1], f[3]}] = {f[4], f[5], f[6]};
  }
  return rows;
}

app::ensemble_outcome run(app::sensitivity_options o) {
  int argc = 1;
  char name[] = "hwfsim";
  char* args[] = {name, nullptr};
  char** argv = args;
  return app::sensitivity_and_write(std::move(o), argc, argv);
}

}  // namespace

TEST_CASE("sensitivity indices are the engine's estimators on the model's runs, for any threads",
          "[app][sensitivity]") {
  const auto scenario = sensitivity_scenario("sens_sobol");
  const auto base = test::scratch_folder("sens_sobol_out");
  std::vector<std::string> written;
  for (int threads : {1, 2}) {
    app::sensitivity_options o;
    o.scenario = scenario.string();
    o.output = (base / std::to_string(threads)).string();
    o.outputs = {density, training};
    o.base_samples = 32;
    o.bootstrap = 100;
    o.threads = threads;
    const auto outcome = run(o);
    CHECK(outcome.status == 0);
    CHECK_THAT(outcome.text, Catch::Contains("Sobol indices of 3 inputs for 2 outputs, 160 runs"));
    for (const auto* f : {"indices.csv", "convergence.csv", "outputs.csv", "inputs.csv"}) {
      const auto text = out::read_file(base / std::to_string(threads) / f);
      REQUIRE(text);
      written.push_back(*text);
    }
  }
  for (std::size_t i = 0; i < 4; ++i) CHECK(written[i] == written[i + 4]);

  // The same design run here point by point, through the engine's estimators.
  const auto study = model::prepare_study({scenario.string()}, std::nullopt);
  const auto inputs = model::sensitivity_inputs(study);
  REQUIRE(inputs.size() == 3);
  const auto outputs = model::select_outputs(study, {density, training});
  REQUIRE(outputs.size() == 2);
  const engine::saltelli_design design(study.dimensions.size(), model::factors_of(inputs), 32, 7,
                                       false);
  std::vector<double> u, cells(study.cells()), y_density(design.runs()), y_training(design.runs());
  for (std::size_t r = 0; r < design.runs(); ++r) {
    design.point(r, u);
    model::run_point(study, u, cells);
    y_density[r] = cells[outputs[0].cell];
    y_training[r] = cells[outputs[1].cell];
  }
  const auto s = engine::sobol_indices(design, y_density, 100, 7, 0.95);
  const auto rows = read_indices(base / "1");
  const auto& exit_total = rows.at({density, exit_rate, "total"});
  CHECK(exit_total[0] == fmt::format("{}", s.total[0].value));
  CHECK(exit_total[1] == fmt::format("{}", s.total[0].low));
  CHECK(exit_total[2] == fmt::format("{}", s.total[0].high));
  CHECK(rows.at({density, exit_rate, "first_order"})[0] ==
        fmt::format("{}", s.first_order[0].value));
  // The exit rate drives Ghana's nurse density; the training cost per student enters no
  // equation of it: its indices and their intervals are exactly 0.
  CHECK(s.total[0].value > 0.8);
  for (const auto* index : {"first_order", "total"})
    CHECK(rows.at({density, cost, index}) == std::vector<std::string>{"0", "0", "0"});
  // The training cost is the cost per student times the students, which no other input moves.
  const auto t = engine::sobol_indices(design, y_training, 0, 7, 0.95);
  CHECK(t.total[1].value == Approx(1).margin(0.01));  // Jansen's estimate from 32 rows
  CHECK(t.total[0].value == Approx(0).margin(1e-12));
  CHECK(rows.at({training, cost, "total"})[0] == fmt::format("{}", t.total[1].value));

  // convergence.csv: 16 and 32 base rows (80 and 160 runs), the last equal to indices.csv.
  const auto convergence = out::read_file(base / "1" / "convergence.csv");
  REQUIRE(convergence);
  CHECK_THAT(*convergence, Catch::Contains(fmt::format("{},{},total,160,{}\n", density, exit_rate,
                                                       fmt::format("{}", s.total[0].value))));
  CHECK_THAT(*convergence, Catch::Contains(fmt::format("{},{},total,80,", density, exit_rate)));
  const auto json = out::read_file(base / "1" / "run.json");
  REQUIRE(json);
  CHECK_THAT(*json, Catch::Contains("\"base_samples\": 32"));
  CHECK(fs::exists(base / "1" / "report.html"));
}

TEST_CASE("Morris effects of a linear output are its slope times the input's range",
          "[app][sensitivity]") {
  const auto scenario = sensitivity_scenario("sens_morris");
  const auto dir = test::scratch_folder("sens_morris_out") / "out";
  app::sensitivity_options o;
  o.scenario = scenario.string();
  o.output = dir.string();
  o.outputs = {density, training};
  o.method = app::sensitivity_method::morris;
  o.trajectories = 6;
  o.levels = 4;
  const auto outcome = run(o);
  CHECK(outcome.status == 0);
  CHECK_THAT(outcome.text, Catch::Contains("24 runs"));  // 6 trajectories x (3 inputs + 1)
  CHECK_FALSE(fs::exists(dir / "convergence.csv"));
  const auto rows = read_indices(dir);
  // training_cost = students x cost per student-year; the students do not depend on any input,
  // so every elementary effect of the cost is students x 1000 (its range): mu = mu* = that,
  // sigma 0 (to rounding).
  const auto study = model::prepare_study({scenario.string()}, std::nullopt);
  const auto out = model::select_outputs(study, {training})[0];
  const auto& m = *study.models[0];
  const auto own = model::simulate(m, m.default_parameters());
  const double students_cost = own.result.tables[0].values[out.cell - study.table_cell(0, 0)];
  const double slope_times_range = students_cost / 2500 * 1000;
  CHECK(std::stod(rows.at({training, cost, "mu_star"})[0]) ==
        Approx(slope_times_range).epsilon(1e-9));
  CHECK(std::stod(rows.at({training, cost, "mu"})[0]) == Approx(slope_times_range).epsilon(1e-9));
  CHECK(std::stod(rows.at({training, cost, "sigma"})[0]) ==
        Approx(0).margin(1e-9 * slope_times_range));
  CHECK(rows.at({training, cost, "mu_star_relative"})[0] == "1");
  // The cost per student enters no equation of the density.
  CHECK(rows.at({density, cost, "mu_star"})[0] == "0");
  CHECK(std::stod(rows.at({density, exit_rate, "mu_star"})[0]) > 0);
  CHECK(rows.at({density, exit_rate, "mu_star"})[1].empty());  // no interval for Morris
}

TEST_CASE("sensitivity outputs are chosen by pattern, each once, in table order",
          "[app][sensitivity]") {
  const auto study = model::prepare_study({sensitivity_scenario("sens_outputs").string()}, {});
  const auto names = [&](const std::vector<std::string>& patterns) {
    std::vector<std::string> out;
    for (const auto& o : model::select_outputs(study, patterns)) out.push_back(o.name);
    return out;
  };
  CHECK(
      names({"GHA.*.density_per_10k.2035", "GHA.nurses.density_per_10k.2035"}) ==
      std::vector<std::string>{"GHA.nurses.density_per_10k.2035", "GHA.all.density_per_10k.2035"});
  // A name in both tables: the country's emigration and the corridor's.
  CHECK(names({"*.nurses.emigration.2030"}) ==
        std::vector<std::string>{"GHA.nurses.emigration.2030", "GBR.nurses.emigration.2030",
                                 "GHA-GBR.nurses.emigration.2030"});
  // A wildcard year passes by the first year, where a flow has no value.
  const auto years = names({"GHA-GBR.nurses.emigration.*"});
  CHECK(years.front() == "GHA-GBR.nurses.emigration.2021");
  CHECK(years.size() == 25);  // 2021-2045
  CHECK(names(model::default_output_patterns(study)) ==
        std::vector<std::string>{"GHA.all.density_per_10k.2045", "GHA.all.shortage.2045",
                                 "GBR.all.density_per_10k.2045", "GBR.all.shortage.2045"});
  // A value of the output is the run's value there.
  const auto o = model::select_outputs(study, {density})[0];
  std::vector<double> cells(study.cells()), half(study.dimensions.size(), 0.5);
  model::run_point(study, half, cells);
  CHECK(cells[o.cell] > 20);
  CHECK(cells[o.cell] < 40);

  const auto refused = [&](const std::string& pattern) {
    try {
      model::select_outputs(study, {pattern});
    } catch (const engine::setting_error& e) {
      CHECK(e.about() == engine::setting::sensitivity_outputs);
      return std::string(e.what());
    }
    FAIL("accepted " << pattern);
    return std::string();
  };
  CHECK_THAT(refused("GHA.nurses.densty_per_10k.2035"),
             Catch::Contains("no indicator is called 'densty_per_10k'") &&
                 Catch::Contains("GHA.nurses.density_per_10k.2035"));
  CHECK_THAT(refused("NGA.nurses.supply.2035"),
             Catch::Contains("no place (a country or ORIGIN-DESTINATION corridor) is called "
                             "'NGA'") &&
                 Catch::Contains("GHA, GBR, GHA-GBR"));
  CHECK_THAT(refused("GHA.nurses.supply.2050"), Catch::Contains("no year is called '2050'"));
  CHECK_THAT(refused("GHA.nurses.supply.2019"), Catch::Contains("no year is called '2019'"));
  CHECK_THAT(refused("GHA-GBR.nurses.density_per_10k.2035"),
             Catch::Contains("no 'GHA-GBR' has the indicator 'density_per_10k'") &&
                 Catch::Contains("migrant_stock"));
  CHECK_THAT(refused("GHA.nurses.emigration.2020"),
             Catch::Contains("matches only values the model does not define"));
  CHECK_THAT(refused("GHA.nurses.supply"), Catch::Contains("is not an output pattern"));
}

TEST_CASE("sensitivity inputs: a shared entry and a correlated group are one input each",
          "[app][sensitivity]") {
  const auto study =
      model::prepare_study({sensitivity_scenario("sens_inputs", R"(  multivariate_normal:
    - source: "a fit"
      parameters:
        countries.GBR.cadres.nurses.exit_rate: {mean: 0.06, sd: 0.01, min: 0.03, max: 0.09}
        corridors.GHA-GBR.nurses.emigration_rate: {mean: 0.0125, sd: 0.003, min: 0.005, max: 0.03}
      correlation:
        - [1, 0.5]
        - [0.5, 1]
)")
                                .string()},
                           {});
  const auto inputs = model::sensitivity_inputs(study);
  REQUIRE(inputs.size() == 4);
  CHECK(inputs[0].label == exit_rate);
  CHECK(inputs[0].kind == "parameter");
  CHECK(inputs[2].label == "countries.*.cadres.*.retirement_rate");
  CHECK(inputs[2].kind == "shared");
  CHECK(inputs[2].parameters.size() == 2);
  CHECK(inputs[3].label == "a fit");
  CHECK(inputs[3].kind == "group");
  CHECK(inputs[3].dimensions == std::vector<std::size_t>{3, 4});
  CHECK(inputs[0].distribution == "uniform, 90% within [0.021, 0.039], set");
  // Morris maps the group's unbounded normal coordinates into (0, 1); the uniforms' whole range.
  const auto ranges = model::morris_ranges(study);
  REQUIRE(ranges.size() == 5);
  CHECK(ranges[0] == std::pair{0.0, 1.0});
  CHECK(ranges[4] == std::pair{model::morris_tail, 1 - model::morris_tail});
}

TEST_CASE("sensitivity refuses an input of zero width and bad design options",
          "[app][sensitivity]") {
  const auto scenario = test::write_file(
      test::scratch_folder("sens_zero_width"), "s.yaml",
      fmt::format(R"(format: 1
scenario: zero-width
extends: {}
uncertainty:
  samples: 10
  sampling: lhs
  seed: 7
  parameters:
    countries.GHA.cadres.nurses.exit_rate: {{dist: uniform, min: 0.02, max: 0.04}}
    countries.GBR.cadres.nurses.exit_rate: {{dist: discrete, values: [0.06]}}
)",
                  test::source_path("scenarios/two-countries.yaml").generic_string()));
  const auto study = model::prepare_study({scenario.string()}, std::nullopt);
  try {
    model::sensitivity_inputs(study);
    FAIL("a zero-width input was accepted");
  } catch (const engine::input_error& e) {
    CHECK_THAT(std::string(e.what()), Catch::Contains("s.yaml:10:") &&
                                          Catch::Contains("zero width") &&
                                          Catch::Contains("countries.GBR.cadres.nurses.exit_rate"));
  }

  const auto refused = [](app::sensitivity_options o) {
    try {
      run(std::move(o));
    } catch (const engine::input_error& e) {
      return std::string(e.what());
    }
    FAIL("accepted");
    return std::string();
  };
  app::sensitivity_options o;
  o.scenario = sensitivity_scenario("sens_bad_options").string();
  o.output = (test::scratch_folder("sens_bad_options_out") / "out").string();
  o.base_samples = 100;
  CHECK_THAT(refused(o), Catch::Contains("--base-samples") &&
                             Catch::Contains("not a power of two") &&
                             Catch::Contains("--base-samples 128"));
  o.base_samples = 2;
  CHECK_THAT(refused(o), Catch::Contains("2 base samples are too few for 3 inputs") &&
                             Catch::Contains("--base-samples 4"));
  o.base_samples = 64;
  o.confidence = 95;
  CHECK_THAT(refused(o), Catch::Contains("--confidence"));
  o.method = app::sensitivity_method::morris;
  o.levels = 5;
  CHECK_THAT(refused(o), Catch::Contains("--levels") && Catch::Contains("even"));
  o.levels = 4;
  o.trajectories = 1;
  CHECK_THAT(refused(o), Catch::Contains("--trajectories"));
  o.trajectories = 10;
  o.confidence = 0.95;
  o.outputs = {"*.*.*.*"};
  o.method = app::sensitivity_method::sobol;
  o.base_samples = 1 << 20;
  CHECK_THAT(refused(o), Catch::Contains("--outputs") && Catch::Contains("MiB"));
  CHECK_FALSE(fs::exists(o.output));  // nothing was written
}
