// Writes the benchmarks' synthetic world (benchmarks/synthetic_world.cpp) for the report's
// browser test: hwf_synthetic_world FOLDER COUNTRIES CADRES CORRIDORS prints the scenario's path.

#include <cstdio>
#include <cstdlib>
#include <exception>

#include "synthetic_world.hpp"

int main(int argc, char** argv) {
  if (argc != 5) {
    std::fprintf(stderr, "usage: hwf_synthetic_world FOLDER COUNTRIES CADRES CORRIDORS\n");
    return 2;
  }
  hwf::bench::world_size w;
  w.countries = std::atoi(argv[2]);
  w.cadres = std::atoi(argv[3]);
  w.corridors = std::atoi(argv[4]);
  try {
    const auto scenario = hwf::bench::write_synthetic_world(argv[1], w);
    std::printf("%s\n", scenario.string().c_str());
  } catch (const std::exception& e) {
    std::fprintf(stderr, "hwf_synthetic_world: %s\n", e.what());
    return 2;
  }
  return 0;
}
