// Loading model datasets and scenarios: YAML -> validated description (docs/yaml-reference.md).

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <span>
#include <string_view>
#include <vector>

#include <fmt/format.h>

#include "engine/yaml_input.hpp"
#include "models/workforce/description.hpp"
#include "models/workforce/input_series.hpp"
#include "models/workforce/loader_detail.hpp"
#include "models/workforce/safeguards_list.hpp"
#include "models/workforce/schema.hpp"
#include "models/workforce/yaml_schema.hpp"

namespace hwf::model {

using engine::diagnostic;
using engine::diagnostic_list;
using engine::map_view;
using engine::node_ref;

const country_cadre_desc* country_desc::find(std::size_t cadre) const {
  for (const auto& cc : cadres)
    if (cc.cadre == cadre) return &cc;
  return nullptr;
}

namespace detail {

std::vector<std::string> strings(std::initializer_list<const char*> keys) {
  return {keys.begin(), keys.end()};
}

engine::yaml_file read_data_file(const std::filesystem::path& path, input_file& info) {
  const std::string display = path.lexically_normal().generic_string();
  auto file = engine::load_yaml_file(path, display);
  info = {display, sha256_hex(file.content)};
  return file;
}

/// The range for a message about `v`: an "unbounded" range's finite cap is stated when `v` is
/// above it.
std::string range_text(const value_range& range, double v) {
  if (range.max >= 1e300 && v > range.max)
    return fmt::format("{} and at most {}", range.describe(), range.max);
  return range.describe();
}

/// Reads the `concept` of an annotated stock into `out` (docs/model.md, 15.3); false, after
/// reporting it, for a concept that is not one of the two or that this key may not carry.
static bool read_concept(const map_view& m, std::optional<std::string>* out) {
  const auto n = m.get("concept");
  if (!n) return true;
  if (!out) {
    n->error("a concept is only read on a country-cadre's workforce",
             {"workforce may be given as practising (the default) or registered; every other "
              "stock, migrant_stock too, is practising headcount"});
    return false;
  }
  const auto text = n->to_string();
  if (!text) return false;
  const auto& concepts = yaml_choices("stock_value", "concept");
  if (std::find(concepts.begin(), concepts.end(), *text) == concepts.end()) {
    n->error(fmt::format("expected one of: {}; found '{}'", engine::join_list(concepts),
                         engine::printable(*text, 40)),
             {}, engine::closest_match(*text, concepts).value_or(""));
    return false;
  }
  *out = *text;
  return true;
}

void read_evidence(const map_view& m, parameter& p) {
  if (auto s = m.get("source")) p.source = s->to_string().value_or("");
  if (auto s = m.get("note")) p.note = s->to_string().value_or("");
  if (auto f = m.get("flag")) {
    const auto text = f->to_string();
    const auto& flags = yaml_choices("value", "flag");
    if (text) {
      if (*text == "verified")
        p.flag = evidence::verified;
      else if (*text == "derived")
        p.flag = evidence::derived;
      else if (*text == "estimate")
        p.flag = evidence::estimate;
      else if (*text == "calibrated")
        p.flag = evidence::calibrated;
      else
        f->error(fmt::format("expected one of: {}; found '{}'", engine::join_list(flags), *text),
                 {}, engine::closest_match(*text, flags).value_or(""));
    }
  }
}

/// Reads a numeric value written either as a plain number or as
/// `{value: x, source: "...", flag: verified|derived|estimate, note: "..."}`.
std::optional<parameter> read_value(const node_ref& n, std::string_view unit,
                                    const value_range& range, bool allow_fraction,
                                    std::optional<std::string>* stock_concept,
                                    const std::vector<std::string>& caller_keys) {
  parameter p;
  p.path = n.path();
  p.unit = std::string(unit);
  p.range = range;
  p.where = n.where();
  std::optional<double> v;
  if (n.is_map()) {
    auto keys = yaml_keys("value");
    keys.insert(keys.end(), caller_keys.begin(), caller_keys.end());
    map_view m(n, std::move(keys), strings({"concept"}));
    if (!m.is_map()) return std::nullopt;
    if (!read_concept(m, stock_concept)) return std::nullopt;
    if (auto vn = m.require("value")) {
      v = vn->to_number(allow_fraction);
      p.where = vn->where();
      if (v && !range.contains(*v))
        vn->error(fmt::format("expected a {} {}, found {}",
                              range.integer ? "whole number" : "number", range_text(range, *v), *v),
                  {fmt::format("unit: {}", unit)});
    }
    read_evidence(m, p);
  } else {
    v = n.to_number(allow_fraction);
    if (v && !range.contains(*v))
      n.error(fmt::format("expected a {} {}, found {}", range.integer ? "whole number" : "number",
                          range_text(range, *v), *v),
              {fmt::format("unit: {}", unit)});
  }
  if (!v || !range.contains(*v)) return std::nullopt;
  p.value = *v;
  return p;
}

/// Reads a stock at the start (docs/model.md, 15.8): one number, for the dataset's start_year
/// only, or `{series: {year: value, ...}, source, flag, note}` with a point for each year a run
/// may start in, start_year among them. The stock's parameter takes start_year's value; the
/// points go to `md.start_stocks`. An absent key takes its default, which holds in any year.
/// With `stock_concept` (a workforce), the mapping may say `concept:`.
static std::optional<std::size_t> read_stock(const map_view& m, std::string_view key,
                                             std::span<const numeric_field> fields,
                                             model_description& md,
                                             std::optional<std::string>* stock_concept = nullptr) {
  const auto& field = *find_field(fields, key);
  const auto n = m.get(field.key);
  if (!n) return read_field(m, field, md.params);
  if (!is_series(*n)) {
    auto p = read_value(*n, field.unit, field.range, false, stock_concept);
    if (!p) return std::nullopt;
    const auto i = md.params.add(std::move(*p));
    md.start_stocks.push_back({i, {}, n->where()});
    return i;
  }
  // `concept` and `interpolation` are read to say why they do not belong here.
  map_view sm(*n, yaml_keys("stock_series"), strings({"concept", "interpolation"}));
  if (!sm.is_map() || !read_concept(sm, stock_concept)) return std::nullopt;
  if (const auto i = sm.get("interpolation")) {
    i->error("a stock is never interpolated: a run starts from the point of its start year",
             {"remove interpolation; give a point for each year a run may start in"});
    return std::nullopt;
  }
  parameter defaults;
  read_evidence(sm, defaults);
  const auto points_node = sm.require("series");
  if (!points_node) return std::nullopt;
  parameter_table points;  // the points' values, kept apart from the model's parameters
  std::vector<population_point> years;
  const std::size_t diagnostics = n->diags().count();
  read_points(node_ref(points_node->node(), n->path(), points_node->file(), points_node->diags()),
              field.unit, field.range, points, years, &defaults);
  if (years.empty() || n->diags().count() != diagnostics) return std::nullopt;
  start_stock stock{0, {}, n->where()};
  for (const auto& y : years) stock.points.push_back({y.year, points[y.value]});
  const auto at_start = std::find_if(stock.points.begin(), stock.points.end(),
                                     [&](const auto& pt) { return pt.year == md.start_year; });
  if (at_start == stock.points.end()) {
    points_node->error(
        fmt::format("the series of {} has no point for the dataset's start_year {}", field.key,
                    md.start_year),
        {fmt::format("it gives {}; a stock is never interpolated: add a {} point, the value "
                     "a scenario starts from when its horizon.start is left out",
                     engine::join_list(stock.years()), md.start_year)});
    return std::nullopt;
  }
  parameter head = at_start->value;
  head.path = n->path();
  stock.stock = md.params.add(std::move(head));
  md.start_stocks.push_back(std::move(stock));
  return md.start_stocks.back().stock;
}

/// Reads a country-cadre's `workforce`, which may state its concept (docs/model.md, 15.3): the
/// parameter holds the number as given, and `workforce_registered` says whether it counts the
/// register (then W0 = workforce * practising_share).
static bool read_workforce(const map_view& m, country_cadre_desc& cc, model_description& md) {
  std::optional<std::string> stock_concept;
  const auto i = read_stock(m, "workforce", country_cadre_fields(), md, &stock_concept);
  if (!i) return false;
  cc.workforce_registered = stock_concept == "registered";
  cc.workforce = *i;
  return true;
}

/// Reads numeric keys of one entry (a country-cadre, a corridor cadre) into parameter indices:
/// each a plain number, a number with provenance or, where `series_keys` allows, a series.
/// `ok` turns false at a key with an error; every key is still read, so all are reported.
struct input_fields {
  const map_view& m;
  std::span<const numeric_field> table;
  parameter_table& params;
  std::span<const std::string_view> series_keys;
  std::vector<input_series>& series;
  bool ok = true;

