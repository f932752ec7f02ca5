#pragma once
// Policy levers as modules. A lever type (retention, training, who_code, agreement,
// emigration_cap, ...) is one file: its numeric keys, how it reads and resolves its targets, its
// compilation to the model's blocks and corridors, its per-run values, its effect on the
// right-hand side and its costs (docs/model.md, section 7; docs/architecture.md, "Extending").

#include <array>
#include <cstddef>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "engine/ramp.hpp"
#include "engine/yaml_input.hpp"
#include "models/workforce/description.hpp"
#include "models/workforce/schema.hpp"

namespace hwf::model {

class compiled_model;

/// What a lever sees and changes during one evaluation of the right-hand side. Spans over
/// blocks are indexed like compiled_model::blocks(), spans over corridors like corridors().
/// The system resets them before each evaluation (factors to 1, terms to 0).
struct lever_state {
  std::span<const double> x;         ///< the state at this evaluation
  std::span<const double> strength;  ///< by ramp profile (lever_binding::add_profile)
  // Per block: factors on emigration (push) and attrition, terms added to seats and completion,
  // and cost rates (USD/year), each an accumulator of the state (docs/model.md, eq. 15-22).
  // Attrition is (exit_rate * exit_factor + retirement_rate * retirement_factor) *
  // attrition_factor (eq. D2). Funded posts added (blocks with posts only) and their cost at
  // full fill, which the model scales by the share of posts filled (eq. E7).
  std::span<double> push, attrition_factor, seats_added, completion_added, retention_cost,
      capital_cost, compensation_paid, compensation_received, exit_factor, retirement_factor,
      posts_added, hiring_cost;
  /// Per block with age bands: years added to its last band's width (retirement_age, eq. F8).
  std::span<double> last_width_added;
  // Per corridor: the Code factor (before flows), then the flow and return rate the flow
  // levers transform, and the compensation it carries.
  std::span<double> code, flow, return_rate, compensation;
  /// Per corridor: the share of its flow taken from the origin's unemployed alone (an
  /// agreement's `unemployed_share`, eq. 20a); 0 before the flow levers. The rest of the flow
  /// leaves W and U in proportion, as without it (eq. E5).
  std::span<double> unemployed_share;
};

/// What one flow lever added to each corridor's flow and return rate (messages only).
struct lever_trace {
  std::span<double> added_flow, added_return;  ///< per corridor
};

/// A parameter of a lever that raises a flow or a return rate, with its value in this run.
struct lever_term {
  std::optional<std::size_t> parameter;  ///< parameter index; empty: the lever has none
  double value = 0;
};

/// One policy lever in one run: values read once from the run's parameter vector. The
/// right-hand side calls the three stages in order; each must allocate nothing and not throw.
class lever_run {
 public:
  virtual ~lever_run() = default;
  /// Effects on blocks and on corridor factors, before corridor flows are formed.
  virtual void before_flows(lever_state& s) = 0;
  /// Transforms corridor flows and return rates (in flow_order()); `trace` may be null.
  virtual void on_flows(lever_state& s, lever_trace* trace) = 0;
  /// Effects that depend on the final flows (compensation), in file order.
  virtual void after_flows(lever_state& s) = 0;
  /// The term that raises a corridor's flow and the one that raises its return rate.
  virtual lever_term raises_flow() const { return {}; }
  virtual lever_term raises_return() const { return {}; }
  /// The most limits one lever has (an agreement's quota and active quota).
  static constexpr std::size_t max_limits = 2;
  /// Whether its limit `k` (in compiled_lever::limit_parameters() order: a quota, a cap)
  /// lowered a flow at some evaluation so far.
  bool ever_bound(std::size_t k) const noexcept { return k < max_limits && bound_[k]; }

