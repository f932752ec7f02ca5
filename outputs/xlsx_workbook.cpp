#include "outputs/xlsx_workbook.hpp"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <iterator>
#include <map>
#include <memory>

#include <fmt/format.h>
#include <unistd.h>
#include <xlsxwriter.h>

#include "engine/diagnostics.hpp"
#include "outputs/atomic_file.hpp"
#include "outputs/csv_writer.hpp"
#include "outputs/results_catalogue.hpp"

namespace hwf::out {

xlsx_number number_style(engine::value_format format) {
  switch (format) {
    case engine::value_format::count:
      return xlsx_number::count;
    case engine::value_format::density:
      return xlsx_number::decimal;
    case engine::value_format::usd:
      return xlsx_number::usd;
    case engine::value_format::share:
      return xlsx_number::share;
    case engine::value_format::number:
      return xlsx_number::general;
  }
  return xlsx_number::general;
}

namespace {

/// A scratch file for libxlsxwriter, removed when this goes.
class scratch_file {
 public:
  explicit scratch_file(const std::string& name) {
    std::error_code ec;
    const auto folder = std::filesystem::temp_directory_path(ec);
    auto pattern = (folder / ("hwfsim-" + name + "-XXXXXX")).string();
    const int fd = ec ? -1 : ::mkstemp(pattern.data());
    if (fd < 0)
      throw output_error(fmt::format(
          "{}: cannot create a scratch file in the temporary folder {} (TMPDIR): {}", name,
          folder.empty() ? std::string(std::getenv("TMPDIR") ? std::getenv("TMPDIR") : "/tmp")
                         : folder.string(),
          ec ? ec.message() : std::string(std::strerror(errno))));
    ::close(fd);
    path_ = pattern;
  }
  ~scratch_file() {
    std::error_code ec;
    std::filesystem::remove(path_, ec);
  }
  scratch_file(const scratch_file&) = delete;
  scratch_file& operator=(const scratch_file&) = delete;
  const std::filesystem::path& path() const noexcept { return path_; }

 private:
  std::filesystem::path path_;
};

/// The colours of chart lines by group: Excel's default series colours, in its order.
constexpr lxw_color_t palette[] = {0x4472C4, 0xED7D31, 0xA5A5A5, 0xFFC000,
                                   0x5B9BD5, 0x70AD47, 0x264478, 0x9E480E};

/// The creation time of every workbook: 2000-01-01T00:00:00Z.
constexpr std::time_t fixed_creation_time = 946684800;

void check_sheet_name(const std::string& name) {
  if (name.empty() || name.size() > 31 || name.find_first_of("[]:*?/\\") != std::string::npos)
    throw engine::internal_error(fmt::format("'{}' is not a valid sheet name", name));
}

/// The workbook being written, with one format per number style.
class workbook {
 public:
  workbook(const std::string& name, const std::filesystem::path& path) : name_(name) {
    lxw_workbook_options options{};
    options.constant_memory = LXW_FALSE;
    options.tmpdir = nullptr;
    options.use_zip64 = LXW_FALSE;
    book_ = workbook_new_opt(path.c_str(), &options);
    if (book_ == nullptr) throw output_error(fmt::format("{}: cannot create the workbook", name));
    // A fixed creation time (libxlsxwriter's default is the clock, in the document properties
    // and the zip entries), so that the same results give the same bytes; run.json says when.
    lxw_doc_properties properties{};
    properties.created = fixed_creation_time;
    std::string author = "hwfsim";
    properties.author = author.data();
    check(workbook_set_properties(book_, &properties));
    title_ = workbook_add_format(book_);
    format_set_bold(title_);
    header_ = workbook_add_format(book_);
    format_set_bold(header_);
    format_set_bottom(header_, LXW_BORDER_THIN);
    format_set_text_wrap(header_);
    const std::pair<xlsx_number, const char*> numbers[] = {
        {xlsx_number::count, "#,##0"},    {xlsx_number::decimal, "#,##0.0"},
        {xlsx_number::usd, "\"$\"#,##0"}, {xlsx_number::share, "0.0%"},
        {xlsx_number::year, "0"},         {xlsx_number::general, "General"}};
    for (const auto& [style, text] : numbers) {
      auto* f = workbook_add_format(book_);
      format_set_num_format(f, text);
      format_[style] = f;
    }
  }
  ~workbook() {
    if (book_ != nullptr) workbook_close(book_);  // an error path: the scratch file goes anyway
  }
  workbook(const workbook&) = delete;
  workbook& operator=(const workbook&) = delete;

