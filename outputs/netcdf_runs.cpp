#include "outputs/netcdf_runs.hpp"

#include <cmath>
#include <limits>

#include <fmt/format.h>
#include <netcdf.h>

#include "outputs/atomic_file.hpp"

namespace hwf::out {

namespace {
void check(int status, const std::filesystem::path& path, const char* what) {
  if (status != NC_NOERR)
    throw output_error(
        fmt::format("cannot write {}: {} ({})", path.string(), nc_strerror(status), what));
}
}  // namespace

netcdf_runs::netcdf_runs(const std::filesystem::path& path, const runs_layout& layout)
    : path_(path), layout_(layout) {
  temporary_ = path.parent_path() / ("." + path.filename().string() + ".tmp00000000");
  const auto& p = temporary_;
  check(nc_create(p.c_str(), NC_NETCDF4 | NC_CLOBBER, &ncid_), p, "create");
  int d_scenario, d_run, d_year, d_country, d_cadre;
  check(nc_def_dim(ncid_, "scenario", layout.scenarios.size(), &d_scenario), p, "dimension");
  check(nc_def_dim(ncid_, "run", layout.runs, &d_run), p, "dimension");
  check(nc_def_dim(ncid_, "year", layout.years.size(), &d_year), p, "dimension");
  check(nc_def_dim(ncid_, "country", layout.countries.size(), &d_country), p, "dimension");
  check(nc_def_dim(ncid_, "cadre", layout.cadres.size(), &d_cadre), p, "dimension");
  int v_scenario, v_run, v_year, v_country, v_cadre;
  check(nc_def_var(ncid_, "scenario", NC_STRING, 1, &d_scenario, &v_scenario), p, "variable");
  check(nc_def_var(ncid_, "run", NC_INT64, 1, &d_run, &v_run), p, "variable");
  check(nc_def_var(ncid_, "year", NC_INT, 1, &d_year, &v_year), p, "variable");
  check(nc_def_var(ncid_, "country", NC_STRING, 1, &d_country, &v_country), p, "variable");
  check(nc_def_var(ncid_, "cadre", NC_STRING, 1, &d_cadre, &v_cadre), p, "variable");
  check(nc_def_var(ncid_, "run_ok", NC_BYTE, 1, &d_run, &ok_var_), p, "variable");
  const int dims[5] = {d_scenario, d_run, d_year, d_country, d_cadre};
  const double fill = std::numeric_limits<double>::quiet_NaN();
  for (const auto& name : layout.indicators) {
    int v;
    check(nc_def_var(ncid_, name.c_str(), NC_DOUBLE, 5, dims, &v), p, "variable");
    check(nc_def_var_fill(ncid_, v, 0, &fill), p, "fill value");
    // One run of one scenario is one chunk: runs arrive one at a time.
    const std::size_t chunk[5] = {1, 1, layout.years.size(), layout.countries.size(),
                                  layout.cadres.size()};
    check(nc_def_var_chunking(ncid_, v, NC_CHUNKED, chunk), p, "chunking");
    vars_.push_back(v);
  }
  check(nc_put_att_text(ncid_, NC_GLOBAL, "title", layout.title.size(), layout.title.c_str()), p,
        "attribute");
  check(nc_put_att_text(ncid_, NC_GLOBAL, "sampling", layout.sampling.size(),
                        layout.sampling.c_str()),
        p, "attribute");
  const long long seed = static_cast<long long>(layout.seed);
  check(nc_put_att_longlong(ncid_, NC_GLOBAL, "seed", NC_INT64, 1, &seed), p, "attribute");
  check(nc_enddef(ncid_), p, "define");
  const auto put_strings = [&](int var, const std::vector<std::string>& values) {
    std::vector<const char*> c;
    for (const auto& v : values) c.push_back(v.c_str());
    check(nc_put_var_string(ncid_, var, c.data()), p, "coordinates");
  };
  put_strings(v_scenario, layout.scenarios);
  put_strings(v_country, layout.countries);
  put_strings(v_cadre, layout.cadres);
  check(nc_put_var_int(ncid_, v_year, layout.years.data()), p, "coordinates");
  std::vector<long long> runs(layout.runs);
  for (std::size_t i = 0; i < runs.size(); ++i) runs[i] = static_cast<long long>(i);
  if (!runs.empty()) check(nc_put_var_longlong(ncid_, v_run, runs.data()), p, "coordinates");
  std::vector<signed char> zeros(layout.runs, 0);
  if (!zeros.empty()) check(nc_put_var_schar(ncid_, ok_var_, zeros.data()), p, "run_ok");
}

netcdf_runs::~netcdf_runs() {
  if (ncid_ >= 0) {
    nc_close(ncid_);
    std::error_code ec;
    std::filesystem::remove(temporary_, ec);
  }
}

void netcdf_runs::write(std::size_t scenario, std::size_t run, std::size_t indicator,
                        std::span<const double> values) {
  const std::size_t start[5] = {scenario, run, 0, 0, 0};
  const std::size_t count[5] = {1, 1, layout_.years.size(), layout_.countries.size(),
                                layout_.cadres.size()};
  check(nc_put_vara_double(ncid_, vars_[indicator], start, count, values.data()), temporary_,
        "values");
}

void netcdf_runs::mark_ok(std::size_t run) {
  const signed char one = 1;
  const std::size_t index[1] = {run};
  check(nc_put_var1_schar(ncid_, ok_var_, index, &one), temporary_, "run_ok");
}

void netcdf_runs::finish() {
  const int id = ncid_;
  ncid_ = -1;
  check(nc_close(id), temporary_, "close");
  std::error_code ec;
  std::filesystem::rename(temporary_, path_, ec);
  if (ec) {
    const std::string why = ec.message();
    std::filesystem::remove(temporary_, ec);
    throw output_error(fmt::format("cannot write {}: {}", path_.string(), why));
  }
}

}  // namespace hwf::out
