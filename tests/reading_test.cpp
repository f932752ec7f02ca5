// Reading files from disk safely (engine/input_file) and escaping what goes out (CSV formulas,
// Markdown and HTML in generated pages): docs/robustness.md.

#include <catch2/catch.hpp>

#include <chrono>
#include <fstream>

#include <sys/stat.h>

#include <nlohmann/json.hpp>

#include "engine/binary_io.hpp"
#include "engine/diagnostics.hpp"
#include "engine/ensemble.hpp"
#include "engine/input_file.hpp"
#include "engine/markdown_text.hpp"
#include "engine/yaml_input.hpp"
#include "models/workforce/data_sources.hpp"
#include "models/workforce/description.hpp"
#include "outputs/checkpoint.hpp"
#include "outputs/csv_writer.hpp"
#include "outputs/holdout_report.hpp"
#include "outputs/html_report.hpp"
#include "outputs/validation_report.hpp"
#include "support.hpp"

using namespace hwf;
using Catch::Contains;

namespace {

/// The message read_regular_file throws for `path`, or "" when it reads.
std::string read_failure(const std::filesystem::path& path, std::uintmax_t limit = 1 << 20) {
  try {
    engine::read_regular_file(path, limit);
  } catch (const engine::read_error& e) {
    return e.what();
  }
  return "";
}

/// The message loading `scenario` gives, or "" when it loads.
std::string scenario_error(const std::filesystem::path& scenario) {
  try {
    model::load_scenario(scenario);
  } catch (const engine::input_error& e) {
    return e.what();
  }
  return "";
}

std::filesystem::path fifo_in(const std::filesystem::path& dir, const std::string& name) {
  const auto p = dir / name;
  REQUIRE(::mkfifo(p.c_str(), 0600) == 0);
  return p;
}

}  // namespace

TEST_CASE("a regular file is read whole, byte for byte", "[engine][io]") {
  const auto dir = test::scratch_folder("read_regular");
  std::string bytes(200000, 'x');
  bytes[7] = '\0';
  bytes.back() = '\n';
  const auto p = test::write_file(dir, "f.bin", bytes);
  CHECK(engine::read_regular_file(p, bytes.size()) == bytes);
  CHECK_THAT(read_failure(p, bytes.size() - 1),
             Contains("the file has 200000 bytes, more than the limit of 199999 bytes"));
}

TEST_CASE("devices, FIFOs and folders are refused by kind, at once", "[engine][io]") {
  const auto dir = test::scratch_folder("read_kinds");
  const auto start = std::chrono::steady_clock::now();
  CHECK(read_failure("/dev/zero") ==
        "this is a character device (such as /dev/zero or a terminal), not a regular file");
  CHECK_THAT(read_failure("/dev/urandom"), Contains("character device"));
  // Nobody writes to this FIFO: opening it for reading would block for ever.
  CHECK(read_failure(fifo_in(dir, "pipe")) == "this is a FIFO (named pipe), not a regular file");
  CHECK(read_failure(dir) == "this is a folder, not a file");
  CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(5));
}

TEST_CASE("a read stops at the limit when the file system does not tell the size", "[engine][io]") {
  // /proc files report a size of 0 but have content.
  CHECK_FALSE(engine::read_regular_file("/proc/self/maps", 1 << 24).empty());
  CHECK(read_failure("/proc/self/maps", 16) == "the file has more than the limit of 16 bytes");
}

TEST_CASE("symbolic link loops, dangling links and I/O errors say what they are", "[engine][io]") {
  const auto dir = test::scratch_folder("read_links");
  std::filesystem::create_symlink("loop.yaml", dir / "loop.yaml");
  std::filesystem::create_symlink("gone.yaml", dir / "dangling.yaml");
  CHECK_THAT(read_failure(dir / "loop.yaml"), Contains("this is a symbolic link loop"));
  CHECK(read_failure(dir / "dangling.yaml") ==
        "no such file: it is a symbolic link to 'gone.yaml', which does not exist");
  CHECK(read_failure(dir / "missing.yaml") == "no such file");
  // Reading /proc/self/mem at offset 0 fails with EIO.
  CHECK(read_failure("/proc/self/mem") == "read error: Input/output error");
}

