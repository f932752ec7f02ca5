#include <catch2/catch.hpp>

#include <cmath>
#include <cstring>
#include <fstream>
#include <map>
#include <thread>

#include <fmt/format.h>

#include "models/workforce/compiled_model.hpp"
#include "models/workforce/description.hpp"
#include "support.hpp"

using namespace hwf;

namespace {

std::filesystem::path analytic_scenario(const std::string& name, const std::string& solver) {
  const auto dir = test::scratch_folder(name);
  test::write_file(dir, "analytic.yaml", test::analytic_model_yaml());
  return test::write_file(dir, "scenario.yaml", test::analytic_scenario_yaml(solver));
}

/// W(t) = W* + (W0 - W*) exp(-mu (t - t0)), W* = I completion entry / mu (docs/model.md).
double analytic_w(double years) {
  const double intake = 500, completion = 0.8, entry = 0.9, mu = 0.06 + 0.04, w0 = 1000;
  const double w_star = intake * completion * entry / mu;
  return w_star + (w0 - w_star) * std::exp(-mu * years);
}

/// Largest relative error of W over all output years.
double max_relative_error(const std::filesystem::path& scenario) {
  const auto s = model::load_scenario(scenario);
  const model::compiled_model m(s);
  const auto r = model::simulate(m, m.default_parameters());
  double worst = 0;
  for (std::size_t row = 0; row < r.result.times.size(); ++row) {
    const double w = test::indicator(m, r, row, "AAA", "nurses", "workforce_domestic");
    const double exact = analytic_w(r.result.times[row] - 2020);
    worst = std::max(worst, std::abs(w - exact) / exact);
  }
  return worst;
}

std::vector<std::filesystem::path> shipped_scenarios() {
  std::vector<std::filesystem::path> out;
  for (const auto& e : std::filesystem::directory_iterator(test::source_path("scenarios")))
    if (e.path().extension() == ".yaml") out.push_back(e.path());
  std::sort(out.begin(), out.end());
  return out;
}

bool bytes_equal(const std::vector<double>& a, const std::vector<double>& b) {
  return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(double)) == 0;
}

}  // namespace

TEST_CASE("dopri5 matches the closed form W(t) to 1e-8 relative", "[model][analytic]") {
  const auto sc = analytic_scenario("analytic_dopri5",
                                    "{method: dopri5, step: 1/12, abs_tol: 1e-10, rel_tol: 1e-12}");
  CHECK(max_relative_error(sc) < 1e-8);
}

TEST_CASE("rk4 converges to the closed form at fourth order", "[model][analytic]") {
  const double e1 = max_relative_error(analytic_scenario("rk4_1", "{method: rk4, step: 1}"));
  const double e2 = max_relative_error(analytic_scenario("rk4_2", "{method: rk4, step: 1/2}"));
  const double e4 = max_relative_error(analytic_scenario("rk4_4", "{method: rk4, step: 1/4}"));
  INFO("errors " << e1 << " " << e2 << " " << e4);
  CHECK(e1 / e2 == Approx(16).margin(1.5));
  CHECK(e2 / e4 == Approx(16).margin(1.5));
}

TEST_CASE("a pipeline started in steady state stays there under constant seats", "[model]") {
  const auto sc = analytic_scenario("steady", "{method: rk4, step: 1/12}");
  const auto s = model::load_scenario(sc);
  const model::compiled_model m(s);
  const auto r = model::simulate(m, m.default_parameters());
  const std::size_t last = r.result.times.size() - 1;
  // Students = I (D/n) sum (1-q)^s; graduates per year = I completion.
  const double q = 1 - std::pow(0.8, 1.0 / 3);
  const double students = 500 * (1 + (1 - q) + (1 - q) * (1 - q));
  CHECK(test::indicator(m, r, 0, "AAA", "nurses", "students") == Approx(students).epsilon(1e-14));
  CHECK(test::indicator(m, r, last, "AAA", "nurses", "students") ==
        Approx(students).epsilon(1e-12));
  CHECK(test::indicator(m, r, last, "AAA", "nurses", "graduates") == Approx(400).epsilon(1e-12));
  CHECK(test::indicator(m, r, last, "AAA", "nurses", "entrants") == Approx(360).epsilon(1e-12));
}

