// The results folder: which leftovers are hwfsim's own, the folder's lock, files.sha256 (one
// run's files), and checkpoints that refuse another study's chunks.

#include <filesystem>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "engine/diagnostics.hpp"
#include "engine/ensemble.hpp"
#include "outputs/atomic_file.hpp"
#include "outputs/checkpoint.hpp"
#include "support.hpp"

using namespace hwf;
namespace fs = std::filesystem;

namespace {
void write(const fs::path& path, const std::string& text) {
  out::write_file_atomically(path, text);
}
}  // namespace

TEST_CASE("only the temporaries hwfsim creates count as its leftovers", "[io]") {
  CHECK(out::is_own_temporary(".indicators.csv.tmp1a2b3c4d"));
  CHECK(out::is_own_temporary(".runs.nc.tmp00000000"));
  CHECK(out::is_own_temporary(".files.sha256.tmpdeadbeef"));
  CHECK_FALSE(out::is_own_temporary(".thesis.tmp20241231"));          // not one of hwfsim's files
  CHECK_FALSE(out::is_own_temporary(".budget.xlsx.tmpbackup01"));     // nor hex digits
  CHECK_FALSE(out::is_own_temporary(".indicators.csv.tmpbackup01"));  // hwfsim's name, not hex
  CHECK_FALSE(out::is_own_temporary(".indicators.csv.tmp1A2B3C4D"));  // hwfsim writes lowercase
  CHECK_FALSE(out::is_own_temporary(".indicators.csv.tmp1a2b3c4"));   // 7 digits
  CHECK_FALSE(out::is_own_temporary("indicators.csv.tmp1a2b3c4d"));   // not hidden
  CHECK_FALSE(out::is_own_temporary(".tmp1a2b3c4d"));
}

TEST_CASE("the user's look-alike files make a folder non-empty and are never removed", "[io]") {
  const auto dir = test::scratch_folder("lookalikes");
  write(dir / ".thesis.tmp20241231", "chapter 3\n");
  write(dir / ".budget.xlsx.tmpbackup01", "budget\n");
  write(dir / ".quantiles.csv.tmp0badf00d", "left by a killed run\n");
  CHECK_THROWS_AS(out::check_results_folder(dir, false), out::folder_not_empty);
  out::remove_stale_temporaries(dir);
  CHECK(out::read_file(dir / ".thesis.tmp20241231") == "chapter 3\n");
  CHECK(out::read_file(dir / ".budget.xlsx.tmpbackup01") == "budget\n");
  CHECK_FALSE(fs::exists(dir / ".quantiles.csv.tmp0badf00d"));

  const auto only_ours = test::scratch_folder("only_ours");
  write(only_ours / ".runs.nc.tmp12345678", "x");
  write(only_ours / out::results_lock::file_name, "");  // a killed run's lock file
  CHECK_NOTHROW(out::check_results_folder(only_ours, false));
}

TEST_CASE("a symbolic link to nothing is refused as a results folder, naming its target", "[io]") {
  const auto dir = test::scratch_folder("dangling");
  fs::create_symlink(dir / "gone", dir / "out");
  CHECK_THROWS_WITH(out::check_results_folder(dir / "out", false),
                    Catch::Contains("out is a symbolic link to") && Catch::Contains("gone") &&
                        Catch::Contains("which does not exist; nothing was written"));
}

TEST_CASE("a results folder is locked by one writer at a time", "[io]") {
  const auto dir = test::scratch_folder("locked");
  const auto lock_file = dir / out::results_lock::file_name;
  {
    out::results_lock first(dir);
    CHECK(fs::exists(lock_file));
    CHECK(out::read_file(lock_file)->starts_with("process "));
    CHECK_THROWS_AS(out::results_lock(dir), out::folder_in_use);
    CHECK_THROWS_WITH(out::results_lock(dir),
                      Catch::Contains("is being written by another hwfsim (process ") &&
                          Catch::Contains("nothing was written"));
  }
  CHECK_FALSE(fs::exists(lock_file));  // released and removed
  CHECK_NOTHROW(out::results_lock(dir));

  // A symbolic link planted under the lock's name is not followed.
  write(dir / "victim", "precious\n");
  fs::create_symlink(dir / "victim", lock_file);
  CHECK_THROWS_WITH(out::results_lock(dir), Catch::Contains("cannot lock"));
  CHECK(out::read_file(dir / "victim") == "precious\n");
}

