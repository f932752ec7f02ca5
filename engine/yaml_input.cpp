#include "engine/yaml_input.hpp"

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <climits>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <sstream>

#include <fmt/format.h>
#include <yaml-cpp/depthguard.h>
#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/parser.h>

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
  for (std::size_t i = 0; i < s.size();) {
    const std::size_t len = decode_utf8_at(s, i).second;
    if (len == 0) return i;
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

/// Stops the event pass at the start of a second document.
struct second_document {
  YAML::Mark mark;
};

/// Stops the event pass at the alias that makes the file expand beyond the budget.
struct expansion_over_budget {
  YAML::Mark mark;
};

/// Counts, while the parser streams events, the nodes each anchor stands for (aliases inside
/// it expanded) and the nodes the aliases add to the file; stops at a second document.
class expansion_counter : public YAML::EventHandler {
 public:
  void OnDocumentStart(const YAML::Mark& mark) override {
    if (++documents_ > 1) throw second_document{mark};
  }
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark&, YAML::anchor_t anchor) override { leaf(anchor); }
  void OnAlias(const YAML::Mark& mark, YAML::anchor_t anchor) override {
    const std::uint64_t n = anchor < sizes_.size() ? sizes_[anchor] : 1;
    added_ = saturating_add(added_, n);
    if (added_ > max_alias_expansion) throw expansion_over_budget{mark};
    add(n);
  }
  void OnScalar(const YAML::Mark&, const std::string&, YAML::anchor_t anchor,
                const std::string&) override {
    leaf(anchor);
  }
  void OnSequenceStart(const YAML::Mark&, const std::string&, YAML::anchor_t anchor,
                       YAML::EmitterStyle::value) override {
    open_.push_back({anchor, 1});
  }
  void OnSequenceEnd() override { close(); }
  void OnMapStart(const YAML::Mark&, const std::string&, YAML::anchor_t anchor,
                  YAML::EmitterStyle::value) override {
    open_.push_back({anchor, 1});
  }
  void OnMapEnd() override { close(); }

 private:
  struct collection {
    YAML::anchor_t anchor;
    std::uint64_t size;
  };
  static std::uint64_t saturating_add(std::uint64_t a, std::uint64_t b) {
    return a > UINT64_MAX - b ? UINT64_MAX : a + b;
  }
  void remember(YAML::anchor_t anchor, std::uint64_t size) {
    if (anchor == YAML::NullAnchor) return;
    if (sizes_.size() <= anchor) sizes_.resize(anchor + 1, 1);
    sizes_[anchor] = size;
  }
  void add(std::uint64_t n) {
    if (!open_.empty()) open_.back().size = saturating_add(open_.back().size, n);
  }
  void leaf(YAML::anchor_t anchor) {
    remember(anchor, 1);
    add(1);
  }
  void close() {
    if (open_.empty()) return;
    const auto c = open_.back();
    open_.pop_back();
    remember(c.anchor, c.size);
    add(c.size);
  }

  int documents_ = 0;
  std::vector<std::uint64_t> sizes_;  ///< by anchor id (yaml-cpp numbers them from 1)
  std::vector<collection> open_;
  std::uint64_t added_ = 0;
};

/// Line (1-based) of the last `...` document-end marker before line `line`, or 0.
int document_end_before(std::string_view text, int line) {
  int found = 0, current = 1;
  std::size_t start = 0;
  while (start < text.size() && current < line) {
    const auto end = text.find('\n', start);
    const auto l = text.substr(start, end == std::string_view::npos ? text.npos : end - start);
    if (l.starts_with("...") && (l.size() == 3 || l[3] == ' ' || l[3] == '\r' || l[3] == '#'))
      found = current;
    if (end == std::string_view::npos) break;
    start = end + 1;
    ++current;
  }
  return found;
}

}  // namespace