TEST_CASE("a scenario that is a device or a link loop is bad input naming it", "[model][io]") {
  const auto dir = test::scratch_folder("scenario_kinds");
  std::filesystem::create_symlink("s.yaml", dir / "s.yaml");
  CHECK(scenario_error(dir / "s.yaml") ==
        (dir / "s.yaml").string() +
            ": error: this is a symbolic link loop (a link that leads back to itself)\n"
            "  expected a file, or a link to one");
  CHECK_THAT(scenario_error("/dev/zero"), Contains("/dev/zero: error: this is a character device"));
  CHECK_THAT(scenario_error(fifo_in(dir, "fifo.yaml")),
             Contains("fifo.yaml: error: this is a FIFO"));
}

TEST_CASE("model: or extends: naming what cannot be read points at that key", "[model][io]") {
  const auto dir = test::scratch_folder("model_kinds");
  fifo_in(dir, "pipe.yaml");
  std::filesystem::create_symlink("loop.yaml", dir / "loop.yaml");
  const auto scenario = [&](const std::string& name, const std::string& line) {
    return test::write_file(dir, name, "scenario: s\n" + line + "\nhorizon: {end: 2030}\n");
  };
  CHECK_THAT(scenario_error(scenario("a.yaml", "model: /dev/zero")),
             Contains("a.yaml:2:8: error: model: the model file '/dev/zero' cannot be read: this "
                      "is a character device (such as /dev/zero or a terminal), not a regular "
                      "file"));
  CHECK_THAT(scenario_error(scenario("b.yaml", "model: /proc/self/mem")),
             Contains("b.yaml:2:8: error: model: the model file '/proc/self/mem' cannot be "
                      "read: read error: Input/output error"));
  CHECK_THAT(scenario_error(scenario("c.yaml", "model: pipe.yaml")),
             Contains("c.yaml:2:8: error: model: the model file '" +
                      (dir / "pipe.yaml").generic_string() + "' cannot be read: this is a FIFO"));
  CHECK_THAT(scenario_error(scenario("d.yaml", "model: loop.yaml")),
             Contains("cannot be read: this is a symbolic link loop"));
  CHECK_THAT(scenario_error(scenario("e.yaml", "extends: /dev/urandom")),
             Contains("e.yaml:2:10: error: extends: the parent scenario '/dev/urandom' cannot be "
                      "read: this is a character device"));
  CHECK_THAT(scenario_error(scenario("f.yaml", "extends: loop.yaml")),
             Contains("f.yaml:2:10: error: extends: the parent scenario '" +
                      (dir / "loop.yaml").generic_string() +
                      "' cannot be read: this is a symbolic link loop"));
}

TEST_CASE("the report refuses a deeply nested run.json and files it must not read", "[io]") {
  const auto dir = test::scratch_folder("report_hostile");
  const auto report_error = [&] {
    try {
      out::report_html(dir, {});
    } catch (const engine::input_error& e) {
      return std::string(e.what());
    }
    return std::string();
  };
  // Nested inside a run's record, which the reader copies: this overflowed the stack.
  test::write_file(
      dir, "run.json",
      "{\"scenario\":" + std::string(100000, '[') + std::string(100000, ']') + ",\"horizon\":1}");
  CHECK_THAT(report_error(), Contains("run.json: error: not a run.json hwfsim writes: its arrays "
                                      "and objects nest more than 64 levels deep"));
  // 64 levels are still read (then refused for what they hold).
  test::write_file(dir, "run.json", std::string(64, '[') + std::string(64, ']'));
  CHECK_THAT(report_error(), Contains("run.json: error: not a run.json of hwfsim\n"));

  std::filesystem::remove(dir / "run.json");
  std::filesystem::create_symlink("/dev/zero", dir / "run.json");
  CHECK_THAT(report_error(), Contains("run.json: error: this is a character device"));
  std::filesystem::remove(dir / "run.json");
  fifo_in(dir, "run.json");
  CHECK_THAT(report_error(), Contains("run.json: error: this is a FIFO (named pipe)"));
}

