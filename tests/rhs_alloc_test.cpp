#include <catch2/catch.hpp>

#include <atomic>
#include <cstdlib>
#include <new>

#include "models/workforce/compiled_model.hpp"
#include "models/workforce/description.hpp"
#include "support.hpp"

// Every operator new in the test program is counted (the count is only read below).
namespace {
std::atomic<std::size_t> allocations{0};
}
void* operator new(std::size_t n) {
  ++allocations;
  if (void* p = std::malloc(n ? n : 1)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept {
  std::free(p);
}
void operator delete(void* p, std::size_t) noexcept {
  std::free(p);
}

TEST_CASE("the right-hand side allocates nothing", "[model][performance]") {
  for (const char* scenario :
       {"scenarios/two-countries.yaml", "scenarios/two-countries-policies.yaml",
        "tests/data/good/scenario.yaml"}) {
    const auto s = hwf::model::load_scenario(hwf::test::source_path(scenario));
    const hwf::model::compiled_model m(s);
    auto rs = hwf::model::make_run_system(m, m.default_parameters());
    std::vector<double> dx(rs.initial_state.size());
    const std::size_t before = allocations.load();
    for (int i = 0; i < 1000; ++i) rs.system->derivative(rs.initial_state, dx, 2020 + 0.01 * i);
    const std::size_t after = allocations.load();
    INFO(scenario);
    CHECK(after - before == 0);
    // The counter works: a vector allocates.
    std::vector<double> probe(10);
    CHECK(allocations.load() > after);
  }
}