TEST_CASE("students: growing starts the pipeline on the path of its growing seats",
          "[model][analytic]") {
  // Seats 500 e^{0.05 t}: on the balanced-growth path (eq. 23a) every stage, the students and
  // the graduates grow at 0.05 from the start, so graduates over [t-1, t] = G0 (e^{gt} -
  // e^{g(t-1)}) / g, with G0 = I0 ((1 - q) delta / (g + delta))^n.
  // Each indicator named, at every output year, of the analytic model with `extra` keys.
  const auto run = [](const std::string& name, const std::string& extra) {
    auto model = test::analytic_model_yaml();
    model.replace(model.find("        seats: 500\n"), 19, "        seats: 500\n" + extra);
    const auto dir = test::scratch_folder(name);
    test::write_file(dir, "analytic.yaml", model);
    const auto sc = test::write_file(dir, "scenario.yaml",
                                     test::analytic_scenario_yaml("{method: rk4, step: 1/24}"));
    const model::compiled_model m(model::load_scenario(sc));
    const auto r = model::simulate(m, m.default_parameters());
    std::map<std::string, std::vector<double>> out;
    for (const char* ind : {"students", "graduates", "supply"})
      for (std::size_t row = 0; row < r.result.times.size(); ++row)
        out[ind].push_back(test::indicator(m, r, row, "AAA", "nurses", ind));
    return out;
  };
  const double g = 0.05, delta = 1, q = 1 - std::pow(0.8, 1.0 / 3);
  const double carry = (1 - q) * delta / (g + delta);
  const double students0 = 500 / (g + delta) * (1 + carry + carry * carry);
  const double graduates0 = 500 * carry * carry * carry;
  const auto growing = run("growing", "        seat_growth: 0.05\n        students: growing\n");
  CHECK(growing.at("students")[0] == Approx(students0).epsilon(1e-14));
  for (std::size_t t = 1; t < growing.at("students").size(); ++t) {
    INFO("year " << 2020 + t);
    const double e = std::exp(g * static_cast<double>(t));
    CHECK(growing.at("students")[t] == Approx(students0 * e).epsilon(1e-9));
    CHECK(growing.at("graduates")[t] ==
          Approx(graduates0 * (e - e * std::exp(-g)) / g).epsilon(1e-9));
  }
  // The steady start under the same seats lags: its first year's graduates are the steady
  // state's 400, not the growing path's.
  const auto steady = run("growing_steady", "        seat_growth: 0.05\n");
  CHECK(steady.at("graduates")[1] == Approx(400).epsilon(2e-3));
  CHECK(growing.at("graduates")[1] < 0.9 * steady.at("graduates")[1]);
  // Without growth, growing is the steady state.
  const auto zero = run("growing_zero", "        students: growing\n");
  const auto plain = run("growing_default", "");
  for (const auto& [ind, values] : plain)
    for (std::size_t t = ind == "graduates" ? 1 : 0; t < values.size(); ++t)  // no flow at t0
      CHECK(zero.at(ind)[t] == Approx(values[t]).epsilon(1e-13));
}

TEST_CASE("students: growing refuses a seat decline its stages cannot carry, at run time too",
          "[model]") {
  // The loader checks the dataset's seat_growth; a value set later (here by the scenario) is
  // checked when the run starts.
  auto model = test::analytic_model_yaml();
  model.replace(model.find("training_years: 3,"), 18, "training_years: 3, stages: 1,");
  model.replace(model.find("        seats: 500\n"), 19,
                "        seats: 500\n        seat_growth: -0.1\n        students: growing\n");
  const auto dir = test::scratch_folder("growing_runtime");
  test::write_file(dir, "analytic.yaml", model);
  const auto sc = test::write_file(dir, "scenario.yaml",
                                   test::analytic_scenario_yaml("{method: rk4, step: 1/12}") +
                                       "set:\n  countries.AAA.cadres.nurses.seat_growth: -0.4\n");
  const model::compiled_model m(model::load_scenario(sc));
  CHECK_THROWS_WITH(model::simulate(m, m.default_parameters()),
                    Catch::Contains("countries.AAA.cadres.nurses.seat_growth = -0.4 shrinks the "
                                    "seats faster than students leave a stage (0.333333 a year)"));
}

