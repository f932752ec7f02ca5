#include <catch2/catch.hpp>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "engine/diagnostics.hpp"

using namespace hwf::engine;

TEST_CASE("edit distance counts insertions, deletions, substitutions and swaps", "[engine]") {
  CHECK(edit_distance("quota", "quota") == 0);
  CHECK(edit_distance("quoat", "quota") == 1);  // adjacent transposition
  CHECK(edit_distance("exit_rat", "exit_rate") == 1);
  CHECK(edit_distance("", "abc") == 3);
  CHECK(edit_distance("kitten", "sitting") == 3);
}

TEST_CASE("closest match suggests only plausible typos", "[engine]") {
  const std::vector<std::string> keys{"target_flow", "quota", "stay_years", "seats_per_recruit"};
  CHECK(closest_match("quoat", keys) == std::optional<std::string>("quota"));
  CHECK(closest_match("stay_year", keys) == std::optional<std::string>("stay_years"));
  CHECK_FALSE(closest_match("zzz", keys).has_value());
  // Distance 2 on a 3-letter key is more than half its length: no guess.
  CHECK_FALSE(closest_match("qu", std::vector<std::string>{"quota"}).has_value());
}

TEST_CASE("a diagnostic prints file, line, column, path, notes and suggestion", "[engine]") {
  diagnostic d{{"scenarios/x.yaml", 14, 7},
               "policies[1].bilateral.quoat",
               "unknown key",
               {"expected one of: target_flow, quota"},
               "quota"};
  CHECK(format(d) ==
        "scenarios/x.yaml:14:7: error: policies[1].bilateral.quoat: unknown key\n"
        "  expected one of: target_flow, quota\n"
        "  did you mean 'quota'?");
}

TEST_CASE("a diagnostic list keeps the first 20 and counts the rest", "[engine]") {
  diagnostic_list list;
  CHECK_NOTHROW(list.throw_if_any());
  for (int i = 0; i < 25; ++i) list.add({{"f.yaml", i + 1, 1}, "k", "bad", {}, ""});
  try {
    list.throw_if_any();
    FAIL("expected input_error");
  } catch (const input_error& e) {
    CHECK(e.diagnostics().size() == 21);
    CHECK_THAT(e.what(), Catch::Contains("5 more errors not shown (first 20 reported)"));
  }
}

TEST_CASE("a key of any length gets its suggestion, or none, at once", "[engine]") {
  std::vector<std::string> keys;
  for (int i = 0; i < 5000; ++i) keys.push_back("countries.C" + std::to_string(i) + ".exit_rate");
  const std::string huge(1 << 20, 'k');
  const auto started = std::chrono::steady_clock::now();
  CHECK_FALSE(closest_match(huge, keys).has_value());
  CHECK(std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count() < 1);
  CHECK(closest_match("countries.C4999.exit_rat", keys) ==
        std::optional<std::string>("countries.C4999.exit_rate"));
}

TEST_CASE("invisible and look-alike characters are normalised and named", "[engine]") {
  const std::vector<std::string> keys{"horizon", "solver"};
  CHECK(normalise("hori\u200Bzon") == "horizon");
  CHECK(normalise("s\u043Elver") == "solver");
  CHECK(closest_match("hori\u200Bzon", keys) == std::optional<std::string>("horizon"));
  CHECK(closest_match("s\u043Elver", keys) == std::optional<std::string>("solver"));
  CHECK(character_notes("hori\u200Bzon") ==
        std::vector<std::string>{
            "the key contains U+200B (zero width space), an invisible character"});
  CHECK(character_notes("s\u043Elver") ==
        std::vector<std::string>{
            "the key contains U+043E (Cyrillic small letter o), which looks like 'o'"});
  CHECK(character_notes("plain").empty());
}

TEST_CASE("printable escapes controls and invisibles, and cuts long text", "[engine]") {
  CHECK(printable("\x1b]0;t\a\x1b[2J") == "\\x1b]0;t\\x07\\x1b[2J");
  CHECK(printable("a\u200Bb") == "a\\u200Bb");
  CHECK(printable("Côte d'Ivoire \\ ok") == "Côte d'Ivoire \\ ok");
  CHECK(printable(printable("\x1b")) == printable("\x1b"));  // idempotent
  CHECK(printable("\xff") == "\\xff");
  CHECK(printable(std::string(30000, 'a'), 10) == "aaaaaaaaaa... (30000 bytes)");
  CHECK(printable("ééé", 3) == "é... (6 bytes)");  // not cut inside a character
  diagnostic d{{"f.yaml", 1, 1}, "k\x1b[2J", "bad \x07", {"note \x1b"}, "s\x1b"};
  const auto text = format(d, "warning");
  CHECK(text ==
        "f.yaml:1:1: warning: k\\x1b[2J: bad \\x07\n  note \\x1b\n  did you mean 's\\x1b'?");
}
