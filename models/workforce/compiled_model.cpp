#include "models/workforce/compiled_model.hpp"

#include <algorithm>
#include <array>
#include <memory>

#include <fmt/format.h>

#include "models/workforce/indicators.hpp"

namespace hwf::model {

namespace {
template <std::size_t N>
constexpr std::array<std::string_view, N> names_of(
    const std::array<engine::indicator_info, N>& table) {
  std::array<std::string_view, N> out{};
  for (std::size_t i = 0; i < N; ++i) out[i] = table[i].name;
  return out;
}
constexpr auto indicator_list = names_of(country_indicator_table);
constexpr auto corridor_indicator_list = names_of(corridor_indicator_table);

/// The indicators a single cadre reports: all but those of cadre `all` only,
/// which come last (a block's series are its indicators' positions from its
/// first series).
constexpr std::size_t per_cadre_indicators = [] {
  std::size_t n = 0;
  while (n < country_indicator_table.size() &&
         country_indicator_table[n].over_cadres != engine::aggregation::total_only)
    ++n;
  for (std::size_t i = n; i < country_indicator_table.size(); ++i)
    if (country_indicator_table[i].over_cadres != engine::aggregation::total_only)
      return std::size_t{0};
  return n;
}();
static_assert(per_cadre_indicators > 0,
              "indicators of cadre `all` only come after every per-cadre indicator");
/// A country-cadre block with its parameter indices; its offsets and series are set by the
/// caller.
cc_block block_of_desc(std::size_t country, const country_cadre_desc& cc) {
  cc_block b{};
  b.country = country;
  b.cadre = cc.cadre;
  b.stages = cc.stages;
  b.p_workforce = cc.workforce;
  b.p_seats = cc.seats;
  b.p_seat_growth = cc.seat_growth;
  b.p_fill = cc.fill;
  b.p_entry_rate = cc.entry_rate;
  b.p_exit_rate = cc.exit_rate;
  b.p_retirement_rate = cc.retirement_rate;
  b.p_need_density = cc.need_density;
  b.p_salary = cc.salary;
  b.p_cost_per_student_year = cc.cost_per_student_year;
  b.p_demand_elasticity = cc.demand_elasticity;
  b.p_training_years = cc.training_years;
  b.p_completion = cc.completion;
  b.p_unlisted_inflow = cc.unlisted_inflow;
  b.p_students = cc.students;
  b.students_growing = cc.students_growing;
  b.p_practising_share = cc.practising_share;
  b.p_abroad_registered_share = cc.abroad_registered_share;
  b.workforce_registered = cc.workforce_registered;
  if (const auto& a = cc.ages) {
    b.aged = true;
    b.p_band_exit = a->exit_rates;
    b.p_entry_shares = a->entry_shares;
    b.p_age_shares = a->age_shares;
    b.p_emigration_factors = a->emigration_factors;
    b.bands = a->exit_rates.size();
  }
  if (const auto& lm = cc.labour) {
    b.has_posts = true;
    b.p_posts = lm->posts;
    b.p_post_growth = lm->post_growth;
    b.p_unemployed = lm->unemployed;
    b.p_hire_years = lm->hire_years;
    b.p_unemployed_exit_rate = lm->unemployed_exit_rate;
    b.p_unemployed_emigration_factor = lm->unemployed_emigration_factor;
  }
  return b;
}

/// The series of one block or corridor, compiled.
void add_series(const std::vector<input_series>& series, std::size_t owner, bool on_corridor,
                std::vector<series_input>& out) {
  for (const auto& s : series) {
    series_input in{target_of(s.key, on_corridor), owner, s.step, {}};
    for (const auto& pt : s.points) in.points.emplace_back(pt.year, pt.value);
    out.push_back(std::move(in));
  }
}
}  // namespace

std::span<const std::string_view> indicator_names() {
  return indicator_list;
}
std::span<const std::string_view> corridor_indicator_names() {
  return corridor_indicator_list;
}
std::span<const std::string_view> age_indicator_names() {
  static constexpr std::array<std::string_view, 5> names{"workforce_domestic", "foreign_trained",
                                                         "abroad", "supply", "unemployed"};
  return names;
}
std::vector<std::string> ages_key_columns() {
  return {"country", "cadre", "age_band", "indicator"};
}
std::string age_band_label(const age_band& band) {
  return fmt::format("{}-{}", band.from, band.to);
}

/// Labels of the state entries, block by block, while compiled_model lays them out.
struct compiled_model::state_labels {
  std::vector<std::string> students, workers, cc_accumulators, migrants, corridor_accumulators;
  std::vector<std::string> unemployed, labour_accumulators;  ///< blocks with posts only
  std::vector<std::string> corridors;  ///< one per corridor cadre (M may hold several bands)
};

compiled_model::compiled_model(const scenario_description& s)
    : scenario_name_(s.name),
      start_year_(s.start_year),
      end_year_(s.end_year),
      output_interval_(s.output.interval_years),
      solver_(s.solver),
      params_(s.model.params) {
  const auto& md = s.model;
  std::vector<std::string> cadre_ids, isos;
  for (const auto& k : md.cadres) {
    cadre_ids.push_back(k.id);
    cadre_sdg_core_.push_back(k.sdg_core);
  }
  cadres_ = engine::index_set("cadre", std::move(cadre_ids));
  for (const auto& c : md.countries)
    if (!c.rest_of_world) isos.push_back(c.iso3);
  countries_set_ = engine::index_set("country", std::move(isos));

  // State layout: all students, then W, then M, then U (blocks with posts only), then
  // accumulators, so that stocks are contiguous and the per-block loops of the right-hand side
  // walk memory forwards. The labour accumulators come last; a model without posts has the
  // version 1 layout.
  state_labels labels;
  engine::table_schema indicators{"indicators", {"country", "cadre", "indicator"}, {}};
  compile_blocks(md, indicators, labels);
  engine::table_schema corridor_table{
      "corridors", {"origin", "destination", "cadre", "indicator"}, {}};
  compile_corridors(md, corridor_table, labels);
  engine::table_schema ages{"ages", ages_key_columns(), {}};
  for (auto& b : blocks_) {
    if (!b.aged) continue;
    const auto& cadre = md.cadres[b.cadre];
    b.ages_series = ages.series.size();
    const auto names = age_indicator_names();
    for (const auto& band : cadre.age_bands)
      for (std::size_t j = 0; j < names.size() - (b.has_posts ? 0 : 1); ++j)
        ages.series.push_back(
            {countries_[b.country].iso3, cadre.id, age_band_label(band), std::string(names[j])});
  }

  corridors_set_ = engine::index_set("corridor", std::move(labels.corridors));
  using engine::state_kind;
  const std::size_t s0 = layout_.add_block("S", state_kind::stock, std::move(labels.students));
  const std::size_t w0 = layout_.add_block("W", state_kind::stock, std::move(labels.workers));
  const std::size_t m0 = layout_.add_block("M", state_kind::stock, std::move(labels.migrants));
  const std::size_t u0 = layout_.add_block("U", state_kind::stock, std::move(labels.unemployed));
  const std::size_t a0 =
      layout_.add_block("acc", state_kind::accumulator, std::move(labels.cc_accumulators));
  const std::size_t e0 = layout_.add_block("corridor_acc", state_kind::accumulator,
                                           std::move(labels.corridor_accumulators));
  const std::size_t l0 = layout_.add_block("labour_acc", state_kind::accumulator,
                                           std::move(labels.labour_accumulators));
  for (auto& b : blocks_) {
    b.students += s0;
    b.workforce += w0;
    b.accumulators += a0;
    if (b.has_posts) {
      b.unemployed += u0;
      b.labour_accumulators += l0;
    }
  }
  for (auto& k : corridors_) {
    k.migrants += m0;
    k.accumulators += e0;
  }
  schemas_.push_back(std::make_shared<const engine::table_schema>(std::move(indicators)));
  schemas_.push_back(std::make_shared<const engine::table_schema>(std::move(corridor_table)));
  if (!ages.series.empty())
    schemas_.push_back(std::make_shared<const engine::table_schema>(std::move(ages)));
  compile_levers(s);
}

void compiled_model::compile_blocks(const model_description& md, engine::table_schema& indicators,
                                    state_labels& labels) {
  for (std::size_t ci = 0; ci < md.countries.size(); ++ci) {
    const auto& c = md.countries[ci];
    // The rest of the world (after every listed country) has no block and no rows: it is left
    // out of every table and sum over countries (docs/model.md, 15.2).
    if (c.rest_of_world) break;
    country_block cb{};
    cb.iso3 = c.iso3;
    cb.safeguards_list = c.safeguards_list;
    cb.has_series = !c.population_series.empty();
    cb.p_population = c.population.value_or(0);
    cb.p_population_growth = c.population_growth;
    cb.p_code_compliance = c.code_compliance;
    for (const auto& pt : c.population_series) cb.p_series.emplace_back(pt.year, pt.value);
    for (const auto& cc : c.cadres) {
      cc_block b = block_of_desc(ci, cc);
      const std::string label = c.iso3 + "," + md.cadres[cc.cadre].id;
      b.students = labels.students.size();
      for (int st = 1; st <= cc.stages; ++st)
        labels.students.push_back(fmt::format("{},{}", label, st));
      const auto& bands = md.cadres[cc.cadre].age_bands;
      for (const auto& band : bands) b.band_widths.push_back(band.to - band.from);
      // One state entry per band (labelled with it), or one without bands.
      const auto add_bands = [&](std::vector<std::string>& to) {
        if (bands.empty()) to.push_back(label);
        for (const auto& band : bands) to.push_back(label + "," + age_band_label(band));
      };
      b.workforce = labels.workers.size();
      add_bands(labels.workers);
      b.accumulators = labels.cc_accumulators.size();
      for (const char* a : {"intake", "dropouts", "graduates", "attrition", "student_years",
                            "worker_years", "retention_cost", "capital_cost", "compensation_paid",
                            "compensation_received", "unlisted_immigration"})
        labels.cc_accumulators.push_back(label + "," + a);
      if (b.has_posts) {
        b.unemployed = labels.unemployed.size();
        add_bands(labels.unemployed);
        b.labour_accumulators = labels.labour_accumulators.size();
        for (const char* a : {"hires", "unemployed_exits", "hiring_cost"})
          labels.labour_accumulators.push_back(label + "," + a);
      }
      b.dense = series_of_dense_.size();
      for (std::size_t i = 0; i < per_cadre_indicators; ++i)
        add_indicator(indicators, b.has_posts,
                      {c.iso3, md.cadres[cc.cadre].id, std::string(indicator_list[i])});
      add_series(cc.series, blocks_.size(), false, series_inputs_);
      cb.has_posts = cb.has_posts || b.has_posts;
      cb.blocks.push_back(blocks_.size());
      blocks_.push_back(std::move(b));
    }
    cb.dense_all = series_of_dense_.size();
    for (auto name : indicator_list)
      add_indicator(indicators, cb.has_posts, {c.iso3, "all", std::string(name)});
    countries_.push_back(std::move(cb));
  }
}

void compiled_model::add_indicator(engine::table_schema& indicators, bool has_posts,
                                   std::vector<std::string> key) {
  if (!has_posts && is_labour_market_indicator(key.back())) {
    series_of_dense_.push_back(no_series);
    return;
  }
  series_of_dense_.push_back(indicators.series.size());
  dense_of_series_.push_back(series_of_dense_.size() - 1);
  indicators.series.push_back(std::move(key));
}

void compiled_model::compile_corridors(const model_description& md,
                                       engine::table_schema& corridor_table, state_labels& labels) {
  const auto block_of = [&](std::size_t country, std::size_t cadre) {
    if (auto b = levers::block_of(*this, country, cadre)) return *b;
    throw engine::internal_error("corridor between countries without its cadre");
  };
  for (const auto& e : md.corridors) {
    corridor_block k{};
    k.origin = block_of(e.origin, e.cadre);
    k.destination_country = e.destination;
    if (md.countries[e.destination].rest_of_world) {
      k.destination = corridor_block::no_block;
      k.p_exit_rate = e.exit_rate.value();
      // With bands, migrants retire by ageing out of the last band (no retirement rate).
      k.p_retirement_rate = e.retirement_rate.value_or(country_cadre_desc::no_parameter);
      k.p_band_exit = e.band_exit_rates;
    } else {
      k.destination = block_of(e.destination, e.cadre);
    }
    k.p_migrant_stock = e.migrant_stock;
    k.p_emigration_rate = e.emigration_rate;
    k.p_return_rate = e.return_rate;
    k.p_active_recruitment_share = e.active_recruitment_share;
    const auto& o = md.countries[e.origin].iso3;
    const auto& d = md.countries[e.destination].iso3;
    const auto& cadre = md.cadres[e.cadre].id;
    const std::string label = o + "-" + d + "," + cadre;
    k.migrants = labels.migrants.size();
    const auto& bands = md.cadres[e.cadre].age_bands;
    k.bands = std::max<std::size_t>(1, bands.size());
    if (bands.empty()) labels.migrants.push_back(label);
    for (const auto& band : bands) labels.migrants.push_back(label + "," + age_band_label(band));
    labels.corridors.push_back(label);
    k.accumulators = labels.corridor_accumulators.size();
    for (const char* a : {"emigration", "returns", "attrition", "compensation", "migrant_years"})
      labels.corridor_accumulators.push_back(label + "," + a);
    k.series = corridor_table.series.size();
    for (auto name : corridor_indicator_list)
      corridor_table.series.push_back({o, d, cadre, std::string(name)});
    add_series(e.series, corridors_.size(), true, series_inputs_);
    corridors_.push_back(k);
  }
}

void compiled_model::compile_levers(const scenario_description& s) {
  for (const auto& p : s.policies) {
    if (!p.type)
      throw engine::internal_error(
          fmt::format("policy '{}' reached the compiler without its lever type", p.name));
    const std::size_t policy = levers_.timings.size();
    levers_.timings.push_back({p.name, p.start, p.ramp_years, p.end});
    levers_.compiled.push_back(p.type->compile(p, *this, policy));
  }
}

void compiled_model::check_parameters(std::span<const double> values) const {
  if (values.size() != params_.size())
    throw engine::internal_error(
        fmt::format("parameter vector has {} values, model {}", values.size(), params_.size()));
  engine::diagnostic_list diags;
  for (std::size_t i = 0; i < values.size(); ++i) {
    const auto& p = params_[i];
    if (!p.range.contains(values[i]))
      diags.add({p.where,
                 p.path,
                 fmt::format("value {} is outside the valid range: expected {}", values[i],
                             p.range.describe()),
                 {fmt::format("unit: {}", p.unit)},
                 ""});
  }
  diags.throw_if_any();
}

}  // namespace hwf::model
