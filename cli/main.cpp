// hwfsim command line: parses the options into the studies' options (app/), runs the command and
// maps errors to exit codes. This is the one place where errors become exit codes (docs/cli.md):
//   0 success, 1 run or output failure, 2 bad input or usage, 3 results folder not empty.

#include <csignal>
#include <cstdlib>
#include <functional>
#include <iostream>

#include <fmt/format.h>
#include <CLI/CLI.hpp>

#include "app/console.hpp"
#include "app/inspect.hpp"
#include "cli/commands.hpp"
#include "cli/error_hints.hpp"
#include "engine/build_info.hpp"
#include "engine/diagnostics.hpp"
#include "engine/ensemble.hpp"
#include "outputs/atomic_file.hpp"

namespace hwf::cli {

enum exit_code : int { ok = 0, run_failed = 1, bad_input = 2, folder_not_empty = 3 };

namespace {

/// The exit code of an error (and its message on stderr when `print`, after `prefix`).
int report_error(const std::exception_ptr& error, const std::string& prefix, bool print) {
  int code = run_failed;
  std::string text;
  try {
    std::rethrow_exception(error);
  } catch (const engine::input_error& e) {
    code = bad_input, text = message(e);
  } catch (const out::folder_not_empty& e) {
    code = folder_not_empty, text = "error: " + message(e);
  } catch (const out::output_error& e) {
    text = "error: " + message(e);
  } catch (const engine::numerical_error& e) {
    text = "error: the run failed: " + message(e);
  } catch (const engine::ensemble_error& e) {
    text = "error: " + message(e);
  } catch (const engine::fit_cancelled& e) {
    text = fmt::format("error: {}: nothing was written", e.what());
  } catch (const engine::memory_limit_error& e) {
    code = bad_input, text = "error: " + message(e);
  } catch (const std::exception& e) {
    text = "internal error: " + message(e);
  }
  if (print) std::cerr << prefix << text << "\n";
  return code;
}

void say(const std::string& text) {
  std::cerr << text << "\n";
}

/// An ensemble command (`mc`, `sensitivity`): Ctrl-C cancels its runs, an error after the MPI
/// ranks started becomes rank 0's exit code, and its progress shows unless `quiet`.
template <class Options, class Run>
int ensemble_command(Options& o, bool quiet, const Run& run) {
  o.cancel = &app::interrupted();
  o.exit_code = report_error;
  o.around_runs = app::interruptible;
  if (!quiet) o.progress = app::console_progress();
  const auto outcome = run(o);
  if (!quiet) fmt::print("{}", outcome.text);
  return outcome.status;
}

/// `calibrate`, with its progress unless quiet, and Ctrl-C stopping the fit (nothing written).
int calibrate_command(command_line& c) {
  auto& o = c.calibrate;
  o.cancel = &app::interrupted();
  if (!c.quiet) o.progress = app::console_fit_progress();
  app::calibrate_outcome outcome;
  app::interruptible([&] { outcome = app::calibrate_and_write(o); });
  if (!c.quiet || !outcome.converged) fmt::print("{}", outcome.text);
  return outcome.converged ? ok : run_failed;
}

/// Prints what a command returns unless `quiet`; the exit code of success.
int print(const std::string& text, bool quiet = false) {
  if (!quiet) fmt::print("{}", text);
  return ok;
}

int dispatch(const CLI::App& app, command_line& c, int argc, char** argv) {
  const auto* command = app.get_subcommands().front();
  const auto name = command->get_name();
  if (name == "run") return print(app::execute_and_write<app::run_study>(c.run), c.quiet);
  if (name == "compare")
    return print(app::execute_and_write<app::compare_study>(c.compare), c.quiet);
  if (name == "backcast")
    return print(app::execute_and_write<app::backcast_study>(c.backcast), c.quiet);
  if (name == "mc") {
    app::apply(c.mc_switches, c.mc);
    return ensemble_command(c.mc, c.quiet,
                            [&](auto& o) { return app::execute_and_write(o, argc, argv); });
  }
  if (name == "calibrate") return calibrate_command(c);
  if (name == "sensitivity") {
    c.sensitivity.method =
        c.method == "morris" ? app::sensitivity_method::morris : app::sensitivity_method::sobol;
    return ensemble_command(c.sensitivity, c.quiet,
                            [&](auto& o) { return app::sensitivity_and_write(o, argc, argv); });
  }
  if (name == "report") return print(app::report_text(c.report_folder), c.quiet);
  if (name == "workshop") return print(app::workshop_study(c.workshop).write(), c.quiet);
  if (name == "validate") return print(app::validate_text(c.scenario, c.validate));
  if (name == "show") return print(app::show_text(c.scenario));
  if (name == "params") return print(app::params_text(c.scenario, c.csv, c.filter));
  if (name == "sources") return print(app::sources_text(c.scenario));
  if (!c.json_schema_folder.empty())
    return print(app::write_json_schemas(c.json_schema_folder, c.schema_force), c.quiet);
  return print(app::schema_text());
}

/// The error for `hwfsim <word>` when no command is called `word`: the commands, and the closest.
engine::input_error unknown_command(const CLI::App& app, const std::string& word) {
  std::vector<std::string> names;
  for (const auto* command : app.get_subcommands({})) names.push_back(command->get_name());
  return app::usage_error("hwfsim", "", fmt::format("unknown command '{}'", word),
                          "the commands: " + engine::join_list(names),
                          engine::closest_match(word, names).value_or(""));
}

}  // namespace

int main(int argc, char** argv) {
  // Past a file-size limit (ulimit -f) a write fails with EFBIG ("File too large", exit 1, the
  // temporary removed) instead of the process being killed with a temporary left behind.
  std::signal(SIGXFSZ, SIG_IGN);
  CLI::App app{"hwfsim: health-workforce migration scenarios (stocks, flows, policies)", "hwfsim"};
  app.set_version_flag(
      "--version", fmt::format("hwfsim {} ({})", engine::build_version(), engine::build_commit()));
  app.require_subcommand(1);
  command_line c;
  for (auto* r : {&c.run.report, &c.compare.report, &c.mc.report, &c.calibrate.report,
                  &c.sensitivity.report, &c.workshop.report, &c.validate})
    r->message = say;
  add_commands(app, c);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    if (argc > 1 && argv[1][0] != '-' && app.get_subcommands().empty())
      return report_error(std::make_exception_ptr(unknown_command(app, argv[1])), "", true);
    const int rc = app.exit(e);
    return rc == 0 ? ok : bad_input;
  }
  try {
    return dispatch(app, c, argc, argv);
  } catch (...) {
    return report_error(std::current_exception(), "", true);
  }
}

}  // namespace hwf::cli

int main(int argc, char** argv) {
  return hwf::cli::main(argc, argv);
}
