#include "models/workforce/yaml_schema.hpp"

#include <algorithm>
#include <limits>
#include <map>
#include <set>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "engine/diagnostics.hpp"
#include "engine/distributions.hpp"
#include "engine/solver.hpp"
#include "engine/yaml_input.hpp"
#include "models/workforce/input_series.hpp"
#include "models/workforce/levers/lever.hpp"
#include "models/workforce/uncertainty.hpp"

namespace hwf::model {

namespace {

using kind = yaml_shape::kind;

constexpr double inf = 1e300;  // as in schema.cpp: "no upper bound"

// The key patterns of maps. Cadre ids as the loader checks them (name_problem in loader.cpp:
// a lowercase letter, then lowercase letters, digits and '_', at most 64 bytes); years as
// parse_year reads them (whole years, their range checked by the loader).
constexpr std::string_view iso3_pattern = "^[A-Z]{3}$";
constexpr std::string_view cadre_pattern = "^[a-z][a-z0-9_]{0,63}$";
constexpr std::string_view year_pattern = "^[0-9]{4}$";

yaml_shape number(std::string unit, value_range range) {
  yaml_shape s;
  s.what = kind::number;
  s.unit = std::move(unit);
  s.range = range;
  return s;
}

yaml_shape quantity(std::string unit, value_range range, bool series = false) {
  auto s = number(std::move(unit), range);
  s.what = kind::quantity;
  s.series = series;
  s.object = "value";
  return s;
}

yaml_shape quantity(const numeric_field& f, bool series = false) {
  return quantity(std::string(f.unit), f.range, series);
}

yaml_shape integer(long long lo, long long hi) {
  yaml_shape s;
  s.what = kind::integer;
  s.range = {static_cast<double>(lo), static_cast<double>(hi), false, true};
  return s;
}

yaml_shape text() {
  yaml_shape s;
  s.what = kind::text;
  return s;
}

yaml_shape boolean() {
  yaml_shape s;
  s.what = kind::boolean;
  return s;
}

yaml_shape choice(std::vector<std::string> values) {
  yaml_shape s;
  s.what = kind::choice;
  s.values = std::move(values);
  return s;
}

yaml_shape list_of(yaml_shape item, std::size_t min_items = 0, std::size_t max_items = 0) {
  yaml_shape s;
  s.what = kind::list;
  s.of.push_back(std::move(item));
  s.min_items = min_items;
  s.max_items = max_items;
  return s;
}

/// A map whose keys match `pattern` (any key when empty), described by `key_doc`.
yaml_shape map_of(std::string_view pattern, std::string key_doc, yaml_shape value,
                  std::size_t max_items = 0) {
  yaml_shape s;
  s.what = kind::map;
  s.key_pattern = std::string(pattern);
  s.key_doc = std::move(key_doc);
  s.of.push_back(std::move(value));
  s.max_items = max_items;
  return s;
}

yaml_shape object(std::string name) {
  yaml_shape s;
  s.what = kind::object;
  s.object = std::move(name);
  return s;
}

yaml_shape one_of(std::vector<yaml_shape> alternatives) {
  yaml_shape s;
  s.what = kind::one_of;
  s.of = std::move(alternatives);
  return s;
}

yaml_shape free_mapping() {
  return yaml_shape{};
}

/// Required everywhere: no default, not optional, and not required in some places only (a
/// retirement_rate, refused for a cadre with age bands).
bool required(const numeric_field& f) {
  return !f.default_value && !f.optional && f.required_where.empty();
}

bool in(std::span<const std::string_view> keys, std::string_view key) {
  return std::find(keys.begin(), keys.end(), key) != keys.end();
}

/// The keys of a numeric table, each a quantity (a series where `series_keys` allows one).
std::vector<yaml_key> numeric_keys(std::span<const numeric_field> table,
                                   std::span<const std::string_view> series_keys = {}) {
  std::vector<yaml_key> out;
  for (const auto& f : table)
    out.push_back({std::string(f.key), quantity(f, in(series_keys, f.key)), std::string(f.doc),
                   required(f), f.default_value});
  return out;
}

yaml_key* find_key(std::vector<yaml_key>& keys, std::string_view key) {
  for (auto& k : keys)
    if (k.key == key) return &k;
  throw engine::internal_error(fmt::format("the table has no key '{}' here", key));
}

/// A value per age band: a list of numbers (each may carry its provenance).
yaml_shape band_values(std::string unit, value_range range) {
  return list_of(quantity(std::move(unit), range), 1, input_limits::age_bands);
}

/// exit_rate with age bands may also be one number per band (docs/model.md, 15.7).
void allow_band_list(std::vector<yaml_key>& keys) {
  auto& k = *find_key(keys, "exit_rate");
  k.shape = one_of({k.shape, band_values(k.shape.unit, k.shape.range)});
}

// Provenance of a value (loader.cpp, read_evidence) and a series (input_series.cpp).
std::vector<yaml_key> evidence_keys() {
  return {{"source", text(), "Citation of the value.", false},
          {"flag", choice({"verified", "derived", "estimate", "calibrated"}),
           "How sure the value is: verified (as printed in the source), derived (arithmetic on "
           "verified figures), estimate (a judgement), calibrated (by hwfsim calibrate).",
           false},
          {"note", text(), "Free text on the value.", false}};
}

/// A workforce's `concept` (docs/model.md, 15.3).
yaml_key concept_key() {
  return {"concept", choice({"practising", "registered"}),
          "What the stock counts: practising (default) or registered workers (docs/model.md, "
          "15.3).",
          false};
}

/// The mappings of a value with its provenance, of a workforce with its concept, and of a
/// series, which the keys of several mappings take.
void add_value_objects(std::vector<yaml_object>& out) {
  auto value = evidence_keys();
  value.insert(value.begin(), {"value", number("", {-inf, inf}), "The number.", true});
  out.push_back({"value", "a number with its provenance: {value, source, flag, note}", value});
  value.push_back(concept_key());
  out.push_back({"stock_value", "workforce with its provenance and concept", std::move(value)});

  auto series = evidence_keys();
  series.insert(series.begin(),
                {{"series", map_of(year_pattern, "year", quantity("", {-inf, inf})),
                  "Values by year (year: value), years in increasing order.", true},
                 {"interpolation", choice({"linear", "step"}),
                  "linear (default): straight lines between the points; step: each value holds "
                  "until the next point.",
                  false}});
  out.push_back({"series", "a value over time: {series: {year: value}, ...}", std::move(series)});

  // A stock by start year (docs/model.md, 15.8): points, never interpolated, so no
  // `interpolation`; a workforce's may state its concept.
  auto stock = evidence_keys();
  stock.insert(stock.begin(),
               {"series", map_of(year_pattern, "year", quantity("", {-inf, inf})),
                "The stock at the start of each year a run may start in (year: value), the "
                "dataset's start_year among them; years in increasing order.",
                true});
  out.push_back({"stock_series", "a stock by start year: {series: {year: value}, ...}", stock});
  stock.push_back(concept_key());
  out.push_back(
      {"workforce_series", "workforce by start year, with its concept", std::move(stock)});
}

/// A stock that may also be given by start year (docs/model.md, 15.8), as the mapping `object`.
void by_start_year(std::vector<yaml_key>& keys, std::string_view key, std::string object) {
  auto& k = *find_key(keys, key);
  k.shape.series = true;
  k.shape.series_object = std::move(object);
}

/// The keys of a country's cadre: its numbers (stocks by start year, exit rates by age band),
/// its students and its age-band shares.
std::vector<yaml_key> country_cadre_keys() {
  auto country_cadre = numeric_keys(country_cadre_fields(), country_cadre_series_keys());
  by_start_year(country_cadre, "workforce", "workforce_series");
  by_start_year(country_cadre, "unemployed", "stock_series");
  find_key(country_cadre, "workforce")->shape.object = "stock_value";
  allow_band_list(country_cadre);
  country_cadre.push_back(
      {"students",
       one_of({list_of(quantity("persons", {0, inf}), 1, input_limits::max_stages),
               choice({"growing"})}),
       "Students in each training stage at the start year (one per stage), or growing: as if "
       "seats had always grown at seat_growth (default: the steady state).",
       false});
  country_cadre.push_back({"entry_age_shares", band_values("share", {0, 1}),
                           "Share of new entrants in each age band, summing to 1; only with age "
                           "bands (default: all in the first).",
                           false});
  country_cadre.push_back({"age_shares", band_values("share", {0, 1}),
                           "Share of the start-year workforce in each age band, summing to 1; "
                           "only with age bands.",
                           false});
  country_cadre.push_back({"emigration_age_factors", band_values("dimensionless", {0, 10}),
                           "Emigration in each age band relative to the cadre's rate; only with "
                           "age bands (default: 1).",
                           false});
  return country_cadre;
}

std::vector<yaml_object> model_objects() {
  std::vector<yaml_object> out;
  out.push_back(
      {"model",
       "A model dataset: countries, cadres, corridors and their start-year values.",
       {{"format", integer(engine::current_format, engine::current_format),
         "Version of the file format; the current one if absent.", false},
        {"model", text(), "Name of the model.", true},
        {"description", text(), "One paragraph on the dataset.", false},
        {"start_year", integer(1800, 2300), "Calendar year of the start-year values.", true},
        {"cadres", map_of(cadre_pattern, "cadre id", object("cadre"), input_limits::cadres),
         "The cadres, by id: lowercase letters, digits and '_', starting with a letter ('all' is "
         "reserved).",
         true},
        {"countries",
         map_of(iso3_pattern, "ISO 3166-1 alpha-3 code", object("country"),
                input_limits::countries),
         "The countries, by ISO3 code.", true},
        {"corridors", list_of(object("corridor"), 0, input_limits::corridors),
         "Migration corridors, one per origin-destination pair.", false},
        {"sources", free_mapping(), "Free-form citations, a mapping kept as written.", false}}});

  auto cadre = numeric_keys(cadre_fields());
  find_key(cadre, "stages")->shape = integer(1, input_limits::max_stages);
  cadre.push_back({"sdg_core", boolean(),
                   "Whether the cadre counts towards the SDG density of doctors, nurses and "
                   "midwives.",
                   true});
  cadre.push_back(
      {"age_bands",
       list_of(list_of(number("years of age", {0, 120}), 2, 2), 1, input_limits::age_bands),
       "Contiguous age bands [from, to), in increasing order (docs/model.md, 15.7).", false});
  out.push_back({"cadre", "cadres.<cadre>", std::move(cadre)});

  auto country = numeric_keys(country_fields());
  country.push_back({"name", text(), "Name of the country.", true});
  country.push_back({"safeguards_list", boolean(),
                     "Whether the country is on the WHO health workforce support and safeguards "
                     "list; by default, its membership of the 2023 list.",
                     false});
  country.push_back(
      {"population_series",
       map_of(year_pattern, "year", quantity("persons", {0, 1e11, true}),
              input_limits::series_points),
       "Population by year (year: persons), instead of population and population_growth.", false});
  country.push_back(
      {"cadres", map_of(cadre_pattern, "cadre id", object("country_cadre"), input_limits::cadres),
       "The country's cadres, by id; required unless rest_of_world.", false});
  country.push_back({"rest_of_world", boolean(),
                     "A rest-of-world entry: only a destination of corridors, with name and no "
                     "other key (docs/model.md, 15.2).",
                     false});
  out.push_back({"country", "countries.<ISO3>", std::move(country)});

  out.push_back({"country_cadre", "countries.<ISO3>.cadres.<cadre>", country_cadre_keys()});

  auto iso3 = text();
  iso3.key_pattern = std::string(iso3_pattern);
  out.push_back(
      {"corridor",
       "corridors[i]",
       {{"origin", iso3, "ISO3 code of a declared country, not a rest-of-world entry.", true},
        {"destination", iso3, "ISO3 code of a declared country.", true},
        {"cadres",
         map_of(cadre_pattern, "cadre id", object("corridor_cadre"), input_limits::cadres),
         "The corridor's cadres, by id, each declared in both countries.", true}}});

  auto corridor_cadre = numeric_keys(corridor_fields(), corridor_series_keys(true));
  by_start_year(corridor_cadre, "migrant_stock", "stock_series");
  allow_band_list(corridor_cadre);
  out.push_back({"corridor_cadre", "corridors[i].cadres.<cadre>", std::move(corridor_cadre)});

  add_value_objects(out);
  return out;
}

/// The shape of a lever's target key, as levers/lever.cpp reads it: one name (read_one_name) or
/// `all` and a list of names (read_names). A key of a lever type registered elsewhere (a
/// test's, a plug-in's) may be any of these.
yaml_key target_key(std::string_view key) {
  const auto names = one_of({choice({"all"}), list_of(text(), 1)});
  if (key == "countries")
    return {"countries", names, "Countries it acts in: all, or a list of ISO3 codes.", true};
  if (key == "cadres")
    return {"cadres", names, "Cadres it acts on: all (default), or a list of cadre ids.", false};
  if (key == "origin") return {"origin", text(), "ISO3 code of the origin country.", true};
  if (key == "destination")
    return {"destination", text(), "ISO3 code of the destination country.", true};
  if (key == "destinations")
    return {"destinations", names, "Destination countries: all, or a list of ISO3 codes.", true};
  if (key == "exempt")
    return {"exempt", names, "Destination countries the cap does not apply to.", false};
  return {std::string(key), one_of({text(), names}), "A target of this lever type.", false};
}

std::vector<yaml_object> policy_objects() {
  std::vector<yaml_object> out;
  for (const auto* lever : lever_registry::builtin().types()) {
    const std::string name(lever->name());
    out.push_back(
        {"policy_" + name, fmt::format("policies[i] with type: {}", name), policy_keys(*lever)});
  }
  return out;
}

std::vector<yaml_object> uncertainty_objects() {
  std::vector<yaml_object> out;
  const auto any_number = number("", {-inf, inf});
  yaml_shape dists;
  dists.what = kind::one_of;
  const auto names = engine::distribution_names();
  for (std::size_t i = 0; i < names.size(); ++i) {
    const auto k = static_cast<engine::distribution_kind>(i);
    const auto& numbers = distribution_keys(k);
    std::vector<yaml_key> keys{
        {"dist", choice({names[i]}), "The distribution.", true},
        {"apply",
         choice({std::string(apply_name(apply_mode::set)),
                 std::string(apply_name(apply_mode::multiply)),
                 std::string(apply_name(apply_mode::add))}),
         "How a draw acts on the value in force: set (default) replaces it, multiply and add "
         "change it.",
         false},
        {"shared", boolean(),
         "One draw for every parameter the pattern matches (default: one draw each).", false}};
    for (const auto& key : numbers.required) keys.push_back({key, any_number, "", true});
    for (const auto& key : numbers.optional) keys.push_back({key, any_number, "", false});
    if (k == engine::distribution_kind::discrete) {
      keys.push_back({"values", list_of(any_number, 1), "The values drawn.", true});
      keys.push_back({"weights", list_of(any_number, 1),
                      "Their weights, one per value (default: 1 each).", false});
    }
    out.push_back({"distribution_" + names[i],
                   fmt::format("uncertainty.parameters.<path> with dist: {}", names[i]),
                   std::move(keys)});
    dists.of.push_back(object("distribution_" + names[i]));
  }
  const auto path_map = [](yaml_shape value) {
    return map_of("", "parameter path ('*' for one segment)", std::move(value));
  };
  out.insert(
      out.begin(),
      {"uncertainty",
       "uncertainty: Monte Carlo and sensitivity inputs (docs/yaml-reference.md, \"Uncertainty\")",
       {{"samples", integer(1, static_cast<long long>(input_limits::samples)),
         "Number of runs of hwfsim mc.", false},
        {"sampling", choice({"random", "lhs", "sobol"}),
         "Sample design: random, lhs (Latin hypercube) or sobol.", false},
        {"seed", integer(0, std::numeric_limits<long long>::max()),
         "Seed of the random streams; required somewhere in the extends chain.", false},
        {"parameters", path_map(dists),
         "Distributions of parameters, by path pattern ('*' stands for one segment).", false},
        {"multivariate_normal", list_of(object("correlated_group")),
         "Groups of parameters drawn together from a truncated multivariate normal.", false}}});
  out.push_back({"correlated_group",
                 "uncertainty.multivariate_normal[i]",
                 {{"parameters", path_map(object("group_entry")),
                   "The group's parameters, by full path.", true},
                  {"correlation", list_of(list_of(number("", {-1, 1}))),
                   "Correlation matrix, one row per parameter in order.", true},
                  {"source", text(), "Citation of the correlations.", false}}});
  out.push_back({"group_entry",
                 "uncertainty.multivariate_normal[i].parameters.<path>",
                 {{"mean", any_number, "", true},
                  {"sd", any_number, "", true},
                  {"min", any_number, "", true},
                  {"max", any_number, "", true}}});
  return out;
}

std::vector<yaml_object> calibration_objects() {
  const auto any_number = number("", {-inf, inf});
  return {
      {"calibration",
       "calibration: fitting parameters to observed counts (docs/calibration.md)",
       {{"observed", text(), "Observed counts file, relative to the scenario's folder.", true},
        {"fit", object("years"), "Years whose observations are fitted.", true},
        {"holdout", object("years"), "Years kept apart to judge the fit.", false},
        {"starts", integer(1, 64), "Number of starting points of the optimiser.", false},
        {"seed", integer(0, std::numeric_limits<long long>::max()), "Seed of the starting points.",
         true},
        {"max_iterations", integer(1, 10000), "Iterations of the optimiser per start.", false},
        {"parameters",
         map_of("", "parameter path ('*' for one segment)", object("calibration_parameter")),
         "Parameters fitted, by path pattern, with their bounds.", true}}},
      {"years",
       "calibration.fit, calibration.holdout",
       {{"from", integer(1800, 2300), "First year.", true},
        {"to", integer(1800, 2300), "Last year.", true}}},
      {"calibration_parameter",
       "calibration.parameters.<path>",
       {{"min", any_number, "Lower bound.", true},
        {"max", any_number, "Upper bound.", true},
        {"prior", object("prior"), "A penalty towards a prior belief.", false}}},
      {"prior",
       "calibration.parameters.<path>.prior",
       {{"dist", choice({"normal", "lognormal"}), "The prior's distribution.", true},
        {"mean", any_number, "Its mean (normal).", false},
        {"median", any_number, "Its median (lognormal).", false},
        {"sigma", number("", {0, inf, true}), "Its spread.", true}}},
  };
}

std::vector<yaml_object> workshop_objects() {
  const auto any_number = number("", {-inf, inf});
  return {
      {"workshop",
       "workshop: the controls of the workshop page (docs/workshop.md)",
       {{"title", text(), "The page's heading (default: the scenario's name).", false},
        {"countries", list_of(text(), 1, 2), "ISO3 codes of the countries the page shows first.",
         false},
        {"controls", map_of("", "parameter path", object("workshop_control")),
         "The parameters and lever terms the page's sliders change, by path.", true}}},
      {"workshop_control",
       "workshop.controls.<path>",
       {{"label", text(), "What the slider is called (default: the path).", false},
        {"min", any_number, "Lowest value of the slider.", false},
        {"max", any_number, "Highest value of the slider.", false},
        {"step", any_number, "Step of the slider (default: a hundredth of the range).", false}}},
  };
}

std::vector<yaml_object> scenario_objects() {
  yaml_shape policies;
  policies.what = kind::one_of;
  for (const auto* lever : lever_registry::builtin().types())
    policies.of.push_back(object("policy_" + std::string(lever->name())));
  std::vector<yaml_object> out{
      {"scenario",
       "A scenario: a model dataset, a horizon, policies and overrides.",
       {{"format", integer(engine::current_format, engine::current_format),
         "Version of the file format; the current one if absent.", false},
        {"scenario", text(),
         "Name of the scenario: letters, digits, '.', '_' or '-' (it names the results folder).",
         true},
        {"description", text(), "One paragraph on the scenario.", false},
        {"extends", text(), "A scenario file this one extends, relative to this file's folder.",
         false},
        {"model", text(),
         "The model dataset, relative to this file's folder; required in the extends chain.",
         false},
        {"horizon", object("horizon"), "The years run.", false},
        {"solver", object("solver"), "How the equations are solved.", false},
        {"output", object("output"), "What is written.", false},
        {"discount_rate", quantity("1/year", {0, 0.5}), "Discount rate of costs.", false},
        {"set", map_of("", "parameter path", quantity("", {-inf, inf})),
         "Parameter values that override the model's, by path (hwfsim params lists them).", false},
        {"policies", list_of(policies, 0, input_limits::policies),
         "Policy levers; one of an inherited name replaces it in place.", false},
        {"remove", list_of(text()), "Names of inherited policies to take out.", false},
        {"uncertainty", object("uncertainty"), "Uncertain inputs of hwfsim mc and sensitivity.",
         false},
        {"calibration", one_of({text(), object("calibration")}),
         "A calibration block, or the name of a file holding one.", false},
        {"workshop", object("workshop"),
         "What the workshop page (hwfsim workshop) lets a room change.", false}}},
      {"horizon",
       "horizon",
       {{"start", integer(1800, 2300), "First year (default: the model's start_year).", false},
        {"end", integer(1800, 2300), "Last year.", false}}},
      {"solver",
       "solver",
       {{"method", choice(engine::method_names()), "The integration method.", false},
        {"step",
         [] {
           auto s = quantity("years", {0, 1, true});
           s.fraction = true;
           return s;
         }(),
         "Step of the fixed-step methods: 1/n years for a whole n, e.g. 1/12.", false},
        {"abs_tol", quantity("state units", {0, 1, true}), "Absolute tolerance of dopri5.", false},
        {"rel_tol", quantity("share", {0, 0.1, true}), "Relative tolerance of dopri5.", false},
        {"max_steps", integer(1, static_cast<long long>(input_limits::max_steps)),
         "Most steps of one run.", false}}},
      {"output",
       "output",
       {{"interval", integer(1, input_limits::max_horizon_years), "Years between rows written.",
         false},
        {"tables", list_of(choice({"indicators", "corridors", "ages"})),
         "Tables written besides the stocks.", false}}},
  };
  for (auto& o : policy_objects()) out.push_back(std::move(o));
  for (auto& o : uncertainty_objects()) out.push_back(std::move(o));
  for (auto& o : calibration_objects()) out.push_back(std::move(o));
  for (auto& o : workshop_objects()) out.push_back(std::move(o));
  return out;
}

std::vector<yaml_object> all_objects() {
  auto out = model_objects();
  auto scenario = scenario_objects();
  // The two roots first.
  out.insert(out.begin() + 1, std::make_move_iterator(scenario.begin()),
             std::make_move_iterator(scenario.end()));
  return out;
}

}  // namespace

std::vector<yaml_key> policy_keys(const lever_type& type) {
  std::vector<yaml_key> keys{
      {"name", text(), "Unique name of the policy (replaces an inherited one of that name).", true},
      {"type", choice({std::string(type.name())}), "The lever type.", true}};
  for (const auto& key : type.target_keys()) keys.push_back(target_key(key));
  for (auto& k : numeric_keys(policy_timing_fields())) keys.push_back(std::move(k));
  for (auto& k : numeric_keys(type.fields())) keys.push_back(std::move(k));
  return keys;
}

const std::vector<yaml_object>& yaml_objects() {
  // Built once, on first use (thread-safe), and never changed: the loaders read it per mapping.
  static const std::vector<yaml_object> objects = all_objects();
  return objects;
}

const yaml_object& yaml_object_named(std::string_view name) {
  for (const auto& o : yaml_objects())
    if (o.name == name) return o;
  throw engine::internal_error(fmt::format("no object '{}' in the YAML schema", name));
}

std::vector<std::string> yaml_keys(std::string_view name) {
  std::vector<std::string> out;
  for (const auto& k : yaml_object_named(name).keys) out.push_back(k.key);
  return out;
}

const std::vector<std::string>& yaml_choices(std::string_view name, std::string_view key) {
  for (const auto& k : yaml_object_named(name).keys) {
    if (k.key != key) continue;
    const auto* s = &k.shape;
    if (s->what == kind::list) s = &s->of.front();
    if (s->what == kind::choice) return s->values;
  }
  throw engine::internal_error(fmt::format("{}.{} is not a choice in the YAML schema", name, key));
}

namespace {

// Key order of the table is kept in the JSON (ordered_json), so that editors list keys as the
// reference does.
using json = nlohmann::ordered_json;

/// A bound as JSON: whole numbers without a decimal point.
json bound(double v) {
  if (v == static_cast<double>(static_cast<long long>(v))) return static_cast<long long>(v);
  return v;
}

bool bounded_below(const value_range& r) {
  return r.min > -inf;
}
bool bounded_above(const value_range& r) {
  return r.max < inf;
}

/// The number a shape holds, if it holds one (the first alternative of a one_of).
const yaml_shape* numeric_part(const yaml_shape& s) {
  if (s.what == kind::number || s.what == kind::quantity || s.what == kind::integer) return &s;
  if (s.what == kind::one_of && !s.of.empty()) return numeric_part(s.of.front());
  return nullptr;
}

/// A key's description: its meaning, then unit, range and default.
std::string description(const yaml_key& k) {
  std::string text = k.doc;
  std::vector<std::string> parts;
  if (const auto* n = numeric_part(k.shape)) {
    if (!n->unit.empty()) parts.push_back("unit: " + n->unit);
    if (bounded_below(n->range) || bounded_above(n->range)) parts.push_back(n->range.describe());
  }
  if (k.default_value) parts.push_back(fmt::format("default {}", *k.default_value));
  if (k.required) parts.push_back("required");
  if (!parts.empty()) {
    if (!text.empty()) text += ' ';
    std::string joined;
    for (const auto& p : parts) joined += (joined.empty() ? "" : "; ") + p;
    text += "(" + joined + ")";
  }
  return text;
}

/// Writes shapes as JSON Schema, noting the named objects referred to (emitted under $defs).
class json_writer {
 public:
  json shape(const yaml_shape& s) {
    switch (s.what) {
      case kind::number:
      case kind::integer:
        return number(s);
      case kind::quantity: {
        json alternatives = json::array({number(s), annotated(s)});
        if (s.series) alternatives.push_back(series(s));
        return {{"anyOf", alternatives}};
      }
      case kind::text: {
        json j{{"type", "string"}};
        if (!s.key_pattern.empty()) j["pattern"] = s.key_pattern;
        return j;
      }
      case kind::boolean:
        return {{"type", "boolean"}};
      case kind::choice:
        return {{"enum", s.values}};
      case kind::list: {
        json j{{"type", "array"}, {"items", shape(s.of.front())}};
        if (s.min_items) j["minItems"] = s.min_items;
        if (s.max_items) j["maxItems"] = s.max_items;
        return j;
      }
      case kind::map: {
        json j{{"type", "object"}};
        if (!s.key_doc.empty()) j["description"] = "keys: " + s.key_doc;
        if (s.key_pattern.empty()) {
          j["additionalProperties"] = shape(s.of.front());
        } else {
          j["patternProperties"] = {{s.key_pattern, shape(s.of.front())}};
          j["additionalProperties"] = false;
        }
        if (s.max_items) j["maxProperties"] = s.max_items;
        return j;
      }
      case kind::object:
        used.insert(s.object);
        return {{"$ref", "#/$defs/" + s.object}};
      case kind::one_of:
        return one_of(s);
      case kind::anything:
        break;
    }
    return {{"type", "object"}};
  }

