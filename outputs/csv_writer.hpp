#pragma once
// Long ("tidy") CSV: one row per value, `scenario,year,<key columns>,value`. Each writer's
// columns are those of its csv_shape in the results catalogue (outputs/results_catalogue.hpp);
// the key columns are the table schema's.

#include <string>

#include "engine/tables.hpp"

namespace hwf::out {

/// Which rows of a yearly table to write: every `interval`-th year from the first, and the last.
std::vector<std::size_t> rows_every(std::size_t rows, int interval);

/// The CSV text of one table of one run (`rows`: which rows; empty = all). Values that are not
/// defined (yearly flows at the start year) are left out. Numbers use the shortest text that
/// reads back to the same double. With `header` false, only the rows are written (to append
/// several scenarios to one file).
std::string long_csv(const std::string& scenario, const std::vector<double>& times,
                     const engine::table_values& table, const std::vector<std::size_t>& rows = {},
                     bool header = true);

/// Ensemble statistics of one table: `scenario,year,<keys>,mean,sd,p05,p25,p50,p75,p95`.
/// `cells` of the statistics are laid out as the run's tables: this table's cells start at
/// `first_cell`, year-major (times.size() rows of schema.size() series).
std::string quantiles_csv(const std::string& scenario, const std::vector<double>& times,
                          const engine::table_schema& schema, std::size_t first_cell,
                          const std::vector<double>& mean, const std::vector<double>& sd,
                          const std::vector<double>& quantiles, bool header = true);

/// Like long_csv, for a scenario against a baseline of the same layout: columns
/// `scenario,year,<keys>,baseline,value,delta` (delta = value - baseline).
std::string delta_csv(const std::string& scenario, const std::vector<double>& times,
                      const engine::table_values& baseline, const engine::table_values& table,
                      bool header = true);

/// A text as a CSV field. A text that a spreadsheet would take for a formula (its first
/// character one of = + - @, a tab or a carriage return) gets a leading apostrophe, as OWASP
/// recommends against CSV injection, unless the whole text is a number ("-0.5" stays as it is);
/// a text that starts with an apostrophe gets one more, so csv_text() can undo it exactly. The
/// field is then quoted when it holds a comma, quote or line break (RFC 4180).
std::string csv_field(const std::string& s);

/// The text a CSV field (already unquoted) stands for: csv_field's apostrophe removed.
std::string csv_text(std::string field);

}  // namespace hwf::out
