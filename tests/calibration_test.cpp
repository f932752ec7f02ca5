// Calibration (docs/calibration.md): the engine's fit on functions with known answers (recovery,
// bounds, a parameter with no influence, thread counts), and `hwfsim calibrate`'s study on
// series the model itself generated, with and without noise, and its hold-out forecasts.

#include <catch2/catch.hpp>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <mutex>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "app/calibrate_study.hpp"
#include "engine/calibration.hpp"
#include "engine/distributions.hpp"
#include "engine/random.hpp"
#include "models/workforce/calibration.hpp"
#include "models/workforce/indicators.hpp"
#include "models/workforce/resolved_yaml.hpp"
#include "models/workforce/uncertainty.hpp"
#include "support.hpp"

using namespace hwf;

namespace {

/// y(t) = a e^{-b t} at t = 0..9, observed exactly for a = 2, b = 0.3; residuals in logs. A
/// third parameter, when fitted, enters nothing.
engine::residual_function exponential() {
  return [](std::span<const double> theta, std::span<double> r) {
    for (std::size_t i = 0; i < r.size(); ++i) {
      const double t = static_cast<double>(i);
      r[i] = std::log(theta[0] * std::exp(-theta[1] * t)) - std::log(2.0 * std::exp(-0.3 * t));
    }
    return true;
  };
}

std::vector<engine::fit_parameter> exponential_parameters(double b_upper = 1) {
  return {{"a", 1, 0.1, 10, std::nullopt}, {"b", 0.1, 0, b_upper, std::nullopt}};
}

}  // namespace

TEST_CASE("a fit recovers the parameters of an exact function", "[engine][calibration]") {
  engine::fit_settings s;
  s.starts = 3;
  const auto f = engine::least_squares_fit(exponential_parameters(), 10, exponential(), s);
  REQUIRE(f.converged);
  CHECK(f.estimate[0] == Approx(2).epsilon(1e-8));
  CHECK(f.estimate[1] == Approx(0.3).epsilon(1e-8));
  CHECK(f.cost < 1e-16);
  CHECK(f.identified[0]);
  CHECK(f.identified[1]);
  CHECK_FALSE(f.at_bound[1]);
  CHECK(f.starts.size() == 3);
  CHECK(f.evaluations > 10);
}

TEST_CASE("a fit stays within its bounds and says so", "[engine][calibration]") {
  engine::fit_settings s;
  const auto f = engine::least_squares_fit(exponential_parameters(0.25), 10, exponential(), s);
  CHECK(f.estimate[1] <= 0.25);
  CHECK(f.estimate[1] == Approx(0.25).epsilon(1e-9));
  CHECK(f.at_bound[1]);
  CHECK(std::isnan(f.standard_error(1)));  // no standard error on a bound
  CHECK(std::isfinite(f.standard_error(0)));
}

TEST_CASE("a parameter that enters nothing is not identified", "[engine][calibration]") {
  auto p = exponential_parameters();
  p.push_back({"nothing", 5, 0, 10, std::nullopt});
  const auto f = engine::least_squares_fit(p, 10, exponential(), engine::fit_settings{});
  CHECK(f.estimate[0] == Approx(2).epsilon(1e-7));
  CHECK_FALSE(f.identified[2]);
  CHECK(f.identified[0]);
  CHECK(f.identified[1]);
  CHECK(f.estimate[2] == f.starts[f.best].from[2]);  // nothing moves it from its start
  CHECK(std::isnan(f.standard_error(2)));
  CHECK(f.influence[2] == 0);
}

TEST_CASE("a fit treats a parameter in the billions like a rate", "[engine][calibration]") {
  // y = a e^{-b t} with a = 1.4e9 (a population, say): d log y / d a is 1e-9 of d log y / d b.
  // In units of each range the two are alike, so a is fitted and identified.
  const auto f_big = [](std::span<const double> theta, std::span<double> r) {
    for (std::size_t i = 0; i < r.size(); ++i) {
      const double t = static_cast<double>(i);
      r[i] = std::log(theta[0] * std::exp(-theta[1] * t)) - std::log(1.4e9 * std::exp(-0.3 * t));
    }
    return true;
  };
  const std::vector<engine::fit_parameter> p{{"a", 1e9, 1e8, 1e10, std::nullopt},
                                             {"b", 0.1, 0, 1, std::nullopt}};
  const auto f = engine::least_squares_fit(p, 10, f_big, engine::fit_settings{});
  REQUIRE(f.converged);
  CHECK(f.estimate[0] == Approx(1.4e9).epsilon(1e-8));
  CHECK(f.estimate[1] == Approx(0.3).epsilon(1e-8));
  CHECK(f.identified[0]);
  CHECK(f.identified[1]);
  CHECK(f.influence[0] > 0.1 * f.influence[1]);  // per width of its range
}

TEST_CASE("a prior keeps an unidentified parameter at its centre", "[engine][calibration]") {
  auto p = exponential_parameters();
  p.push_back({"nothing", 5, 0, 10, engine::fit_prior{false, 4, 0.5}});
  const auto f = engine::least_squares_fit(p, 10, exponential(), engine::fit_settings{});
  CHECK(f.estimate[2] == Approx(4).epsilon(1e-7));
  CHECK(f.identified[2]);  // the prior identifies it
}