TEST_CASE("a checkpoint chunk that is a device is refused, not read for ever", "[io]") {
  const auto dir = test::scratch_folder("checkpoint_device");
  std::filesystem::create_directories(dir / "checkpoint");
  std::filesystem::create_symlink("/dev/zero", dir / "checkpoint" / "chunk-000000000000.bin");
  const out::checkpoint_folder cp(dir);
  try {
    cp.load(10);
    FAIL("expected checkpoint_error");
  } catch (const out::checkpoint_error& e) {
    CHECK_THAT(e.what(), Contains("chunk-000000000000.bin: this is a character device"));
  }
}

TEST_CASE("CSV text that a spreadsheet takes for a formula gets an apostrophe", "[io]") {
  CHECK(out::csv_field("=HYPERLINK(\"http://x\",\"y\")") ==
        "\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\"");
  CHECK(out::csv_field("+1+cmd|' /C calc'!A0") == "'+1+cmd|' /C calc'!A0");
  CHECK(out::csv_field("-2+3") == "'-2+3");
  CHECK(out::csv_field("@SUM(A1)") == "'@SUM(A1)");
  CHECK(out::csv_field("\tx") == "'\tx");
  CHECK(out::csv_field("\rx") == "\"'\rx\"");
  CHECK(out::csv_field("'quoted") == "''quoted");
  CHECK(out::csv_field("-inf") == "'-inf");
  // Numbers are never formulas; text elsewhere is unchanged.
  CHECK(out::csv_field("-0.5") == "-0.5");
  CHECK(out::csv_field("+2e3") == "+2e3");
  CHECK(out::csv_field("a=b") == "a=b");
  CHECK(out::csv_field("") == "");
  for (const std::string s : {"=1+2", "'x", "''x", "-", "@", "-0.5", "plain", "'", "x'"}) {
    INFO(s);
    std::string field = out::csv_field(s);
    if (field.front() == '"') field = field.substr(1, field.size() - 2);
    CHECK(out::csv_text(field) == s);
  }
}

TEST_CASE("every CSV hwfsim writes neutralises formulas in its text fields", "[io]") {
  // A tidy table: the scenario's name is text; the values stay numbers.
  engine::table_schema schema;
  schema.key_columns = {"country"};
  schema.series = {{"=cmd"}};
  engine::table_values table;
  table.schema = std::make_shared<const engine::table_schema>(schema);
  table.values = {-0.5, 1};
  CHECK(out::long_csv("@scenario", {2020, 2021}, table) ==
        "scenario,year,country,value\n'@scenario,2020,'=cmd,-0.5\n'@scenario,2021,'=cmd,1\n");

  engine::observation_match m;
  m.keys = {"AAA", "-nurses"};
  m.year = 2022;
  m.observed = 100;
  m.projected = 90;
  m.scale = 1;
  m.note = "+SUM(A1:A9)";
  CHECK_THAT(out::validation_csv("=s", {m}),
             Contains("\n'=s,AAA,'-nurses,2022,100,90,-10,100,90,'+SUM(A1:A9)\n"));
}

TEST_CASE("a report reads back the names its CSVs neutralised", "[io]") {
  // hwfsim's own labels cannot start so (names are checked on input); the reader still undoes
  // the apostrophe, so that whatever a CSV names is the name the page shows.
  engine::table_schema schema;
  schema.key_columns = {"country", "cadre", "indicator"};
  schema.series = {{"=X", "'nurses", "supply"}};
  engine::table_values table;
  table.schema = std::make_shared<const engine::table_schema>(schema);
  table.values = {100, 110};
  const auto csv = out::long_csv("s", {2020, 2021}, table);
  REQUIRE(csv ==
          "scenario,year,country,cadre,indicator,value\n"
          "s,2020,'=X,''nurses,supply,100\ns,2021,'=X,''nurses,supply,110\n");
  const auto dir = test::scratch_folder("report_formula");
  test::write_file(dir, "indicators.csv", csv);
  test::write_file(dir, "run.json",
                   "{\"scenario\":\"s\",\"horizon\":{\"start\":2020,\"end\":2021},"
                   "\"files\":[\"indicators.csv\"]}");
  const auto page = out::report_html(dir, {});
  CHECK_THAT(page, Contains("\"countries\":[\"=X\"]"));
  CHECK_THAT(page, Contains("\"cadres\":[\"'nurses\"]"));
}