yaml_file parse_yaml(std::string content, std::string display_name) {
  yaml_file f;
  f.display_name = std::move(display_name);
  f.content = std::move(content);
  std::string_view text = f.content;
  if (text.starts_with("\xEF\xBB\xBF")) text.remove_prefix(3);  // UTF-8 byte-order mark

  // run.json records every input file by name, as JSON (UTF-8) text: refused before the run.
  if (invalid_utf8_at(f.display_name) != std::string_view::npos)
    fail(file_problem(f.display_name, 0, 0, "the file's name is not valid UTF-8",
                      {"expected a file name in UTF-8 (run.json records it); rename the file "
                       "or the folders on its path"}));

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
    // A first pass over the parser's events: one document only, and aliases within budget
    // (yaml-cpp shares aliased nodes, but every reader walks them once per alias).
    std::istringstream in{std::string(text)};
    YAML::Parser parser(in);
    expansion_counter counter;
    try {
      while (parser.HandleNextDocument(counter)) {
      }
    } catch (const second_document& d) {
      const int line = d.mark.line + 1;
      const int end_marker = document_end_before(text, line);
      const auto at = static_cast<std::size_t>(std::max(d.mark.pos, 0));
      const bool dashes = at < text.size() && text.substr(at, 3) == "---";
      fail(file_problem(
          f.display_name, line, d.mark.column + 1, "a second YAML document starts here",
          {dashes ? std::string("`---` starts a second document; only one document is read "
                                "per file")
                  : fmt::format("the `...` on line {} ends the first document; only one "
                                "document is read per file",
                                end_marker),
           "remove the marker line, or move this part to a file of its own"}));
    } catch (const expansion_over_budget& b) {
      fail(file_problem(
          f.display_name, b.mark.line + 1, b.mark.column + 1,
          fmt::format("aliases expand the file by more than {} nodes", max_alias_expansion),
          {"each alias (*name) stands for the whole block its anchor (&name) names; this many "
           "copies looks like a damaged or hostile file",
           "write the blocks out, or raise hwf::engine::max_alias_expansion and rebuild"}));
    }
    f.root = YAML::Load(std::string(text));
  } catch (const YAML::DeepRecursion& e) {
    // yaml-cpp's own guard against stack exhaustion.
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

node_ref& node_ref::operator=(const node_ref& other) {
  if (this == &other) return *this;
  node_.reset(other.node_);  // rebinds; `node_ = other.node_` would overwrite the document
  path_ = other.path_;
  file_ = other.file_;
  diags_ = other.diags_;
  return *this;
}

node_ref& node_ref::operator=(node_ref&& other) noexcept {
  if (this == &other) return *this;
  node_.reset(other.node_);
  path_ = std::move(other.path_);
  file_ = other.file_;
  diags_ = other.diags_;
  return *this;
}

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
  const std::string shown = printable(s, 40);
  if (node_.Tag() == "!" || node_.Tag() == "tag:yaml.org,2002:str")
    return fmt::format("the string \"{}\"", shown);
  if (node_.Tag() != "?") return fmt::format("'{}' (tagged {})", shown, printable(node_.Tag(), 40));
  return fmt::format("'{}'", shown);
}

