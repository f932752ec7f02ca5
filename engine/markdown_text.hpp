#pragma once
// Text from input files put into generated Markdown pages (validation.md, `hwfsim sources`):
// escaped so that it shows as written and can neither inject HTML nor links, images or table
// cells.

#include <string>
#include <string_view>

namespace hwf::engine {

/// `text` as literal Markdown text, fit for a table cell or a line of prose: `<` and `>` become
/// &lt; and &gt;, an `&` that would start a character reference becomes &amp;, the Markdown
/// punctuation \ ` * _ [ ] | gets a backslash, and line breaks become spaces. Other text
/// (letters, digits, "N&M", "(table 3)") is unchanged.
std::string markdown_text(std::string_view text);

/// `text` as a Markdown code span: between backticks, with a longer run of backticks around
/// it than any inside it (CommonMark), and line breaks as spaces.
std::string markdown_code(std::string_view text);

/// A fence for a code block holding `text`: at least three backticks, and more than the longest
/// run of backticks in `text`, so the text cannot close the block.
std::string markdown_fence(std::string_view text);

}  // namespace hwf::engine
