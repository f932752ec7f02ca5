#include "engine/diagnostics.hpp"

#include <algorithm>
#include <numeric>
#include <tuple>

#include <fmt/format.h>

namespace hwf::engine {

namespace {

/// One character of special interest: invisible, or a look-alike of an ASCII one.
struct special_character {
  char32_t code;
  const char* name;
  const char* looks_like;  ///< nullptr for an invisible character
};

constexpr special_character special_characters[] = {
    {0x00A0, "no-break space", " "},
    {0x00AD, "soft hyphen", nullptr},
    {0x034F, "combining grapheme joiner", nullptr},
    {0x061C, "Arabic letter mark", nullptr},
    {0x180E, "Mongolian vowel separator", nullptr},
    {0x200B, "zero width space", nullptr},
    {0x200C, "zero width non-joiner", nullptr},
    {0x200D, "zero width joiner", nullptr},
    {0x200E, "left-to-right mark", nullptr},
    {0x200F, "right-to-left mark", nullptr},
    {0x2028, "line separator", nullptr},
    {0x2029, "paragraph separator", nullptr},
    {0x202A, "left-to-right embedding", nullptr},
    {0x202B, "right-to-left embedding", nullptr},
    {0x202C, "pop directional formatting", nullptr},
    {0x202D, "left-to-right override", nullptr},
    {0x202E, "right-to-left override", nullptr},
    {0x2060, "word joiner", nullptr},
    {0x2061, "function application", nullptr},
    {0x2062, "invisible times", nullptr},
    {0x2063, "invisible separator", nullptr},
    {0x2064, "invisible plus", nullptr},
    {0x2066, "left-to-right isolate", nullptr},
    {0x2067, "right-to-left isolate", nullptr},
    {0x2068, "first strong isolate", nullptr},
    {0x2069, "pop directional isolate", nullptr},
    {0xFEFF, "zero width no-break space (byte-order mark)", nullptr},
    {0x0391, "Greek capital letter alpha", "A"},
    {0x0392, "Greek capital letter beta", "B"},
    {0x0395, "Greek capital letter epsilon", "E"},
    {0x0396, "Greek capital letter zeta", "Z"},
    {0x0397, "Greek capital letter eta", "H"},
    {0x0399, "Greek capital letter iota", "I"},
    {0x039A, "Greek capital letter kappa", "K"},
    {0x039C, "Greek capital letter mu", "M"},
    {0x039D, "Greek capital letter nu", "N"},
    {0x039F, "Greek capital letter omicron", "O"},
    {0x03A1, "Greek capital letter rho", "P"},
    {0x03A4, "Greek capital letter tau", "T"},
    {0x03A5, "Greek capital letter upsilon", "Y"},
    {0x03A7, "Greek capital letter chi", "X"},
    {0x03B1, "Greek small letter alpha", "a"},
    {0x03BF, "Greek small letter omicron", "o"},
    {0x03BD, "Greek small letter nu", "v"},
    {0x0405, "Cyrillic capital letter dze", "S"},
    {0x0406, "Cyrillic capital letter Byelorussian-Ukrainian i", "I"},
    {0x0408, "Cyrillic capital letter je", "J"},
    {0x0410, "Cyrillic capital letter a", "A"},
    {0x0412, "Cyrillic capital letter ve", "B"},
    {0x0415, "Cyrillic capital letter ie", "E"},
    {0x041A, "Cyrillic capital letter ka", "K"},
    {0x041C, "Cyrillic capital letter em", "M"},
    {0x041D, "Cyrillic capital letter en", "H"},
    {0x041E, "Cyrillic capital letter o", "O"},
    {0x0420, "Cyrillic capital letter er", "P"},
    {0x0421, "Cyrillic capital letter es", "C"},
    {0x0422, "Cyrillic capital letter te", "T"},
    {0x0425, "Cyrillic capital letter ha", "X"},
    {0x0430, "Cyrillic small letter a", "a"},
    {0x0435, "Cyrillic small letter ie", "e"},
    {0x043E, "Cyrillic small letter o", "o"},
    {0x0440, "Cyrillic small letter er", "p"},
    {0x0441, "Cyrillic small letter es", "c"},
    {0x0443, "Cyrillic small letter u", "y"},
    {0x0445, "Cyrillic small letter ha", "x"},
    {0x0455, "Cyrillic small letter dze", "s"},
    {0x0456, "Cyrillic small letter Byelorussian-Ukrainian i", "i"},
    {0x0458, "Cyrillic small letter je", "j"},
    {0x04BB, "Cyrillic small letter shha", "h"},
};

const special_character* find_special(char32_t c) {
  for (const auto& s : special_characters)
    if (s.code == c) return &s;
  return nullptr;
}

/// Whether code point `c` is shown escaped: C0 and C1 controls (the newline too), DEL,
/// and the invisible characters of the table.
bool shown_escaped(char32_t c) {
  if (c < 0x20 || c == 0x7F || (c >= 0x80 && c < 0xA0)) return true;
  const auto* s = find_special(c);
  return s && !s->looks_like;
}

}  // namespace

std::pair<char32_t, std::size_t> decode_utf8_at(std::string_view s, std::size_t i) {
  const auto c = static_cast<unsigned char>(s[i]);
  std::size_t len = c < 0x80           ? 1
                    : (c >> 5) == 0x6  ? 2
                    : (c >> 4) == 0xE  ? 3
                    : (c >> 3) == 0x1E ? 4
                                       : 0;
  if (len == 0 || (len == 2 && c < 0xC2) || i + len > s.size()) return {0, 0};
  char32_t code = len == 1 ? c : len == 2 ? (c & 0x1F) : len == 3 ? (c & 0x0F) : (c & 0x07);
  for (std::size_t k = 1; k < len; ++k) {
    const auto b = static_cast<unsigned char>(s[i + k]);
    if ((b >> 6) != 0x2) return {0, 0};
    code = (code << 6) | (b & 0x3F);
  }
  return {code, len};
}

std::string printable(std::string_view text, std::size_t max_bytes) {
  std::string out;
  std::size_t i = 0;
  const std::size_t stop = max_bytes && text.size() > max_bytes ? max_bytes : text.size();
  while (i < stop) {
    const auto [code, len] = decode_utf8_at(text, i);
    if (len == 0) {
      out += fmt::format("\\x{:02x}", static_cast<unsigned char>(text[i]));
      ++i;
      continue;
    }
    if (i + len > stop) break;  // do not cut a character in two
    if (code < 0x80 && shown_escaped(code))
      out += fmt::format("\\x{:02x}", static_cast<unsigned>(code));
    else if (shown_escaped(code))
      out += fmt::format("\\u{:04X}", static_cast<unsigned>(code));
    else
      out.append(text.substr(i, len));
    i += len;
  }
  if (stop < text.size()) out += fmt::format("... ({} bytes)", text.size());
  return out;
}

std::string normalise(std::string_view text) {
  std::string out;
  for (std::size_t i = 0; i < text.size();) {
    const auto [code, len] = decode_utf8_at(text, i);
    if (len == 0) {
      out += text[i++];
      continue;
    }
    if (const auto* s = len > 1 ? find_special(code) : nullptr) {
      if (s->looks_like) out += s->looks_like;
    } else {
      out.append(text.substr(i, len));
    }
    i += len;
  }
  return out;
}

std::vector<std::string> character_notes(std::string_view text, std::string_view what) {
  std::vector<std::string> out;
  for (std::size_t i = 0; i < text.size() && out.size() < 3;) {
    const auto [code, len] = decode_utf8_at(text, i);
    if (len == 0) {
      ++i;
      continue;
    }
    if (const auto* s = len > 1 ? find_special(code) : nullptr) {
      const std::string c = fmt::format("U+{:04X} ({})", static_cast<unsigned>(code), s->name);
      std::string note =
          s->looks_like
              ? fmt::format("the {} contains {}, which looks like '{}'", what, c, s->looks_like)
              : fmt::format("the {} contains {}, an invisible character", what, c);
      if (std::find(out.begin(), out.end(), note) == out.end()) out.push_back(std::move(note));
    }
    i += len;
  }
  return out;
}

std::string format(const diagnostic& d, std::string_view severity) {
  std::string out = printable(d.where.file);
  if (d.where.line > 0) out += fmt::format(":{}:{}", d.where.line, d.where.column);
  out += fmt::format(": {}: ", severity);
  if (!d.key_path.empty()) out += printable(d.key_path, 200) + ": ";
  out += printable(d.message);
  for (const auto& n : d.notes) out += "\n  " + printable(n);
  if (!d.suggestion.empty()) out += fmt::format("\n  did you mean '{}'?", printable(d.suggestion));
  return out;
}

namespace {
std::string format_all(const std::vector<diagnostic>& ds) {
  std::string out;
  for (const auto& d : ds) {
    if (!out.empty()) out += '\n';
    out += format(d);
  }
  return out;
}
}  // namespace

input_error::input_error(std::vector<diagnostic> diagnostics)
    : std::runtime_error(format_all(diagnostics)), diagnostics_(std::move(diagnostics)) {}

remedy remedy_of(const std::exception& e) noexcept {
  const auto* r = dynamic_cast<const with_remedy*>(&e);
  return r != nullptr ? r->what_to_do() : remedy::none;
}

std::string_view setting_label(setting s) noexcept {
  switch (s) {
    case setting::save_indicators:
      return "indicators to save";
    case setting::sensitivity_outputs:
      return "outputs to analyse";
  }
  return "setting";
}

void diagnostic_list::add(diagnostic d) {
  ++count_;
  if (kept_.size() < max_reported) kept_.push_back(std::move(d));
}

void diagnostic_list::throw_if_any() const {
  if (count_ == 0) return;
  auto all = kept_;
  // File order: checks run section by section, but a reader fixes a file top to bottom.
  std::stable_sort(all.begin(), all.end(), [](const diagnostic& a, const diagnostic& b) {
    return std::tie(a.where.file, a.where.line, a.where.column) <
           std::tie(b.where.file, b.where.line, b.where.column);
  });
  if (count_ > kept_.size()) {
    diagnostic more;
    more.where.file = kept_.back().where.file;
    more.message = fmt::format("{} more errors not shown (first {} reported)",
                               count_ - kept_.size(), kept_.size());
    all.push_back(std::move(more));
  }
  throw input_error(std::move(all));
}

std::size_t edit_distance(std::string_view a, std::string_view b) {
  // Optimal string alignment distance: one row per character of `a`, three rows kept.
  const std::size_t n = b.size();
  std::vector<std::size_t> prev2(n + 1), prev(n + 1), cur(n + 1);
  std::iota(prev.begin(), prev.end(), std::size_t{0});
  for (std::size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (std::size_t j = 1; j <= n; ++j) {
      const std::size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
        cur[j] = std::min(cur[j], prev2[j - 2] + 1);
    }
    std::swap(prev2, prev);
    std::swap(prev, cur);
  }
  return prev[n];
}

std::optional<std::string> closest_match(std::string_view key,
                                         std::span<const std::string> candidates) {
  std::optional<std::string> best;
  std::size_t best_distance = 3;
  const std::string normal = normalise(key);
  for (const auto& c : candidates) {
    // The distance is at least the difference in length: no need to compute it.
    const std::size_t shorter = std::min(normal.size(), c.size());
    if (std::max(normal.size(), c.size()) - shorter >= best_distance) continue;
    const std::size_t d = edit_distance(normal, c);
    if (d < best_distance && 2 * d < std::max(normal.size(), std::size_t{2})) {
      best = c;
      best_distance = d;
    }
  }
  return best;
}

std::string join_list(std::span<const std::string> items, std::size_t max_items) {
  std::string out;
  for (std::size_t i = 0; i < items.size() && i < max_items; ++i) {
    if (i) out += ", ";
    out += items[i];
  }
  if (items.size() > max_items) out += fmt::format(", ... ({} in all)", items.size());
  return out;
}

}  // namespace hwf::engine