TEST_CASE("every shipped scenario keeps mass balance and non-negative stocks",
          "[model][property]") {
  const auto scenarios = shipped_scenarios();
  REQUIRE_FALSE(scenarios.empty());
  for (const auto& sc : scenarios) {
    DYNAMIC_SECTION(sc.filename().string()) {
      const auto r = test::run_scenario(sc);
      CHECK(r.stats.mass_balance_residual <= 1e-9);
      CHECK(r.stats.min_stock >= 0);
    }
  }
}

TEST_CASE("mass balance holds across solvers and random parameters", "[model][property]") {
  const auto dir = test::scratch_folder("mass_random");
  std::filesystem::copy(test::source_path("tests/data/good/model.yaml"), dir / "model.yaml");
  const double exit_a = GENERATE(take(4, random(0.0, 0.2)));
  const double emig = GENERATE(take(3, random(0.0, 0.3)));
  const std::string method = GENERATE(as<std::string>{}, "euler", "rk4", "dopri5");
  test::write_file(dir, "s.yaml",
                   fmt::format("scenario: s\nmodel: model.yaml\nhorizon: {{end: 2040}}\n"
                               "solver: {{method: {}, step: 1/12}}\nset:\n"
                               "  countries.AAA.cadres.nurses.exit_rate: {}\n"
                               "  corridors.AAA-BBB.nurses.emigration_rate: {}\n",
                               method, exit_a, emig));
  const auto r = test::run_scenario(dir / "s.yaml");
  CHECK(r.stats.mass_balance_residual <= 1e-9);
  CHECK(r.stats.min_stock >= 0);
}

TEST_CASE("without pull feedback the model is linear in its stocks and intakes",
          "[model][property]") {
  const auto s = model::load_scenario(test::source_path("tests/data/good/scenario.yaml"));
  const model::compiled_model m(s);
  auto base = m.default_parameters();
  const auto& table = m.parameters();
  base[*table.find("countries.BBB.cadres.nurses.demand_elasticity")] = 0;
  auto scaled = base;
  const double lambda = 3;
  for (std::size_t i = 0; i < table.size(); ++i) {
    const auto& path = table[i].path;
    for (const char* key : {".workforce", ".seats", ".migrant_stock"})
      if (path.size() > std::strlen(key) && path.ends_with(key)) scaled[i] *= lambda;
  }
  const auto a = model::simulate(m, base);
  const auto b = model::simulate(m, scaled);
  const std::size_t last = a.result.times.size() - 1;
  for (const char* country : {"AAA", "BBB"})
    for (const char* ind : {"supply", "students", "abroad", "emigration", "training_cost"}) {
      INFO(country << " " << ind);
      CHECK(test::indicator(m, b, last, country, "nurses", ind) ==
            Approx(lambda * test::indicator(m, a, last, country, "nurses", ind)).epsilon(1e-12));
    }
  // The feedback itself matters: switching it on changes the destination's pull.
  const auto with_feedback = model::simulate(m, m.default_parameters());
  CHECK(test::indicator(m, with_feedback, last, "AAA", "nurses", "abroad") !=
        Approx(test::indicator(m, a, last, "AAA", "nurses", "abroad")).epsilon(1e-6));
}

TEST_CASE("cadre `all` sums cadres and recomputes densities", "[model]") {
  const auto sc = test::source_path("tests/data/good/scenario.yaml");
  const auto s = model::load_scenario(sc);
  const model::compiled_model m(s);
  const auto r = model::simulate(m, m.default_parameters());
  const double supply = test::indicator(m, r, 5, "BBB", "all", "supply");
  const double population = test::indicator(m, r, 5, "BBB", "all", "population");
  CHECK(supply == test::indicator(m, r, 5, "BBB", "nurses", "supply"));
  CHECK(test::indicator(m, r, 5, "BBB", "all", "density_per_10k") ==
        Approx(supply / population * 1e4));
  CHECK(test::indicator(m, r, 5, "BBB", "all", "sdg_density") == Approx(supply / population * 1e4));
  CHECK(population == Approx(2.0e6));
  // Supply of the destination = domestic + foreign-trained; emigration of AAA = immigration of BBB.
  CHECK(supply == Approx(test::indicator(m, r, 5, "BBB", "nurses", "workforce_domestic") +
                         test::indicator(m, r, 5, "BBB", "nurses", "foreign_trained")));
  CHECK(test::indicator(m, r, 5, "AAA", "nurses", "emigration") ==
        test::indicator(m, r, 5, "BBB", "nurses", "immigration"));
  // Yearly flows are not defined at the start year.
  CHECK(std::isnan(test::indicator(m, r, 0, "AAA", "nurses", "emigration")));
}

