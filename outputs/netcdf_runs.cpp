#include "outputs/netcdf_runs.hpp"

#include <algorithm>
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
    for (const auto& t : layout_.tables) define_table(t);
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

std::vector<std::size_t> runs_table::extents() const {
  if (sparse()) return {entry_labels.size()};
  std::vector<std::size_t> out;
  for (const auto& k : keys) out.push_back(k.labels.size());
  return out;
}

int netcdf_runs::key_dimension(const runs_key& key) {
  for (const auto& [k, id] : dimensions_)
    if (k->name == key.name) {
      if (k->labels != key.labels)
        throw output_error(
            fmt::format("cannot write {}: the tables' {} labels differ", path_.string(), key.name));
      return id;
    }
  const int id = dimension(key.name.c_str(), key.labels.size());
  dimensions_.emplace_back(&key, id);
  return id;
}

std::string netcdf_runs::entry_coordinate(const runs_table& t, const runs_key& key) const {
  const bool taken = std::any_of(dimensions_.begin(), dimensions_.end(),
                                 [&](const auto& d) { return d.first->name == key.name; });
  return taken ? t.entry + "_" + key.name : key.name;
}

void netcdf_runs::define_coordinates() {
  const auto& l = layout_;
  scenario_dim_ = dimension("scenario", l.scenarios.size());
  run_dim_ = dimension("run", l.runs);
  year_dim_ = dimension("year", l.years.size());
  // The dense tables' keys: one dimension each (shared by tables with the same key).
  for (const auto& t : l.tables)
    if (!t.sparse())
      for (const auto& k : t.keys) key_dimension(k);
  strings_.push_back(
      {coordinate("scenario", NC_STRING, scenario_dim_, "scenario (the first is the baseline)", ""),
       &l.scenarios});
  run_var_ = coordinate("run", NC_INT64, run_dim_, "run index (the sample design's point)", "1");
  year_var_ =
      coordinate("year", NC_INT, year_dim_, "calendar year (flows over the year before it)", "1");
  for (const auto& [k, id] : dimensions_)
    strings_.push_back({coordinate(k->name.c_str(), NC_STRING, id, k->long_name, ""), &k->labels});
  ok_var_ = coordinate("run_ok", NC_BYTE, run_dim_,
                       "1 if the run succeeded, 0 if it failed (its values are NaN)", "1");
}

/// The entry dimension of a sparse table and its coordinate variables (the entry's label, then
/// one per key column); returns the entry dimension.
int netcdf_runs::define_entries(const runs_table& t) {
  const int d = dimension(t.entry.c_str(), t.entry_labels.size());
  strings_.push_back(
      {coordinate(t.entry.c_str(), NC_STRING, d, t.entry_long_name, ""), &t.entry_labels});
  for (const auto& k : t.keys)
    strings_.push_back(
        {coordinate(entry_coordinate(t, k).c_str(), NC_STRING, d, k.long_name, ""), &k.labels});
  return d;
}

void netcdf_runs::define_table(const runs_table& t) {
  auto& vars = vars_.emplace_back();
  if (t.sparse() && t.indicators.empty()) return;  // no entries without values
  std::vector<int> dims = {scenario_dim_, run_dim_, year_dim_};
  std::vector<std::size_t> chunk = {1, 1, layout_.years.size()};
  const auto extents = t.extents();
  chunk.insert(chunk.end(), extents.begin(), extents.end());
  if (t.sparse())
    dims.push_back(define_entries(t));
  else
    for (const auto& k : t.keys) dims.push_back(key_dimension(k));
  for (std::size_t i = 0; i < t.indicators.size(); ++i)
    vars.push_back(values_variable(t.prefix + t.indicators[i], dims, chunk,
                                   i < t.indicator_text.size() ? &t.indicator_text[i] : nullptr));
  if (!t.sparse() || vars.empty()) return;
  std::string names;
  for (const auto& k : t.keys) {
    if (!names.empty()) names += ' ';
    names += entry_coordinate(t, k);
  }
  for (int v : vars) text(v, "coordinates", names);
}

void netcdf_runs::define_inputs() {
  const auto& l = layout_;
  if (l.inputs.empty()) return;
  const int d = dimension("input", l.inputs.size());
  input_var_ = coordinate("input", NC_STRING, d,
                          "sampled input: parameter path, or the pattern of a shared entry", "");
  const int dims[2] = {run_dim_, d};
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
  for (const auto& c : strings_) put_strings(c.var, *c.labels);
  if (input_var_ >= 0) put_strings(input_var_, l.inputs);
  check(nc_put_var_int(ncid_, year_var_, l.years.data()), temporary_, "coordinates");
  std::vector<long long> runs(l.runs);
  for (std::size_t i = 0; i < runs.size(); ++i) runs[i] = static_cast<long long>(i);
  if (!runs.empty())
    check(nc_put_var_longlong(ncid_, run_var_, runs.data()), temporary_, "coordinates");
  std::vector<signed char> zeros(l.runs, 0);
  if (!zeros.empty()) check(nc_put_var_schar(ncid_, ok_var_, zeros.data()), temporary_, "run_ok");
}

netcdf_runs::~netcdf_runs() {
  discard();
}

void netcdf_runs::write(std::size_t scenario, std::size_t run, std::size_t table,
                        std::size_t indicator, std::span<const double> values) {
  std::vector<std::size_t> start = {scenario, run, 0}, count = {1, 1, layout_.years.size()};
  const auto extents = layout_.tables[table].extents();
  count.insert(count.end(), extents.begin(), extents.end());
  start.resize(count.size(), 0);
  check(
      nc_put_vara_double(ncid_, vars_[table][indicator], start.data(), count.data(), values.data()),
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
