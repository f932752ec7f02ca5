// Published projections set against a run (models/workforce/published.hpp, `compare
// --published`): the sums and changes, the verdicts at the tolerance's edges, the errors, the
// page, and that the shipped explanations still fit the world dataset.

#include <catch2/catch.hpp>

#include <fmt/format.h>

#include "app/compare_study.hpp"
#include "app/results_folder.hpp"
#include "models/workforce/published.hpp"
#include "outputs/projections_report.hpp"
#include "outputs/results_catalogue.hpp"
#include "support.hpp"

using namespace hwf;
using Catch::Matchers::Contains;

namespace {

/// The good scenario (AAA and BBB nurses, 2020-2030), compiled and run.
struct good_run {
  model::compiled_model m{model::load_scenario(test::source_path("tests/data/good/scenario.yaml"))};
  model::run_output run = model::simulate(m, m.default_parameters());

  double at(int year, const std::string& country, const std::string& indicator) const {
    return test::indicator(m, run, static_cast<std::size_t>(year - 2020), country, "nurses",
                           indicator);
  }
  std::vector<model::projection_comparison> compare(const model::published_data& p) const {
    return model::compare_published(p, m, {{"good", &run}});
  }
};

/// A file of one projection whose keys are `fields` (YAML flow mapping entries).
std::filesystem::path one_projection(const std::string& folder, const std::string& fields) {
  return test::write_file(test::scratch_folder(folder), "published.yaml",
                          "published: test\nprojections:\n  - {name: p, title: \"P\", source: "
                          "\"S\", flag: verified, counts: \"c\", explanation: \"e\", " +
                              fields + "}\n");
}

}  // namespace

TEST_CASE("a projection's change is the model's sum over its countries and cadres", "[published]") {
  const good_run g;
  const double from = g.at(2020, "AAA", "supply") + g.at(2020, "BBB", "supply");
  const double to = g.at(2030, "AAA", "supply") + g.at(2030, "BBB", "supply");
  REQUIRE(to != from);
  const auto all = model::load_published(
      one_projection("published_sum",
                     "indicator: supply, years: [2020, 2030], figures: {from: 100, to: 150}, "
                     "expect: below"),
      g.m);
  const auto r = g.compare(all);
  REQUIRE(r.size() == 1);
  CHECK(r[0].series == 2);
  CHECK(r[0].model_from == Approx(from).epsilon(1e-12));
  CHECK(r[0].model_to == Approx(to).epsilon(1e-12));
  CHECK(r[0].model_change == Approx(to / from - 1).epsilon(1e-12));
  CHECK(r[0].published_low == Approx(0.5));

  // One country, one cadre; an absolute change.
  const auto one = model::load_published(
      one_projection("published_one",
                     "indicator: need, countries: [BBB], cadres: [nurses], "
                     "years: [2022, 2028], figures: {change: 10}, expect: above"),
      g.m);
  const auto r1 = g.compare(one);
  CHECK(r1[0].series == 1);
  CHECK(r1[0].model_change ==
        Approx(g.at(2028, "BBB", "need") - g.at(2022, "BBB", "need")).epsilon(1e-12));
  CHECK(one.projections[0].tolerance == Approx(1.0));  // 10% of the published change
}

TEST_CASE("the verdict is agree within the tolerance of the published change or its range",
          "[published]") {
  const good_run g;
  const double change = g.at(2030, "AAA", "supply") / g.at(2020, "AAA", "supply") - 1;
  // Published levels whose change is the model's + offset; tolerance 0.05 (the default).
  const auto verdict = [&](double offset, const std::string& folder) {
    const auto p = model::load_published(
        one_projection(folder, fmt::format("indicator: supply, countries: [AAA], years: [2020, "
                                           "2030], figures: {{from: 1000, to: {}}}, expect: agree",
                                           1000 * (1 + change + offset))),
        g.m);
    return g.compare(p)[0].verdict;
  };
  CHECK(verdict(0.049, "published_v1") == model::projection_verdict::agree);
  CHECK(verdict(-0.049, "published_v2") == model::projection_verdict::agree);
  CHECK(verdict(0.051, "published_v3") == model::projection_verdict::below);
  CHECK(verdict(-0.051, "published_v4") == model::projection_verdict::above);

  // A range: agree anywhere inside it; the tolerance widens it on both sides.
  const double d = g.at(2030, "AAA", "supply") - g.at(2020, "AAA", "supply");
  const auto range = [&](double low, double high, const std::string& folder) {
    const auto p = model::load_published(
        one_projection(folder, fmt::format("indicator: supply, countries: [AAA], years: [2020, "
                                           "2030], figures: {{change_low: {}, change_high: {}}}, "
                                           "tolerance: 1, expect: agree",
                                           low, high)),
        g.m);
    return g.compare(p)[0].verdict;
  };
  CHECK(range(d - 50, d + 50, "published_r1") == model::projection_verdict::agree);
  CHECK(range(d + 0.5, d + 50, "published_r2") == model::projection_verdict::agree);
  CHECK(range(d + 1.5, d + 50, "published_r3") == model::projection_verdict::below);
  CHECK(range(d - 50, d - 1.5, "published_r4") == model::projection_verdict::above);
}