  void operator()(std::string_view key, std::size_t& out) {
    if (auto i = read_input_field(m, *find_field(table, key), params, series_keys, series))
      out = *i;
    else
      ok = false;
  }
};

/// Reads a cadre's `age_bands` (docs/model.md, 15.7): a list of [from, to) pairs in years of
/// age, each band starting where the one before ends. Reports every band in error.
static std::optional<std::vector<age_band>> read_age_bands(const node_ref& n) {
  const auto items = n.to_items();
  if (!items) return std::nullopt;
  if (items->empty()) {
    n.error("expected at least one band [from, to)", {"e.g. [[25, 35], [35, 45], [45, 65]]"});
    return std::nullopt;
  }
  if (!within_limit(n, items->size(), input_limits::age_bands, "age bands")) return std::nullopt;
  std::vector<age_band> out;
  bool ok = true;
  for (const auto& item : *items) {
    const auto pair = item.to_items();
    if (!pair) {
      ok = false;
      continue;
    }
    if (pair->size() != 2) {
      item.error(fmt::format("expected two ages [from, to), found {} values", pair->size()));
      ok = false;
      continue;
    }
    const auto from = (*pair)[0].to_number(), to = (*pair)[1].to_number();
    if (!from || !to) {
      ok = false;
      continue;
    }
    if (!(*from >= 0 && *from < *to && *to <= 120)) {
      item.error(fmt::format("expected ages 0 <= from < to <= 120, found [{}, {}]", *from, *to));
      ok = false;
      continue;
    }
    if (!out.empty() && *from != out.back().to) {
      const auto& before = out.back();
      item.error(*from < before.to
                     ? fmt::format("band [{}, {}) overlaps the band before it, [{}, {}), by {} "
                                   "years",
                                   *from, *to, before.from, before.to, before.to - *from)
                     : fmt::format("band [{}, {}) leaves a gap of {} years after the band "
                                   "before it, [{}, {})",
                                   *from, *to, *from - before.to, before.from, before.to),
                 {"bands are contiguous and in increasing order: each starts where the one "
                  "before ends"});
      ok = false;
    }
    out.push_back({*from, *to});
  }
  if (!ok) return std::nullopt;
  return out;
}

/// Reads a list of one value per age band at `n` (docs/model.md, 15.7) into the table.
static std::optional<std::vector<std::size_t>> read_band_values(const node_ref& n,
                                                                std::size_t bands,
                                                                std::string_view unit,
                                                                const value_range& range,
                                                                parameter_table& table) {
  const auto items = n.to_items();
  if (!items) return std::nullopt;
  if (items->size() != bands) {
    n.error(fmt::format("expected {} values (one per age band), found {}", bands, items->size()),
            {"the cadre's age_bands fix how many bands there are"});
    return std::nullopt;
  }
  std::vector<std::size_t> out;
  bool ok = true;
  for (const auto& item : *items) {
    if (auto p = read_value(item, unit, range))
      out.push_back(table.add(std::move(*p)));
    else
      ok = false;
  }
  if (!ok) return std::nullopt;
  return out;
}

/// One default parameter per band at `<path>[b]`, all `value` but the first (`first`).
static std::vector<std::size_t> band_defaults(const map_view& m, std::string_view key,
                                              std::size_t bands, double first, double value,
                                              std::string_view unit, const value_range& range,
                                              parameter_table& table) {
  std::vector<std::size_t> out;
  for (std::size_t b = 0; b < bands; ++b) {
    parameter p;
    p.path = fmt::format("{}[{}]", engine::join_path(m.self().path(), key), b);
    p.value = b == 0 ? first : value;
    p.unit = std::string(unit);
    p.range = range;
    p.where = m.self().where();
    p.note = "default (docs/yaml-reference.md)";
    out.push_back(table.add(std::move(p)));
  }
  return out;
}

/// What is wrong with shares by band (parameters `shares`), or "" if they sum to 1.
static std::string shares_problem(const std::vector<std::size_t>& shares,
                                  const parameter_table& table) {
  double sum = 0;
  for (std::size_t i : shares) sum += table[i].value;
  if (std::abs(sum - 1) <= 1e-9) return "";
  return fmt::format("the shares sum to {:.9g}, {:.3g} {} 1", sum, std::abs(sum - 1),
                     sum < 1 ? "short of" : "more than");
}

/// Reports shares by band that do not sum to 1, saying by how much.
static bool sums_to_one(const node_ref& n, const std::vector<std::size_t>& shares,
                        const parameter_table& table) {
  const auto problem = shares_problem(shares, table);
  if (problem.empty()) return true;
  n.error(problem, {"give one share per age band, adding up to 1"});
  return false;
}

/// The keys of a country-cadre that only a cadre with age bands reads.
constexpr std::array<std::string_view, 3> age_keys{"entry_age_shares", "age_shares",
                                                   "emigration_age_factors"};

/// Reads the age structure of a country-cadre (docs/model.md, 15.7): exit_rate by band, entry
/// and start shares, emigration factors; retirement_rate is refused (retirement is ageing out of
/// the last band). Without bands, the keys only bands read are refused.
static bool read_age_structure(const map_view& m, const cadre_desc& cadre, country_cadre_desc& cc,
                               parameter_table& table) {
  bool ok = true;
  if (cadre.age_bands.empty()) {
    for (const auto key : age_keys)
      if (const auto n = m.get(key)) {
        n->error(fmt::format("{} is read only for a cadre with age_bands", key),
                 {fmt::format("give cadres.{}.age_bands, e.g. [[20, 35], [35, 50], [50, 65]]",
                              cadre.id)});
        ok = false;
      }
    return ok;
  }
  const std::size_t bands = cadre.age_bands.size();
  const auto& last = cadre.age_bands.back();
  cc.retirement_rate = country_cadre_desc::no_parameter;
  if (const auto n = m.get("retirement_rate")) {
    n->error(fmt::format("retirement_rate is not given for {}, which has age_bands: retirement "
                         "is ageing out of the last band, [{}, {})",
                         cadre.id, last.from, last.to),
             {"remove retirement_rate; a retirement_age policy moves the last band's upper edge"});
    ok = false;
  }
  country_cadre_desc::age_structure a;
  const auto& exit_field = *find_field(country_cadre_fields(), "exit_rate");
  const auto exit = m.get("exit_rate");
  if (exit && exit->node().IsSequence()) {
    if (auto v = read_band_values(*exit, bands, exit_field.unit, exit_field.range, table)) {
      a.exit_rates = std::move(*v);
      cc.exit_rate = a.exit_rates.front();
    } else {
      ok = false;
    }
  } else if (exit && is_series(*exit)) {
    exit->error("with age_bands, exit_rate is one number or a list of one per band, not a series",
                {fmt::format("e.g. exit_rate: [{}]",
                             engine::join_list(std::vector<std::string>(bands, "0.02")))});
    ok = false;
  } else if (auto i = read_field(m, exit_field, table)) {
    cc.exit_rate = *i;
    a.exit_rates.assign(bands, *i);
  } else {
    ok = false;
  }
  const value_range share{0, 1};
  if (const auto n = m.get("entry_age_shares")) {
    auto v = read_band_values(*n, bands, "share", share, table);
    if (v && sums_to_one(*n, *v, table))
      a.entry_shares = std::move(*v);
    else
      ok = false;
  } else {
    a.entry_shares = band_defaults(m, "entry_age_shares", bands, 1, 0, "share", share, table);
  }
  if (const auto n = m.get("age_shares")) {
    auto v = read_band_values(*n, bands, "share", share, table);
    if (v && sums_to_one(*n, *v, table))
      a.age_shares = std::move(*v);
    else
      ok = false;
  }
  const value_range factor{0, 10};
  if (const auto n = m.get("emigration_age_factors")) {
    if (auto v = read_band_values(*n, bands, "dimensionless", factor, table))
      a.emigration_factors = std::move(*v);
    else
      ok = false;
  } else {
    a.emigration_factors =
        band_defaults(m, "emigration_age_factors", bands, 1, 1, "dimensionless", factor, table);
  }
  if (ok) cc.ages = std::move(a);
  return ok;
}

/// `students: growing` (eq. 23a): the pipeline starts on the path of seats growing at
/// seat_growth, which needs a growth rate before the start year (not a series of seats) and one
/// the stages can carry (seat_growth + stages / training_years > 0).
static bool read_growing_students(const node_ref& n, country_cadre_desc& cc,
                                  const model_description& md, bool rates_read) {
  const auto text = n.to_string();
  if (!text) return false;
  if (*text != "growing") {
    n.error(fmt::format("expected 'growing' or a list of one value per training stage; found '{}'",
                        *text),
            {"growing: the pipeline starts as if seats had always grown at seat_growth "
             "(docs/model.md, eq. 23a)"},
            engine::closest_match(*text, std::vector<std::string>{"growing"}).value_or(""));
    return false;
  }
  const bool seats_series = std::any_of(cc.series.begin(), cc.series.end(),
                                        [](const input_series& s) { return s.key == "seats"; });
  if (seats_series) {
    n.error(
        "'growing' needs seat_growth, but seats here is a series, which gives no growth "
        "rate before the start year",
        {"give seats as one value with seat_growth, or the students of each stage as a list"});
    return false;
  }
  if (!rates_read) return false;  // seat_growth or training_years is in error already
  const double g = md.params[cc.seat_growth].value;
  const double drain = cc.stages / md.params[cc.training_years].value;
  if (!(g + drain > 0)) {
    n.error(
        fmt::format("'growing' needs seat_growth above -{:.6g} (minus stages / "
                    "training_years), found {:.6g}: seats shrinking faster than students "
                    "leave a stage give the pipeline no start",
                    drain, g));
    return false;
  }
  cc.students_growing = true;
  return true;
}

/// Reads `posts` and the keys beside it (docs/model.md, 15.5) into `cc.labour`. They are read
/// only where `posts` is given: without it, each of the others is an error at its key.
static bool read_labour_market(const map_view& m, country_cadre_desc& cc, model_description& md) {
  static constexpr std::array<std::string_view, 5> beside{"post_growth", "unemployed", "hire_years",
                                                          "unemployed_exit_rate",
                                                          "unemployed_emigration_factor"};
  bool ok = true;
  if (!m.get("posts")) {
    for (const auto key : beside)
      if (const auto n = m.get(key)) {
        n->error(fmt::format("{} is read only where posts is given", key),
                 {"give posts: the funded posts at the start year (persons), or a series of "
                  "them; without posts every graduate enters practice"});
        ok = false;
      }
    return ok;
  }
  country_cadre_desc::labour_market lm{};
  input_fields field{m, country_cadre_fields(), md.params, country_cadre_series_keys(), cc.series};
  field("posts", lm.posts);
  field("post_growth", lm.post_growth);
  if (const auto u = read_stock(m, "unemployed", country_cadre_fields(), md))
    lm.unemployed = *u;
  else
    field.ok = false;
  field("hire_years", lm.hire_years);
  field("unemployed_exit_rate", lm.unemployed_exit_rate);
  field("unemployed_emigration_factor", lm.unemployed_emigration_factor);
  if (field.ok) cc.labour = lm;
  return field.ok;
}

/// Reads `field` from mapping `m` into the table. Returns the parameter's index; for an absent
/// key, the default (registered at the mapping's location) or, if required, a diagnostic.
std::optional<std::size_t> read_field(const map_view& m, const numeric_field& field,
                                      parameter_table& table) {
  if (auto n = m.get(field.key)) {
    auto p = read_value(*n, field.unit, field.range);
    if (!p) return std::nullopt;
    return table.add(std::move(*p));
  }
  if (field.default_value) {
    parameter p;
    p.path = engine::join_path(m.self().path(), field.key);
    p.value = *field.default_value;
    p.unit = std::string(field.unit);
    p.range = field.range;
    p.where = m.self().where();
    p.note = "default (docs/yaml-reference.md)";
    return table.add(std::move(p));
  }
  if (!field.optional && m.is_map()) m.report_missing(field.key, {std::string(field.doc)});
  return std::nullopt;
}

std::string name_problem(std::string_view name, std::size_t max_size, bool (*first)(char),
                         bool (*rest)(char)) {
  if (name.empty()) return "it is empty";
  if (name.size() > max_size)
    return fmt::format("it has {} characters, more than the limit of {}", name.size(), max_size);
  if (!first(name.front()))
    return fmt::format("it starts with '{}'", engine::printable(name.substr(0, 1)));
  for (std::size_t at = 1; at < name.size(); ++at)
    if (!rest(name[at])) {
      // A character outside ASCII takes more than one byte: show the whole of it.
      std::size_t len = 1;
      while (at + len < name.size() && (static_cast<unsigned char>(name[at + len]) >> 6) == 0x2)
        ++len;
      return fmt::format("'{}' is not allowed", engine::printable(name.substr(at, len)));
    }
  return "";
}

bool within_limit(const node_ref& n, std::size_t count, std::size_t limit, std::string_view what) {
  if (count <= limit) return true;
  n.error(fmt::format("{} {} given, more than the limit of {}", count, what, limit),
          {"the limit protects memory and time; raise hwf::model::input_limits and rebuild if "
           "you really need more"});
  return false;
}

}  // namespace detail

namespace {
using namespace detail;

bool is_iso3(std::string_view s) {
  return s.size() == 3 &&
         std::all_of(s.begin(), s.end(), [](char c) { return c >= 'A' && c <= 'Z'; });
}

/// Longest cadre id, in bytes.
constexpr std::size_t max_cadre_id = 64;

bool lowercase(char c) {
  return c >= 'a' && c <= 'z';
}
bool id_char(char c) {
  return lowercase(c) || (c >= '0' && c <= '9') || c == '_';
}

class model_reader {
 public:
  model_reader(const engine::yaml_file& file, diagnostic_list& diags)
      : file_(file), diags_(diags) {}

