#pragma once
// The structure of model datasets and scenarios: every mapping's keys, each key's shape (number
// with unit and range, integer, text, choice, list, map), required keys and descriptions. The
// loaders take their valid keys and choices from it; `hwfsim schema --json-schema` writes it as
// JSON Schemas (docs/schema/) for editors.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "models/workforce/params.hpp"
#include "models/workforce/schema.hpp"

namespace hwf::model {

/// The shape of one YAML value, as the loaders read it.
struct yaml_shape {
  enum class kind {
    number,    ///< a plain number in `range` (unit `unit`)
    quantity,  ///< a number in `range` or {value, source, flag, note}; with `series`, also a
               ///< series ({series: {year: value}, ...})
    integer,   ///< a whole number in [range.min, range.max]
    text,      ///< a string
    boolean,   ///< true or false
    choice,    ///< one of `values`
    list,      ///< a list of `of[0]`, with min_items..max_items items (max 0: no limit)
    map,       ///< a mapping from keys matching `key_pattern` to `of[0]`
    object,    ///< the mapping named `object` (yaml_object_named)
    one_of,    ///< one of the shapes in `of`
    anything,  ///< free-form: the loader keeps it without reading it (citations)
  };
  kind what = kind::anything;
  std::string unit;
  value_range range{0, 0};
  bool series = false;
  std::string series_object = "series";  ///< quantity with `series`: the series' mapping
  bool fraction = false;                 ///< a number may also be written as a fraction "1/12"
  std::vector<std::string> values;
  std::string key_pattern;  ///< ECMA-262 regular expression, anchored
  std::string key_doc;      ///< what a key of a map is, e.g. "ISO3 code"
  std::string object;       ///< object: its name; quantity: the mapping of a value with provenance
  std::vector<yaml_shape> of;
  std::size_t min_items = 0, max_items = 0;
};

/// One key of a mapping: its shape, whether it must be given, what it means.
struct yaml_key {
  std::string key;
  yaml_shape shape;
  std::string doc;
  bool required = false;
  std::optional<double> default_value = {};  ///< the value used when the key is absent
};

/// A mapping whose keys the loader checks: unknown keys are errors.
struct yaml_object {
  std::string name;  ///< e.g. "country_cadre"
  std::string doc;   ///< where it stands, e.g. "countries.<ISO3>.cadres.<cadre>"
  std::vector<yaml_key> keys;
};

class lever_type;

/// The keys of a policy of lever type `type`: name, type, its target keys, the timing keys
/// (policy_timing_fields) and its numeric keys, in that order.
std::vector<yaml_key> policy_keys(const lever_type& type);

/// Every mapping of model datasets and scenarios, the two roots ("model", "scenario") first.
/// Built once from the numeric tables (schema.hpp), the lever types' tables and the engine's
/// names (solver methods, distributions); immutable afterwards.
const std::vector<yaml_object>& yaml_objects();

/// The object named `name`. Throws engine::internal_error for a name not in yaml_objects().
const yaml_object& yaml_object_named(std::string_view name);

/// The keys of object `name` in table order: what map_view accepts there.
std::vector<std::string> yaml_keys(std::string_view name);

/// The values allowed at `key` of object `name` (a choice, or a list of choices). Throws
/// engine::internal_error if that key is not a choice.
const std::vector<std::string>& yaml_choices(std::string_view name, std::string_view key);

/// The files described by a root object: model datasets ("model") and scenarios ("scenario").
inline constexpr std::string_view yaml_roots[] = {"model", "scenario"};

/// The JSON Schema (draft 2020-12) of files whose root is the object `root` (one of yaml_roots),
/// as indented JSON text ending in a newline: every mapping closed to unknown keys, numbers with
/// their ranges, choices as enums, maps keyed by patterns (ISO3 codes, cadre ids, years),
/// descriptions with units, ranges and defaults, and the shared mappings under `$defs`. Throws
/// engine::internal_error for another root.
std::string json_schema(std::string_view root);

}  // namespace hwf::model
