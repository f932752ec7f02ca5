#pragma once
// The results catalogue: every file a command writes into a results folder, defined once (its
// name, format, columns, which commands write it and what it holds). The CSV writers, the
// report's table reader, --force's stale-file rule and the file tables of docs/cli.md all come
// from it (docs/architecture.md, "The results catalogue").
//
// The catalogue fixes no dimension of the model: a table's key columns are those of the
// engine::table_schema it writes (country, cadre, indicator today; an age band tomorrow), which
// the writer takes from the schema and a reader from the file's own header.

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace hwf::out {

enum class file_format { csv, json, html, netcdf, markdown, svg, checksums, yaml, xlsx };

/// The columns of a CSV file around its key columns.
struct csv_columns {
  std::vector<std::string_view> leading;  ///< before the key columns ("scenario", "year")
  std::vector<std::string_view> values;   ///< after them
  std::string_view more;  ///< columns that vary with the study, after the values ("" = none)
  /// The value columns that hold text (a set, a note, a flag); the others hold numbers, empty
  /// where undefined.
  std::vector<std::string_view> texts;
};

/// The kinds of CSV file, each with its columns around the keys.
enum class csv_shape {
  values,        ///< scenario,year,<keys>,value
  deltas,        ///< scenario,year,<keys>,baseline,value,delta
  statistics,    ///< scenario,year,<keys>,mean,sd,p05,p25,p50,p75,p95
  observations,  ///< scenario,<keys>,year,observed,projected,...
  samples,       ///< run,<one column per sampled input>
  fit,           ///< scenario,<keys>,year,set,observed,start,fitted,log_residual
  estimates,     ///< <keys>,start,estimate,min,max,prior,standard_error,flag
  correlations,  ///< <keys>,correlation
  holdout,       ///< scenario,<keys>,year,horizon,observed,fitted,persistence,trend,errors
  indices,       ///< output,input,method,index,estimate,ci_low,ci_high
  convergence,   ///< output,input,index,runs,estimate
  output_stats,  ///< output,table,place,cadre,indicator,year,mean,sd,constant
  inputs,        ///< input,kind,parameters,distribution
  projections,   ///< name,scenario,indicator,...,verdict,expected
};

/// The columns of a CSV file of `shape`.
const csv_columns& columns_of(csv_shape shape);

/// When a command writes a file.
enum class written_when {
  always,
  listed,     ///< only if the scenario asks for it (run.json's `files` lists it)
  comparing,  ///< only with more than one scenario (a baseline and policies)
  asked,      ///< only when an option asks for it
  aged,       ///< only for a model with age bands (docs/model.md, 15.7)
};

/// One command that writes a file, and what the file holds for it (one line of Markdown).
struct file_use {
  std::string_view command;  ///< run, compare, mc, backcast
  written_when when;
  std::string_view description;
};

/// How report.html reads a file (docs/report.md).
enum class report_use {
  none,
  table,    ///< as a table of series over the years (scenario, year, keys..., values)
  records,  ///< as its columns and rows, numbers as numbers (calibrate's files)
};

/// One file of a results folder.
struct result_file {
  std::string_view name;  ///< "indicators.csv"
  file_format format;
  csv_shape shape = csv_shape::values;  ///< for format csv
  /// The table whose key columns the file's rows carry (engine::table_schema::name), or "" for
  /// the fixed keys below.
  std::string_view table;
  std::vector<std::string_view> fixed_keys;
  report_use in_report = report_use::none;  ///< report.html reads it, named by the file's stem
  std::vector<file_use> written_by;

  std::string_view stem() const { return name.substr(0, name.find('.')); }
  const file_use* use_by(std::string_view command) const;
};

/// Every file hwfsim writes into a results folder.
const std::vector<result_file>& results_catalogue();

/// The catalogue's entry named `name`; engine::internal_error if there is none.
const result_file& result_entry(std::string_view name);

/// The header line of a CSV file (with "\n"): its leading columns, `key_columns`, its values.
/// For csv_shape::samples, `key_columns` are the sampled inputs' labels, as written.
std::string csv_header(csv_shape shape, const std::vector<std::string>& key_columns);

/// The header line of catalogue file `file` whose key columns are its fixed keys (a file of no
/// table: fit.csv, indices.csv, ...). engine::internal_error if the catalogue has no such file.
std::string fixed_keys_header(std::string_view file);

/// The names of the commands that write files, in the catalogue's order of first use.
std::vector<std::string_view> writing_commands();

/// Key columns by table name, for documentation (the docs name the teaching model's).
using key_columns_by_table = std::map<std::string, std::vector<std::string>, std::less<>>;

/// The key columns of `file`: its fixed keys, or those of its table in `keys` (empty if absent).
std::vector<std::string> key_columns_of(const result_file& file, const key_columns_by_table& keys);

/// The Markdown table of the files `command` writes: file, format or columns, content.
std::string files_table_markdown(std::string_view command, const key_columns_by_table& keys);

/// The Markdown list of every file name in the catalogue ("`a`, `b` and `c`").
std::string result_names_markdown();

/// `text` with the lines between each "<!-- begin: NAME -->" line and the next
/// "<!-- end: NAME -->" line replaced by `block(NAME)` (a block that `block` does not know,
/// nullopt, is left as it is). nullopt when a begin line has no end line.
std::optional<std::string> with_generated_blocks(
    std::string_view text,
    const std::function<std::optional<std::string>(std::string_view)>& block);

/// The generated blocks of docs/cli.md: "files <command>" for each writing command, and
/// "result names". nullopt for any other name.
std::optional<std::string> docs_block(std::string_view name, const key_columns_by_table& keys);

}  // namespace hwf::out
