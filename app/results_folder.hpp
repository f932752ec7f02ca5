#pragma once
// The results-folder transaction of a study: the folder is checked before any work, its files
// are written atomically while it is locked, report.html and files.sha256 come last, and a folder
// created here is removed again when the writing stops part way.

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "outputs/atomic_file.hpp"

namespace hwf::app {

class results_folder {
 public:
  /// A study's results folder `dir`. With `check`, checks now that it may be written (it holds
  /// none of hwfsim's files, or `force`): throws out::folder_not_empty. A study with rules of its
  /// own (mc and its checkpoints) passes `check` false and checks itself.
  results_folder(std::filesystem::path dir, bool force, bool check = true);
  /// Not committed: the lock is released and a folder created here is removed when empty.
  ~results_folder();
  results_folder(const results_folder&) = delete;
  results_folder& operator=(const results_folder&) = delete;

  const std::filesystem::path& path() const noexcept { return dir_; }
  bool locked() const noexcept { return lock_.has_value(); }

  /// Creates and locks the folder, before its first file goes in; with `recheck`, checks again
  /// that it may be written (another run may have written there meanwhile). Called by write()
  /// when not done before.
  void lock(bool recheck = true);
  /// Writes `name` atomically (the first write removes stale temporaries and the old manifest).
  void write(const std::string& name, std::string_view content);
  /// Lists `name`, written into the folder by another writer (runs.nc), as one of the results.
  void adopt(const std::string& name);
  /// Completes the folder: with `force` removes results of an older run that were not written
  /// now, with `report` writes report.html from the files, then files.sha256 listing them.
  void commit(bool report);
  /// The files written or adopted so far, in order.
  const std::vector<std::string>& names() const noexcept { return names_; }

 private:
  void begin();

  std::filesystem::path dir_;
  bool force_;
  bool created_ = false, begun_ = false, committed_ = false;
  std::optional<out::results_lock> lock_;
  std::vector<std::string> names_;
};

/// Writes a page a command was asked for by name (--report, --published-report), atomically and
/// over an older version, creating its folder when missing; `beside` are further files
/// (name, text) written next to it, such as its chart.
void write_asked_report(const std::filesystem::path& file, std::string_view text,
                        const std::vector<std::pair<std::string, std::string>>& beside = {});

}  // namespace hwf::app