TEST_CASE("investment lost prices each emigrant at the origin's cost per graduate", "[model]") {
  const auto s = model::load_scenario(test::source_path("tests/data/good/scenario.yaml"));
  const model::compiled_model m(s);
  const auto r = model::simulate(m, m.default_parameters());
  const double per_graduate = 100.0 * 3 / 0.8;
  CHECK(test::indicator(m, r, 3, "AAA", "nurses", "investment_lost") ==
        Approx(per_graduate * test::indicator(m, r, 3, "AAA", "nurses", "emigration")));
}

TEST_CASE("results are bit-identical run to run and across threads", "[model][determinism]") {
  const auto s = model::load_scenario(test::source_path("scenarios/two-countries.yaml"));
  const model::compiled_model m(s);
  const auto params = m.default_parameters();
  const auto reference = model::simulate(m, params);
  const auto again = model::simulate(m, params);
  CHECK(bytes_equal(reference.result.tables[0].values, again.result.tables[0].values));
  CHECK(bytes_equal(reference.result.tables[1].values, again.result.tables[1].values));

  // Four threads share the one compiled model; each result must match the serial one.
  std::vector<model::run_output> outputs(4);
  std::vector<std::thread> threads;
  for (std::size_t i = 0; i < outputs.size(); ++i)
    threads.emplace_back([&, i] {
      for (int rep = 0; rep < 5; ++rep) outputs[i] = model::simulate(m, params);
    });
  for (auto& t : threads) t.join();
  for (const auto& o : outputs) {
    CHECK(bytes_equal(o.result.tables[0].values, reference.result.tables[0].values));
    CHECK(bytes_equal(o.result.tables[1].values, reference.result.tables[1].values));
  }
}

TEST_CASE("a stock driven negative stops the run naming it", "[model]") {
  const auto dir = test::scratch_folder("negative");
  std::filesystem::copy(test::source_path("tests/data/good/model.yaml"), dir / "model.yaml");
  // Euler with rate * step just under the load-time limit of 1 still cannot go negative; force
  // it through the parameter vector (as Monte Carlo would) to hit the run-time check.
  test::write_file(dir, "s.yaml",
                   "scenario: s\nmodel: model.yaml\nhorizon: {end: 2030}\n"
                   "solver: {method: euler, step: 1}\n");
  const auto s = model::load_scenario(dir / "s.yaml");
  const model::compiled_model m(s);
  auto p = m.default_parameters();
  p[*m.parameters().find("corridors.AAA-BBB.nurses.emigration_rate")] = 1.0;
  p[*m.parameters().find("countries.AAA.cadres.nurses.exit_rate")] = 1.0;
  CHECK_THROWS_WITH(model::simulate(m, p),
                    Catch::Contains("stock W[AAA,nurses] went negative") &&
                        Catch::Contains("at t = 2021.0000") &&
                        Catch::Contains("countries.AAA.cadres.nurses.exit_rate") &&
                        Catch::Contains("corridors.AAA-BBB.nurses.emigration_rate"));
  CHECK_NOTHROW(m.check_parameters(p));  // in range: only the run can tell
  p[*m.parameters().find("countries.AAA.cadres.nurses.exit_rate")] = 1.5;
  CHECK_THROWS_WITH(m.check_parameters(p),
                    Catch::Contains("countries.AAA.cadres.nurses.exit_rate: value 1.5 is outside"));
}

