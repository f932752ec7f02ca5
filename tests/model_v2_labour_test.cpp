// Funded posts and unemployed workers (docs/model.md, section 15.5): closed forms of U and W,
// the split of emigration between W and U, the indicators and mass balance.

#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "models/workforce/compiled_model.hpp"
#include "models/workforce/description.hpp"
#include "support.hpp"

using namespace hwf;

namespace {

using test::run_model;

/// Country AAA (nurses: no seats, exit 0.06 + retirement 0.04) with `labour` added to its
/// cadre entry, and country BBB (no pull feedback) with a corridor AAA -> BBB whose emigration
/// and return rates are given.
std::string two_countries(const std::string& labour, double emigration = 0, double returns = 0) {
  return fmt::format(R"(model: labour
start_year: 2020
cadres:
  nurses: {{training_years: 3, completion: 0.8, sdg_core: true}}
countries:
  AAA:
    name: Analytica
    population: 1.0e6
    cadres:
      nurses:
        workforce: 1000
        seats: 0
        exit_rate: 0.06
        retirement_rate: 0.04
        need_density: 40
        salary: 1000
        cost_per_student_year: 100
{}
  BBB:
    name: Elsewhere
    population: 2.0e6
    cadres:
      nurses:
        workforce: 8000
        seats: 900
        exit_rate: 0.05
        retirement_rate: 0.02
        need_density: 45
        salary: 30000
        cost_per_student_year: 9000
corridors:
  - origin: AAA
    destination: BBB
    cadres:
      nurses: {{migrant_stock: 0, emigration_rate: {}, return_rate: {},
               active_recruitment_share: 0.5}}
)",
                     labour, emigration, returns);
}

}  // namespace

TEST_CASE("with ample posts U empties at 1/hire_years into W", "[model][labour][analytic]") {
  // Vacancies always exceed U, no entrants, no unemployed exits: dU/dt = -U/h and
  // dW/dt = U/h - mu W, so U = U0 e^{-t/h} and
  // W = W0 e^{-mu t} + U0 (1/h) / (1/h - mu) (e^{-mu t} - e^{-t/h}) (eq. E3-E4).
  const auto r = run_model("labour_ample", two_countries("        posts: 1.0e6\n"
                                                         "        unemployed: 300\n"
                                                         "        hire_years: 0.5\n"
                                                         "        unemployed_exit_rate: 0"));
  const double h = 0.5, mu = 0.1, u0 = 300, w0 = 1000;
  for (int year : {2021, 2022, 2024}) {
    const double t = year - 2020;
    const double u = u0 * std::exp(-t / h);
    const double w =
        w0 * std::exp(-mu * t) + u0 / h / (1 / h - mu) * (std::exp(-mu * t) - std::exp(-t / h));
    CHECK(r.at(year, "AAA", "unemployed") == Approx(u).epsilon(1e-8));
    CHECK(r.at(year, "AAA", "workforce_domestic") == Approx(w).epsilon(1e-8));
    // Hires over the year are what left U: U(t-1) - U(t).
    const double u_before = u0 * std::exp(-(t - 1) / h);
    CHECK(r.at(year, "AAA", "hires") == Approx(u_before - u).epsilon(1e-8));
    CHECK(r.at(year, "AAA", "vacancies") == Approx(1.0e6 - w).epsilon(1e-10));
    CHECK(r.at(year, "AAA", "unemployment_rate") == Approx(u / (u + w)).epsilon(1e-8));
  }
  CHECK(r.at(2020, "AAA", "posts") == 1.0e6);
  CHECK(r.out.stats.mass_balance_residual < 1e-9);
}

