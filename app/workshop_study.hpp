#pragma once
// `hwfsim workshop`: one self-contained HTML page that runs the given scenarios in the browser,
// with sliders for their lever terms (or their `workshop:` block's controls), a switch for each
// policy and charts of both ends of a corridor against the no-policy baseline (docs/workshop.md).

#include <filesystem>
#include <string>
#include <vector>

#include "app/study.hpp"

namespace hwf::app {

struct workshop_options {
  std::vector<std::string> scenarios;  ///< scenario YAML files; the page opens the first
  std::string output;                  ///< the page; empty: results/workshop.html
  bool force = false;                  ///< replace an existing file
  reporting report;
};

/// The page's files and scenarios, loaded and checked.
class workshop_study {
 public:
  /// Says why the page cannot be written by this hwfsim (out::output_error), loads and checks
  /// every scenario (engine::input_error; warnings said through options.report), and checks that
  /// the page may be written (out::folder_not_empty for an existing file without `force`).
  explicit workshop_study(workshop_options options);
  /// The page's file: options.output, or results/workshop.html.
  std::filesystem::path output_file() const;
  /// Writes the page atomically; returns what the command prints.
  std::string write() const;
  /// What the page embeds, as JSON: generator, chart libraries, the scenarios it offers (their
  /// files in the page's file system and the paths given) and every file they read, by path.
  const std::string& data() const noexcept { return data_; }

 private:
  workshop_options options_;
  std::string data_;
  std::size_t files_ = 0;
};

}  // namespace hwf::app