  model_description read() {
    model_description md;
    md.file = {file_.display_name, sha256_hex(file_.content)};
    node_ref root(file_.root, "", file_, diags_);
    if (!file_.root.IsDefined() || file_.root.IsNull()) {
      root.error("the file is empty", {"expected a model dataset: a mapping with keys model, "
                                       "start_year, cadres, countries, corridors"});
      return md;
    }
    const auto keys = yaml_keys("model");
    if (!engine::has_expected_shape(root, keys, "model dataset")) return md;
    if (!engine::check_format(root, "model dataset")) return md;
    map_view top(root, keys);
    if (!top.is_map()) return md;
    if (auto n = top.require("model")) md.name = n->to_string().value_or("");
    if (auto n = top.get("description")) md.description = n->to_string().value_or("");
    if (auto n = top.require("start_year"))
      md.start_year = static_cast<int>(n->to_integer(1800, 2300).value_or(0));
    if (auto n = top.get("sources")) n->to_entries();  // free-form citations: a mapping
    if (auto n = top.require("cadres")) read_cadres(*n, md);
    if (auto n = top.require("countries")) read_countries(*n, md);
    if (auto n = top.get("corridors")) read_corridors(*n, md);
    return md;
  }

 private:
  void read_cadres(const node_ref& n, model_description& md) {
    auto entries = n.to_entries();
    if (!entries) return;
    if (entries->empty()) n.error("at least one cadre is needed");
    if (!within_limit(n, entries->size(), input_limits::cadres, "cadres")) return;
    for (auto& [id, value] : *entries) {
      const auto problem = name_problem(id, max_cadre_id, lowercase, id_char);
      if (!problem.empty() || id == "all") {
        value.error(fmt::format("'{}' is not a valid cadre name{}", engine::printable(id, 40),
                                problem.empty() ? "" : ": " + problem),
                    {fmt::format("expected lowercase letters, digits and '_' starting with a "
                                 "letter, at most {} characters; 'all' is reserved for sums over "
                                 "cadres",
                                 max_cadre_id)});
        continue;
      }
      map_view m(value, yaml_keys("cadre"));
      if (!m.is_map()) continue;
      cadre_desc c;
      c.id = id;
      c.where = value.where();
      const auto d = read_field(m, *find_field(cadre_fields(), "training_years"), md.params);
      const auto comp = read_field(m, *find_field(cadre_fields(), "completion"), md.params);
      if (auto s = m.get("stages"))
        if (auto v = s->to_integer(1, input_limits::max_stages)) c.stages = static_cast<int>(*v);
      std::optional<bool> sdg;
      if (auto s = m.require("sdg_core")) sdg = s->to_bool();
      bool bands_ok = true;
      if (const auto b = m.get("age_bands")) {
        auto bands = read_age_bands(*b);
        bands_ok = bands.has_value();
        if (bands) c.age_bands = std::move(*bands);
      }
      if (!d || !comp || !sdg || !bands_ok) {
        invalid_cadres_.push_back(id);  // reported above; references to it stay quiet
        continue;
      }
      c.training_years = *d;
      c.completion = *comp;
      c.sdg_core = *sdg;
      md.cadres.push_back(std::move(c));
    }
  }

