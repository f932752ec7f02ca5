// The studies called directly, as the command line calls them: run, compare and mc, and the
// results folder's transaction.

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <functional>
#include <span>
#include <sstream>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <catch2/catch.hpp>

#include "app/compare_study.hpp"
#include "app/mc_study.hpp"
#include "app/results_folder.hpp"
#include "app/run_study.hpp"
#include "engine/diagnostics.hpp"
#include "models/workforce/compiled_model.hpp"
#include "outputs/atomic_file.hpp"
#include "support.hpp"

using namespace hwf;
namespace fs = std::filesystem;

namespace {

/// The value column of the CSV row whose named columns have the given labels.
double csv_value(const std::string& csv,
                 const std::vector<std::pair<std::string, std::string>>& key) {
  std::istringstream in(csv);
  std::string line;
  std::getline(in, line);
  const auto split = [](const std::string& text) {
    std::vector<std::string> fields;
    std::stringstream ss(text);
    for (std::string f; std::getline(ss, f, ',');) fields.push_back(f);
    return fields;
  };
  const auto header = split(line);
  const auto column = [&](const std::string& name) {
    return static_cast<std::size_t>(std::find(header.begin(), header.end(), name) - header.begin());
  };
  while (std::getline(in, line)) {
    const auto fields = split(line);
    if (std::all_of(key.begin(), key.end(),
                    [&](const auto& k) { return fields.at(column(k.first)) == k.second; }))
      return std::stod(fields.at(column("value")));
  }
  FAIL("no row for the key in the CSV");
  return 0;
}

/// The options of an mc study of the two-country uncertainty scenario: `samples` runs into `dir`.
app::mc_options two_country_mc(const fs::path& dir, std::size_t samples) {
  app::mc_options o;
  o.scenarios = {test::source_path("scenarios/two-countries-uncertainty.yaml").string()};
  o.output = dir.string();
  o.samples = samples;
  return o;
}

}  // namespace

TEST_CASE("the run study writes indicators.csv with the values simulate() gives", "[app]") {
  const auto dir = test::scratch_folder("app_run") / "out";
  app::run_options o;
  o.scenario = test::source_path("scenarios/two-countries-policies.yaml").string();
  o.output = dir.string();
  const app::run_study study(o);
  CHECK(study.output_folder() == dir);
  app::results_folder folder(study.output_folder(), o.force);
  const auto results = study.execute();
  results.write(folder);

  const auto scenario = model::load_scenario(o.scenario);
  const model::compiled_model m(scenario);
  const auto run = model::simulate(m, m.default_parameters());
  const auto csv = out::read_file(dir / "indicators.csv");
  REQUIRE(csv);
  const std::size_t row = 2030 - 2020;
  const auto expected = test::indicator(m, run, row, "GHA", "nurses", "supply");
  CHECK(expected > 0);
  CHECK(csv_value(
            *csv,
            {{"country", "GHA"}, {"cadre", "nurses"}, {"indicator", "supply"}, {"year", "2030"}}) ==
        expected);
  CHECK(csv_value(
            *csv,
            {{"country", "GBR"}, {"cadre", "all"}, {"indicator", "shortage"}, {"year", "2045"}}) ==
        test::indicator(m, run, 2045 - 2020, "GBR", "all", "shortage"));
  for (const auto* name : {"corridors.csv", "run.json", "report.html", "files.sha256"})
    CHECK(fs::exists(dir / name));
  CHECK_THAT(results.text(),
             Catch::Contains("Results in " + dir.generic_string() +
                             "/: indicators.csv, corridors.csv, run.json, report.html"));
}

TEST_CASE("the compare study's summary is read by indicator name, not by position", "[app]") {
  const auto dir = test::scratch_folder("app_compare") / "out";
  app::compare_options o;
  o.scenarios = {test::source_path("scenarios/two-countries.yaml").string(),
                 test::source_path("scenarios/two-countries-policies.yaml").string()};
  o.output = dir.string();
  o.years = "2030,2045";
  app::compare_study study(o);
  const auto results = study.execute();
  REQUIRE(results.settings().years == std::vector<int>{2030, 2045});

  const auto scenario = model::load_scenario(o.scenarios[1]);
  const model::compiled_model m(scenario);
  const auto run = model::simulate(m, m.default_parameters());
  for (const std::string country : {"GHA", "GBR"}) {
    CHECK(results.summary_value(1, 1, country, "net_migration") ==
          test::indicator(m, run, 2045 - 2020, country, "all", "net_migration"));
    CHECK(results.summary_value(1, 0, country, "supply") ==
          test::indicator(m, run, 2030 - 2020, country, "all", "supply"));
    CHECK(results.summary_value(1, 0, country, "shortage") ==
          test::indicator(m, run, 2030 - 2020, country, "all", "shortage"));
  }
  // The policy costs Ghana money; the baseline nothing.
  CHECK(results.summary_value(1, 1, "GHA", "policy_cost_cumulative") > 0);
  CHECK(results.summary_value(0, 1, "GHA", "policy_cost_cumulative") == 0);
  CHECK_THROWS_AS(results.summary_value(1, 1, "GHA", "no_such_indicator"), std::out_of_range);
  const auto net = fmt::format("{:>10.0f}", results.summary_value(1, 1, "GHA", "net_migration"));
  CHECK_THAT(results.text(), Catch::Contains(net));
}

