#include <catch2/catch.hpp>

#include <chrono>
#include <fstream>
#include <iterator>
#include <regex>

#include <fmt/format.h>

#include "engine/yaml_input.hpp"
#include "models/workforce/backcast.hpp"
#include "models/workforce/description.hpp"
#include "models/workforce/published.hpp"
#include "models/workforce/resolved_yaml.hpp"
#include "support.hpp"

using namespace hwf;
using Catch::Contains;

namespace {

/// The `# expect: ...` lines at the top of a corpus file.
std::vector<std::string> expectations(const std::filesystem::path& p) {
  std::ifstream in(p);
  std::vector<std::string> out;
  std::string line;
  while (std::getline(in, line) && line.rfind("# expect: ", 0) == 0) out.push_back(line.substr(10));
  return out;
}

/// An observed_*.yaml or published_*.yaml file is read against the model of
/// tests/data/good/scenario.yaml.
std::string load_error(const std::filesystem::path& p) {
  const auto name = p.filename().string();
  const auto good_model = [] {
    return model::compiled_model(
        model::load_scenario(test::source_path("tests/data/good/scenario.yaml")));
  };
  try {
    if (name.rfind("scenario_", 0) == 0) {
      model::load_scenario(p);
    } else if (name.rfind("observed_", 0) == 0) {
      model::load_observed(p, good_model());
    } else if (name.rfind("published_", 0) == 0) {
      model::load_published(p, good_model());
    } else
      model::load_model(p, p.generic_string());
  } catch (const engine::input_error& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST_CASE("every bad input in the corpus gives its expected message", "[model][io][golden]") {
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::directory_iterator(test::source_path("tests/data/bad")))
    files.push_back(entry.path());
  std::sort(files.begin(), files.end());
  REQUIRE(files.size() >= 35);
  for (const auto& f : files) {
    DYNAMIC_SECTION(f.filename().string()) {
      const auto expected = expectations(f);
      REQUIRE_FALSE(expected.empty());
      const std::string message = load_error(f);
      INFO(message);
      REQUIRE_FALSE(message.empty());
      for (const auto& e : expected) CHECK_THAT(message, Contains(e));
      // Every message names a file; all but whole-file problems give line and column.
      static const std::regex located(R"(^[^\n]+\.yaml(:\d+:\d+)?: error: )");
      CHECK(std::regex_search(message, located));
    }
  }
}

TEST_CASE("an unknown key is located at the key, with line and column", "[model][io]") {
  const auto f = test::source_path("tests/data/bad/model_unknown_key.yaml");
  // 3 expect lines, then the model: `exit_rat` is on line 18, indented 8 spaces.
  CHECK_THAT(load_error(f), Contains("model_unknown_key.yaml:18:9: error: "
                                     "countries.AAA.cadres.nurses.exit_rat: unknown key"));
}

TEST_CASE("all errors of a file are reported together", "[model][io]") {
  try {
    model::load_model(test::source_path("tests/data/bad/model_many_errors.yaml"), "many.yaml");
    FAIL("expected input_error");
  } catch (const engine::input_error& e) {
    CHECK(e.diagnostics().size() == 3);
  }
}

TEST_CASE("a missing scenario file is a clear error", "[model][io]") {
  CHECK_THROWS_WITH(model::load_scenario("no/such/scenario.yaml"),
                    "no/such/scenario.yaml: error: no such file");
}

TEST_CASE("a folder given as a scenario is a clear error", "[model][io]") {
  CHECK_THROWS_WITH(model::load_scenario(test::source_path("tests/data")),
                    Contains("this is a folder, not a file"));
}

TEST_CASE("a valid scenario loads with documented defaults and non-ASCII names", "[model][io]") {
  const auto s = model::load_scenario(test::source_path("tests/data/good/scenario.yaml"));
  CHECK(s.name == "good");
  CHECK(s.start_year == 2020);
  CHECK(s.end_year == 2030);
  CHECK(s.solver.kind == engine::method::rk4);
  CHECK(s.solver.step_years == 1.0 / 12);
  CHECK(s.model.countries[1].name == "Côte d'Essai");
  const auto& p = s.model.params;
  // Defaults are registered as parameters, with a note saying so.
  const auto fill = p.find("countries.AAA.cadres.nurses.fill");
  REQUIRE(fill);
  CHECK(p[*fill].value == 1.0);
  CHECK_THAT(p[*fill].note, Contains("default"));
  CHECK(p[*p.find("countries.AAA.cadres.nurses.demand_elasticity")].value == 0.0);
  // Corridor parameters are addressed by their pair.
  CHECK(p.find("corridors.AAA-BBB.nurses.emigration_rate"));
  // Country-level training values fall back to the cadre's parameter.
  CHECK(s.model.countries[0].cadres[0].training_years == *p.find("cadres.nurses.training_years"));
}

TEST_CASE("set: overrides a parameter and records where", "[model][io]") {
  const auto scenario_path = test::scenario_on_good_model(
      "set_override",
      "scenario: s\nmodel: model.yaml\nhorizon: {end: 2030}\nset:\n"
      "  countries.AAA.cadres.nurses.exit_rate: {value: 0.035, source: survey}\n");
  const auto s = model::load_scenario(scenario_path);
  const auto& p = s.model.params[*s.model.params.find("countries.AAA.cadres.nurses.exit_rate")];
  CHECK(p.value == 0.035);
  CHECK(p.overridden);
  CHECK(p.source == "survey");
  CHECK(p.where.line == 5);
}

TEST_CASE("a UTF-8 BOM and CRLF line endings load like plain files", "[model][io]") {
  const auto dir = test::scratch_folder("bom_crlf");
  std::ifstream in(test::source_path("tests/data/good/model.yaml"), std::ios::binary);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::string crlf = "\xEF\xBB\xBF";
  for (char c : text) crlf += c == '\n' ? std::string("\r\n") : std::string(1, c);
  test::write_file(dir, "model.yaml", crlf);
  const auto a = model::load_model(dir / "model.yaml", "crlf.yaml");
  const auto b = model::load_model(test::source_path("tests/data/good/model.yaml"), "plain.yaml");
  CHECK(a.params.values() == b.params.values());
  CHECK(a.countries[1].name == "Côte d'Essai");
}

namespace {

/// The message of the input_error a scenario gives, or "" if it loads.
std::string scenario_error(const std::filesystem::path& p) {
  try {
    model::load_scenario(p);
  } catch (const engine::input_error& e) {
    return e.what();
  }
  return "";
}

/// The good model with one line replaced.
std::string good_model_with(const std::string& from, const std::string& to) {
  std::ifstream in(test::source_path("tests/data/good/model.yaml"));
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const auto at = text.find(from);
  REQUIRE(at != std::string::npos);
  return text.replace(at, from.size(), to);
}

}  // namespace

TEST_CASE("very long names are refused with a short message, not a crash", "[model][io]") {
  const std::string huge(30000, 'a');
  const auto s = test::scenario_on_good_model(
      "long_scenario_name", "scenario: " + huge + "\nmodel: model.yaml\nhorizon: {end: 2030}\n");
  const auto message = scenario_error(s);
  CHECK_THAT(message, Contains("s.yaml:1:11: error: scenario: ") &&
                          Contains("is not a valid scenario name") &&
                          Contains("30000 characters, more than the limit of 100"));
  CHECK(message.size() < 1000);

  const auto p = test::scenario_on_good_model(
      "long_policy_name",
      "scenario: s\nmodel: model.yaml\nhorizon: {end: 2030}\npolicies:\n"
      "  - {name: " +
          std::string(50000, 'p') +
          ", type: who_code, destinations: all, compliance: 0.5, start: 2025}\n");
  const auto pm = scenario_error(p);
  CHECK_THAT(pm, Contains("is not a valid policy name") &&
                     Contains("50000 characters, more than the limit of 64"));
  CHECK(pm.size() < 1000);

  const auto dir = test::scratch_folder("long_cadre_id");
  test::write_file(dir, "model.yaml",
                   good_model_with("  nurses: {training_years",
                                   "  ? " + std::string(50000, 'c') + "\n  : {training_years"));
  try {
    model::load_model(dir / "model.yaml", "model.yaml");
    FAIL("expected input_error");
  } catch (const engine::input_error& e) {
    const std::string m = e.what();
    CHECK_THAT(m, Contains("is not a valid cadre name") &&
                      Contains("50000 characters, more than the limit of 64"));
    CHECK(m.size() < 2000);
  }
}

TEST_CASE("a huge unknown set: key is reported at once, without a suggestion", "[model][io]") {
  const auto dir = test::scratch_folder("huge_set_key");
  const auto world = test::source_path("scenarios/world-who-code-universal.yaml").generic_string();
  test::write_file(dir, "s.yaml",
                   "scenario: s\nextends: " + world + "\nset:\n  ? " + std::string(1 << 20, 'k') +
                       "x\n  : 1\n  countries.GHA.cadres.doctors.exit_rat: 0.1\n");
  const auto started = std::chrono::steady_clock::now();
  const auto message = scenario_error(dir / "s.yaml");
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  CHECK(seconds < 5);
  CHECK_THAT(message, Contains("is not a parameter of model"));
  // The short misspelling still gets its suggestion; the huge key gets none.
  CHECK_THAT(message, Contains("did you mean 'countries.GHA.cadres.doctors.exit_rate'?"));
  CHECK(message.find("did you mean") == message.rfind("did you mean"));
  CHECK(message.size() < 5000);
}

TEST_CASE("aliases that expand beyond the budget are refused, naming the limit", "[model][io]") {
  // Every count limit reached through anchors: 50 cadres in one shared block, 500 countries
  // that all alias one country, 20,000 corridors that alias one corridor of 50 cadres.
  std::string text = "model: anchors\nstart_year: 2020\ncadres:\n";
  for (int k = 0; k < 50; ++k)
    text += fmt::format(
        "  c{}: {}\n", k,
        k == 0 ? "&cadre {training_years: 3, completion: 0.8, sdg_core: true}" : "*cadre");
  text += "countries:\n";
  std::string cadres = "&cc {";
  for (int k = 0; k < 50; ++k)
    cadres += fmt::format("{}c{}: {}", k ? ", " : "", k,
                          k == 0 ? "&one {workforce: 1000, seats: 500, exit_rate: 0.06, "
                                   "retirement_rate: 0.04, need_density: 40, salary: 1000, "
                                   "cost_per_student_year: 100}"
                                 : "*one");
  cadres += "}";
  for (int c = 0; c < 500; ++c)
    text += fmt::format("  A{:02}: {}\n", c,
                        c == 0 ? "&country {name: x, safeguards_list: false, "
                                 "population: 1.0e6, cadres: " +
                                     cadres + "}"
                               : "*country");
  std::string flows = "{";
  for (int k = 0; k < 50; ++k)
    flows += fmt::format(
        "{}c{}: {}", k ? ", " : "", k,
        k == 0 ? "&flow {migrant_stock: 1, emigration_rate: 0.01, return_rate: 0.01}" : "*flow");
  flows += "}";
  text += "corridors:\n  - &corridor {origin: A00, destination: A01, cadres: " + flows + "}\n";
  for (int i = 1; i < 20000; ++i) text += "  - *corridor\n";
  const auto started = std::chrono::steady_clock::now();
  try {
    engine::parse_yaml(text, "anchors.yaml");
    FAIL("expected input_error");
  } catch (const engine::input_error& e) {
    CHECK_THAT(e.what(), Contains("anchors.yaml:") &&
                             Contains("aliases expand the file by more than 1000000 nodes"));
  }
  CHECK(std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count() < 5);

  // Shared blocks of a modest size are fine, and read as if written out.
  const auto ok = engine::parse_yaml("a: &x {b: 1, c: [1, 2]}\nd: *x\n", "ok.yaml");
  CHECK(ok.root["d"]["c"][1].as<int>() == 2);
}

TEST_CASE("an extends symbolic-link loop is bad input at the extends line", "[model][io]") {
  const auto dir = test::scratch_folder("extends_symlink_loop");
  std::filesystem::create_symlink("loop.yaml", dir / "loop.yaml");
  test::write_file(dir, "s.yaml", "scenario: s\nextends: loop.yaml\n");
  CHECK_THAT(scenario_error(dir / "s.yaml"),
             Contains("s.yaml:2:10: error: extends: ") && Contains("loop.yaml"));
}

TEST_CASE("a model path naming a file of another shape quotes one key, not its lines",
          "[model][io]") {
  const auto dir = test::scratch_folder("not_a_model");
  std::string other;
  for (int i = 0; i < 30; ++i) other += fmt::format("secret{}: value{}\n", i, i);
  test::write_file(dir, "other.yaml", other);
  test::write_file(dir, "s.yaml", "scenario: s\nmodel: other.yaml\nhorizon: {end: 2030}\n");
  const auto message = scenario_error(dir / "s.yaml");
  CHECK_THAT(message, Contains("other.yaml:1:1: error: this is not a model dataset") &&
                          Contains("'secret0'"));
  CHECK_THAT(message, !Contains("secret1") && !Contains("value0"));
  CHECK_THAT(message, Contains("s.yaml:2:8"));  // the scenario line that named it
}

TEST_CASE("terminal control characters in user text are shown escaped", "[model][io]") {
  const auto s = test::scenario_on_good_model(
      "control_characters",
      "scenario: s\ndescription: \"\\e]0;owned\\a\\e[2J plan\\u200B\"\n"
      "model: model.yaml\nhorizon: {end: 2030}\n\"bad\\e[31mkey\": 1\n");
  const auto message = scenario_error(s);
  CHECK_THAT(message, Contains("s.yaml:5:1: error: bad\\x1b[31mkey: unknown key"));
  CHECK(message.find('\x1b') == std::string::npos);

  // `hwfsim show` prints the resolved YAML: escaped there too, and it reads back the same.
  test::write_file(s.parent_path(), "s.yaml",
                   "scenario: s\ndescription: \"\\e]0;owned\\a\\e[2J plan\\u200B\"\n"
                   "model: model.yaml\nhorizon: {end: 2030}\n");
  const auto loaded = model::load_scenario(s);
  CHECK(loaded.description == "\x1b]0;owned\a\x1b[2J plan\u200B");
  const auto yaml = model::resolved_yaml(loaded);
  CHECK(yaml.find('\x1b') == std::string::npos);
  CHECK(yaml.find('\a') == std::string::npos);
  CHECK_THAT(yaml, Contains(R"(description: "\x1b]0;owned\x07\x1b[2J plan\u200B")"));
  CHECK(test::load_shown(yaml, s.parent_path()).description == loaded.description);
}

TEST_CASE("format: 1 is the current version, assumed when absent", "[model][io]") {
  const auto dir = test::scratch_folder("format_version");
  const std::string model_text = [] {
    std::ifstream in(test::source_path("tests/data/good/model.yaml"));
    return std::string(std::istreambuf_iterator<char>(in), {});
  }();
  test::write_file(dir, "model.yaml", model_text);
  test::write_file(dir, "model1.yaml", "format: 1\n" + model_text);
  test::write_file(dir, "s.yaml", "scenario: s\nmodel: model.yaml\nhorizon: {end: 2030}\n");
  test::write_file(dir, "s1.yaml",
                   "format: 1\nscenario: s\nmodel: model1.yaml\nhorizon: {end: 2030}\n");
  const auto without = model::load_scenario(dir / "s.yaml");
  const auto with = model::load_scenario(dir / "s1.yaml");
  CHECK(without.model.params.size() == with.model.params.size());
  CHECK(without.model.countries.size() == with.model.countries.size());
  CHECK(without.end_year == with.end_year);
  // `hwfsim show` writes the version, and what it writes loads back.
  const auto yaml = model::resolved_yaml(with);
  CHECK(yaml.find("\nformat: 1\n") != std::string::npos);
  CHECK(test::load_shown(yaml, dir).end_year == 2030);
}

TEST_CASE("an unknown format version is reported alone, in any file of an extends chain",
          "[model][io]") {
  const auto s = test::scenario_on_good_model(
      "format_parent", "format: 1\nscenario: s\nextends: parent.yaml\nhorizon: {end: 2030}\n");
  // The parent is of a later format, with a key version 1 does not have: only the version is
  // reported, at its value.
  test::write_file(s.parent_path(), "parent.yaml",
                   "scenario: p\nmodel: model.yaml\nformat: 7\ntargets: {density: 44.5}\n");
  const auto message = scenario_error(s);
  CHECK_THAT(message, Contains("parent.yaml:3:9: error: format: unknown format version 7\n"
                               "  expected the version of the scenario format, a whole number: 1"));
  CHECK_THAT(message, !Contains("targets"));
  for (const char* bad : {"0", "\"1\"", "[1]", "one", "-1"}) {
    test::write_file(s.parent_path(), "parent.yaml",
                     fmt::format("scenario: p\nmodel: model.yaml\nformat: {}\n", bad));
    INFO(bad);
    CHECK_THAT(scenario_error(s), Contains("parent.yaml:3:9: error: format: "));
  }
}

TEST_CASE("observed counts carry the format version too", "[model][io]") {
  const auto s = model::load_scenario(test::source_path("scenarios/validation/backcast-2013.yaml"));
  const model::compiled_model m(s);
  const auto dir = test::scratch_folder("format_observed");
  const auto good = test::write_file(
      dir, "ok.yaml", "format: 1\nobserved: o\nseries: {GHA: {nurses: {2014: 100}}}\n");
  CHECK(model::load_observed(good, m).series.size() == 1);
  const auto bad = test::write_file(
      dir, "bad.yaml", "observed: o\nformat: 2\nseries: {GHA: {nurses: {2014: 100}}}\n");
  CHECK_THROWS_WITH(model::load_observed(bad, m),
                    Contains("bad.yaml:2:9: error: format: unknown format version 2") &&
                        Contains("version of the observed counts format"));
}