  void read_countries(const node_ref& n, model_description& md) {
    auto entries = n.to_entries();
    if (!entries) return;
    if (entries->empty()) n.error("at least one country is needed");
    if (!within_limit(n, entries->size(), input_limits::countries, "countries")) return;
    // Rest-of-world entries go after the listed countries, so that the listed ones keep the
    // indices 0..n-1 in the model and in every table.
    std::vector<country_desc> rest_of_world;
    for (auto& [iso3, value] : *entries) {
      if (!is_iso3(iso3)) {
        value.error(fmt::format("'{}' is not an ISO 3166-1 alpha-3 code", iso3),
                    {"expected three capital letters, e.g. KEN, GBR"});
        continue;
      }
      map_view m(value, yaml_keys("country"));
      if (!m.is_map()) continue;
      country_desc c;
      c.iso3 = iso3;
      c.where = value.where();
      if (auto s = m.require("name")) c.name = s->to_string().value_or("");
      if (auto s = m.get("rest_of_world"))
        if (auto v = s->to_bool(); v && *v) {
          refuse_rest_of_world_keys(m);
          c.rest_of_world = true;
          rest_of_world.push_back(std::move(c));
          continue;
        }
      // Default: membership of the WHO 2023 list; an explicit value (another edition, a
      // what-if) overrides it.
      c.safeguards_list = on_safeguards_list_2023(iso3);
      if (auto s = m.get("safeguards_list"))
        if (auto v = s->to_bool()) c.safeguards_list = *v;
      read_population(m, c, md.params);
      read_code_compliance(m, c, md.params);
      if (auto s = m.require("cadres")) read_country_cadres(*s, c, md);
      md.countries.push_back(std::move(c));
    }
    for (auto& c : rest_of_world) md.countries.push_back(std::move(c));
  }

