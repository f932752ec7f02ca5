#include "app/workshop_study.hpp"

#include <algorithm>
#include <map>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "app/workshop_session.hpp"
#include "engine/build_info.hpp"
#include "engine/input_file.hpp"
#include "models/workforce/compiled_model.hpp"
#include "outputs/atomic_file.hpp"
#include "outputs/workshop_page.hpp"

namespace hwf::app {

namespace {

namespace fs = std::filesystem;

/// Every file a scenario's loading reads: the scenario, the files it extends, its model, its
/// calibration block's file and observed counts.
std::vector<fs::path> files_read(const model::scenario_description& sd) {
  std::vector<fs::path> out{sd.file.display_name};
  for (const auto& p : sd.parents) out.emplace_back(p.display_name);
  out.emplace_back(sd.model.file.display_name);
  if (sd.calibration.file) out.emplace_back(sd.calibration.file->display_name);
  if (sd.calibration.present && fs::is_regular_file(sd.calibration.observed))
    out.push_back(sd.calibration.observed);
  return out;
}

/// The folder that holds every path of `paths` (absolute, normal).
fs::path common_folder(const std::vector<fs::path>& paths) {
  fs::path common = paths.front().parent_path();
  for (const auto& p : paths)
    while (!common.empty() &&
           std::mismatch(common.begin(), common.end(), p.begin(), p.end()).first != common.end())
      common = common.parent_path() == common ? fs::path() : common.parent_path();
  return common;
}

}  // namespace

workshop_study::workshop_study(workshop_options options) : options_(std::move(options)) {
  if (const auto why = out::workshop_unavailable())
    throw out::output_error("hwfsim workshop is unavailable: " + *why);
  if (fs::exists(output_file()) && !options_.force)
    throw out::folder_not_empty(fmt::format("{} already exists", output_file().generic_string()),
                                engine::remedy::replace_or_other_file);
  if (fs::is_directory(output_file()))
    throw out::output_error(
        fmt::format("{} is a folder, not a file", output_file().generic_string()));

  std::vector<fs::path> given, all;
  for (const auto& s : options_.scenarios) {
    const auto sd = model::load_scenario(s);
    report_warnings(sd, options_.report);
    const model::compiled_model check(sd);  // what the page compiles must compile here too
    given.push_back(fs::absolute(s).lexically_normal());
    for (const auto& f : files_read(sd)) all.push_back(fs::absolute(f).lexically_normal());
  }
  std::sort(all.begin(), all.end());
  all.erase(std::unique(all.begin(), all.end()), all.end());
  // The page writes each scenario's settings beside it: no file it reads may have that name.
  for (std::size_t i = 0; i < given.size(); ++i) {
    const auto saved = saved_scenario_path(given[i]);
    if (std::binary_search(all.begin(), all.end(), saved))
      throw usage_error(options_.scenarios[i], "",
                        fmt::format("the page saves this scenario's settings as {}, a file the "
                                    "page also reads",
                                    saved.filename().generic_string()),
                        "rename that file, or leave it out of the page");
  }
  const auto root = common_folder(all);
  const auto page_path = [&](const fs::path& p) {
    return "/w/" + p.lexically_relative(root).generic_string();
  };
  nlohmann::json files = nlohmann::json::object();
  for (const auto& f : all) {
    const auto text = engine::read_regular_file(f, out::max_read_file_bytes);
    files[page_path(f)] = text;
  }
  files_ = all.size();
  nlohmann::json scenarios = nlohmann::json::array();
  for (std::size_t i = 0; i < given.size(); ++i)
    scenarios.push_back({{"file", page_path(given[i])}, {"path", options_.scenarios[i]}});
  data_ = nlohmann::json{{"generator", fmt::format("hwfsim {} ({})", engine::build_version(),
                                                   engine::build_commit())},
                         {"libraries", std::string(out::workshop_libraries())},
                         {"scenarios", std::move(scenarios)},
                         {"files", std::move(files)}}
              .dump();
}

fs::path workshop_study::output_file() const {
  return options_.output.empty() ? fs::path("results") / "workshop.html"
                                 : fs::path(options_.output);
}

std::string workshop_study::write() const {
  const auto page = out::workshop_html(data_);
  const auto file = output_file();
  if (file.has_parent_path()) out::create_results_folder(file.parent_path());
  if (fs::exists(file) && !options_.force)  // written meanwhile by another command
    throw out::folder_not_empty(fmt::format("{} already exists", file.generic_string()),
                                engine::remedy::replace_or_other_file);
  out::write_file_atomically(file, page);
  return fmt::format("Workshop page of {} scenario{} ({} files): {} ({:.1f} MB)\n",
                     options_.scenarios.size(), options_.scenarios.size() == 1 ? "" : "s", files_,
                     file.generic_string(), static_cast<double>(page.size()) / 1e6);
}

}  // namespace hwf::app
