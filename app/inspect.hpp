#pragma once
// The commands that read a scenario and print about it, running nothing: validate, params,
// show, sources and schema. Each returns the text the command prints.

#include <string>

#include "app/study.hpp"

namespace hwf::app {

/// `validate`: loads and compiles the scenario (its warnings through `r`, or thrown with
/// r.strict); one line on the model's size. Throws engine::input_error.
std::string validate_text(const std::string& scenario, const reporting& r);

/// `params`: every parameter whose path contains `filter` (empty: all), as a table, or with
/// `csv` as CSV with range, flag and location.
std::string params_text(const std::string& scenario, bool csv, const std::string& filter);

/// `show`: the resolved scenario (after extends and set:) with each value's origin.
std::string show_text(const std::string& scenario);

/// `sources`: every parameter with its source and flag, as Markdown.
std::string sources_text(const std::string& scenario);

/// `report`: rebuilds report.html in the results folder `folder` (app::rebuild_report); one line
/// on its size.
std::string report_text(const std::string& folder);

/// `schema`: the reference of every numeric key, as Markdown.
std::string schema_text();

/// `schema --json-schema`: writes `<root>.schema.json` (model::json_schema) for each of
/// model::yaml_roots into `folder`, creating it if missing, each file atomically. A file there
/// that differs from the one this build writes is replaced only with `force`; otherwise
/// out::folder_not_empty is thrown before anything is written. An identical file is left as it
/// is. Returns one line per file. Throws out::output_error when writing fails.
std::string write_json_schemas(const std::string& folder, bool force);

}  // namespace hwf::app
