#pragma once
// Writing result files so that a reader never sees half a file: write to a temporary name in the
// same folder, flush to disk, then rename over the target.

#include <filesystem>
#include <string_view>

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

/// Prepares `dir` to receive results: creates it if missing; if it exists and holds anything,
/// throws output_error unless `overwrite` is set. Never deletes anything.
void prepare_results_folder(const std::filesystem::path& dir, bool overwrite);

}  // namespace hwf::out
