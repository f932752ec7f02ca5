#include <catch2/catch.hpp>

#include <filesystem>
#include <string>
#include <vector>

#include <netcdf.h>

#include "outputs/atomic_file.hpp"
#include "outputs/netcdf_runs.hpp"
#include "support.hpp"

using namespace hwf;

namespace {

out::runs_layout small_layout() {
  out::runs_layout l;
  l.scenarios = {"base"};
  out::runs_table t;
  t.keys = {{"country", "country (ISO3 code)", {"AAA", "BBB"}},
            {"cadre", "cadre (all: the sum over cadres)", {"nurses", "all"}}};
  t.indicators = {"supply"};
  t.indicator_text = {{"1", "workers working in the country (supply)"}};
  l.tables = {t};
  l.years = {2020, 2021};
  l.runs = 2;
  l.title = "test";
  l.sampling = "sobol";
  return l;
}

/// A sparse table: one corridor, AAA-BBB nurses.
out::runs_table corridor_table() {
  out::runs_table t;
  t.keys = {{"origin", "origin", {"AAA"}},
            {"destination", "destination", {"BBB"}},
            {"cadre", "cadre of the corridor", {"nurses"}}};
  t.entry = "corridor";
  t.entry_long_name = "corridor";
  t.entry_labels = {"AAA-BBB nurses"};
  t.prefix = "corridor_";
  t.indicators = {"emigration"};
  return t;
}

/// The name and size of dimension `id` of an open file.
std::pair<std::string, std::size_t> dimension_of(int ncid, int id) {
  char name[NC_MAX_NAME + 1];
  std::size_t size = 0;
  REQUIRE(nc_inq_dim(ncid, id, name, &size) == NC_NOERR);
  return {name, size};
}

/// The names and sizes of the dimensions of variable `var` of an open file.
std::vector<std::pair<std::string, std::size_t>> dimensions_of(int ncid, const char* var) {
  int v = -1, ndims = 0;
  REQUIRE(nc_inq_varid(ncid, var, &v) == NC_NOERR);
  REQUIRE(nc_inq_varndims(ncid, v, &ndims) == NC_NOERR);
  std::vector<int> ids(static_cast<std::size_t>(ndims));
  REQUIRE(nc_inq_vardimid(ncid, v, ids.data()) == NC_NOERR);
  std::vector<std::pair<std::string, std::size_t>> out;
  for (int id : ids) out.push_back(dimension_of(ncid, id));
  return out;
}

/// String `index` of a string variable of an open file.
std::string string_at(int ncid, const char* var, std::size_t index) {
  int v = -1;
  REQUIRE(nc_inq_varid(ncid, var, &v) == NC_NOERR);
  char* value = nullptr;
  REQUIRE(nc_get_var1_string(ncid, v, &index, &value) == NC_NOERR);
  std::string text = value;
  nc_free_string(1, &value);
  return text;
}

std::vector<std::filesystem::path> files_in(const std::filesystem::path& dir) {
  std::vector<std::filesystem::path> out;
  for (const auto& e : std::filesystem::directory_iterator(dir)) out.push_back(e.path().filename());
  return out;
}

}  // namespace

TEST_CASE("runs.nc is written under a temporary name and renamed by finish", "[io]") {
  const auto dir = test::scratch_folder("netcdf_finish");
  out::netcdf_runs nc(dir / "runs.nc", small_layout());
  CHECK(files_in(dir).size() == 1);
  CHECK_FALSE(std::filesystem::exists(dir / "runs.nc"));
  const std::vector<double> values(2 * 2 * 2, 1.0);
  nc.write(0, 1, 0, 0, values);
  nc.mark_ok(1);
  nc.finish();
  CHECK(files_in(dir) == std::vector<std::filesystem::path>{"runs.nc"});
}

TEST_CASE("a definition that fails after the file is created leaves no temporary file", "[io]") {
  const auto dir = test::scratch_folder("netcdf_leak");
  auto layout = small_layout();
  layout.tables[0].indicators = {"supply", "supply"};  // the second variable cannot be defined
  CHECK_THROWS_AS(out::netcdf_runs(dir / "runs.nc", layout), out::output_error);
  CHECK(files_in(dir).empty());
  // A name NetCDF refuses, in the corridor variables defined later still.
  layout = small_layout();
  layout.tables.push_back(corridor_table());
  layout.tables[1].indicators = {"emigration", "emigration"};
  CHECK_THROWS_AS(out::netcdf_runs(dir / "runs.nc", layout), out::output_error);
  CHECK(files_in(dir).empty());
}

TEST_CASE("a table with an extra key column gets its own dimension in runs.nc", "[io]") {
  const auto dir = test::scratch_folder("netcdf_age_band");
  auto layout = small_layout();
  auto& t = layout.tables[0];
  t.keys.insert(t.keys.begin() + 1, {"age_band", "age band", {"20-39", "40-59", "60+"}});
  layout.tables.push_back(corridor_table());
  {
    out::netcdf_runs nc(dir / "runs.nc", layout);
    // years x country x age_band x cadre, row-major: the value is its own position.
    std::vector<double> values(2 * 2 * 3 * 2);
    for (std::size_t i = 0; i < values.size(); ++i) values[i] = static_cast<double>(i);
    nc.write(0, 1, 0, 0, values);
    nc.write(0, 0, 1, 0, std::vector<double>{7.0, 8.0});
    nc.mark_ok(1);
    nc.finish();
  }
  int ncid = -1;
  REQUIRE(nc_open((dir / "runs.nc").c_str(), NC_NOWRITE, &ncid) == NC_NOERR);
  using dims = std::vector<std::pair<std::string, std::size_t>>;
  CHECK(
      dimensions_of(ncid, "supply") ==
      dims{
          {"scenario", 1}, {"run", 2}, {"year", 2}, {"country", 2}, {"age_band", 3}, {"cadre", 2}});
  CHECK(dimensions_of(ncid, "age_band") == dims{{"age_band", 3}});
  CHECK(string_at(ncid, "age_band", 2) == "60+");
  // Run 1, year 2021, BBB, 40-59, all: ((1 * 2 + 1) * 3 + 1) * 2 + 1 = 21.
  int v = -1;
  REQUIRE(nc_inq_varid(ncid, "supply", &v) == NC_NOERR);
  const std::size_t at[6] = {0, 1, 1, 1, 1, 1};
  double value = 0;
  REQUIRE(nc_get_var1_double(ncid, v, at, &value) == NC_NOERR);
  CHECK(value == 21.0);
  // The sparse table: one entry dimension, a coordinate per key (cadre is taken: prefixed).
  CHECK(dimensions_of(ncid, "corridor_emigration") ==
        dims{{"scenario", 1}, {"run", 2}, {"year", 2}, {"corridor", 1}});
  CHECK(string_at(ncid, "corridor_cadre", 0) == "nurses");
  CHECK(string_at(ncid, "origin", 0) == "AAA");
  REQUIRE(nc_inq_varid(ncid, "corridor_emigration", &v) == NC_NOERR);
  const std::size_t second_year[4] = {0, 0, 1, 0};
  REQUIRE(nc_get_var1_double(ncid, v, second_year, &value) == NC_NOERR);
  CHECK(value == 8.0);
  nc_close(ncid);
}
