// hwfsim's Python module `_hwfsim`: wiring only, as cli/ is for the command line. Each function
// runs a study of app/ with the GIL released and returns its tables as the CSV text the command
// line writes (so the numbers are the same doubles, in the shortest text that reads back to
// them); the package `hwfsim` (python/hwfsim/) reads them into pandas DataFrames. The libraries'
// errors become the exceptions of hwfsim.errors, their flags named as the keyword arguments.

#include <algorithm>
#include <array>
#include <cctype>
#include <cstddef>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <fmt/format.h>
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include "app/compare_study.hpp"
#include "app/console.hpp"
#include "app/inspect.hpp"
#include "app/mc_study.hpp"
#include "app/run_study.hpp"
#include "app/sensitivity_study.hpp"
#include "engine/build_info.hpp"
#include "engine/diagnostics.hpp"
#include "engine/ensemble.hpp"
#include "engine/tables.hpp"
#include "outputs/atomic_file.hpp"

namespace py = pybind11;

namespace hwf::python {

namespace {

using files = std::vector<std::pair<std::string, std::string>>;

/// The command line's flags that the studies' errors name. Each is a keyword argument in Python:
/// the flag without its dashes, with '_' for '-' (--base-samples: base_samples).
constexpr std::array<std::string_view, 8> flags{"--base-samples", "--confidence", "--trajectories",
                                                "--levels",       "--method",     "--outputs",
                                                "--samples",      "--years"};

std::string keyword(std::string_view flag) {
  std::string k(flag.substr(2));
  std::replace(k.begin(), k.end(), '-', '_');
  return k;
}

/// `text` with each of `flags` as its keyword argument: "--base-samples 1024" becomes
/// "base_samples=1024".
std::string with_keywords(std::string text) {
  for (const auto flag : flags)
    for (auto at = text.find(flag); at != std::string::npos; at = text.find(flag, at)) {
      auto end = at + flag.size();
      // Only the whole flag ("--samples" is not the end of "--base-samples").
      const bool whole =
          (at == 0 || text[at - 1] != '-') &&
          (end == text.size() ||
           !(std::isalnum(static_cast<unsigned char>(text[end])) != 0 || text[end] == '-'));
      if (!whole) {
        at = end;
        continue;
      }
      const std::string replacement = keyword(flag) + '=';
      if (end < text.size() && text[end] == ' ') ++end;  // "--levels 4" -> "levels=4"
      text.replace(at, end - at, replacement);
      at += replacement.size();
    }
  return text;
}

/// The diagnostics of `e` as a Python user reads them: the outputs' setting, or a flag given as
/// the file, becomes "argument <keyword>"; flags in the texts become keyword arguments.
std::vector<engine::diagnostic> python_diagnostics(const engine::input_error& e) {
  auto ds = e.diagnostics();
  const auto* s = dynamic_cast<const engine::setting_error*>(&e);
  for (auto& d : ds) {
    auto& file = d.where.file;
    if (s != nullptr && s->about() == engine::setting::sensitivity_outputs &&
        file == engine::setting_label(s->about()))
      file = "--outputs";
    if (d.where.line == 0 && std::find(flags.begin(), flags.end(), file) != flags.end())
      file = "argument " + keyword(file);
    d.message = with_keywords(d.message);
    for (auto& n : d.notes) n = with_keywords(n);
    d.suggestion = with_keywords(d.suggestion);
  }
  return ds;
}

/// What to do about an ensemble's error, in the keyword arguments of hwfsim.Scenario.mc; the
/// other remedies are about results folders and checkpoints, which Python has none of.
std::string_view hint(engine::remedy r) noexcept {
  using engine::remedy;
  static constexpr std::array<std::pair<remedy, std::string_view>, 4> hints{{
      {remedy::skip_failed,
       "\n  (skip_failed=True excludes failed runs from the statistics and reports them)"},
      {remedy::skip_failed_needs_success,
       "\n  (skip_failed=True excludes failed runs, but needs at least one that succeeds)"},
      {remedy::raise_memory, "; raise memory_mb"},
      {remedy::memory_it_has_or_fewer_runs,
       "; give a memory_mb it has (beyond it, quantiles are sketched) or fewer samples"},
  }};
  const auto* h =
      std::find_if(hints.begin(), hints.end(), [r](const auto& e) { return e.first == r; });
  return h == hints.end() ? std::string_view() : h->second;
}

/// Raises the exception class `name` of hwfsim.errors with `message` and keyword arguments.
void raise(const char* name, const std::string& message, const py::dict& fields = {}) {
  const auto cls = py::module_::import("hwfsim.errors").attr(name);
  const auto error = cls(message, **fields);
  PyErr_SetObject(cls.ptr(), error.ptr());
}

void translate(std::exception_ptr p) {
  try {
    std::rethrow_exception(p);
  } catch (const engine::input_error& e) {
    const auto ds = python_diagnostics(e);
    py::list list;
    for (const auto& d : ds)
      list.append(py::dict(py::arg("file") = d.where.file, py::arg("line") = d.where.line,
                           py::arg("column") = d.where.column, py::arg("key") = d.key_path,
                           py::arg("message") = d.message, py::arg("notes") = d.notes,
                           py::arg("suggestion") = d.suggestion));
    raise("InputError", engine::input_error(ds).what(), py::dict(py::arg("diagnostics") = list));
  } catch (const out::output_error& e) {
    raise("OutputError", std::string("error: ") + e.what());
  } catch (const engine::numerical_error& e) {
    raise("RunError", std::string("error: the run failed: ") + e.what());
  } catch (const engine::ensemble_error& e) {
    raise("RunError", fmt::format("error: {}{}", e.what(), hint(engine::remedy_of(e))));
  } catch (const engine::memory_limit_error& e) {
    raise("MemoryLimitError", fmt::format("error: {}{}", e.what(), hint(engine::remedy_of(e))));
  }
}

/// Where a study says its warnings: kept, for the package to give to Python's warnings.
app::reporting kept(std::vector<std::string>& messages) {
  app::reporting r;
  r.message = [&messages](const std::string& text) { messages.push_back(text); };
  return r;
}

py::dict validate(const std::string& path) {
  std::vector<std::string> messages;
  std::string text;
  {
    py::gil_scoped_release unlocked;
    text = app::validate_text(path, kept(messages));
  }
  return py::dict(py::arg("text") = text, py::arg("messages") = messages);
}

std::string params_csv(const std::string& path, const std::string& filter) {
  py::gil_scoped_release unlocked;
  return app::params_text(path, true, filter);
}

/// A study of `run` or `compare` made from `o`, run: its tables, warnings and notes.
template <class Study, class Options>
py::dict study_tables(Options o) {
  std::vector<std::string> messages, notes;
  files tables;
  {
    py::gil_scoped_release unlocked;
    o.report = kept(messages);
    Study study(std::move(o));
    const auto results = study.execute();
    tables = results.tables();
    notes = results.notes();
  }
  return py::dict(py::arg("tables") = tables, py::arg("messages") = messages,
                  py::arg("notes") = notes);
}

py::dict run(const std::string& path, const model::extra_set& set) {
  app::run_options o;
  o.scenario = path;
  o.set = set;
  return study_tables<app::run_study>(std::move(o));
}

/// The options of a study of several scenarios (compare, mc): their files, the set= entries
/// applied to each, the most threads.
template <class Options>
Options scenarios_options(const std::vector<std::string>& paths, const model::extra_set& set,
                          int threads) {
  Options o;
  o.scenarios = paths;
  o.set = set;
  o.threads = threads;
  return o;
}

py::dict compare(const std::vector<std::string>& paths, const model::extra_set& set,
                 std::optional<double> discount_rate, const std::string& years, int threads,
                 const std::string& published) {
  auto o = scenarios_options<app::compare_options>(paths, set, threads);
  o.discount_rate = discount_rate;
  o.years = years;
  o.published = published;
  return study_tables<app::compare_study>(std::move(o));
}

/// Every run's indicators table of each scenario, kept as the ensemble goes: per scenario,
/// runs x years x series values (not defined where a run failed and was skipped), with what
/// labels them, copied from the study, which ends with the ensemble.
struct kept_runs {
  std::vector<std::size_t> first_cell;  ///< per scenario: its table's first cell in a run
  std::size_t runs = 0, years = 0, series = 0;
  std::vector<std::vector<double>> values;
  std::vector<std::string> scenarios;
  std::vector<double> times;
  std::shared_ptr<const engine::table_schema> schema;

