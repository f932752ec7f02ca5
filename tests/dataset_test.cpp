#include <catch2/catch.hpp>

#include "models/workforce/backcast.hpp"
#include "models/workforce/compiled_model.hpp"
#include "models/workforce/description.hpp"
#include "models/workforce/safeguards_list.hpp"
#include "support.hpp"

using namespace hwf;

TEST_CASE("every figure of the world dataset carries a flag and a source or note",
          "[model][data]") {
  const auto md = model::load_model(test::source_path("models/world/world.yaml"), "world.yaml");
  std::size_t figures = 0;
  for (const auto& p : md.params.items()) {
    if (p.note.rfind("default", 0) == 0) continue;  // left to the documented default
    ++figures;
    INFO(p.path);
    CHECK(p.flag != model::evidence::unstated);
    CHECK_FALSE((p.source.empty() && p.note.empty()));
  }
  CHECK(figures > 300);
}

TEST_CASE("the world dataset starts at the WHO densities of 2020", "[model][data]") {
  const auto s = model::load_scenario(test::source_path("scenarios/flagship.yaml"));
  const model::compiled_model m(s);
  const auto r = model::simulate(m, m.default_parameters());
  // WHO GHO, medical doctors per 10,000 people, 2020 (HWF_0001); counts and population are for
  // the same year, so the model's density matches to the rounding of population.
  const std::vector<std::pair<std::string, double>> who{
      {"GBR", 30.04}, {"GHA", 1.70}, {"AUS", 41.29}, {"DEU", 44.35}, {"ZWE", 1.99}};
  for (const auto& [iso, density] : who) {
    INFO(iso);
    CHECK(test::indicator(m, r, 0, iso, "doctors", "density_per_10k") ==
          Approx(density).epsilon(0.005));
  }
}

TEST_CASE("Safeguards-List membership follows the WHO 2023 list", "[model][data]") {
  CHECK(model::safeguards_list_2023().size() == 55);
  for (const char* iso : {"NGA", "GHA", "ZWE", "PAK", "NPL", "HTI", "VUT", "MWI"})
    CHECK(model::on_safeguards_list_2023(iso));
  for (const char* iso : {"KEN", "ZAF", "PHL", "IND", "JAM", "GBR"})
    CHECK_FALSE(model::on_safeguards_list_2023(iso));
  const auto md = model::load_model(test::source_path("models/world/world.yaml"), "world.yaml");
  for (const auto& c : md.countries) {
    INFO(c.iso3);
    CHECK(c.safeguards_list == model::on_safeguards_list_2023(c.iso3));
  }
}

TEST_CASE("back-casting matches projections to observed values in the horizon", "[model][data]") {
  const auto s = model::load_scenario(test::source_path("tests/data/good/scenario.yaml"));
  const model::compiled_model m(s);
  const auto r = model::simulate(m, m.default_parameters());
  const auto obs = model::load_observed(test::source_path("tests/data/backcast/observed.yaml"), m);
  const auto matches = model::match_observations(m, r, obs);
  // 2040 is past the scenario's end (2030): left out.
  REQUIRE(matches.size() == 5);
  CHECK(matches[0].year == 2020);
  CHECK(matches[0].projected == Approx(1000));  // the start: observed stock = initial stock
  CHECK(matches[2].note == "a break in the series");
  CHECK(matches[2].projected == test::indicator(m, r, 5, "AAA", "nurses", "supply"));
  CHECK(matches[2].error_percent() == Approx((matches[2].projected - 1500) / 1500 * 100));
  CHECK(matches[4].keys == std::vector<std::string>{"BBB", "nurses"});
}

TEST_CASE("observed data naming an unknown country or cadre is refused", "[model][data][io]") {
  const auto s = model::load_scenario(test::source_path("tests/data/good/scenario.yaml"));
  const model::compiled_model m(s);
  const auto dir = test::scratch_folder("observed_bad");
  test::write_file(
      dir, "o.yaml",
      "observed: x\nseries:\n  AAB:\n    nurses: {2021: 1}\n  BBB:\n    nurse: {2021: 1}\n");
  CHECK_THROWS_WITH(model::load_observed(dir / "o.yaml", m),
                    Catch::Contains("series.AAB: 'AAB' is not a country of model") &&
                        Catch::Contains("did you mean 'AAA'?") &&
                        Catch::Contains("series.BBB.nurse: 'nurse' is not a cadre of the model"));
}

TEST_CASE("the world dataset's nurses start in the published age structures", "[model][data]") {
  // docs/model.md 15.7: W0 split by age_shares where given (NMC register 2022 for the UK,
  // Asamani et al. 2019 for Ghana), by the bands' steady state elsewhere; retirement is ageing
  // out of the last band.
  const auto s = model::load_scenario(test::source_path("scenarios/flagship.yaml"));
  const model::compiled_model m(s);
  REQUIRE(m.has_ages());
  const auto r = model::simulate(m, m.default_parameters());
  const auto& ages = r.result.tables[2];
  const auto band = [&](const std::string& iso, const std::string& b) {
    const auto k = ages.schema->find({{"country", iso},
                                      {"cadre", "nurses"},
                                      {"age_band", b},
                                      {"indicator", "workforce_domestic"}});
    REQUIRE(k);
    return ages.row(0)[*k];
  };
  const double uk = test::indicator(m, r, 0, "GBR", "nurses", "workforce_domestic");
  CHECK(band("GBR", "56-66") == Approx(0.213 * uk).epsilon(1e-12));  // 21.3% aged 56+ (NMC)
  CHECK(band("GBR", "51-56") + band("GBR", "56-66") == Approx(0.333 * uk).epsilon(1e-12));
  const double gh = test::indicator(m, r, 0, "GHA", "nurses", "workforce_domestic");
  // About 80% aged 35 or younger: the first band and half the second.
  CHECK(band("GHA", "21-31") + band("GHA", "31-41") / 2 == Approx(0.77 * gh).epsilon(1e-12));
  // Nigeria: the steady state of the bands, exits 0.03 (0.18 in the last band), ageing 1 / width.
  const double ng = test::indicator(m, r, 0, "NGA", "nurses", "workforce_domestic");
  const double s1 = 1 / (0.03 + 0.1), s2 = 0.1 * s1 / 0.13, s3 = 0.1 * s2 / 0.13,
               s4 = 0.1 * s3 / (0.03 + 0.2), s5 = 0.2 * s4 / (0.18 + 0.1);
  CHECK(band("NGA", "56-66") == Approx(ng * s5 / (s1 + s2 + s3 + s4 + s5)).epsilon(1e-12));
}
