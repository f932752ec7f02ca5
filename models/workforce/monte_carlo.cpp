#include "models/workforce/monte_carlo.hpp"

#include <algorithm>
#include <array>

#include <fmt/format.h>

#include "models/workforce/comparison.hpp"
#include "models/workforce/indicators.hpp"
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

/// The random stream of a sampled dimension: FNV-1a of its label, so that a parameter draws the
/// same values whatever the other sampled dimensions (a scenario alone, or compared with others).
std::uint64_t dimension_key(std::string_view label) {
  std::uint64_t h = 0xcbf29ce484222325ULL;
  for (const char ch : label) {
    h ^= static_cast<unsigned char>(ch);
    h *= 0x100000001b3ULL;
  }
  return h;
}

}  // namespace

std::size_t mc_study::table_cell(std::size_t s, std::size_t t) const {
  // Each scenario's block holds every table of the model, in schema order.
  std::size_t per_scenario = 0, before = 0;
  const auto& schemas = models[0]->schemas();
  for (std::size_t i = 0; i < schemas.size(); ++i) {
    if (i == t) before = per_scenario;
    per_scenario += times.size() * schemas[i]->size();
  }
  return s * per_scenario + before;
}

std::size_t mc_study::difference_cell(std::size_t s, std::size_t t) const {
  return table_cell(scenarios.size() + s - 1, t);
}

std::size_t mc_study::probability_cell(std::size_t s) const {
  return table_cell(2 * scenarios.size() - 1, 0) + s * times.size() * probability_schema->size();
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
  }
  std::vector<const scenario_description*> scenarios;
  std::vector<const compiled_model*> models;
  for (std::size_t i = 0; i < st.scenarios.size(); ++i) {
    scenarios.push_back(&st.scenarios[i]);
    models.push_back(st.models[i].get());
  }
  check_comparable(scenarios, models);
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
  std::vector<std::uint64_t> keys;
  for (const auto& label : st.dimensions) keys.push_back(dimension_key(label));
  st.design = std::make_unique<engine::sample_design>(u.sampling, u.seed, u.samples,
                                                      st.dimensions.size(), true, std::move(keys));
  const auto& m = *st.models[0];
  for (double t = m.start_time(); t <= m.end_time(); t += 1) st.times.push_back(t);
  engine::table_schema probabilities{"probabilities", {"country", "probability"}, {}};
  for (const auto& c : m.countries())
    for (const auto& p : probability_indicators())
      probabilities.series.push_back({c.iso3, std::string(p.name)});
  st.probability_schema = std::make_shared<const engine::table_schema>(std::move(probabilities));
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
    for (std::size_t t = 0; t < results.back().result.tables.size(); ++t) {
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
  constexpr std::size_t shortage = indicator_position(country_indicator_table, "shortage");
  constexpr std::size_t sdg = indicator_position(country_indicator_table, "sdg_density");
  constexpr std::size_t per_country = probability_table.size();
  constexpr std::size_t below = indicator_position(probability_table, "shortage_below_baseline");
  constexpr std::size_t not_above =
      indicator_position(probability_table, "shortage_not_above_baseline");
  // The name carries the threshold: change both together.
  static_assert(sdg_threshold == 44.5);
  constexpr std::size_t reaches_sdg =
      indicator_position(probability_table, "sdg_density_at_least_44.5");
  const std::size_t per_row = m.schemas()[0]->size();
  for (std::size_t s = 0; s < st.scenarios.size(); ++s) {
    const std::size_t first = st.probability_cell(s);
    for (std::size_t y = 0; y < years; ++y)
      for (std::size_t c = 0; c < m.countries().size(); ++c) {
        const std::size_t all = m.countries()[c].series_all;
        const auto row = [&](std::size_t k) {
          return results[k].result.tables[0].values.data() + y * per_row;
        };
        // Strictly below, and below or equal: where both shortages are 0 (a policy that removes
        // the shortage in a country that has none either), only the second counts the run.
        double* p = &out[first + y * st.probability_schema->size() + per_country * c];
        const double policy = row(s)[all + shortage], baseline = row(0)[all + shortage];
        p[below] = s == 0 ? engine::not_defined : (policy < baseline ? 1.0 : 0.0);
        p[not_above] = s == 0 ? engine::not_defined : (policy <= baseline ? 1.0 : 0.0);
        p[reaches_sdg] = row(s)[all + sdg] >= sdg_threshold ? 1.0 : 0.0;
      }
  }
}

