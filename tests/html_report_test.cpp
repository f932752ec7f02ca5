#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <sstream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "app/calibrate_study.hpp"
#include "app/record.hpp"
#include "app/sensitivity_study.hpp"
#include "engine/diagnostics.hpp"
#include "models/workforce/compiled_model.hpp"
#include "models/workforce/description.hpp"
#include "outputs/csv_writer.hpp"
#include "outputs/html_report.hpp"
#include "outputs/run_record.hpp"
#include "support.hpp"

using namespace hwf;

namespace {

out::report_settings settings() {
  out::report_settings s;
  s.sdg_threshold = 44.5;
  s.safeguards_median = 49;
  s.safeguards_edition = 2023;
  s.generator = "hwfsim test";
  return s;
}

/// The JSON data block of a report page, parsed.
nlohmann::json page_data(const std::string& page) {
  const std::string open = "<script type=\"application/json\" id=\"hwf-data\">";
  const auto a = page.find(open);
  REQUIRE(a != std::string::npos);
  const auto b = page.find("</script>", a);
  REQUIRE(b != std::string::npos);
  return nlohmann::json::parse(page.substr(a + open.size(), b - a - open.size()));
}

/// A results folder as `hwfsim run` writes it, for the good test scenario.
std::filesystem::path run_folder(const std::string& name, const std::string& country_name) {
  const auto scenario = test::source_path("tests/data/good/scenario.yaml");
  const auto loaded = model::load_scenario(scenario.string());
  const model::compiled_model m(loaded);
  const auto run = model::simulate(m, m.default_parameters());
  const auto dir = test::scratch_folder(name);
  test::write_file(dir, "indicators.csv",
                   out::long_csv(loaded.name, run.result.times, run.result.tables[0]));
  test::write_file(dir, "corridors.csv",
                   out::long_csv(loaded.name, run.result.times, run.result.tables[1]));
  out::run_record rec;
  rec.scenario = loaded.name;
  rec.description = "a <b>test</b> & more";
  rec.start_year = static_cast<int>(m.start_time());
  rec.end_year = static_cast<int>(m.end_time());
  rec.model_name = loaded.model.name;
  for (const auto& c : loaded.model.countries)
    rec.countries.push_back({c.iso3, c.iso3 == "AAA" ? country_name : c.name, c.safeguards_list});
  rec.files = {"indicators.csv", "corridors.csv", "report.html"};
  test::write_file(dir, "run.json", out::to_json(rec));
  return dir;
}

std::string read(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

/// A results folder as `hwfsim calibrate` writes it: the analytic model's nurses' exit rate,
/// from 0.06, fitted over 2021-2030 to the supply it gives at 0.04, with 2031-2035 held out;
/// 2035 is a register count, a series with no value in the fit years.
std::filesystem::path calibrate_folder(const std::string& name) {
  const auto dir = test::scratch_folder(name);
  test::write_file(dir, "model.yaml", test::analytic_model_yaml());
  const auto head = std::string(
      "model: model.yaml\nhorizon: {start: 2020, end: 2035}\nsolver: {method: rk4, step: 1/12}\n");
  const model::compiled_model truth(model::load_scenario(test::write_file(
      dir, "truth.yaml",
      "scenario: truth\n" + head + "set: {countries.AAA.cadres.nurses.exit_rate: 0.04}\n")));
  const auto run = model::simulate(truth, truth.default_parameters());
  std::string observed = "observed: truth\nseries:\n  AAA:\n    nurses:\n";
  for (int year = 2021; year <= 2035; ++year) {
    const double v = test::indicator(truth, run, static_cast<std::size_t>(year - 2020), "AAA",
                                     "nurses", "supply");
    observed += year < 2035
                    ? fmt::format("      {}: {}\n", year, v)
                    : fmt::format("      {}: {{value: {}, concept: registered}}\n", year, v);
  }
  test::write_file(dir, "observed.yaml", observed);
  app::calibrate_options o;
  o.scenario =
      test::write_file(dir, "fit.yaml",
                       "scenario: fit\n" + head +
                           "calibration:\n  observed: observed.yaml\n"
                           "  fit: {from: 2021, to: 2030}\n  holdout: {from: 2031, to: 2035}\n"
                           "  seed: 3\n  starts: 2\n  parameters:\n"
                           "    countries.AAA.cadres.nurses.exit_rate: {min: 0.01, max: 0.2}\n")
          .string();
  o.output = (dir / "results").string();
  REQUIRE(app::calibrate_and_write(o).converged);
  return dir / "results";
}

/// A results folder as `hwfsim sensitivity` writes it, of the two-country scenario's four
/// uncertain inputs: Sobol indices with second order (32 base samples, 100 bootstrap resamples)
/// or Morris effects (6 trajectories), of Ghana's nurse density and the UK's shortage in 2035 and
/// of Ghana's population, which no input moves.
std::filesystem::path sensitivity_folder(const std::string& name, app::sensitivity_method method) {
  const auto dir = test::scratch_folder(name) / "results";
  app::sensitivity_options o;
  o.scenario = test::source_path("scenarios/two-countries-uncertainty.yaml").string();
  o.output = dir.string();
  o.method = method;
  o.outputs = {"GHA.nurses.density_per_10k.2035", "GBR.*.shortage.2035", "GHA.all.population.2035"};
  o.base_samples = 32;
  o.second_order = true;
  o.bootstrap = 100;
  o.trajectories = 6;
  o.threads = 2;
  int argc = 1;
  char program[] = "hwfsim";
  char* args[] = {program, nullptr};
  char** argv = args;
  REQUIRE(app::sensitivity_and_write(o, argc, argv).status == 0);
  return dir;
}

/// The fields of the record of `csv` whose first fields are `prefix` (a CSV hwfsim writes,
/// without quoted fields).
std::vector<std::string> csv_row(const std::string& csv, const std::string& prefix) {
  std::istringstream in(csv);
  for (std::string line; std::getline(in, line);)
    if (line.starts_with(prefix)) {
      std::vector<std::string> fields;
      std::istringstream f(line);
      for (std::string field; std::getline(f, field, ',');) fields.push_back(field);
      if (line.ends_with(',')) fields.emplace_back();
      return fields;
    }
  FAIL("no row starts with " << prefix);
  return {};
}

/// The row of embedded records `r` whose column `column` is `value`.
nlohmann::json record_row(const nlohmann::json& r, const std::string& column,
                          const nlohmann::json& value) {
  const auto& columns = r["columns"];
  const auto c =
      static_cast<std::size_t>(std::find(columns.begin(), columns.end(), column) - columns.begin());
  REQUIRE(c < columns.size());
  for (const auto& row : r["rows"])
    if (row[c] == value) return row;
  FAIL("no row with " << column << " " << value);
  return {};
}

}  // namespace

TEST_CASE("numbers keep six significant digits in their shortest form", "[io]") {
  CHECK(out::compact_number(275094.09482718597) == "275094");
  CHECK(out::compact_number(1353889.223315931) == "1353890");
  CHECK(out::compact_number(1100744975.2902067) == "1.10074e9");
  CHECK(out::compact_number(7.508798852842831) == "7.5088");
  CHECK(out::compact_number(0.0125) == "0.0125");
  CHECK(out::compact_number(-2609.4) == "-2609.4");
  CHECK(out::compact_number(6.441657019246548e-16) == "6.44166e-16");
  CHECK(out::compact_number(0) == "0");
  CHECK(out::compact_number(2045) == "2045");
  CHECK(out::compact_number(std::nan("")) == "null");
  CHECK(out::compact_number(1.0 / 0.0) == "null");
  for (double x : {123456.7, 0.000123456789, -9.87654321e12, 44.5})
    CHECK(std::stod(out::compact_number(x)) == Approx(x).epsilon(5e-6));
}

TEST_CASE("JSON inside the page cannot close its script element", "[io]") {
  const std::string json =
      nlohmann::json{{"name", "</script><script>alert(1)</script> & <!-- \u2028\u2029"}}.dump();
  const auto safe = out::script_safe_json(json);
  CHECK(safe.find('<') == std::string::npos);
  CHECK(safe.find('>') == std::string::npos);
  CHECK(safe.find('&') == std::string::npos);
  CHECK(safe.find("\xE2\x80\xA8") == std::string::npos);
  CHECK(safe.find("\xE2\x80\xA9") == std::string::npos);
  CHECK(nlohmann::json::parse(safe) == nlohmann::json::parse(json));  // the same data
}

TEST_CASE("a run's report embeds its tables, country names and references", "[io]") {
  const auto dir = run_folder("report_run", "Aland </script><script>alert(1)</script>");
  const auto page = out::report_html(dir, settings());
  CHECK(page.rfind("<!doctype html>", 0) == 0);
  CHECK(page.find("alert(1)</script>") == std::string::npos);  // only escaped
  CHECK(page.find("Content-Security-Policy") != std::string::npos);
  const auto d = page_data(page);
  CHECK(d["kind"] == "run");
  CHECK(d["constants"]["sdg_threshold"] == 44.5);
  CHECK(d["constants"]["safeguards_median"] == 49);
  CHECK(d["scenarios"][0]["description"] == "a <b>test</b> & more");
  CHECK(d["country_info"][0]["name"] == "Aland </script><script>alert(1)</script>");
  CHECK(d["dictionaries"]["countries"] == nlohmann::json({"AAA", "BBB"}));
  CHECK(d["dictionaries"]["cadres"].back() == "all");
  const auto& t = d["tables"]["indicators"];
  CHECK(t["keys"] == nlohmann::json({"scenarios", "countries", "cadres", "indicators"}));
  CHECK(t["years"][0] == 2020);
  // The supply of AAA's nurses in the first year, against the CSV's full-precision value.
  const auto& dict = d["dictionaries"];
  const auto index = [&](const char* name, const std::string& label) {
    const auto& v = dict[name];
    return static_cast<int>(std::find(v.begin(), v.end(), label) - v.begin());
  };
  const auto scenario = test::source_path("tests/data/good/scenario.yaml");
  const model::compiled_model m(model::load_scenario(scenario.string()));
  const auto run = model::simulate(m, m.default_parameters());  // its tables point into m
  const double supply = test::indicator(m, run, 0, "AAA", "nurses", "supply");
  bool found = false;
  for (const auto& s : t["series"])
    if (s[0] == 0 && s[1] == index("countries", "AAA") && s[2] == index("cadres", "nurses") &&
        s[3] == index("indicators", "supply")) {
      CHECK(s[4][0][0].get<double>() == Approx(supply).epsilon(1e-5));
      found = true;
    }
  CHECK(found);
  CHECK(d["tables"].contains("corridors"));
}

TEST_CASE("write_report replaces report.html atomically", "[io]") {
  const auto dir = run_folder("report_write", "Aland");
  test::write_file(dir, "report.html", "old");
  const auto bytes = out::write_report(dir, settings());
  CHECK(bytes > 100'000);  // the chart libraries are inside
  CHECK(read(dir / "report.html").size() == bytes);
}

TEST_CASE("a folder that is not a results folder is refused clearly", "[io]") {
  const auto dir = test::scratch_folder("report_bad");
  CHECK_THROWS_AS(out::report_html(dir / "missing", settings()), engine::input_error);
  CHECK_THROWS_WITH(out::report_html(dir / "missing", settings()),
                    Catch::Contains("missing: error: no such folder"));
  CHECK_THROWS_WITH(
      out::report_html(dir, settings()),
      Catch::Contains("not a results folder: it has no run.json") &&
          Catch::Contains(
              "expected a results folder of hwfsim run, compare, mc, calibrate or sensitivity"));
  test::write_file(dir, "run.json", "{\"a\": 1}");
  CHECK_THROWS_WITH(out::report_html(dir, settings()),
                    Catch::Contains("run.json: error: not a run.json of hwfsim"));
  test::write_file(dir, "run.json", "{not json");
  CHECK_THROWS_WITH(out::report_html(dir, settings()), Catch::Contains("not valid JSON"));
  test::write_file(dir, "run.json",
                   "{\"comparison\": {}, \"runs\": [{\"scenario\": \"a\", \"horizon\": {}}]}");
  CHECK_THROWS_WITH(out::report_html(dir, settings()),
                    Catch::Contains("indicators.csv is missing"));
}

TEST_CASE("a damaged table is reported with its file and line", "[io]") {
  const auto dir = run_folder("report_damaged", "Aland");
  test::write_file(dir, "corridors.csv", "scenario,year,origin\n");
  CHECK_THROWS_WITH(out::report_html(dir, settings()),
                    Catch::Contains("corridors.csv:1:1: error: not a table hwfsim writes"));
  test::write_file(dir, "corridors.csv",
                   "scenario,year,origin,destination,cadre,indicator,value\n"
                   "good,2020,AAA,BBB,nurses,migrant_stock,12\n"
                   "good,2021,AAA,BBB,nurses,emigration,x\n");
  CHECK_THROWS_WITH(out::report_html(dir, settings()),
                    Catch::Contains("corridors.csv:3:1: error: 'x' is not a number"));
  test::write_file(dir, "corridors.csv",
                   "scenario,year,origin,destination,cadre,indicator,value\n"
                   "other,2020,AAA,BBB,nurses,migrant_stock,12\n");
  CHECK_THROWS_WITH(out::report_html(dir, settings()),
                    Catch::Contains("scenario 'other' is not one of run.json's"));
}

TEST_CASE("a run that wrote no tables still gets a report", "[io]") {
  const auto dir = run_folder("report_no_tables", "Aland");
  std::filesystem::remove(dir / "indicators.csv");
  std::filesystem::remove(dir / "corridors.csv");
  // run.json lists the tables it wrote: listed but missing is damage.
  CHECK_THROWS_WITH(out::report_html(dir, settings()),
                    Catch::Contains("indicators.csv is missing"));
  out::run_record rec;
  rec.scenario = "good";
  rec.files = {"report.html"};
  test::write_file(dir, "run.json", out::to_json(rec));
  const auto d = page_data(out::report_html(dir, settings()));
  CHECK(d["tables"].empty());
}

TEST_CASE("run.json names the model and its countries", "[io]") {
  out::run_record rec;
  rec.scenario = "s";
  rec.model_name = "m";
  rec.model_description = "d";
  rec.countries = {{"GHA", "Ghana", true}, {"GBR", "United Kingdom", false}};
  const auto j = nlohmann::json::parse(out::to_json(rec));
  CHECK(j["model"]["name"] == "m");
  CHECK(j["model"]["countries"][0] ==
        nlohmann::json({{"iso3", "GHA"}, {"name", "Ghana"}, {"safeguards_list", true}}));
  CHECK(j["model"]["countries"][1]["safeguards_list"] == false);
}

TEST_CASE("run.json and the page name the cadres the SDG density counts", "[io]") {
  const auto dir = run_folder("report_cadres", "Aland");
  out::run_record rec;
  rec.scenario = "good";
  rec.model_name = "m";
  rec.cadres = {{"doctors", true}, {"pharmacists", false}, {"nurses", true}};
  rec.files = {"indicators.csv", "corridors.csv", "report.html"};
  const auto j = nlohmann::json::parse(out::to_json(rec));
  CHECK(j["model"]["cadres"] == nlohmann::json::parse(R"([{"id": "doctors", "sdg_core": true},
                                  {"id": "pharmacists", "sdg_core": false},
                                  {"id": "nurses", "sdg_core": true}])"));
  test::write_file(dir, "run.json", out::to_json(rec));
  const auto d = page_data(out::report_html(dir, settings()));
  CHECK(d["scenarios"][0]["model"]["cadres"] == j["model"]["cadres"]);
  // The indicators table's net migration reaches the page as written.
  CHECK(std::find(d["dictionaries"]["indicators"].begin(), d["dictionaries"]["indicators"].end(),
                  "net_migration") != d["dictionaries"]["indicators"].end());
}

TEST_CASE("the report takes a table's key columns from its header", "[io]") {
  const auto dir = run_folder("report_new_dimension", "Aland");
  // A model that adds an age band: the reader needs no change.
  test::write_file(dir, "indicators.csv",
                   "scenario,year,country,age_band,cadre,indicator,value\n"
                   "good,2020,AAA,20-29,nurses,supply,10\n"
                   "good,2020,AAA,30-39,nurses,supply,20\n"
                   "good,2021,AAA,30-39,nurses,supply,25\n");
  const auto d = page_data(out::report_html(dir, settings()));
  const auto& t = d["tables"]["indicators"];
  CHECK(t["keys"] ==
        nlohmann::json({"scenarios", "countries", "age_bands", "cadres", "indicators"}));
  CHECK(d["dictionaries"]["age_bands"] == nlohmann::json({"20-29", "30-39"}));
  CHECK(t["years"] == nlohmann::json({2020, 2021}));
  const auto aaa = d["dictionaries"]["countries"];
  const auto country = std::find(aaa.begin(), aaa.end(), "AAA") - aaa.begin();
  CHECK(t["series"][1] == nlohmann::json({0, country, 1, 0, 0, {{20, 25}}}));
  // Origins and destinations share the countries; each table's indicators are its own set.
  CHECK(d["tables"]["corridors"]["keys"] ==
        nlohmann::json({"scenarios", "countries", "countries", "cadres", "corridor_indicators"}));
}

TEST_CASE("the page names the key columns of each table", "[io]") {
  const auto dir = run_folder("report_key_columns", "Aland");
  test::write_file(dir, "indicators.csv",
                   "scenario,year,country,age_band,cadre,indicator,value\n"
                   "good,2020,AAA,20-29,nurses,supply,10\n");
  const auto d = page_data(out::report_html(dir, settings()));
  for (const auto& [name, t] : d["tables"].items()) {
    INFO(name);
    REQUIRE(t.contains("key_columns"));
    CHECK(t["key_columns"].size() == t["keys"].size());
  }
  // The page finds a key by its column's name, so an added age band shifts nothing.
  CHECK(d["tables"]["indicators"]["key_columns"] ==
        nlohmann::json({"scenario", "country", "age_band", "cadre", "indicator"}));
  CHECK(d["tables"]["corridors"]["key_columns"] ==
        nlohmann::json({"scenario", "origin", "destination", "cadre", "indicator"}));
}

TEST_CASE("a header without the catalogue's columns is not a table hwfsim writes", "[io]") {
  const auto dir = run_folder("report_bad_header", "Aland");
  for (const auto* header :
       {"scenario,year,value\n", "year,scenario,country,value\n", "scenario,year,country,mean\n",
        "scenario,year,Country,value\n", "scenario,year,country,country,value\n",
        "scenario,year,\"x\"\"y\",value\n"}) {
    INFO(header);
    test::write_file(dir, "indicators.csv", header);
    CHECK_THROWS_WITH(
        out::report_html(dir, settings()),
        Catch::Contains("indicators.csv:1:1: error: not a table hwfsim writes") &&
            Catch::Contains("expected the header 'scenario,year,<key columns>,value'"));
  }
}

TEST_CASE("a calibration's report embeds the fit's summary and the rows of its files", "[io]") {
  const auto dir = calibrate_folder("report_calibrate");
  const auto run_json = nlohmann::json::parse(read(dir / "run.json"));
  const auto d = page_data(out::report_html(dir, settings()));
  CHECK(d["kind"] == "calibrate");
  CHECK(d["scenarios"][0]["scenario"] == "fit");
  // The summary as run.json holds it: the hold-out's median errors among it.
  CHECK(d["calibration"] == run_json["calibration"]);
  const auto& errors = d["calibration"]["holdout_median_abs_error_percent"];
  // Over the 4 values both naive forecasts give (the register series held out has none), then
  // horizons 1 to 4.
  REQUIRE(errors.size() == 5);
  CHECK(errors[0]["values"] == 4);
  CHECK(d["calibration"]["holdout_values"] == 5);
  CHECK(errors[0]["fitted"] ==
        run_json["calibration"]["holdout_median_abs_error_percent"][0]["fitted"]);
  CHECK(d["tables"].empty());

  // fit.csv: its header, a row per value, numbers as numbers (6 digits), texts as texts.
  const auto& fit = d["records"]["fit"];
  const auto fit_csv = read(dir / "fit.csv");
  CHECK(fit["columns"] ==
        nlohmann::json({"scenario", "country", "destination", "cadre", "measure", "year", "set",
                        "observed", "start", "fitted", "residual", "weight", "note"}));
  CHECK(fit["rows"].size() == 15);
  const auto csv_2027 = csv_row(fit_csv, "fit,AAA,,nurses,practising,2027,");
  const auto row_2027 = record_row(fit, "year", 2027);
  CHECK(row_2027[2] == "");
  CHECK(row_2027[6] == "fit");
  CHECK(row_2027[7].get<double>() == Approx(std::stod(csv_2027[7])).epsilon(1e-6));  // observed
  CHECK(row_2027[8].get<double>() == Approx(std::stod(csv_2027[8])).epsilon(1e-6));  // start
  CHECK(row_2027[9].get<double>() == Approx(std::stod(csv_2027[9])).epsilon(1e-6));  // fitted
  CHECK(row_2027[8].get<double>() < row_2027[7].get<double>() * 0.99);  // off before the fit
  const auto row_2035 = record_row(fit, "year", 2035);
  CHECK(row_2035[4] == "registered");
  CHECK(row_2035[6] == "holdout");

  // parameters.csv: the estimate, its standard error and flag.
  const auto& parameters = d["records"]["parameters"];
  const auto csv_exit =
      csv_row(read(dir / "parameters.csv"), "countries.AAA.cadres.nurses.exit_rate,");
  const auto exit = record_row(parameters, "parameter", "countries.AAA.cadres.nurses.exit_rate");
  CHECK(exit[2].get<double>() == Approx(0.04).epsilon(1e-5));
  CHECK(exit[2].get<double>() == Approx(std::stod(csv_exit[2])).epsilon(1e-6));
  CHECK(exit[5] == "none");
  CHECK(exit[7] == "identified");

  // holdout.csv: the series without fit-year values has no naive forecasts (null).
  const auto& holdout = d["records"]["holdout"];
  CHECK(holdout["rows"].size() == 5);
  const auto registered = record_row(holdout, "measure", "registered");
  CHECK(registered[6] == 0);        // horizon
  CHECK(registered[9].is_null());   // persistence
  CHECK(registered[12].is_null());  // error_persistence
}

TEST_CASE("calibrate writes its report, which hwfsim report rebuilds to the same bytes", "[io]") {
  const auto dir = calibrate_folder("report_calibrate_written");
  REQUIRE(std::filesystem::exists(dir / "report.html"));
  const auto run_json = nlohmann::json::parse(read(dir / "run.json"));
  const auto& files = run_json["calibrated_run"]["files"];
  CHECK(std::find(files.begin(), files.end(), "report.html") != files.end());
  const auto written = read(dir / "report.html");
  CHECK(page_data(written)["kind"] == "calibrate");
  std::filesystem::remove(dir / "report.html");
  CHECK(app::rebuild_report(dir) == written.size());  // the folder's files.sha256 holds
  CHECK(read(dir / "report.html") == written);
}

TEST_CASE("a calibration's missing or damaged files are refused naming the file", "[io]") {
  const auto dir = calibrate_folder("report_calibrate_damaged");
  const auto fit = read(dir / "fit.csv");
  std::filesystem::remove(dir / "fit.csv");
  CHECK_THROWS_WITH(out::report_html(dir, settings()),
                    Catch::Contains("fit.csv is missing") &&
                        Catch::Contains("a folder of hwfsim calibrate, which writes it"));
  test::write_file(dir, "fit.csv", "");
  CHECK_THROWS_WITH(out::report_html(dir, settings()), Catch::Contains("fit.csv: error: is empty"));
  test::write_file(dir, "fit.csv", "scenario,country,cadre,year,observed\nfit,AAA,nurses,2021,1\n");
  CHECK_THROWS_WITH(
      out::report_html(dir, settings()),
      Catch::Contains("fit.csv:1:1: error: not a table hwfsim writes") &&
          Catch::Contains("expected the header 'scenario,country,destination,cadre,measure,year,"
                          "set,observed,start,fitted,residual,weight,note'"));
  const auto header = fit.substr(0, fit.find('\n') + 1);
  test::write_file(dir, "fit.csv", header + "fit,AAA,,nurses,practising,2021,fit,x,1,1,0,1,\n");
  CHECK_THROWS_WITH(out::report_html(dir, settings()),
                    Catch::Contains("fit.csv:2:1: error: 'x' is not a number"));
  test::write_file(dir, "fit.csv", header + "fit,AAA,,nurses,practising,2021,fit,1,1\n");
  CHECK_THROWS_WITH(out::report_html(dir, settings()),
                    Catch::Contains("fit.csv:2:1: error: 9 fields where the header has 13"));
  test::write_file(dir, "fit.csv", header + "other,AAA,,nurses,practising,2021,fit,1,1,1,0,1,\n");
  CHECK_THROWS_WITH(
      out::report_html(dir, settings()),
      Catch::Contains("fit.csv:2:1: error: scenario 'other' is not one of run.json's"));
  test::write_file(dir, "fit.csv", fit);
  CHECK_NOTHROW(out::report_html(dir, settings()));
  // parameters.csv is required; holdout.csv too, as run.json lists it.
  for (const auto* name : {"parameters.csv", "holdout.csv"}) {
    INFO(name);
    const auto text = read(dir / name);
    std::filesystem::remove(dir / name);
    CHECK_THROWS_WITH(out::report_html(dir, settings()),
                      Catch::Contains(fmt::format("{} is missing", name)));
    test::write_file(dir, name, text);
  }
  test::write_file(dir, "parameters.csv",
                   "parameter,start,estimate,min,max,prior,standard_error,flag\n"
                   "countries.AAA.cadres.nurses.exit_rate,0.06,0.04,0.01,0.2,none,?,identified\n");
  CHECK_THROWS_WITH(out::report_html(dir, settings()),
                    Catch::Contains("parameters.csv:2:1: error: '?' is not a number"));
}

TEST_CASE("a sensitivity study's report embeds its summary and the rows of its files", "[io]") {
  const auto dir = sensitivity_folder("report_sensitivity", app::sensitivity_method::sobol);
  const auto run_json = nlohmann::json::parse(read(dir / "run.json"));
  const auto d = page_data(out::report_html(dir, settings()));
  CHECK(d["kind"] == "sensitivity");
  CHECK(d["scenarios"][0]["scenario"] == "two-countries-uncertainty");
  // The summary as run.json holds it; the indicators' labels and units for the titles.
  CHECK(d["sensitivity"] == run_json["sensitivity"]);
  CHECK(d["sensitivity"]["runs"] == 320);  // 32 base rows of 2 x 4 + 2 runs each
  CHECK(d["sensitivity"]["second_order"] == true);
  CHECK_FALSE(d["scenarios"][0]["model"]["indicators"].empty());
  CHECK(d["tables"].empty());

  // indices.csv: a row per output, input and index; the total index of Ghana's exit rate for
  // Ghana's density, and its bootstrap interval, as the file gives them (6 digits).
  const auto& indices = d["records"]["indices"];
  const auto indices_csv = read(dir / "indices.csv");
  CHECK(indices["columns"] ==
        nlohmann::json({"output", "input", "method", "index", "estimate", "ci_low", "ci_high"}));
  // 4 outputs (the UK's nurses and all cadres), each with 4 first-order, 4 total and 6 pairs.
  CHECK(indices["rows"].size() == 4 * (4 + 4 + 6));
  CHECK(indices["rows"].size() ==
        static_cast<std::size_t>(std::count(indices_csv.begin(), indices_csv.end(), '\n') - 1));
  const std::string density = "GHA.nurses.density_per_10k.2035";
  const std::string exit = "countries.GHA.cadres.nurses.exit_rate";
  const auto total_csv = csv_row(indices_csv, density + "," + exit + ",sobol,total,");
  nlohmann::json total;
  for (const auto& row : indices["rows"])
    if (row[0] == density && row[1] == exit && row[3] == "total") total = row;
  REQUIRE(total.is_array());
  CHECK(total[2] == "sobol");
  for (std::size_t c : {4, 5, 6}) {
    INFO(indices["columns"][c]);
    CHECK(total[c].get<double>() == Approx(std::stod(total_csv[c])).epsilon(1e-5));
  }
  // Ghana's exit rate drives Ghana's density: its total index is large, its interval around it.
  CHECK(total[4].get<double>() > 0.5);
  CHECK(total[5].get<double>() <= total[6].get<double>());
  // A pair of inputs, named as the file names it, and the output no input moves.
  const auto pair =
      record_row(indices, "input", exit + " & corridors.GHA-GBR.nurses.emigration_rate");
  CHECK(pair[3] == "second_order");
  for (const auto& row : indices["rows"])
    if (row[0] == "GHA.all.population.2035" && row[3] == "total") CHECK(row[4] == 0);

  // convergence.csv: the estimates from all 32 base rows are indices.csv's, at all the runs.
  const auto& convergence = d["records"]["convergence"];
  CHECK(convergence["columns"] == nlohmann::json({"output", "input", "index", "runs", "estimate"}));
  const auto convergence_csv = read(dir / "convergence.csv");
  CHECK(convergence["rows"].size() ==
        static_cast<std::size_t>(std::count(convergence_csv.begin(), convergence_csv.end(), '\n') -
                                 1));
  bool found = false;
  for (const auto& row : convergence["rows"])
    if (row[0] == density && row[1] == exit && row[2] == "total" && row[3] == 320) {
      CHECK(row[4] == total[4]);
      found = true;
    }
  CHECK(found);

  // outputs.csv: the UK's shortage's mean and standard deviation; Ghana's population constant.
  const auto& outputs = d["records"]["outputs"];
  const auto shortage_csv = csv_row(read(dir / "outputs.csv"), "GBR.nurses.shortage.2035,");
  const auto shortage = record_row(outputs, "output", "GBR.nurses.shortage.2035");
  CHECK(shortage[1] == "indicators");
  CHECK(shortage[4] == "shortage");
  CHECK(shortage[5] == 2035);
  CHECK(shortage[6].get<double>() == Approx(std::stod(shortage_csv[6])).epsilon(1e-5));
  CHECK(shortage[7].get<double>() == Approx(std::stod(shortage_csv[7])).epsilon(1e-5));
  CHECK(shortage[8] == "no");
  const auto population = record_row(outputs, "output", "GHA.all.population.2035");
  CHECK(population[7] == 0);
  CHECK(population[8] == "yes");

  // inputs.csv: a shared pattern with its parameters, and a distribution that holds commas.
  const auto& inputs = d["records"]["inputs"];
  CHECK(inputs["rows"].size() == 4);
  const auto retirement = record_row(inputs, "input", "countries.*.cadres.*.retirement_rate");
  CHECK(retirement[1] == "shared");
  CHECK(retirement[2] ==
        "countries.GHA.cadres.nurses.retirement_rate countries.GBR.cadres.nurses.retirement_rate");
  CHECK(retirement[3] == "uniform, 90% within [0.91, 1.09], multiply");
}

TEST_CASE("a Morris study's report embeds its effects, without convergence", "[io]") {
  const auto dir = sensitivity_folder("report_morris", app::sensitivity_method::morris);
  const auto d = page_data(out::report_html(dir, settings()));
  CHECK(d["kind"] == "sensitivity");
  CHECK(d["sensitivity"]["method"] == "morris");
  CHECK(d["sensitivity"]["trajectories"] == 6);
  CHECK(d["sensitivity"]["runs"] == 6 * 5);
  CHECK_FALSE(d["records"].contains("convergence"));
  const auto& indices = d["records"]["indices"];
  // 4 outputs, 4 inputs, 4 measures: mu, mu_star, sigma, mu_star_relative.
  CHECK(indices["rows"].size() == 4 * 4 * 4);
  const std::string retirement = "countries.*.cadres.*.retirement_rate";
  const auto mu_star_csv = csv_row(read(dir / "indices.csv"),
                                   "GBR.nurses.shortage.2035," + retirement + ",morris,mu_star,");
  for (const auto& row : indices["rows"]) {
    if (row[0] != "GBR.nurses.shortage.2035" || row[1] != retirement) continue;
    if (row[3] == "mu_star")
      CHECK(row[4].get<double>() == Approx(std::stod(mu_star_csv[4])).epsilon(1e-5));
    if (row[3] == "mu_star_relative") CHECK(row[4] == 1);  // the UK's shortage's largest
    CHECK(row[5].is_null());                               // no interval
    CHECK(row[6].is_null());
  }
}

TEST_CASE("sensitivity writes its report, which hwfsim report rebuilds to the same bytes", "[io]") {
  const auto dir = sensitivity_folder("report_sensitivity_written", app::sensitivity_method::sobol);
  REQUIRE(std::filesystem::exists(dir / "report.html"));
  const auto written = read(dir / "report.html");
  CHECK(page_data(written)["kind"] == "sensitivity");
  std::filesystem::remove(dir / "report.html");
  CHECK(app::rebuild_report(dir) == written.size());  // the folder's files.sha256 holds
  CHECK(read(dir / "report.html") == written);
}

TEST_CASE("a sensitivity study's missing or damaged files are refused naming the file", "[io]") {
  const auto dir = sensitivity_folder("report_sensitivity_damaged", app::sensitivity_method::sobol);
  for (const auto* name : {"indices.csv", "convergence.csv", "outputs.csv", "inputs.csv"}) {
    INFO(name);
    const auto text = read(dir / name);
    std::filesystem::remove(dir / name);
    CHECK_THROWS_WITH(out::report_html(dir, settings()),
                      Catch::Contains(fmt::format("{} is missing", name)) &&
                          Catch::Contains("a folder of hwfsim sensitivity, which writes it"));
    test::write_file(dir, name, text);
  }
  const auto indices = read(dir / "indices.csv");
  const auto header = indices.substr(0, indices.find('\n') + 1);
  test::write_file(dir, "indices.csv", "output,input,index,estimate\n");
  CHECK_THROWS_WITH(
      out::report_html(dir, settings()),
      Catch::Contains("indices.csv:1:1: error: not a table hwfsim writes") &&
          Catch::Contains(
              "expected the header 'output,input,method,index,estimate,ci_low,ci_high'"));
  test::write_file(dir, "indices.csv", header + "a,b,sobol,total,0.5,x,0.6\n");
  CHECK_THROWS_WITH(out::report_html(dir, settings()),
                    Catch::Contains("indices.csv:2:1: error: 'x' is not a number"));
  test::write_file(dir, "indices.csv", header + "a,b,sobol,total,0.5\n");
  CHECK_THROWS_WITH(out::report_html(dir, settings()),
                    Catch::Contains("indices.csv:2:1: error: 5 fields where the header has 7"));
  // A label holding markup is data, kept whole and escaped in the page.
  test::write_file(
      dir, "indices.csv",
      header + "\"</script><script>alert(1)</script>, x\",b,sobol,total,0.5,0.4,0.6\n");
  const auto page = out::report_html(dir, settings());
  CHECK(page.find("alert(1)</script>") == std::string::npos);
  CHECK(page_data(page)["records"]["indices"]["rows"][0][0] ==
        "</script><script>alert(1)</script>, x");
}
