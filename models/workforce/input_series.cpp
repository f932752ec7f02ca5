// Time-varying inputs: reading series from a dataset and evaluating them in a run
// (docs/model.md, section 15.1; docs/yaml-reference.md, "Series").

#include "models/workforce/input_series.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <utility>

#include <fmt/format.h>

#include "models/workforce/loader_detail.hpp"
#include "models/workforce/yaml_schema.hpp"

namespace hwf::model {

namespace {

constexpr std::array<std::string_view, 7> cc_keys{
    "seats", "fill", "exit_rate", "retirement_rate", "need_density", "posts", "unlisted_inflow"};
constexpr std::array<std::string_view, 2> corridor_keys{"emigration_rate", "return_rate"};
constexpr std::array<std::string_view, 4> rest_of_world_corridor_keys{
    "emigration_rate", "return_rate", "exit_rate", "retirement_rate"};

/// Why a key cannot be a series (docs/yaml-reference.md, "Series").
constexpr std::array<std::pair<std::string_view, std::string_view>, 11> refused{{
    {"training_years", "it fixes the pipeline's stages and how fast they drain"},
    {"completion",
     "it sets every stage's dropout share, the pipeline's start and the cost per graduate"},
    {"demand_elasticity", "the pull is taken relative to need over supply at the start year"},
    {"entry_rate", "entrants and leakage are counted from cumulative graduates times entry_rate"},
    {"cost_per_student_year", "training costs are priced from cumulative student-years"},
    {"active_recruitment_share", "the WHO Code lever reads it once per run"},
    {"seat_growth", "a series of seats replaces it"},
    {"post_growth", "a series of posts replaces it"},
    {"population_growth", "it is one rate; give the path as population_series, which it continues"},
    {"population", "write a population path as population_series: {year: persons}"},
    {"salary", "it prices retention, which is paid at its value at the start year"},
}};

std::string_view refusal(std::string_view key) {
  for (const auto& [k, why] : refused)
    if (k == key) return why;
  return "it is not an input that changes over time";
}

std::optional<int> parse_year(const std::string& text) {
  int year = 0;
  const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), year);
  if (ec != std::errc() || ptr != text.data() + text.size() || year < 1800 || year > 2300)
    return std::nullopt;
  return year;
}

/// Reads `interpolation:`; linear when absent. False (reported) for an unknown word.
bool read_interpolation(const engine::map_view& m, bool& step) {
  const auto n = m.get("interpolation");
  if (!n) return true;
  const auto text = n->to_string();
  if (!text) return false;
  const auto& words = yaml_choices("series", "interpolation");
  if (*text == "linear" || *text == "step") {
    step = *text == "step";
    return true;
  }
  n->error(fmt::format("expected one of: {}; found '{}'", engine::join_list(words), *text),
           {"linear: straight lines between the points; step: each value holds until the next "
            "point"},
           engine::closest_match(*text, words).value_or(""));
  return false;
}

}  // namespace

std::span<const std::string_view> country_cadre_series_keys() {
  return cc_keys;
}
std::span<const std::string_view> corridor_series_keys(bool to_rest_of_world) {
  if (to_rest_of_world) return rest_of_world_corridor_keys;
  return corridor_keys;
}

series_target target_of(std::string_view key, bool on_corridor) {
  if (key == "seats") return series_target::seats;
  if (key == "fill") return series_target::fill;
  if (key == "exit_rate")
    return on_corridor ? series_target::migrant_exit_rate : series_target::exit_rate;
  if (key == "retirement_rate")
    return on_corridor ? series_target::migrant_retirement_rate : series_target::retirement_rate;
  if (key == "need_density") return series_target::need_density;
  if (key == "posts") return series_target::posts;
  if (key == "emigration_rate") return series_target::emigration_rate;
  if (key == "return_rate") return series_target::return_rate;
  if (key == "unlisted_inflow") return series_target::unlisted_inflow;
  throw engine::internal_error(fmt::format("'{}' is not a series key", key));
}

input_profile::input_profile(std::span<const std::pair<double, std::size_t>> points, bool step,
                             std::span<const double> params)
    : step_(step) {
  if (points.empty()) throw engine::internal_error("a series without points");
  for (const auto& [year, index] : points) {
    times_.push_back(year);
    values_.push_back(params[index]);
  }
}

std::size_t input_profile::piece_at(double t) const {
  return static_cast<std::size_t>(std::upper_bound(times_.begin(), times_.end(), t) -
                                  times_.begin());
}