  /// A rest-of-world entry is only a destination (docs/model.md, 15.2): the keys of a country
  /// with workers and people are errors on it.
  static void refuse_rest_of_world_keys(const map_view& m) {
    for (const char* key : {"cadres", "population", "population_growth", "population_series",
                            "safeguards_list", "code_compliance"})
      if (auto n = m.get(key))
        n->error(fmt::format("a rest-of-world entry has no {}",
                             std::string_view(key) == "cadres" ? "cadres (no pipeline or workforce)"
                             : std::string_view(key) == "safeguards_list"
                                 ? "safeguards_list (it is never an origin)"
                             : std::string_view(key) == "code_compliance"
                                 ? "code_compliance (its rates carry no Code of its own)"
                                 : "population (no population or need)"),
                 {"expected only name and rest_of_world: it is the destination of corridors, "
                  "whose cadres carry the migrants' own exit_rate and retirement_rate"});
  }

  void read_population(const map_view& m, country_desc& c, parameter_table& table) {
    const auto series = m.get("population_series");
    const auto single = m.get("population");
    if (series && single) {
      single->error(
          "give either population (with population_growth) or population_series, "
          "not both");
      return;
    }
    std::vector<input_series> none;  // population's path over time is population_series
    if (series) {
      read_points(*series, "persons", {0, 1e11, true}, table, c.population_series);
    } else if (!single) {
      m.report_missing("population", {"give population (persons at the start year) or "
                                      "population_series (year: persons)"});
      return;
    } else {
      c.population =
          read_input_field(m, *find_field(country_fields(), "population"), table, {}, none);
    }
    // From P0, or after the series' last year (docs/model.md, (1a) and (1b)).
    if (auto g = read_input_field(m, *find_field(country_fields(), "population_growth"), table, {},
                                  none))
      c.population_growth = *g;
  }

  void read_code_compliance(const map_view& m, country_desc& c, parameter_table& table) {
    std::vector<input_series> none;
    if (auto k =
            read_input_field(m, *find_field(country_fields(), "code_compliance"), table, {}, none))
      c.code_compliance = *k;
  }

