#include <catch2/catch.hpp>

#include <optional>
#include <vector>

#include "engine/yaml_input.hpp"

using namespace hwf::engine;
using Catch::Contains;

namespace {
std::string first_error(const std::string& text) {
  try {
    parse_yaml(text, "t.yaml");
  } catch (const input_error& e) {
    return e.what();
  }
  return "";
}
}  // namespace

TEST_CASE("syntax errors name the file, line and column (1-based)", "[engine][io]") {
  CHECK_THAT(first_error("a: 1\nb: [1, 2\n"), Contains("t.yaml:3:1: error: YAML syntax error"));
}

TEST_CASE("tabs used for indentation are refused with the position", "[engine][io]") {
  CHECK_THAT(first_error("a:\n\tb: 1\n"),
             Contains("t.yaml:2:1: error: a tab is used for indentation"));
}

TEST_CASE("binary content is refused", "[engine][io]") {
  CHECK_THAT(first_error(std::string("a: 1\n\0\x01", 7)), Contains("not a text file"));
  CHECK_THAT(first_error("a: \xff\xfe\n"), Contains("not valid UTF-8"));
}

TEST_CASE("a byte-order mark and CRLF line endings are accepted", "[engine][io]") {
  const auto f = parse_yaml(
      "\xEF\xBB\xBF"
      "a: 1\r\nb: Côte d'Ivoire\r\n",
      "t.yaml");
  CHECK(f.root["a"].Scalar() == "1");
  CHECK(f.root["b"].Scalar() == "Côte d'Ivoire");
}

TEST_CASE("numbers are parsed strictly", "[engine][io]") {
  const auto f = parse_yaml("a: 1.5e3\nb: '2'\nc: .nan\nd: abc\ne: 1/12\nf: +3\n", "t.yaml");
  diagnostic_list diags;
  node_ref root(f.root, "", f, diags);
  map_view m(root, {"a", "b", "c", "d", "e", "f"});
  CHECK(m.get("a")->to_number() == 1500.0);
  CHECK(m.get("f")->to_number() == 3.0);
  CHECK(m.get("e")->to_number(true) == Approx(1.0 / 12));
  CHECK_FALSE(m.get("b")->to_number());
  CHECK_FALSE(m.get("c")->to_number());
  CHECK_FALSE(m.get("d")->to_number());
  CHECK_FALSE(m.get("e")->to_number(false));
  try {
    diags.throw_if_any();
    FAIL("expected errors");
  } catch (const input_error& e) {
    const std::string msg = e.what();
    CHECK_THAT(msg, Contains("t.yaml:2:4: error: b: expected a number, found the string \"2\""));
    CHECK_THAT(msg, Contains("numbers are written without quotes"));
    CHECK_THAT(msg, Contains("t.yaml:3:4: error: c: expected a finite number, found '.nan'"));
    CHECK_THAT(msg, Contains("t.yaml:4:4: error: d: expected a number, found 'abc'"));
  }
}

TEST_CASE("duplicate and unknown keys are reported at the key", "[engine][io]") {
  const auto f = parse_yaml("exit_rate: 1\nexit_rate: 2\nexit_rat: 3\n", "t.yaml");
  diagnostic_list diags;
  map_view m(node_ref(f.root, "x", f, diags), {"exit_rate", "retirement_rate"});
  REQUIRE(diags.count() == 2);
  try {
    diags.throw_if_any();
  } catch (const input_error& e) {
    CHECK(format(e.diagnostics()[0]) ==
          "t.yaml:2:1: error: x.exit_rate: duplicate key (first given at line 1)\n"
          "  each key may appear once in a mapping");
    CHECK(format(e.diagnostics()[1]) ==
          "t.yaml:3:1: error: x.exit_rat: unknown key\n"
          "  expected one of: exit_rate, retirement_rate\n"
          "  did you mean 'exit_rate'?");
  }
}

TEST_CASE("a missing required key is reported at its mapping", "[engine][io]") {
  const auto f = parse_yaml("outer:\n  a: 1\n", "t.yaml");
  diagnostic_list diags;
  map_view top(node_ref(f.root, "", f, diags), {"outer"});
  map_view inner(*top.get("outer"), {"a", "b"});
  CHECK_FALSE(inner.require("b"));
  try {
    diags.throw_if_any();
    FAIL("expected an error");
  } catch (const input_error& e) {
    CHECK(format(e.diagnostics()[0]) == "t.yaml:2:3: error: outer.b: missing required key");
  }
}

TEST_CASE("assigning a node_ref rebinds it and leaves the document as written", "[engine][io]") {
  const auto f =
      parse_yaml("a: {type: training}\nb: {type: who_code}\nc: {type: agreement}\n", "t.yaml");
  diagnostic_list diags;
  std::vector<node_ref> refs;
  for (const char* k : {"a", "b", "c"}) refs.emplace_back(f.root[k], k, f, diags);
  // Erasing the first shifts the others down by assignment, as a policy list's `remove:` does.
  refs.erase(refs.begin());
  REQUIRE(refs.size() == 2);
  CHECK(refs[0].path() == "b");
  CHECK(refs[0].node()["type"].Scalar() == "who_code");
  CHECK(refs[1].node()["type"].Scalar() == "agreement");
  CHECK(f.root["a"]["type"].Scalar() == "training");
  CHECK(f.root["b"]["type"].Scalar() == "who_code");

  std::optional<node_ref> held(refs[0]);
  held = refs[1];  // an optional's assignment too
  CHECK(held->node()["type"].Scalar() == "agreement");
  CHECK(f.root["b"]["type"].Scalar() == "who_code");
}

TEST_CASE("a second YAML document is refused with its line", "[engine][io]") {
  CHECK_THAT(first_error("a: 1\n---\nb: 2\n"),
             Contains("t.yaml:2:1: error: a second YAML document starts here"));
  CHECK_THAT(first_error("a:\n  x: 1\n...\n  y: 2\n"),
             Contains("t.yaml:4:3: error: a second YAML document starts here") &&
                 Contains("the `...` on line 3 ends the first document"));
  CHECK(first_error("---\na: 1\n...\n# only a comment after the end\n").empty());
}

TEST_CASE("numbers: one sign, no tags, unsigned fractions", "[engine][io]") {
  const auto f = parse_yaml(
      "a: +-0.01\nb: !!str 0.01\nc: -1/-12\nd: !!float 2\ne: -0.5\nf: 1/12\ng: --1\n", "t.yaml");
  diagnostic_list diags;
  const auto num = [&](const char* k, bool fraction = false) {
    return node_ref(f.root[k], k, f, diags).to_number(fraction);
  };
  CHECK_FALSE(num("a"));
  CHECK_FALSE(num("b"));
  CHECK_FALSE(num("c", true));
  CHECK_FALSE(num("d"));
  CHECK_FALSE(num("g"));
  CHECK(num("e") == -0.5);
  CHECK(num("f", true) == 1.0 / 12);
  CHECK(diags.count() == 5);
  try {
    diags.throw_if_any();
  } catch (const input_error& e) {
    CHECK_THAT(e.what(), Contains("t.yaml:2:4: error: b: expected a number, found the string "
                                  "\"0.01\"") &&
                             Contains("numbers are written without quotes or tags"));
  }
}
