#pragma once
// Per-run values of an ensemble in a NetCDF-4 file (libnetcdf), readable by xarray:
// one double variable per indicator over the dimensions (scenario, run, year, country, cadre).

#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <vector>

namespace hwf::out {

struct runs_layout {
  std::vector<std::string> scenarios, countries, cadres, indicators;
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
  /// Marks run `run` as successful (the `run_ok` variable; failed runs keep 0 and NaN values).
  void mark_ok(std::size_t run);
  void finish();

 private:
  std::filesystem::path path_, temporary_;
  runs_layout layout_;
  int ncid_ = -1;
  int ok_var_ = -1;
  std::vector<int> vars_;
};

}  // namespace hwf::out
