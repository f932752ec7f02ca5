// Prints the generated blocks of docs/cli.md (the results folders' file tables), or checks or
// rewrites the file: docs/cli.md, "Generated file tables".
//
//   hwf_docs_tables                     every block, with its begin and end lines
//   hwf_docs_tables --check docs/cli.md exit 1 when a block is not current
//   hwf_docs_tables --write docs/cli.md rewrite the blocks in place

#include <iostream>
#include <string>

#include "docs_tables.hpp"
#include "outputs/atomic_file.hpp"

using namespace hwf;

namespace {

constexpr const char* regenerate =
    "cmake --build build/ci --target hwf_docs_tables && build/ci/tests/hwf_docs_tables --write "
    "docs/cli.md";

int print_blocks() {
  const auto keys = test::teaching_key_columns();
  std::cout << "<!-- begin: result names -->\n"
            << *out::docs_block("result names", keys) << "<!-- end: result names -->\n";
  for (const auto command : out::writing_commands()) {
    const auto name = "files " + std::string(command);
    std::cout << "\n<!-- begin: " << name << " -->\n"
              << *out::docs_block(name, keys) << "<!-- end: " << name << " -->\n";
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) try {
  if (argc == 1) return print_blocks();
  const std::string mode = argv[1];
  if (argc != 3 || (mode != "--check" && mode != "--write")) {
    std::cerr << "usage: hwf_docs_tables [--check | --write docs/cli.md]\n";
    return 2;
  }
  const std::string file = argv[2];
  const auto text = out::read_file(file);
  if (!text) {
    std::cerr << file << ": cannot be read\n";
    return 2;
  }
  const auto current = test::current_cli_docs(*text);
  if (!current) {
    std::cerr << file << ": a '<!-- begin: NAME -->' line has no '<!-- end: NAME -->' line\n";
    return 1;
  }
  if (*current == *text) return 0;
  if (mode == "--write") {
    out::write_file_atomically(file, *current);
    std::cout << file << ": generated blocks rewritten\n";
    return 0;
  }
  std::cerr << file
            << ": the file tables generated from the results catalogue are not current; "
               "regenerate them with\n  "
            << regenerate << "\n";
  return 1;
} catch (const std::exception& e) {
  std::cerr << "error: " << e.what() << "\n";
  return 1;
}