  json object(const yaml_object& o) {
    json properties = json::object();
    json required = json::array();
    for (const auto& k : o.keys) {
      json p = shape(k.shape);
      p["description"] = description(k);
      if (k.default_value) p["default"] = bound(*k.default_value);
      properties[k.key] = std::move(p);
      if (k.required) required.push_back(k.key);
    }
    json j{{"type", "object"}, {"description", o.doc}, {"properties", std::move(properties)}};
    if (!required.empty()) j["required"] = std::move(required);
    j["additionalProperties"] = false;
    return j;
  }

  std::set<std::string> used;

 private:
  static json number(const yaml_shape& s) {
    json j{{"type", s.what == kind::integer || s.range.integer ? "integer" : "number"}};
    if (bounded_below(s.range))
      j[s.range.min_open ? "exclusiveMinimum" : "minimum"] = bound(s.range.min);
    if (bounded_above(s.range)) j["maximum"] = bound(s.range.max);
    if (!s.fraction) return j;
    return {{"anyOf", json::array({j,
                                   {{"type", "string"},
                                    {"pattern", "^[0-9]+/[0-9]+$"},
                                    {"description", "a fraction such as 1/12"}}})}};
  }

  /// A quantity written with its provenance: the named mapping, its value in the range.
  json annotated(const yaml_shape& s) {
    auto o = yaml_object_named(s.object);
    auto bare = s;
    bare.what = kind::number;
    o.keys.front().shape = bare;  // `value`, first in both mappings that carry one
    return object(o);
  }

