#pragma once
// results.xlsx of a command (`--xlsx`, docs/excel.md): the key figures the console prints, every
// table the command wrote as a sheet, and Excel charts drawn from a sheet of chart data. The
// workbook writer is outputs/xlsx_workbook.hpp; this says what each command's workbook holds.

#include <cstddef>
#include <string>
#include <utility>
#include <vector>

#include "engine/ensemble.hpp"
#include "engine/indicator_info.hpp"
#include "models/workforce/compiled_model.hpp"
#include "models/workforce/description.hpp"
#include "models/workforce/monte_carlo.hpp"
#include "outputs/xlsx_workbook.hpp"

namespace hwf::app {

struct compared_run;

/// A table of key figures: rows of text labels, then numbers in columns of one style each. The
/// console prints it as text and the workbook as its first sheet.
struct key_figures {
  std::string title;                       ///< what the table shows, e.g. "All cadres in 2045"
  std::vector<std::string> label_columns;  ///< e.g. {"country"}, {"scenario", "country"}
  std::vector<std::string> columns;        ///< the number columns' titles
  std::vector<out::xlsx_number> styles;    ///< per number column
  std::vector<std::vector<std::string>> labels;  ///< per row, one per label column
  std::vector<std::vector<double>> values;       ///< per row, one per number column; NaN: no value

  void add_column(std::string column_title, out::xlsx_number style) {
    columns.push_back(std::move(column_title));
    styles.push_back(style);
  }
  /// A column of an indicator's values: titled by its short label (else its label), in the
  /// style of its unit.
  void add_column(const engine::indicator_info& info) {
    add_column(std::string(info.short_label.empty() ? info.label : info.short_label),
               out::number_style(info.format));
  }
};

/// Key figures as console text: the title, then a column per label and per number, each as wide
/// as its title or widest value; counts whole, densities with one decimal, money as money(),
/// shares as percentages, NaN as "-".
std::string key_figures_text(const key_figures& k);

/// A line of a chart: its value in each year, as the "Chart data" sheet holds it.
struct chart_line {
  std::string name;  ///< its "Chart data" column title, which the legend shows
  out::xlsx_number style = out::xlsx_number::general;
  std::vector<double> values;  ///< per year
  out::xlsx_line look = out::xlsx_line::solid;
  std::size_t group = 0;  ///< lines of one group share a colour (a median and its bounds)
};

/// A country's two charts, side by side: its density per 10,000 people against the SDG index
/// threshold (added as a dashed line), and its supply.
struct country_charts {
  std::string title;  ///< the country's name
  std::vector<chart_line> density, supply;
};

/// results.xlsx of a command: "Key figures" (`k`), "Charts" (`charts`, a row of two per
/// country), one sheet per table written (`tables`: file name and CSV text, as written) and
/// "Chart data" (a row per year of `years`: every chart line, and the threshold). Throws
/// out::output_error when the workbook cannot be made.
std::string results_workbook(const key_figures& k, const std::vector<double>& years,
                             const std::vector<country_charts>& charts,
                             const std::vector<std::pair<std::string, std::string>>& tables);

/// The key figures of a run: supply, density per 10,000 and shortage of every country, all
/// cadres, at the first and last output years.
key_figures run_key_figures(const model::compiled_model& m, const engine::run_result& r);

/// The charts of a run: each country's density and supply, all cadres, every year of `r`; each
/// country named as in the scenario's model.
std::vector<country_charts> run_charts(const model::scenario_description& s,
                                       const model::compiled_model& m, const engine::run_result& r);

/// The charts of a comparison: for each country of `shown`, each scenario's density and supply,
/// all cadres, every year of the baseline's run (the first of `runs`).
std::vector<country_charts> compare_charts(const std::vector<compared_run>& runs,
                                           const std::vector<std::size_t>& shown);

/// The key figures of an ensemble, per scenario and country, all cadres, in the last year:
/// the 5%, 50% and 95% quantiles of supply, density and shortage, and the chance that the SDG
/// density reaches the SDG index threshold.
key_figures mc_key_figures(const model::mc_study& study, const engine::cell_statistics& st);

/// The charts of an ensemble: per country, each scenario's median density and supply, all
/// cadres, every year, between dotted 5% and 95% quantiles.
std::vector<country_charts> mc_charts(const model::mc_study& study,
                                      const engine::cell_statistics& st);

}  // namespace hwf::app
