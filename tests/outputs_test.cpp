#include <catch2/catch.hpp>

#include <fstream>

#include "outputs/atomic_file.hpp"
#include "outputs/csv_writer.hpp"
#include "support.hpp"

using namespace hwf;

namespace {
std::string read(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}
std::size_t count_files(const std::filesystem::path& dir) {
  return static_cast<std::size_t>(std::distance(std::filesystem::directory_iterator(dir), {}));
}
}  // namespace

TEST_CASE("atomic writes replace the file whole and leave no temporary", "[io]") {
  const auto dir = test::scratch_folder("atomic");
  out::write_file_atomically(dir / "a.csv", "first\n");
  out::write_file_atomically(dir / "a.csv", "second\n");
  CHECK(read(dir / "a.csv") == "second\n");
  CHECK(count_files(dir) == 1);
}

TEST_CASE("a write into a missing folder fails naming the file", "[io]") {
  const auto dir = test::scratch_folder("atomic_missing");
  CHECK_THROWS_WITH(out::write_file_atomically(dir / "nope" / "a.csv", "x"),
                    Catch::Contains("cannot write") && Catch::Contains("a.csv"));
  CHECK(count_files(dir) == 0);
}

TEST_CASE("a results folder that holds files is refused unless overwrite is asked", "[io]") {
  const auto dir = test::scratch_folder("results_folder");
  out::check_results_folder(dir / "new", false);  // absent: fine, and nothing is created
  CHECK_FALSE(std::filesystem::exists(dir / "new"));
  out::create_results_folder(dir / "new");
  out::check_results_folder(dir / "new", false);  // empty: fine
  test::write_file(dir / "new", "indicators.csv", "old");
  CHECK_THROWS_AS(out::check_results_folder(dir / "new", false), out::folder_not_empty);
  CHECK_THROWS_WITH(out::check_results_folder(dir / "new", false),
                    Catch::Contains("already holds results; nothing was written"));
  CHECK_NOTHROW(out::check_results_folder(dir / "new", true));
  CHECK(read(dir / "new" / "indicators.csv") == "old");  // checking never deletes
  test::write_file(dir, "file", "x");
  CHECK_THROWS_WITH(out::check_results_folder(dir / "file", true),
                    Catch::Contains("is not a folder"));
}

TEST_CASE("forced results remove stale files of hwfsim's names only", "[io]") {
  const auto dir = test::scratch_folder("stale");
  for (const char* f : {"indicators.csv", "corridors.csv", "run.json", "notes.txt"})
    test::write_file(dir, f, "x");
  out::remove_stale_results(dir, {"indicators.csv", "run.json"});
  CHECK(std::filesystem::exists(dir / "indicators.csv"));
  CHECK(std::filesystem::exists(dir / "run.json"));
  CHECK_FALSE(std::filesystem::exists(dir / "corridors.csv"));
  CHECK(std::filesystem::exists(dir / "notes.txt"));  // not ours: kept
}

TEST_CASE("long CSV quotes fields, skips undefined values and round-trips numbers", "[io]") {
  engine::table_schema schema{"t", {"country", "indicator"}, {{"A,B", "x"}, {"C", "y"}}};
  engine::table_values values{std::make_shared<const engine::table_schema>(schema),
                              {0.1, engine::not_defined, 1.0 / 3, 2}};
  const std::string csv = out::long_csv("s\"1", {2020, 2021}, values);
  CHECK(out::rows_every(26, 10) == std::vector<std::size_t>{0, 10, 20, 25});
  CHECK(out::rows_every(3, 1) == std::vector<std::size_t>{0, 1, 2});
  CHECK(csv ==
        "scenario,year,country,indicator,value\n"
        "\"s\"\"1\",2020,\"A,B\",x,0.1\n"
        "\"s\"\"1\",2021,\"A,B\",x,0.3333333333333333\n"
        "\"s\"\"1\",2021,C,y,2\n");
}
