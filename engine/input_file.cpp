#include "engine/input_file.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>

namespace hwf::engine {

namespace {

/// "a character device (such as /dev/zero)": what a non-regular file is, for messages.
std::string kind_of(mode_t mode) {
  if (S_ISDIR(mode)) return "a folder";
  if (S_ISFIFO(mode)) return "a FIFO (named pipe)";
  if (S_ISSOCK(mode)) return "a socket";
  if (S_ISCHR(mode)) return "a character device (such as /dev/zero or a terminal)";
  if (S_ISBLK(mode)) return "a block device (a disk)";
  return "not a regular file";
}

[[noreturn]] void fail_not_regular(mode_t mode) {
  if (S_ISDIR(mode)) throw read_error("this is a folder, not a file", {"expected a regular file"});
  throw read_error(fmt::format("this is {}, not a regular file", kind_of(mode)),
                   {"expected a regular file; devices and pipes can be endless or block"});
}

[[noreturn]] void fail_on_errno(int err, const std::filesystem::path& path) {
  switch (err) {
    case ENOENT: {
      // A dangling symbolic link is "missing" to stat(); say what it points to.
      std::error_code ec;
      if (std::filesystem::is_symlink(std::filesystem::symlink_status(path, ec))) {
        const auto target = std::filesystem::read_symlink(path, ec);
        throw read_error(
            fmt::format("no such file: it is a symbolic link to '{}', which does "
                        "not exist",
                        target.string()));
      }
      throw read_error("no such file");
    }
    case ELOOP:
      throw read_error("this is a symbolic link loop (a link that leads back to itself)",
                       {"expected a file, or a link to one"});
    case ENOTDIR:
      throw read_error("no such file (a part of the path is not a folder)");
    case EACCES:
      throw read_error("permission denied");
    default:
      throw read_error(fmt::format("cannot read the file: {}", std::strerror(err)));
  }
}

[[noreturn]] void fail_too_large(std::string message, const std::string& limit_note) {
  std::vector<std::string> notes;
  if (!limit_note.empty()) notes.push_back(limit_note);
  throw read_error(message, std::move(notes));
}

/// Closes a descriptor when it goes out of scope.
struct fd_guard {
  int fd;
  ~fd_guard() { ::close(fd); }
};

}  // namespace

std::string read_regular_file(const std::filesystem::path& path, std::uintmax_t max_bytes,
                              const std::string& limit_note) {
  struct stat before {};
  if (::stat(path.c_str(), &before) != 0) fail_on_errno(errno, path);
  // Refused before opening: opening a FIFO can block, and opening a device can have effects.
  if (!S_ISREG(before.st_mode)) fail_not_regular(before.st_mode);
  if (static_cast<std::uintmax_t>(before.st_size) > max_bytes)
    fail_too_large(fmt::format("the file has {} bytes, more than the limit of {} bytes",
                               static_cast<std::uintmax_t>(before.st_size), max_bytes),
                   limit_note);

  // O_NONBLOCK: should the path be swapped for a FIFO between stat() and open(), open() still
  // returns at once, and the fstat() below refuses it.
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
  if (fd < 0) fail_on_errno(errno, path);
  const fd_guard guard{fd};
  struct stat st {};
  if (::fstat(fd, &st) != 0) fail_on_errno(errno, path);
  if (!S_ISREG(st.st_mode)) fail_not_regular(st.st_mode);

  std::string bytes;
  const auto reported = static_cast<std::uintmax_t>(std::max<off_t>(st.st_size, 0));
  bytes.reserve(static_cast<std::size_t>(std::min(reported, max_bytes)));
  char buffer[1 << 16];
  for (;;) {
    const ssize_t n = ::read(fd, buffer, sizeof buffer);
    if (n < 0) {
      if (errno == EINTR) continue;
      // EIO from /proc/self/mem, EISDIR and the like: bad input, not hwfsim's fault.
      throw read_error(fmt::format("read error: {}", std::strerror(errno)),
                       {"expected a regular file that can be read"});
    }
    if (n == 0) break;
    if (bytes.size() + static_cast<std::size_t>(n) > max_bytes)
      fail_too_large(fmt::format("the file has more than the limit of {} bytes", max_bytes),
                     limit_note);
    bytes.append(buffer, static_cast<std::size_t>(n));
  }
  return bytes;
}

}  // namespace hwf::engine