TEST_CASE("a parameter whose 95% interval is wider than its bounds is weakly identified",
          "[engine][calibration]") {
  // Held by its prior alone, the parameter's standard error is the prior's sigma: 0.5 gives an
  // interval of 1.96 on a range of 10, 5 gives 19.6.
  for (const double sigma : {0.5, 2.5, 2.6}) {
    auto p = exponential_parameters();
    p.push_back({"prior only", 5, 0, 10, engine::fit_prior{false, 4, sigma}});
    const auto f = engine::least_squares_fit(p, 10, exponential(), engine::fit_settings{});
    INFO("sigma " << sigma);
    CHECK(f.standard_error(2) == Approx(sigma).epsilon(1e-6));
    CHECK(f.weak[2] == (2 * 1.96 * sigma > 10));
    CHECK_FALSE(f.weak[0]);  // the data pin the others
    CHECK_FALSE(f.weak[1]);
  }
}

TEST_CASE("a fit gives the same result for any thread count", "[engine][calibration][parallel]") {
  engine::fit_settings s;
  s.starts = 6;
  s.threads = 1;
  const auto one = engine::least_squares_fit(exponential_parameters(), 10, exponential(), s);
  s.threads = 2;
  const auto two = engine::least_squares_fit(exponential_parameters(), 10, exponential(), s);
  CHECK(one.best == two.best);
  CHECK(one.estimate == two.estimate);  // bit for bit
  CHECK(one.cost == two.cost);
  CHECK(one.covariance.size() == two.covariance.size());
  for (std::size_t k = 0; k < one.starts.size(); ++k)
    CHECK(one.starts[k].estimate == two.starts[k].estimate);
}

TEST_CASE("a fit tells its progress start by start, which changes nothing",
          "[engine][calibration]") {
  engine::fit_settings s;
  s.starts = 3;
  const auto quiet = engine::least_squares_fit(exponential_parameters(), 10, exponential(), s);
  std::mutex m;
  std::vector<engine::fit_iteration> seen;
  s.progress = [&](const engine::fit_iteration& i) {
    const std::lock_guard lock(m);
    seen.push_back(i);
  };
  const auto told = engine::least_squares_fit(exponential_parameters(), 10, exponential(), s);
  CHECK(told.estimate == quiet.estimate);  // bit for bit
  // Per start: iteration 0 first, then each iteration, then one `done` with the start's own
  // iterations and cost.
  for (std::size_t k = 0; k < 3; ++k) {
    std::vector<engine::fit_iteration> mine;
    for (const auto& i : seen)
      if (i.start == k) mine.push_back(i);
    REQUIRE(mine.size() >= 2);
    CHECK(mine.front().iteration == 0);
    CHECK_FALSE(mine.front().done);
    CHECK(mine.back().done);
    CHECK(std::count_if(mine.begin(), mine.end(), [](const auto& i) { return i.done; }) == 1);
    CHECK(mine.back().iteration == told.starts[k].iterations);
    CHECK(mine.back().cost == told.starts[k].cost);
    CHECK(mine.back().converged == told.starts[k].converged);
  }
}

TEST_CASE("a cancelled fit throws, whatever it had done", "[engine][calibration]") {
  engine::fit_settings s;
  s.starts = 2;
  std::atomic<bool> cancel{false};
  s.cancel = &cancel;
  // Cancelled at the first iteration of the first start.
  s.progress = [&](const engine::fit_iteration&) { cancel = true; };
  CHECK_THROWS_AS(engine::least_squares_fit(exponential_parameters(), 10, exponential(), s),
                  engine::fit_cancelled);
  cancel = false;
  s.progress = {};
  CHECK(engine::least_squares_fit(exponential_parameters(), 10, exponential(), s).converged);
}

TEST_CASE("starting points come from the priors within the bounds, or uniform",
          "[engine][calibration]") {
  std::vector<engine::fit_parameter> p{{"a", 1, 0, 2, std::nullopt},
                                       {"b", 0.5, 0.1, 0.9, engine::fit_prior{true, 0.3, 2}}};
  engine::fit_settings s;
  s.starts = 50;
  const auto points = engine::fit_starting_points(p, s);
  REQUIRE(points.size() == 50);
  CHECK(points[0] == std::vector<double>{1, 0.5});
  for (const auto& x : points) {
    CHECK(x[0] >= 0);
    CHECK(x[0] <= 2);
    CHECK(x[1] >= 0.1);
    CHECK(x[1] <= 0.9);
  }
  CHECK(engine::fit_starting_points(p, s) == points);  // deterministic
}

