#pragma once
// The file tables of docs/cli.md, generated from the results catalogue with the key columns of
// the teaching model (models/teaching/two-countries.yaml): shared by the generator
// (docs_tables_main.cpp) and the tests.

#include <optional>
#include <string>
#include <string_view>

#include "outputs/results_catalogue.hpp"

namespace hwf::test {

/// The key columns of every table a command writes, as the teaching model's compiled schemas
/// name them (scenarios/two-countries-uncertainty.yaml, which runs on it).
out::key_columns_by_table teaching_key_columns();

/// `text` (docs/cli.md) with every generated block current; nullopt when a block's begin line
/// has no end line.
std::optional<std::string> current_cli_docs(std::string_view text);

}  // namespace hwf::test