  void read_country_cadres(const node_ref& n, country_desc& c, model_description& md) {
    auto entries = n.to_entries();
    if (!entries) return;
    std::vector<std::string> cadre_ids;
    for (const auto& k : md.cadres) cadre_ids.push_back(k.id);
    for (auto& [id, value] : *entries) {
      const auto it = std::find(cadre_ids.begin(), cadre_ids.end(), id);
      if (it == cadre_ids.end() && is_invalid_cadre(id)) continue;
      if (it == cadre_ids.end()) {
        value.error(fmt::format("'{}' is not a declared cadre", id),
                    {"declared cadres: " + engine::join_list(cadre_ids)},
                    engine::closest_match(id, cadre_ids).value_or(""));
        continue;
      }
      const auto k = static_cast<std::size_t>(it - cadre_ids.begin());
      declared_.emplace_back(md.countries.size(), k);
      const cadre_desc& cadre = md.cadres[k];
      map_view m(value, yaml_keys("country_cadre"));
      if (!m.is_map()) continue;
      country_cadre_desc cc{};
      cc.cadre = k;
      cc.where = value.where();
      bool ok = true;
      input_fields field{m, country_cadre_fields(), md.params, country_cadre_series_keys(),
                         cc.series};
      if (!read_workforce(m, cc, md)) ok = false;
      field("seats", cc.seats);
      field("seat_growth", cc.seat_growth);
      field("fill", cc.fill);
      field("entry_rate", cc.entry_rate);
      if (cadre.age_bands.empty()) {
        field("exit_rate", cc.exit_rate);
        field("retirement_rate", cc.retirement_rate);
      }
      if (!read_age_structure(m, cadre, cc, md.params)) ok = false;
      field("need_density", cc.need_density);
      field("salary", cc.salary);
      field("cost_per_student_year", cc.cost_per_student_year);
      field("demand_elasticity", cc.demand_elasticity);
      field("practising_share", cc.practising_share);
      field("abroad_registered_share", cc.abroad_registered_share);
      field("unlisted_inflow", cc.unlisted_inflow);
      if (!read_labour_market(m, cc, md)) ok = false;
      cc.training_years = cadre.training_years;
      cc.completion = cadre.completion;
      if (m.get("training_years")) field("training_years", cc.training_years);
      if (m.get("completion")) field("completion", cc.completion);
      const double years = md.params[cc.training_years].value;
      cc.stages = cadre.stages.value_or(std::max(1, static_cast<int>(std::lround(years))));
      if (auto s = m.get("students"); s && s->is_scalar()) {
        if (!read_growing_students(*s, cc, md, field.ok)) ok = false;
      } else if (s) {
        if (auto items = s->to_items()) {
          if (items->size() != static_cast<std::size_t>(cc.stages)) {
            s->error(fmt::format("expected {} values (one per training stage), found {}", cc.stages,
                                 items->size()),
                     {"stages = cadres." + cadre.id + ".stages, or training_years rounded"});
            ok = false;
          } else {
            for (auto& item : *items) {
              auto p = read_value(item, "persons", {0, 1e300});
              if (p)
                cc.students.push_back(md.params.add(std::move(*p)));
              else
                ok = false;
            }
          }
        }
      }
      if (ok && field.ok) c.cadres.push_back(std::move(cc));
    }
    std::sort(c.cadres.begin(), c.cadres.end(),
              [](const auto& a, const auto& b) { return a.cadre < b.cadre; });
  }

  void read_corridors(const node_ref& n, model_description& md) {
    auto items = n.to_items();
    if (!items) return;
    if (!within_limit(n, items->size(), input_limits::corridors, "corridors")) return;
    std::vector<std::string> isos;
    for (const auto& c : md.countries) isos.push_back(c.iso3);
    std::vector<std::string> cadre_ids;
    for (const auto& k : md.cadres) cadre_ids.push_back(k.id);
    std::vector<std::pair<std::string, int>> seen;  // "KEN-GBR", line

    const auto country_index = [&](const node_ref& v) -> std::optional<std::size_t> {
      const auto s = v.to_string();
      if (!s) return std::nullopt;
      const auto it = std::find(isos.begin(), isos.end(), *s);
      if (it == isos.end()) {
        v.error(fmt::format("'{}' is not a declared country", *s),
                {"declared countries: " + engine::join_list(isos)},
                engine::closest_match(*s, isos).value_or(""));
        return std::nullopt;
      }
      return static_cast<std::size_t>(it - isos.begin());
    };

    for (auto& item : *items) {
      map_view m(item, yaml_keys("corridor"));
      if (!m.is_map()) continue;
      const auto on = m.require("origin");
      const auto dn = m.require("destination");
      const auto kn = m.require("cadres");
      if (!on || !dn || !kn) continue;
      const auto o = country_index(*on);
      const auto d = country_index(*dn);
      if (!o || !d) continue;
      if (*o == *d) {
        dn->error("a corridor's destination must differ from its origin");
        continue;
      }
      if (refused_as_origin(*on, md.countries[*o])) continue;
      const std::string pair = md.countries[*o].iso3 + "-" + md.countries[*d].iso3;
      const auto dup =
          std::find_if(seen.begin(), seen.end(), [&](auto& s) { return s.first == pair; });
      if (dup != seen.end()) {
        item.error(
            fmt::format("duplicate corridor {} (first declared at line {})", pair, dup->second),
            {"declare each origin-destination pair once and list its cadres under it"});
        continue;
      }
      seen.emplace_back(pair, item.where().line);
      auto cadres = kn->to_entries();
      if (!cadres) continue;
      if (cadres->empty()) kn->error("expected at least one cadre");
      for (auto& [id, value] : *cadres) {
        // Parameter paths name corridors by their pair: corridors.KEN-GBR.nurses.<key>.
        node_ref v(value.node(), "corridors." + pair + "." + id, value.file(), value.diags());
        const auto it = std::find(cadre_ids.begin(), cadre_ids.end(), id);
        if (it == cadre_ids.end() && is_invalid_cadre(id)) continue;
        if (it == cadre_ids.end()) {
          v.error(fmt::format("'{}' is not a declared cadre", id),
                  {"declared cadres: " + engine::join_list(cadre_ids)},
                  engine::closest_match(id, cadre_ids).value_or(""));
          continue;
        }
        const auto k = static_cast<std::size_t>(it - cadre_ids.begin());
        bool present = true;
        for (std::size_t c : {*o, *d})
          if (!md.countries[c].rest_of_world && !md.countries[c].find(k)) {
            present = false;
            const bool written =
                std::find(declared_.begin(), declared_.end(),
                          std::pair<std::size_t, std::size_t>(c, k)) != declared_.end();
            if (written) continue;  // its own errors were reported
            v.error(fmt::format("country {} has no {} declared", md.countries[c].iso3, id),
                    {fmt::format("add countries.{}.cadres.{}, or remove this corridor cadre",
                                 md.countries[c].iso3, id)});
          }
        map_view cm(v, yaml_keys("corridor_cadre"));
        if (!cm.is_map() || !present) continue;
        corridor_desc cd{};
        cd.origin = *o;
        cd.destination = *d;
        cd.cadre = k;
        cd.where = v.where();
        const bool row = md.countries[*d].rest_of_world;
        input_fields field{cm, corridor_fields(), md.params, corridor_series_keys(row), cd.series};
        if (const auto stock = read_stock(cm, "migrant_stock", corridor_fields(), md))
          cd.migrant_stock = *stock;
        else
          field.ok = false;
        field("emigration_rate", cd.emigration_rate);
        field("return_rate", cd.return_rate);
        field("active_recruitment_share", cd.active_recruitment_share);
        const bool rates = read_migrant_rates(cm, md.countries[*d], md.cadres[k], cd, md.params);
        if (field.ok && rates) md.corridors.push_back(cd);
      }
    }
  }

