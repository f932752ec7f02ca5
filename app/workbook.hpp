#pragma once
// results.xlsx of a command (`--xlsx`, docs/excel.md): the key figures the console prints, every
// table the command wrote as a sheet, and Excel charts drawn from a sheet of chart data. The
// workbook writer is outputs/xlsx_workbook.hpp; this says what each command's workbook holds.

#include <string>
#include <utility>
#include <vector>

#include "models/workforce/compiled_model.hpp"
#include "outputs/run_record.hpp"
#include "outputs/xlsx_workbook.hpp"

namespace hwf::app {

/// A table of key figures: one row per label, numbers in columns of one style each. The console
/// prints it as text and the workbook as its first sheet.
struct key_figures {
  std::string title;                     ///< what the table shows, e.g. "All cadres, 2020 and 2045"
  std::vector<std::string> columns;      ///< the label column's title first
  std::vector<out::xlsx_number> styles;  ///< per column after the label
  std::vector<std::string> labels;
  std::vector<std::vector<double>> values;  ///< per row, one per column after the label
};

/// The key figures of a run: supply, density per 10,000 and shortage of every country, all
/// cadres, at the first and last output years.
key_figures run_key_figures(const model::compiled_model& m, const engine::run_result& r);

/// results.xlsx of a run: "Key figures", "Charts" (per country, density against the SDG index
/// threshold and supply, over the years), one sheet per table written (`tables`: file name and
/// CSV text, as written) and "Chart data" (per year, each country's supply and density, and the
/// threshold). Charts name each country as the run's record does. Throws out::output_error when
/// the workbook cannot be made.
std::string run_workbook(const model::compiled_model& m, const engine::run_result& r,
                         const out::run_record& record,
                         const std::vector<std::pair<std::string, std::string>>& tables);

}  // namespace hwf::app