  void add(const xlsx_sheet& s) {
    check_sheet_name(s.name);
    auto* ws = workbook_add_worksheet(book_, s.name.c_str());
    if (ws == nullptr) throw engine::internal_error(fmt::format("sheet '{}' twice", s.name));
    sheets_[s.name] = {ws, &s};
    const lxw_row_t top = s.title.empty() ? 0 : 1;  // the header's row
    if (!s.title.empty()) check(worksheet_write_string(ws, 0, 0, s.title.c_str(), title_));
    for (std::size_t c = 0; c < s.header.size(); ++c) {
      check(worksheet_write_string(ws, top, col(c), s.header[c].c_str(), header_));
      worksheet_set_column(ws, col(c), col(c), c < s.widths.size() ? s.widths[c] : 12.0, nullptr);
    }
    for (std::size_t r = 0; r < s.rows.size(); ++r) {
      const auto& row = s.rows[r];
      const auto row_style = r < s.row_styles.size() ? s.row_styles[r] : xlsx_number::general;
      for (std::size_t c = 0; c < row.size(); ++c) {
        const auto& text = row[c];
        if (text.empty()) continue;
        const bool numeric = c < s.numeric.size() && s.numeric[c];
        const auto number = numeric ? parse_csv_number(text) : std::nullopt;
        const lxw_row_t at = static_cast<lxw_row_t>(r + 1) + top;
        if (number && std::isfinite(*number)) {
          const auto style = c < s.columns.size() && s.columns[c] != xlsx_number::general
                                 ? s.columns[c]
                                 : row_style;
          check(worksheet_write_number(ws, at, col(c), *number, format_.at(style)));
        } else {
          check(worksheet_write_string(ws, at, col(c), text.c_str(), nullptr));
        }
      }
    }
    if (s.header.empty()) return;  // a sheet for charts only
    worksheet_freeze_panes(ws, top + 1, 0);
    worksheet_autofilter(ws, top, 0, static_cast<lxw_row_t>(s.rows.size()) + top,
                         col(s.header.size() - 1));
  }

  void add(const xlsx_line_chart& c) {
    const auto data = sheets_.find(c.data_sheet);
    const auto place = sheets_.find(c.place_sheet);
    if (data == sheets_.end() || place == sheets_.end())
      throw engine::internal_error(
          fmt::format("a chart on sheet '{}' of data on sheet '{}'", c.place_sheet, c.data_sheet));
    const auto& header = data->second.sheet->header;
    auto* chart = workbook_add_chart(book_, LXW_CHART_LINE);
    const lxw_row_t top = data->second.sheet->title.empty() ? 0 : 1;  // the header's row
    const auto first = static_cast<lxw_row_t>(c.first_row + 1) + top,
               last = static_cast<lxw_row_t>(c.last_row + 1) + top;
    for (const auto& l : c.lines) {
      if (l.column >= header.size() || c.category_column >= header.size())
        throw engine::internal_error(
            fmt::format("a chart of column {} of sheet '{}'", l.column, c.data_sheet));
      auto* series = chart_add_series(chart, nullptr, nullptr);
      chart_series_set_categories(series, c.data_sheet.c_str(), first, col(c.category_column), last,
                                  col(c.category_column));
      chart_series_set_values(series, c.data_sheet.c_str(), first, col(l.column), last,
                              col(l.column));
      chart_series_set_name_range(series, c.data_sheet.c_str(), top, col(l.column));
      lxw_chart_line line{};
      switch (l.look) {
        case xlsx_line::solid:
          line.color = palette[l.group % std::size(palette)];
          line.width = 2.25;
          break;
        case xlsx_line::reference:
          line.color = 0x808080;
          line.dash_type = LXW_CHART_LINE_DASH_DASH;
          line.width = 1.25;
          break;
        case xlsx_line::bound:
          line.color = palette[l.group % std::size(palette)];
          line.dash_type = LXW_CHART_LINE_DASH_ROUND_DOT;
          line.width = 1.25;
          break;
      }
      chart_series_set_line(series, &line);
    }
    chart_title_set_name(chart, c.title.c_str());
    chart_axis_set_name(chart->y_axis, c.y_title.c_str());
    chart_legend_set_position(chart, LXW_CHART_LEGEND_BOTTOM);
    lxw_chart_options placement{};
    placement.x_scale = 1.2;
    placement.y_scale = 1.1;
    check(worksheet_insert_chart_opt(place->second.worksheet, static_cast<lxw_row_t>(c.place_row),
                                     col(c.place_column), chart, &placement));
  }