namespace {

/// The analytic model (tests/support.cpp) run from 2020 to 2035, with a calibration block that
/// fits the nurses' exit rate to `observed` (a file written beside it) over `fit`, holding out
/// `holdout`.
std::filesystem::path calibration_scenario(const std::string& folder, const std::string& observed,
                                           const std::string& extra = "") {
  const auto dir = test::scratch_folder(folder);
  test::write_file(dir, "model.yaml", test::analytic_model_yaml());
  test::write_file(dir, "observed.yaml", observed);
  return test::write_file(
      dir, "s.yaml",
      "scenario: fit\nmodel: model.yaml\nhorizon: {start: 2020, end: 2035}\n"
      "solver: {method: rk4, step: 1/12}\n"
      "calibration:\n  observed: observed.yaml\n  fit: {from: 2021, to: 2030}\n"
      "  holdout: {from: 2031, to: 2035}\n  seed: 3\n  starts: 3\n  parameters:\n"
      "    countries.AAA.cadres.nurses.exit_rate: {min: 0.01, max: 0.2}\n" +
          extra);
}

/// Supply of the analytic model with exit_rate `exit`, from 2021 to 2035, each value times
/// exp(noise * z) with z standard normal (Philox stream `replicate`); `settings` (e.g.
/// "se: 0.02") gives the series its settings, the years then under `values`.
std::string observed_supply(double exit, double noise = 0, std::uint64_t replicate = 0,
                            const std::string& settings = "") {
  const auto dir = test::scratch_folder("calibration_truth");
  test::write_file(dir, "model.yaml", test::analytic_model_yaml());
  const auto path = test::write_file(
      dir, "s.yaml",
      fmt::format("scenario: truth\nmodel: model.yaml\nhorizon: {{start: 2020, end: 2035}}\n"
                  "solver: {{method: rk4, step: 1/12}}\nset: {{countries.AAA.cadres.nurses."
                  "exit_rate: {}}}\n",
                  exit));
  const auto sd = model::load_scenario(path);
  const model::compiled_model m(sd);
  const auto run = model::simulate(m, m.default_parameters());
  const auto normal = engine::distribution::normal(0, 1);
  std::string out = "observed: truth\nseries:\n  AAA:\n    nurses:\n";
  const std::string indent = settings.empty() ? "      " : "        ";
  if (!settings.empty()) out += "      " + settings + "\n      values:\n";
  for (int year = 2021; year <= 2035; ++year) {
    const double z = normal.quantile(engine::uniform01(99, engine::rng_stream::sample, 0, replicate,
                                                       static_cast<std::uint64_t>(year)));
    const double v =
        test::indicator(m, run, static_cast<std::size_t>(year - 2020), "AAA", "nurses", "supply");
    out += fmt::format("{}{}: {}\n", indent, year, v * std::exp(noise * z));
  }
  return out;
}

app::calibrate_results calibrate(const std::filesystem::path& scenario, std::size_t threads = 0,
                                 const std::filesystem::path& output = {}) {
  app::calibrate_options o;
  o.scenario = scenario.string();
  o.threads = threads;
  o.output = output.string();
  return app::calibrate_study(o).execute();
}

}  // namespace

TEST_CASE("calibrate recovers an exit rate from the model's own supply",
          "[model][calibration][analytic]") {
  // Supply generated with exit_rate 0.04; the scenario starts from 0.06.
  const auto r = calibrate(calibration_scenario("calibration_exact", observed_supply(0.04)));
  REQUIRE(r.converged());
  CHECK(r.fit().estimate[0] == Approx(0.04).epsilon(1e-6));
  CHECK(r.problem().fit_points == 10);
  CHECK(r.problem().points.size() == 15);
  // Before the fit the model was off; after, it matches every point, hold-out years too.
  const auto& obs = r.problem().points;
  CHECK(r.start_values()[9] < obs[9].observed * 0.95);
  for (std::size_t i = 0; i < obs.size(); ++i)
    CHECK(r.fitted_values()[i] == Approx(obs[i].observed).epsilon(1e-6));
  // The hold-out rows: errors of the calibrated model near 0; persistence is 2030's value.
  REQUIRE(r.holdout().size() == 5);
  CHECK(r.holdout()[0].horizon == 1);
  CHECK(r.holdout()[4].horizon == 5);
  CHECK(r.holdout()[2].persistence == obs[9].observed);
  // The calibrated scenario sets the estimate with its flag and source.
  const auto yaml = r.calibrated_yaml();
  CHECK_THAT(yaml, Catch::Contains(fmt::format(
                       "countries.AAA.cadres.nurses.exit_rate: {{value: {}, flag: calibrated",
                       r.fit().estimate[0])));
  CHECK_THAT(r.parameters_csv(), Catch::StartsWith(fmt::format(
                                     "parameter,start,estimate,min,max,prior,standard_error,flag\n"
                                     "countries.AAA.cadres.nurses.exit_rate,0.06,{},0.01,0.2,none,",
                                     r.fit().estimate[0])));
  CHECK_THAT(r.parameters_csv(), Catch::EndsWith(",identified\n"));
}

TEST_CASE("the calibrated scenario runs to the fitted values", "[model][calibration]") {
  const auto scenario = calibration_scenario("calibration_emit", observed_supply(0.045, 0.02, 11));
  const auto out = scenario.parent_path() / "results";
  const auto r = calibrate(scenario, 0, out);
  std::filesystem::create_directories(out);
  const auto path = test::write_file(out, "calibrated.yaml", r.calibrated_yaml());
  const auto sd = model::load_scenario(path);  // extends ../s.yaml, relative to its folder
  CHECK(sd.name == "fit-calibrated");
  const auto i = *sd.model.params.find("countries.AAA.cadres.nurses.exit_rate");
  CHECK(sd.model.params[i].value == r.fit().estimate[0]);  // bit for bit
  CHECK(sd.model.params[i].flag == model::evidence::calibrated);
  const model::compiled_model m(sd);
  const auto run = model::simulate(m, m.default_parameters());
  CHECK(test::indicator(m, run, 10, "AAA", "nurses", "supply") == r.fitted_values()[9]);
}

TEST_CASE("noisy series: the estimate lies within its standard errors, and the intervals cover",
          "[model][calibration][property]") {
  // 2% log-normal noise on each of the ten fitted years; 40 replicates. The 95% interval
  // (estimate +- 1.96 standard errors, the residual scale estimated from the fit) covers the
  // true 0.04 in about 95% of them: at least 34 of 40 here, a bound a miscomputed standard
  // error (by a factor of 2 either way) fails.
  int covered = 0;
  for (std::uint64_t k = 0; k < 40; ++k) {
    const auto r = calibrate(calibration_scenario(fmt::format("calibration_noisy_{}", k),
                                                  observed_supply(0.04, 0.02, k)));
    REQUIRE(r.converged());
    const double se = r.fit().standard_error(0);
    REQUIRE(se > 0);
    if (std::abs(r.fit().estimate[0] - 0.04) <= 1.96 * se) ++covered;
  }
  CHECK(covered >= 34);
  CHECK(covered <= 40);
}