TEST_CASE("Markdown text is shown as written: no HTML, links or extra cells", "[engine][io]") {
  CHECK(engine::markdown_text("<img src=x onerror=alert(1)>") ==
        "&lt;img src=x onerror=alert(1)&gt;");
  CHECK(engine::markdown_text("[click](javascript:alert(1)) ![i](x.png)") ==
        "\\[click\\](javascript:alert(1)) !\\[i\\](x.png)");
  CHECK(engine::markdown_text("a|b\nc `d` *e* _f_ \\") == "a\\|b c \\`d\\` \\*e\\* \\_f\\_ \\\\");
  // An ampersand shows as written: escaped only where it would start a character reference.
  CHECK(engine::markdown_text("N&M &lt; &#60; & x;") == "N&M &amp;lt; &amp;#60; & x;");
  CHECK(engine::markdown_text("WHO NHWA 2023 (table 3), 9.26/10k") ==
        "WHO NHWA 2023 (table 3), 9.26/10k");
  CHECK(engine::markdown_code("a.b") == "`a.b`");
  CHECK(engine::markdown_code("a`b") == "``a`b``");
  CHECK(engine::markdown_code("`x") == "`` `x ``");
  CHECK(engine::markdown_fence("x ``` y") == "````");
  CHECK(engine::markdown_fence("plain") == "```");
}

TEST_CASE("validation.md escapes what the observed data says", "[io]") {
  out::validation_info info;
  info.scenario = "s`x";
  info.start_year = 2020;
  info.end_year = 2023;
  info.observed_name = "<b>obs</b>";
  info.observed_source = "<script>alert(1)</script>";
  info.observed_file = "obs.yaml";
  info.command = "hwfsim backcast s.yaml ```";
  info.chart_file = "validation.svg";
  engine::observation_match m;
  m.keys = {"AAA", "nurses"};
  m.year = 2022;
  m.observed = 100;
  m.projected = 90;
  m.scale = 1;
  m.note = "see [here](javascript:x) | <i>";
  const auto md = out::validation_markdown(info, {m});
  CHECK(md.find('<') == std::string::npos);
  CHECK_THAT(md, Contains("- scenario: ``s`x``\n- observed data: &lt;b&gt;obs&lt;/b&gt; "
                          "(`obs.yaml`)\n- source: &lt;script&gt;alert(1)&lt;/script&gt;\n"));
  CHECK_THAT(md, Contains("\n````sh\nhwfsim backcast s.yaml ```\n````\n"));
  CHECK_THAT(md, Contains("| -10.0% | see \\[here\\](javascript:x) \\| &lt;i&gt; |\n"));
}

TEST_CASE("holdout.md escapes what the scenario and the observed data say", "[io]") {
  out::holdout_page page;
  page.scenario = "s`x";
  page.scenario_file = "s.yaml";
  page.description = "<img src=x onerror=alert(1)> *bold*";
  page.observed_source = "<script>alert(1)</script>";
  page.command = "hwfsim calibrate s.yaml ```";
  page.summary.observed_name = "[obs](javascript:x)";
  page.summary.observed_file = "obs.yaml";
  page.values.push_back({"AAA | nurses", 2022, 1, 100, {90, -10}, {100, 0}, {105, 5}, "<i>|"});
  page.parameters.push_back({"countries.AAA.cadres.nurses.exit_rate", 0.05, 0.04, 0.001, "ok"});
  const auto md = out::holdout_markdown(page);
  CHECK(md.find('<') == std::string::npos);
  CHECK_THAT(md, Contains("&lt;img src=x onerror=alert(1)&gt; \\*bold\\*"));
  CHECK_THAT(md, Contains("- observed data: \\[obs\\](javascript:x) (`obs.yaml`)\n"
                          "- source: &lt;script&gt;alert(1)&lt;/script&gt;\n"));
  CHECK_THAT(md, Contains("\n````sh\nhwfsim calibrate s.yaml ```\n````\n"));
  // The row: persistence's 0% is the best, in bold; the note cannot open a cell.
  CHECK_THAT(md, Contains("| AAA \\| nurses | 2022 | 1 | 100 | 90 (-10.0%) | **100 (+0.0%)** | "
                          "105 (+5.0%) | &lt;i&gt;\\| |\n"));
  // No value at four years: the goal is not judged, and the page says so.
  CHECK_THAT(md, Contains("so the goal cannot be judged here"));
}