 protected:
  std::array<bool, max_limits> bound_{};
};

/// Where a run's levers keep their switch profiles. Profile `policy` (a policy's index) is the
/// policy's own; a lever may add more (the training lever's capital window).
struct lever_binding {
  std::vector<engine::ramp_profile>& profiles;
  std::size_t add_profile(const engine::ramp_profile& p) {
    profiles.push_back(p);
    return profiles.size() - 1;
  }
};

/// A lever compiled to the model: targets as block or corridor indices, values as parameter
/// indices. Immutable and shared by every run, like the compiled model.
class compiled_lever {
 public:
  explicit compiled_lever(std::size_t policy) : policy_(policy) {}
  virtual ~compiled_lever() = default;
  /// Index of its policy (into lever_set::timings and the run's profiles).
  std::size_t policy() const noexcept { return policy_; }
  /// Its values for one run, read from `params`.
  virtual std::unique_ptr<lever_run> bind(std::span<const double> params,
                                          lever_binding& binding) const = 0;
  /// Order among flow levers: terms that set flows (0) come before limits on them (1).
  virtual int flow_order() const { return 0; }
  /// The parameters of its limits that may never bind (each reported as idle after a run), at
  /// most lever_run::max_limits, in the order of lever_run::ever_bound.
  virtual std::vector<std::size_t> limit_parameters() const { return {}; }

 private:
  std::size_t policy_;
};

/// What a lever type's reader works with: the policy's mapping (keys already checked), the
/// model, its names, and a flag for errors reported that do not stop reading.
struct lever_input {
  const engine::map_view& keys;
  const engine::node_ref& self;
  const model_description& model;
  std::vector<std::string> countries, cadres;  ///< ISO3 codes and cadre ids, in model order
  bool ok = true;
};

/// A key a lever type no longer reads: refused with `message` and `note` naming what replaces it.
struct replaced_key {
  std::string_view key, message, note;
};

/// One kind of policy lever. Implementations are stateless constants; a registry lists them.
class lever_type {
 public:
  virtual ~lever_type() = default;
  /// Its `type:` name in scenarios.
  virtual std::string_view name() const = 0;
  /// Numeric keys; each becomes parameter policies.<name>.<key> (units, ranges, defaults).
  virtual std::span<const numeric_field> fields() const = 0;
  /// Keys that name what it acts on (countries, cadres, origin, ...).
  virtual std::vector<std::string> target_keys() const = 0;
  /// Keys of earlier versions, each refused with a message naming its replacement.
  virtual std::span<const replaced_key> replaced_keys() const { return {}; }
  /// Appended to its heading in docs/yaml-reference.md (e.g. " (at least one of these)").
  virtual std::string_view schema_note() const { return {}; }
  /// Reads and resolves its targets into `p` (numeric values are already in p.values).
  /// Reports problems at their nodes; false: the policy cannot be read further.
  virtual bool read(lever_input& in, policy_desc& p) const = 0;
  /// Its targets as `key: value` lines for `hwfsim show`, in key order.
  virtual std::vector<std::pair<std::string, std::string>> describe(
      const policy_desc& p, const model_description& md) const = 0;
  /// Compiles policy `p` (index `policy`) against the model's blocks and corridors.
  virtual std::unique_ptr<compiled_lever> compile(const policy_desc& p, const compiled_model& m,
                                                  std::size_t policy) const = 0;
};

/// A lever type whose compiled form is `Compiled(policy, model, policy_desc)`.
template <class Compiled>
class compiled_as : public lever_type {
 public:
  std::unique_ptr<compiled_lever> compile(const policy_desc& p, const compiled_model& m,
                                          std::size_t policy) const override {
    return std::make_unique<Compiled>(policy, m, p);
  }
};

/// A lever type that acts on country-cadre blocks: keys `countries` and `cadres` (default:
/// every cadre), read by levers::read_blocks.
template <class Compiled>
class block_lever_type : public compiled_as<Compiled> {
 public:
  std::vector<std::string> target_keys() const override { return {"countries", "cadres"}; }
  bool read(lever_input& in, policy_desc& p) const override;
  std::vector<std::pair<std::string, std::string>> describe(
      const policy_desc& p, const model_description& md) const override;
};

/// The lever types a scenario may use, by name. Holds non-owning pointers: types are constants
/// that outlive it.
class lever_registry {
 public:
  /// The built-in levers: retention, training, who_code, agreement, emigration_cap, hiring,
  /// retirement_age.
  static const lever_registry& builtin();
  /// Adds a lever type. Throws engine::internal_error if its name is already taken.
  void add(const lever_type& type);
  /// The type named `name`, or nullptr.
  const lever_type* find(std::string_view name) const;
  /// Every type's name, in registration order.
  std::vector<std::string> names() const;
  const std::vector<const lever_type*>& types() const noexcept { return types_; }

