#pragma once
// Sensitivity studies of a scenario (docs/sensitivity.md): its `uncertainty` inputs as the
// factors of a design, the outputs chosen by pattern, and runs at any point of the unit cube.
// The designs and estimators are the engine's (engine/sensitivity.hpp).

#include <span>
#include <string>
#include <utility>
#include <vector>

#include "engine/sensitivity.hpp"
#include "models/workforce/monte_carlo.hpp"

namespace hwf::model {

/// One input of a sensitivity study: a factor of the design. A `parameters` entry drawn once
/// for all its matches (`shared: true`) is one input, labelled by its pattern; an entry drawn
/// per match is one input per matched parameter, labelled by its path; a multivariate-normal
/// group is one input (its coordinates vary together), labelled by its `source`.
struct sensitivity_input {
  std::string label;
  std::string kind;                     ///< "parameter", "shared" or "group"
  std::vector<std::string> parameters;  ///< the parameter paths it sets
  std::string distribution;             ///< e.g. "uniform(0.9, 1.1), multiply"
  std::vector<std::size_t> dimensions;  ///< its sampled dimensions (study.dimensions)
};

/// The inputs of a one-scenario study, in the order of its sampled dimensions. Throws
/// engine::input_error at the entry when an input has zero width (a discrete distribution
/// with one value): it could not move any output.
std::vector<sensitivity_input> sensitivity_inputs(const mc_study& study);

/// The design's factors: one per input, with its dimensions and label.
std::vector<engine::sensitivity_factor> factors_of(const std::vector<sensitivity_input>& inputs);

/// One output of a sensitivity study: one value of a run's indicator or corridor table.
struct sensitivity_output {
  std::string name;   ///< PLACE.CADRE.INDICATOR.YEAR, e.g. "NGA.nurses.density_per_10k.2035"
  std::string table;  ///< "indicators" or "corridors"
  std::string place;  ///< a country (ISO3) or a corridor (ORIGIN-DESTINATION)
  std::string cadre;  ///< a cadre or "all"
  std::string indicator;
  int year = 0;
  std::size_t cell = 0;  ///< among the study's cells (mc_study::cells)
};

/// The outputs the patterns match, each once, in table, series and year order. A pattern is
/// PLACE.CADRE.INDICATOR.YEAR, each segment a name or '*' (any), e.g. "*.all.shortage.2035" or
/// "GHA-GBR.nurses.emigration.*". Throws engine::setting_error (setting::sensitivity_outputs)
/// for a pattern that is not four segments or matches nothing: it names the segment that
/// matches nothing, with the closest name, or says which combination exists.
std::vector<sensitivity_output> select_outputs(const mc_study& study,
                                               const std::vector<std::string>& patterns);

/// The patterns used when none is given: density per 10,000 and shortage of every country,
/// all cadres, at the horizon's last year.
std::vector<std::string> default_output_patterns(const mc_study& study);

/// Morris points include the cube's faces: the probability range [low, high] a dimension's
/// grid [0, 1] maps to. [0, 1] where the dimension's distribution is bounded on both sides;
/// an unbounded side (a normal's, a lognormal's upper one, a multivariate-normal group's) ends
/// at morris_tail (or 1 - morris_tail) instead of an infinite quantile.
inline constexpr double morris_tail = 0.005;
std::vector<std::pair<double, double>> morris_ranges(const mc_study& study);

}  // namespace hwf::model
