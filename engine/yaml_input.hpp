#pragma once
// Reading YAML with positions: every value keeps its file:line:col and key path, duplicate and
// unknown keys are reported, and numbers are parsed strictly (no NaN, no quoted numbers).

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "engine/diagnostics.hpp"

namespace hwf::engine {

/// A parsed YAML file and its raw bytes (kept for hashing and provenance).
struct yaml_file {
  std::string display_name;  ///< how messages name the file (the path as the user gave it)
  std::filesystem::path path;
  std::string content;  ///< bytes as read, before the BOM is stripped
  YAML::Node root;
};

/// Most bytes read from one input file; larger files are refused with this limit named.
inline constexpr std::uintmax_t max_input_bytes = 16u << 20;

/// Most nodes that aliases (`*name`) may add to a file beyond those written in it: a file
/// whose anchors would expand to more is refused at the alias that crosses the limit.
inline constexpr std::uint64_t max_alias_expansion = 1'000'000;

/// A file that could not be read at all (missing, not a regular file, too large, an I/O
/// error): one whole-file diagnostic, so that the file naming it can point at its own key.
class unreadable_file : public input_error {
 public:
  using input_error::input_error;
};

/// Reads (engine::read_regular_file) and parses `path`. Throws input_error naming the file for:
/// a missing or unreadable file, a symbolic link loop, anything but a regular file (a folder,
/// a device such as /dev/zero, a FIFO), a file over max_input_bytes (these as unreadable_file),
/// binary content (NUL bytes, invalid UTF-8), tabs used for indentation, YAML syntax errors
/// (with line and column), a second YAML document (after `---` or `...`), and aliases
/// expanding beyond max_alias_expansion. A UTF-8 byte-order mark and CRLF line endings are
/// accepted.
yaml_file load_yaml_file(const std::filesystem::path& path, std::string display_name);

/// Parses YAML held in memory (tests, fuzzing); same checks as load_yaml_file.
yaml_file parse_yaml(std::string content, std::string display_name);

/// A YAML node together with its key path, its file and the diagnostics it reports into.
/// Conversions report a diagnostic and return nullopt on failure; they never throw.
class node_ref {
 public:
  node_ref(YAML::Node node, std::string path, const yaml_file& file, diagnostic_list& diags);
  node_ref(const node_ref&) = default;
  /// Rebinds this reference to `other`'s node. (A YAML::Node assigned to another writes the
  /// other's content into the node it refers to, changing the document; a node_ref never does.)
  node_ref& operator=(const node_ref& other);
  node_ref& operator=(node_ref&& other) noexcept;
  ~node_ref() = default;

  const YAML::Node& node() const noexcept { return node_; }
  const std::string& path() const noexcept { return path_; }
  const yaml_file& file() const noexcept { return *file_; }
  diagnostic_list& diags() const noexcept { return *diags_; }
  source_location where() const;

  bool is_map() const { return node_.IsMap(); }
  bool is_sequence() const { return node_.IsSequence(); }
  bool is_scalar() const { return node_.IsScalar(); }

  /// Reports a problem at this node.
  void error(std::string message, std::vector<std::string> notes = {},
             std::string suggestion = {}) const;
  /// What the node holds, for messages: `the string "abc"`, `1.5`, `a list`, `a mapping`.
  std::string describe() const;

  /// A finite number written as a plain, untagged YAML scalar: an optional sign, digits,
  /// decimals, exponent ("1/12"-style fractions of unsigned numbers when allowed).
  std::optional<double> to_number(bool allow_fraction = false) const;
  /// A whole number in [lo, hi].
  std::optional<long long> to_integer(long long lo, long long hi) const;
  std::optional<std::string> to_string() const;
  std::optional<bool> to_bool() const;

  /// Entries of a mapping in file order. Reports (and drops) duplicate keys and keys that are
  /// not scalars; reports a node that is not a mapping and returns nullopt.
  std::optional<std::vector<std::pair<std::string, node_ref>>> to_entries() const;
  /// Items of a list (paths `path[i]`); reports a node that is not a list.
  std::optional<std::vector<node_ref>> to_items() const;

  node_ref child(const YAML::Node& n, std::string_view key) const;
  node_ref item(const YAML::Node& n, std::size_t index) const;

 private:
  YAML::Node node_;
  std::string path_;
  const yaml_file* file_;
  diagnostic_list* diags_;
};

/// A mapping checked against the keys valid at its place. Construction reports a node that is
/// not a mapping, duplicate keys, and unknown keys (with the closest valid key suggested).
class map_view {
 public:
  map_view(const node_ref& node, std::vector<std::string> valid_keys);
  /// Also keeps `refused_keys` (keys of earlier versions that the caller refuses with its own
  /// message) instead of reporting them as unknown; they are not listed as expected keys.
  map_view(const node_ref& node, std::vector<std::string> valid_keys,
           const std::vector<std::string>& refused_keys);

  bool is_map() const noexcept { return is_map_; }
  const node_ref& self() const noexcept { return self_; }
  /// The value under `key`, if present (and `key` is one of the valid keys).
  std::optional<node_ref> get(std::string_view key) const;
  /// Like get(), but reports "missing required key" when absent.
  std::optional<node_ref> require(std::string_view key) const;
  /// Reports "missing required key" for `key` with a custom note (e.g. alternatives).
  void report_missing(std::string_view key, std::vector<std::string> notes = {}) const;
  const std::vector<std::pair<std::string, node_ref>>& entries() const noexcept { return entries_; }

 private:
  node_ref self_;
  bool is_map_ = false;
  std::vector<std::pair<std::string, node_ref>> entries_;
};

/// Whether `root` has the shape of the file expected (`what`, e.g. "model dataset"): it is
/// not a text value, nor a mapping none of whose keys is one of `valid_keys`. Otherwise reports
/// one error at the start of the file, quoting at most its first key (never its lines: the
/// file may be any text file named by mistake), and returns false.
bool has_expected_shape(const node_ref& root, const std::vector<std::string>& valid_keys,
                        std::string_view what);

/// The version of the input file formats that this build reads: model datasets, scenarios and
/// observed counts say it in a top-level `format:` key; a file without one is of this version.
/// A later version that changes the files raises it, so that older files can be migrated.
inline constexpr long long current_format = 1;

/// Checks the optional top-level `format:` of `root` (`what` names the kind of file, e.g.
/// "scenario"): a version that is not a whole number, or not current_format, is reported at the
/// value and false returned, so that a caller reads nothing else of a file written for another
/// version. A root that is not a mapping passes (its shape is reported elsewhere).
bool check_format(const node_ref& root, std::string_view what);

/// Joins a key path: "a" + "b" -> "a.b"; an empty parent gives "b".
std::string join_path(std::string_view parent, std::string_view key);

}  // namespace hwf::engine
