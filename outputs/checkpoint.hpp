#pragma once
// The checkpoint of an unfinished Monte Carlo ensemble, in RESULTS/checkpoint/:
//   manifest.json         what study it belongs to (inputs' SHA-256, seed, samples, binary, ...)
//   chunk-<first run>.bin each completed chunk of runs (engine::encode_chunk): its values, or
//                         with sketches its block summaries
//   state.bin             with quantile sketches: the statistics over runs [0, n), after which
//                         the chunk files below n are removed
// Chunks and state open with the study's identity (the SHA-256 of its manifest, 64 hex digits
// and a newline): a file copied from another study's checkpoint is refused on resume.
// Every file is written atomically and fsync'd (outputs/atomic_file), so a job killed at any
// moment leaves only whole files; at most the chunks in flight are lost.

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include "engine/ensemble.hpp"
#include "outputs/atomic_file.hpp"

namespace hwf::out {

/// Most bytes read from one checkpoint file: above any file a study within --memory writes
/// (world-20: chunks of 75 MiB, a state of about 330 MiB), so that a damaged or replaced file
/// (a link to /dev/zero, say) is refused instead of read without end (docs/cluster.md).
inline constexpr std::uintmax_t max_checkpoint_file_bytes = std::uintmax_t{16} << 30;

/// What identifies a study: ordered (key, value) pairs, compared on resume.
using checkpoint_manifest = std::vector<std::pair<std::string, std::string>>;

/// A checkpoint that cannot be used (another study's, damaged, missing).
class checkpoint_error : public output_error {
 public:
  using output_error::output_error;
};

class checkpoint_folder {
 public:
  explicit checkpoint_folder(const std::filesystem::path& results_dir);
  /// True when `results_dir` holds a checkpoint.
  static bool exists(const std::filesystem::path& results_dir);
  const std::filesystem::path& path() const noexcept { return path_; }

  /// Creates the folder (and the results folder) and writes the manifest.
  void start(const checkpoint_manifest& manifest);
  /// Throws checkpoint_error naming the first difference when the saved manifest is not `now`.
  void check(const checkpoint_manifest& now);
  void save_chunk(const engine::chunk_view& chunk) const;
  /// Writes the state, then removes the chunk files it covers.
  void save_state(const std::string& state, std::size_t runs) const;
  /// What was saved, for engine::ensemble_options::resume (after check()); checkpoint_error
  /// when a file is damaged or carries another study's identity.
  engine::ensemble_resume load(std::size_t cells) const;
  void remove() const;

 private:
  std::filesystem::path path_;
  std::string identity_;  ///< SHA-256 of the manifest (start or check)
};

}  // namespace hwf::out
