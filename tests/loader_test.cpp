#include <catch2/catch.hpp>

#include <fstream>
#include <regex>

#include "models/workforce/description.hpp"
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

std::string load_error(const std::filesystem::path& p) {
  try {
    if (p.filename().string().rfind("scenario_", 0) == 0)
      model::load_scenario(p);
    else
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