  void close() {
    const auto status = workbook_close(book_);
    book_ = nullptr;
    check(status);
  }

 private:
  struct placed {
    lxw_worksheet* worksheet = nullptr;
    const xlsx_sheet* sheet = nullptr;
  };
  static lxw_col_t col(std::size_t c) { return static_cast<lxw_col_t>(c); }
  void check(lxw_error status) const {
    if (status != LXW_NO_ERROR)
      throw output_error(fmt::format("{}: {}", name_, lxw_strerror(status)));
  }

  std::string name_;
  lxw_workbook* book_ = nullptr;
  lxw_format* title_ = nullptr;
  lxw_format* header_ = nullptr;
  std::map<xlsx_number, lxw_format*> format_;
  std::map<std::string, placed, std::less<>> sheets_;
};

}  // namespace

std::string xlsx_bytes(const std::string& name, const std::vector<xlsx_sheet>& sheets,
                       const std::vector<xlsx_line_chart>& charts) {
  const scratch_file scratch(name);
  {
    workbook book(name, scratch.path());
    for (const auto& s : sheets) book.add(s);
    for (const auto& c : charts) book.add(c);
    book.close();
  }
  auto bytes = read_file(scratch.path());
  if (!bytes)
    throw output_error(fmt::format("{}: cannot read back {}", name, scratch.path().string()));
  return std::move(*bytes);
}

xlsx_sheet sheet_of_csv(const std::string& file, const std::string& csv,
                        const std::function<xlsx_number(std::string_view indicator)>& style_of) {
  const auto& entry = result_entry(file);
  const auto& columns = columns_of(entry.shape);
  xlsx_sheet s;
  s.name = std::string(entry.stem());
  std::size_t indicator = 0;
  bool has_indicator = false;
  for_each_csv_record(csv, [&](const std::vector<std::string>& fields, std::size_t) {
    if (s.header.empty()) {
      s.header = fields;
      for (std::size_t c = 0; c < fields.size(); ++c) {
        const auto& h = fields[c];
        const bool value =
            std::find(columns.values.begin(), columns.values.end(), h) != columns.values.end();
        const bool text =
            std::find(columns.texts.begin(), columns.texts.end(), h) != columns.texts.end();
        // The columns that vary with the study (samples.csv's sampled dimensions) hold
        // numbers; they follow the leading, fixed key and value columns.
        const bool more =
            !columns.more.empty() && entry.table.empty() &&
            c >= columns.leading.size() + entry.fixed_keys.size() + columns.values.size();
        const bool numeric = h == "year" || h == "run" || (value && !text) || more;
        s.numeric.push_back(numeric);
        s.columns.push_back(h == "year" ? xlsx_number::year : xlsx_number::general);
        s.widths.push_back(numeric ? 14.0 : std::max(10.0, static_cast<double>(h.size()) + 2));
        if (h == "indicator") indicator = c, has_indicator = true;
      }
      return;
    }
    s.row_styles.push_back(has_indicator && indicator < fields.size() ? style_of(fields[indicator])
                                                                      : xlsx_number::general);
    s.rows.push_back(fields);
  });
  return s;
}

}  // namespace hwf::out
