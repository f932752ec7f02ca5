#pragma once
// report.html: one self-contained, offline page of interactive charts (Vega-Lite) built from a
// results folder of `run`, `compare`, `mc` or `calibrate` (docs/report.md).

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <string_view>

namespace hwf::out {

/// Reference lines and labels the report draws; the caller takes them from the model, so the
/// page repeats no constant of its own.
struct report_settings {
  double sdg_threshold = 0;      ///< SDG index threshold, workers per 10,000 people
  double safeguards_median = 0;  ///< the Safeguards List's global median density, per 10,000
  int safeguards_edition = 0;    ///< the List's edition year
  std::string generator;         ///< "hwfsim 0.1.0 (commit)", shown in the page's footer
};

/// Significant digits of the numbers embedded in the page (the CSVs hold full precision).
inline constexpr int report_significant_digits = 6;

/// Most bytes read from one file of a results folder (run.json, a CSV); a larger file, or
/// anything but a regular file (a device, a FIFO), is refused (docs/robustness.md).
inline constexpr std::uintmax_t max_result_file_bytes = std::uintmax_t{1} << 30;

/// Deepest nesting of arrays and objects accepted in run.json (hwfsim writes 5 levels).
inline constexpr int max_run_json_depth = 64;

/// The page for results folder `dir`: run.json says what the folder holds (a run, a comparison,
/// a Monte Carlo ensemble, a calibration) and which CSV files to read. Throws engine::input_error,
/// naming the folder or file, when `dir` is missing, is not a folder, has no run.json, or holds
/// files that hwfsim did not write as it writes them (including run.json nested deeper than
/// max_run_json_depth, and files that are not regular or exceed max_result_file_bytes).
std::string report_html(const std::filesystem::path& dir, const report_settings& settings);

/// Writes report_html(dir) to dir/report.html atomically (replacing an older report) and returns
/// its size in bytes. Throws as report_html, and output_error if the file cannot be written.
std::size_t write_report(const std::filesystem::path& dir, const report_settings& settings);

/// `json` made safe inside <script type="application/json">: '<', '>', '&', U+2028 and U+2029
/// become \u escapes (still the same JSON), so no text in it can close the element.
std::string script_safe_json(std::string_view json);

/// A page embedded by hwf_report_embed (report.html, the workshop page): its parts before the
/// data, `json` made script-safe (script_safe_json), and its parts after.
std::string page_with_data(std::span<const std::string_view> before, std::string_view json,
                           std::span<const std::string_view> after);

/// `x` with report_significant_digits significant digits in the shortest JSON form ("275094",
/// "1353890", "1.10074e9", "0.0125"); "null" when not finite.
std::string compact_number(double x);

}  // namespace hwf::out
