#include "app/workbook.hpp"

#include <tuple>

#include <fmt/format.h>

#include "models/workforce/comparison.hpp"
#include "models/workforce/indicators.hpp"

namespace hwf::app {

namespace {

/// The style of a model indicator's values (general for a name the model does not report).
out::xlsx_number indicator_style(std::string_view name) {
  for (const auto& info : model::report_indicators())
    if (info.name == name) return out::number_style(info.format);
  return out::xlsx_number::general;
}

/// The value of `indicator` for a country's cadre-`all` row at output row `row`.
double country_value(const model::compiled_model& m, const engine::table_values& t, std::size_t row,
                     std::size_t country, std::string_view indicator) {
  return t.row(row)[m.all_series(
      country, model::indicator_position(model::country_indicators(), indicator))];
}

/// A sheet of key figures.
out::xlsx_sheet sheet_of(const key_figures& k) {
  out::xlsx_sheet s;
  s.name = "Key figures";
  s.header = k.columns;
  s.numeric.assign(k.columns.size(), true);
  s.numeric[0] = false;
  s.columns.push_back(out::xlsx_number::general);
  s.columns.insert(s.columns.end(), k.styles.begin(), k.styles.end());
  s.widths.assign(k.columns.size(), 16.0);
  for (std::size_t r = 0; r < k.labels.size(); ++r) {
    std::vector<std::string> row{k.labels[r]};
    for (double v : k.values[r]) row.push_back(fmt::format("{}", v));
    s.rows.push_back(std::move(row));
  }
  return s;
}

}  // namespace

key_figures run_key_figures(const model::compiled_model& m, const engine::run_result& r) {
  const auto& t = r.tables[0];
  const std::size_t first = 0, last = r.times.size() - 1;
  const int y0 = static_cast<int>(r.times[first]), y1 = static_cast<int>(r.times[last]);
  key_figures k;
  k.title = fmt::format("All cadres, {} and {} (density per 10,000 people; SDG index threshold {})",
                        y0, y1, model::sdg_threshold);
  k.columns = {"country"};
  const std::tuple<const char*, const char*, out::xlsx_number> indicators[] = {
      {"supply", "supply", out::xlsx_number::count},
      {"density_per_10k", "density per 10,000", out::xlsx_number::decimal},
      {"shortage", "shortage", out::xlsx_number::count}};
  for (const auto& [name, title, style] : indicators)
    for (const int y : {y0, y1}) {
      k.columns.push_back(fmt::format("{} {}", title, y));
      k.styles.push_back(style);
    }
  for (std::size_t c = 0; c < m.countries().size(); ++c) {
    k.labels.push_back(m.countries()[c].iso3);
    std::vector<double> row;
    for (const auto& [name, title, style] : indicators)
      for (const std::size_t at : {first, last}) row.push_back(country_value(m, t, at, c, name));
    k.values.push_back(std::move(row));
  }
  return k;
}

std::string run_workbook(const model::compiled_model& m, const engine::run_result& r,
                         const out::run_record& record,
                         const std::vector<std::pair<std::string, std::string>>& tables) {
  std::vector<out::xlsx_sheet> sheets{sheet_of(run_key_figures(m, r))};
  out::xlsx_sheet charts;
  charts.name = "Charts";
  sheets.push_back(charts);
  for (const auto& [file, csv] : tables)
    sheets.push_back(out::sheet_of_csv(file, csv, indicator_style));

  // Chart data: a year column, each country's supply and density, and the threshold.
  out::xlsx_sheet data;
  data.name = "Chart data";
  data.header = {"year"};
  data.columns = {out::xlsx_number::year};
  const auto& countries = m.countries();
  for (const auto& c : countries) {
    data.header.push_back(c.iso3 + " supply");
    data.header.push_back(c.iso3 + " density per 10,000");
    data.columns.push_back(out::xlsx_number::count);
    data.columns.push_back(out::xlsx_number::decimal);
  }
  data.header.push_back(fmt::format("SDG index threshold {}", model::sdg_threshold));
  data.columns.push_back(out::xlsx_number::decimal);
  data.numeric.assign(data.header.size(), true);
  data.widths.assign(data.header.size(), 14.0);
  for (std::size_t row = 0; row < r.times.size(); ++row) {
    std::vector<std::string> cells{fmt::format("{}", r.times[row])};
    for (std::size_t c = 0; c < countries.size(); ++c) {
      cells.push_back(fmt::format("{}", country_value(m, r.tables[0], row, c, "supply")));
      cells.push_back(fmt::format("{}", country_value(m, r.tables[0], row, c, "density_per_10k")));
    }
    cells.push_back(fmt::format("{}", model::sdg_threshold));
    data.rows.push_back(std::move(cells));
  }
  const std::size_t threshold = data.header.size() - 1, last_row = r.times.size() - 1;
  sheets.push_back(std::move(data));

  // Per country, side by side: its density against the threshold, and its supply.
  std::vector<out::xlsx_line_chart> graphs;
  for (std::size_t c = 0; c < countries.size(); ++c) {
    std::string name = countries[c].iso3;
    for (const auto& rc : record.countries)
      if (rc.iso3 == name && !rc.name.empty()) name = rc.name;
    out::xlsx_line_chart density{fmt::format("{}: density per 10,000 people", name),
                                 "per 10,000 people",
                                 "Chart data",
                                 0,
                                 last_row,
                                 0,
                                 {2 + 2 * c, threshold},
                                 {false, true},
                                 "Charts",
                                 1 + 18 * c,
                                 0};
    out::xlsx_line_chart supply{fmt::format("{}: supply", name),
                                "workers",
                                "Chart data",
                                0,
                                last_row,
                                0,
                                {1 + 2 * c},
                                {false},
                                "Charts",
                                1 + 18 * c,
                                10};
    graphs.push_back(std::move(density));
    graphs.push_back(std::move(supply));
  }
  return out::xlsx_bytes("results.xlsx", sheets, graphs);
}

}  // namespace hwf::app
