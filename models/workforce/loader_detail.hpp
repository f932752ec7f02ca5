#pragma once
// Pieces shared by the model-dataset loader (loader.cpp) and the scenario loader
// (scenario_loader.cpp). Not part of the public interface.

#include <filesystem>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/yaml_input.hpp"
#include "models/workforce/description.hpp"
#include "models/workforce/schema.hpp"

namespace hwf::model::detail {

std::vector<std::string> strings(std::initializer_list<const char*> keys);

/// Reads a data file that is neither a dataset nor a scenario (observed counts, published
/// projections): its YAML, and into `info` its display name and SHA-256.
engine::yaml_file read_data_file(const std::filesystem::path& path, input_file& info);

/// Reads a number written plainly or as `{value, source, flag, note}`; checks `range` and
/// reports problems at the node. The parameter's path is the node's path. With `stock_concept`, the
/// mapping may also say `concept: practising|registered` (stored there); without, a `concept`
/// is reported as not allowed at this key (docs/model.md, 15.3). `caller_keys` are further keys
/// the mapping may have, which the caller reads itself (an observed value's `fit`).
std::optional<parameter> read_value(const engine::node_ref& n, std::string_view unit,
                                    const value_range& range, bool allow_fraction = false,
                                    std::optional<std::string>* stock_concept = nullptr,
                                    const std::vector<std::string>& caller_keys = {});

/// Reads `source`, `flag` and `note` of a value's mapping into `p`.
void read_evidence(const engine::map_view& m, parameter& p);

/// Reads `field` from mapping `m` into `table` (default or "missing required key" when
/// absent); returns the parameter index.
std::optional<std::size_t> read_field(const engine::map_view& m, const numeric_field& field,
                                      parameter_table& table);

/// Reports (and returns false) when `count` exceeds `limit`.
bool within_limit(const engine::node_ref& n, std::size_t count, std::size_t limit,
                  std::string_view what);

/// What is wrong with a name, or "" if nothing: checked character by character after its
/// length (never with std::regex, whose matcher recurses once per character and overflows the
/// stack on a name of some ten thousand characters). The first character must pass `first`,
/// the others `rest`; at most `max_size` bytes.
std::string name_problem(std::string_view name, std::size_t max_size, bool (*first)(char),
                         bool (*rest)(char));

/// Fastest outflow rate per unit stock at the start (1/year), and what it is, for step checks.
struct fastest_rate {
  double rate = 0;
  std::string what;
};
fastest_rate find_fastest_rate(const model_description& md);

/// Checks that need the whole description (run again after `set:` overrides): the pull
/// feedback needs a positive starting need and supply wherever it is switched on.
void check_consistency(const model_description& md, engine::diagnostic_list& diags);

}  // namespace hwf::model::detail
