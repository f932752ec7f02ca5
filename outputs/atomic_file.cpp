#include "outputs/atomic_file.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <random>

#include <fcntl.h>
#include <unistd.h>

#include <fmt/format.h>

#include "engine/input_file.hpp"

namespace hwf::out {

namespace {

std::string errno_text(int err) {
  return std::strerror(err);
}

/// Closes a descriptor and removes a temporary file unless released.
struct temp_guard {
  int fd = -1;
  std::filesystem::path path;
  bool keep = false;
  ~temp_guard() {
    if (fd >= 0) ::close(fd);
    if (!keep && !path.empty()) ::unlink(path.c_str());
  }
};

}  // namespace

void write_file_atomically(const std::filesystem::path& path, std::string_view content) {
  const auto dir = path.has_parent_path() ? path.parent_path() : std::filesystem::path(".");
  // A unique temporary name beside the target, so that rename() stays within one file system.
  std::random_device rd;
  temp_guard tmp;
  for (int attempt = 0; attempt < 100 && tmp.fd < 0; ++attempt) {
    tmp.path = dir / fmt::format(".{}.tmp{:08x}", path.filename().string(), rd());
    tmp.fd = ::open(tmp.path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (tmp.fd < 0 && errno != EEXIST) {
      const int err = errno;
      tmp.path.clear();
      throw output_error(fmt::format("cannot write {}: {}", path.string(), errno_text(err)));
    }
  }
  if (tmp.fd < 0)
    throw output_error(fmt::format("cannot create a temporary file for {}", path.string()));

  const char* data = content.data();
  std::size_t left = content.size();
  while (left > 0) {
    const ssize_t n = ::write(tmp.fd, data, left);
    if (n < 0) {
      if (errno == EINTR) continue;
      throw output_error(fmt::format("cannot write {}: {}", path.string(), errno_text(errno)));
    }
    data += n;
    left -= static_cast<std::size_t>(n);
  }
  if (::fsync(tmp.fd) != 0)
    throw output_error(fmt::format("cannot write {}: {}", path.string(), errno_text(errno)));
  if (::close(tmp.fd) != 0) {
    tmp.fd = -1;
    throw output_error(fmt::format("cannot write {}: {}", path.string(), errno_text(errno)));
  }
  tmp.fd = -1;
  if (::rename(tmp.path.c_str(), path.c_str()) != 0)
    throw output_error(fmt::format("cannot write {}: {}", path.string(), errno_text(errno)));
  tmp.keep = true;
  // Make the rename itself durable.
  if (const int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC); dfd >= 0) {
    ::fsync(dfd);
    ::close(dfd);
  }
}

namespace {
/// ".indicators.csv.tmp1a2b3c4d": a temporary of write_file_atomically, left by a killed process.
bool is_own_temporary(const std::string& name) {
  const auto pos = name.rfind(".tmp");
  return name.size() > 1 && name[0] == '.' && pos != std::string::npos && name.size() == pos + 12;
}

/// True if `dir` holds anything but stale temporaries.
bool holds_files(const std::filesystem::path& dir) {
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(dir, ec))
    if (!is_own_temporary(e.path().filename().string())) return true;
  return false;
}
}  // namespace

void check_results_folder(const std::filesystem::path& dir, bool overwrite) {
  std::error_code ec;
  if (!std::filesystem::exists(dir, ec)) return;
  if (!std::filesystem::is_directory(dir, ec))
    throw output_error(fmt::format("{} exists and is not a folder", dir.string()));
  if (holds_files(dir) && !overwrite)
    throw folder_not_empty(fmt::format(
        "{} already holds results; nothing was written. Use --force to replace its files, "
        "or -o to choose another folder",
        dir.string()));
}

std::optional<std::string> read_file(const std::filesystem::path& path) {
  try {
    return engine::read_regular_file(path, max_read_file_bytes);
  } catch (const engine::read_error&) {
    return std::nullopt;
  }
}

void create_results_folder(const std::filesystem::path& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec)
    throw output_error(fmt::format("cannot create folder {}: {}", dir.string(), ec.message()));
}

void remove_stale_temporaries(const std::filesystem::path& dir) {
  std::error_code ec;
  std::vector<std::filesystem::path> stale;
  for (const auto& e : std::filesystem::directory_iterator(dir, ec))
    if (is_own_temporary(e.path().filename().string())) stale.push_back(e.path());
  for (const auto& p : stale) std::filesystem::remove(p, ec);
}

void remove_stale_results(const std::filesystem::path& dir,
                          const std::vector<std::string>& written) {
  static const std::vector<std::string> own{"indicators.csv",
                                            "corridors.csv",
                                            "run.json",
                                            "deltas.csv",
                                            "corridor_deltas.csv",
                                            "summary.csv",
                                            "corridor_summary.csv",
                                            "report.html",
                                            "backcast.csv",
                                            "validation.md",
                                            "runs.nc",
                                            "quantiles.csv",
                                            "corridor_quantiles.csv",
                                            "difference_quantiles.csv",
                                            "corridor_difference_quantiles.csv",
                                            "probabilities.csv",
                                            "samples.csv",
                                            "validation.svg"};
  for (const auto& name : own) {
    if (std::find(written.begin(), written.end(), name) != written.end()) continue;
    std::error_code ec;
    std::filesystem::remove(dir / name, ec);
  }
}

}  // namespace hwf::out