double input_profile::at(std::size_t piece, double t) const {
  if (piece == 0) return values_.front();
  if (piece >= times_.size()) return values_.back();
  const double va = values_[piece - 1];
  if (step_) return va;
  const double ta = times_[piece - 1];
  return va + (values_[piece] - va) * (t - ta) / (times_[piece] - ta);
}

double input_profile::at(double t) const {
  return at(piece_at(t), t);
}

void input_profile::add_breakpoints(std::vector<double>& out) const {
  out.insert(out.end(), times_.begin(), times_.end());
}

double largest_value(const input_series& s, const parameter_table& table) {
  double out = table[s.points.front().value].value;
  for (const auto& pt : s.points) out = std::max(out, table[pt.value].value);
  return out;
}

double value_at(const input_series& s, const parameter_table& table, double t) {
  std::vector<std::pair<double, std::size_t>> points;
  for (const auto& pt : s.points) points.emplace_back(pt.year, pt.value);
  const auto values = table.values();
  return input_profile(points, s.step, values).at(t);
}

const input_series* find_series(const std::vector<input_series>& series, std::string_view key) {
  for (const auto& s : series)
    if (s.key == key) return &s;
  return nullptr;
}

namespace detail {

bool is_series(const engine::node_ref& n) {
  return n.is_map() && n.node()["series"].IsDefined();
}

void read_points(const engine::node_ref& n, std::string_view unit, const value_range& range,
                 parameter_table& table, std::vector<population_point>& out,
                 const parameter* defaults) {
  auto points = n.to_entries();
  if (!points) return;
  if (points->empty()) n.error("expected at least one year: value pair");
  if (!within_limit(n, points->size(), input_limits::series_points, "points")) return;
  for (auto& [year_text, v] : *points) {
    const auto year = parse_year(year_text);
    if (!year) {
      v.error(fmt::format("'{}' is not a year", year_text),
              {"expected a whole year in [1800, 2300] as the key"});
      continue;
    }
    if (!out.empty() && *year <= out.back().year) {
      v.error("years must be in increasing order");
      continue;
    }
    auto p = read_value(v, unit, range);
    if (!p) continue;
    if (defaults && !v.is_map()) {
      p->source = defaults->source;
      p->flag = defaults->flag;
      p->note = defaults->note;
    }
    out.push_back({*year, table.add(std::move(*p))});
  }
}

std::optional<std::size_t> read_input_field(const engine::map_view& m, const numeric_field& field,
                                            parameter_table& table,
                                            std::span<const std::string_view> series_keys,
                                            std::vector<input_series>& out) {
  const auto n = m.get(field.key);
  if (!n || !is_series(*n)) return read_field(m, field, table);
  if (std::find(series_keys.begin(), series_keys.end(), field.key) == series_keys.end()) {
    n->error(fmt::format("{} cannot be a series: {}", field.key, refusal(field.key)),
             {series_keys.empty() ? std::string("no key here may be a series")
                                  : "keys here that may be a series: " +
                                        engine::join_list(std::vector<std::string>(
                                            series_keys.begin(), series_keys.end()))});
    return std::nullopt;
  }
  for (const auto& [key, growth] :
       {std::pair<std::string_view, std::string_view>{"seats", "seat_growth"},
        {"posts", "post_growth"}})
    if (field.key == key)
      if (const auto g = m.get(growth)) {
        g->error(fmt::format("{} cannot be given beside a series of {}: the series replaces both",
                             growth, key),
                 {fmt::format("remove {}, or write {} as one number", growth, key)});
        return std::nullopt;
      }
  engine::map_view sm(*n, yaml_keys("series"));
  if (!sm.is_map()) return std::nullopt;
  input_series s;
  s.key = std::string(field.key);
  parameter defaults;
  read_evidence(sm, defaults);
  const bool known = read_interpolation(sm, s.step);
  const std::size_t diagnostics = n->diags().count();
  // Points are named by the key's path and their year: countries.NGA.cadres.doctors.seats.2023.
  if (auto pts = sm.require("series"))
    read_points(engine::node_ref(pts->node(), n->path(), pts->file(), pts->diags()), field.unit,
                field.range, table, s.points, &defaults);
  if (!known || s.points.empty() || n->diags().count() != diagnostics) return std::nullopt;
  const std::size_t first = s.points.front().value;
  out.push_back(std::move(s));
  return first;
}

}  // namespace detail

}  // namespace hwf::model
