#include "outputs/projections_report.hpp"

#include <cmath>

#include <fmt/format.h>

#include "engine/markdown_text.hpp"
#include "outputs/csv_writer.hpp"

namespace hwf::out {

namespace {

using engine::markdown_code;
using engine::markdown_text;

/// A count of persons: "65.1 million" from a million, else whole with thousands separators.
std::string persons(double x) {
  if (!std::isfinite(x)) return "-";
  const double a = std::abs(x);
  if (a >= 1e6) return fmt::format("{:.3g} million", x / 1e6);
  auto digits = fmt::format("{:.0f}", a);
  for (auto i = static_cast<std::ptrdiff_t>(digits.size()) - 3; i > 0; i -= 3)
    digits.insert(static_cast<std::size_t>(i), ",");
  return (x < 0 && digits != "0" ? "-" : "") + digits;
}

/// A change: "+29%" (a share) or "+60,000" (persons).
std::string change(double x, bool relative) {
  const std::string sign = x > 0 ? "+" : "";
  return relative ? fmt::format("{}{:.0f}%", sign, 100 * x) : sign + persons(x);
}

std::string published_change(const projections_page::line& l) {
  if (l.published_low == l.published_high) return change(l.published_low, l.relative);
  return change(l.published_low, l.relative) + " to " + change(l.published_high, l.relative);
}

std::string published_cell(const projections_page::line& l) {
  auto text = published_change(l);
  if (!l.relative) return text;
  const double lo = l.published_from * (1 + l.published_low),
               hi = l.published_from * (1 + l.published_high);
  return fmt::format("{} ({} to {})", text, persons(l.published_from),
                     lo == hi ? persons(lo) : persons(lo) + "-" + persons(hi));
}

std::string model_cell(const projections_page::line& l) {
  return fmt::format("{} ({} to {})", change(l.model_change, l.relative), persons(l.model_from),
                     persons(l.model_to));
}

std::string verdict_words(const std::string& v) {
  if (v == "below") return "the model's change is lower";
  if (v == "above") return "the model's change is higher";
  return "agrees";
}

std::string tolerance_text(const projections_page::line& l) {
  return l.relative ? fmt::format("{:.0f} percentage points", 100 * l.tolerance)
                    : persons(l.tolerance) + " persons";
}

}  // namespace

std::string projections_markdown(const projections_page& page) {
  return "# Set against published projections\n\n" + projections_section(page, 1, true);
}

std::string projections_section(const projections_page& page, int level, bool with_command) {
  const std::string h2(static_cast<std::size_t>(level) + 1, '#'), h3 = h2 + "#";
  std::string md;
  if (!page.description.empty()) md += markdown_text(page.description) + "\n\n";
  md +=
      "Each published projection is a change over years: a stock or a shortage that grows or "
      "shrinks by a share, or a plan that adds a number of persons. The model's change over the "
      "same years is the sum of the same indicator over the countries and cadres that stand for "
      "the projection's scope. The scopes differ (a global or regional figure against the "
      "model's countries, all health occupations against its cadres), so levels are not "
      "compared, only changes: a share against a share, persons against persons. The model "
      "agrees when its change lies within the published one (or its range) give or take the "
      "tolerance; otherwise it is below or above, and the explanation says why.\n\n";
  md += "- published projections: " + markdown_text(page.published_name) + " (" +
        markdown_code(page.published_file) + ")\n";
  md += "- scenarios: ";
  for (std::size_t i = 0; i < page.scenarios.size(); ++i)
    md += (i ? ", " : "") + markdown_code(page.scenarios[i]) + (i ? "" : " (baseline)");
  md += "\n\n";
  if (with_command) {
    const auto fence = engine::markdown_fence(page.command);
    md += "Regenerate this page with:\n\n" + fence + "sh\n" + page.command + "\n" + fence + "\n\n";
  }

  std::size_t stale = 0;
  for (const auto& l : page.lines) stale += l.verdict != l.expected;
  md += h2 + " The projections\n\n";
  md +=
      "| projection | what it counts | the model sums | years | published change | model "
      "(scenario) | |\n|---|---|---|---|---|---|---|\n";
  for (const auto& l : page.lines) {
    md += fmt::format("| {} ({}, {}) | {} | {} of {} ({} series) | {}-{} | {} | {} ({}) | {}{} |\n",
                      markdown_text(l.title), markdown_text(l.source), l.flag,
                      markdown_text(l.counts), markdown_code(l.indicator), markdown_text(l.scope),
                      l.series, l.from_year, l.to_year, published_cell(l), model_cell(l),
                      markdown_code(l.scenario),
                      l.verdict == "agree" ? "agrees" : "**" + l.verdict + "**",
                      l.verdict == l.expected ? "" : " (explanation out of date)");
  }
  md += "\n";
  if (stale)
    md += fmt::format(
        "**{} of {} explanations were written for another result** and need revising: the model "
        "has changed since.\n\n",
        stale, page.lines.size());

  md += h2 + " Each projection explained\n\n";
  for (const auto& l : page.lines) {
    md += h3 + " " + markdown_text(l.title) + "\n\n";
    md += fmt::format(
        "Published: {} from {} to {}. The model ({}): {}. Tolerance: {}. Verdict: {}.\n\n",
        published_change(l), l.from_year, l.to_year, markdown_code(l.scenario),
        change(l.model_change, l.relative), tolerance_text(l), verdict_words(l.verdict));
    if (l.verdict != l.expected)
      md += fmt::format(
          "**Out of date:** the explanation below was written for a model that {}; the model "
          "now {}.\n\n",
          l.expected == "agree" ? "agreed" : "was " + l.expected,
          l.verdict == "agree" ? "agrees" : "is " + l.verdict);
    md += markdown_text(l.explanation) + "\n\n";
  }
  return md;
}

std::string projections_csv(const projections_page& page) {
  std::string csv =
      "name,scenario,indicator,series,from_year,to_year,kind,published_from,"
      "published_change_low,published_change_high,model_from,model_to,model_change,tolerance,"
      "verdict,expected\n";
  for (const auto& l : page.lines)
    csv +=
        fmt::format("{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{}\n", csv_field(l.name),
                    csv_field(l.scenario), l.indicator, l.series, l.from_year, l.to_year,
                    l.relative ? "relative" : "persons",
                    l.relative ? csv_number(l.published_from) : "", csv_number(l.published_low),
                    csv_number(l.published_high), csv_number(l.model_from), csv_number(l.model_to),
                    csv_number(l.model_change), csv_number(l.tolerance), l.verdict, l.expected);
  return csv;
}

}  // namespace hwf::out
