#pragma once
// results.xlsx: the results as an Excel workbook (libxlsxwriter), for planners who work in
// spreadsheets (docs/excel.md). The writer knows sheets of cells and line charts over their
// ranges; which tables and charts a command's workbook holds is the caller's.

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/indicator_info.hpp"

namespace hwf::out {

/// How a number shows: a whole count with thousands separators, one decimal (a density),
/// whole US dollars, a percentage, a year (no separator), or as Excel's General.
enum class xlsx_number { general, count, decimal, usd, share, year };

/// The style of an indicator's values (its registry entry's value_format).
xlsx_number number_style(engine::value_format format);

/// One sheet: a header row (bold, frozen, with a filter) and rows of cells. A cell of a numeric
/// column is written as a number when its text is a finite one, and left blank when empty; any
/// other cell as text ("nan", "inf", and a text that looks like a formula stay text).
struct xlsx_sheet {
  std::string name;  ///< at most 31 characters, none of []:*?/\ (checked: internal_error)
  /// A line above the header saying what the figures are (years, units); none when empty.
  std::string title;
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> rows;
  std::vector<bool> numeric;            ///< per column
  std::vector<xlsx_number> columns;     ///< per column: its style, or general to use `row_styles`
  std::vector<xlsx_number> row_styles;  ///< per row (may be empty: general)
  std::vector<double> widths;           ///< per column, in characters (may be empty: 12)
};

/// How a chart line looks: solid; a reference level (grey, dashed), such as a threshold; or a
/// bound of a band (thin, dotted), drawn in its group's colour around the group's solid line.
enum class xlsx_line { solid, reference, bound };

/// A line chart of some columns of a sheet against one of its columns (the years), placed on a
/// sheet at a cell. Rows are data rows, 0 being the row below the header.
struct xlsx_line_chart {
  struct line {
    std::size_t column = 0;  ///< named by its header cell
    xlsx_line look = xlsx_line::solid;
    std::size_t group = 0;  ///< lines of one group share a colour (a median and its bounds)
  };
  std::string title, y_title;
  std::string data_sheet;
  std::size_t first_row = 0, last_row = 0;
  std::size_t category_column = 0;
  std::vector<line> lines;
  std::string place_sheet;
  std::size_t place_row = 0, place_column = 0;
};

/// The workbook's bytes: `sheets` in order, then the charts on their sheets. Written through a
/// scratch file (libxlsxwriter writes files), removed again. Throws output_error naming
/// `name` when libxlsxwriter fails, internal_error for a chart naming a sheet or column that
/// does not exist.
std::string xlsx_bytes(const std::string& name, const std::vector<xlsx_sheet>& sheets,
                       const std::vector<xlsx_line_chart>& charts);

/// A sheet of a results CSV file `file` (its text, as written; named by the file's stem): its
/// header, its key columns and the catalogue's text columns as text, the others as numbers, the
/// `year` column as years, and each row's values in the style of its indicator
/// (`style_of(indicator)`; general where the file has no `indicator` column).
xlsx_sheet sheet_of_csv(const std::string& file, const std::string& csv,
                        const std::function<xlsx_number(std::string_view indicator)>& style_of);

}  // namespace hwf::out
