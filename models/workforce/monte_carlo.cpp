#include "models/workforce/monte_carlo.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "models/workforce/comparison.hpp"
#include "models/workforce/uncertainty.hpp"

namespace hwf::model {

namespace {

engine::input_error study_error(const std::string& file, const std::string& key,
                                std::string message, std::string note,
                                std::string suggestion = {}) {
  engine::diagnostic d;
  d.where.file = file;
  d.key_path = key;
  d.message = std::move(message);
  if (!note.empty()) d.notes.push_back(std::move(note));
  d.suggestion = std::move(suggestion);
  return engine::input_error({std::move(d)});
}

std::size_t indicator_index(std::string_view name) {
  const auto names = indicator_names();
  return static_cast<std::size_t>(std::find(names.begin(), names.end(), name) - names.begin());
}

}  // namespace

std::size_t mc_study::table_cell(std::size_t s, std::size_t t) const {
  const auto& schemas = models[0]->schemas();
  const std::size_t per_scenario = times.size() * (schemas[0].size() + schemas[1].size());
  return s * per_scenario + (t == 0 ? 0 : times.size() * schemas[0].size());
}

std::size_t mc_study::difference_cell(std::size_t s, std::size_t t) const {
  return table_cell(scenarios.size() + s - 1, t);
}

std::size_t mc_study::probability_cell(std::size_t s) const {
  return table_cell(2 * scenarios.size() - 1, 0) + s * times.size() * probability_schema.size();
}

std::size_t mc_study::cells() const {
  return probability_cell(scenarios.size());
}

mc_study prepare_study(const std::vector<std::string>& paths,
                       std::optional<std::size_t> samples_override) {
  mc_study st;
  for (const auto& p : paths) {
    st.scenarios.push_back(load_scenario(p));
    auto& s = st.scenarios.back();
    if (!s.uncertainty.present)
      throw study_error(
          s.file.display_name, "uncertainty", "this scenario has no `uncertainty` block",
          "add uncertainty: {samples, sampling, seed, parameters} (docs/monte-carlo.md)");
    if (samples_override) s.uncertainty.samples = *samples_override;
    st.models.push_back(std::make_unique<compiled_model>(s));
  }
  const auto& base = st.scenarios[0];
  for (std::size_t i = 1; i < st.scenarios.size(); ++i) {
    const auto& s = st.scenarios[i];
    const auto& bu = base.uncertainty;
    const auto& su = s.uncertainty;
    if (su.samples != bu.samples || su.sampling != bu.sampling || su.seed != bu.seed)
      throw study_error(s.file.display_name, "uncertainty",
                        "compared scenarios must share samples, sampling and seed",
                        fmt::format("the baseline has {} {} samples with seed {}; this one {} {} "
                                    "with seed {} (extend the baseline to inherit them)",
                                    bu.samples, engine::to_string(bu.sampling), bu.seed, su.samples,
                                    engine::to_string(su.sampling), su.seed));
    if (!same_layout(*st.models[0], *st.models[i]))
      throw study_error(
          s.file.display_name, "",
          fmt::format("scenario '{}' cannot be compared with '{}'", s.name, base.name),
          "compared scenarios need the same countries, cadres, corridors and horizon");
    for (std::size_t j = 0; j < i; ++j)
      if (st.scenarios[j].name == s.name)
        throw study_error(s.file.display_name, "scenario",
                          fmt::format("two compared scenarios are named '{}'", s.name), "");
  }
  // Common random numbers: a dimension with the same label gets the same draws in every scenario.
  for (const auto& s : st.scenarios) {
    std::vector<std::size_t> map;
    for (const auto& label : dimension_labels(s.uncertainty, s.model.params)) {
      auto it = std::find(st.dimensions.begin(), st.dimensions.end(), label);
      if (it == st.dimensions.end()) it = st.dimensions.insert(st.dimensions.end(), label);
      map.push_back(static_cast<std::size_t>(it - st.dimensions.begin()));
    }
    st.dimension_of.push_back(std::move(map));
  }
  const auto& u = base.uncertainty;
  st.samples = u.samples;
  st.design =
      std::make_unique<engine::sample_design>(u.sampling, u.seed, u.samples, st.dimensions.size());
  const auto& m = *st.models[0];
  for (double t = m.start_time(); t <= m.end_time(); t += 1) st.times.push_back(t);
  st.probability_schema = {"probabilities", {"country", "probability"}, {}};
  for (const auto& c : m.countries()) {
    st.probability_schema.series.push_back({c.iso3, "shortage_below_baseline"});
    st.probability_schema.series.push_back(
        {c.iso3, fmt::format("sdg_density_at_least_{}", sdg_threshold)});
  }
  return st;
}

void run_sample(const mc_study& st, std::size_t run, std::span<double> out) {
  std::vector<double> uniforms, own;
  st.design->point(run, uniforms);
  const std::size_t years = st.times.size();
  std::vector<run_output> results;
  for (std::size_t s = 0; s < st.scenarios.size(); ++s) {
    const auto& m = *st.models[s];
    own.clear();
    for (std::size_t d : st.dimension_of[s]) own.push_back(uniforms[d]);
    auto params = m.default_parameters();
    apply_sample(st.scenarios[s].uncertainty, own, params);
    m.check_parameters(params);
    results.push_back(simulate(m, params));
    for (std::size_t t = 0; t < 2; ++t) {
      const auto& v = results.back().result.tables[t].values;
      std::copy(v.begin(), v.end(), out.begin() + static_cast<std::ptrdiff_t>(st.table_cell(s, t)));
      if (s > 0) {
        const auto& b = results[0].result.tables[t].values;
        const std::size_t first = st.difference_cell(s, t);
        for (std::size_t i = 0; i < v.size(); ++i) out[first + i] = v[i] - b[i];
      }
    }
  }
  // Probabilities: 0/1 per run, so that their means over runs are the probabilities.
  const auto& m = *st.models[0];
  const std::size_t shortage = indicator_index("shortage"), sdg = indicator_index("sdg_density");
  const std::size_t per_row = m.schemas()[0].size();
  for (std::size_t s = 0; s < st.scenarios.size(); ++s) {
    const std::size_t first = st.probability_cell(s);
    for (std::size_t y = 0; y < years; ++y)
      for (std::size_t c = 0; c < m.countries().size(); ++c) {
        const std::size_t all = m.countries()[c].series_all;
        const auto row = [&](std::size_t k) {
          return results[k].result.tables[0].values.data() + y * per_row;
        };
        double* p = &out[first + y * st.probability_schema.size() + 2 * c];
        p[0] = s == 0 ? engine::not_defined
                      : (row(s)[all + shortage] < row(0)[all + shortage] ? 1.0 : 0.0);
        p[1] = row(s)[all + sdg] >= sdg_threshold ? 1.0 : 0.0;
      }
  }
}

saved_runs_map saved_runs(const mc_study& st, const std::vector<std::string>& indicators) {
  const auto& m = *st.models[0];
  saved_runs_map out;
  out.countries = m.country_set().labels();
  out.cadres = m.cadre_ids();
  out.cadres.push_back("all");
  std::vector<std::string> all_names;
  for (auto n : indicator_names()) all_names.emplace_back(n);
  if (indicators.empty()) {
    out.indicators = all_names;
  } else {
    for (const auto& name : indicators) {
      if (std::find(all_names.begin(), all_names.end(), name) == all_names.end()) {
        throw study_error("--save-runs", "", fmt::format("'{}' is not an indicator", name),
                          "indicators: " + engine::join_list(all_names),
                          engine::closest_match(name, all_names).value_or(""));
      }
      out.indicators.push_back(name);
    }
  }
  const auto& schema = m.schemas()[0];
  const std::size_t years = st.times.size(), nc = out.countries.size(), nk = out.cadres.size();
  out.cell.assign(st.scenarios.size() * out.indicators.size() * years * nc * nk,
                  saved_runs_map::none);
  for (std::size_t i = 0; i < schema.size(); ++i) {
    const auto& key = schema.series[i];
    const auto c = m.country_set().find(key[0]);
    if (!c) throw engine::internal_error("an indicator series names an unknown country");
    const auto k = std::find(out.cadres.begin(), out.cadres.end(), key[1]) - out.cadres.begin();
    const auto ind =
        std::find(out.indicators.begin(), out.indicators.end(), key[2]) - out.indicators.begin();
    if (static_cast<std::size_t>(ind) == out.indicators.size()) continue;
    for (std::size_t s = 0; s < st.scenarios.size(); ++s)
      for (std::size_t y = 0; y < years; ++y)
        out.cell[(((s * out.indicators.size() + static_cast<std::size_t>(ind)) * years + y) * nc +
                  *c) *
                     nk +
                 static_cast<std::size_t>(k)] = st.table_cell(s, 0) + y * schema.size() + i;
  }
  return out;
}

std::vector<double> sampled_values(const mc_study& st, std::size_t run) {
  // The values each dimension takes, from the first scenario that samples it.
  std::vector<double> uniforms, out(st.dimensions.size()), values, own;
  st.design->point(run, uniforms);
  std::vector<bool> done(st.dimensions.size(), false);
  for (std::size_t s = 0; s < st.scenarios.size(); ++s) {
    own.clear();
    for (std::size_t d : st.dimension_of[s]) own.push_back(uniforms[d]);
    auto params = st.models[s]->default_parameters();
    apply_sample(st.scenarios[s].uncertainty, own, params, &values);
    for (std::size_t i = 0; i < values.size(); ++i) {
      const std::size_t d = st.dimension_of[s][i];
      if (!done[d]) {
        out[d] = values[i];
        done[d] = true;
      }
    }
  }
  return out;
}

}  // namespace hwf::model
