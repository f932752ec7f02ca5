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

namespace hwf::out {

/// Writing failed (full disk, unwritable folder...). The message names the file.
class output_error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
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
/// temporaries a killed run left), or `overwrite` is set (else folder_not_empty); it is not a
/// file (else output_error). Creates nothing.
void check_results_folder(const std::filesystem::path& dir, bool overwrite);

/// Creates `dir` (and its parents) if missing; output_error if that fails.
void create_results_folder(const std::filesystem::path& dir);

/// Removes temporaries that killed runs left in `dir` (".<name>.tmp<8 hex digits>").
void remove_stale_temporaries(const std::filesystem::path& dir);

/// With --force, files of hwfsim's own names that the new results do not include are removed,
/// so that a results folder never mixes two runs. `written` lists the new files' names.
void remove_stale_results(const std::filesystem::path& dir,
                          const std::vector<std::string>& written);

}  // namespace hwf::out
