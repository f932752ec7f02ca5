#include "outputs/validation_report.hpp"

#include <algorithm>
#include <cmath>
#include <map>

#include <fmt/format.h>

#include "engine/markdown_text.hpp"
#include "outputs/csv_writer.hpp"
#include "outputs/results_catalogue.hpp"

namespace hwf::out {

namespace {

std::string key_text(const engine::observation_match& m) {
  std::string out;
  for (const auto& k : m.keys) out += (out.empty() ? "" : " ") + k;
  if (!m.compared_with.empty()) out += " (" + m.compared_with + ")";
  return out;
}

/// The note of a match for the CSV, saying which indicator a non-default match compares with.
std::string csv_note(const engine::observation_match& m) {
  if (m.compared_with.empty()) return m.note;
  const std::string which = "compared with " + m.compared_with;
  return m.note.empty() ? which : m.note + "; " + which;
}

/// The last observed point of each series after the start year (the back-cast's end point).
std::vector<const engine::observation_match*> last_points(
    const std::vector<engine::observation_match>& matches, int start_year) {
  std::map<std::vector<std::string>, const engine::observation_match*> last;
  for (const auto& m : matches)
    if (m.year > start_year) {
      auto& slot = last[m.keys];
      if (!slot || m.year > slot->year) slot = &m;
    }
  std::vector<const engine::observation_match*> out;
  for (const auto& m : matches)
    if (last.count(m.keys) && last[m.keys] == &m) out.push_back(&m);
  return out;
}

std::string escape_xml(const std::string& s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

}  // namespace

std::string validation_csv(const std::string& scenario,
                           const std::vector<engine::observation_match>& matches) {
  const auto& file = result_entry("backcast.csv");
  std::string out = csv_header(file.shape, {file.fixed_keys.begin(), file.fixed_keys.end()});
  for (const auto& m : matches) {
    out += csv_field(scenario);
    for (const auto& k : m.keys) {
      out += ',';
      out += csv_field(k);
    }
    out +=
        fmt::format(",{},{},{},{},{},{},{}\n", m.year, m.observed, m.projected, m.error_percent(),
                    m.observed / m.scale, m.projected / m.scale, csv_field(csv_note(m)));
  }
  return out;
}

std::string validation_markdown(const validation_info& info,
                                const std::vector<engine::observation_match>& matches) {
  std::string md = fmt::format(
      "# Back-cast validation\n\n"
      "The model starts in {} from the observed stocks and runs to {} with no fitting; "
      "projected supply is compared with every later observed count.\n\n"
      "- scenario: {}\n- observed data: {} ({})\n- source: {}\n\n"
      "Regenerate this page (and {} beside it) with:\n\n{}sh\n{}\n{}\n\n",
      info.start_year, info.end_year, engine::markdown_code(info.scenario),
      engine::markdown_text(info.observed_name), engine::markdown_code(info.observed_file),
      engine::markdown_text(info.observed_source), engine::markdown_code(info.chart_file),
      engine::markdown_fence(info.command), info.command, engine::markdown_fence(info.command));

  const auto last = last_points(matches, info.start_year);
  std::vector<double> errors;
  for (const auto* m : last) errors.push_back(std::abs(m->error_percent()));
  std::sort(errors.begin(), errors.end());
  if (!errors.empty()) {
    const double median = errors.size() % 2
                              ? errors[errors.size() / 2]
                              : 0.5 * (errors[errors.size() / 2 - 1] + errors[errors.size() / 2]);
    const auto within = [&](double limit) {
      return std::count_if(errors.begin(), errors.end(), [&](double e) { return e <= limit; });
    };
    md += fmt::format(
        "## Summary\n\nAt the last observed year of each of the {} series: median absolute error "
        "{:.1f}%; {} of {} within 10%, {} within 25%.\n\n",
        errors.size(), median, within(10), errors.size(), within(25), errors.size());
  }
  md += fmt::format("![Projected against observed]({})\n\n", info.chart_file);

  md +=
      "## Largest misses\n\nAt each series' last observed year, largest absolute error first, "
      "with what the observed data says about the value:\n\n"
      "| series | year | observed | projected | error | note |\n|---|---|---|---|---|---|\n";
  auto sorted = last;
  std::sort(sorted.begin(), sorted.end(), [](auto* a, auto* b) {
    return std::abs(a->error_percent()) > std::abs(b->error_percent());
  });
  for (std::size_t i = 0; i < sorted.size() && i < 8; ++i) {
    const auto& m = *sorted[i];
    md += fmt::format("| {} | {} | {:.0f} | {:.0f} | {:+.1f}% | {} |\n",
                      engine::markdown_text(key_text(m)), m.year, m.observed, m.projected,
                      m.error_percent(),
                      m.note.empty() ? "(no note in the data)" : engine::markdown_text(m.note));
  }

  md +=
      "\n## Every series\n\nStocks in persons; densities per 10,000 people of the model's "
      "population.\n\n| series | year | observed | projected | error | observed density | "
      "projected density |\n|---|---|---|---|---|---|---|\n";
  for (const auto& m : matches)
    md += fmt::format("| {} | {} | {:.0f} | {:.0f} | {:+.1f}% | {:.2f} | {:.2f} |\n",
                      engine::markdown_text(key_text(m)), m.year, m.observed, m.projected,
                      m.error_percent(), m.observed / m.scale, m.projected / m.scale);
  return md;
}

std::string validation_svg(const std::vector<engine::observation_match>& matches) {
  int start = 1 << 30;
  for (const auto& m : matches) start = std::min(start, static_cast<int>(m.year));
  const auto last = last_points(matches, start);
  double lo = 1e300, hi = 0;
  for (const auto* m : last) {
    lo = std::min({lo, m->observed, m->projected});
    hi = std::max({hi, m->observed, m->projected});
  }
  if (last.empty() || !(lo > 0)) {
    lo = 1;
    hi = 10;
  }
  const double l0 = std::floor(std::log10(lo)), l1 = std::ceil(std::log10(hi));
  const double size = 560, margin = 70, plot = size - 2 * margin;
  const auto pos = [&](double v) { return (std::log10(v) - l0) / (l1 - l0) * plot; };
  const auto px = [&](double v) { return margin + pos(v); };
  const auto py = [&](double v) { return size - margin - pos(v); };
  std::string svg = fmt::format(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{0}\" height=\"{0}\" "
      "font-family=\"sans-serif\" font-size=\"11\">\n<rect width=\"{0}\" height=\"{0}\" "
      "fill=\"white\"/>\n",
      size);
  // Decade grid and labels.
  for (double e = l0; e <= l1; ++e) {
    const double v = std::pow(10.0, e);
    svg += fmt::format(
        "<line x1=\"{0:.1f}\" y1=\"{1}\" x2=\"{0:.1f}\" y2=\"{2}\" stroke=\"#ddd\"/>"
        "<text x=\"{0:.1f}\" y=\"{3}\" text-anchor=\"middle\">{4:.0e}</text>\n",
        px(v), margin, size - margin, size - margin + 16, v);
    svg += fmt::format(
        "<line x1=\"{1}\" y1=\"{0:.1f}\" x2=\"{2}\" y2=\"{0:.1f}\" stroke=\"#ddd\"/>"
        "<text x=\"{3}\" y=\"{0:.1f}\" text-anchor=\"end\">{4:.0e}</text>\n",
        py(v), margin, size - margin, margin - 6, v);
  }
  // Perfect agreement and +-25%.
  const double a = std::pow(10.0, l0), b = std::pow(10.0, l1);
  svg += fmt::format(
      "<line x1=\"{:.1f}\" y1=\"{:.1f}\" x2=\"{:.1f}\" y2=\"{:.1f}\" stroke=\"#333\"/>\n", px(a),
      py(a), px(b), py(b));
  for (double f : {0.75, 1.25})
    svg += fmt::format(
        "<line x1=\"{:.1f}\" y1=\"{:.1f}\" x2=\"{:.1f}\" y2=\"{:.1f}\" stroke=\"#999\" "
        "stroke-dasharray=\"4 3\"/>\n",
        px(a), py(a * f), px(b), py(b * f));
  for (const auto* m : last) {
    const bool far = std::abs(m->error_percent()) > 25;
    svg += fmt::format(
        "<circle cx=\"{:.1f}\" cy=\"{:.1f}\" r=\"4\" fill=\"{}\"><title>{} {}: "
        "observed {:.0f}, projected {:.0f} ({:+.1f}%)</title></circle>\n",
        px(m->observed), py(m->projected), far ? "#c0392b" : "#2471a3", escape_xml(key_text(*m)),
        m->year, m->observed, m->projected, m->error_percent());
    svg += fmt::format("<text x=\"{:.1f}\" y=\"{:.1f}\" font-size=\"9\">{}</text>\n",
                       px(m->observed) + 6, py(m->projected) - 4, escape_xml(key_text(*m)));
  }
  svg += fmt::format(
      "<text x=\"{0}\" y=\"{1}\" text-anchor=\"middle\" font-size=\"13\">observed "
      "(persons, last observed year)</text>\n",
      size / 2, size - 20);
  svg += fmt::format(
      "<text x=\"18\" y=\"{0}\" text-anchor=\"middle\" font-size=\"13\" "
      "transform=\"rotate(-90 18 {0})\">projected (persons)</text>\n",
      size / 2);
  svg += fmt::format(
      "<text x=\"{}\" y=\"30\" text-anchor=\"middle\" font-size=\"14\">Back-cast: "
      "projected against observed; dashed lines at +-25%</text>\n</svg>\n",
      size / 2);
  return svg;
}

}  // namespace hwf::out