TEST_CASE("with no vacancies U decays by its exit and emigration rates",
          "[model][labour][analytic]") {
  // Posts 0: no hiring. dU/dt = -(x + f m) U with x = unemployed_exit_rate, f the emigration
  // factor and m the corridor's rate; W keeps its own closed form, -(mu + m) W (eq. E5).
  const double x = 0.1, f = 1.5, m = 0.04, mu = 0.1, u0 = 500, w0 = 1000;
  const auto r = run_model("labour_no_vacancies",
                           two_countries(fmt::format("        posts: 0\n"
                                                     "        unemployed: {}\n"
                                                     "        unemployed_exit_rate: {}\n"
                                                     "        unemployed_emigration_factor: {}",
                                                     u0, x, f),
                                         m));
  for (int year : {2022, 2027, 2035}) {
    const double t = year - 2020;
    CHECK(r.at(year, "AAA", "unemployed") == Approx(u0 * std::exp(-(x + f * m) * t)).epsilon(1e-8));
    CHECK(r.at(year, "AAA", "workforce_domestic") ==
          Approx(w0 * std::exp(-(mu + m) * t)).epsilon(1e-8));
    CHECK(r.at(year, "AAA", "hires") == 0);
    // The corridor's emigrants come from both: m (W + f U) integrated over the year.
    const auto integral = [&](double rate, double s0) {
      return s0 * (std::exp(-rate * (t - 1)) - std::exp(-rate * t)) / rate;
    };
    const double emigrants = m * (integral(mu + m, w0) + f * integral(x + f * m, u0));
    CHECK(r.at(year, "AAA", "emigration") == Approx(emigrants).epsilon(1e-8));
    CHECK(r.at(year, "AAA", "unemployed_exits") ==
          Approx(x * integral(x + f * m, u0)).epsilon(1e-8));
  }
  CHECK(r.out.stats.mass_balance_residual < 1e-9);
}

TEST_CASE("returns join U, and registered counts U", "[model][labour]") {
  // AAA's migrants come home to U (posts 0 and no exits, so they stay there): with no
  // emigration, M = M0 e^{-(r + a) t} (a: BBB's attrition, 0.07), and U gains what returned,
  // M0 r / (r + a) (1 - e^{-(r + a) t}).
  std::string text = two_countries("        posts: 0\n        unemployed_exit_rate: 0", 0, 0.2);
  text.replace(text.find("migrant_stock: 0"), 16, "migrant_stock: 400");
  const auto r = run_model("labour_returns", text);
  for (int year : {2021, 2030}) {
    const double t = year - 2020;
    CHECK(r.at(year, "AAA", "unemployed") ==
          Approx(400 * 0.2 / 0.27 * (1 - std::exp(-0.27 * t))).epsilon(1e-8));
    CHECK(r.at(year, "AAA", "registered") ==
          Approx(r.at(year, "AAA", "supply") + r.at(year, "AAA", "unemployed")).epsilon(1e-12));
  }
  CHECK(r.out.stats.mass_balance_residual < 1e-9);
}

TEST_CASE("labour indicators have rows only where posts are given; the wage bill everywhere",
          "[model][labour]") {
  const auto r = run_model("labour_rows", two_countries("        posts: 900"), 2025);
  CHECK(r.at(2025, "AAA", "posts") == 900);
  CHECK(r.at(2025, "AAA", "posts", "all") == 900);
  for (const auto& name :
       {"posts", "vacancies", "unemployed", "unemployment_rate", "hires", "unemployed_exits"}) {
    CHECK(r.has("AAA", "nurses", name));
    CHECK(r.has("AAA", "all", name));
    CHECK_FALSE(r.has("BBB", "nurses", name));
    CHECK_FALSE(r.has("BBB", "all", name));
  }
  // Wage bill: salary times the worker-years of supply, in every country.
  CHECK(r.at(2025, "BBB", "wage_bill") == Approx(30000 * r.at(2025, "BBB", "supply_years")));
  CHECK(r.at(2025, "AAA", "wage_bill") == Approx(1000 * r.at(2025, "AAA", "supply_years")));
  CHECK(std::isnan(r.at(2020, "AAA", "wage_bill")));  // a flow: undefined at the start year
}

TEST_CASE("posts may be a series, and set: changes a point", "[model][labour][series]") {
  // Posts step from 0 to ample in 2025: nobody is hired before, U empties after.
  const auto text = two_countries(
      "        posts: {series: {2020: 0, 2025: 1.0e6}, interpolation: step}\n"
      "        unemployed: 200\n        unemployed_exit_rate: 0\n        hire_years: 1");
  const auto r = run_model("labour_series", text);
  CHECK(r.at(2024, "AAA", "unemployed") == Approx(200).epsilon(1e-12));
  CHECK(r.at(2027, "AAA", "unemployed") == Approx(200 * std::exp(-2.0)).epsilon(1e-8));
  CHECK(r.at(2026, "AAA", "posts") == 1.0e6);
  const auto moved = run_model("labour_series_set", text, 2035,
                               "set:\n  countries.AAA.cadres.nurses.posts.2025: 0\n");
  CHECK(moved.at(2030, "AAA", "unemployed") == Approx(200).epsilon(1e-12));
}

