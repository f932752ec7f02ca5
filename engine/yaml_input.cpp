#include "engine/yaml_input.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <sstream>

#include <fmt/format.h>
#include <yaml-cpp/depthguard.h>

#include "engine/input_file.hpp"

namespace hwf::engine {

namespace {

diagnostic file_problem(const std::string& file, int line, int column, std::string message,
                        std::vector<std::string> notes = {}) {
  diagnostic d;
  d.where = {file, line, column};
  d.message = std::move(message);
  d.notes = std::move(notes);
  return d;
}

[[noreturn]] void fail(diagnostic d) {
  throw input_error({std::move(d)});
}

/// Position (1-based line and column) of byte `offset` in `text`.
std::pair<int, int> position_of(std::string_view text, std::size_t offset) {
  int line = 1, column = 1;
  for (std::size_t i = 0; i < offset && i < text.size(); ++i) {
    if (text[i] == '\n') {
      ++line;
      column = 1;
    } else {
      ++column;
    }
  }
  return {line, column};
}

/// Offset of the first byte that breaks UTF-8, or npos.
std::size_t invalid_utf8_at(std::string_view s) {
  std::size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    std::size_t len = c < 0x80           ? 1
                      : (c >> 5) == 0x6  ? 2
                      : (c >> 4) == 0xE  ? 3
                      : (c >> 3) == 0x1E ? 4
                                         : 0;
    if (len == 0 || (len == 2 && c < 0xC2) || i + len > s.size()) return i;
    for (std::size_t k = 1; k < len; ++k)
      if ((static_cast<unsigned char>(s[i + k]) >> 6) != 0x2) return i;
    i += len;
  }
  return std::string_view::npos;
}

/// Offset of a tab used for indentation (a tab among the leading blanks of a line), or npos.
std::size_t indentation_tab_at(std::string_view s) {
  bool at_line_start = true;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (c == '\n') {
      at_line_start = true;
    } else if (at_line_start && c == '\t') {
      return i;
    } else if (c != ' ' && c != '\r') {
      at_line_start = false;
    }
  }
  return std::string_view::npos;
}

}  // namespace

yaml_file parse_yaml(std::string content, std::string display_name) {
  yaml_file f;
  f.display_name = std::move(display_name);
  f.content = std::move(content);
  std::string_view text = f.content;
  if (text.starts_with("\xEF\xBB\xBF")) text.remove_prefix(3);  // UTF-8 byte-order mark

  if (const auto nul = text.find('\0'); nul != std::string_view::npos) {
    const auto [l, c] = position_of(text, nul);
    fail(file_problem(f.display_name, l, c, "this is not a text file (it contains a NUL byte)",
                      {"expected a YAML text file"}));
  }
  if (const auto bad = invalid_utf8_at(text); bad != std::string_view::npos) {
    const auto [l, c] = position_of(text, bad);
    fail(file_problem(f.display_name, l, c, "the file is not valid UTF-8 text",
                      {"expected a YAML text file in UTF-8 encoding"}));
  }
  if (const auto tab = indentation_tab_at(text); tab != std::string_view::npos) {
    const auto [l, c] = position_of(text, tab);
    fail(file_problem(f.display_name, l, c, "a tab is used for indentation",
                      {"YAML indents with spaces only; replace the tab with spaces"}));
  }
  try {
    f.root = YAML::Load(std::string(text));
  } catch (const YAML::DeepRecursion& e) {
    // yaml-cpp's own guard against stack exhaustion ("billion laughs" needs no guard: aliases
    // are shared nodes, and the readers never expand them).
    fail(file_problem(
        f.display_name, e.mark.line + 1, e.mark.column + 1,
        "collections are nested too deeply for an input file",
        {"hwfsim's files nest a few levels; this looks like a damaged or hostile file"}));
  } catch (const YAML::Exception& e) {
    // yaml-cpp marks are 0-based; ours are 1-based.
    const int line = e.mark.is_null() ? 0 : e.mark.line + 1;
    const int column = e.mark.is_null() ? 0 : e.mark.column + 1;
    fail(file_problem(f.display_name, line, column, "YAML syntax error: " + e.msg));
  }
  return f;
}

yaml_file load_yaml_file(const std::filesystem::path& path, std::string display_name) {
  std::string content;
  try {
    content = read_regular_file(
        path, max_input_bytes,
        "input files this large are refused to protect memory; split the data or raise "
        "hwf::engine::max_input_bytes and rebuild");
  } catch (const read_error& e) {
    throw unreadable_file({file_problem(display_name, 0, 0, e.what(), e.notes())});
  }
  auto f = parse_yaml(std::move(content), std::move(display_name));
  f.path = path;
  return f;
}

