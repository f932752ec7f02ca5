#include "outputs/netcdf_runs.hpp"

#include <cmath>
#include <limits>
#include <random>

#include <dlfcn.h>

#include <fmt/format.h>
#include <netcdf.h>

#include "outputs/atomic_file.hpp"

namespace hwf::out {

namespace {
/// HDF5 (under netCDF-4) closes its files again at exit; after a close that failed (a full disk,
/// a file-size limit) that crashes. H5dont_atexit() turns it off: hwfsim closes what it opened
/// itself. It must come before HDF5's first use, which is this file's first nc_create.
void no_hdf5_exit_handler() {
  static const bool done = [] {
    using fn = int (*)();
    if (auto* f = reinterpret_cast<fn>(::dlsym(RTLD_DEFAULT, "H5dont_atexit"))) f();
    return true;
  }();
  (void)done;
}

void check(int status, const std::filesystem::path& path, const char* what) {
  if (status != NC_NOERR)
    throw output_error(
        fmt::format("cannot write {}: {} ({})", path.string(), nc_strerror(status), what));
}
}  // namespace

netcdf_runs::netcdf_runs(const std::filesystem::path& path, const runs_layout& layout)
    : path_(path), layout_(layout) {
  // A fresh temporary name, created exclusively (NC_NOCLOBBER opens it with O_EXCL, which also
  // refuses a symbolic link planted under that name) like write_file_atomically's.
  no_hdf5_exit_handler();
  std::random_device rd;
  int status = NC_EEXIST;
  for (int attempt = 0; attempt < 100 && status != NC_NOERR; ++attempt) {
    temporary_ = path.parent_path() / fmt::format(".{}.tmp{:08x}", path.filename().string(), rd());
    status = nc_create(temporary_.c_str(), NC_NETCDF4 | NC_NOCLOBBER, &ncid_);
    std::error_code ec;
    if (status != NC_NOERR && !std::filesystem::is_symlink(temporary_, ec) &&
        !std::filesystem::exists(temporary_, ec))
      break;  // not a name clash
  }
  const auto& p = temporary_;
  if (status != NC_NOERR) ncid_ = -1;
  check(status, p, "create");
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
  if (const int status = nc_close(id); status != NC_NOERR) {
    std::error_code ec;
    std::filesystem::remove(temporary_, ec);
    check(status, temporary_, "close");
  }
  std::error_code ec;
  std::filesystem::rename(temporary_, path_, ec);
  if (ec) {
    const std::string why = ec.message();
    std::filesystem::remove(temporary_, ec);
    throw output_error(fmt::format("cannot write {}: {}", path_.string(), why));
  }
}

}  // namespace hwf::out
