#include <cstdint>
#include <exception>
#include <filesystem>
#include <functional>
#include <limits>
#include <regex>
#include <span>
#include <stdexcept>
#include <string>

#include <fmt/format.h>
#include <catch2/catch.hpp>

#include "cli/error_hints.hpp"
#include "engine/diagnostics.hpp"
#include "engine/ensemble.hpp"
#include "outputs/atomic_file.hpp"
#include "outputs/checkpoint.hpp"
#include "support.hpp"

using namespace hwf;
namespace fs = std::filesystem;

namespace {

/// An error as the libraries throw it and as the command line shows it.
struct caught_error {
  std::string message;  ///< what()
  engine::remedy what_to_do = engine::remedy::none;
  std::string shown;  ///< cli::message()
};

caught_error catch_error(const std::function<void()>& fail) {
  try {
    fail();
  } catch (const std::exception& e) {
    return {e.what(), engine::remedy_of(e), cli::message(e)};
  }
  FAIL("expected an error");
  return {};
}

/// Whether `text` names a command-line flag: "--" and a letter, or the option -o.
bool names_a_flag(const std::string& text) {
  static const std::regex flag(R"(--[A-Za-z]|(^|[^A-Za-z0-9-])-o\b)");
  return std::regex_search(text, flag);
}

/// The error's message names no flag, and it carries `what_to_do`.
void check_structured(const caught_error& e, engine::remedy what_to_do) {
  INFO(e.message);
  CHECK_FALSE(names_a_flag(e.message));
  CHECK(e.what_to_do == what_to_do);
}

void fail_every_run(std::size_t run, std::span<double>) {
  throw std::runtime_error(fmt::format("run {} broke", run));
}

engine::ensemble_options failing_runs(bool skip) {
  engine::ensemble_options opt;
  opt.runs = 3;
  opt.chunk_runs = 1;
  opt.skip_failed = skip;
  return opt;
}

}  // namespace

TEST_CASE("names_a_flag finds the flags the hints name", "[cli]") {
  CHECK(names_a_flag("raise --memory"));
  CHECK(names_a_flag("or -o to choose another folder"));
  CHECK(names_a_flag("choose another with -o"));
  CHECK_FALSE(names_a_flag("run 3 -- a stock went negative"));
  CHECK_FALSE(names_a_flag("results/gha-gbr-mc already holds results"));
  CHECK_FALSE(names_a_flag("1e-o5"));
}

TEST_CASE("an ensemble's errors name no flag: the command line adds the hint", "[engine][cli]") {
  SECTION("every run failed") {
    const auto e =
        catch_error([] { engine::run_ensemble(2, failing_runs(false), fail_every_run); });
    check_structured(e, engine::remedy::skip_failed);
    CHECK_THAT(e.message, Catch::Contains(" failed\n  run ") && Catch::Contains(" broke"));
    CHECK(e.shown ==
          e.message +
              "\n  (--skip-failed excludes failed runs from the statistics and reports them)");
  }
  SECTION("every run failed and failures are skipped") {
    const auto e = catch_error([] { engine::run_ensemble(2, failing_runs(true), fail_every_run); });
    check_structured(e, engine::remedy::skip_failed_needs_success);
    CHECK(e.shown ==
          "every run failed, so there are no statistics: 3 runs failed\n  run 0: run 0 broke\n"
          "  run 1: run 1 broke\n  run 2: run 2 broke\n  (--skip-failed excludes failed runs, "
          "but needs at least one that succeeds)");
  }
  SECTION("not even the sketches fit in the memory allowed") {
    engine::ensemble_options opt;
    opt.runs = 1'000'000;
    opt.memory_bytes = 1 << 16;
    const auto e = catch_error([&] { engine::ensemble_accumulator(100, opt); });
    check_structured(e, engine::remedy::raise_memory);
    CHECK_THAT(e.shown, Catch::EndsWith("more than the limit of 0 MiB; raise --memory"));
  }
  SECTION("every value kept would need more than the machine has") {
    engine::ensemble_options opt;
    opt.runs = std::size_t{1} << 24;
    opt.memory_bytes = std::numeric_limits<std::size_t>::max() / 2;
    const auto e = catch_error([&] { engine::ensemble_accumulator(std::size_t{1} << 24, opt); });
    check_structured(e, engine::remedy::memory_it_has_or_fewer_runs);
    CHECK(e.shown ==
          "keeping every value of 16777216 runs x 16777216 values per run needs 2147483648 MiB, "
          "which this machine could not allocate; give a --memory it has (beyond it, quantiles "
          "are sketched) or fewer --samples");
  }
}

