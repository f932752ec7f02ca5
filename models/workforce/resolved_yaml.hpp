#pragma once
// The fully resolved scenario (after `extends`, policy merging and `set:`) as YAML, each value
// with a comment naming the file and line it came from: what `hwfsim run` will actually run.

#include <string>

#include "models/workforce/description.hpp"

namespace hwf::model {

/// YAML text that loads back as an equivalent scenario (modulo the `extends` chain, which is
/// flattened, and the `set:` block, which lists every overridden parameter).
std::string resolved_yaml(const scenario_description& s);

}  // namespace hwf::model
