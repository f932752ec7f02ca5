#pragma once
// Monte Carlo inputs: reading a scenario's `uncertainty` block, and building each run's
// parameter vector from the sample design.

#include <string>
#include <string_view>
#include <vector>

#include "engine/distributions.hpp"
#include "engine/yaml_input.hpp"
#include "models/workforce/description.hpp"

namespace hwf::model {

/// Reads the `uncertainty` blocks of an `extends` chain (ancestors first: later files override
/// samples, sampling and seed, and replace parameter entries of the same pattern). Reports
/// problems into the blocks' diagnostics. `md` must hold every parameter (policies included).
void read_uncertainty(const std::vector<engine::node_ref>& blocks, model_description& md,
                      uncertainty_desc& out);

/// The numbers a distribution spec of one kind reads: those it needs and those it may leave out
/// (besides `dist`, `apply`, `shared`, and a discrete one's `values` and `weights`).
struct distribution_numbers {
  std::vector<std::string> required, optional;
};
/// The numbers of kind `k` (one table; yaml_schema.cpp builds the specs' keys from it).
const distribution_numbers& distribution_keys(engine::distribution_kind k);

/// How `apply:` names a mode: "set", "multiply" or "add".
std::string_view apply_name(apply_mode mode);

/// The indices of the parameter paths (split at '.') that `pattern` matches, '*' standing for
/// one segment; a series' path matches its points.
std::vector<std::size_t> matching_paths(const std::string& pattern,
                                        const std::vector<std::vector<std::string>>& paths);
/// Every parameter path of `params`, split at '.'.
std::vector<std::vector<std::string>> split_paths(const parameter_table& params);

/// Labels of the sampled dimensions, in order: the pattern for a shared entry, the matched path
/// otherwise.
std::vector<std::string> dimension_labels(const uncertainty_desc& u, const parameter_table& params);

/// The parameter vector of one run: `base` with each sampled value applied (`u`: one uniform
/// number per dimension).
void apply_sample(const uncertainty_desc& u, const std::vector<double>& uniforms,
                  std::vector<double>& params, std::vector<double>* sampled_values = nullptr);

}  // namespace hwf::model
