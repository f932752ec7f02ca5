#include "engine/markdown_text.hpp"

#include <algorithm>
#include <cctype>

namespace hwf::engine {

namespace {

/// True when `text` at `amp` (an '&') reads as a character reference: &name; &#123; &#x1F;.
bool starts_reference(std::string_view text, std::size_t amp) {
  std::size_t i = amp + 1;
  if (i < text.size() && text[i] == '#') ++i;
  const std::size_t first = i;
  while (i < text.size() && std::isalnum(static_cast<unsigned char>(text[i]))) ++i;
  return i > first && i < text.size() && text[i] == ';';
}

std::size_t longest_backtick_run(std::string_view text) {
  std::size_t longest = 0, run = 0;
  for (char c : text) {
    run = c == '`' ? run + 1 : 0;
    longest = std::max(longest, run);
  }
  return longest;
}

}  // namespace

std::string markdown_text(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    switch (c) {
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '&':
        out += starts_reference(text, i) ? "&amp;" : "&";
        break;
      case '\\':
      case '`':
      case '*':
      case '_':
      case '[':
      case ']':
      case '|':
        out += '\\';
        out += c;
        break;
      case '\n':
      case '\r':
        out += ' ';
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string markdown_code(std::string_view text) {
  std::string body(text);
  std::replace(body.begin(), body.end(), '\n', ' ');
  std::replace(body.begin(), body.end(), '\r', ' ');
  const std::string ticks(longest_backtick_run(body) + 1, '`');
  // A space on each side keeps a backtick at either end from joining the fence; CommonMark
  // strips one such space.
  const bool pad = !body.empty() && (body.front() == '`' || body.back() == '`');
  return ticks + (pad ? " " : "") + body + (pad ? " " : "") + ticks;
}

std::string markdown_fence(std::string_view text) {
  return std::string(std::max<std::size_t>(3, longest_backtick_run(text) + 1), '`');
}

}  // namespace hwf::engine
