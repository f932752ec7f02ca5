#pragma once
// What the workshop page (`hwfsim workshop`, docs/workshop.md) lets a room change in a scenario:
// the scenario's `workshop:` block (the parameters and lever terms it exposes, their ranges and
// labels, the countries it shows first), or, without one, every lever term of its policies.

#include <optional>
#include <string>
#include <vector>

#include "engine/yaml_input.hpp"
#include "models/workforce/description.hpp"

namespace hwf::model {

/// One slider of the page.
struct workshop_control {
  std::string path;   ///< the parameter path, as `set:` names it
  std::string label;  ///< what the page shows (the path, without a label)
  std::string unit;
  double value;           ///< the value in force in the scenario (marked on the slider)
  double min, max, step;  ///< the slider's range and step
  bool integer;           ///< whole numbers only (a year, a number of stages)
  std::string policy;     ///< the policy whose term it is; empty for a dataset parameter
  std::string source;     ///< the value's citation, if any
};

/// Reads a `workshop:` block (the nearest file's) into sd.workshop: its controls are checked
/// against the parameters in force (a path must exist, with the closest one suggested; a range
/// must lie within the parameter's valid range and hold its value). A control on a term of a
/// policy in `removed` (taken out by a `remove:` of the chain, as the page's saved scenarios do)
/// goes with its policy. Problems go to n.diags().
void read_workshop(const engine::node_ref& n, scenario_description& sd,
                   const std::vector<std::string>& removed);

/// The page's controls for `sd`: its `workshop:` block's, in block order, or every lever term of
/// every policy (policies.<name>.<key>, with start, ramp_years and end) in policy order. A
/// default range is the horizon for a year, else from the lower bound to twice the value (at
/// least one unit above the lower bound) within the valid range; a default step is 1 for whole
/// numbers, else the power of ten nearest below a hundredth of the range. A lever term's default
/// label is its key, a parameter's its path.
std::vector<workshop_control> workshop_controls(const scenario_description& sd);

}  // namespace hwf::model