TEST_CASE("hwfsim sources escapes sources, notes and names from the input", "[model][io]") {
  const auto scenario = test::scenario_on_good_model(
      "sources_escape",
      "scenario: s\nmodel: model.yaml\nhorizon: {end: 2030}\nset:\n"
      "  countries.AAA.cadres.nurses.exit_rate: {value: 0.035, source: \"<script>x</script> "
      "[a](b)\"}\n");
  const auto md = model::data_sources_markdown(model::load_scenario(scenario), "hwfsim sources x");
  CHECK(md.find("<script>") == std::string::npos);
  CHECK_THAT(md, Contains("| `cadres.nurses.exit_rate` | 0.035 | 1/year | "));
  CHECK_THAT(md, Contains("&lt;script&gt;x&lt;/script&gt; \\[a\\](b)"));
}

TEST_CASE("hwfsim sources lists a stock given by start year by its points", "[model][io]") {
  const auto dir = test::scratch_folder("sources_by_year");
  test::write_file(dir, "model.yaml", [] {
    std::ifstream in(test::source_path("tests/data/good/model_by_year.yaml"));
    return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }());
  const auto path = test::write_file(
      dir, "s.yaml",
      "scenario: s\nmodel: model.yaml\nhorizon: {start: 2013, end: 2030}\nset:\n"
      "  countries.BBB.cadres.nurses.workforce: {value: 7100, source: \"a census\"}\n");
  const auto md = model::data_sources_markdown(model::load_scenario(path), "hwfsim sources x");
  CHECK_THAT(md, Contains("the scenario starts from those of 2013"));
  // The counts by flag: the 2013 point is an estimate; the rest unstated (the test model has
  // no flags) or defaults.
  CHECK_THAT(md, Contains("| verified | derived | estimate | calibrated | no flag | default |\n"
                          "|---|---|---|---|---|---|\n| 0 | 0 | 1 | 0 | "));
  CHECK_THAT(md, Contains("| `cadres.nurses.workforce.2013` | 800 | persons | estimate |  | the "
                          "2013 count |"));
  CHECK_THAT(md, Contains("| `cadres.nurses.workforce.2020` | 1000 | persons |  | a "
                          "register |"));
  CHECK_THAT(md, Contains("| `nurses.migrant_stock.2013` | 150 |"));
  // A stock the scenario sets is listed once, as set.
  CHECK_THAT(md, Contains("| `cadres.nurses.workforce` | 7100 | persons |  | a census |"));
  CHECK_THAT(md, !Contains("| `cadres.nurses.workforce.2016` |"));
}

TEST_CASE("a chunk with a damaged length is refused before anything is sized by it", "[io]") {
  // A valid checksum over a chunk of one run that claims 2^40 values: the decoder used to
  // allocate them (8 TiB) before finding that the data holds none.
  std::string bytes;
  engine::put<std::uint64_t>(bytes, 0x4b4e4843'46574801ull);  // the chunk's magic number
  engine::put<std::uint64_t>(bytes, 0);                       // first run
  engine::put<std::uint64_t>(bytes, 1);                       // last run
  bytes += '\1';                                              // the run succeeded
  engine::put<std::uint64_t>(bytes, 0);                       // no failures
  engine::put<std::uint64_t>(bytes, std::uint64_t{1} << 40);  // values
  engine::put(bytes, engine::checksum(bytes));
  CHECK_THROWS_MATCHES(engine::decode_chunk(bytes, std::size_t{1} << 40), engine::corrupt_data,
                       Catch::Message("the data ends too early"));
}
