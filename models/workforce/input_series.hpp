#pragma once
// Time-varying inputs (docs/model.md, section 15.1): a rate or level of a country-cadre or a
// corridor cadre given as (year, value) points, linear or step. The loader reads them into the
// description; each run turns them into input_profiles, evaluated without allocation.

#include <cstddef>
#include <span>
#include <string_view>
#include <utility>
#include <vector>

#include "engine/yaml_input.hpp"
#include "models/workforce/description.hpp"
#include "models/workforce/schema.hpp"

namespace hwf::model {

/// The keys whose series the model evaluates, per block (country-cadre) or corridor.
enum class series_target {
  seats,
  fill,
  exit_rate,
  retirement_rate,
  need_density,
  posts,
  emigration_rate,
  return_rate,
  migrant_exit_rate,        ///< a corridor's own, to a rest-of-world destination (eq. B2)
  migrant_retirement_rate,  ///< likewise
  unlisted_inflow           ///< a country-cadre's arrivals from unlisted origins (eq. H1)
};

/// Keys of a country-cadre that may be a series (docs/yaml-reference.md, "Series").
std::span<const std::string_view> country_cadre_series_keys();
/// Keys of a corridor cadre that may be a series; a corridor to a rest-of-world destination
/// adds its migrants' own exit_rate and retirement_rate.
std::span<const std::string_view> corridor_series_keys(bool to_rest_of_world = false);
/// The target of a series key (one of the lists above) on a country-cadre or a corridor.
series_target target_of(std::string_view key, bool on_corridor);

/// One run's view of a series: knot times and values, constant beyond the ends.
class input_profile {
 public:
  input_profile(std::span<const std::pair<double, std::size_t>> points, bool step,
                std::span<const double> params);
  /// The value at t; a step series takes the value of the knot at t (right-continuous).
  double at(double t) const;
  /// The piece holding `t` (0: before the first knot; i: from knot i-1 to knot i).
  std::size_t piece_at(double t) const;
  /// The value at t inside piece `piece` (the one-sided limit at the piece's ends).
  double at(std::size_t piece, double t) const;
  void add_breakpoints(std::vector<double>& out) const;

 private:
  std::vector<double> times_, values_;
  bool step_;
};

/// The largest value of a series (load-time step checks).
double largest_value(const input_series& s, const parameter_table& table);
/// The value of a series at time t with the table's values (load-time checks at the start year).
double value_at(const input_series& s, const parameter_table& table, double t);

/// The series of `key` in `series`, or nullptr.
const input_series* find_series(const std::vector<input_series>& series, std::string_view key);

namespace detail {

/// Whether `n` is written as a series (a mapping with a `series` key).
bool is_series(const engine::node_ref& n);

/// Reads `field` from `m` like read_field, also accepting `{series: {year: value, ...},
/// interpolation: linear|step, source, flag, note}` where `series_keys` allows it (appending to
/// `out`; the returned index is the first point's). A series beside the key's growth key
/// (seats and seat_growth) is an error; a series on any other key is refused with the reason.
std::optional<std::size_t> read_input_field(const engine::map_view& m, const numeric_field& field,
                                            parameter_table& table,
                                            std::span<const std::string_view> series_keys,
                                            std::vector<input_series>& out);

/// Reads `{year: value, ...}` points (each a plain number or `{value, source, flag, note}`)
/// into `table`, in increasing year order; `defaults` gives the source, flag and note of a
/// point written as a plain number.
void read_points(const engine::node_ref& n, std::string_view unit, const value_range& range,
                 parameter_table& table, std::vector<population_point>& out,
                 const parameter* defaults = nullptr);

}  // namespace detail

}  // namespace hwf::model
