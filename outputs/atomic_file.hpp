#pragma once
// Writing result files so that a reader never sees half a file: write to a temporary name in the
// same folder, flush to disk, then rename over the target.

#include <cstdint>
#include <filesystem>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "engine/diagnostics.hpp"

namespace hwf::out {

/// Writing failed (full disk, unwritable folder...). The message names the file; the remedy,
/// when there is one, says what to do (replace the folder's files, choose another folder...).
class output_error : public std::runtime_error, public engine::with_remedy {
 public:
  explicit output_error(const std::string& message,
                        engine::remedy what_to_do = engine::remedy::none)
      : std::runtime_error(message), engine::with_remedy(what_to_do) {}
};

/// Writes `content` to `path` atomically (temporary file, fsync, rename, fsync of the folder).
/// On failure the temporary file is removed and output_error is thrown; `path` keeps whatever
/// it held before.
void write_file_atomically(const std::filesystem::path& path, std::string_view content);

/// Most bytes read_file reads.
inline constexpr std::uintmax_t max_read_file_bytes = std::uintmax_t{1} << 30;

/// The whole content of the regular file `path` (engine::read_regular_file, at most
/// max_read_file_bytes), or nothing when it cannot be read (callers say why it matters).
std::optional<std::string> read_file(const std::filesystem::path& path);

/// A results folder that already holds files, written to without --force.
class folder_not_empty : public output_error {
 public:
  using output_error::output_error;
};

/// Checks, before any work, that results may go to `dir`: it is absent, empty (but for
/// temporaries and a lock file a killed run left), or `overwrite` is set (else
/// folder_not_empty); it is not a file nor a symbolic link to nothing (else output_error).
/// Creates nothing.
void check_results_folder(const std::filesystem::path& dir, bool overwrite);

/// Creates `dir` (and its parents) if missing; output_error if that fails.
void create_results_folder(const std::filesystem::path& dir);

/// True for the name of a temporary hwfsim itself creates in a results folder: "." followed by
/// one of hwfsim's result file names, ".tmp" and 8 lowercase hex digits
/// (".indicators.csv.tmp1a2b3c4d"). Any other name is the user's.
bool is_own_temporary(std::string_view name);

/// The names of the files hwfsim writes into a results folder: those of the results catalogue
/// (outputs/results_catalogue.hpp), in its order.
const std::vector<std::string>& own_result_names();

/// Removes temporaries that killed runs left in `dir` (is_own_temporary names only).
void remove_stale_temporaries(const std::filesystem::path& dir);

/// With --force, files of hwfsim's own names that the new results do not include are removed,
/// so that a results folder never mixes two runs. `written` lists the new files' names.
void remove_stale_results(const std::filesystem::path& dir,
                          const std::vector<std::string>& written);

/// The results folder is being written by another hwfsim (it holds the folder's lock). Exit 3,
/// like a folder that holds files: nothing was written.
class folder_in_use : public folder_not_empty {
 public:
  using folder_not_empty::folder_not_empty;
};

/// The exclusive lock on a results folder, held while a run writes into it: the file
/// RESULTS/.hwfsim.lock, locked with flock(2) and removed on release. Taken without waiting:
/// folder_in_use when another process holds it. On a file system without locks (flock fails
/// with ENOLCK, EOPNOTSUPP or ENOSYS) nothing is locked.
class results_lock {
 public:
  /// `dir` must exist.
  explicit results_lock(const std::filesystem::path& dir);
  ~results_lock();
  results_lock(const results_lock&) = delete;
  results_lock& operator=(const results_lock&) = delete;
  static constexpr const char* file_name = ".hwfsim.lock";

 private:
  int fd_ = -1;
  std::filesystem::path path_;
};

/// The list of a complete run's files, written last: "<SHA-256>  <name>" lines, the format of
/// `sha256sum -c`. A folder without it, or whose files do not match it, is not one complete run.
inline constexpr const char* manifest_name = "files.sha256";

/// SHA-256 of `bytes`, as 64 lowercase hex digits.
std::string sha256_hex(std::string_view bytes);

/// SHA-256 (lowercase hex) of a file's content, read in blocks; output_error if unreadable.
std::string file_sha256(const std::filesystem::path& path);

/// Writes RESULTS/files.sha256 listing `names` (in that order) with their SHA-256.
void write_manifest(const std::filesystem::path& dir, const std::vector<std::string>& names);

/// Removes RESULTS/files.sha256 durably (before a run replaces the folder's files).
void remove_manifest(const std::filesystem::path& dir);

/// Checks that `dir`'s files are one complete run's: files.sha256 is there, every file it lists
/// has that SHA-256, and no other file of hwfsim's names (but report.html, rebuilt from them)
/// is in the folder. Throws engine::input_error naming the file and the first problem.
void verify_results_folder(const std::filesystem::path& dir);

}  // namespace hwf::out
