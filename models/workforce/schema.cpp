#include "models/workforce/schema.hpp"

#include <array>

#include <fmt/format.h>

#include "models/workforce/levers/lever.hpp"

namespace hwf::model {

namespace {

constexpr double inf = 1e300;  // "no upper bound" in value_range (finite, so ranges print)
constexpr value_range share{0, 1};
constexpr value_range rate{0, 1};
constexpr value_range non_negative{0, inf};

const std::array cadre_table{
    numeric_field{"training_years",
                  "years",
                  {0, 20, true},
                  std::nullopt,
                  "Duration D of pre-service training."},
    numeric_field{"completion",
                  "share",
                  {0, 1, true},
                  std::nullopt,
                  "Share of entrants to training who graduate."},
    numeric_field{"stages",
                  "count",
                  {1, 50, false, true},
                  std::nullopt,
                  "Pipeline stages n; if absent: training_years rounded, at least 1. Fixes the "
                  "state layout, so it is not a run parameter.",
                  true},
};

const std::array country_table{
    numeric_field{"population",
                  "persons",
                  {0, 1e11, true},
                  std::nullopt,
                  "Population at the start year; required unless population_series is given.",
                  true},
    numeric_field{"population_growth",
                  "1/year",
                  {-0.2, 0.2},
                  0.0,
                  "Exponential growth rate g: P(t) = population * exp(g (t - t0)); with "
                  "population_series, the growth after its last year."},
    numeric_field{"code_compliance",
                  "share",
                  {0, 0.9},
                  0.0,
                  "kappa0_d: the WHO Code compliance already in the dataset's measured rates of "
                  "the corridors into this country (its own red list, say); a who_code policy "
                  "on it replaces it (docs/model.md, 7.4)."},
};

const std::array country_cadre_table{
    numeric_field{"workforce", "persons", non_negative, std::nullopt,
                  "W: workers trained in the country and practising there at the start year "
                  "(a series gives one value per start year, docs/model.md 15.8)."},
    numeric_field{"seats", "persons/year", non_negative, std::nullopt,
                  "Training seats (intake capacity) at the start year."},
    numeric_field{"seat_growth", "1/year", {-0.5, 0.5}, 0.0, "Exponential growth rate of seats."},
    numeric_field{"fill", "share", {0, 2}, 1.0, "Share of seats filled (intake = seats * fill)."},
    numeric_field{"entry_rate", "share", share, 1.0,
                  "Share of graduates who enter practice at home (the rest leak out)."},
    numeric_field{"exit_rate", "1/year", rate, std::nullopt,
                  "Exits from practice other than retirement and emigration. With age bands: one "
                  "number or a list of one per band, not a series (docs/model.md, 15.7)."},
    numeric_field{"retirement_rate", "1/year", rate, std::nullopt,
                  "Retirement from practice. Not given for a cadre with age bands: retirement is "
                  "then ageing out of the last band.",
                  false, "required without age bands, else not allowed"},
    numeric_field{"need_density", "per 10,000 people", non_negative, std::nullopt,
                  "Needs-based requirement: workers needed per 10,000 people."},
    numeric_field{"salary", "USD/year", non_negative, std::nullopt,
                  "Annual salary (constant USD); prices retention incentives."},
    numeric_field{"cost_per_student_year", "USD/year", non_negative, std::nullopt,
                  "Cost of one student for one year of training (constant USD)."},
    numeric_field{"demand_elasticity",
                  "dimensionless",
                  {0, 10},
                  0.0,
                  "beta: elasticity of the pull this country exerts as a destination; 0 turns "
                  "the feedback off."},
    numeric_field{"practising_share",
                  "share",
                  {0, 1, true},
                  1.0,
                  "Share of the country's registered workers (those abroad aside) who practise: "
                  "converts a registered workforce, divides supply in `registered`."},
    numeric_field{"abroad_registered_share", "share", share, 0.0,
                  "Share of the workers abroad still on this country's register."},
    numeric_field{"unlisted_inflow", "persons/year", non_negative, 0.0,
                  "Workers arriving from origins the dataset does not list (no corridor), times "
                  "the country's pull; they join W, or U where posts are given (docs/model.md, "
                  "15.9)."},
    numeric_field{"posts", "persons", non_negative, std::nullopt,
                  "Funded posts at the start year. Given, graduates and returnees wait in the "
                  "unemployed stock U until hired into a vacancy (docs/model.md, 15.5).",
                  true},
    numeric_field{"post_growth",
                  "1/year",
                  {-0.5, 0.5},
                  0.0,
                  "Exponential growth rate of posts; read only where posts is given."},
    numeric_field{"unemployed", "persons", non_negative, 0.0,
                  "U: qualified workers without a post at the start year; only with posts."},
    numeric_field{"hire_years",
                  "years",
                  {0, 20, true},
                  0.25,
                  "Mean time to fill a vacancy: hiring is min(U, vacancies) / hire_years; only "
                  "with posts."},
    numeric_field{"unemployed_exit_rate", "1/year", rate, 0.1,
                  "Yearly share of the unemployed who leave the profession; only with posts."},
    numeric_field{"unemployed_emigration_factor",
                  "dimensionless",
                  {0, 10},
                  1.0,
                  "Emigration per unemployed worker relative to an employed one; only with "
                  "posts."},
    numeric_field{"training_years",
                  "years",
                  {0, 20, true},
                  std::nullopt,
                  "Overrides the cadre's training_years in this country.",
                  true},
    numeric_field{"completion",
                  "share",
                  {0, 1, true},
                  std::nullopt,
                  "Overrides the cadre's completion in this country.",
                  true},
};

const std::array corridor_table{
    numeric_field{"migrant_stock", "persons", non_negative, std::nullopt,
                  "M: workers trained in the origin practising in the destination at the start."},
    numeric_field{"emigration_rate", "1/year", rate, std::nullopt,
                  "m0: yearly emigration along this corridor per worker in the origin."},
    numeric_field{"return_rate", "1/year", rate, std::nullopt,
                  "r: yearly return to the origin per migrant."},
    numeric_field{"active_recruitment_share", "share", share, std::nullopt,
                  "a: share of this corridor's migration driven by active recruitment."},
    numeric_field{"exit_rate", "1/year", rate, std::nullopt,
                  "The migrants' exits other than retirement and return: required on a corridor "
                  "to a rest-of-world destination, not allowed on others (the destination's "
                  "exit_rate applies). With age bands, one number or one per band.",
                  true, "required to a rest-of-world entry, else not allowed"},
    numeric_field{"retirement_rate", "1/year", rate, std::nullopt,
                  "The migrants' retirement: required on a corridor to a rest-of-world "
                  "destination, not allowed on others (the destination's retirement_rate "
                  "applies). With age bands, migrants retire by ageing out of the last band: not "
                  "allowed.",
                  true, "required to a rest-of-world entry without age bands, else not allowed"},
};

const std::array policy_timing_table{
    numeric_field{"start",
                  "year",
                  {1800, 2300},
                  std::nullopt,
                  "Calendar year the lever starts (its ramp begins)."},
    numeric_field{"end",
                  "year",
                  {1800, 2300},
                  std::nullopt,
                  "Calendar year the lever stops (strength 0 from then on); must be after start.",
                  true},
    numeric_field{"ramp_years",
                  "years",
                  {0, 100},
                  0.0,
                  "Years over which the strength rises linearly from 0 to 1 (0: a step)."},
};

}  // namespace

std::span<const numeric_field> policy_timing_fields() {
  return policy_timing_table;
}

std::span<const numeric_field> cadre_fields() {
  return cadre_table;
}
std::span<const numeric_field> country_fields() {
  return country_table;
}
std::span<const numeric_field> country_cadre_fields() {
  return country_cadre_table;
}
std::span<const numeric_field> corridor_fields() {
  return corridor_table;
}

const numeric_field* find_field(std::span<const numeric_field> table, std::string_view key) {
  for (const auto& f : table)
    if (f.key == key) return &f;
  return nullptr;
}

std::vector<std::string> keys_of(std::span<const numeric_field> table) {
  std::vector<std::string> out;
  for (const auto& f : table) out.emplace_back(f.key);
  return out;
}

std::string schema_markdown() {
  std::string out;
  const auto section = [&](std::string_view title, std::span<const numeric_field> table) {
    out += fmt::format(
        "### {}\n\n| key | unit | range | default | meaning |\n|---|---|---|---|---|\n", title);
    for (const auto& f : table) {
      const std::string range =
          f.range.max >= inf ? fmt::format("{}{}, ∞)", f.range.min_open ? "(" : "[", f.range.min)
                             : f.range.describe().substr(3);
      out += fmt::format("| `{}` | {} | {} | {} | {} |\n", f.key, f.unit, range,
                         f.default_value             ? fmt::format("{}", *f.default_value)
                         : !f.required_where.empty() ? std::string(f.required_where)
                         : f.optional                ? std::string("optional")
                                                     : std::string("required"),
                         f.doc);
    }
    out += '\n';
  };
  section("`cadres.<cadre>`", cadre_table);
  section("`countries.<ISO3>`", country_table);
  section("`countries.<ISO3>.cadres.<cadre>`", country_cadre_table);
  section("`corridors[i].cadres.<cadre>`", corridor_table);
  section("`policies[i]`: every lever", policy_timing_table);
  for (const auto* lever : lever_registry::builtin().types())
    section(fmt::format("`policies[i]` with `type: {}`{}", lever->name(), lever->schema_note()),
            lever->fields());
  return out;
}

}  // namespace hwf::model
