#include "app/saved_runs.hpp"

#include <iterator>
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

}  // namespace

out::runs_layout saved_runs_layout(const model::mc_study& study,
                                   const model::saved_runs_map& saved) {
  const auto& base = study.scenarios[0];
  out::runs_layout layout;
  for (const auto& sc : study.scenarios) layout.scenarios.push_back(sc.name);
  layout.countries = saved.countries;
  layout.cadres = saved.cadres;
  layout.indicators = saved.indicators;
  layout.indicator_text = indicator_texts(saved.indicator_info);
  layout.corridor_origins = saved.origins;
  layout.corridor_destinations = saved.destinations;
  layout.corridor_cadres = saved.corridor_cadres;
  layout.corridor_indicators = saved.corridor_indicators;
  layout.corridor_indicator_text = indicator_texts(saved.corridor_indicator_info);
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
  const std::size_t per = study.times.size() * saved.countries.size() * saved.cadres.size();
  std::vector<double> slab(per);
  for (std::size_t s = 0; s < study.scenarios.size(); ++s)
    for (std::size_t i = 0; i < saved.indicators.size(); ++i) {
      gather(slab, saved.cell, (s * saved.indicators.size() + i) * per, values);
      file.write(s, run, i, slab);
    }
  const std::size_t cper = study.times.size() * saved.origins.size();
  std::vector<double> cslab(cper);
  for (std::size_t s = 0; s < study.scenarios.size(); ++s)
    for (std::size_t i = 0; i < saved.corridor_indicators.size(); ++i) {
      gather(cslab, saved.corridor_cell, (s * saved.corridor_indicators.size() + i) * cper, values);
      file.write_corridor(s, run, i, cslab);
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