TEST_CASE("a collapsing adaptive step names the fastest-changing state", "[model]") {
  const auto scenario_path = test::scenario_on_good_model(
      "collapse",
      "scenario: s\nmodel: model.yaml\nhorizon: {end: 2030}\n"
      "solver: {method: dopri5, rel_tol: 1e-12, abs_tol: 1e-12, max_steps: 20}\n");
  const auto s = model::load_scenario(scenario_path);
  const model::compiled_model m(s);
  CHECK_THROWS_WITH(model::simulate(m, m.default_parameters()),
                    Catch::Contains("more than 20 steps") &&
                        Catch::Contains("fastest-changing state: ") &&
                        Catch::Contains("likely parameters: "));
}

namespace {

/// The good model (AAA sends nurses to BBB) run with `solver` and extra scenario YAML.
model::run_output run_good(const std::string& name, const std::string& solver,
                           const std::string& extra) {
  const auto path = test::scenario_on_good_model(
      name,
      "scenario: s\nmodel: model.yaml\nhorizon: {end: 2030}\nsolver: " + solver + "\n" + extra);
  const auto s = model::load_scenario(path);
  const model::compiled_model m(s);
  return model::simulate(m, m.default_parameters());
}

}  // namespace

TEST_CASE("a stock driven negative and back inside a year stops the run at that step", "[model]") {
  // 12,000 a year for 0.2 years takes about 2,400 nurses from a stock of 1,000; the short stay
  // then brings most migrants back, so at 2022 the stock is positive again. Whole-year checks
  // alone let this run pass with a negative yearly attrition.
  const std::string policies = R"(policies:
  - {name: surge, type: agreement, origin: AAA, destination: BBB, target_flow: 12000, start: 2021.0, end: 2021.2}
  - {name: homecoming, type: agreement, origin: AAA, destination: BBB, stay_years: 0.05, start: 2021.85}
)";
  CHECK_THROWS_WITH(run_good("dip", "{method: rk4, step: 1/12}", policies),
                    Catch::Contains("stock W[AAA,nurses] went negative") &&
                        Catch::Contains("at t = 2021.1667") &&
                        Catch::Contains("policy 'surge' adds") &&
                        Catch::Contains("(policies.surge.target_flow = 12000)") &&
                        Catch::Contains("Lower policies.surge.target_flow or shorten the policy") &&
                        Catch::Contains("a smaller solver step does not help"));
}

TEST_CASE("a stock a policy drives negative names the policy, not the solver", "[model]") {
  const std::string policies = R"(policies:
  - {name: big, type: agreement, origin: AAA, destination: BBB, target_flow: 50000, start: 2025}
)";
  for (const std::string solver : {"{method: dopri5}", "{method: rk4, step: 1/12}"}) {
    INFO(solver);
    CHECK_THROWS_WITH(run_good("big_target", solver, policies),
                      Catch::Contains("stock W[AAA,nurses] went negative") &&
                          Catch::Contains("at t = 2025.") && Catch::Contains("policy 'big' adds") &&
                          Catch::Contains("(policies.big.target_flow = 50000)") &&
                          !Catch::Contains("Use a smaller solver.step") &&
                          !Catch::Contains("method dopri5"));
  }
}

TEST_CASE("an indicator that overflows stops the run naming it and its inputs", "[model]") {
  const auto path = test::scenario_on_good_model(
      "overflow", "scenario: s\nmodel: model.yaml\nhorizon: {end: 2025}\n");
  const auto s = model::load_scenario(path);
  const model::compiled_model m(s);
  // In range, but the density over a population of 1e-320 persons is beyond any double.
  auto p = m.default_parameters();
  p[*m.parameters().find("countries.AAA.population")] = 1e-320;
  CHECK_NOTHROW(m.check_parameters(p));
  CHECK_THROWS_WITH(model::simulate(m, p),
                    Catch::Contains("indicator density_per_10k of AAA,nurses is inf in 2020") &&
                        Catch::Contains("countries.AAA.population"));
  // Seats at their largest valid value: stocks stay finite, a year's training cost does not.
  p = m.default_parameters();
  p[*m.parameters().find("countries.AAA.cadres.nurses.seats")] = 1e300;
  p[*m.parameters().find("countries.AAA.cadres.nurses.cost_per_student_year")] = 1e10;
  CHECK_NOTHROW(m.check_parameters(p));
  CHECK_THROWS_WITH(model::simulate(m, p),
                    Catch::Contains("indicator training_cost of AAA,nurses is inf in 2021") &&
                        Catch::Contains("countries.AAA.cadres.nurses.seats") &&
                        Catch::Contains("countries.AAA.cadres.nurses.cost_per_student_year"));
}