TEST_CASE("a results folder's errors name no flag: the command line adds the hint", "[io][cli]") {
  const auto dir = test::scratch_folder("hints_folder");
  SECTION("a folder that holds results") {
    test::write_file(dir, "indicators.csv", "scenario\n");
    const auto e = catch_error([&] { out::check_results_folder(dir, false); });
    check_structured(e, engine::remedy::replace_or_other_folder);
    CHECK(e.shown == dir.string() +
                         " already holds results; nothing was written. Use --force to replace "
                         "its files, or -o to choose another folder");
  }
  SECTION("a symbolic link to nothing") {
    fs::create_symlink(dir / "gone", dir / "out");
    const auto e = catch_error([&] { out::check_results_folder(dir / "out", false); });
    check_structured(e, engine::remedy::create_target_or_other_folder);
    CHECK(e.shown == (dir / "out").string() + " is a symbolic link to " + (dir / "gone").string() +
                         ", which does not exist; nothing was written. Create the folder it "
                         "points to, or choose another with -o");
  }
  SECTION("a folder another writer holds") {
    const out::results_lock first(dir);
    const auto e = catch_error([&] { out::results_lock second(dir); });
    check_structured(e, engine::remedy::wait_then_replace_or_other_folder);
    CHECK_THAT(e.shown, Catch::EndsWith("; nothing was written. Wait until it has finished (then "
                                        "use --force to replace its files), or choose another "
                                        "folder with -o"));
  }
  SECTION("a folder without files.sha256") {
    const auto e = catch_error([&] { out::verify_results_folder(dir); });
    check_structured(e, engine::remedy::write_anew);
    CHECK_THAT(e.shown, Catch::EndsWith("which is written last (docs/robustness.md); run the "
                                        "command again with --force to write them anew"));
  }
}

TEST_CASE("a checkpoint's errors name no flag: the command line adds the hint",
          "[io][checkpoint][cli]") {
  const auto dir = test::scratch_folder("hints_checkpoint");
  const out::checkpoint_manifest ours{{"seed", "1"}}, theirs{{"seed", "2"}};
  out::checkpoint_folder cp(dir);
  cp.start(ours);
  SECTION("another study's checkpoint") {
    const auto e = catch_error([&] { out::checkpoint_folder(dir).check(theirs); });
    check_structured(e, engine::remedy::start_over_instead_of_resuming);
    CHECK(e.shown ==
          (dir / "checkpoint").parent_path().string() +
              " holds the checkpoint of another study: seed is 1 there and 2 here. A resume "
              "needs the same scenarios and input files, seed, samples, --chunk-runs, --memory "
              "mode and hwfsim binary; start over with --force instead of --resume");
  }
  SECTION("a chunk of another study") {
    test::write_file(dir / "checkpoint", "chunk-000000000000.bin", "not this study's\n");
    const auto e = catch_error([&] { cp.load(1); });
    check_structured(e, engine::remedy::remove_file_or_start_over);
    CHECK_THAT(e.shown, Catch::EndsWith("damaged; remove it to resume without it, or start over "
                                        "with --force"));
  }
  SECTION("a damaged chunk of this study") {
    cp.save_chunk(engine::chunk_view{});
    const auto file = dir / "checkpoint" / "chunk-000000000000.bin";
    const auto bytes = out::read_file(file).value();
    test::write_file(dir / "checkpoint", "chunk-000000000000.bin", bytes.substr(0, 70));
    const auto e = catch_error([&] { cp.load(1); });
    check_structured(e, engine::remedy::start_over);
    CHECK_THAT(e.shown, Catch::StartsWith(file.string() + " cannot be used: ") &&
                            Catch::EndsWith("; start over with --force"));
  }
  SECTION("a chunk that cannot be read") {
    fs::create_symlink("/dev/zero", dir / "checkpoint" / "chunk-000000000000.bin");
    const auto e = catch_error([&] { cp.load(1); });
    check_structured(e, engine::remedy::start_over);
    CHECK_THAT(e.shown,
               Catch::StartsWith("cannot read ") && Catch::EndsWith("; start over with --force"));
  }
}

TEST_CASE("each remedy has its hint, which names the flags", "[cli]") {
  CHECK(cli::hint(engine::remedy::none).empty());
  const auto last = static_cast<int>(engine::remedy::write_anew);
  for (int r = 1; r <= last; ++r) {
    const std::string hint(cli::hint(static_cast<engine::remedy>(r)));
    INFO("remedy " << r << ": " << hint);
    CHECK(names_a_flag(hint));
  }
  CHECK(cli::hint(engine::remedy::lower_chunk_runs) == "; lower --chunk-runs");
  CHECK(cli::message(out::output_error("a chunk is too large", engine::remedy::lower_chunk_runs)) ==
        "a chunk is too large; lower --chunk-runs");
  CHECK(cli::message(std::runtime_error("plain")) == "plain");
}

TEST_CASE("an error about a setting is shown with the setting's flag", "[cli]") {
  engine::diagnostic d;
  d.where.file = engine::setting_label(engine::setting::save_indicators);
  d.message = "'suply' is not an indicator";
  d.suggestion = "supply";
  const engine::setting_error e({d}, engine::setting::save_indicators);
  CHECK(std::string(e.what()) ==
        "indicators to save: error: 'suply' is not an indicator\n  did you mean 'supply'?");
  CHECK(cli::message(e) ==
        "--save-indicators: error: 'suply' is not an indicator\n  did you mean 'supply'?");
  CHECK(cli::flag(engine::setting::save_indicators) == "--save-indicators");
}