TEST_CASE("calibration gives the same results on 1 and 2 threads",
          "[model][calibration][parallel]") {
  const auto scenario = calibration_scenario("calibration_threads", observed_supply(0.05, 0.02, 7),
                                             "    countries.AAA.cadres.nurses.retirement_rate: "
                                             "{min: 0.001, max: 0.2}\n");
  const auto one = calibrate(scenario, 1);
  const auto two = calibrate(scenario, 2);
  CHECK(one.fit().estimate == two.fit().estimate);
  CHECK(one.fit_csv() == two.fit_csv());
  CHECK(one.parameters_csv() == two.parameters_csv());
}

TEST_CASE("exit and retirement rates together are not identified by supply alone",
          "[model][calibration]") {
  // Supply depends on their sum only: the pair is a null direction of the Jacobian.
  const auto r = calibrate(calibration_scenario(
      "calibration_sum", observed_supply(0.04),
      "    countries.AAA.cadres.nurses.retirement_rate: {min: 0.001, max: 0.2}\n"));
  CHECK_FALSE(r.fit().identified[0]);
  CHECK_FALSE(r.fit().identified[1]);
  CHECK_THAT(r.parameters_csv(), Catch::Contains("not identified"));
  // Their sum is still fitted: 0.04 + 0.04 (the model's retirement rate).
  CHECK(r.fit().estimate[0] + r.fit().estimate[1] == Approx(0.08).epsilon(1e-5));
}

TEST_CASE("the naive forecasts of the hold-out years, by hand", "[model][calibration]") {
  // One series observed 100, 110, 130 in 2020-2022 (fit) and 140 in 2024 (hold-out):
  // persistence 130; the least-squares line through the three: mean 113.33 at 2021, slope 15,
  // so 113.33 + 3 x 15 = 158.33 in 2024, two years after the last fitted value.
  model::calibration_problem p;
  for (const auto& [year, value, fitted] : {std::tuple{2020, 100.0, true},
                                            {2021, 110.0, true},
                                            {2022, 130.0, true},
                                            {2024, 140.0, false}}) {
    model::calibration_point point;
    point.year = year;
    point.observed = value;
    point.fitted = fitted;
    p.points.push_back(point);
  }
  p.fit_points = 3;
  const std::vector<double> fitted{0, 0, 0, 150};
  const auto rows = model::holdout_rows(p, fitted);
  REQUIRE(rows.size() == 1);
  CHECK(rows[0].horizon == 2);
  CHECK(rows[0].persistence == 130);
  CHECK(rows[0].trend == Approx(113.0 + 1.0 / 3 + 45).epsilon(1e-12));
  CHECK(rows[0].fitted == 150);
}

TEST_CASE("observed series the model cannot compare are refused", "[model][calibration][io]") {
  const auto error = [](const std::string& observed) {
    try {
      calibrate(calibration_scenario("calibration_bad_observed", observed));
    } catch (const std::exception& e) {
      return std::string(e.what());
    }
    return std::string();
  };
  CHECK_THAT(error("observed: x\nseries:\n  AAB:\n    nurses: {2021: 1000}\n"),
             Catch::Contains("'AAB' is not a country of model"));
  CHECK_THAT(error("observed: x\nseries:\n  AAA:\n    nurse: {2021: 1000}\n"),
             Catch::Contains("'nurse' is not a cadre of the model"));
  CHECK_THAT(error("observed: x\nseries:\n  AAA:\n    nurses: {2019: 1000}\n"),
             Catch::Contains("no observed value of"));
}

TEST_CASE("a series' standard error weighs its residuals and fixes the scale of the covariance",
          "[model][calibration]") {
  // The same noisy series, unweighted and with se 0.02: the same estimate (every residual is
  // scaled alike); the first's standard error uses the residual scale s, the second's the
  // given 0.02, so they differ by the factor 0.02 / s.
  const auto plain =
      calibrate(calibration_scenario("calibration_se_plain", observed_supply(0.04, 0.02, 7)));
  const auto weighed = calibrate(
      calibration_scenario("calibration_se_given", observed_supply(0.04, 0.02, 7, "se: 0.02")));
  REQUIRE(plain.converged());
  REQUIRE(weighed.converged());
  CHECK_FALSE(plain.problem().scaled);
  CHECK(weighed.problem().scaled);
  CHECK(weighed.problem().points[0].weight == 50);
  CHECK(weighed.fit().estimate[0] == Approx(plain.fit().estimate[0]).epsilon(1e-7));
  CHECK(weighed.fit().scale == 1);
  REQUIRE(plain.fit().scale > 0);
  CHECK(weighed.fit().standard_error(0) ==
        Approx(plain.fit().standard_error(0) * 0.02 / plain.fit().scale).epsilon(1e-4));
  // fit.csv's residual is weight * log(fitted / observed), with the weight beside it.
  const auto& p = weighed.problem().points[0];
  const double r = 50 * std::log(weighed.fitted_values()[0] / p.observed);
  CHECK_THAT(weighed.fit_csv(),
             Catch::Contains(fmt::format(",AAA,,nurses,practising,2021,fit,{},", p.observed)));
  CHECK_THAT(weighed.fit_csv(), Catch::Contains(fmt::format(",{},50,\n", r)));
}