TEST_CASE("a projection on a scenario not compared, or on a zero start, is bad input",
          "[published]") {
  const good_run g;
  const auto other = model::load_published(
      one_projection("published_scenario",
                     "indicator: supply, years: [2020, 2030], figures: {from: 1, to: 2}, "
                     "expect: agree, scenario: god"),
      g.m);
  try {
    g.compare(other);
    FAIL("no error");
  } catch (const engine::input_error& e) {
    CHECK_THAT(e.what(), Contains("projections[0].scenario: 'god' is not a compared scenario"));
    CHECK_THAT(e.what(), Contains("did you mean 'good'?"));
    CHECK_THAT(e.what(), Contains("published.yaml:3:"));
  }
  // No corridor into AAA: nothing foreign-trained to grow from.
  const auto zero = model::load_published(
      one_projection("published_zero",
                     "indicator: foreign_trained, countries: [AAA], years: [2020, 2030], "
                     "figures: {from: 1, to: 2}, expect: agree"),
      g.m);
  REQUIRE(g.at(2020, "AAA", "foreign_trained") == 0);
  CHECK_THROWS_WITH(g.compare(zero), Contains("the model's foreign_trained is 0 in 2020"));
}

TEST_CASE("the projections page escapes its text and marks an explanation out of date",
          "[published][outputs]") {
  out::projections_page page;
  page.published_name = "p";
  page.published_file = "published.yaml";
  page.scenarios = {"base", "plan"};
  page.command = "hwfsim compare base.yaml plan.yaml --published published.yaml";
  out::projections_page::line l;
  l.name = "n";
  l.title = "Stock | <b>growth</b>";
  l.source = "S";
  l.flag = "verified";
  l.counts = "workers";
  l.explanation = "Written when *lower*.";
  l.scenario = "base";
  l.indicator = "supply";
  l.scope = "AAA, all cadres";
  l.series = 1;
  l.from_year = 2020;
  l.to_year = 2030;
  l.published_from = 65.1e6;
  l.published_low = l.published_high = 0.29;
  l.model_from = 14853436;
  l.model_to = 13979548;
  l.model_change = -0.0588;
  l.tolerance = 0.05;
  l.verdict = "below";
  l.expected = "below";
  page.lines = {l};
  auto md = out::projections_markdown(page);
  CHECK_THAT(md, Contains("Stock \\| &lt;b&gt;growth&lt;/b&gt;"));
  CHECK_THAT(md,
             Contains("| +29% (65.1 million to 84 million) | -6% (14.9 million to 14 million)"));
  CHECK_THAT(md, !Contains("out of date"));
  page.lines[0].expected = "agree";
  md = out::projections_markdown(page);
  CHECK_THAT(md, Contains("**below** (explanation out of date)"));
  CHECK_THAT(md, Contains("**1 of 1 explanations were written for another result**"));
  CHECK_THAT(md, Contains("written for a model that agreed; the model now is below"));

  // The CSV's columns are the catalogue's.
  const auto csv = out::projections_csv(page);
  const auto& c = out::columns_of(out::csv_shape::projections);
  std::string header = "name";
  for (const auto v : c.values) header += "," + std::string(v);
  CHECK(csv.substr(0, csv.find('\n')) == header);
  CHECK_THAT(csv, Contains("n,base,supply,1,2020,2030,relative,65100000,0.29,0.29,14853436,"
                           "13979548,-0.0588,0.05,below,agree"));
}

TEST_CASE("the shipped projections' explanations fit the world dataset's runs",
          "[published][dataset]") {
  // The test of docs/validation.md's published projections: an explanation written for a verdict the model no longer
  // gives fails here, naming it, until the explanation is revised (and `expect` with it).
  app::compare_options o;
  o.scenarios = {test::source_path("scenarios/flagship.yaml").string(),
                 test::source_path("scenarios/world-uk-training-expansion.yaml").string()};
  o.published = test::source_path("models/world/published.yaml").string();
  app::compare_study study(o);
  const auto results = study.execute();
  REQUIRE(results.projections());
  const auto& lines = results.projections()->lines;
  REQUIRE(lines.size() >= 9);
  for (const auto& l : lines) {
    INFO(l.name << ": written for " << l.expected << ", the model is " << l.verdict << " ("
                << l.model_change << " against " << l.published_low << " to " << l.published_high
                << ")");
    CHECK(l.verdict == l.expected);
  }
  for (const auto& note : results.notes()) CHECK_THAT(note, !Contains("published projection"));
}
