#include "app/workbook.hpp"

#include <algorithm>
#include <cmath>
#include <tuple>

#include <fmt/format.h>

#include "app/compare_study.hpp"
#include "app/console.hpp"
#include "models/workforce/comparison.hpp"
#include "models/workforce/indicators.hpp"
#include "outputs/csv_writer.hpp"

namespace hwf::app {

namespace {

/// The style of a model indicator's values (general for a name the model does not report).
out::xlsx_number indicator_style(std::string_view name) {
  for (const auto& info : model::report_indicators())
    if (info.name == name) return out::number_style(info.format);
  return out::xlsx_number::general;
}

/// The series of country `country`'s cadre-`all` value of `indicator` in a table of indicators.
std::size_t country_series(const model::compiled_model& m, std::size_t country,
                           std::string_view indicator) {
  return m.all_series(country, model::indicator_position(model::country_indicators(), indicator));
}

/// The value of `indicator` for a country's cadre-`all` row at output row `row`.
double country_value(const model::compiled_model& m, const engine::table_values& t, std::size_t row,
                     std::size_t country, std::string_view indicator) {
  return t.row(row)[country_series(m, country, indicator)];
}

/// A country's name in a scenario's model (its ISO3 code where it has none).
std::string country_name(const model::scenario_description& s, const std::string& iso3) {
  for (const auto& c : s.model.countries)
    if (c.iso3 == iso3 && !c.name.empty()) return c.name;
  return iso3;
}

/// A sheet of key figures.
out::xlsx_sheet sheet_of(const key_figures& k) {
  out::xlsx_sheet s;
  s.name = "Key figures";
  s.title = k.title;
  s.header = k.label_columns;
  s.header.insert(s.header.end(), k.columns.begin(), k.columns.end());
  s.numeric.assign(k.label_columns.size(), false);
  s.numeric.resize(s.header.size(), true);
  s.columns.assign(k.label_columns.size(), out::xlsx_number::general);
  s.columns.insert(s.columns.end(), k.styles.begin(), k.styles.end());
  s.widths.assign(s.header.size(), 16.0);
  for (std::size_t r = 0; r < k.labels.size(); ++r) {
    auto row = k.labels[r];
    for (double v : k.values[r]) row.push_back(out::csv_number(v));
    s.rows.push_back(std::move(row));
  }
  return s;
}

/// The 5%, 50% and 95% quantiles: their positions in engine::cell_statistics::levels and names.
constexpr std::tuple<std::size_t, const char*> band[] = {{0, "p05"}, {2, "p50"}, {4, "p95"}};

}  // namespace

std::string key_figures_text(const key_figures& k) {
  const auto cell = [&](std::size_t column, double v) -> std::string {
    if (std::isnan(v)) return "-";
    switch (k.styles[column]) {
      case out::xlsx_number::count:
        return fmt::format("{:.0f}", v);
      case out::xlsx_number::decimal:
        return fmt::format("{:.1f}", v);
      case out::xlsx_number::usd:
        return money(v);
      case out::xlsx_number::share:
        return fmt::format("{:.0f}%", 100 * v);
      case out::xlsx_number::year:
      case out::xlsx_number::general:
        break;
    }
    return fmt::format("{}", v);
  };
  std::vector<std::vector<std::string>> rows;
  std::vector<std::size_t> widths;
  for (const auto& c : k.label_columns) widths.push_back(c.size());
  for (const auto& c : k.columns) widths.push_back(c.size());
  for (std::size_t r = 0; r < k.labels.size(); ++r) {
    auto row = k.labels[r];
    for (std::size_t c = 0; c < k.columns.size(); ++c) row.push_back(cell(c, k.values[r][c]));
    for (std::size_t c = 0; c < row.size(); ++c) widths[c] = std::max(widths[c], row[c].size());
    rows.push_back(std::move(row));
  }
  auto header = k.label_columns;
  header.insert(header.end(), k.columns.begin(), k.columns.end());
  rows.insert(rows.begin(), std::move(header));
  auto text = fmt::format("\n{}:\n\n", k.title);
  const std::size_t labels = k.label_columns.size();
  for (const auto& row : rows) {
    std::string line;
    for (std::size_t c = 0; c < row.size(); ++c)
      line += c < labels ? fmt::format("{:<{}}  ", row[c], widths[c])
                         : fmt::format("{:>{}}  ", row[c], widths[c]);
    line.erase(line.find_last_not_of(' ') + 1);
    text += line + "\n";
  }
  return text;
}

std::string results_workbook(const key_figures& k, const std::vector<double>& years,
                             const std::vector<country_charts>& charts,
                             const std::vector<std::pair<std::string, std::string>>& tables) {
  std::vector<out::xlsx_sheet> sheets{sheet_of(k)};
  out::xlsx_sheet place;
  place.name = "Charts";
  sheets.push_back(place);
  for (const auto& [file, csv] : tables)
    sheets.push_back(out::sheet_of_csv(file, csv, indicator_style));

  // Chart data: a year column, every line of every chart, and the threshold last.
  out::xlsx_sheet data;
  data.name = "Chart data";
  data.header = {"year"};
  data.columns = {out::xlsx_number::year};
  std::vector<const std::vector<double>*> columns;
  const auto add = [&](const chart_line& line) {  // `line` outlives `columns`
    data.header.push_back(line.name);
    data.columns.push_back(line.style);
    columns.push_back(&line.values);
    return data.header.size() - 1;
  };
  std::vector<out::xlsx_line_chart> graphs;
  const std::size_t last_row = years.size() - 1;
  for (std::size_t c = 0; c < charts.size(); ++c) {
    const auto& country = charts[c];
    out::xlsx_line_chart density{fmt::format("{}: density per 10,000 people", country.title),
                                 "per 10,000 people",
                                 "Chart data",
                                 0,
                                 last_row,
                                 0,
                                 {},
                                 "Charts",
                                 1 + 18 * c,
                                 0};
    out::xlsx_line_chart supply{fmt::format("{}: supply", country.title),
                                "workers",
                                "Chart data",
                                0,
                                last_row,
                                0,
                                {},
                                "Charts",
                                1 + 18 * c,
                                10};
    for (const auto& l : country.density) density.lines.push_back({add(l), l.look, l.group});
    for (const auto& l : country.supply) supply.lines.push_back({add(l), l.look, l.group});
    graphs.push_back(std::move(density));
    graphs.push_back(std::move(supply));
  }
  const chart_line threshold{fmt::format("SDG index threshold {}", model::sdg_threshold),
                             out::xlsx_number::decimal,
                             std::vector<double>(years.size(), model::sdg_threshold)};
  const std::size_t threshold_column = add(threshold);
  for (std::size_t c = 0; c < charts.size(); ++c)
    graphs[2 * c].lines.push_back({threshold_column, out::xlsx_line::reference, 0});
  data.numeric.assign(data.header.size(), true);
  data.widths.assign(data.header.size(), 14.0);
  for (std::size_t row = 0; row < years.size(); ++row) {
    std::vector<std::string> cells{fmt::format("{}", years[row])};
    for (const auto* values : columns) cells.push_back(out::csv_number((*values)[row]));
    data.rows.push_back(std::move(cells));
  }
  sheets.push_back(std::move(data));
  return out::xlsx_bytes("results.xlsx", sheets, graphs);
}

key_figures run_key_figures(const model::compiled_model& m, const engine::run_result& r) {
  const auto& t = r.tables[0];
  const std::size_t first = 0, last = r.times.size() - 1;
  const int y0 = static_cast<int>(r.times[first]), y1 = static_cast<int>(r.times[last]);
  key_figures k;
  k.title = fmt::format("All cadres, {} and {} (density per 10,000 people; SDG index threshold {})",
                        y0, y1, model::sdg_threshold);
  k.label_columns = {"country"};
  const std::tuple<const char*, const char*, out::xlsx_number> indicators[] = {
      {"supply", "supply", out::xlsx_number::count},
      {"density_per_10k", "density per 10,000", out::xlsx_number::decimal},
      {"shortage", "shortage", out::xlsx_number::count}};
  for (const auto& [name, title, style] : indicators)
    for (const int y : {y0, y1}) k.add_column(fmt::format("{} {}", title, y), style);
  for (std::size_t c = 0; c < m.countries().size(); ++c) {
    k.labels.push_back({m.countries()[c].iso3});
    std::vector<double> row;
    for (const auto& [name, title, style] : indicators)
      for (const std::size_t at : {first, last}) row.push_back(country_value(m, t, at, c, name));
    k.values.push_back(std::move(row));
  }
  return k;
}

std::vector<country_charts> run_charts(const model::scenario_description& s,
                                       const model::compiled_model& m,
                                       const engine::run_result& r) {
  std::vector<country_charts> charts;
  for (std::size_t c = 0; c < m.countries().size(); ++c) {
    const auto& iso3 = m.countries()[c].iso3;
    const auto values = [&](std::string_view indicator) {
      std::vector<double> v;
      for (std::size_t row = 0; row < r.times.size(); ++row)
        v.push_back(country_value(m, r.tables[0], row, c, indicator));
      return v;
    };
    charts.push_back(
        {country_name(s, iso3),
         {{iso3 + " density per 10,000", out::xlsx_number::decimal, values("density_per_10k")}},
         {{iso3 + " supply", out::xlsx_number::count, values("supply")}}});
  }
  return charts;
}

std::vector<country_charts> compare_charts(const std::vector<compared_run>& runs,
                                           const std::vector<std::size_t>& shown) {
  const auto& base = runs[0];
  const auto& m = *base.model;
  std::vector<country_charts> charts;
  for (const std::size_t c : shown) {
    const auto& iso3 = m.countries()[c].iso3;
    country_charts chart{country_name(*base.scenario, iso3), {}, {}};
    for (std::size_t i = 0; i < runs.size(); ++i) {
      const auto& r = runs[i].run->result;
      const auto values = [&](std::string_view indicator) {
        std::vector<double> v;
        for (std::size_t row = 0; row < r.times.size(); ++row)
          v.push_back(country_value(*runs[i].model, r.tables[0], row, c, indicator));
        return v;
      };
      const auto& name = runs[i].scenario->name;
      chart.density.push_back({fmt::format("{} density per 10,000: {}", iso3, name),
                               out::xlsx_number::decimal, values("density_per_10k"),
                               out::xlsx_line::solid, i});
      chart.supply.push_back({fmt::format("{} supply: {}", iso3, name), out::xlsx_number::count,
                              values("supply"), out::xlsx_line::solid, i});
    }
    charts.push_back(std::move(chart));
  }
  return charts;
}

key_figures mc_key_figures(const model::mc_study& study, const engine::cell_statistics& st) {
  const auto& m = *study.models[0];
  const std::size_t last = study.times.size() - 1;
  const std::size_t series = m.schemas()[0]->size();
  key_figures k;
  k.title = fmt::format(
      "All cadres in {}: 5%, 50% and 95% quantiles over {} runs (density per 10,000 people), and "
      "the chance that the SDG density reaches {}",
      study.times[last], st.runs, model::sdg_threshold);
  k.label_columns = {"scenario", "country"};
  const std::tuple<const char*, const char*, out::xlsx_number> indicators[] = {
      {"supply", "supply", out::xlsx_number::count},
      {"density_per_10k", "density", out::xlsx_number::decimal},
      {"shortage", "shortage", out::xlsx_number::count}};
  for (const auto& [name, title, style] : indicators)
    for (const auto& [level, q] : band) k.add_column(fmt::format("{} {}", title, q), style);
  constexpr std::string_view reaches = "sdg_density_at_least_44.5";
  k.add_column(fmt::format("P(SDG density \u2265 {})", model::sdg_threshold),
               out::xlsx_number::share);
  for (std::size_t c = 0; c < m.countries().size(); ++c)
    for (std::size_t s = 0; s < study.scenarios.size(); ++s) {
      const auto& iso3 = m.countries()[c].iso3;
      k.labels.push_back({study.scenarios[s].name, iso3});
      std::vector<double> row;
      const std::size_t year_cell = study.table_cell(s, 0) + last * series;
      for (const auto& [name, title, style] : indicators)
        for (const auto& [level, q] : band)
          row.push_back(st.quantiles[(year_cell + country_series(m, c, name)) * 5 + level]);
      const auto p = study.probability_schema->find({{"country", iso3}, {"probability", reaches}});
      row.push_back(
          st.mean[study.probability_cell(s) + last * study.probability_schema->size() + p.value()]);
      k.values.push_back(std::move(row));
    }
  return k;
}

std::vector<country_charts> mc_charts(const model::mc_study& study,
                                      const engine::cell_statistics& st) {
  const auto& m = *study.models[0];
  const std::size_t series = m.schemas()[0]->size();
  std::vector<country_charts> charts;
  for (std::size_t c = 0; c < m.countries().size(); ++c) {
    const auto& iso3 = m.countries()[c].iso3;
    country_charts chart{country_name(study.scenarios[0], iso3), {}, {}};
    for (std::size_t s = 0; s < study.scenarios.size(); ++s) {
      const auto& name = study.scenarios[s].name;
      const std::string suffix = study.scenarios.size() > 1 ? ": " + name : std::string();
      for (const auto& quantile : band) {
        const auto [level, q] = quantile;
        const std::size_t l = level;  // a lambda captures no structured binding (clang)
        const auto values = [&](std::string_view indicator) {
          std::vector<double> v;
          const std::size_t at = country_series(m, c, indicator);
          for (std::size_t row = 0; row < study.times.size(); ++row)
            v.push_back(st.quantiles[(study.table_cell(s, 0) + row * series + at) * 5 + l]);
          return v;
        };
        const auto look = level == 2 ? out::xlsx_line::solid : out::xlsx_line::bound;
        chart.density.push_back({fmt::format("{} density per 10,000 {}{}", iso3, q, suffix),
                                 out::xlsx_number::decimal, values("density_per_10k"), look, s});
        chart.supply.push_back({fmt::format("{} supply {}{}", iso3, q, suffix),
                                out::xlsx_number::count, values("supply"), look, s});
      }
    }
    charts.push_back(std::move(chart));
  }
  return charts;
}

}  // namespace hwf::app
