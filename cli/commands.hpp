#pragma once
// The command line's options: every command, its options and help texts, parsed into the
// studies' options (app/). main.cpp runs the command they choose.

#include <string>

#include <CLI/CLI.hpp>

#include "app/backcast_study.hpp"
#include "app/calibrate_study.hpp"
#include "app/compare_study.hpp"
#include "app/mc_study.hpp"
#include "app/run_study.hpp"
#include "app/sensitivity_study.hpp"
#include "app/workshop_study.hpp"

namespace hwf::cli {

/// Everything the command line reads: each command's options, and the few that stay here.
struct command_line {
  app::run_options run;
  app::compare_options compare;
  app::backcast_options backcast;
  app::calibrate_options calibrate;
  app::mc_options mc;
  app::mc_switches mc_switches;
  app::sensitivity_options sensitivity;
  app::workshop_options workshop;
  std::string scenario, filter, report_folder, method = "sobol";
  app::reporting validate;
  std::string json_schema_folder;  ///< `schema --json-schema`: where the schemas go
  bool quiet = false, csv = false, schema_force = false;
};

/// Adds every command to `app`, with its options parsed into `c`.
void add_commands(CLI::App& app, command_line& c);

}  // namespace hwf::cli