TEST_CASE("files.sha256 makes a folder verifiably one run's", "[io]") {
  const auto dir = test::scratch_folder("manifest");
  write(dir / "indicators.csv", "scenario,year\nA,2020\n");
  write(dir / "run.json", "{}\n");
  out::write_manifest(dir, {"indicators.csv", "run.json"});
  CHECK(out::read_file(dir / "files.sha256") ==
        out::file_sha256(dir / "indicators.csv") + "  indicators.csv\n" +
            out::file_sha256(dir / "run.json") + "  run.json\n");
  // SHA-256 of "{}\n", as sha256sum gives it.
  CHECK(out::file_sha256(dir / "run.json") ==
        "ca3d163bab055381827226140568f3bef7eaac187cebd76878e0b63e9e442356");
  CHECK(out::sha256_hex("{}\n") == out::file_sha256(dir / "run.json"));
  CHECK_NOTHROW(out::verify_results_folder(dir));
  write(dir / "report.html", "<html>");  // rebuilt from the listed files: not listed itself
  CHECK_NOTHROW(out::verify_results_folder(dir));

  SECTION("a file of another run") {
    write(dir / "indicators.csv", "scenario,year\nB,2020\n");
    CHECK_THROWS_AS(out::verify_results_folder(dir), engine::input_error);
    CHECK_THROWS_WITH(out::verify_results_folder(dir),
                      Catch::Contains("files.sha256:1:1: error: indicators.csv is not the file "
                                      "this run wrote"));
  }
  SECTION("a file of hwfsim's names that the run did not write") {
    write(dir / "corridors.csv", "scenario,year\n");
    CHECK_THROWS_WITH(out::verify_results_folder(dir),
                      Catch::Contains("corridors.csv is in the folder but not listed"));
  }
  SECTION("a listed file that is gone") {
    fs::remove(dir / "run.json");
    CHECK_THROWS_WITH(out::verify_results_folder(dir),
                      Catch::Contains("files.sha256:2:1: error: run.json is missing"));
  }
  SECTION("no files.sha256: a run stopped while writing") {
    out::remove_manifest(dir);
    CHECK_FALSE(fs::exists(dir / "files.sha256"));
    try {
      out::verify_results_folder(dir);
      FAIL("expected input_error");
    } catch (const engine::input_error& e) {
      CHECK_THAT(e.what(), Catch::Contains("files.sha256: error: missing"));
      CHECK(engine::remedy_of(e) == engine::remedy::write_anew);
    }
  }
  SECTION("a line that names no result file") {
    write(dir / "files.sha256", out::file_sha256(dir / "run.json") + "  ../etc/passwd\n");
    CHECK_THROWS_WITH(
        out::verify_results_folder(dir),
        Catch::Contains("files.sha256:1:1: error: expected '<SHA-256>  <file name>'"));
  }
}

namespace {
out::checkpoint_manifest study(const std::string& seed) {
  return {{"format", "2"}, {"seed", seed}, {"samples", "4"}};
}

/// One chunk of runs [0, 2) with one value per run.
engine::run_chunk two_runs(double a, double b) {
  engine::run_chunk c;
  c.first = 0;
  c.last = 2;
  c.ok = {1, 1};
  c.values = {a, b};
  return c;
}
}  // namespace

TEST_CASE("a checkpoint refuses a chunk copied from another study's", "[io][checkpoint]") {
  const auto ours = test::scratch_folder("ck_ours");
  const auto theirs = test::scratch_folder("ck_theirs");
  out::checkpoint_folder a(ours), b(theirs);
  a.start(study("1"));
  b.start(study("2"));
  b.save_chunk(two_runs(7, 8).view());
  b.save_state("state of seed 2", 2);

  // The same study's files are used.
  out::checkpoint_folder again(theirs);
  again.check(study("2"));
  const auto own = again.load(1);
  REQUIRE(own.chunks.size() == 0);  // the state covers runs [0, 2): the chunk was removed
  CHECK(own.state == "state of seed 2");
  CHECK(own.state_runs == 2);

  // Another study's chunk or state, copied in, is refused by name.
  b.save_chunk(two_runs(7, 8).view());
  a.save_chunk(two_runs(1, 2).view());
  out::checkpoint_folder resumed(ours);
  resumed.check(study("1"));
  CHECK(resumed.load(1).chunks.at(0).values == std::vector<double>{1, 2});
  fs::copy_file(theirs / "checkpoint" / "chunk-000000000000.bin",
                ours / "checkpoint" / "chunk-000000000000.bin",
                fs::copy_options::overwrite_existing);
  CHECK_THROWS_AS(resumed.load(1), out::checkpoint_error);
  CHECK_THROWS_WITH(resumed.load(1),
                    Catch::Contains("chunk-000000000000.bin is not part of this study's "
                                    "checkpoint") &&
                        Catch::Contains("copied from another run's checkpoint"));
  fs::remove(ours / "checkpoint" / "chunk-000000000000.bin");
  fs::copy_file(theirs / "checkpoint" / "state.bin", ours / "checkpoint" / "state.bin");
  CHECK_THROWS_WITH(resumed.load(1), Catch::Contains("state.bin is not part of this study's"));
}