TEST_CASE("mass balances with posts, series, the rest of the world and levers together",
          "[model][labour][property]") {
  std::string text = two_countries(
      "        seats: 400\n        posts: {series: {2020: 800, 2030: 1200}}\n"
      "        unemployed: 150\n        unemployed_emigration_factor: 2",
      0.03, 0.05);
  text.replace(text.find("        seats: 0\n"), 17, "");
  text.replace(text.find("  BBB:"), 6,
               "  ROW: {name: Rest of the world, rest_of_world: true}\n  BBB:");
  text += R"(  - origin: AAA
    destination: ROW
    cadres:
      nurses: {migrant_stock: 100, emigration_rate: 0.02, return_rate: 0.1,
               active_recruitment_share: 0.3, exit_rate: 0.02, retirement_rate: 0.03}
)";
  const auto r = run_model("labour_mass", text, 2045, R"(policies:
  - name: cap
    type: emigration_cap
    origin: AAA
    cadres: [nurses]
    cap: 20
    start: 2025
)");
  CHECK(r.out.stats.mass_balance_residual < 1e-9);
  CHECK(r.out.stats.min_stock >= 0);
  CHECK(r.at(2045, "AAA", "unemployed") > 0);
  CHECK(r.at(2030, "AAA", "posts") == Approx(1200));
}

TEST_CASE("hiring adds posts over its ramp, paid at salary for the share filled",
          "[model][labour][levers][analytic]") {
  // 100 posts added from 2022 over 2 years, on top of none: the supply (W0 e^{-0.1 t} >= 100 to
  // 2035) fills every added post, so the cost is salary x 100 x strength (eq. E7).
  const std::string text = two_countries("        posts: 0");
  const std::string ramp = R"(policies:
  - name: hire
    type: hiring
    countries: [AAA]
    cadres: [nurses]
    added_posts: 100
    start: 2022
    ramp_years: 2
)";
  const auto r = run_model("labour_hiring_ramp", text, 2035, ramp);
  CHECK(r.at(2022, "AAA", "hiring_cost") == 0);
  CHECK(r.at(2023, "AAA", "hiring_cost") == Approx(1000 * 100 * 0.25).epsilon(1e-9));
  CHECK(r.at(2024, "AAA", "hiring_cost") == Approx(1000 * 100 * 0.75).epsilon(1e-9));
  CHECK(r.at(2030, "AAA", "hiring_cost") == Approx(1000 * 100).epsilon(1e-9));
  CHECK(r.at(2023, "AAA", "posts") == Approx(50).epsilon(1e-12));
  CHECK(r.at(2030, "AAA", "posts") == Approx(100).epsilon(1e-12));
  CHECK(r.at(2030, "AAA", "vacancies") == 0);

  // 1,000 posts added at once on 500 workers with no one to hire: half-filled and shrinking,
  // cost salary x 1000 x W/1000 = salary x W, integrated: 1000 x 500 (e^{-0.1(t-1)} - e^{-0.1t}) /
  // 0.1.
  std::string half = text;
  half.replace(half.find("workforce: 1000"), 15, "workforce: 500");
  const auto h = run_model("labour_hiring_fill", half, 2030, R"(policies:
  - name: hire
    type: hiring
    countries: [AAA]
    added_posts: 1000
    start: 2020
)");
  for (int year : {2021, 2025, 2030}) {
    const double t = year - 2020;
    CHECK(h.at(year, "AAA", "hiring_cost") ==
          Approx(1000 * 500 * (std::exp(-0.1 * (t - 1)) - std::exp(-0.1 * t)) / 0.1).epsilon(1e-8));
    CHECK(h.at(year, "AAA", "vacancies") == Approx(1000 - 500 * std::exp(-0.1 * t)).epsilon(1e-8));
  }
}

TEST_CASE("hiring needs funded posts in every country-cadre it names", "[model][labour][io]") {
  const auto dir = test::scratch_folder("labour_hiring_no_posts");
  test::write_file(dir, "model.yaml", two_countries("        posts: 900"));
  const auto path = test::write_file(dir, "s.yaml", R"(scenario: s
model: model.yaml
horizon: {end: 2030}
policies:
  - name: hire
    type: hiring
    countries: [AAA, BBB]
    cadres: [nurses]
    added_posts: 100
    start: 2022
)");
  try {
    model::load_scenario(path);
    FAIL("accepted");
  } catch (const engine::input_error& e) {
    CHECK_THAT(e.what(), Catch::Contains("s.yaml:8:13: error: policies.hire.cadres") &&
                             Catch::Contains("countries.BBB.cadres.nurses has no funded posts"));
  }
}

