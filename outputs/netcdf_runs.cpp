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
  create_temporary();
  // The destructor does not run when a constructor throws: close and remove the temporary here.
  try {
    define_coordinates();
    define_values();
    define_corridors();
    define_inputs();
    define_globals();
    check(nc_enddef(ncid_), temporary_, "define");
    put_coordinates();
  } catch (...) {
    discard();
    throw;
  }
}

void netcdf_runs::create_temporary() {
  // A fresh temporary name, created exclusively (NC_NOCLOBBER opens it with O_EXCL, which also
  // refuses a symbolic link planted under that name) like write_file_atomically's.
  no_hdf5_exit_handler();
  std::random_device rd;
  int status = NC_EEXIST;
  for (int attempt = 0; attempt < 100 && status != NC_NOERR; ++attempt) {
    temporary_ =
        path_.parent_path() / fmt::format(".{}.tmp{:08x}", path_.filename().string(), rd());
    status = nc_create(temporary_.c_str(), NC_NETCDF4 | NC_NOCLOBBER, &ncid_);
    std::error_code ec;
    if (status != NC_NOERR && !std::filesystem::is_symlink(temporary_, ec) &&
        !std::filesystem::exists(temporary_, ec))
      break;  // not a name clash
  }
  if (status != NC_NOERR) ncid_ = -1;
  check(status, temporary_, "create");
}

void netcdf_runs::discard() noexcept {
  if (ncid_ < 0) return;
  nc_close(ncid_);
  ncid_ = -1;
  std::error_code ec;
  std::filesystem::remove(temporary_, ec);
}

int netcdf_runs::dimension(const char* name, std::size_t size) {
  int id;
  check(nc_def_dim(ncid_, name, size, &id), temporary_, "dimension");
  return id;
}

int netcdf_runs::coordinate(const char* name, int type, int dim, const std::string& long_name,
                            const std::string& units) {
  int id;
  check(nc_def_var(ncid_, name, type, 1, &dim, &id), temporary_, "variable");
  describe(id, long_name, units);
  return id;
}

void netcdf_runs::text(int var, const char* name, const std::string& value) {
  check(nc_put_att_text(ncid_, var, name, value.size(), value.c_str()), temporary_, "attribute");
}

void netcdf_runs::describe(int var, const std::string& long_name, const std::string& units) {
  text(var, "long_name", long_name);
  if (!units.empty()) text(var, "units", units);
}

int netcdf_runs::values_variable(const std::string& name, std::span<const int> dims,
                                 std::span<const std::size_t> chunk, const variable_text* t) {
  const double fill = std::numeric_limits<double>::quiet_NaN();
  int v;
  check(nc_def_var(ncid_, name.c_str(), NC_DOUBLE, static_cast<int>(dims.size()), dims.data(), &v),
        temporary_, "variable");
  check(nc_def_var_fill(ncid_, v, 0, &fill), temporary_, "fill value");
  // One run of one scenario is one chunk: runs arrive one at a time.
  check(nc_def_var_chunking(ncid_, v, NC_CHUNKED, chunk.data()), temporary_, "chunking");
  if (t) describe(v, t->long_name, t->units);
  return v;
}

void netcdf_runs::define_coordinates() {
  const auto& l = layout_;
  ids_.scenario = dimension("scenario", l.scenarios.size());
  ids_.run = dimension("run", l.runs);
  ids_.year = dimension("year", l.years.size());
  ids_.country = dimension("country", l.countries.size());
  ids_.cadre = dimension("cadre", l.cadres.size());
  ids_.v_scenario =
      coordinate("scenario", NC_STRING, ids_.scenario, "scenario (the first is the baseline)", "");
  ids_.v_run = coordinate("run", NC_INT64, ids_.run, "run index (the sample design's point)", "1");
  ids_.v_year =
      coordinate("year", NC_INT, ids_.year, "calendar year (flows over the year before it)", "1");
  ids_.v_country = coordinate("country", NC_STRING, ids_.country, "country (ISO3 code)", "");
  ids_.v_cadre = coordinate("cadre", NC_STRING, ids_.cadre, "cadre (all: the sum over cadres)", "");
  ok_var_ = coordinate("run_ok", NC_BYTE, ids_.run,
                       "1 if the run succeeded, 0 if it failed (its values are NaN)", "1");
}

void netcdf_runs::define_values() {
  const auto& l = layout_;
  const int dims[5] = {ids_.scenario, ids_.run, ids_.year, ids_.country, ids_.cadre};
  const std::size_t chunk[5] = {1, 1, l.years.size(), l.countries.size(), l.cadres.size()};
  for (std::size_t i = 0; i < l.indicators.size(); ++i)
    vars_.push_back(values_variable(l.indicators[i], dims, chunk,
                                    i < l.indicator_text.size() ? &l.indicator_text[i] : nullptr));
}

