#include "app/results_folder.hpp"

#include "app/record.hpp"
#include "outputs/results_catalogue.hpp"

namespace hwf::app {

results_folder::results_folder(std::filesystem::path dir, bool force, bool check)
    : dir_(std::move(dir)), force_(force) {
  if (check) out::check_results_folder(dir_, force_);
}

results_folder::~results_folder() {
  if (committed_) return;
  lock_.reset();
  std::error_code ec;
  if (created_) std::filesystem::remove(dir_, ec);  // only if empty
}

void results_folder::lock(bool recheck) {
  if (lock_) return;
  std::error_code ec;
  if (!std::filesystem::exists(dir_, ec)) created_ = true;
  out::create_results_folder(dir_);
  lock_.emplace(dir_);
  if (recheck) out::check_results_folder(dir_, force_);
}

void results_folder::begin() {
  if (begun_) return;
  lock();
  out::remove_stale_temporaries(dir_);
  out::remove_manifest(dir_);
  begun_ = true;
}

void results_folder::write(const std::string& name, std::string_view content) {
  // Only the catalogue's files: --force's stale-file rule and docs/cli.md know no others.
  out::result_entry(std::filesystem::path(name).filename().string());
  begin();
  out::write_file_atomically(dir_ / name, content);
  names_.push_back(name);
}

void results_folder::adopt(const std::string& name) {
  out::result_entry(name);
  names_.push_back(name);
}

void results_folder::commit(bool report) {
  begin();
  if (force_) out::remove_stale_results(dir_, names_);
  if (report) write_report(dir_);
  out::write_manifest(dir_, names_);
  committed_ = true;  // the lock is held until the study lets go of the folder
}

void write_asked_report(const std::filesystem::path& file, std::string_view text,
                        const std::vector<std::pair<std::string, std::string>>& beside) {
  if (file.has_parent_path()) out::create_results_folder(file.parent_path());
  out::write_file_atomically(file, text);
  for (const auto& [name, content] : beside)
    out::write_file_atomically(file.parent_path() / name, content);
}

}  // namespace hwf::app
