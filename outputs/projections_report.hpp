#pragma once
// The page that sets a scenario's projection against published ones (`hwfsim compare
// --published`: projections.md and projections.csv), and the same as a section of the hold-out
// page (`hwfsim calibrate --published`; docs/validation.md is made that way).

#include <string>
#include <vector>

namespace hwf::out {

struct projections_page {
  std::string published_name, published_file, description;
  std::vector<std::string> scenarios;  ///< the compared scenarios, baseline first
  std::string command;                 ///< the command that regenerates the page
  struct line {
    std::string name, title, source, flag, counts, explanation;
    std::string scenario;   ///< the compared scenario it is set against
    std::string indicator;  ///< the model's indicator summed
    std::string scope;      ///< the countries and cadres summed, in words
    std::size_t series = 0;
    int from_year = 0, to_year = 0;
    bool relative = true;       ///< a relative change (levels given), else a change in persons
    double published_from = 0;  ///< relative only: the published level
    double published_low = 0, published_high = 0;  ///< the published change
    double model_from = 0, model_to = 0, model_change = 0;
    double tolerance = 0;
    std::string verdict, expected;  ///< agree, below or above
  };
  std::vector<line> lines;
};

/// The page as Markdown: how it is made, one table of every projection against the model, and
/// each projection's explanation, marked for revision where the verdict is no longer the one it
/// was written for. Text from the input file is escaped (engine::markdown_text).
std::string projections_markdown(const projections_page& page);

/// The same without its title, as a section of another page whose section headings are of
/// `level` (1: `#`): the projections' table and their explanations one and two levels below;
/// the regenerating command only `with_command` (a page of its own).
std::string projections_section(const projections_page& page, int level, bool with_command);

/// One row per projection: `name,scenario,indicator,series,from_year,to_year,kind,
/// published_from,published_change_low,published_change_high,model_from,model_to,model_change,
/// tolerance,verdict,expected` (kind: relative, as a share, or persons).
std::string projections_csv(const projections_page& page);

}  // namespace hwf::out
