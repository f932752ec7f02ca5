#include <catch2/catch.hpp>

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
