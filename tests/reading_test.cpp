// Reading files from disk safely (engine/input_file): docs/robustness.md.

#include <catch2/catch.hpp>

#include <chrono>
#include <fstream>

#include <sys/stat.h>

#include <nlohmann/json.hpp>

#include "engine/binary_io.hpp"
#include "engine/diagnostics.hpp"
#include "engine/ensemble.hpp"
#include "engine/input_file.hpp"
#include "engine/yaml_input.hpp"
#include "models/workforce/description.hpp"
#include "outputs/checkpoint.hpp"
#include "outputs/html_report.hpp"
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