TEST_CASE("calibrate recovers a corridor's emigration rate from its yearly joiners",
          "[model][calibration][analytic]") {
  // The teaching model's Ghana-UK nurses with emigration_rate 0.02: its emigration flow over
  // 2021-2030 and its migrant stock in odd years are the observed series, two measures of one
  // corridor cadre given as a list; the scenario starts from the model's 0.0125.
  const auto dir = test::scratch_folder("calibration_corridor");
  const auto model = test::source_path("models/teaching/two-countries.yaml").generic_string();
  const auto head = fmt::format(
      "model: \"{}\"\nhorizon: {{start: 2020, end: 2030}}\nsolver: {{method: rk4, step: 1/12}}\n",
      model);
  const auto truth_path = test::write_file(
      dir, "truth.yaml",
      "scenario: truth\n" + head + "set: {corridors.GHA-GBR.nurses.emigration_rate: 0.02}\n");
  const auto truth = model::load_scenario(truth_path);
  const model::compiled_model m(truth);
  const auto run = model::simulate(m, m.default_parameters());
  const auto series =
      m.corridors()[0].series + engine::position_of(model::corridor_indicator_table, "emigration");
  REQUIRE(m.corridor_set().labels()[0] == "GHA-GBR,nurses");
  const auto stock = m.corridors()[0].series +
                     engine::position_of(model::corridor_indicator_table, "migrant_stock");
  std::string observed =
      "observed: joiners\ncorridors:\n  GHA-GBR:\n    nurses:\n      - measure: emigration\n"
      "        values:\n";
  for (int year = 2021; year <= 2030; ++year)
    observed +=
        fmt::format("          {}: {}\n", year,
                    run.result.tables[1].row(static_cast<std::size_t>(year - 2020))[series]);
  observed += "      - measure: migrant_stock\n        values:\n";
  for (int year = 2021; year <= 2030; year += 2)
    observed += fmt::format("          {}: {}\n", year,
                            run.result.tables[1].row(static_cast<std::size_t>(year - 2020))[stock]);
  test::write_file(dir, "observed.yaml", observed);
  const auto scenario = test::write_file(
      dir, "s.yaml",
      "scenario: fit\n" + head +
          "calibration:\n  observed: observed.yaml\n  fit: {from: 2021, to: 2027}\n"
          "  holdout: {from: 2028, to: 2030}\n  seed: 5\n  starts: 2\n  parameters:\n"
          "    corridors.GHA-GBR.nurses.emigration_rate: {min: 0.001, max: 0.1}\n");
  const auto r = calibrate(scenario);
  REQUIRE(r.converged());
  CHECK(r.fit().estimate[0] == Approx(0.02).epsilon(1e-6));
  CHECK(r.problem().fit_points == 7 + 4);
  CHECK(r.problem().points[0].table == 1);
  CHECK_THAT(r.fit_csv(), Catch::Contains(",GHA,GBR,nurses,emigration,2021,fit,"));
  CHECK_THAT(r.fit_csv(), Catch::Contains(",GHA,GBR,nurses,migrant_stock,2027,fit,"));
  CHECK_THAT(r.holdout_csv(), Catch::Contains(",GHA,GBR,nurses,emigration,2030,3,"));
  CHECK_THAT(r.holdout_csv(), Catch::Contains(",GHA,GBR,nurses,migrant_stock,2029,2,"));
  // Two series of one measure are refused, at the second.
  const auto twice =
      observed.replace(observed.find("measure: migrant_stock"), 22, "measure: emigration   ");
  test::write_file(dir, "observed.yaml", twice);
  CHECK_THROWS_WITH(calibrate(scenario),
                    Catch::Contains("observed.yaml:17:9: error: corridors.GHA-GBR.nurses[1]: a "
                                    "second emigration series for the corridor GHA-GBR nurses"));
}

TEST_CASE("emitted uncertainty: the estimates drawn from their covariance",
          "[model][calibration]") {
  // Exit and entry rates fitted together to a noisy series: both identified, correlated.
  const auto scenario =
      calibration_scenario("calibration_uncertainty", observed_supply(0.04, 0.02, 3),
                           "    countries.AAA.cadres.nurses.entry_rate: {min: 0.3, max: 1}\n");
  const auto out = scenario.parent_path() / "results";
  app::calibrate_options o;
  o.scenario = scenario.string();
  o.output = out.string();
  o.emit_uncertainty = true;
  const auto r = app::calibrate_study(o).execute();
  REQUIRE(r.converged());
  const auto& f = r.fit();
  REQUIRE(f.standard_error(0) > 0);
  REQUIRE(f.standard_error(1) > 0);
  const double rho = f.correlation(0, 1);
  REQUIRE(std::abs(rho) > 0.1);
  std::filesystem::create_directories(out);
  test::write_file(out, "calibrated.yaml", r.calibrated_yaml());
  const auto path = test::write_file(out, "uncertainty.yaml", r.uncertainty_yaml());
  const auto sd = model::load_scenario(path);
  const auto& u = sd.uncertainty;
  REQUIRE(u.groups.size() == 1);
  CHECK(u.samples == 1000);
  CHECK(u.seed == 3);
  CHECK(u.dimensions() == 2);
  const auto& params = sd.model.params;
  const auto exit = *params.find("countries.AAA.cadres.nurses.exit_rate");
  const auto entry = *params.find("countries.AAA.cadres.nurses.entry_rate");
  // The centre of the design draws the estimates; z = (1, 0) draws the exit rate one standard
  // error up and the entry rate rho standard errors along.
  auto values = params.values();
  model::apply_sample(u, {0.5, 0.5}, values);
  CHECK(values[exit] == f.estimate[0]);
  CHECK(values[entry] == f.estimate[1]);
  values = params.values();
  model::apply_sample(u, {0.5 * std::erfc(-1 / std::sqrt(2.0)), 0.5}, values);
  CHECK(values[exit] == Approx(f.estimate[0] + f.standard_error(0)).epsilon(1e-12));
  CHECK(values[entry] == Approx(f.estimate[1] + rho * f.standard_error(1)).epsilon(1e-12));
  // The run record lists it.
  CHECK_THAT(r.run_json(), Catch::Contains("uncertainty.yaml"));
}

