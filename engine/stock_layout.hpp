#pragma once
// Where each stock and accumulator lives in the one contiguous state vector.

#include <cstddef>
#include <string>
#include <vector>

namespace hwf::engine {

/// Stocks are physical quantities (must stay >= 0); accumulators integrate flows and costs from
/// the start of the run so that every reported flow is an exact integral.
enum class state_kind { stock, accumulator };

/// A named block of the state vector, e.g. "W" with one entry per (country, cadre).
struct state_block {
  std::string name;
  state_kind kind;
  std::size_t offset;
  std::vector<std::string> labels;  ///< one label per entry, e.g. "KEN,nurses"
  std::size_t size() const noexcept { return labels.size(); }
};

/// Built once when a model is compiled; immutable afterwards.
class stock_layout {
 public:
  /// Appends a block; returns its offset in the state vector.
  std::size_t add_block(std::string name, state_kind kind, std::vector<std::string> labels);

  std::size_t size() const noexcept { return size_; }
  const std::vector<state_block>& blocks() const noexcept { return blocks_; }
  /// "W[KEN,nurses]" for the state entry at `index`; throws internal_error if out of range.
  std::string describe(std::size_t index) const;
  /// Offsets of all stock entries (not accumulators), in state order.
  const std::vector<std::size_t>& stock_indices() const noexcept { return stock_indices_; }

 private:
  std::vector<state_block> blocks_;
  std::vector<std::size_t> stock_indices_;
  std::size_t size_ = 0;
};

}  // namespace hwf::engine
