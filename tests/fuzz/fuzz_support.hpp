#pragma once
// Shared by the libFuzzer targets: a private scratch folder, file writing, and the seed mode in
// which a target writes its seed inputs (made from tests/data) instead of fuzzing.

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <unistd.h>

namespace hwf::fuzz {

/// A folder of this process's own under the temporary folder, created once.
inline std::filesystem::path work_folder(const std::string& name) {
  auto d = std::filesystem::temp_directory_path() /
           ("hwf_fuzz_" + name + "_" + std::to_string(::getpid()));
  std::filesystem::create_directories(d);
  return d;
}

inline void write(const std::filesystem::path& path, std::string_view bytes) {
  std::ofstream(path, std::ios::binary | std::ios::trunc)
      .write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

/// The folder named by HWF_FUZZ_SEEDS: set, the target writes its seeds there and exits
/// (tests/fuzz/run_fuzz.sh).
inline std::optional<std::filesystem::path> seed_folder() {
  const char* dir = std::getenv("HWF_FUZZ_SEEDS");
  if (!dir || !*dir) return std::nullopt;
  std::filesystem::create_directories(dir);
  return std::filesystem::path(dir);
}

/// The body of LLVMFuzzerInitialize: with HWF_FUZZ_SEEDS set, calls `write_seeds` with its
/// folder and exits; otherwise returns 0 and fuzzing goes on.
template <class WriteSeeds>
int initialize(WriteSeeds write_seeds) {
  if (const auto seeds = seed_folder()) {
    write_seeds(*seeds);
    std::exit(0);
  }
  return 0;
}

/// Several files in one input: the first file's bytes, then for each further file a line
/// "@@ <name>" and its bytes. Every input splits somehow, so the fuzzer never wastes one.
inline std::vector<std::pair<std::string, std::string>> split_files(std::string_view data,
                                                                    std::string first_name) {
  std::vector<std::pair<std::string, std::string>> files;
  constexpr std::string_view marker = "\n@@ ";
  std::string name = std::move(first_name);
  for (;;) {
    const auto at = data.find(marker);
    files.emplace_back(name, std::string(data.substr(0, at)));
    if (at == std::string_view::npos) break;
    data.remove_prefix(at + marker.size());
    const auto eol = data.find('\n');
    name = std::string(data.substr(0, eol));
    data.remove_prefix(eol == std::string_view::npos ? data.size() : eol + 1);
  }
  return files;
}

/// The inverse of split_files, for seeds.
inline std::string join_files(const std::vector<std::pair<std::string, std::string>>& files) {
  std::string out;
  for (std::size_t i = 0; i < files.size(); ++i) {
    if (i > 0) out += "\n@@ " + files[i].first + "\n";
    out += files[i].second;
  }
  return out;
}

}  // namespace hwf::fuzz