TEST_CASE("cadre `all` sums two cadres; sdg_density counts only sdg_core cadres", "[model]") {
  // The good model plus community health workers (sdg_core: false) in AAA only.
  std::ifstream in(test::source_path("tests/data/good/model.yaml"));
  std::string model_text{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  const auto replace = [&](const std::string& from, const std::string& to) {
    const auto at = model_text.find(from);
    REQUIRE(at != std::string::npos);
    model_text.replace(at, from.size(), to);
  };
  replace("  nurses: {training_years: 3, completion: 0.8, sdg_core: true}\n",
          "  nurses: {training_years: 3, completion: 0.8, sdg_core: true}\n"
          "  chw: {training_years: 1, completion: 0.9, sdg_core: false}\n");
  replace("        cost_per_student_year: 100\n",
          "        cost_per_student_year: 100\n"
          "      chw:\n"
          "        workforce: 3000\n"
          "        seats: 400\n"
          "        exit_rate: 0.1\n"
          "        retirement_rate: 0.02\n"
          "        need_density: 10\n"
          "        salary: 500\n"
          "        cost_per_student_year: 50\n");
  const auto dir = test::scratch_folder("two_cadres");
  test::write_file(dir, "model.yaml", model_text);
  const auto path = test::write_file(dir, "s.yaml",
                                     "scenario: s\nmodel: model.yaml\nhorizon: {end: 2030}\n"
                                     "solver: {method: rk4, step: 1/12}\n");
  const auto s = model::load_scenario(path);
  const model::compiled_model m(s);
  REQUIRE(m.cadre_ids() == std::vector<std::string>{"nurses", "chw"});
  const auto r = model::simulate(m, m.default_parameters());
  const auto v = [&](const std::string& cadre, const std::string& name) {
    return test::indicator(m, r, 5, "AAA", cadre, name);
  };
  REQUIRE(v("chw", "supply") > 1000);  // both cadres matter in the sums below
  for (const char* name :
       {"students", "intake", "graduates", "workforce_domestic", "abroad", "supply", "need",
        "shortage", "attrition", "emigration", "training_cost", "supply_years"})
    CHECK(v("all", name) == Approx(v("nurses", name) + v("chw", name)).epsilon(1e-12));
  CHECK(v("all", "population") == 1.0e6);
  CHECK(v("all", "density_per_10k") == Approx(v("all", "supply") / 1.0e6 * 1e4).epsilon(1e-12));
  // sdg_density counts nurses (sdg_core: true) only, not community health workers.
  CHECK(v("all", "sdg_density") == Approx(v("nurses", "supply") / 1.0e6 * 1e4).epsilon(1e-12));
  CHECK(v("all", "sdg_density") < v("all", "density_per_10k") - 1);
}

TEST_CASE("a pull blow-up names the destination's elasticity, not the origin's rates", "[model]") {
  // BBB's workforce drains at 2/year, so its need over supply, to the power 10, explodes and
  // pulls AAA's nurses out faster than any step can follow.
  const std::string set = R"(set:
  countries.BBB.cadres.nurses.demand_elasticity: 10
  countries.BBB.cadres.nurses.exit_rate: 1
  countries.BBB.cadres.nurses.retirement_rate: 1
  corridors.AAA-BBB.nurses.return_rate: 1
)";
  CHECK_THROWS_WITH(
      run_good("pull_blowup", "{method: rk4, step: 1/12}", set),
      Catch::Contains("stock W[AAA,nurses] went negative") &&
          Catch::Contains("the pull of its destination has multiplied the emigration out of it") &&
          Catch::Contains("Check countries.BBB.cadres.nurses.demand_elasticity and the "
                          "destination's countries.BBB.cadres.nurses.exit_rate and "
                          "countries.BBB.cadres.nurses.retirement_rate") &&
          !Catch::Contains("Use a smaller solver.step"));
}
