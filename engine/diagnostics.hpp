#pragma once
// Input diagnostics: where a bad value is (file:line:col), what was expected, and a suggestion.

#include <cstddef>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace hwf::engine {

/// A place in an input file. `line` and `column` are 1-based; 0 means "the whole file".
struct source_location {
  std::string file;
  int line = 0;
  int column = 0;
};

/// One problem found in the input: where, which key, what is wrong, and how to fix it.
struct diagnostic {
  source_location where;
  std::string key_path;            ///< dotted path, e.g. countries.KEN.cadres.nurses.exit_rate
  std::string message;             ///< what is wrong, e.g. "unknown key"
  std::vector<std::string> notes;  ///< further lines, e.g. "expected one of: a, b"
  std::string suggestion;          ///< closest valid spelling, empty if none
};

/// "file:line:col: error: path: message" plus indented notes and "did you mean" line. Every
/// part goes through printable() (the key path is also cut at 200 bytes): a file's text never
/// reaches the terminal raw.
/// `severity` is "error" or "warning".
std::string format(const diagnostic& d, std::string_view severity = "error");

/// Bad input: thrown after a file (or a set of files) has been checked, carrying every
/// problem found, in file order. `what()` is the formatted list.
class input_error : public std::runtime_error {
 public:
  explicit input_error(std::vector<diagnostic> diagnostics);
  const std::vector<diagnostic>& diagnostics() const noexcept { return diagnostics_; }

 private:
  std::vector<diagnostic> diagnostics_;
};

/// A broken invariant inside hwfsim itself (never the user's fault).
class internal_error : public std::logic_error {
 public:
  using std::logic_error::logic_error;
};

/// A run that cannot go on: a non-finite or negative state, a collapsed step.
class numerical_error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// What the user can do about an error, named without any command line: the libraries' errors
/// carry one and say what went wrong; the command line turns it into a hint naming its flags
/// (cli/error_hints.cpp). Each remedy is one hint, appended to the error's message.
enum class remedy : unsigned char {
  none,
  skip_failed,                        ///< failed runs may be left out of the statistics
  skip_failed_needs_success,          ///< leaving failed runs out still needs one that succeeds
  raise_memory,                       ///< allow the ensemble more memory
  memory_it_has_or_fewer_runs,        ///< allow memory the machine has, or ask for fewer runs
  lower_chunk_runs,                   ///< fewer runs per chunk
  replace_or_other_folder,            ///< replace the folder's files, or write to another folder
  wait_then_replace_or_other_folder,  ///< wait for the other writer, or another folder
  create_target_or_other_folder,      ///< create the folder a link points to, or another
  start_over,                         ///< start the study over, replacing its checkpoint
  remove_file_or_start_over,          ///< remove the file, or start over
  start_over_instead_of_resuming,     ///< the checkpoint is another study's: start over
  write_anew,                         ///< run the command again, replacing the folder's files
  replace_or_other_file,              ///< replace the file, or write to another file
};

/// The remedy an error carries. The libraries' errors derive from it as well as from their
/// std::exception, so that remedy_of() finds it whatever the error's type.
class with_remedy {
 public:
  explicit with_remedy(remedy r = remedy::none) noexcept : remedy_(r) {}
  remedy what_to_do() const noexcept { return remedy_; }

 private:
  remedy remedy_;
};

/// The remedy `e` carries (remedy::none when it carries none).
remedy remedy_of(const std::exception& e) noexcept;

/// Bad input with a remedy: a results folder that is not one complete run's, say.
class input_error_with_remedy : public input_error, public with_remedy {
 public:
  input_error_with_remedy(std::vector<diagnostic> diagnostics, remedy r)
      : input_error(std::move(diagnostics)), with_remedy(r) {}
};

/// A study's setting that bad input may come from instead of a file (a list of names, say); the
/// command line names the flag that sets it.
enum class setting : unsigned char {
  save_indicators,      ///< the indicators whose every run is saved
  sensitivity_outputs,  ///< the outputs a sensitivity study analyses
};

/// How the libraries name a setting in a diagnostic's file position ("indicators to save").
std::string_view setting_label(setting s) noexcept;

/// Bad input in a setting: the diagnostics' file is setting_label(about()), which the command
/// line replaces by the setting's flag.
class setting_error : public input_error {
 public:
  setting_error(std::vector<diagnostic> diagnostics, setting about)
      : input_error(std::move(diagnostics)), about_(about) {}
  setting about() const noexcept { return about_; }

 private:
  setting about_;
};

/// Collects diagnostics while a file is checked so that all of them are reported together.
class diagnostic_list {
 public:
  /// Most diagnostics kept; the rest are counted and summarised in one line.
  static constexpr std::size_t max_reported = 20;

  void add(diagnostic d);
  bool empty() const noexcept { return count_ == 0; }
  std::size_t count() const noexcept { return count_; }
  /// Throws input_error with everything collected, sorted by file, line and column; does
  /// nothing when empty.
  void throw_if_any() const;

 private:
  std::vector<diagnostic> kept_;
  std::size_t count_ = 0;
};

/// Levenshtein distance (insertions, deletions, substitutions, adjacent transpositions).
std::size_t edit_distance(std::string_view a, std::string_view b);

/// The candidate closest to `key`, if it is a plausible typo: distance <= 2 and less than
/// half the key's length. Ties go to the earliest candidate. The key is compared after
/// normalise(); candidates whose length differs by more than 2 are skipped unread, so a key of
/// any length costs at most a few hundred operations per candidate. This is the one suggestion
/// function: every "did you mean" comes from here.
std::optional<std::string> closest_match(std::string_view key,
                                         std::span<const std::string> candidates);

/// `text` with invisible characters (zero-width spaces and joiners, direction marks, soft
/// hyphens, byte-order marks) removed and look-alike letters (Cyrillic and Greek letters that
/// look like Latin ones, the no-break space) replaced by what they look like.
std::string normalise(std::string_view text);

/// Notes naming the invisible or look-alike characters in `text` (at most three), e.g.
/// "the key contains U+200B (zero width space), an invisible character"; `what` names the text.
std::vector<std::string> character_notes(std::string_view text, std::string_view what = "key");

/// `text` as it may be shown on a terminal: control characters as \xHH (\x1b for ESC),
/// invisible and C1 characters as \uXXXX, invalid UTF-8 bytes as \xHH; everything else as is
/// (backslashes too, so that applying it twice changes nothing). With `max_bytes`, text longer
/// than that is cut there (at a character boundary) and "... (N bytes)" added.
std::string printable(std::string_view text, std::size_t max_bytes = 0);

/// Decodes the UTF-8 character at `s[i]`: its code point and its length in bytes, or length 0
/// when the bytes there are not valid UTF-8 (a bad lead or continuation byte, a cut sequence).
std::pair<char32_t, std::size_t> decode_utf8_at(std::string_view s, std::size_t i);

/// "a, b, c" (with "..." after `max_items`).
std::string join_list(std::span<const std::string> items, std::size_t max_items = 40);

}  // namespace hwf::engine