std::string join_path(std::string_view parent, std::string_view key) {
  if (parent.empty()) return std::string(key);
  std::string out(parent);
  out += '.';
  out += key;
  return out;
}

node_ref::node_ref(YAML::Node node, std::string path, const yaml_file& file, diagnostic_list& diags)
    : node_(std::move(node)), path_(std::move(path)), file_(&file), diags_(&diags) {}

source_location node_ref::where() const {
  const auto m = node_.Mark();
  if (m.is_null()) return {file_->display_name, 0, 0};
  return {file_->display_name, m.line + 1, m.column + 1};
}

void node_ref::error(std::string message, std::vector<std::string> notes,
                     std::string suggestion) const {
  diagnostic d;
  d.where = where();
  d.key_path = path_;
  d.message = std::move(message);
  d.notes = std::move(notes);
  d.suggestion = std::move(suggestion);
  diags_->add(std::move(d));
}

std::string node_ref::describe() const {
  if (!node_.IsDefined() || node_.IsNull()) return "nothing (an empty value)";
  if (node_.IsMap()) return "a mapping";
  if (node_.IsSequence()) return "a list";
  const std::string& s = node_.Scalar();
  std::string shown = s.size() > 40 ? s.substr(0, 37) + "..." : s;
  if (node_.Tag() == "!") return fmt::format("the string \"{}\"", shown);
  return fmt::format("'{}'", shown);
}

namespace {
/// Parses a whole plain scalar as a double; nullopt if it is not entirely a number. A number
/// too large for a double gives infinity (reported as too large by the caller).
std::optional<double> parse_double(std::string_view s) {
  if (!s.empty() && s.front() == '+') s.remove_prefix(1);
  if (s.empty()) return std::nullopt;
  double v = 0;
  const auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ptr != s.data() + s.size()) return std::nullopt;
  if (ec == std::errc::result_out_of_range)  // strtod tells overflow (HUGE_VAL) from underflow
    return std::strtod(std::string(s).c_str(), nullptr);
  if (ec != std::errc()) return std::nullopt;
  return v;
}
bool looks_non_finite(std::string_view s) {
  std::string lower;
  for (char c : s) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  for (std::string_view w :
       {".nan", "nan", ".inf", "inf", "+.inf", "-.inf", "-inf", "+inf", "infinity", "-infinity"})
    if (lower == w) return true;
  return false;
}
}  // namespace

std::optional<double> node_ref::to_number(bool allow_fraction) const {
  const std::string expected =
      allow_fraction ? "a number (or a fraction such as 1/12)" : "a number";
  if (!node_.IsScalar() || node_.IsNull()) {
    error(fmt::format("expected {}, found {}", expected, describe()));
    return std::nullopt;
  }
  const std::string& s = node_.Scalar();
  if (node_.Tag() == "!") {
    error(fmt::format("expected {}, found {}", expected, describe()),
          {"numbers are written without quotes"});
    return std::nullopt;
  }
  if (looks_non_finite(s)) {
    error(fmt::format("expected a finite number, found '{}'", s),
          {"NaN and infinity are not valid parameter values"});
    return std::nullopt;
  }
  if (auto v = parse_double(s)) {
    if (!std::isfinite(*v)) {
      error(fmt::format("the number '{}' is too large", s));
      return std::nullopt;
    }
    return v;
  }
  if (allow_fraction) {
    if (const auto slash = s.find('/'); slash != std::string::npos) {
      const auto num = parse_double(std::string_view(s).substr(0, slash));
      const auto den = parse_double(std::string_view(s).substr(slash + 1));
      if (num && den && *den != 0 && std::isfinite(*num / *den)) return *num / *den;
    }
  }
  error(fmt::format("expected {}, found {}", expected, describe()));
  return std::nullopt;
}

std::optional<long long> node_ref::to_integer(long long lo, long long hi) const {
  if (!node_.IsScalar() || node_.IsNull() || node_.Tag() == "!") {
    error(fmt::format("expected a whole number, found {}", describe()));
    return std::nullopt;
  }
  std::string_view s = node_.Scalar();
  if (!s.empty() && s.front() == '+') s.remove_prefix(1);
  long long v = 0;
  const auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || ptr != s.data() + s.size()) {
    error(fmt::format("expected a whole number, found {}", describe()));
    return std::nullopt;
  }
  if (v < lo || v > hi) {
    error(fmt::format("expected a whole number in [{}, {}], found {}", lo, hi, v));
    return std::nullopt;
  }
  return v;
}