TEST_CASE("the hold-out's median errors are over the values all three forecasts give",
          "[model][calibration]") {
  // 2035 is a register count: a series of its own (measure `registered`) with no fit-year value,
  // so its hold-out row has horizon 0 and no naive forecast.
  auto observed = observed_supply(0.04);
  const auto at = observed.find("      2035: ");
  REQUIRE(at != std::string::npos);
  const auto value = observed.substr(at + 12, observed.find('\n', at) - at - 12);
  observed.replace(at, observed.size() - at,
                   "      2035: {value: " + value + ", concept: registered}\n");
  const auto r = calibrate(calibration_scenario("calibration_holdout_only", observed));
  REQUIRE(r.holdout().size() == 5);
  CHECK(r.holdout()[4].horizon == 0);
  CHECK(std::isnan(r.holdout()[4].persistence));
  // Over the four values with naive forecasts, then one entry for each of the horizons 1 to 4:
  // the three medians of a row are of the same values.
  const auto& errors = r.summary().holdout_errors;
  CHECK(r.summary().holdout_values == 5);
  REQUIRE(errors.size() == 5);
  CHECK(errors[0].horizon == 0);
  CHECK(errors[0].values == 4);
  for (int h = 1; h <= 4; ++h) {
    CHECK(errors[static_cast<std::size_t>(h)].horizon == h);
    CHECK(errors[static_cast<std::size_t>(h)].values == 1);
  }
}

TEST_CASE("a fit-year value marked fit: false is left out of the fit and the naive forecasts",
          "[model][calibration]") {
  // The model's own supply with 2030, the last fit year, tripled: a series break. Marked
  // `fit: false`, it moves nothing: the exit rate is recovered exactly, and persistence is
  // 2029's value, two years before 2031.
  auto observed = observed_supply(0.04);
  const auto at = observed.find("      2030: ");
  REQUIRE(at != std::string::npos);
  const auto end = observed.find('\n', at);
  const double value = std::stod(observed.substr(at + 12, end - at - 12));
  const auto marked = [&](const std::string& settings) {
    auto text = observed;
    text.replace(at, end - at, fmt::format("      2030: {{value: {}, {}}}", 3 * value, settings));
    return text;
  };
  const auto r = calibrate(calibration_scenario(
      "calibration_left_out", marked("fit: false, note: \"series break: another count\"")));
  REQUIRE(r.converged());
  CHECK(r.fit().estimate[0] == Approx(0.04).epsilon(1e-6));
  CHECK(r.problem().fit_points == 9);
  REQUIRE(r.problem().left_out.size() == 1);
  CHECK(r.problem().left_out[0].year == 2030);
  CHECK(r.problem().left_out[0].observed == 3 * value);
  CHECK_FALSE(r.problem().left_out[0].fitted);
  REQUIRE(r.holdout().size() == 5);
  CHECK(r.holdout()[0].horizon == 2);
  CHECK(r.holdout()[0].persistence == r.problem().points[8].observed);
  CHECK(r.problem().points[8].year == 2029);
  // Listed with its note, without a model value, in fit.csv and on the page.
  CHECK_THAT(r.fit_csv(), Catch::Contains(fmt::format(
                              ",AAA,,nurses,practising,2030,left_out,{},,,,1,series break: "
                              "another count\n",
                              3 * value)));
  const auto page = r.holdout_md();
  CHECK_THAT(page, Catch::Contains("- fit: 1 parameters to 9 values (1 more left out: below)"));
  CHECK_THAT(page, Catch::Contains(fmt::format(
                       "## Values left out of the fit\n\nThe observed file marks these values "
                       "of the fit years `fit: false`")));
  CHECK_THAT(page, Catch::Contains(fmt::format(
                       "| AAA nurses | 2030 | {:.0f} | series break: another count |", 3 * value)));
  // Unmarked, the tripled value pulls the estimate away.
  const auto plain = calibrate(calibration_scenario("calibration_not_left_out", marked("note: x")));
  CHECK(std::abs(plain.fit().estimate[0] - 0.04) > 1e-3);
  CHECK(plain.problem().left_out.empty());
  // `fit: true` is the default; a value left out without a note, and a misspelt key, are
  // located errors.
  CHECK(calibrate(calibration_scenario("calibration_fit_true", marked("fit: true, note: x")))
            .problem()
            .fit_points == 10);
  const auto error = [&](const std::string& settings) {
    try {
      calibrate(calibration_scenario("calibration_bad_fit", marked(settings)));
    } catch (const engine::input_error& e) {
      return std::string(e.what());
    }
    return std::string();
  };
  const auto no_note = error("fit: false");
  CHECK_THAT(no_note, Catch::Contains("observed.yaml:14:45: error: series.AAA.nurses.2030.fit:"));
  CHECK_THAT(no_note, Catch::Contains("a value left out of the fit says why in its `note`"));
  CHECK_THAT(error("fitt: false, note: x"), Catch::Contains("did you mean 'fit'"));
  CHECK_THAT(error("fit: no, note: x"), Catch::Contains("expected true or false"));
  const auto twice = error("fit: false, fit: false, note: x");  // reported once, at the second
  const auto first = twice.find("duplicate key");
  REQUIRE(first != std::string::npos);
  CHECK(twice.find("duplicate key", first + 1) == std::string::npos);
}

