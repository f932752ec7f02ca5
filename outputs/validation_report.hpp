#pragma once
// Writers for back-cast validation: a tidy CSV, a Markdown report and an SVG chart of projected
// against observed values.

#include <string>
#include <vector>

#include "engine/tables.hpp"

namespace hwf::out {

struct validation_info {
  std::string scenario;
  int start_year = 0, end_year = 0;
  std::string observed_name, observed_source, observed_file;
  std::string command;     ///< the command that regenerates the report
  std::string chart_file;  ///< file name of the SVG chart, beside the report
};

/// `scenario,country,cadre,year,observed,projected,error_percent,observed_density,
/// projected_density,note` (densities per 10,000 people of the model's population).
std::string validation_csv(const std::string& scenario,
                           const std::vector<engine::observation_match>& matches);

/// A Markdown report: how to regenerate it, summary statistics, a table per series, the largest
/// misses with what the data says about them, and the chart.
std::string validation_markdown(const validation_info& info,
                                const std::vector<engine::observation_match>& matches);

/// Projected against observed (log-log) at each series' last observed year after the start,
/// with the line of perfect agreement and +-25% bands.
std::string validation_svg(const std::vector<engine::observation_match>& matches);

}  // namespace hwf::out
