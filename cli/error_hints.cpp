#include "cli/error_hints.hpp"

#include <utility>
#include <vector>

namespace hwf::cli {

std::string_view hint(engine::remedy r) noexcept {
  using engine::remedy;
  switch (r) {
    case remedy::none:
      return "";
    case remedy::skip_failed:
      return "\n  (--skip-failed excludes failed runs from the statistics and reports them)";
    case remedy::skip_failed_needs_success:
      return "\n  (--skip-failed excludes failed runs, but needs at least one that succeeds)";
    case remedy::raise_memory:
      return "; raise --memory";
    case remedy::memory_it_has_or_fewer_runs:
      return "; give a --memory it has (beyond it, quantiles are sketched) or fewer --samples";
    case remedy::lower_chunk_runs:
      return "; lower --chunk-runs";
    case remedy::replace_or_other_folder:
      return ". Use --force to replace its files, or -o to choose another folder";
    case remedy::wait_then_replace_or_other_folder:
      return ". Wait until it has finished (then use --force to replace its files), or choose "
             "another folder with -o";
    case remedy::create_target_or_other_folder:
      return ". Create the folder it points to, or choose another with -o";
    case remedy::start_over:
      return "; start over with --force";
    case remedy::remove_file_or_start_over:
      return "; remove it to resume without it, or start over with --force";
    case remedy::start_over_instead_of_resuming:
      return " A resume needs the same scenarios and input files, seed, samples, --chunk-runs, "
             "--memory mode and hwfsim binary; start over with --force instead of --resume";
    case remedy::write_anew:
      return "; run the command again with --force to write them anew";
    case remedy::replace_or_other_file:
      return ". Use --force to replace it, or -o to choose another file";
  }
  return "";
}

std::string_view flag(engine::setting s) noexcept {
  switch (s) {
    case engine::setting::save_indicators:
      return "--save-indicators";
    case engine::setting::sensitivity_outputs:
      return "--outputs";
  }
  return "";
}

std::string message(const std::exception& e) {
  if (const auto* s = dynamic_cast<const engine::setting_error*>(&e)) {
    std::vector<engine::diagnostic> named = s->diagnostics();
    for (auto& d : named)
      if (d.where.file == engine::setting_label(s->about())) d.where.file = flag(s->about());
    return engine::input_error(std::move(named)).what();
  }
  return std::string(e.what()).append(hint(engine::remedy_of(e)));
}

}  // namespace hwf::cli