TEST_CASE("a calibration block in a file of its own", "[model][calibration]") {
  // The scenario names calibration/fit.yaml, whose observed file is relative to its folder.
  const auto dir = test::scratch_folder("calibration_own_file");
  test::write_file(dir, "model.yaml", test::analytic_model_yaml());
  std::filesystem::create_directories(dir / "calibration");
  test::write_file(dir / "calibration", "observed.yaml", observed_supply(0.04));
  test::write_file(dir / "calibration", "fit.yaml",
                   "format: 1\nobserved: observed.yaml\nfit: {from: 2021, to: 2030}\nseed: 3\n"
                   "parameters:\n  countries.AAA.cadres.nurses.exit_rate: {min: 0.01, max: 0.2}\n");
  const auto scenario =
      test::write_file(dir, "s.yaml",
                       "scenario: fit\nmodel: model.yaml\nhorizon: {start: 2020, end: 2035}\n"
                       "solver: {method: rk4, step: 1/12}\ncalibration: calibration/fit.yaml\n");
  const auto r = calibrate(scenario);
  REQUIRE(r.converged());
  CHECK(r.fit().estimate[0] == Approx(0.04).epsilon(1e-6));
  // The run record names the calibration file and the observed one among its inputs.
  CHECK_THAT(r.run_json(), Catch::Contains("calibration/fit.yaml"));
  CHECK_THAT(r.run_json(), Catch::Contains("calibration/observed.yaml"));
  // A mistake in it is reported at its own line and column.
  test::write_file(dir / "calibration", "fit.yaml",
                   "observed: observed.yaml\nfit: {from: 2021, to: 2030}\nseed: 3\nstart: 2\n"
                   "parameters:\n  countries.AAA.cadres.nurses.exit_rate: {min: 0.01, max: 0.2}\n");
  CHECK_THROWS_WITH(model::load_scenario(scenario),
                    Catch::Contains("calibration/fit.yaml:4:1: error: start: unknown key") &&
                        Catch::Contains("did you mean 'starts'?"));
}

TEST_CASE("hwfsim show writes the calibration block, which loads back the same",
          "[model][calibration][io]") {
  const auto scenario = calibration_scenario(
      "calibration_show", observed_supply(0.04),
      "    countries.AAA.cadres.nurses.seats: {min: 100, max: 2000, prior: {dist: lognormal, "
      "median: 500, sigma: 0.5}}\n");
  const auto loaded = model::load_scenario(scenario);
  const auto yaml = model::resolved_yaml(loaded);
  CHECK_THAT(yaml, Catch::Contains("\ncalibration:"));
  CHECK_THAT(yaml, Catch::Contains("  fit: {from: 2021, to: 2030}\n"));
  CHECK_THAT(yaml, Catch::Contains("  holdout: {from: 2031, to: 2035}\n"));
  CHECK_THAT(yaml, Catch::Contains("  seed: 3\n  starts: 3\n  max_iterations: 100\n"));
  CHECK_THAT(yaml, Catch::Contains("    countries.AAA.cadres.nurses.exit_rate: {min: 0.01, max: "
                                   "0.2}  # " +
                                   scenario.string() + ":12"));
  CHECK_THAT(yaml, Catch::Contains("    countries.AAA.cadres.nurses.seats: {min: 100, max: 2000, "
                                   "prior: {dist: lognormal, median: 500, sigma: 0.5}}"));
  const auto back = test::load_shown(yaml, scenario.parent_path()).calibration;
  const auto& c = loaded.calibration;
  CHECK(back.observed == c.observed);
  CHECK(back.fit_from == c.fit_from);
  CHECK(back.fit_to == c.fit_to);
  CHECK(back.holdout == c.holdout);
  CHECK(back.seed == c.seed);
  CHECK(back.starts == c.starts);
  REQUIRE(back.parameters.size() == 2);
  for (std::size_t i = 0; i < 2; ++i) {
    CHECK(back.parameters[i].pattern == c.parameters[i].pattern);
    CHECK(back.parameters[i].lower == c.parameters[i].lower);
    CHECK(back.parameters[i].upper == c.parameters[i].upper);
    CHECK(back.parameters[i].has_prior == c.parameters[i].has_prior);
    CHECK(back.parameters[i].prior_centre == c.parameters[i].prior_centre);
    CHECK(back.parameters[i].targets == c.parameters[i].targets);
  }
}

