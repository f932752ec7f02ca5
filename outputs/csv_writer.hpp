#pragma once
// Long ("tidy") CSV: one row per value, `scenario,year,<key columns>,value`. Each writer's
// columns are those of its csv_shape in the results catalogue (outputs/results_catalogue.hpp);
// the key columns are the table schema's. Reading them back: for_each_csv_record.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

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

/// Splits CSV text (RFC 4180, as csv_field quotes) into records of texts (csv_text: without the
/// apostrophe csv_field puts before a formula); calls `on_record(fields, line)`.
template <class F>
void for_each_csv_record(const std::string& text, F&& on_record) {
  std::vector<std::string> fields;
  std::string field;
  std::size_t i = 0, line = 1, record_line = 1;
  bool quoted = false, any = false;
  while (i < text.size()) {
    const char c = text[i];
    if (quoted) {
      if (c == '"') {
        if (i + 1 < text.size() && text[i + 1] == '"') {
          field += '"';
          ++i;
        } else {
          quoted = false;
        }
      } else {
        if (c == '\n') ++line;
        field += c;
      }
    } else if (c == '"' && field.empty()) {
      quoted = true;
      any = true;
    } else if (c == ',') {
      fields.push_back(csv_text(std::move(field)));
      field.clear();
      any = true;
    } else if (c == '\n' || c == '\r') {
      if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') ++i;
      if (any || !field.empty()) {
        fields.push_back(csv_text(std::move(field)));
        field.clear();
        on_record(fields, record_line);
      }
      fields.clear();
      any = false;
      record_line = ++line;
    } else {
      field += c;
      any = true;
    }
    ++i;
  }
  if (any || !field.empty()) {
    fields.push_back(csv_text(std::move(field)));
    on_record(fields, record_line);
  }
}

/// A number as a CSV field (or a YAML value): the shortest text that reads back to the same
/// double, empty for NaN (an undefined value).
std::string csv_number(double x);

/// The number a CSV field holds (as the writers print it: fmt's shortest form), or nothing when
/// the whole field is not one.
std::optional<double> parse_csv_number(std::string_view s);

}  // namespace hwf::out
