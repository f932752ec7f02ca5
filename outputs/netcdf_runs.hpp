#pragma once
// Per-run values of an ensemble in a NetCDF-4 file (libnetcdf) following the CF conventions
// (units, long_name), readable by xarray: one double variable per indicator over the dimensions
// (scenario, run, year, country, cadre), one per corridor indicator over (scenario, run, year,
// corridor), and the sampled inputs over (run, input).

#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <vector>

namespace hwf::out {

/// Units (CF: UDUNITS text, "1" for counts) and a readable name of a saved variable.
struct variable_text {
  std::string units, long_name;
};

struct runs_layout {
  std::vector<std::string> scenarios, countries, cadres, indicators;
  std::vector<variable_text> indicator_text;  ///< per indicator (empty: none written)
  /// Corridor values, over (scenario, run, year, corridor): one variable `corridor_<name>` per
  /// corridor indicator; a corridor is an (origin, destination, cadre).
  std::vector<std::string> corridor_origins, corridor_destinations, corridor_cadres;
  std::vector<std::string> corridor_indicators;
  std::vector<variable_text> corridor_indicator_text;
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

  /// Values of one run of one scenario for indicator `i`: years x countries x cadres, row-major,
  /// NaN where undefined.
  void write(std::size_t scenario, std::size_t run, std::size_t indicator,
             std::span<const double> values);
  /// Corridor values of one run of one scenario for corridor indicator `i`: years x corridors.
  void write_corridor(std::size_t scenario, std::size_t run, std::size_t indicator,
                      std::span<const double> values);
  /// The sampled inputs of run `run` (in layout.inputs order).
  void write_inputs(std::size_t run, std::span<const double> values);
  /// Marks run `run` as successful (the `run_ok` variable; failed runs keep 0 and NaN values).
  void mark_ok(std::size_t run);
  void finish();

 private:
  /// NetCDF ids of the dimensions and coordinate variables (-1: not in the file).
  struct coordinate_ids {
    int scenario = -1, run = -1, year = -1, country = -1, cadre = -1;
    int v_scenario = -1, v_run = -1, v_year = -1, v_country = -1, v_cadre = -1;
    int v_corridor = -1, v_origin = -1, v_destination = -1, v_corridor_cadre = -1, v_input = -1;
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
  void define_coordinates();
  void define_values();
  void define_corridors();
  void define_inputs();
  void define_globals();
  void put_strings(int var, const std::vector<std::string>& values);
  void put_coordinates();

  std::filesystem::path path_, temporary_;
  runs_layout layout_;
  int ncid_ = -1;
  int ok_var_ = -1, inputs_var_ = -1;
  coordinate_ids ids_;
  std::vector<int> vars_, corridor_vars_;
};

}  // namespace hwf::out
