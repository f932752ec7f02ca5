#pragma once
// What every study shares: how its inputs' warnings are treated and where its messages go, and
// the bad-input errors of options that are not YAML values.

#include <functional>
#include <string>
#include <vector>

#include "app/results_folder.hpp"
#include "engine/diagnostics.hpp"
#include "models/workforce/description.hpp"

namespace hwf::app {

/// How a study reports what is not a result. The caller (the command line) supplies the sink.
struct reporting {
  bool strict = false;  ///< the inputs' warnings are errors (engine::input_error)
  /// One message for standard error (a warning, a note), without the line end; none: dropped.
  std::function<void(const std::string&)> message;

  void say(const std::string& text) const {
    if (message) message(text);
  }
};

/// Says a scenario's warnings through `r` (when `print`), or with `r.strict` throws them as
/// engine::input_error.
void report_warnings(const model::scenario_description& s, const reporting& r, bool print = true);

/// A bad-input error about something other than a YAML value (a command-line option, a set of
/// scenarios): names `what` instead of a file position.
engine::input_error usage_error(std::string what, std::string key, std::string message,
                                std::string note, std::string suggestion = {});

/// The items of a comma-separated option value, each without surrounding spaces ("gha, nga").
/// An empty item (a trailing comma, often from `--countries gha, nga` without quotes) is refused
/// (engine::input_error naming `option`).
std::vector<std::string> list_items(const std::string& option, const std::string& text);

/// The check of an option that takes a fraction: empty when `text` may be one, else why not
/// ("'3%' is a percentage; write the fraction 0.03 instead").
std::string fraction_check(const std::string& text);

/// The whole of `run`, `compare` or `backcast`: builds the study from `options` (its inputs are
/// checked), checks its results folder, runs it and writes its results, saying their notes
/// through options.report. Returns what the command prints.
template <class Study, class Options>
std::string execute_and_write(const Options& options) {
  Study study(options);
  results_folder folder(study.output_folder(), options.force);
  const auto results = study.execute();
  results.write(folder);
  if constexpr (requires { results.notes(); })
    for (const auto& n : results.notes()) options.report.say(n);
  return results.text();
}

}  // namespace hwf::app