  /// A rest-of-world entry is never a corridor's origin: reports it at `origin` and says so.
  static bool refused_as_origin(const node_ref& origin, const country_desc& c) {
    if (!c.rest_of_world) return false;
    origin.error(fmt::format("{} is a rest-of-world entry: it can only be a destination", c.iso3),
                 {"a rest-of-world entry has no workforce to send migrants from"});
    return true;
  }

  /// The migrants' own exit_rate and retirement_rate: required on a corridor to a
  /// rest-of-world destination, refused on others (the destination's rates apply).
  static bool read_migrant_rates(const map_view& cm, const country_desc& destination,
                                 const cadre_desc& cadre, corridor_desc& cd,
                                 parameter_table& table) {
    if (destination.rest_of_world && !cadre.age_bands.empty())
      return read_aged_migrant_rates(cm, destination, cadre, cd, table);
    bool ok = true;
    for (const char* key : {"exit_rate", "retirement_rate"}) {
      auto& out = std::string_view(key) == "exit_rate" ? cd.exit_rate : cd.retirement_rate;
      if (!destination.rest_of_world) {
        if (auto n = cm.get(key)) {
          n->error(
              fmt::format("{} is given only on a corridor to a rest-of-world destination", key),
              {fmt::format("the migrants in {} leave at its own {} (countries.{}.cadres)",
                           destination.iso3, key, destination.iso3)});
          ok = false;
        }
        continue;
      }
      if (!cm.get(key)) {
        cm.report_missing(key, {fmt::format("a corridor to the rest-of-world entry {} carries "
                                            "the migrants' own {} (1/year)",
                                            destination.iso3, key)});
        ok = false;
      } else if (auto i = read_input_field(cm, *find_field(corridor_fields(), key), table,
                                           corridor_series_keys(true), cd.series)) {
        out = *i;
      } else {
        ok = false;
      }
    }
    return ok;
  }

  /// The same with age bands (docs/model.md, 15.7): exit_rate is one number or one per band,
  /// and the migrants retire by ageing out of the last band, so retirement_rate is refused.
  static bool read_aged_migrant_rates(const map_view& cm, const country_desc& destination,
                                      const cadre_desc& cadre, corridor_desc& cd,
                                      parameter_table& table) {
    bool ok = true;
    const auto& last = cadre.age_bands.back();
    if (const auto n = cm.get("retirement_rate")) {
      n->error(fmt::format("retirement_rate is not given for {}, which has age_bands: migrants "
                           "retire by ageing out of the last band, [{}, {})",
                           cadre.id, last.from, last.to),
               {"remove retirement_rate from this corridor"});
      ok = false;
    }
    const auto& field = *find_field(corridor_fields(), "exit_rate");
    const auto n = cm.get("exit_rate");
    if (!n) {
      cm.report_missing("exit_rate",
                        {fmt::format("a corridor to the rest-of-world entry {} carries the "
                                     "migrants' own exit_rate (1/year; one number or one per "
                                     "age band)",
                                     destination.iso3)});
      return false;
    }
    if (n->node().IsSequence()) {
      auto v = read_band_values(*n, cadre.age_bands.size(), field.unit, field.range, table);
      if (!v) return false;
      cd.band_exit_rates = std::move(*v);
    } else if (is_series(*n)) {
      n->error("with age_bands, exit_rate is one number or a list of one per band, not a series");
      return false;
    } else if (auto i = read_field(cm, field, table)) {
      cd.band_exit_rates.assign(cadre.age_bands.size(), *i);
    } else {
      return false;
    }
    cd.exit_rate = cd.band_exit_rates.front();
    return ok;
  }