  /// A quantity written as a series: values by year, each in the range.
  json series(const yaml_shape& s) {
    auto o = yaml_object_named(s.series_object);
    auto point = s;
    point.series = false;
    o.keys.front().shape = map_of(year_pattern, "year", point, input_limits::series_points);
    return object(o);
  }

  /// Alternatives told apart by a key with one value in each (a policy's `type`, a
  /// distribution's `dist`) become if/then pairs on that key, so that a validator reports the
  /// errors of the alternative named rather than of every one; others become anyOf.
  json one_of(const yaml_shape& s) {
    if (const auto key = discriminator(s)) {
      json values = json::array();
      json cases = json::array();
      for (const auto& alternative : s.of) {
        const auto& o = yaml_object_named(alternative.object);
        const auto& v = std::find_if(o.keys.begin(), o.keys.end(), [&](const yaml_key& k) {
                          return k.key == *key;
                        })->shape.values.front();
        values.push_back(v);
        cases.push_back({{"if", {{"properties", {{*key, {{"const", v}}}}}, {"required", {*key}}}},
                         {"then", shape(alternative)}});
      }
      return {{"type", "object"},
              {"required", {*key}},
              {"properties", {{*key, {{"enum", values}}}}},
              {"allOf", cases}};
    }
    json alternatives = json::array();
    for (const auto& a : s.of) alternatives.push_back(shape(a));
    return {{"anyOf", alternatives}};
  }