 private:
  std::vector<const lever_type*> types_;
};

namespace levers {

/// Reads `all` or a list of names out of `known`; `what` names one item in messages.
std::optional<std::vector<std::size_t>> read_names(const engine::node_ref& n,
                                                   const std::vector<std::string>& known,
                                                   std::string_view what);
/// Whether `n` is the word `all` (every name), as read_names reads it.
bool is_all(const engine::node_ref& n);
/// `countries` without the rest-of-world entries: what `all` covers where the rest of the world
/// is left out unless named (docs/model.md, 15.2).
std::vector<std::size_t> listed_countries(const model_description& md,
                                          const std::vector<std::size_t>& countries);
/// Reads one name out of `known`.
std::optional<std::size_t> read_one_name(const engine::node_ref& n,
                                         const std::vector<std::string>& known,
                                         std::string_view what);
/// Reads `key` as cadres (absent: every cadre) into `out`; false on an error.
bool read_cadres_or_all(lever_input& in, std::string_view key, std::vector<std::size_t>& out);
/// Reads `countries` and `cadres` (blocks in countries x cadres); an explicit cadre must exist
/// in every listed country. False on an error that stops reading.
bool read_blocks(lever_input& in, policy_desc& p);
/// `countries` and `cadres` lines for `hwfsim show` (levers read by read_blocks).
std::vector<std::pair<std::string, std::string>> describe_blocks(const policy_desc& p,
                                                                 const model_description& md);
/// Whether the model declares a corridor from `o` to `d` for cadre `k`.
bool corridor_exists(const model_description& md, std::size_t o, std::size_t d, std::size_t k);
/// Names for `hwfsim show`: `all` when every one of several, else a list.
std::string names(const std::vector<std::size_t>& idx, const std::vector<std::string>& all);
/// Country ISO3 codes and cadre ids of the model, in model order.
std::vector<std::string> country_names(const model_description& md);
std::vector<std::string> cadre_names(const model_description& md);

/// The block of (country, cadre) in a compiled model, if the country has that cadre.
std::optional<std::size_t> block_of(const compiled_model& m, std::size_t country,
                                    std::size_t cadre);
/// The blocks of countries x cadres that exist, in that order.
std::vector<std::size_t> blocks_of(const compiled_model& m, const policy_desc& p);
/// The parameter index of numeric key `key`; throws engine::internal_error if absent.
std::size_t required_value(const policy_desc& p, std::string_view key);

}  // namespace levers

template <class Compiled>
bool block_lever_type<Compiled>::read(lever_input& in, policy_desc& p) const {
  return levers::read_blocks(in, p);
}
template <class Compiled>
std::vector<std::pair<std::string, std::string>> block_lever_type<Compiled>::describe(
    const policy_desc& p, const model_description& md) const {
  return levers::describe_blocks(p, md);
}

namespace levers {

/// The built-in lever types (one file each), registered by lever_registry::builtin().
const lever_type& retention();
const lever_type& training();
const lever_type& who_code();
const lever_type& agreement();
const lever_type& emigration_cap();
const lever_type& hiring();
const lever_type& retirement_age();

}  // namespace levers

}  // namespace hwf::model
