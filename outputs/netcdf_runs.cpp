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
  const auto text = [&](int var, const char* name, const std::string& value) {
    check(nc_put_att_text(ncid_, var, name, value.size(), value.c_str()), p, "attribute");
  };
  const auto described = [&](int var, const std::string& long_name, const std::string& units) {
    text(var, "long_name", long_name);
    if (!units.empty()) text(var, "units", units);
  };
  int v_scenario, v_run, v_year, v_country, v_cadre;
  check(nc_def_var(ncid_, "scenario", NC_STRING, 1, &d_scenario, &v_scenario), p, "variable");
  check(nc_def_var(ncid_, "run", NC_INT64, 1, &d_run, &v_run), p, "variable");
  check(nc_def_var(ncid_, "year", NC_INT, 1, &d_year, &v_year), p, "variable");
  check(nc_def_var(ncid_, "country", NC_STRING, 1, &d_country, &v_country), p, "variable");
  check(nc_def_var(ncid_, "cadre", NC_STRING, 1, &d_cadre, &v_cadre), p, "variable");
  check(nc_def_var(ncid_, "run_ok", NC_BYTE, 1, &d_run, &ok_var_), p, "variable");
  described(v_scenario, "scenario (the first is the baseline)", "");
  described(v_run, "run index (the sample design's point)", "1");
  described(v_year, "calendar year (flows over the year before it)", "1");
  described(v_country, "country (ISO3 code)", "");
  described(v_cadre, "cadre (all: the sum over cadres)", "");
  described(ok_var_, "1 if the run succeeded, 0 if it failed (its values are NaN)", "1");
  const double fill = std::numeric_limits<double>::quiet_NaN();
  const auto values_var = [&](const std::string& name, int ndims, const int* dims,
                              const std::size_t* chunk, const variable_text* t) {
    int v;
    check(nc_def_var(ncid_, name.c_str(), NC_DOUBLE, ndims, dims, &v), p, "variable");
    check(nc_def_var_fill(ncid_, v, 0, &fill), p, "fill value");
    // One run of one scenario is one chunk: runs arrive one at a time.
    check(nc_def_var_chunking(ncid_, v, NC_CHUNKED, chunk), p, "chunking");
    if (t) described(v, t->long_name, t->units);
    return v;
  };
  const int dims[5] = {d_scenario, d_run, d_year, d_country, d_cadre};
  const std::size_t chunk[5] = {1, 1, layout.years.size(), layout.countries.size(),
                                layout.cadres.size()};
  for (std::size_t i = 0; i < layout.indicators.size(); ++i)
    vars_.push_back(
        values_var(layout.indicators[i], 5, dims, chunk,
                   i < layout.indicator_text.size() ? &layout.indicator_text[i] : nullptr));
  int v_corridor = -1, v_origin = -1, v_destination = -1, v_corridor_cadre = -1;
  if (!layout.corridor_indicators.empty()) {
    int d_corridor;
    check(nc_def_dim(ncid_, "corridor", layout.corridor_origins.size(), &d_corridor), p,
          "dimension");
    check(nc_def_var(ncid_, "corridor", NC_STRING, 1, &d_corridor, &v_corridor), p, "variable");
    check(nc_def_var(ncid_, "origin", NC_STRING, 1, &d_corridor, &v_origin), p, "variable");
    check(nc_def_var(ncid_, "destination", NC_STRING, 1, &d_corridor, &v_destination), p,
          "variable");
    check(nc_def_var(ncid_, "corridor_cadre", NC_STRING, 1, &d_corridor, &v_corridor_cadre), p,
          "variable");
    described(v_corridor, "corridor (origin-destination cadre)", "");
    described(v_origin, "origin country of the corridor (ISO3 code)", "");
    described(v_destination, "destination country of the corridor (ISO3 code)", "");
    described(v_corridor_cadre, "cadre of the corridor", "");
    const int cdims[4] = {d_scenario, d_run, d_year, d_corridor};
    const std::size_t cchunk[4] = {1, 1, layout.years.size(), layout.corridor_origins.size()};
    for (std::size_t i = 0; i < layout.corridor_indicators.size(); ++i)
      corridor_vars_.push_back(
          values_var("corridor_" + layout.corridor_indicators[i], 4, cdims, cchunk,
                     i < layout.corridor_indicator_text.size() ? &layout.corridor_indicator_text[i]
                                                               : nullptr));
    for (int v : corridor_vars_) text(v, "coordinates", "origin destination corridor_cadre");
  }
  int v_input = -1;
  if (!layout.inputs.empty()) {
    int d_input;
    check(nc_def_dim(ncid_, "input", layout.inputs.size(), &d_input), p, "dimension");
    check(nc_def_var(ncid_, "input", NC_STRING, 1, &d_input, &v_input), p, "variable");
    described(v_input, "sampled input: parameter path, or the pattern of a shared entry", "");
    const int idims[2] = {d_run, d_input};
    const std::size_t ichunk[2] = {1, layout.inputs.size()};
    const variable_text t{"", "value drawn for the input in the run (as in samples.csv)"};
    inputs_var_ = values_var("sampled_value", 2, idims, ichunk, &t);
  }
  text(NC_GLOBAL, "Conventions", "CF-1.8");
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
  if (v_corridor >= 0) {
    std::vector<std::string> labels;
    for (std::size_t i = 0; i < layout.corridor_origins.size(); ++i)
      labels.push_back(layout.corridor_origins[i] + "-" + layout.corridor_destinations[i] + " " +
                       layout.corridor_cadres[i]);
    put_strings(v_corridor, labels);
    put_strings(v_origin, layout.corridor_origins);
    put_strings(v_destination, layout.corridor_destinations);
    put_strings(v_corridor_cadre, layout.corridor_cadres);
  }
  if (v_input >= 0) put_strings(v_input, layout.inputs);
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
