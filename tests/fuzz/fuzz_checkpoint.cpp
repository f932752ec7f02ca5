// libFuzzer target: the checkpoint reader (manifest.json, chunk files, the sketches' state.bin)
// must answer any bytes with a result, a checkpoint_error or corrupt_data, never a crash, a hang,
// a huge allocation or another exception. Input: a first byte choosing the file (0 manifest,
// 1 chunk, 2 state), a second byte whose lowest bit asks for the trailing checksum to be made
// right (so that the fuzzer reaches the decoder behind it), then the file's bytes.
// Build and run: docs/robustness.md.

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <limits>

#include "engine/binary_io.hpp"
#include "engine/ensemble.hpp"
#include "fuzz_support.hpp"
#include "outputs/atomic_file.hpp"
#include "outputs/checkpoint.hpp"

namespace {

constexpr std::size_t cells = 3;

hwf::engine::ensemble_options sketch_options(std::size_t runs) {
  hwf::engine::ensemble_options o;
  o.runs = runs;
  o.force_sketch = true;
  o.sketch_block = 8;
  o.chunk_runs = 16;
  o.skip_failed = true;
  return o;
}

/// A chunk of exact values, a chunk of block summaries and the state after it.
void write_seeds(const std::filesystem::path& dir) {
  std::vector<unsigned char> ok(16, 1);
  ok[2] = 0;
  const std::vector<hwf::engine::run_failure> failures{{2, "stock W went negative", -1}};
  std::vector<double> values(16 * cells);
  for (std::size_t i = 0; i < values.size(); ++i) values[i] = 0.5 * static_cast<double>(i % 7);
  values[2 * cells] = std::numeric_limits<double>::quiet_NaN();
  const auto exact = hwf::engine::encode_chunk(
      {0, 4, std::span(ok).first(4), failures, std::span(values).first(4 * cells), {}});

  hwf::engine::run_summary a(cells, 1), b(cells, 2);
  a.add(8, std::span(ok).first(8), std::span(values).first(8 * cells));
  b.add(8, std::span(ok).subspan(8), std::span(values).subspan(8 * cells));
  a.condense();
  b.condense();
  const std::vector<hwf::engine::run_summary> summaries{a, b};
  const hwf::engine::chunk_view sketched{0, 16, ok, failures, {}, summaries};
  hwf::engine::ensemble_accumulator acc(cells, sketch_options(16));
  acc.take(sketched);

  const auto seed = [&](const std::string& name, char kind, const std::string& bytes) {
    hwf::fuzz::write(dir / name, std::string{kind, '\1'} + bytes);
  };
  seed("seed-manifest", 0,
       "{\n  \"format\": \"1\",\n  \"hwfsim_version\": \"0.1.0\",\n  \"seed\": \"7\"\n}\n");
  seed("seed-chunk-exact", 1, exact);
  seed("seed-chunk-sketch", 1, hwf::engine::encode_chunk(sketched));
  seed("seed-state", 2, acc.save());
}

std::string with_checksum(std::string bytes) {
  if (bytes.size() < 8) return bytes;
  bytes.resize(bytes.size() - 8);
  hwf::engine::put(bytes, hwf::engine::checksum(bytes));
  return bytes;
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  return hwf::fuzz::initialize(write_seeds);
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 2) return 0;
  static const auto dir = hwf::fuzz::work_folder("checkpoint");
  const auto folder = dir / "checkpoint";
  std::filesystem::remove_all(folder);
  std::filesystem::create_directories(folder);
  const int kind = data[0] % 3;
  std::string bytes(reinterpret_cast<const char*>(data) + 2, size - 2);
  if (data[1] & 1) bytes = with_checksum(std::move(bytes));
  const hwf::out::checkpoint_manifest study{
      {"format", "1"}, {"hwfsim_version", "0.1.0"}, {"seed", "7"}};
  hwf::out::checkpoint_folder checkpoint(dir);
  try {
    if (kind == 0) {
      hwf::fuzz::write(folder / "manifest.json", bytes);
      checkpoint.check(study);
    } else if (kind == 1) {
      // A chunk of this study opens with its identity (the SHA-256 of manifest.json): put it
      // there, so the fuzzed bytes reach the chunk decoder behind it.
      checkpoint.start(study);
      const auto identity =
          hwf::out::sha256_hex(hwf::out::read_file(folder / "manifest.json").value());
      hwf::fuzz::write(folder / "chunk-000000000000.bin", identity + "\n" + bytes);
      (void)checkpoint.load(cells);
    } else {
      // The state names its run count; an accumulator of that many runs takes it, then gives
      // its statistics.
      std::uint64_t runs = 0;
      if (bytes.size() >= 16) std::memcpy(&runs, bytes.data() + 8, 8);
      runs = std::clamp<std::uint64_t>(runs, 1, 1u << 20);  // an ensemble has a run
      hwf::engine::ensemble_accumulator acc(cells, sketch_options(runs));
      acc.load(bytes, runs);
      (void)acc.finish();
    }
  } catch (const hwf::out::checkpoint_error&) {
  } catch (const hwf::engine::corrupt_data&) {
    // The expected answers to a damaged checkpoint.
  }
  return 0;
}