void netcdf_runs::define_corridors() {
  const auto& l = layout_;
  if (l.corridor_indicators.empty()) return;
  const int d = dimension("corridor", l.corridor_origins.size());
  ids_.v_corridor = coordinate("corridor", NC_STRING, d, "corridor (origin-destination cadre)", "");
  ids_.v_origin =
      coordinate("origin", NC_STRING, d, "origin country of the corridor (ISO3 code)", "");
  ids_.v_destination = coordinate("destination", NC_STRING, d,
                                  "destination country of the corridor (ISO3 code)", "");
  ids_.v_corridor_cadre = coordinate("corridor_cadre", NC_STRING, d, "cadre of the corridor", "");
  const int dims[4] = {ids_.scenario, ids_.run, ids_.year, d};
  const std::size_t chunk[4] = {1, 1, l.years.size(), l.corridor_origins.size()};
  for (std::size_t i = 0; i < l.corridor_indicators.size(); ++i)
    corridor_vars_.push_back(values_variable(
        "corridor_" + l.corridor_indicators[i], dims, chunk,
        i < l.corridor_indicator_text.size() ? &l.corridor_indicator_text[i] : nullptr));
  for (int v : corridor_vars_) text(v, "coordinates", "origin destination corridor_cadre");
}

void netcdf_runs::define_inputs() {
  const auto& l = layout_;
  if (l.inputs.empty()) return;
  const int d = dimension("input", l.inputs.size());
  ids_.v_input = coordinate("input", NC_STRING, d,
                            "sampled input: parameter path, or the pattern of a shared entry", "");
  const int dims[2] = {ids_.run, d};
  const std::size_t chunk[2] = {1, l.inputs.size()};
  const variable_text t{"", "value drawn for the input in the run (as in samples.csv)"};
  inputs_var_ = values_variable("sampled_value", dims, chunk, &t);
}

void netcdf_runs::define_globals() {
  text(NC_GLOBAL, "Conventions", "CF-1.8");
  text(NC_GLOBAL, "title", layout_.title);
  text(NC_GLOBAL, "sampling", layout_.sampling);
  const long long seed = static_cast<long long>(layout_.seed);
  check(nc_put_att_longlong(ncid_, NC_GLOBAL, "seed", NC_INT64, 1, &seed), temporary_, "attribute");
}

void netcdf_runs::put_strings(int var, const std::vector<std::string>& values) {
  std::vector<const char*> c;
  for (const auto& v : values) c.push_back(v.c_str());
  check(nc_put_var_string(ncid_, var, c.data()), temporary_, "coordinates");
}

void netcdf_runs::put_coordinates() {
  const auto& l = layout_;
  put_strings(ids_.v_scenario, l.scenarios);
  put_strings(ids_.v_country, l.countries);
  put_strings(ids_.v_cadre, l.cadres);
  if (ids_.v_corridor >= 0) {
    std::vector<std::string> labels;
    for (std::size_t i = 0; i < l.corridor_origins.size(); ++i)
      labels.push_back(l.corridor_origins[i] + "-" + l.corridor_destinations[i] + " " +
                       l.corridor_cadres[i]);
    put_strings(ids_.v_corridor, labels);
    put_strings(ids_.v_origin, l.corridor_origins);
    put_strings(ids_.v_destination, l.corridor_destinations);
    put_strings(ids_.v_corridor_cadre, l.corridor_cadres);
  }
  if (ids_.v_input >= 0) put_strings(ids_.v_input, l.inputs);
  check(nc_put_var_int(ncid_, ids_.v_year, l.years.data()), temporary_, "coordinates");
  std::vector<long long> runs(l.runs);
  for (std::size_t i = 0; i < runs.size(); ++i) runs[i] = static_cast<long long>(i);
  if (!runs.empty())
    check(nc_put_var_longlong(ncid_, ids_.v_run, runs.data()), temporary_, "coordinates");
  std::vector<signed char> zeros(l.runs, 0);
  if (!zeros.empty()) check(nc_put_var_schar(ncid_, ok_var_, zeros.data()), temporary_, "run_ok");
}

netcdf_runs::~netcdf_runs() {
  discard();
}

void netcdf_runs::write(std::size_t scenario, std::size_t run, std::size_t indicator,
                        std::span<const double> values) {
  const std::size_t start[5] = {scenario, run, 0, 0, 0};
  const std::size_t count[5] = {1, 1, layout_.years.size(), layout_.countries.size(),
                                layout_.cadres.size()};
  check(nc_put_vara_double(ncid_, vars_[indicator], start, count, values.data()), temporary_,
        "values");
}

void netcdf_runs::write_corridor(std::size_t scenario, std::size_t run, std::size_t indicator,
                                 std::span<const double> values) {
  const std::size_t start[4] = {scenario, run, 0, 0};
  const std::size_t count[4] = {1, 1, layout_.years.size(), layout_.corridor_origins.size()};
  check(nc_put_vara_double(ncid_, corridor_vars_[indicator], start, count, values.data()),
        temporary_, "values");
}

void netcdf_runs::write_inputs(std::size_t run, std::span<const double> values) {
  const std::size_t start[2] = {run, 0};
  const std::size_t count[2] = {1, layout_.inputs.size()};
  check(nc_put_vara_double(ncid_, inputs_var_, start, count, values.data()), temporary_,
        "sampled values");
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
