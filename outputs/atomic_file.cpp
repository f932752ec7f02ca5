#include "outputs/atomic_file.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <random>

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>
#include <openssl/evp.h>

#include "engine/diagnostics.hpp"

#include "engine/input_file.hpp"
#include "outputs/results_catalogue.hpp"

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

const std::vector<std::string>& own_result_names() {
  static const std::vector<std::string> own = [] {
    std::vector<std::string> names;
    for (const auto& f : results_catalogue()) names.emplace_back(f.name);
    return names;
  }();
  return own;
}

bool is_own_temporary(std::string_view name) {
  // "." + own name + ".tmp" + 8 hex digits
  constexpr std::size_t suffix = 12;
  if (name.size() < 2 + suffix || name[0] != '.') return false;
  const auto tail = name.substr(name.size() - suffix);
  if (!tail.starts_with(".tmp")) return false;
  for (const char c : tail.substr(4))
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  const auto stem = name.substr(1, name.size() - 1 - suffix);
  const auto& own = own_result_names();
  return std::find(own.begin(), own.end(), stem) != own.end();
}

namespace {
/// True if `dir` holds anything but stale temporaries and a stale lock file.
bool holds_files(const std::filesystem::path& dir) {
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(dir, ec)) {
    const auto name = e.path().filename().string();
    if (!is_own_temporary(name) && name != results_lock::file_name) return true;
  }
  return false;
}
}  // namespace

void check_results_folder(const std::filesystem::path& dir, bool overwrite) {
  std::error_code ec;
  if (!std::filesystem::exists(dir, ec)) {
    if (std::filesystem::is_symlink(dir, ec))
      throw output_error(
          fmt::format("{} is a symbolic link to {}, which does not exist; nothing was written",
                      dir.string(), std::filesystem::read_symlink(dir, ec).string()),
          engine::remedy::create_target_or_other_folder);
    return;
  }
  if (!std::filesystem::is_directory(dir, ec))
    throw output_error(fmt::format("{} exists and is not a folder", dir.string()));
  if (holds_files(dir) && !overwrite)
    throw folder_not_empty(
        fmt::format("{} already holds results; nothing was written", dir.string()),
        engine::remedy::replace_or_other_folder);
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
  const auto& own = own_result_names();
  for (const auto& name : own) {
    if (std::find(written.begin(), written.end(), name) != written.end()) continue;
    std::error_code ec;
    std::filesystem::remove(dir / name, ec);
  }
}

results_lock::results_lock(const std::filesystem::path& dir) : path_(dir / file_name) {
  for (;;) {
    // O_NOFOLLOW: a symbolic link planted under the lock's name is refused, not followed.
    fd_ = ::open(path_.c_str(), O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0644);
    if (fd_ < 0)
      throw output_error(fmt::format("cannot lock {}: {}", path_.string(), errno_text(errno)));
    if (::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
      const int err = errno;
      if (err == EWOULDBLOCK) {
        std::string who;
        if (const auto text = read_file(path_); text && !text->empty() && text->size() < 200)
          who = fmt::format(" ({})", text->substr(0, text->find('\n')));
        ::close(fd_);
        fd_ = -1;
        throw folder_in_use(
            fmt::format("{} is being written by another hwfsim{}; nothing was written",
                        dir.string(), who),
            engine::remedy::wait_then_replace_or_other_folder);
      }
      ::close(fd_);
      fd_ = -1;
      if (err == ENOLCK || err == EOPNOTSUPP || err == ENOSYS) {
        path_.clear();  // a file system without locks: nothing is locked, nothing to remove
        return;
      }
      throw output_error(fmt::format("cannot lock {}: {}", path_.string(), errno_text(err)));
    }
    // The run that held the lock removes the file as it releases it: the lock counts only if
    // the file locked is still the one under that name.
    struct stat locked {
    }, named{};
    if (::fstat(fd_, &locked) == 0 && ::lstat(path_.c_str(), &named) == 0 &&
        locked.st_dev == named.st_dev && locked.st_ino == named.st_ino)
      break;
    ::close(fd_);
  }
  // Who holds it, for the message of a run refused meanwhile; written only into a plain file of
  // ours (never through a second link to another file).
  struct stat st {};
  if (::fstat(fd_, &st) == 0 && S_ISREG(st.st_mode) && st.st_nlink == 1 && st.st_size < 200) {
    char host[256] = "";
    ::gethostname(host, sizeof host - 1);
    const auto text = fmt::format("process {} on {}\n", ::getpid(), host);
    if (::ftruncate(fd_, 0) == 0) {
      const ssize_t n = ::pwrite(fd_, text.data(), text.size(), 0);
      (void)n;  // if it fails, a refused run's message only lacks the holder's name
    }
  }
}

results_lock::~results_lock() {
  if (fd_ < 0) return;
  ::unlink(path_.c_str());  // while still locked: see the constructor
  ::close(fd_);
}

