// Arrivals from unlisted origins (docs/model.md, 15.9): an exogenous inflow into a country's own
// workforce, drawn by its pull, against closed forms, with series, age bands and posts, and in
// the mass balance.

#include <catch2/catch.hpp>

#include <cmath>
#include <fstream>
#include <iterator>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "engine/diagnostics.hpp"
#include "models/workforce/compiled_model.hpp"
#include "models/workforce/description.hpp"
#include "support.hpp"

using namespace hwf;

namespace {

/// One country, one cadre with no intake: W falls at 0.1 a year, fed only by `inflow`.
std::string no_intake(const std::string& inflow) {
  return test::one_country_yaml(
      "        seats: 0\n        exit_rate: 0.06\n        retirement_rate: 0.04\n"
      "        unlisted_inflow: " +
      inflow);
}

std::string read_text(const std::string& relative) {
  std::ifstream in(test::source_path(relative));
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

/// A shipped test dataset with `edits` applied (each `from` must occur).
std::string edited(const std::string& relative,
                   const std::vector<std::pair<std::string, std::string>>& edits) {
  std::string text = read_text(relative);
  for (const auto& [from, to] : edits) {
    const auto at = text.find(from);
    if (at == std::string::npos) throw std::runtime_error("no '" + from + "' in " + relative);
    text.replace(at, from.size(), to);
  }
  return text;
}

/// The derivative of the state at the initial state of `model_text`'s default run, at its start
/// year, with `change` applied to the state first.
template <class Change>
std::pair<std::vector<double>, std::unique_ptr<model::compiled_model>> derivative_at_start(
    const std::string& folder, const std::string& model_text, Change change) {
  const auto dir = test::scratch_folder(folder);
  test::write_file(dir, "model.yaml", model_text);
  test::write_file(dir, "s.yaml", "scenario: d\nmodel: model.yaml\nhorizon: {end: 2030}\n");
  const auto scenario = model::load_scenario(dir / "s.yaml");
  auto m = std::make_unique<model::compiled_model>(scenario);
  auto sys = model::make_run_system(*m, m->default_parameters());
  auto x = sys.initial_state;
  change(*m, x);
  std::vector<double> dx(x.size());
  sys.system->enter_segment(2020, 2020.5);
  sys.system->derivative(x, dx, 2020);
  return {std::move(dx), std::move(m)};
}

}  // namespace

TEST_CASE("a constant inflow from unlisted origins: W = I/mu + (W0 - I/mu) exp(-mu t)",
          "[model][analytic][unlisted]") {
  const auto r = test::run_model("unlisted_constant", no_intake("300"));
  // mu = 0.1, I = 300: W tends to 3000; the pull is 1 (no demand_elasticity).
  for (int year : {2021, 2025, 2035}) {
    INFO(year);
    const double t = year - 2020;
    CHECK(r.at(year, "AAA", "workforce_domestic") ==
          Approx(3000 - 2000 * std::exp(-0.1 * t)).epsilon(1e-9));
    CHECK(r.at(year, "AAA", "immigration") == Approx(300).epsilon(1e-9));
    CHECK(r.at(year, "AAA", "net_migration") == Approx(300).epsilon(1e-9));
    CHECK(r.at(year, "AAA", "foreign_trained") == 0);  // they join W, not a migrant stock
  }
  // The attrition is W's, arrivals included: 0.1 times the integral of W over the year.
  const double integral = 3000 - 20000 * (std::exp(-0.4) - std::exp(-0.5));
  CHECK(r.at(2025, "AAA", "attrition") == Approx(0.1 * integral).epsilon(1e-8));
  CHECK(r.out.stats.mass_balance_residual < 1e-12);
}

TEST_CASE("an inflow series: a step from 100 to 400 a year in 2025", "[model][unlisted]") {
  const auto r = test::run_model(
      "unlisted_series", no_intake("{series: {2020: 100, 2025: 400}, interpolation: step}"));
  CHECK(r.at(2024, "AAA", "immigration") == Approx(100).epsilon(1e-9));
  CHECK(r.at(2025, "AAA", "immigration") == Approx(100).epsilon(1e-9));  // over 2024-2025
  CHECK(r.at(2026, "AAA", "immigration") == Approx(400).epsilon(1e-9));
  const auto& params = r.model->parameters();
  REQUIRE(params.find("countries.AAA.cadres.nurses.unlisted_inflow.2025"));
  CHECK(r.out.stats.mass_balance_residual < 1e-12);
}

TEST_CASE("the inflow is drawn by the destination's pull, as a corridor's flow is",
          "[model][unlisted]") {
  // BBB's nurses have demand_elasticity 1: pull = (need / supply) / (need0 / supply0).
  const auto text = edited("tests/data/good/model.yaml",
                           {{"        demand_elasticity: 1.0",
                             "        demand_elasticity: 1.0\n        unlisted_inflow: 250"}});
  std::size_t w = 0, acc = 0;
  const auto halve_w = [&](const model::compiled_model& m, std::vector<double>& x) {
    const auto& b = m.blocks()[1];  // BBB nurses
    w = b.workforce;
    acc = b.accumulators + model::acc_unlisted_immigration;
    x[w] /= 2;
  };
  const auto [dx, m] = derivative_at_start("unlisted_pull", text, halve_w);
  // Supply 8000 + 200 at the start, 4000 + 200 now: the pull is 8200 / 4200.
  CHECK(dx[acc] == Approx(250 * 8200.0 / 4200.0).epsilon(1e-12));
  const auto [dx0, m0] =
      derivative_at_start("unlisted_pull_start", text, [](auto&, auto&) {});  // pull 1
  CHECK(dx0[acc] == Approx(250).epsilon(1e-14));
  // And the run keeps its mass.
  const auto r = test::run_model("unlisted_pull_run", text);
  CHECK(r.out.stats.mass_balance_residual < 1e-9);
  CHECK(r.at(2030, "BBB", "immigration") > r.at(2030, "AAA", "emigration"));
}

TEST_CASE("with age bands the arrivals enter by the entry shares", "[model][unlisted][ages]") {
  const auto base = read_text("tests/data/good/model_ages.yaml");
  const auto with = edited(
      "tests/data/good/model_ages.yaml",
      {{"        workforce: 8000", "        workforce: 8000\n        unlisted_inflow: 400"}});
  std::size_t w = 0, bands = 0, block = 1;
  const auto find = [&](const model::compiled_model& m, std::vector<double>&) {
    w = m.blocks()[block].workforce;
    bands = m.blocks()[block].bands;
  };
  const auto [d0, m0] = derivative_at_start("unlisted_ages_0", base, find);
  const auto [d1, m1] = derivative_at_start("unlisted_ages_1", with, find);
  REQUIRE(bands == 2);
  double added = 0;
  for (std::size_t k = 0; k < bands; ++k) added += d1[w + k] - d0[w + k];
  CHECK(added == Approx(400).epsilon(1e-12));
  const auto r = test::run_model("unlisted_ages_run", with);
  CHECK(r.out.stats.mass_balance_residual < 1e-9);
  CHECK(r.at(2021, "BBB", "immigration") > 0);
}

TEST_CASE("where posts are given the arrivals wait in U, as graduates do",
          "[model][unlisted][labour]") {
  const auto base = read_text("tests/data/good/model_posts.yaml");
  const auto with =
      edited("tests/data/good/model_posts.yaml",
             {{"        posts: 1050", "        posts: 1050\n        unlisted_inflow: 70"}});
  std::size_t w = 0, u = 0;
  const auto find = [&](const model::compiled_model& m, std::vector<double>&) {
    const auto& b = m.blocks()[0];
    w = b.workforce;
    u = b.unemployed;
  };
  const auto [d0, m0] = derivative_at_start("unlisted_posts_0", base, find);
  const auto [d1, m1] = derivative_at_start("unlisted_posts_1", with, find);
  CHECK(d1[u] - d0[u] == Approx(70).epsilon(1e-12));
  CHECK(d1[w] == d0[w]);
  const auto r = test::run_model("unlisted_posts_run", with);
  CHECK(r.out.stats.mass_balance_residual < 1e-9);
}

TEST_CASE("a negative inflow is bad input, located", "[model][unlisted][io]") {
  const auto dir = test::scratch_folder("unlisted_negative");
  test::write_file(dir, "model.yaml", no_intake("-5"));
  test::write_file(dir, "s.yaml", "scenario: n\nmodel: model.yaml\nhorizon: {end: 2030}\n");
  try {
    (void)model::load_scenario(dir / "s.yaml");
    FAIL("a negative unlisted_inflow was accepted");
  } catch (const engine::input_error& e) {
    const std::string text = e.what();
    CHECK_THAT(text, Catch::Contains("model.yaml:19:26") &&
                         Catch::Contains("countries.AAA.cadres.nurses.unlisted_inflow") &&
                         Catch::Contains("found -5"));
  }
}
