#include "models/workforce/monte_carlo.hpp"

#include <algorithm>
#include <array>
#include <map>

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
                       std::optional<std::size_t> samples_override, const extra_set& set) {
  mc_study st;
  for (const auto& p : paths) {
    st.scenarios.push_back(load_scenario(p, set));
    auto& s = st.scenarios.back();
    if (!s.uncertainty.present)
      throw study_error(
          s.file.display_name, "uncertainty", "this scenario has no `uncertainty` block",
          "add uncertainty: {samples, sampling, seed, parameters} (docs/monte-carlo.md)");
    if (samples_override) {
      s.uncertainty.samples = *samples_override;
    } else if (s.uncertainty.samples == 0) {
      // Required for a Monte Carlo study: no silent default for its size.
      engine::diagnostic d;
      d.where = s.uncertainty.where;
      d.key_path = "uncertainty.samples";
      d.message = "missing required key";
      d.notes.push_back("how many runs, e.g. samples: 1000 (or give --samples)");
      throw engine::input_error({std::move(d)});
    }
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
  std::vector<double> uniforms;
  st.design->point(run, uniforms);
  run_point(st, uniforms, out);
}

void run_point(const mc_study& st, std::span<const double> uniforms, std::span<double> out) {
  std::vector<double> own;
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
        const std::size_t shortage_at = m.all_series(c, shortage), sdg_at = m.all_series(c, sdg);
        const auto row = [&](std::size_t k) {
          return results[k].result.tables[0].values.data() + y * per_row;
        };
        // Strictly below, and below or equal: where both shortages are 0 (a policy that removes
        // the shortage in a country that has none either), only the second counts the run.
        double* p = &out[first + y * st.probability_schema->size() + per_country * c];
        const double policy = row(s)[shortage_at], baseline = row(0)[shortage_at];
        p[below] = s == 0 ? engine::not_defined : (policy < baseline ? 1.0 : 0.0);
        p[not_above] = s == 0 ? engine::not_defined : (policy <= baseline ? 1.0 : 0.0);
        p[reaches_sdg] = row(s)[sdg_at] >= sdg_threshold ? 1.0 : 0.0;
      }
  }
}

