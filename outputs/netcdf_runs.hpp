#pragma once
// Per-run values of an ensemble in a NetCDF-4 file (libnetcdf) following the CF conventions
// (units, long_name), readable by xarray. Each saved table describes itself by its key columns:
// a dense table's keys become dimensions, and each of its indicators one double variable over
// (scenario, run, year, key...); a sparse table's entries (e.g. corridors) become one dimension,
// with a coordinate variable per key column, and each indicator a variable over (scenario, run,
// year, entry). The sampled inputs go over (run, input).

#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <utility>
#include <vector>

namespace hwf::out {

/// Units (CF: UDUNITS text, "1" for counts) and a readable name of a saved variable.
struct variable_text {
  std::string units, long_name;
};

/// One key column of a saved table: a dimension (dense table) or a coordinate variable over the
/// table's entries (sparse table; named `<entry>_<name>` when `name` is taken by a dimension).
struct runs_key {
  std::string name, long_name;
  std::vector<std::string> labels;  ///< dense: the dimension's labels; sparse: one per entry
};

/// A table of saved values: one variable `<prefix><indicator>` per indicator.
struct runs_table {
  std::vector<runs_key> keys;
  std::string entry;  ///< sparse tables: the entries' dimension ("corridor"); dense: ""
  std::string entry_long_name;
  std::vector<std::string> entry_labels;  ///< sparse: the entry coordinate's labels
  std::string prefix;
  std::vector<std::string> indicators;
  std::vector<variable_text> indicator_text;  ///< per indicator (empty: none written)

  bool sparse() const noexcept { return !entry.empty(); }
  /// The sizes of the key dimensions after (scenario, run, year): one per key, or the entries.
  std::vector<std::size_t> extents() const;
};

struct runs_layout {
  std::vector<std::string> scenarios;
  /// Dense tables first: their dimensions come right after (scenario, run, year).
  std::vector<runs_table> tables;
  /// The sampled inputs, over (run, input): `sampled_value`, named by `input`.
  std::vector<std::string> inputs;
  std::vector<int> years;
  std::size_t runs = 0;
  std::string title;  ///< global attribute
  std::uint64_t seed = 0;
  std::string sampling;
};

/// Writes the file under a temporary name; finish() renames it into place (never a partial file
/// under the final name). On destruction without finish(), the temporary is removed.
class netcdf_runs {
 public:
  netcdf_runs(const std::filesystem::path& path, const runs_layout& layout);
  ~netcdf_runs();
  netcdf_runs(const netcdf_runs&) = delete;
  netcdf_runs& operator=(const netcdf_runs&) = delete;

  /// Values of one run of one scenario for indicator `indicator` of table `table`: years x the
  /// table's extents, row-major, NaN where undefined.
  void write(std::size_t scenario, std::size_t run, std::size_t table, std::size_t indicator,
             std::span<const double> values);
  /// The sampled inputs of run `run` (in layout.inputs order).
  void write_inputs(std::size_t run, std::span<const double> values);
  /// Marks run `run` as successful (the `run_ok` variable; failed runs keep 0 and NaN values).
  void mark_ok(std::size_t run);
  void finish();

 private:
  /// A coordinate variable and its labels, written once the definitions end.
  struct string_coordinate {
    int var;
    const std::vector<std::string>* labels;
  };

  void create_temporary();
  /// Closes and removes the temporary file, if open.
  void discard() noexcept;
  int dimension(const char* name, std::size_t size);
  int coordinate(const char* name, int type, int dim, const std::string& long_name,
                 const std::string& units);
  void text(int var, const char* name, const std::string& value);
  void describe(int var, const std::string& long_name, const std::string& units);
  int values_variable(const std::string& name, std::span<const int> dims,
                      std::span<const std::size_t> chunk, const variable_text* text);
  int key_dimension(const runs_key& key);
  /// The name of key `key`'s coordinate variable over the entries of sparse table `table`.
  std::string entry_coordinate(const runs_table& table, const runs_key& key) const;
  void define_coordinates();
  void define_table(const runs_table& table);
  int define_entries(const runs_table& table);
  void define_inputs();
  void define_globals();
  void put_strings(int var, const std::vector<std::string>& values);
  void put_coordinates();

  std::filesystem::path path_, temporary_;
  runs_layout layout_;
  int ncid_ = -1;
  int scenario_dim_ = -1, run_dim_ = -1, year_dim_ = -1;
  int year_var_ = -1, run_var_ = -1, ok_var_ = -1, input_var_ = -1, inputs_var_ = -1;
  std::vector<std::pair<const runs_key*, int>> dimensions_;  ///< the key dimensions (layout_'s)
  std::vector<string_coordinate> strings_;
  std::vector<std::vector<int>> vars_;  ///< per table, per indicator
};

}  // namespace hwf::out