  void start(const model::mc_study& s) {
    schema = s.models[0]->schemas()[0];
    runs = s.samples, years = s.times.size(), series = schema->size();
    times = s.times;
    for (std::size_t i = 0; i < s.scenarios.size(); ++i) {
      first_cell.push_back(s.table_cell(i, 0));
      scenarios.push_back(s.scenarios[i].name);
      values.emplace_back(runs * years * series, engine::not_defined);
    }
  }
  void keep(std::size_t run, std::span<const double> cells) {
    const std::size_t n = years * series;
    for (std::size_t i = 0; i < values.size(); ++i)
      std::copy_n(cells.begin() + static_cast<std::ptrdiff_t>(first_cell[i]), n,
                  values[i].begin() + static_cast<std::ptrdiff_t>(run * n));
  }
  py::dict to_python() const {
    py::list arrays;
    const std::vector<py::ssize_t> shape{static_cast<py::ssize_t>(runs),
                                         static_cast<py::ssize_t>(years),
                                         static_cast<py::ssize_t>(series)};
    for (const auto& v : values) arrays.append(py::array_t<double>(shape, v.data()));
    return py::dict(py::arg("scenarios") = scenarios, py::arg("values") = arrays,
                    py::arg("times") = times, py::arg("key_columns") = schema->key_columns,
                    py::arg("series") = schema->series);
  }
};

/// Runs `study(ctrl_c)`, an ensemble that releases the GIL, so that Ctrl-C cancels it when it
/// runs on Python's main thread (`ctrl_c`: then its options take app::interrupted() as cancel
/// and app::interruptible as around_runs, setting Python's SIGINT handler aside while the runs
/// go); the cancelled study raises KeyboardInterrupt. On another thread, which a SIGINT never
/// interrupts in Python, Ctrl-C waits for the study to end.
template <class Study>
auto on_ctrl_c(const Study& study) {
  const auto threading = py::module_::import("threading");
  const bool ctrl_c = threading.attr("current_thread")().is(threading.attr("main_thread")());
  try {
    return study(ctrl_c);
  } catch (const engine::ensemble_error&) {
    if (!ctrl_c || !app::interrupted()) throw;
    PyErr_SetString(PyExc_KeyboardInterrupt, "the runs were interrupted: no results");
    throw py::error_already_set();
  }
}

/// Sets an ensemble's options to stop at Ctrl-C (see on_ctrl_c).
template <class Options>
void cancel_on_ctrl_c(Options& o, bool ctrl_c) {
  if (!ctrl_c) return;
  o.cancel = &app::interrupted();
  o.around_runs = app::interruptible;
}

py::dict mc(const std::vector<std::string>& paths, const model::extra_set& set,
            std::optional<std::size_t> samples, int threads, std::size_t memory_mb,
            bool skip_failed, bool keep) {
  std::vector<std::string> messages;
  files tables;
  kept_runs runs;
  on_ctrl_c([&](bool ctrl_c) {
    py::gil_scoped_release unlocked;
    auto o = scenarios_options<app::mc_options>(paths, set, threads);
    o.samples = samples;
    o.memory_mb = memory_mb;
    o.skip_failed = skip_failed;
    o.report = kept(messages);
    o.in_memory = true;
    cancel_on_ctrl_c(o, ctrl_c);
    if (keep)
      o.run_values = [&runs](std::size_t run, std::span<const double> cells) {
        runs.keep(run, cells);
      };
    app::mc_study study(std::move(o));
    study.prepare();
    if (keep) runs.start(study.study());
    tables = study.execute()->files();
  });
  py::dict out(py::arg("tables") = tables, py::arg("messages") = messages);
  if (keep) out["runs"] = runs.to_python();
  return out;
}

files sensitivity(const std::string& path, const model::extra_set& set, const std::string& method,
                  const std::vector<std::string>& outputs, std::size_t base_samples,
                  bool second_order, std::size_t bootstrap, double confidence,
                  std::size_t trajectories, std::size_t levels, int threads) {
  return on_ctrl_c([&](bool ctrl_c) {
    py::gil_scoped_release unlocked;
    app::sensitivity_options o;
    o.scenario = path;
    o.set = set;
    o.outputs = outputs;
    o.threads = threads;
    if (method == "morris") {
      o.method = app::sensitivity_method::morris;
      o.trajectories = trajectories;
      o.levels = levels;
    } else {
      o.base_samples = base_samples;
      o.second_order = second_order;
      o.bootstrap = bootstrap;
      o.confidence = confidence;
    }
    cancel_on_ctrl_c(o, ctrl_c);
    return app::sensitivity_tables(std::move(o));
  });
}

/// A bad keyword argument as the studies word theirs: engine::format of a diagnostic whose file
/// is "argument <name>".
std::string argument_message(const std::string& name, const std::string& message,
                             const std::vector<std::string>& notes, const std::string& suggestion) {
  engine::diagnostic d;
  d.where.file = "argument " + name;
  d.message = message;
  d.notes = notes;
  d.suggestion = suggestion;
  return engine::format(d);
}

}  // namespace

}  // namespace hwf::python