namespace {
std::string hex_digits(const unsigned char* digest, unsigned int len) {
  std::string hex;
  for (unsigned int i = 0; i < len; ++i) hex += fmt::format("{:02x}", digest[i]);
  return hex;
}
}  // namespace

std::string sha256_hex(std::string_view bytes) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (EVP_Digest(bytes.data(), bytes.size(), digest, &len, EVP_sha256(), nullptr) != 1)
    throw output_error("SHA-256 computation failed");
  return hex_digits(digest, len);
}

std::string file_sha256(const std::filesystem::path& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    throw output_error(fmt::format("cannot read {}: {}", path.string(), errno_text(errno)));
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  bool good = ctx != nullptr && EVP_DigestInit_ex(ctx, EVP_sha256(), nullptr) == 1;
  std::vector<char> buffer(1 << 20);
  int err = 0;
  while (good) {
    const ssize_t n = ::read(fd, buffer.data(), buffer.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      err = errno;
      good = false;
    } else if (n == 0) {
      break;
    } else {
      good = EVP_DigestUpdate(ctx, buffer.data(), static_cast<std::size_t>(n)) == 1;
    }
  }
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (good) good = EVP_DigestFinal_ex(ctx, digest, &len) == 1;
  EVP_MD_CTX_free(ctx);
  ::close(fd);
  if (!good)
    throw output_error(fmt::format("cannot read {}: {}", path.string(),
                                   err != 0 ? errno_text(err) : "SHA-256 computation failed"));
  return hex_digits(digest, len);
}

void write_manifest(const std::filesystem::path& dir, const std::vector<std::string>& names) {
  std::string text;
  for (const auto& name : names) text += fmt::format("{}  {}\n", file_sha256(dir / name), name);
  write_file_atomically(dir / manifest_name, text);
}

void remove_manifest(const std::filesystem::path& dir) {
  const auto path = dir / manifest_name;
  if (::unlink(path.c_str()) != 0) {
    if (errno == ENOENT) return;
    throw output_error(fmt::format("cannot remove {}: {}", path.string(), errno_text(errno)));
  }
  if (const int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC); dfd >= 0) {
    ::fsync(dfd);
    ::close(dfd);
  }
}

void verify_results_folder(const std::filesystem::path& dir) {
  const auto path = dir / manifest_name;
  const auto fail = [&](std::string message, int line = 0) {
    engine::diagnostic d;
    d.where.file = path.string();
    d.where.line = line;
    d.where.column = line > 0 ? 1 : 0;
    d.message = std::move(message);
    d.notes.push_back(
        "a results folder holds one complete run's files, listed with their SHA-256 in "
        "files.sha256, which is written last (docs/robustness.md)");
    return engine::input_error_with_remedy({std::move(d)}, engine::remedy::write_anew);
  };
  const auto text = read_file(path);
  if (!text)
    throw fail(
        "missing: the folder's files are not known to be one complete run's (a run stopped "
        "while writing them, or an older hwfsim wrote them)");
  std::vector<std::string> listed;
  std::istringstream in(*text);
  int line = 0;
  for (std::string row; std::getline(in, row);) {
    ++line;
    const auto& own = own_result_names();
    const std::string name = row.size() > 66 ? row.substr(66) : "";
    bool hex = row.size() > 66 && row.compare(64, 2, "  ") == 0;
    for (std::size_t i = 0; hex && i < 64; ++i)
      hex = (row[i] >= '0' && row[i] <= '9') || (row[i] >= 'a' && row[i] <= 'f');
    if (!hex || std::find(own.begin(), own.end(), name) == own.end() || name == manifest_name)
      throw fail("expected '<SHA-256>  <file name>' naming one of hwfsim's result files", line);
    // Read as every input is (engine::read_regular_file): a device or FIFO put in a run's place
    // is refused by its kind, never read without end.
    std::string bytes;
    try {
      bytes = engine::read_regular_file(dir / name, max_read_file_bytes);
    } catch (const engine::read_error& e) {
      if (std::string_view(e.what()).starts_with("no such file"))
        throw fail(fmt::format("{} is missing", name), line);
      engine::diagnostic d;  // (built field by field: g++ 12 -O3 misreads the aggregate)
      d.where.file = (dir / name).string();
      d.message = e.what();
      d.notes = e.notes();
      throw engine::input_error({std::move(d)});
    }
    const std::string actual = sha256_hex(bytes);
    if (actual != row.substr(0, 64))
      throw fail(fmt::format("{} is not the file this run wrote (its SHA-256 differs)", name),
                 line);
    listed.push_back(name);
  }
  for (const auto& name : own_result_names()) {
    if (name == manifest_name || name == "report.html") continue;
    std::error_code ec;
    if (std::find(listed.begin(), listed.end(), name) == listed.end() &&
        std::filesystem::exists(dir / name, ec))
      throw fail(fmt::format("{} is in the folder but not listed: it is another run's", name));
  }
}

}  // namespace hwf::out
