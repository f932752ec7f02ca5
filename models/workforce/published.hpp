#pragma once
// Published projections (docs/yaml-reference.md, "Published projections"): a change another
// study projects (a global stock from 2020 to 2030, a national plan's added nurses) set against
// the same change in a compared scenario, summed over the countries and cadres that stand for the
// study's scope (`hwfsim compare --published`, `hwfsim calibrate --published`; a section of
// docs/validation.md is made that way).

#include <filesystem>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "engine/diagnostics.hpp"
#include "models/workforce/compiled_model.hpp"
#include "models/workforce/description.hpp"

namespace hwf::model {

/// How the model's change stands to the published one.
enum class projection_verdict { agree, below, above };
std::string_view to_string(projection_verdict v);

/// One published projection.
struct published_projection {
  std::string name, title, source, flag, counts, explanation;
  std::string indicator;               ///< a stock indicator of the indicators table
  std::vector<std::string> countries;  ///< ISO3 codes summed; empty: every listed country
  std::vector<std::string> cadres;     ///< cadres summed; empty: cadre `all`
  std::string scenario;                ///< the compared scenario's name; empty: the baseline
  int from_year = 0, to_year = 0;
  /// The published figures: levels (`from` and `to`, or `to_low` and `to_high`), compared as a
  /// relative change; or a change in persons (`change`, or `change_low` and `change_high`).
  bool relative = true;
  double from = 0, low = 0, high = 0;  ///< relative: from and the range of `to`; else the change
  double tolerance = 0;                ///< within the range +- tolerance: agree (share or persons)
  projection_verdict expect = projection_verdict::agree;
  engine::source_location where;
  std::string path;  ///< its key path in the file, `projections[i]`
};

struct published_data {
  std::string name, description;
  std::vector<published_projection> projections;
  input_file file;
};

/// Loads a published-projections file, checking its indicators, countries, cadres and years
/// against the compiled model (every year a row of its tables). Throws engine::input_error
/// listing every problem. Scenario names are checked by compare_published.
published_data load_published(const std::filesystem::path& path, const compiled_model& m);

/// Throws engine::input_error listing every projection that names a scenario not in `names`
/// (the compared scenarios' names), with the closest one.
void check_published_scenarios(const published_data& published,
                               const std::vector<std::string>& names);

/// One projection set against a run.
struct projection_comparison {
  const published_projection* projection = nullptr;
  double model_from = 0, model_to = 0;           ///< the summed indicator in the two years
  std::size_t series = 0;                        ///< how many (country, cadre) series were summed
  double published_low = 0, published_high = 0;  ///< the published change (share or persons)
  double model_change = 0;                       ///< the model's, in the same unit
  projection_verdict verdict = projection_verdict::agree;
  bool as_expected() const noexcept { return verdict == projection->expect; }
};

/// Each projection against the run of its scenario. `runs` are (scenario name, run) pairs, the
/// baseline first, all of models with `m`'s layout. Throws engine::input_error at projections
/// whose scenario is not among them (check_published_scenarios), or whose starting value is 0
/// in the model.
std::vector<projection_comparison> compare_published(
    const published_data& published, const compiled_model& m,
    const std::vector<std::pair<std::string, const run_output*>>& runs);

}  // namespace hwf::model
