#pragma once
// Reading a whole file from disk safely: regular files only (never a device, pipe or socket,
// which can be endless or block), and never more than a stated number of bytes, even when the
// file system does not tell the size (/proc files say 0).

#include <cstdint>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <vector>

namespace hwf::engine {

/// A file that could not be read. what() says why in words that do not name the file
/// ("this is a character device, not a regular file"); callers add the name and context.
class read_error : public std::runtime_error {
 public:
  explicit read_error(const std::string& message, std::vector<std::string> notes = {})
      : std::runtime_error(message), notes_(std::move(notes)) {}
  /// Further lines for the message (what was expected, how to raise a limit).
  const std::vector<std::string>& notes() const noexcept { return notes_; }

 private:
  std::vector<std::string> notes_;
};

/// Every byte of the regular file `path` (symbolic links are followed). Throws read_error for:
/// a missing file; a broken symbolic link or a loop of links; a folder, FIFO, socket or device
/// (its kind named); a permission or I/O error (e.g. /proc/self/mem); and a file of more than
/// `max_bytes` bytes, checked on the reported size and again while reading, so a file that
/// grows or lies about its size stops there. `limit_note`, when not empty, is added to the
/// too-large message (how to raise the limit). Never blocks on a FIFO.
std::string read_regular_file(const std::filesystem::path& path, std::uintmax_t max_bytes,
                              const std::string& limit_note = {});

}  // namespace hwf::engine
