// The studies called directly, as the command line calls them: run, compare and mc, and the
// results folder's transaction.

#include <filesystem>
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
    app::mc_options o;
    o.scenarios = {test::source_path("scenarios/two-countries-uncertainty.yaml").string()};
    o.output = (base / std::to_string(threads)).string();
    o.samples = 6;
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
