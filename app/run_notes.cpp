#include "app/run_notes.hpp"

#include <fmt/format.h>

namespace hwf::app {

std::vector<std::string> run_notes(const model::compiled_model& m, const model::run_output& run) {
  std::vector<std::string> out;
  for (std::size_t i : run.stats.idle_limits) {
    const auto& p = m.parameters()[i];
    engine::diagnostic d{p.where,
                         p.path,
                         fmt::format("{:g} never binds: the flows it limits stay below it "
                                     "throughout the run",
                                     p.value),
                         {"the policy changes nothing through this limit"},
                         ""};
    out.push_back(engine::format(d, "note"));
  }
  return out;
}

}  // namespace hwf::app