namespace pybind11::detail {

/// set= entries as the package passes them: a tuple (YAML text, the name messages give it).
template <>
struct type_caster<hwf::model::extra_set> {
  PYBIND11_TYPE_CASTER(hwf::model::extra_set, const_name("tuple[str, str]"));
  bool load(handle src, bool convert) {
    make_caster<std::pair<std::string, std::string>> pair;
    if (!pair.load(src, convert)) return false;
    auto [yaml, display_name] = cast_op<std::pair<std::string, std::string>>(std::move(pair));
    value = {std::move(yaml), std::move(display_name)};
    return true;
  }
};

}  // namespace pybind11::detail

PYBIND11_MODULE(_hwfsim, m) {
  using namespace hwf::python;
  m.doc() = "hwfsim's studies, returning the command line's tables as CSV text (see hwfsim)";
  // As `hwfsim --version` says them: the results of one build are those of its command line.
  m.attr("__version__") = std::string(hwf::engine::build_version());
  m.attr("commit") = std::string(hwf::engine::build_commit());
  py::register_exception_translator(translate);
  m.def("validate", &validate, py::arg("path"),
        "Loads and compiles a scenario: {text, messages (its warnings)}.");
  m.def("params_csv", &params_csv, py::arg("path"), py::arg("filter"),
        "`hwfsim params --csv`'s text.");
  m.def("run", &run, py::arg("path"), py::arg("set"),
        "`hwfsim run`'s tables: {tables: [(file, csv)], messages, notes}.");
  m.def("compare", &compare, py::arg("paths"), py::arg("set"), py::arg("discount_rate"),
        py::arg("years"), py::arg("threads"), py::arg("published"),
        "`hwfsim compare`'s tables: {tables, messages, notes}; projections with `published`.");
  m.def("mc", &mc, py::arg("paths"), py::arg("set"), py::arg("samples"), py::arg("threads"),
        py::arg("memory_mb"), py::arg("skip_failed"), py::arg("keep_runs"),
        "`hwfsim mc`'s tables: {tables, messages[, runs]}.");
  m.def("sensitivity", &sensitivity, py::arg("path"), py::arg("set"), py::arg("method"),
        py::arg("outputs"), py::arg("base_samples"), py::arg("second_order"), py::arg("bootstrap"),
        py::arg("confidence"), py::arg("trajectories"), py::arg("levels"), py::arg("threads"),
        "`hwfsim sensitivity`'s tables: [(file, csv)].");
  m.def("argument_message", &argument_message, py::arg("name"), py::arg("message"),
        py::arg("notes"), py::arg("suggestion"),
        "The text of an error about a keyword argument, formatted as the studies' errors.");
}
