// libFuzzer target: the observed-data reader of `hwfsim backcast` must answer any file with
// observed data or an input_error, never a crash, a hang or another exception; data it accepts
// is matched against a run and written as backcast.csv, validation.md and validation.svg.
// Build and run: docs/robustness.md.

#include <cstdint>
#include <cstdlib>

#include "engine/diagnostics.hpp"
#include "fuzz_support.hpp"
#include "models/workforce/backcast.hpp"
#include "models/workforce/description.hpp"
#include "outputs/validation_report.hpp"

namespace {

struct fixture {
  hwf::model::scenario_description scenario = hwf::model::load_scenario(HWF_GOOD_SCENARIO);
  hwf::model::compiled_model model{scenario};
  hwf::model::run_output run = hwf::model::simulate(model, model.default_parameters());
};

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  return hwf::fuzz::initialize([](const std::filesystem::path& seeds) {
    std::filesystem::copy_file(HWF_OBSERVED, seeds / "seed-observed.yaml",
                               std::filesystem::copy_options::overwrite_existing);
  });
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const fixture f;
  static const auto path = hwf::fuzz::work_folder("observed") / "observed.yaml";
  hwf::fuzz::write(path, std::string_view(reinterpret_cast<const char*>(data), size));
  try {
    const auto observed = hwf::model::load_observed(path, f.model);
    const auto matches = hwf::model::match_observations(f.model, f.run, observed);
    hwf::out::validation_info info;
    info.scenario = f.scenario.name;
    info.observed_name = observed.name;
    info.observed_source = observed.source;
    (void)hwf::out::validation_csv(f.scenario.name, matches);
    (void)hwf::out::validation_markdown(info, matches);
    (void)hwf::out::validation_svg(matches);
  } catch (const hwf::engine::input_error&) {
    // The expected answer to bad input.
  }
  return 0;
}
