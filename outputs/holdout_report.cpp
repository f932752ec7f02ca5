#include "outputs/holdout_report.hpp"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "engine/markdown_text.hpp"

namespace hwf::out {

namespace {

using errors = calibration_summary::horizon_errors;

std::string percent(double x) {
  return std::isfinite(x) ? fmt::format("{:+.1f}%", x) : "-";
}
std::string unsigned_percent(double x) {
  return std::isfinite(x) ? fmt::format("{:.1f}%", x) : "-";
}

/// A forecast and its error, in bold where its absolute error is the row's smallest.
std::string forecast_cell(const holdout_page::forecast& f, double best) {
  if (!std::isfinite(f.value) || !std::isfinite(f.error)) return "-";
  const auto cell = fmt::format("{:.0f} ({:+.1f}%)", f.value, f.error);
  return std::abs(f.error) == best ? "**" + cell + "**" : cell;
}

std::string horizon_name(int horizon) {
  if (horizon == 0) return "all";
  return fmt::format("{} year{}", horizon, horizon == 1 ? "" : "s");
}

/// Where the goal is missed: the values at its horizon that the goal counts (`judged`) on which
/// the model does not beat persistence (as the goal's series count judges it) or misses by the
/// goal's median absolute error or more, the largest miss first, each with the data's note.
std::string shortfall_table(const holdout_page& page, const forecast_goal& g) {
  std::vector<const holdout_page::value_line*> rows;
  const auto loses = [](const holdout_page::value_line& v) {
    return !(std::abs(v.fitted.error) < std::abs(v.persistence.error));
  };
  for (const auto& v : page.values)
    if (v.judged && v.horizon == g.horizon &&
        (loses(v) || std::abs(v.fitted.error) >= g.median_abs))
      rows.push_back(&v);
  if (rows.empty()) return "";
  std::stable_sort(rows.begin(), rows.end(), [](const auto* a, const auto* b) {
    return std::abs(a->fitted.error) > std::abs(b->fitted.error);
  });
  std::string md = fmt::format(
      "Where, at {} years: the values on which the model loses to persistence, or misses by "
      "{:.0f}% or more.\n\n| series | year | observed | calibrated model | persistence | "
      "linear trend | the model | note |\n|---|---|---|---|---|---|---|---|\n",
      g.horizon, g.median_abs);
  for (const auto* v : rows) {
    const bool misses = std::abs(v->fitted.error) >= g.median_abs;
    const std::string verdict = loses(*v) && misses ? "loses to persistence and misses"
                                : loses(*v)         ? "loses to persistence"
                                                    : "misses";
    md += fmt::format("| {} | {} | {:.0f} | {} | {} | {} | {} | {} |\n",
                      engine::markdown_text(v->series), v->year, v->observed,
                      forecast_cell(v->fitted, INFINITY), forecast_cell(v->persistence, INFINITY),
                      forecast_cell(v->trend, INFINITY), verdict, engine::markdown_text(v->note));
  }
  return md + "\n";
}

/// Whether the naive forecasts would pass the goal's two error tests, which the model fails:
/// a goal that no forecast meets says more of the data than of the model.
std::string naive_error_tests(const forecast_goal& g, const errors& e) {
  const bool persistence = g.abs_ok(e.persistence) && g.signed_ok(e.persistence_signed);
  const bool trend = g.abs_ok(e.trend) && g.signed_ok(e.trend_signed);
  const char* verdict =
      persistence && trend ? "Both naive forecasts pass the two error tests"
      : persistence        ? "Persistence passes the two error tests; the linear trend does not"
      : trend              ? "The linear trend passes the two error tests; persistence does not"
                           : "Neither naive forecast passes the two error tests either";
  return fmt::format(
      "{} (medians at {} years, absolute and signed: persistence {} and {}, linear "
      "trend {} and {}).",
      verdict, g.horizon, unsigned_percent(e.persistence), percent(e.persistence_signed),
      unsigned_percent(e.trend), percent(e.trend_signed));
}

std::string goal_section(const holdout_page& page) {
  const auto& s = page.summary;
  const forecast_goal g = s.goal ? s.goal->goal : forecast_goal{};
  std::string md = fmt::format(
      "## The hold-out goal\n\nA projection is fit to quote when, {} years after the last "
      "fitted value, the calibrated model beats persistence in at least {:.0f}% of the series, "
      "with a median absolute error under {:.0f}% and a median signed error within "
      "+-{:.0f}%.\n\n",
      g.horizon, g.beats_share * 100, g.median_abs, g.median_signed);
  if (!s.goal) {
    md += fmt::format(
        "No held-out value lies {} years after its series' last fitted value (with both naive "
        "forecasts), so the goal cannot be judged here.\n\n",
        g.horizon);
    return md;
  }
  const auto& c = *s.goal;
  const auto& e = c.at;
  const auto yes = [](bool ok) { return ok ? "met" : "**not met**"; };
  md += fmt::format(
      "| at {} years ({} values) | goal | calibrated model | persistence | linear trend | |\n"
      "|---|---|---|---|---|---|\n"
      "| series where the model beats persistence | at least {:.0f}% | {} of {} ({:.0f}%) | | | "
      "{} |\n"
      "| median absolute error | under {:.0f}% | {} | {} | {} | {} |\n"
      "| median signed error | within +-{:.0f}% | {} | {} | {} | {} |\n\n",
      g.horizon, e.values, g.beats_share * 100, e.beats_persistence, e.series,
      e.series ? 100.0 * static_cast<double>(e.beats_persistence) / static_cast<double>(e.series)
               : 0.0,
      yes(c.beats), g.median_abs, unsigned_percent(e.fitted), unsigned_percent(e.persistence),
      unsigned_percent(e.trend), yes(c.abs_ok), g.median_signed, percent(e.fitted_signed),
      percent(e.persistence_signed), percent(e.trend_signed), yes(c.signed_ok));
  if (c.met()) {
    md += "The goal is met.\n\n";
  } else {
    std::vector<std::string> missed;
    if (!c.beats) missed.emplace_back("the model does not beat persistence in enough series");
    if (!c.abs_ok) missed.emplace_back("the median absolute error is too large");
    if (!c.signed_ok) missed.emplace_back("the median signed error shows a bias");
    md += fmt::format("**The goal is not met**: {}.", fmt::join(missed, "; "));
    if (!c.abs_ok || !c.signed_ok) md += " " + naive_error_tests(g, e);
    md += "\n\n" + shortfall_table(page, g);
  }
  return md;
}

}  // namespace

std::string holdout_markdown(const holdout_page& page) {
  const auto& s = page.summary;
  std::string md = fmt::format(
      "# Hold-out validation\n\n{}\n\n"
      "The model's fitted inputs are estimated from the observed values of {}-{} only. The "
      "values of the hold-out years are then compared with the calibrated model's projection "
      "and with two naive forecasts made from the same fit-year values: **persistence** (the "
      "last fitted value, held) and a **linear trend** (the least-squares line through the "
      "fit-year values). The horizon is the number of years after the series' last fitted "
      "value. Errors are in percent of the observed value; above 0, the forecast is too "
      "high.\n\n"
      "- scenario: {} ({})\n- observed data: {} ({})\n- source: {}\n"
      "- fit: {} parameters to {} values{}, {} starts, cost {:.4g}, {}\n- hold-out years: {}\n\n"
      "Regenerate this page with:\n\n{}sh\n{}\n{}\n\n",
      engine::markdown_text(page.description), s.fit_from, s.fit_to,
      engine::markdown_code(page.scenario), engine::markdown_code(page.scenario_file),
      engine::markdown_text(s.observed_name), engine::markdown_code(s.observed_file),
      engine::markdown_text(page.observed_source), s.parameters, s.observations,
      page.left_out.empty() ? "" : fmt::format(" ({} more left out: below)", page.left_out.size()),
      s.starts, s.cost, s.converged ? "converged" : "**not converged**",
      s.holdout
          ? fmt::format("{}-{}, {} values", s.holdout->first, s.holdout->second, s.holdout_values)
          : "none",
      engine::markdown_fence(page.command), page.command, engine::markdown_fence(page.command));

  md += goal_section(page);

  md +=
      "## By horizon\n\nOver the held-out values that both naive forecasts give (a series needs "
      "two fit-year values), so each row's three forecasts are judged on the same values. A "
      "series beats persistence where its mean absolute error is smaller.\n\n"
      "| horizon | values | series | model beats persistence | median absolute error: model | "
      "persistence | trend | median signed error: model | persistence | trend |\n"
      "|---|---|---|---|---|---|---|---|---|---|\n";
  for (const errors& e : s.holdout_errors)
    md += fmt::format("| {} | {} | {} | {} of {} | {} | {} | {} | {} | {} | {} |\n",
                      horizon_name(e.horizon), e.values, e.series, e.beats_persistence, e.series,
                      unsigned_percent(e.fitted), unsigned_percent(e.persistence),
                      unsigned_percent(e.trend), percent(e.fitted_signed),
                      percent(e.persistence_signed), percent(e.trend_signed));
  if (s.holdout_errors.empty()) md += "| - | 0 | 0 | - | - | - | - | - | - | - |\n";

  if (page.published)
    md += "\n## Set against published projections\n\n" +
          projections_section(*page.published, 2, false);
  else
    md += "\n";
  md +=
      "## Every held-out value\n\nObserved, then each forecast with its error; the smallest "
      "absolute error of a row is in bold. A forecast a series cannot give is `-`.\n\n"
      "| series | year | horizon | observed | calibrated model | persistence | linear trend | "
      "note |\n|---|---|---|---|---|---|---|---|\n";
  for (const auto& v : page.values) {
    double best = INFINITY;
    for (const auto* f : {&v.fitted, &v.persistence, &v.trend})
      if (std::isfinite(f->error)) best = std::min(best, std::abs(f->error));
    md += fmt::format("| {} | {} | {} | {:.0f} | {} | {} | {} | {} |\n",
                      engine::markdown_text(v.series), v.year, v.horizon, v.observed,
                      forecast_cell(v.fitted, best), forecast_cell(v.persistence, best),
                      forecast_cell(v.trend, best), engine::markdown_text(v.note));
  }

  if (!page.left_out.empty()) {
    md +=
        "\n## Values left out of the fit\n\nThe observed file marks these values of the fit years "
        "`fit: false`: each is on another basis than the start stock (its note says why), so "
        "fitting it would fit a change of count, not of the workforce. They are in neither the fit "
        "nor the naive forecasts.\n\n| series | year | observed | note |\n|---|---|---|---|\n";
    for (const auto& v : page.left_out)
      md += fmt::format("| {} | {} | {:.0f} | {} |\n", engine::markdown_text(v.series), v.year,
                        v.observed, engine::markdown_text(v.note));
  }
  md +=
      "\n## Fitted parameters\n\n| parameter | start | estimate | standard error | flag |\n"
      "|---|---|---|---|---|\n";
  for (const auto& p : page.parameters)
    md += fmt::format(
        "| {} | {:.4g} | {:.4g} | {} | {} |\n", engine::markdown_code(p.label), p.start, p.estimate,
        std::isfinite(p.standard_error) ? fmt::format("{:.3g}", p.standard_error) : "-", p.flag);
  return md;
}

}  // namespace hwf::out