namespace {
/// std::from_chars of a double (chars_format::general): emscripten's libc++ 14, which builds the
/// workshop page, has only the integer overloads, so there it reads what from_chars would read
/// (an optional '-', digits with an optional point and exponent, or inf/nan) with strtod, which
/// rounds correctly as from_chars does and reads "C"-locale decimals, the only locale there.
std::from_chars_result double_from_chars(const char* first, const char* last, double& v) {
#if defined(__EMSCRIPTEN__)
  const char* p = first;
  if (p != last && *p == '-') ++p;
  const auto digits = [&] {
    const char* start = p;
    while (p != last && *p >= '0' && *p <= '9') ++p;
    return p != start;
  };
  if (p != last && (*p == 'i' || *p == 'I' || *p == 'n' || *p == 'N')) {
    p = last;  // inf, infinity, nan: strtod reads them as from_chars does
  } else {
    const bool whole = digits();
    bool fraction = false;
    if (p != last && *p == '.') {
      ++p;
      fraction = digits();
    }
    if (!whole && !fraction) return {first, std::errc::invalid_argument};
    if (p != last && (*p == 'e' || *p == 'E')) {
      const char* mark = p++;
      if (p != last && (*p == '+' || *p == '-')) ++p;
      if (!digits()) p = mark;
    }
  }
  const std::string text(first, p);
  char* end = nullptr;
  errno = 0;
  v = std::strtod(text.c_str(), &end);
  if (end != text.c_str() + text.size()) return {first, std::errc::invalid_argument};
  return {p, errno == ERANGE ? std::errc::result_out_of_range : std::errc()};
#else
  return std::from_chars(first, last, v);
#endif
}

/// Parses a whole plain scalar as a double; nullopt if it is not entirely a number (one sign
/// at most, and only with `allow_sign`). A number too large for a double gives infinity
/// (reported as too large by the caller).
std::optional<double> parse_double(std::string_view s, bool allow_sign = true) {
  const bool plus = !s.empty() && s.front() == '+' && allow_sign;
  if (plus) s.remove_prefix(1);
  if (s.empty() || s.front() == '+' || (s.front() == '-' && (plus || !allow_sign)))
    return std::nullopt;
  double v = 0;
  const auto [ptr, ec] = double_from_chars(s.data(), s.data() + s.size(), v);
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
  if (node_.Tag() != "?") {  // quoted ("!") or tagged (!!str, !!float, ...)
    error(fmt::format("expected {}, found {}", expected, describe()),
          {"numbers are written without quotes or tags"});
    return std::nullopt;
  }
  if (looks_non_finite(s)) {
    error(fmt::format("expected a finite number, found '{}'", printable(s, 40)),
          {"NaN and infinity are not valid parameter values"});
    return std::nullopt;
  }
  if (auto v = parse_double(s)) {
    if (!std::isfinite(*v)) {
      error(fmt::format("the number '{}' is too large", printable(s, 40)));
      return std::nullopt;
    }
    return v;
  }
  if (allow_fraction) {
    if (const auto slash = s.find('/'); slash != std::string::npos) {
      // Both parts unsigned: a fraction such as 1/12 (a negative one is not a fraction we need).
      const auto num = parse_double(std::string_view(s).substr(0, slash), false);
      const auto den = parse_double(std::string_view(s).substr(slash + 1), false);
      if (num && den && *den != 0 && std::isfinite(*num / *den)) return *num / *den;
    }
  }
  if (s.size() > 1 && s.back() == '%')
    if (const auto pct = parse_double(std::string_view(s).substr(0, s.size() - 1))) {
      error(fmt::format("expected {}, found the percentage '{}'", expected, s),
            {fmt::format("shares and rates are fractions: write {} for {}", *pct / 100, s)});
      return std::nullopt;
    }
  error(fmt::format("expected {}, found {}", expected, describe()));
  return std::nullopt;
}

std::optional<long long> node_ref::to_integer(long long lo, long long hi) const {
  if (!node_.IsScalar() || node_.IsNull() || node_.Tag() != "?") {
    error(fmt::format("expected a whole number, found {}", describe()));
    return std::nullopt;
  }
  std::string_view s = node_.Scalar();
  if (!s.empty() && s.front() == '+') s.remove_prefix(1);
  long long v = 0;
  const auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec == std::errc::result_out_of_range && ptr == s.data() + s.size()) {
    error(fmt::format("expected a whole number in [{}, {}], found {}", lo, hi, printable(s, 40)));
    return std::nullopt;
  }
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

map_view::map_view(const node_ref& node, std::vector<std::string> valid_keys)
    : map_view(node, std::move(valid_keys), {}) {}

map_view::map_view(const node_ref& node, std::vector<std::string> valid_keys,
                   const std::vector<std::string>& refused_keys)
    : self_(node) {
  auto entries = node.to_entries();
  if (!entries) return;
  is_map_ = true;
  const auto listed = [](const std::vector<std::string>& keys, const std::string& k) {
    return std::find(keys.begin(), keys.end(), k) != keys.end();
  };
  for (auto& [key, value] : *entries) {
    if (!listed(valid_keys, key) && !listed(refused_keys, key)) {
      const auto guess = closest_match(key, valid_keys);
      node_ref key_ref(value.node(), value.path(), value.file(), value.diags());
      // Point at the key itself, not its value.
      for (auto it = node.node().begin(); it != node.node().end(); ++it)
        if (it->first.IsScalar() && it->first.Scalar() == key) {
          key_ref = node_ref(it->first, value.path(), value.file(), value.diags());
          break;
        }
      auto notes = character_notes(key);
      notes.push_back("expected one of: " + join_list(valid_keys));
      key_ref.error("unknown key", std::move(notes), guess.value_or(""));
      continue;
    }
    entries_.emplace_back(std::move(key), std::move(value));
  }
}

bool has_expected_shape(const node_ref& root, const std::vector<std::string>& valid_keys,
                        std::string_view what) {
  const auto& n = root.node();
  const std::string expected = "expected a mapping with keys such as " + join_list(valid_keys);
  if (n.IsScalar()) {
    // Not quoted: a text file named by mistake would have its first line printed.
    root.error(fmt::format("this is not a {}: expected a mapping (key: value lines), found a "
                           "text value of {} characters",
                           what, n.Scalar().size()),
               {expected});
    return false;
  }
  if (!n.IsMap() || n.size() == 0) return true;
  std::string first;
  for (auto it = n.begin(); it != n.end(); ++it) {
    if (!it->first.IsScalar()) return true;  // reported key by key by map_view
    const std::string& k = it->first.Scalar();
    if (std::find(valid_keys.begin(), valid_keys.end(), k) != valid_keys.end()) return true;
    if (closest_match(k, valid_keys)) return true;  // a misspelt key: map_view suggests
    if (first.empty()) first = k;
  }
  root.error(fmt::format("this is not a {}: none of its keys is one it may have; the first is "
                         "'{}'",
                         what, printable(first, 40)),
             {expected});
  return false;
}

bool check_format(const node_ref& root, std::string_view what) {
  const auto& n = root.node();
  if (!n.IsMap()) return true;
  for (auto it = n.begin(); it != n.end(); ++it) {
    if (!it->first.IsScalar() || it->first.Scalar() != "format") continue;
    const node_ref v = root.child(it->second, "format");
    const std::string expected = fmt::format(
        "expected the version of the {} format, a whole number: {} (the current one; a file "
        "without `format:` is version {})",
        what, current_format, current_format);
    long long version = 0;
    bool whole = false;
    if (v.is_scalar() && !v.node().IsNull() && v.node().Tag() == "?") {
      const std::string& s = v.node().Scalar();
      const auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), version);
      whole = ec == std::errc() && ptr == s.data() + s.size();
    }
    if (!whole) {
      v.error(fmt::format("the format version is not a whole number: found {}", v.describe()),
              {expected});
      return false;
    }
    if (version != current_format) {
      std::vector<std::string> notes{expected};
      if (version > current_format) notes.emplace_back("the file may come from a newer hwfsim");
      v.error(fmt::format("unknown format version {}", version), std::move(notes));
      return false;
    }
  }
  return true;
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