TEST_CASE("the results folder refuses a folder with files, and leaves none when writing fails",
          "[app]") {
  const auto base = test::scratch_folder("app_folder");
  fs::create_directory(base / "full");
  out::write_file_atomically(base / "full" / "indicators.csv", "old\n");
  CHECK_THROWS_AS(app::results_folder(base / "full", false), out::folder_not_empty);
  CHECK_NOTHROW(app::results_folder(base / "full", true));
  // A file the results catalogue does not define is refused before the folder is touched.
  {
    app::results_folder folder(base / "other", false);
    CHECK_THROWS_AS(folder.write("notes.txt", "x\n"), engine::internal_error);
  }
  CHECK_FALSE(fs::exists(base / "other"));

  // The first write fails (a file in a folder that does not exist): the folder created for it
  // is removed again, lock and all.
  const auto fresh = base / "fresh";
  {
    app::results_folder folder(fresh, false);
    CHECK_THROWS_AS(folder.write("no/such/summary.csv", "b\n"), out::output_error);
    CHECK(fs::exists(fresh / out::results_lock::file_name));
  }
  CHECK_FALSE(fs::exists(fresh));
  // Written but not committed: no manifest, so the folder never passes for one run's.
  {
    app::results_folder folder(base / "partial", false);
    folder.write("indicators.csv", "a\n");
  }
  CHECK(fs::exists(base / "partial" / "indicators.csv"));
  CHECK_FALSE(fs::exists(base / "partial" / out::manifest_name));

  {
    app::results_folder folder(base / "done", false);
    folder.write("indicators.csv", "a\n");
    folder.commit(false);
  }
  CHECK(out::read_file(base / "done" / "indicators.csv") == "a\n");
  CHECK(fs::exists(base / "done" / out::manifest_name));
  CHECK_FALSE(fs::exists(base / "done" / out::results_lock::file_name));
}

TEST_CASE("an mc study gives the same statistics with 1 and 2 threads", "[app]") {
  const auto base = test::scratch_folder("app_mc");
  std::vector<std::vector<std::pair<std::string, std::string>>> files;
  for (int threads : {1, 2}) {
    auto o = two_country_mc(base / std::to_string(threads), 6);
    o.threads = threads;
    app::mc_study study(o);
    REQUIRE(study.prepare() == 0);
    auto results = study.execute();
    REQUIRE(results);
    files.push_back(results->files());
    if (threads == 2) {
      results->write(study.folder());
      CHECK(fs::exists(base / "2" / "quantiles.csv"));
      CHECK(fs::exists(base / "2" / out::manifest_name));
    }
  }
  REQUIRE(files[0].size() == files[1].size());
  for (std::size_t i = 0; i < files[0].size(); ++i) {
    INFO(files[0][i].first);
    if (files[0][i].first != "run.json") CHECK(files[0][i].second == files[1][i].second);
  }
  CHECK(files[0][0].first == "quantiles.csv");
  CHECK(std::count(files[0].back().second.begin(), files[0].back().second.end(), '\n') > 1);
  const auto samples = std::find_if(files[0].begin(), files[0].end(),
                                    [](const auto& f) { return f.first == "samples.csv"; });
  REQUIRE(samples != files[0].end());
  CHECK(std::count(samples->second.begin(), samples->second.end(), '\n') == 7);  // header + 6
}

TEST_CASE("an mc study in memory makes no folder and gives each run's cells", "[app]") {
  const auto dir = test::scratch_folder("app_mc_in_memory") / "out";
  auto o = two_country_mc(dir, 5);
  o.in_memory = true;
  std::vector<std::size_t> runs;
  std::vector<std::vector<double>> kept;
  o.run_values = [&](std::size_t run, std::span<const double> cells) {
    runs.push_back(run);
    kept.emplace_back(cells.begin(), cells.end());
  };
  app::mc_study study(o);
  REQUIRE(study.prepare() == 0);
  const auto results = study.execute();
  REQUIRE(results);
  CHECK_FALSE(fs::exists(dir));
  CHECK(runs == std::vector<std::size_t>{0, 1, 2, 3, 4});
  CHECK(results->files().front().first == "quantiles.csv");
  // Each kept run is the run itself: its cells are model::run_sample's, and the runs differ.
  std::vector<double> cells(study.study().cells());
  model::run_sample(study.study(), 3, cells);
  REQUIRE(kept[3].size() == cells.size());
  CHECK(std::equal(cells.begin(), cells.end(), kept[3].begin(),
                   [](double a, double b) { return a == b || (std::isnan(a) && std::isnan(b)); }));
  CHECK_FALSE(std::equal(kept[0].begin(), kept[0].end(), kept[3].begin(), [](double a, double b) {
    return a == b || (std::isnan(a) && std::isnan(b));
  }));
}