  const engine::yaml_file& file_;
  diagnostic_list& diags_;
  /// (country, cadre) pairs written in the file, valid or not: a corridor naming one whose
  /// values had errors is skipped quietly instead of repeating those errors.
  std::vector<std::pair<std::size_t, std::size_t>> declared_;
  /// Cadres written in the file whose own values had errors.
  std::vector<std::string> invalid_cadres_;
  bool is_invalid_cadre(const std::string& id) const {
    return std::find(invalid_cadres_.begin(), invalid_cadres_.end(), id) != invalid_cadres_.end();
  }
};

}  // namespace

namespace detail {

/// The value of `key` (parameter `index`), or its series' largest value.
double largest(const parameter_table& p, const std::vector<input_series>& series,
               std::string_view key, std::size_t index) {
  const auto* s = find_series(series, key);
  return s ? largest_value(*s, p) : p[index].value;
}

fastest_rate find_fastest_rate(const model_description& md) {
  fastest_rate best;
  const auto& p = md.params;
  const auto consider = [&](double r, std::string what) {
    if (r > best.rate) best = {r, std::move(what)};
  };
  for (const auto& c : md.countries)
    for (const auto& cc : c.cadres) {
      const std::string where = c.iso3 + "." + md.cadres[cc.cadre].id;
      consider(cc.stages / p[cc.training_years].value,
               fmt::format("training stage drain of {} (stages / training_years)", where));
      const auto& bands = md.cadres[cc.cadre].age_bands;
      double out = 0;
      if (cc.ages) {  // the fastest band: its exit rate and its ageing out
        for (std::size_t b = 0; b < bands.size(); ++b)
          out = std::max(out, p[cc.ages->exit_rates[b]].value + 1 / (bands[b].to - bands[b].from));
      } else {
        out = largest(p, cc.series, "exit_rate", cc.exit_rate) +
              largest(p, cc.series, "retirement_rate", cc.retirement_rate);
      }
      double emigration = 0;
      for (const auto& e : md.corridors)
        if (e.origin == static_cast<std::size_t>(&c - md.countries.data()) && e.cadre == cc.cadre)
          emigration += largest(p, e.series, "emigration_rate", e.emigration_rate);
      if (cc.ages) {  // the band that emigrates most
        double factor = 0;
        for (std::size_t f : cc.ages->emigration_factors) factor = std::max(factor, p[f].value);
        emigration *= factor;
      }
      consider(out + emigration,
               fmt::format("outflow of workers in {} (exit + retirement + emigration)", where));
      if (const auto& lm = cc.labour)
        consider(1 / p[lm->hire_years].value + p[lm->unemployed_exit_rate].value +
                     p[lm->unemployed_emigration_factor].value * emigration,
                 fmt::format("outflow of the unemployed in {} (1 / hire_years + "
                             "unemployed_exit_rate + emigration)",
                             where));
    }
  for (const auto& e : md.corridors) {
    const auto* dc = md.countries[e.destination].find(e.cadre);
    const auto& bands = md.cadres[e.cadre].age_bands;
    double out = 0;
    if (!bands.empty()) {  // the destination's (or the corridor's own) rates by band
      for (std::size_t b = 0; b < bands.size(); ++b)
        out = std::max(out, p[dc ? dc->ages->exit_rates[b] : e.band_exit_rates[b]].value +
                                1 / (bands[b].to - bands[b].from));
    } else {
      const std::size_t exit = dc ? dc->exit_rate : *e.exit_rate;
      const std::size_t retirement = dc ? dc->retirement_rate : *e.retirement_rate;
      const auto& rate_series = dc ? dc->series : e.series;  // a rest-of-world corridor's own
      out = largest(p, rate_series, "exit_rate", exit) +
            largest(p, rate_series, "retirement_rate", retirement);
    }
    consider(largest(p, e.series, "return_rate", e.return_rate) + out,
             fmt::format("outflow of migrants on {}-{} {} (return + exit + retirement)",
                         md.countries[e.origin].iso3, md.countries[e.destination].iso3,
                         md.cadres[e.cadre].id));
  }
  return best;
}

void check_consistency(const model_description& md, diagnostic_list& diags) {
  const auto& p = md.params;
  for (std::size_t ci = 0; ci < md.countries.size(); ++ci) {
    const auto& c = md.countries[ci];
    for (const auto& cc : c.cadres) {
      // Shares by band sum to 1 (checked as read; again here after `set:` overrides).
      for (const auto* shares :
           {cc.ages ? &cc.ages->entry_shares : nullptr, cc.ages ? &cc.ages->age_shares : nullptr}) {
        if (!shares || shares->empty()) continue;
        auto problem = shares_problem(*shares, p);
        if (problem.empty()) continue;
        const auto& first = p[shares->front()];
        diags.add({first.where,
                   first.path.substr(0, first.path.rfind('[')),
                   std::move(problem),
                   {"a share changed by `set:` must be balanced by the others"},
                   ""});
      }
      if (p[cc.demand_elasticity].value == 0) continue;
      double supply = p[cc.workforce].value;
      for (const auto& e : md.corridors)
        if (e.destination == ci && e.cadre == cc.cadre) supply += p[e.migrant_stock].value;
      const auto* need_series = find_series(cc.series, "need_density");
      const double need =
          need_series ? value_at(*need_series, p, md.start_year) : p[cc.need_density].value;
      if (supply <= 0 || need <= 0) {
        const auto& beta = p[cc.demand_elasticity];
        diags.add({beta.where,
                   beta.path,
                   "demand_elasticity > 0 needs a positive starting supply and need_density",
                   {"the pull is (need/supply) relative to its start value; set "
                    "demand_elasticity: 0 or give workforce/migrant_stock and need_density"},
                   ""});
      }
    }
  }
}

}  // namespace detail

namespace {
model_description read_model(const engine::yaml_file& file) {
  diagnostic_list diags;
  model_reader reader(file, diags);
  auto md = reader.read();
  if (diags.empty()) check_consistency(md, diags);
  diags.throw_if_any();
  return md;
}
}  // namespace

model_description load_model(const std::filesystem::path& path, const std::string& display_name) {
  return read_model(engine::load_yaml_file(path, display_name));
}

model_description parse_model(std::string text, const std::string& display_name) {
  return read_model(engine::parse_yaml(std::move(text), display_name));
}

}  // namespace hwf::model
