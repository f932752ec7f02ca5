// The results catalogue: every file a command writes is in it, the writers' headers are its
// columns around the schemas' keys, the stale-file rule removes exactly its files, and the
// generated file tables of docs/cli.md come from it.

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <memory>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "docs_tables.hpp"
#include "engine/diagnostics.hpp"
#include "models/workforce/comparison.hpp"
#include "outputs/atomic_file.hpp"
#include "outputs/csv_writer.hpp"
#include "outputs/results_catalogue.hpp"
#include "outputs/validation_report.hpp"
#include "support.hpp"

using namespace hwf;
namespace fs = std::filesystem;

namespace {

std::string first_line(const std::string& text) {
  return text.substr(0, text.find('\n') + 1);
}

/// The file names (a word, a dot, an extension of a result file) quoted in the sources of
/// folder `dir`: the files the commands write.
std::set<std::string> quoted_file_names(const fs::path& dir) {
  static const std::regex name("\"([a-z_]+\\.(csv|json|html|nc|md|svg|sha256))\"");
  std::set<std::string> names;
  if (!fs::exists(dir)) return names;
  for (const auto& e : fs::recursive_directory_iterator(dir)) {
    const auto ext = e.path().extension();
    if (ext != ".cpp" && ext != ".hpp") continue;
    std::ifstream in(e.path());
    std::stringstream text;
    text << in.rdbuf();
    const std::string s = text.str();
    for (std::sregex_iterator it(s.begin(), s.end(), name), end; it != end; ++it)
      names.insert((*it)[1]);
  }
  return names;
}

engine::table_values zeros(const std::shared_ptr<const engine::table_schema>& schema,
                           std::size_t years) {
  return {schema, std::vector<double>(years * schema->size(), 0.0)};
}

}  // namespace

TEST_CASE("every file the commands name is in the results catalogue", "[io]") {
  auto names = quoted_file_names(test::source_path("cli"));
  for (const auto& n : quoted_file_names(test::source_path("app"))) names.insert(n);
  REQUIRE(names.count("indicators.csv") == 1);  // the scan finds what main.cpp writes
  const auto& own = out::own_result_names();
  // hwfsim workshop writes one page where -o says (by default results/workshop.html), not a
  // results folder: its name is no result file's.
  REQUIRE(names.erase("workshop.html") == 1);
  for (const auto& n : names) {
    INFO(n);
    CHECK(std::find(own.begin(), own.end(), n) != own.end());
  }
  CHECK_THROWS_AS(out::result_entry("notes.csv"), engine::internal_error);
}

TEST_CASE("the catalogue defines each file once, with the commands that write it", "[io]") {
  const auto& c = out::results_catalogue();
  std::set<std::string_view> seen;
  for (const auto& f : c) {
    INFO(f.name);
    CHECK(seen.insert(f.name).second);
    CHECK_FALSE(f.written_by.empty());
    CHECK((f.format == out::file_format::csv) == f.name.ends_with(".csv"));
  }
  CHECK(out::writing_commands() == std::vector<std::string_view>{"run", "compare", "backcast",
                                                                 "calibrate", "mc", "sensitivity"});
  CHECK(out::own_result_names().size() == c.size());
  CHECK(out::result_entry("deltas.csv").use_by("compare") != nullptr);
  CHECK(out::result_entry("deltas.csv").use_by("run") == nullptr);
  CHECK(out::result_entry("difference_quantiles.csv").use_by("mc")->when ==
        out::written_when::comparing);
}

TEST_CASE("a writer's header is the catalogue's columns around the schema's keys", "[io]") {
  const model::compiled_model m(
      model::load_scenario(test::source_path("scenarios/two-countries.yaml")));
  const std::vector<double> times{2020, 2021};
  const auto& indicators = m.schemas()[0];
  const auto& corridors = m.schemas()[1];
  const auto summary = model::country_summary_schema(m);
  const auto corridor_summary = model::corridor_summary_schema(m);
  const auto header = [](std::string_view file,
                         const std::shared_ptr<const engine::table_schema>& schema) {
    return out::csv_header(out::result_entry(file).shape, schema->key_columns);
  };
  CHECK(header("indicators.csv", indicators) == "scenario,year,country,cadre,indicator,value\n");
  const auto t = zeros(indicators, 2), k = zeros(corridors, 2);
  CHECK(first_line(out::long_csv("s", times, t)) == header("indicators.csv", indicators));
  CHECK(first_line(out::long_csv("s", times, k)) == header("corridors.csv", corridors));
  CHECK(first_line(out::delta_csv("s", times, t, t)) == header("deltas.csv", indicators));
  CHECK(first_line(out::delta_csv("s", times, k, k)) == header("corridor_deltas.csv", corridors));
  CHECK(first_line(out::long_csv("s", times, zeros(summary, 2))) == header("summary.csv", summary));
  CHECK(first_line(
            out::delta_csv("s", times, zeros(corridor_summary, 2), zeros(corridor_summary, 2))) ==
        header("corridor_summary.csv", corridor_summary));
  const std::vector<double> cells(2 * indicators->size(), 1.0), q(5 * cells.size(), 1.0);
  CHECK(first_line(out::quantiles_csv("s", times, *indicators, 0, cells, cells, q)) ==
        header("quantiles.csv", indicators));
  CHECK(header("quantiles.csv", indicators) ==
        "scenario,year,country,cadre,indicator,mean,sd,p05,p25,p50,p75,p95\n");
  const auto& backcast = out::result_entry("backcast.csv");
  CHECK(out::validation_csv("s", {}) ==
        out::csv_header(backcast.shape, {backcast.fixed_keys.begin(), backcast.fixed_keys.end()}));
  CHECK(out::validation_csv("s", {}) ==
        "scenario,country,cadre,year,observed,projected,error_percent,observed_density,"
        "projected_density,note\n");
}

