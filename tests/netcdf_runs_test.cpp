#include <catch2/catch.hpp>

#include <filesystem>
#include <vector>

#include "outputs/atomic_file.hpp"
#include "outputs/netcdf_runs.hpp"
#include "support.hpp"

using namespace hwf;

namespace {

out::runs_layout small_layout() {
  out::runs_layout l;
  l.scenarios = {"base"};
  l.countries = {"AAA", "BBB"};
  l.cadres = {"nurses", "all"};
  l.indicators = {"supply"};
  l.indicator_text = {{"1", "workers working in the country (supply)"}};
  l.years = {2020, 2021};
  l.runs = 2;
  l.title = "test";
  l.sampling = "sobol";
  return l;
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
  nc.write(0, 1, 0, values);
  nc.mark_ok(1);
  nc.finish();
  CHECK(files_in(dir) == std::vector<std::filesystem::path>{"runs.nc"});
}

TEST_CASE("a definition that fails after the file is created leaves no temporary file", "[io]") {
  const auto dir = test::scratch_folder("netcdf_leak");
  auto layout = small_layout();
  layout.indicators = {"supply", "supply"};  // the second variable cannot be defined
  CHECK_THROWS_AS(out::netcdf_runs(dir / "runs.nc", layout), out::output_error);
  CHECK(files_in(dir).empty());
  // A name NetCDF refuses, in the corridor variables defined later still.
  layout = small_layout();
  layout.corridor_origins = {"AAA"};
  layout.corridor_destinations = {"BBB"};
  layout.corridor_cadres = {"nurses"};
  layout.corridor_indicators = {"emigration", "emigration"};
  CHECK_THROWS_AS(out::netcdf_runs(dir / "runs.nc", layout), out::output_error);
  CHECK(files_in(dir).empty());
}
