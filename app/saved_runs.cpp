#include "app/saved_runs.hpp"

#include <iterator>
#include <string_view>
#include <vector>

#include <fmt/format.h>

#include "outputs/csv_writer.hpp"
#include "outputs/results_catalogue.hpp"

namespace hwf::app {

namespace {

/// The units and meanings of indicators (from the registry), for runs.nc's variables.
std::vector<out::variable_text> indicator_texts(const std::vector<engine::indicator_info>& info) {
  std::vector<out::variable_text> texts;
  for (const auto& t : info) texts.push_back({std::string(t.units), std::string(t.meaning)});
  return texts;
}

/// The long name of key column `column` of a table with entries `entry` ("" for a dense table);
/// the column's own name for a key this list does not know.
std::string key_long_name(const std::string& entry, const std::string& column) {
  struct known {
    std::string_view entry, column, long_name;
  };
  static constexpr known names[] = {
      {"", "country", "country (ISO3 code)"},
      {"", "cadre", "cadre (all: the sum over cadres)"},
      {"corridor", "corridor", "corridor (origin-destination cadre)"},
      {"corridor", "origin", "origin country of the corridor (ISO3 code)"},
      {"corridor", "destination", "destination country of the corridor (ISO3 code)"},
      {"corridor", "cadre", "cadre of the corridor"},
      {"age_group", "age_group", "age group (country, cadre and age band)"},
      {"age_group", "country", "country of the age group (ISO3 code)"},
      {"age_group", "cadre", "cadre of the age group"},
      {"age_group", "age_band", "age band [from, to) in years"},
  };
  for (const auto& n : names)
    if (n.entry == entry && n.column == column) return std::string(n.long_name);
  return column;
}

out::runs_table runs_table_of(const model::saved_table_map& t) {
  out::runs_table table;
  for (std::size_t k = 0; k < t.keys.size(); ++k)
    table.keys.push_back({t.keys[k], key_long_name(t.entry, t.keys[k]), t.labels[k]});
  table.entry = t.entry;
  table.entry_long_name = key_long_name(t.entry, t.entry);
  table.entry_labels = t.entry_labels;
  table.prefix = t.prefix;
  table.indicators = t.indicators;
  table.indicator_text = indicator_texts(t.info);
  return table;
}

}  // namespace

out::runs_layout saved_runs_layout(const model::mc_study& study,
                                   const model::saved_runs_map& saved) {
  const auto& base = study.scenarios[0];
  out::runs_layout layout;
  for (const auto& sc : study.scenarios) layout.scenarios.push_back(sc.name);
  for (const auto& t : saved.tables) layout.tables.push_back(runs_table_of(t));
  layout.inputs = study.dimensions;
  for (double t : study.times) layout.years.push_back(static_cast<int>(t));
  layout.runs = study.samples;
  layout.title = "hwfsim Monte Carlo runs of " + base.name;
  layout.seed = base.uncertainty.seed;
  layout.sampling = std::string(engine::to_string(base.uncertainty.sampling));
  return layout;
}

namespace {

/// The cells `cell[first .. first + slab.size())` of a run's values into `slab`.
void gather(std::span<double> slab, const std::vector<std::size_t>& cell, std::size_t first,
            std::span<const double> values) {
  for (std::size_t j = 0; j < slab.size(); ++j) {
    const std::size_t c = cell[first + j];
    slab[j] = c == model::saved_runs_map::none ? engine::not_defined : values[c];
  }
}

}  // namespace

void write_saved_run(out::netcdf_runs& file, const model::mc_study& study,
                     const model::saved_runs_map& saved, std::size_t run,
                     std::span<const double> values) {
  for (std::size_t t = 0; t < saved.tables.size(); ++t) {
    const auto& table = saved.tables[t];
    const std::size_t ni = table.indicators.size();
    std::vector<double> slab(study.times.size() * table.slab());
    for (std::size_t s = 0; s < study.scenarios.size(); ++s)
      for (std::size_t i = 0; i < ni; ++i) {
        gather(slab, table.cell, (s * ni + i) * slab.size(), values);
        file.write(s, run, t, i, slab);
      }
  }
  file.mark_ok(run);
}

std::string samples_csv(const model::mc_study& study, out::netcdf_runs* file) {
  std::vector<std::string> labels;
  for (const auto& l : study.dimensions) labels.push_back(out::csv_field(l));
  std::string text = out::csv_header(out::csv_shape::samples, labels);
  fmt::memory_buffer buf;
  for (std::size_t run = 0; run < study.samples; ++run) {
    fmt::format_to(std::back_inserter(buf), "{}", run);
    const auto values = model::sampled_values(study, run);
    for (double x : values) fmt::format_to(std::back_inserter(buf), ",{}", x);
    if (file && !values.empty()) file->write_inputs(run, values);
    fmt::format_to(std::back_inserter(buf), "\n");
  }
  text.append(buf.data(), buf.size());
  return text;
}

}  // namespace hwf::app