  static std::optional<std::string> discriminator(const yaml_shape& s) {
    if (s.of.empty() || s.of.front().what != kind::object) return std::nullopt;
    for (const auto& k : yaml_object_named(s.of.front().object).keys) {
      const bool everywhere = std::all_of(s.of.begin(), s.of.end(), [&](const yaml_shape& a) {
        if (a.what != kind::object) return false;
        const auto& keys = yaml_object_named(a.object).keys;
        return std::any_of(keys.begin(), keys.end(), [&](const yaml_key& other) {
          return other.key == k.key && other.required && other.shape.what == kind::choice &&
                 other.shape.values.size() == 1;
        });
      });
      if (everywhere) return k.key;
    }
    return std::nullopt;
  }
};

}  // namespace

std::string json_schema(std::string_view root) {
  if (std::find(std::begin(yaml_roots), std::end(yaml_roots), root) == std::end(yaml_roots))
    throw engine::internal_error(fmt::format("'{}' is not a root of the YAML schema", root));
  json_writer w;
  const auto& o = yaml_object_named(root);
  json j{{"$schema", "https://json-schema.org/draft/2020-12/schema"},
         {"title", root == "model" ? "hwfsim model dataset" : "hwfsim scenario"}};
  j.update(w.object(o));
  // The mappings referred to, and those they refer to, in table order.
  std::map<std::string, json> defs;
  for (bool more = true; more;) {
    more = false;
    for (const auto& name : std::set<std::string>(w.used))
      if (!defs.contains(name)) {
        defs[name] = w.object(yaml_object_named(name));
        more = true;
      }
  }
  json ordered = json::object();
  for (const auto& obj : yaml_objects())
    if (defs.contains(obj.name)) ordered[obj.name] = std::move(defs[obj.name]);
  j["$defs"] = std::move(ordered);
  return j.dump(2) + "\n";
}

}  // namespace hwf::model