TEST_CASE("an agreement's recruits from the unemployed leave U alone; W keeps the rest's share",
          "[model][labour][levers][analytic]") {
  // No vacancies, no entrants. The corridor's flow m (W + f U) has an actively recruited part
  // a m (W + f U), all taken from U (unemployed_share 1, eq. 20a); the rest leaves W and U in
  // proportion W : f U. So dW/dt = -(mu + (1 - a) m) W = -k W, and
  // dU/dt = -(x + f m) U - a m W, whose solution is U = (U0 + c) e^{-lambda t} - c e^{-k t},
  // lambda = x + f m, c = a m W0 / (lambda - k).
  const double x = 0.1, f = 1, m = 0.04, a = 0.5, mu = 0.1, u0 = 5000, w0 = 1000;
  const std::string labour = fmt::format(
      "        posts: 0\n        unemployed: {}\n        unemployed_exit_rate: {}", u0, x);
  const auto r = run_model("labour_route", two_countries(labour, m), 2025,
                           "policies:\n  - {name: route, type: agreement, origin: AAA, "
                           "destination: BBB, start: 2020, ramp_years: 0, unemployed_share: 1}\n");
  const double k = mu + (1 - a) * m, lambda = x + f * m, c = a * m * w0 / (lambda - k);
  for (int year : {2021, 2023, 2025}) {
    const double t = year - 2020;
    CHECK(r.at(year, "AAA", "workforce_domestic") == Approx(w0 * std::exp(-k * t)).epsilon(1e-8));
    CHECK(r.at(year, "AAA", "unemployed") ==
          Approx((u0 + c) * std::exp(-lambda * t) - c * std::exp(-k * t)).epsilon(1e-8));
  }
  CHECK(r.out.stats.mass_balance_residual < 1e-9);

  // With an active quota Q below a m (W + f U) throughout: the flow is (1 - a) m (W + f U) + Q,
  // Q from U alone. dW/dt = -k W as above; dU/dt = -(x + (1 - a) f m) U - Q, so
  // U = (U0 + Q / lambda2) e^{-lambda2 t} - Q / lambda2, lambda2 = x + (1 - a) f m.
  const double q = 20;
  const auto rq = run_model(
      "labour_route_quota", two_countries(labour, m), 2025,
      fmt::format("policies:\n  - {{name: route, type: agreement, origin: AAA, destination: BBB, "
                  "start: 2020, ramp_years: 0, active_quota: {}, unemployed_share: 1}}\n",
                  q));
  const double lambda2 = x + (1 - a) * f * m;
  const auto w_at = [&](double t) { return w0 * std::exp(-k * t); };
  const auto u_at = [&](double t) {
    return (u0 + q / lambda2) * std::exp(-lambda2 * t) - q / lambda2;
  };
  for (int year : {2021, 2023, 2025}) {
    const double t = year - 2020;
    REQUIRE(a * m * (w_at(t) + f * u_at(t)) > q);  // the quota binds all along
    CHECK(rq.at(year, "AAA", "workforce_domestic") == Approx(w_at(t)).epsilon(1e-8));
    CHECK(rq.at(year, "AAA", "unemployed") == Approx(u_at(t)).epsilon(1e-8));
    // Emigrants over the year: Q plus the rest's (1 - a) m (W + f U), integrated.
    const double w_integral = w0 * (std::exp(-k * (t - 1)) - std::exp(-k * t)) / k;
    const double u_integral =
        (u0 + q / lambda2) * (std::exp(-lambda2 * (t - 1)) - std::exp(-lambda2 * t)) / lambda2 -
        q / lambda2;
    CHECK(rq.at(year, "AAA", "emigration") ==
          Approx(q + (1 - a) * m * (w_integral + f * u_integral)).epsilon(1e-8));
  }
  CHECK(rq.out.stats.mass_balance_residual < 1e-9);
  // Without unemployed_share the same quota takes its recruits from W and U in proportion.
  const auto rp = run_model(
      "labour_route_proportional", two_countries(labour, m), 2025,
      fmt::format("policies:\n  - {{name: route, type: agreement, origin: AAA, destination: BBB, "
                  "start: 2020, ramp_years: 0, active_quota: {}}}\n",
                  q));
  CHECK(rp.at(2025, "AAA", "workforce_domestic") < w_at(5) * (1 - 1e-4));
  CHECK(rp.at(2025, "AAA", "emigration") == Approx(rq.at(2025, "AAA", "emigration")).epsilon(0.02));
}