TEST_CASE("execute_and_write runs a study into its folder and never over an older run", "[app]") {
  const auto dir = test::scratch_folder("app_execute") / "out";
  app::run_options o;
  o.scenario = test::source_path("scenarios/two-countries-policies.yaml").string();
  o.output = dir.string();
  std::vector<std::string> said;
  o.report.message = [&said](const std::string& text) { said.push_back(text); };
  const auto text = app::execute_and_write<app::run_study>(o);
  CHECK_THAT(text, Catch::Contains("Results in " + dir.generic_string() + "/"));
  const auto first = out::read_file(dir / "indicators.csv");
  REQUIRE(first);
  // The notes of the run are said through the options' sink, as run_results::notes() has them.
  CHECK(said == app::run_study(o).execute().notes());
  // The folder now holds a run: without force it is refused before anything runs or is written.
  CHECK_THROWS_AS(app::execute_and_write<app::run_study>(o), out::folder_not_empty);
  CHECK(out::read_file(dir / "indicators.csv") == first);
  o.force = true;
  CHECK_THAT(app::execute_and_write<app::run_study>(o), Catch::Contains("Results in "));
  CHECK(out::read_file(dir / "indicators.csv") == first);  // the same run, written again
}

TEST_CASE("the mc switches are checked together and set the mc options", "[app]") {
  app::mc_options o;
  o.scenarios = {"base.yaml"};
  // Switches as a command line gives them: --compare, --save-runs, --checkpoint, --no-checkpoint.
  const auto switches = [](bool compare, bool save_runs, std::string indicators, bool checkpoint,
                           bool no_checkpoint) {
    app::mc_switches s;
    s.compare = compare, s.save_runs = save_runs, s.save_indicators = std::move(indicators);
    s.checkpoint = checkpoint, s.no_checkpoint = no_checkpoint;
    return s;
  };
  const auto refused = [&o](const app::mc_switches& s, const std::string& what) {
    auto copy = o;
    CHECK_THROWS_WITH(app::apply(s, copy), Catch::Contains(what));
  };
  refused(switches(true, false, "", false, false),
          "--compare needs a baseline and at least one other scenario");
  refused(switches(false, false, "supply", false, false), "--save-indicators needs --save-runs");
  o.dist.resume = "results/x";
  refused(switches(false, false, "", false, true), "--resume goes on saving its checkpoint");
  o.dist.resume.clear();
  o.scenarios.push_back("policy.yaml");
  refused({}, "several scenarios given without --compare");

  app::apply(switches(true, true, "supply,density", false, false), o);
  REQUIRE(o.save_runs);
  CHECK(*o.save_runs == "supply,density");
  CHECK_FALSE(o.dist.checkpoint);
  app::apply(switches(true, false, "", true, false), o);
  CHECK(o.dist.checkpoint == true);
  app::apply(switches(true, false, "", false, true), o);
  CHECK(o.dist.checkpoint == false);
}

TEST_CASE("mc's execute_and_write writes the ensemble and reports its progress", "[app]") {
  const auto dir = test::scratch_folder("app_mc_execute") / "out";
  auto o = two_country_mc(dir, 5);
  std::size_t total = 0, last = 0;
  o.progress = [&](std::size_t runs) -> std::function<void(std::size_t)> {
    total = runs;
    return [&last](std::size_t done) { last = std::max(last, done); };
  };
  int argc = 1;
  char name[] = "hwfsim";
  char* args[] = {name, nullptr};
  char** argv = args;
  const auto outcome = app::execute_and_write(o, argc, argv);
  CHECK(outcome.status == 0);
  CHECK_THAT(outcome.text, Catch::Contains(dir.generic_string()));
  CHECK(total == 5);
  CHECK(last == 5);
  const auto samples = out::read_file(dir / "samples.csv");
  REQUIRE(samples);
  CHECK(std::count(samples->begin(), samples->end(), '\n') == 6);  // header + 5 runs
}

TEST_CASE("a fraction option refuses a percentage, naming the fraction", "[app]") {
  CHECK(app::fraction_check("0.03").empty());
  CHECK(app::fraction_check("").empty());
  CHECK(app::fraction_check("3%") == "'3%' is a percentage; write the fraction 0.03 instead");
  CHECK(app::fraction_check("x%") == "'x%' is not a number");
}