std::optional<std::string> node_ref::to_string() const {
  if (!node_.IsScalar() || node_.IsNull()) {
    error(fmt::format("expected a text value, found {}", describe()));
    return std::nullopt;
  }
  return node_.Scalar();
}

std::optional<bool> node_ref::to_bool() const {
  if (node_.IsScalar() && node_.Tag() != "!") {
    const std::string& s = node_.Scalar();
    if (s == "true" || s == "True" || s == "TRUE") return true;
    if (s == "false" || s == "False" || s == "FALSE") return false;
  }
  error(fmt::format("expected true or false, found {}", describe()));
  return std::nullopt;
}

node_ref node_ref::child(const YAML::Node& n, std::string_view key) const {
  return node_ref(n, join_path(path_, key), *file_, *diags_);
}

node_ref node_ref::item(const YAML::Node& n, std::size_t index) const {
  return node_ref(n, fmt::format("{}[{}]", path_, index), *file_, *diags_);
}

std::optional<std::vector<std::pair<std::string, node_ref>>> node_ref::to_entries() const {
  if (!node_.IsMap()) {
    error(fmt::format("expected a mapping (key: value lines), found {}", describe()));
    return std::nullopt;
  }
  std::vector<std::pair<std::string, node_ref>> out;
  std::vector<std::pair<std::string, int>> seen;  // key, line of first occurrence
  for (auto it = node_.begin(); it != node_.end(); ++it) {
    const YAML::Node key = it->first;
    if (!key.IsScalar()) {
      node_ref(key, path_, *file_, *diags_)
          .error("a key must be a plain name, found " +
                 node_ref(key, path_, *file_, *diags_).describe());
      continue;
    }
    const std::string& k = key.Scalar();
    const auto dup =
        std::find_if(seen.begin(), seen.end(), [&](const auto& p) { return p.first == k; });
    node_ref key_ref(key, join_path(path_, k), *file_, *diags_);
    if (dup != seen.end()) {
      key_ref.error(fmt::format("duplicate key (first given at line {})", dup->second),
                    {"each key may appear once in a mapping"});
      continue;
    }
    seen.emplace_back(k, key_ref.where().line);
    out.emplace_back(k, child(it->second, k));
  }
  return out;
}

std::optional<std::vector<node_ref>> node_ref::to_items() const {
  if (!node_.IsSequence()) {
    error(fmt::format("expected a list, found {}", describe()));
    return std::nullopt;
  }
  std::vector<node_ref> out;
  out.reserve(node_.size());
  std::size_t i = 0;
  for (auto it = node_.begin(); it != node_.end(); ++it) out.push_back(item(*it, i++));
  return out;
}

map_view::map_view(const node_ref& node, std::vector<std::string> valid_keys) : self_(node) {
  auto entries = node.to_entries();
  if (!entries) return;
  is_map_ = true;
  for (auto& [key, value] : *entries) {
    if (std::find(valid_keys.begin(), valid_keys.end(), key) == valid_keys.end()) {
      const auto guess = closest_match(key, valid_keys);
      node_ref key_ref(value.node(), value.path(), value.file(), value.diags());
      // Point at the key itself, not its value.
      for (auto it = node.node().begin(); it != node.node().end(); ++it)
        if (it->first.IsScalar() && it->first.Scalar() == key) {
          key_ref = node_ref(it->first, value.path(), value.file(), value.diags());
          break;
        }
      key_ref.error("unknown key", {"expected one of: " + join_list(valid_keys)},
                    guess.value_or(""));
      continue;
    }
    entries_.emplace_back(std::move(key), std::move(value));
  }
}

std::optional<node_ref> map_view::get(std::string_view key) const {
  for (const auto& [k, v] : entries_)
    if (k == key) return v;
  return std::nullopt;
}

std::optional<node_ref> map_view::require(std::string_view key) const {
  auto v = get(key);
  if (!v && is_map_) report_missing(key);
  return v;
}

void map_view::report_missing(std::string_view key, std::vector<std::string> notes) const {
  diagnostic d;
  d.where = self_.where();
  d.key_path = join_path(self_.path(), key);
  d.message = "missing required key";
  d.notes = std::move(notes);
  self_.diags().add(std::move(d));
}

}  // namespace hwf::engine
