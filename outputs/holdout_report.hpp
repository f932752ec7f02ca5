#pragma once
// The hold-out page of `hwfsim calibrate` (holdout.md, and --report): the fit years against
// the hold-out years, the calibrated model against two naive forecasts by horizon, the
// hold-out goal, every held-out value and, when asked, scenarios set against published
// projections (docs/calibration.md).

#include <optional>
#include <string>
#include <vector>

#include "outputs/projections_report.hpp"
#include "outputs/run_record.hpp"

namespace hwf::out {

struct holdout_page {
  std::string scenario, scenario_file, description;
  std::string observed_source;  ///< the observed file's `source`
  std::string command;          ///< the command that regenerates the page
  calibration_summary summary;
  struct parameter_line {
    std::string label;
    double start = 0, estimate = 0, standard_error = 0;  ///< NaN: none
    std::string flag;
  };
  std::vector<parameter_line> parameters;
  /// A forecast of a held-out value and its error in percent of the observed value; NaN where
  /// the forecast gives none.
  struct forecast {
    double value = 0, error = 0;
  };
  /// One held-out value and its three forecasts.
  struct value_line {
    std::string series;  ///< "NGA nurses", "NGA GBR nurses emigration"
    int year = 0, horizon = 0;
    double observed = 0;
    forecast fitted, persistence, trend;
    std::string note;     ///< the observed file's note on the value
    bool judged = false;  ///< counted by the errors by horizon and the goal (all three given)
  };
  std::vector<value_line> values;
  /// A fit year's value the observed file leaves out of the fit (`fit: false`).
  struct left_out_line {
    std::string series;
    int year = 0;
    double observed = 0;
    std::string note;
  };
  std::vector<left_out_line> left_out;
  /// The baseline set against published projections (`--published`), a section of its own
  /// after the errors by horizon; none: no such section.
  std::optional<projections_page> published;
};

/// The page as Markdown. Text from the input files is escaped (engine::markdown_text).
std::string holdout_markdown(const holdout_page& page);

}  // namespace hwf::out
