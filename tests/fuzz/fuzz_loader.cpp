// libFuzzer target: the YAML reader and both validators (model datasets and scenarios) must
// answer any input with a result or an input_error, never a crash, a hang or another exception.
// Build and run: docs/robustness.md.

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>

#include <unistd.h>

#include "engine/diagnostics.hpp"
#include "models/workforce/compiled_model.hpp"
#include "models/workforce/description.hpp"

namespace {

/// A private folder holding a valid model, so that fuzzed scenarios can name `model.yaml`.
const std::filesystem::path& work_folder() {
  static const std::filesystem::path dir = [] {
    auto d = std::filesystem::temp_directory_path() / ("hwf_fuzz_" + std::to_string(::getpid()));
    std::filesystem::create_directories(d);
    std::filesystem::copy_file(HWF_GOOD_MODEL, d / "model.yaml",
                               std::filesystem::copy_options::overwrite_existing);
    return d;
  }();
  return dir;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  try {
    if (text.find("scenario:") == std::string::npos) {
      hwf::model::parse_model(text, "fuzz-model.yaml");
    } else {
      const auto path = work_folder() / "scenario.yaml";
      std::ofstream(path, std::ios::binary | std::ios::trunc) << text;
      const auto s = hwf::model::load_scenario(path);
      // A valid scenario also compiles (cheap); running it is left out to keep executions fast.
      const hwf::model::compiled_model m(s);
      (void)m;
    }
  } catch (const hwf::engine::input_error&) {
    // The expected answer to bad input.
  }
  return 0;
}