namespace {

/// Refuses a name given to `--save-indicators`-like settings.
[[noreturn]] void refuse_name(std::string message, std::vector<std::string> notes,
                              std::string suggestion) {
  engine::diagnostic d;
  d.where.file = engine::setting_label(engine::setting::save_indicators);
  d.message = std::move(message);
  d.notes = std::move(notes);
  d.suggestion = std::move(suggestion);
  throw engine::setting_error({std::move(d)}, engine::setting::save_indicators);
}

/// Splits the names to save into country, corridor and (with `ages`, a model with age bands)
/// age-band indicators (every one of each when `names` is empty). Throws input_error naming an
/// unknown or repeated name.
void choose_indicators(const std::vector<std::string>& names, saved_table_map& country,
                       saved_table_map& corridor, saved_table_map* ages) {
  std::vector<std::string> all_names, corridor_names, prefixed, every_name, age_names;
  for (const auto& e : country_indicators()) all_names.emplace_back(e.name);
  for (const auto& e : corridor_indicators()) corridor_names.emplace_back(e.name);
  for (const auto& n : corridor_names) prefixed.push_back(corridor.prefix + n);
  if (ages)
    for (const auto n : age_indicator_names()) age_names.push_back(ages->prefix + std::string(n));
  every_name = all_names;
  every_name.insert(every_name.end(), prefixed.begin(), prefixed.end());
  every_name.insert(every_name.end(), age_names.begin(), age_names.end());
  if (names.empty()) {
    country.indicators = all_names;
    corridor.indicators = corridor_names;
    if (ages)
      for (const auto n : age_indicator_names()) ages->indicators.emplace_back(n);
  }
  std::vector<std::string> seen;
  for (const auto& name : names) {
    if (std::find(every_name.begin(), every_name.end(), name) == every_name.end()) {
      std::vector<std::string> lists{"indicators: " + engine::join_list(all_names, 100),
                                     "corridor indicators: " + engine::join_list(prefixed, 100)};
      if (ages) lists.push_back("age-band indicators: " + engine::join_list(age_names, 100));
      refuse_name(fmt::format("'{}' is not an indicator", name), std::move(lists),
                  engine::closest_match(name, every_name).value_or(""));
    }
    if (std::find(seen.begin(), seen.end(), name) != seen.end())
      refuse_name(fmt::format("'{}' is named twice", name), {"name each indicator once"}, "");
    seen.push_back(name);
    if (name.rfind(corridor.prefix, 0) == 0)
      corridor.indicators.push_back(name.substr(corridor.prefix.size()));
    else if (ages && name.rfind(ages->prefix, 0) == 0)
      ages->indicators.push_back(name.substr(ages->prefix.size()));
    else
      country.indicators.push_back(name);
  }
  if (ages)  // the age-band stocks are the country indicators of the same names
    for (const auto& name : ages->indicators)
      ages->info.push_back(*engine::find_indicator(country_indicators(), name));
  for (const auto& name : country.indicators)
    country.info.push_back(*engine::find_indicator(country_indicators(), name));
  for (const auto& name : corridor.indicators)
    corridor.info.push_back(*engine::find_indicator(corridor_indicators(), name));
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

/// The position of `label` in `list`, appended when new.
std::size_t position_adding(std::vector<std::string>& list, const std::string& label) {
  const std::size_t at = position(list, label);
  if (at == list.size()) list.push_back(label);
  return at;
}

/// The schema's key columns but `indicator` into t.keys; returns their positions in a series.
std::vector<std::size_t> value_keys(const engine::table_schema& schema, saved_table_map& t) {
  t.table = schema.name;
  std::vector<std::size_t> at;
  for (std::size_t k = 0; k < schema.key_columns.size(); ++k)
    if (schema.key_columns[k] != "indicator") {
      t.keys.push_back(schema.key_columns[k]);
      at.push_back(k);
    }
  t.labels.resize(at.size());
  return at;
}

/// Per series of a dense table, its cell in a slab: row-major over the keys' labels (those
/// t.labels holds already first, in that order, then the others as they appear).
std::vector<std::size_t> dense_cells(const engine::table_schema& schema,
                                     const std::vector<std::size_t>& at, saved_table_map& t) {
  for (const auto& series : schema.series)
    for (std::size_t k = 0; k < at.size(); ++k) position_adding(t.labels[k], series[at[k]]);
  std::vector<std::size_t> out;
  for (const auto& series : schema.series) {
    std::size_t cell = 0;
    for (std::size_t k = 0; k < at.size(); ++k)
      cell = cell * t.labels[k].size() + position(t.labels[k], series[at[k]]);
    out.push_back(cell);
  }
  return out;
}

/// Per series of a sparse table, its entry: one per combination of key labels, in order of
/// appearance (t.labels[k][e]: key k's label of entry e).
std::vector<std::size_t> sparse_cells(const engine::table_schema& schema,
                                      const std::vector<std::size_t>& at, saved_table_map& t) {
  std::map<std::vector<std::string>, std::size_t> entries;
  std::vector<std::size_t> out;
  for (const auto& series : schema.series) {
    std::vector<std::string> key;
    for (std::size_t k : at) key.push_back(series[k]);
    const auto [it, added] = entries.emplace(key, entries.size());
    if (added)
      for (std::size_t k = 0; k < at.size(); ++k) t.labels[k].push_back(key[k]);
    out.push_back(it->second);
  }
  return out;
}

/// t's keys, labels and cells, from table `table` of the study's model (keys read by name).
void map_cells(const mc_study& st, std::size_t table, saved_table_map& t) {
  const auto& schema = *st.models[0]->schemas()[table];
  const auto at = value_keys(schema, t);
  const auto slab_cell = t.entry.empty() ? dense_cells(schema, at, t) : sparse_cells(schema, at, t);
  const std::size_t ki = key_column(schema, "indicator"), years = st.times.size(), n = t.slab(),
                    ni = t.indicators.size();
  t.cell.assign(st.scenarios.size() * ni * years * n, saved_runs_map::none);
  for (std::size_t i = 0; i < schema.size(); ++i) {
    const std::size_t ind = position(t.indicators, schema.series[i][ki]);
    if (ind == ni) continue;
    for (std::size_t s = 0; s < st.scenarios.size(); ++s)
      for (std::size_t y = 0; y < years; ++y)
        t.cell[((s * ni + ind) * years + y) * n + slab_cell[i]] =
            st.table_cell(s, table) + y * schema.size() + i;
  }
}

}  // namespace

std::size_t saved_table_map::slab() const {
  if (!entry.empty()) return labels.empty() ? 0 : labels[0].size();
  std::size_t n = 1;
  for (const auto& l : labels) n *= l.size();
  return n;
}

saved_runs_map saved_runs(const mc_study& st, const std::vector<std::string>& indicators) {
  const auto& m = *st.models[0];
  saved_runs_map out;
  out.tables.resize(m.has_ages() ? 3 : 2);
  auto& country = out.tables[0];
  auto& corridor = out.tables[1];
  corridor.prefix = "corridor_";
  corridor.entry = "corridor";
  saved_table_map* ages = m.has_ages() ? &out.tables[2] : nullptr;
  if (ages) {
    ages->prefix = "age_";
    ages->entry = "age_group";
  }
  choose_indicators(indicators, country, corridor, ages);
  // The model's orders of countries and cadres (a cadre can be missing in the first countries).
  country.labels = {m.country_set().labels(), m.cadre_ids()};
  country.labels[1].push_back("all");
  map_cells(st, 0, country);
  map_cells(st, 1, corridor);
  const std::size_t o = position(corridor.keys, "origin"),
                    d = position(corridor.keys, "destination"),
                    k = position(corridor.keys, "cadre");
  for (std::size_t e = 0; e < corridor.slab(); ++e)
    corridor.entry_labels.push_back(corridor.labels[o][e] + "-" + corridor.labels[d][e] + " " +
                                    corridor.labels[k][e]);
  if (ages) {  // one entry per (country, cadre, age band)
    map_cells(st, 2, *ages);
    for (std::size_t e = 0; e < ages->slab(); ++e)
      ages->entry_labels.push_back(ages->labels[0][e] + " " + ages->labels[1][e] + " " +
                                   ages->labels[2][e]);
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