TEST_CASE("the hold-out goal and its page: met and not met", "[model][calibration]") {
  SECTION("an exact series: the model beats persistence, with no error, at every horizon") {
    const auto r = calibrate(calibration_scenario("calibration_goal_met", observed_supply(0.04)));
    REQUIRE(r.converged());
    const auto& s = r.summary();
    REQUIRE(s.goal);
    CHECK(s.goal->goal.horizon == 4);
    const auto& at = s.goal->at;
    CHECK(at.horizon == 4);
    CHECK(at.series == 1);
    CHECK(at.beats_persistence == 1);
    CHECK(std::abs(at.fitted_signed) < 1e-4);
    // Persistence holds 2030's value; four years on it is off by (2030 - 2034) / 2034.
    const auto& obs = r.problem().points;
    CHECK(obs[13].year == 2034);
    CHECK(at.persistence_signed ==
          Approx((obs[9].observed - obs[13].observed) / obs[13].observed * 100).epsilon(1e-12));
    CHECK(at.persistence == Approx(std::abs(at.persistence_signed)).epsilon(1e-12));
    CHECK(s.goal->met());
    const auto page = r.holdout_md();
    CHECK_THAT(page, Catch::Contains("The goal is met."));
    CHECK(page.find("the two error tests") == std::string::npos);  // said only when one fails
    CHECK(page.find("Where, at") == std::string::npos);
    CHECK_THAT(page, Catch::Contains("| 4 years | 1 | 1 | 1 of 1 | 0.0% |"));
    CHECK_THAT(page, Catch::Contains("hwfsim calibrate "));
    // run.json says the same.
    CHECK_THAT(r.run_json(), Catch::Contains("\"met\": true"));
    CHECK_THAT(r.run_json(), Catch::Contains("\"series_beating_persistence\": 1"));
  }
  SECTION("hold-out years 20% above the fit's path: the goal is not met, and the page says why") {
    // The fit years are exact; every hold-out value is multiplied by 1.2, so the calibrated
    // model is 1/1.2 - 1 = -16.7% off at each.
    auto observed = observed_supply(0.04);
    for (int year = 2031; year <= 2035; ++year) {
      const auto key = fmt::format("      {}: ", year);
      const auto at = observed.find(key);
      REQUIRE(at != std::string::npos);
      const auto end = observed.find('\n', at);
      const double v = std::stod(observed.substr(at + key.size(), end - at - key.size()));
      observed.replace(at, end - at, fmt::format("{}{}", key, v * 1.2));
    }
    const auto r = calibrate(calibration_scenario("calibration_goal_missed", observed));
    const auto& s = r.summary();
    REQUIRE(s.goal);
    const auto& at = s.goal->at;
    CHECK(at.fitted_signed == Approx((1 / 1.2 - 1) * 100).epsilon(1e-5));
    CHECK(at.fitted == Approx(std::abs(at.fitted_signed)).epsilon(1e-12));
    CHECK_FALSE(s.goal->abs_ok);
    CHECK_FALSE(s.goal->signed_ok);
    CHECK_FALSE(s.goal->met());
    // Each horizon's median is that horizon's one value; over all of them, the middle one.
    REQUIRE(s.holdout_errors.size() == 6);
    CHECK(s.holdout_errors[0].values == 5);
    CHECK(s.holdout_errors[0].fitted_signed == Approx(at.fitted_signed).epsilon(1e-5));
    const auto page = r.holdout_md();
    CHECK_THAT(page, Catch::Contains("**The goal is not met**"));
    CHECK_THAT(page, Catch::Contains("the median absolute error is too large"));
    CHECK_THAT(page, Catch::Contains("the median signed error shows a bias"));
    CHECK_THAT(page, Catch::Contains("| median signed error | within +-3% | -16.7% |"));
    // The naive forecasts miss too: persistence holds 2030's value below the raised 2034, and
    // the trend through the exact fit years runs 1/1.2 of the raised values as the model does.
    CHECK_THAT(page, Catch::Contains(fmt::format(
                         "Neither naive forecast passes the two error tests either (medians at 4 "
                         "years, absolute and signed: persistence {:.1f}% and {:+.1f}%, linear "
                         "trend {:.1f}% and {:+.1f}%).\n\n",
                         at.persistence, at.persistence_signed, at.trend, at.trend_signed)));
    CHECK(at.persistence_signed < -16.7);
    CHECK(at.trend_signed < -3);
    // Where: the one value at four years, which misses by 16.7% (persistence, holding the lower
    // value of 2030 on a growing stock, misses by more, so the model does not lose to it).
    const auto where = page.find("Where, at 4 years:");
    REQUIRE(where != std::string::npos);
    const auto table = page.substr(where, page.find("## By horizon") - where);
    CHECK_THAT(table, Catch::Contains("| AAA nurses | 2034 | "));
    CHECK_THAT(table, Catch::Contains("(-16.7%) | "));
    CHECK_THAT(table, Catch::EndsWith("| misses |  |\n\n"));
    CHECK(table.find("2033") == std::string::npos);  // three years on: not the goal's horizon
    CHECK(std::count(table.begin(), table.end(), '\n') == 6);  // text, blank, header, rule, row
    CHECK_THAT(r.run_json(), Catch::Contains("\"met\": false"));
  }
  SECTION("--report needs hold-out years") {
    const auto dir = test::scratch_folder("calibration_report_no_holdout");
    test::write_file(dir, "model.yaml", test::analytic_model_yaml());
    test::write_file(dir, "observed.yaml", observed_supply(0.04));
    app::calibrate_options o;
    o.scenario = test::write_file(dir, "s.yaml",
                                  "scenario: fit\nmodel: model.yaml\nhorizon: {start: 2020, end: "
                                  "2035}\ncalibration:\n  observed: observed.yaml\n  fit: {from: "
                                  "2021, to: 2030}\n  seed: 3\n  parameters:\n    countries.AAA."
                                  "cadres.nurses.exit_rate: {min: 0.01, max: 0.2}\n")
                     .string();
    o.report_page = (dir / "page.md").string();
    CHECK_THROWS_WITH(app::calibrate_study(o),
                      Catch::Contains("this calibration has no hold-out years"));
    CHECK_FALSE(std::filesystem::exists(dir / "page.md"));
  }
}