namespace {

/// Splits the names to save into country and corridor indicators (every one of both when
/// `names` is empty). Throws input_error naming an unknown or repeated name.
void choose_indicators(const std::vector<std::string>& names, saved_runs_map& out) {
  std::vector<std::string> all_names, corridor_names, prefixed, every_name;
  for (const auto& e : country_indicators()) all_names.emplace_back(e.name);
  for (const auto& e : corridor_indicators()) corridor_names.emplace_back(e.name);
  for (const auto& n : corridor_names) prefixed.push_back("corridor_" + n);
  every_name = all_names;
  every_name.insert(every_name.end(), prefixed.begin(), prefixed.end());
  if (names.empty()) {
    out.indicators = all_names;
    out.corridor_indicators = corridor_names;
  }
  std::vector<std::string> seen;
  for (const auto& name : names) {
    if (std::find(every_name.begin(), every_name.end(), name) == every_name.end()) {
      engine::diagnostic d;
      d.where.file = engine::setting_label(engine::setting::save_indicators);
      d.message = fmt::format("'{}' is not an indicator", name);
      d.notes = {"indicators: " + engine::join_list(all_names, 100),
                 "corridor indicators: " + engine::join_list(prefixed, 100)};
      d.suggestion = engine::closest_match(name, every_name).value_or("");
      throw engine::setting_error({std::move(d)}, engine::setting::save_indicators);
    }
    if (std::find(seen.begin(), seen.end(), name) != seen.end()) {
      engine::diagnostic d;
      d.where.file = engine::setting_label(engine::setting::save_indicators);
      d.message = fmt::format("'{}' is named twice", name);
      d.notes = {"name each indicator once"};
      throw engine::setting_error({std::move(d)}, engine::setting::save_indicators);
    }
    seen.push_back(name);
    if (name.rfind("corridor_", 0) == 0)
      out.corridor_indicators.push_back(name.substr(9));
    else
      out.indicators.push_back(name);
  }
  for (const auto& name : out.indicators)
    out.indicator_info.push_back(*engine::find_indicator(country_indicators(), name));
  for (const auto& name : out.corridor_indicators)
    out.corridor_indicator_info.push_back(*engine::find_indicator(corridor_indicators(), name));
}

/// Position of key column `name` in `schema` (which must have it).
std::size_t key_column(const engine::table_schema& schema, std::string_view name) {
  const auto& k = schema.key_columns;
  const auto it = std::find(k.begin(), k.end(), name);
  if (it == k.end())
    throw engine::internal_error(
        fmt::format("table {} has no key column {}", schema.name, std::string(name)));
  return static_cast<std::size_t>(it - k.begin());
}

std::size_t position(const std::vector<std::string>& list, const std::string& label) {
  return static_cast<std::size_t>(std::find(list.begin(), list.end(), label) - list.begin());
}

/// out.cell, from the indicators table (keys read by column name).
void map_country_cells(const mc_study& st, const engine::table_schema& schema,
                       saved_runs_map& out) {
  const std::size_t kc = key_column(schema, "country"), kk = key_column(schema, "cadre"),
                    ki = key_column(schema, "indicator");
  const std::size_t years = st.times.size(), nc = out.countries.size(), nk = out.cadres.size(),
                    ni = out.indicators.size();
  out.cell.assign(st.scenarios.size() * ni * years * nc * nk, saved_runs_map::none);
  for (std::size_t i = 0; i < schema.size(); ++i) {
    const auto& key = schema.series[i];
    const std::size_t c = position(out.countries, key[kc]), k = position(out.cadres, key[kk]),
                      ind = position(out.indicators, key[ki]);
    if (c == nc || k == nk) throw engine::internal_error("an indicator series has unknown keys");
    if (ind == ni) continue;
    for (std::size_t s = 0; s < st.scenarios.size(); ++s)
      for (std::size_t y = 0; y < years; ++y)
        out.cell[(((s * ni + ind) * years + y) * nc + c) * nk + k] =
            st.table_cell(s, 0) + y * schema.size() + i;
  }
}

/// The corridor cadres and out.corridor_cell, from the corridors table (keys by column name).
void map_corridor_cells(const mc_study& st, const engine::table_schema& corridors,
                        saved_runs_map& out) {
  const std::size_t ko = key_column(corridors, "origin"), kd = key_column(corridors, "destination"),
                    kk = key_column(corridors, "cadre"), ki = key_column(corridors, "indicator");
  std::vector<std::size_t> corridor_of;  // per series: its corridor cadre
  for (const auto& key : corridors.series) {
    const std::size_t n = out.origins.size();
    if (n == 0 || out.origins.back() != key[ko] || out.destinations.back() != key[kd] ||
        out.corridor_cadres.back() != key[kk]) {
      out.origins.push_back(key[ko]);
      out.destinations.push_back(key[kd]);
      out.corridor_cadres.push_back(key[kk]);
    }
    corridor_of.push_back(out.origins.size() - 1);
  }
  const std::size_t years = st.times.size(), nr = out.origins.size(),
                    ni = out.corridor_indicators.size();
  out.corridor_cell.assign(st.scenarios.size() * ni * years * nr, saved_runs_map::none);
  for (std::size_t i = 0; i < corridors.size(); ++i) {
    const std::size_t ind = position(out.corridor_indicators, corridors.series[i][ki]);
    if (ind == ni) continue;
    for (std::size_t s = 0; s < st.scenarios.size(); ++s)
      for (std::size_t y = 0; y < years; ++y)
        out.corridor_cell[((s * ni + ind) * years + y) * nr + corridor_of[i]] =
            st.table_cell(s, 1) + y * corridors.size() + i;
  }
}

}  // namespace

saved_runs_map saved_runs(const mc_study& st, const std::vector<std::string>& indicators) {
  const auto& m = *st.models[0];
  saved_runs_map out;
  out.countries = m.country_set().labels();
  out.cadres = m.cadre_ids();
  out.cadres.push_back("all");
  choose_indicators(indicators, out);
  map_country_cells(st, *m.schemas()[0], out);
  map_corridor_cells(st, *m.schemas()[1], out);
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