TEST_CASE("the stale-file rule of --force removes exactly the catalogue's files", "[io]") {
  const auto dir = test::scratch_folder("catalogue_stale");
  for (const auto& f : out::results_catalogue()) test::write_file(dir, std::string(f.name), "x");
  for (const auto* user : {"notes.md", "indicators.csv.bak", "chart.svg", "run.json5"})
    test::write_file(dir, user, "mine");
  out::remove_stale_results(dir, {"indicators.csv", "run.json"});
  std::set<std::string> left;
  for (const auto& e : fs::directory_iterator(dir)) left.insert(e.path().filename().string());
  CHECK(left == std::set<std::string>{"indicators.csv", "run.json", "notes.md",
                                      "indicators.csv.bak", "chart.svg", "run.json5"});
  for (const auto& f : out::results_catalogue()) {
    INFO(f.name);
    CHECK(out::is_own_temporary("." + std::string(f.name) + ".tmp0123abcd"));
  }
  CHECK_FALSE(out::is_own_temporary(".notes.md.tmp0123abcd"));
}

TEST_CASE("the file tables come from the catalogue and the teaching model's keys", "[io]") {
  const auto keys = test::teaching_key_columns();
  CHECK(keys.at("corridors") ==
        std::vector<std::string>{"origin", "destination", "cadre", "indicator"});
  CHECK(keys.at("probabilities") == std::vector<std::string>{"country", "probability"});
  const auto table = out::files_table_markdown("compare", keys);
  CHECK_THAT(table, Catch::StartsWith("| file | columns or format | content |\n|---|---|---|\n"
                                      "| `indicators.csv` | "
                                      "`scenario,year,country,cadre,indicator,value` | every "));
  CHECK_THAT(table, Catch::Contains("| `corridor_summary.csv` | "
                                    "`scenario,year,origin,destination,cadre,indicator,baseline,"
                                    "value,delta` |"));
  CHECK_THAT(table, Catch::Contains("| `run.json` | JSON |"));
  CHECK_THAT(out::files_table_markdown("mc", keys),
             Catch::Contains("| `samples.csv` | `run,<sampled dimension>...` |"));
  CHECK_THAT(out::result_names_markdown(),
             Catch::StartsWith("`indicators.csv`, `corridors.csv`, ") &&
                 Catch::EndsWith(" and `files.sha256`.\n"));
}

TEST_CASE("generated blocks are replaced between their begin and end lines", "[io]") {
  const auto block = [](std::string_view name) -> std::optional<std::string> {
    if (name == "a") return std::string("new\n");
    return std::nullopt;
  };
  CHECK(out::with_generated_blocks("x\n<!-- begin: a -->\nold\nold\n<!-- end: a -->\ny\n", block) ==
        "x\n<!-- begin: a -->\nnew\n<!-- end: a -->\ny\n");
  CHECK(out::with_generated_blocks("<!-- begin: b -->\nkept\n<!-- end: b -->\n", block) ==
        "<!-- begin: b -->\nkept\n<!-- end: b -->\n");
  CHECK_FALSE(out::with_generated_blocks("<!-- begin: a -->\nold\n<!-- end: b -->\n", block));
}

TEST_CASE("docs/cli.md's file tables are current", "[io]") {
  const auto text = out::read_file(test::source_path("docs/cli.md"));
  REQUIRE(text);
  const auto current = test::current_cli_docs(*text);
  REQUIRE(current);
  const bool is_current = *current == *text;
  INFO("regenerate them: build/ci/tests/hwf_docs_tables --write docs/cli.md");
  CHECK(is_current);
  CHECK_THAT(*text, Catch::Contains("<!-- begin: files mc -->"));
}
