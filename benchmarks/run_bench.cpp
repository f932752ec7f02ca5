// Single-run speed of the engine on a synthetic world (default world-20), against a
// hand-written flat C++ kernel of the same equations: the practical speed limit.
// Prints the workload, machine, best and median times, RHS evaluations per second,
// allocations inside the right-hand side, and whether each goal is met.
//
// Usage: hwf_run_bench [countries cadres corridors] [--repeats N] [--series | --ages]
// --series gives every corridor's emigration and return rate as a series (docs/model.md, 15.1);
// the flat kernel has constant rates, so it is not run then. --ages puts every cadre in five age
// bands and gives every country-cadre funded posts (15.5, 15.7); the flat kernel extended to
// bands and posts is the reference then.

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <new>
#include <stdexcept>
#include <thread>

#include <fmt/format.h>

#include "models/workforce/compiled_model.hpp"
#include "models/workforce/description.hpp"
#include "synthetic_world.hpp"

// Counting allocations: every operator new in this program goes through here.
namespace {
std::atomic<std::size_t> g_allocations{0};
}
void* operator new(std::size_t n) {
  ++g_allocations;
  if (void* p = std::malloc(n ? n : 1)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept {
  std::free(p);
}
void operator delete(void* p, std::size_t) noexcept {
  std::free(p);
}

namespace {

using clock_type = std::chrono::steady_clock;
using namespace hwf;

template <class F>
std::vector<double> time_us(int repeats, F&& f) {
  std::vector<double> t;
  for (int i = 0; i < repeats; ++i) {
    const auto a = clock_type::now();
    f();
    t.push_back(std::chrono::duration<double, std::micro>(clock_type::now() - a).count());
  }
  std::sort(t.begin(), t.end());
  return t;
}
double median(const std::vector<double>& v) {
  return v[v.size() / 2];
}

/// The training pipeline of one block, as both flat kernels write it: stage derivatives into
/// dx from `intake`; adds the drained flow and the students; returns the graduates.
inline double pipeline(const double* x, double* dx, std::size_t first, std::size_t stages,
                       double drain, double q, double intake, double& drained, double& students) {
  double in = intake, out = 0;
  for (std::size_t s = 0; s < stages; ++s) {
    out = x[first + s] * drain;
    dx[first + s] = in - out;
    in = out * (1 - q);
    drained += out;
    students += x[first + s];
  }
  return out * (1 - q);
}

/// The countries' populations P0 e^{g (t - t0)}, which both flat kernels need.
struct flat_population {
  std::vector<double> p0, g, pop;
  double t0 = 0;

  flat_population(const model::compiled_model& m, const std::vector<double>& p)
      : t0(m.start_time()) {
    for (const auto& c : m.countries()) {
      p0.push_back(p[c.p_population]);
      g.push_back(p[c.p_population_growth]);
    }
    pop.resize(p0.size());
  }
  void at(double t) {
    for (std::size_t c = 0; c < p0.size(); ++c) pop[c] = p0[c] * std::exp(g[c] * (t - t0));
  }
};

/// The same equations as models/workforce/simulate.cpp, written flat for one fixed layout:
/// no virtual calls, no spans, everything hoisted; RK4 with the same step placement.
struct flat_kernel : flat_population {
  struct cc {
    std::size_t s, n, w, acc, country;
    double drain, q, entry, att, intake0, growth, need, beta, ratio0;
  };
  struct corridor {
    std::size_t o_w, m, acc, dest;
    double m0, r0, att;
  };
  std::vector<cc> ccs;
  std::vector<corridor> cors;
  std::vector<double> supply, pull;

  flat_kernel(const model::compiled_model& m, const std::vector<double>& p,
              const std::vector<double>& x0)
      : flat_population(m, p) {
    for (const auto& b : m.blocks()) {
      const double years = p[b.p_training_years], completion = p[b.p_completion];
      ccs.push_back({b.students, static_cast<std::size_t>(b.stages), b.workforce, b.accumulators,
                     b.country, b.stages / years, 1 - std::pow(completion, 1.0 / b.stages),
                     p[b.p_entry_rate], p[b.p_exit_rate] + p[b.p_retirement_rate],
                     p[b.p_seats] * p[b.p_fill], p[b.p_seat_growth], p[b.p_need_density] / 1e4,
                     p[b.p_demand_elasticity], 1.0});
    }
    // A rest-of-world destination has no block: its slot, one past the blocks, keeps pull 1.
    for (const auto& k : m.corridors()) {
      const bool row = k.to_rest_of_world();
      cors.push_back({m.blocks()[k.origin].workforce, k.migrants, k.accumulators,
                      row ? ccs.size() : k.destination, p[k.p_emigration_rate], p[k.p_return_rate],
                      row ? p[k.p_exit_rate] + p[k.p_retirement_rate] : ccs[k.destination].att});
    }
    supply.resize(ccs.size() + 1);
    pull.assign(ccs.size() + 1, 1.0);
    for (std::size_t i = 0; i < ccs.size(); ++i) supply[i] = x0[ccs[i].w];
    for (const auto& k : cors) supply[k.dest] += x0[k.m];
    for (std::size_t i = 0; i < ccs.size(); ++i)
      if (ccs[i].beta != 0) ccs[i].ratio0 = p0[ccs[i].country] * ccs[i].need / supply[i];
  }

  void rhs(const double* x, double* dx, double t) {
    at(t);
    for (std::size_t i = 0; i < ccs.size(); ++i) supply[i] = x[ccs[i].w];
    for (const auto& k : cors) supply[k.dest] += x[k.m];
    for (std::size_t i = 0; i < ccs.size(); ++i) {
      const auto& c = ccs[i];
      pull[i] =
          c.beta == 0 ? 1.0 : std::pow(pop[c.country] * c.need / supply[i] / c.ratio0, c.beta);
    }
    for (const auto& c : ccs) {
      const double intake = c.intake0 * std::exp(c.growth * (t - t0));
      double drained = 0, students = 0;
      const double grad = pipeline(x, dx, c.s, c.n, c.drain, c.q, intake, drained, students);
      const double attr = c.att * x[c.w];
      dx[c.w] = c.entry * grad - attr;
      dx[c.acc] = intake;
      dx[c.acc + 1] = drained * c.q;
      dx[c.acc + 2] = grad;
      dx[c.acc + 3] = attr;
      dx[c.acc + 4] = students;
      dx[c.acc + 5] = x[c.w];                          // worker-years
      for (int j = 6; j < 10; ++j) dx[c.acc + j] = 0;  // policy costs: no levers here
    }
    for (const auto& k : cors) {
      const double f = x[k.o_w] * k.m0 * pull[k.dest], r = k.r0 * x[k.m], a = k.att * x[k.m];
      dx[k.o_w] += r - f;
      dx[k.m] = f - r - a;
      dx[k.acc] = f;
      dx[k.acc + 1] = r;
      dx[k.acc + 2] = a;
      dx[k.acc + 3] = 0;       // compensation: no agreements here
      dx[k.acc + 4] = x[k.m];  // migrant-years
    }
  }
};

/// The flat kernel extended to age bands and funded posts (docs/model.md, 15.5 and 15.7), for a
/// world where every cadre has bands and every country-cadre posts, and no levers: W and U by
/// band with ageing, hiring from U in proportion, emigration weighed by band, M by band.
struct flat_aged_kernel : flat_population {
  struct cc {
    std::size_t s, n, w, u, acc, lacc, country, bands;
    double drain, q, entry, intake0, growth, need, beta, ratio0;
    double posts0, post_growth, hire_rate, u_exit, u_emigration;
    std::size_t band;  ///< first entry of this block in the per-band arrays
  };
  struct corridor {
    std::size_t origin, m, acc, dest;
    double m0, r0;
    std::size_t exits;  ///< first migrant exit rate (the destination's by band)
  };
  std::vector<cc> ccs;
  std::vector<corridor> cors;
  std::vector<double> exit, ageing, entry_share, factor;  ///< per block and band
  std::vector<double> supply, pull;

  flat_aged_kernel(const model::compiled_model& m, const std::vector<double>& p,
                   const std::vector<double>& x0)
      : flat_population(m, p) {
    for (const auto& b : m.blocks()) {
      if (!b.aged || !b.has_posts)
        throw std::invalid_argument("flat_aged_kernel: every block aged, with posts");
      const double years = p[b.p_training_years], completion = p[b.p_completion];
      double shares = 0;
      for (std::size_t k = 0; k < b.bands; ++k) shares += p[b.p_entry_shares[k]];
      ccs.push_back({b.students,
                     static_cast<std::size_t>(b.stages),
                     b.workforce,
                     b.unemployed,
                     b.accumulators,
                     b.labour_accumulators,
                     b.country,
                     b.bands,
                     b.stages / years,
                     1 - std::pow(completion, 1.0 / b.stages),
                     p[b.p_entry_rate],
                     p[b.p_seats] * p[b.p_fill],
                     p[b.p_seat_growth],
                     p[b.p_need_density] / 1e4,
                     p[b.p_demand_elasticity],
                     1.0,
                     p[b.p_posts],
                     p[b.p_post_growth],
                     1 / p[b.p_hire_years],
                     p[b.p_unemployed_exit_rate],
                     p[b.p_unemployed_emigration_factor],
                     exit.size()});
      for (std::size_t k = 0; k < b.bands; ++k) {
        exit.push_back(p[b.p_band_exit[k]]);
        ageing.push_back(1 / b.band_widths[k]);
        entry_share.push_back(p[b.p_entry_shares[k]] / shares);
        factor.push_back(p[b.p_emigration_factors[k]]);
      }
    }
    for (const auto& k : m.corridors()) {
      if (k.to_rest_of_world()) throw std::invalid_argument("flat_aged_kernel: no rest of world");
      cors.push_back({k.origin, k.migrants, k.accumulators, k.destination, p[k.p_emigration_rate],
                      p[k.p_return_rate], ccs[k.destination].band});
    }
    supply.resize(ccs.size());
    pull.assign(ccs.size(), 1.0);
    compute_supply(x0.data());
    for (std::size_t i = 0; i < ccs.size(); ++i)
      if (ccs[i].beta != 0) ccs[i].ratio0 = p0[ccs[i].country] * ccs[i].need / supply[i];
  }

  void compute_supply(const double* x) {
    for (std::size_t i = 0; i < ccs.size(); ++i) {
      double s = 0;
      for (std::size_t b = 0; b < ccs[i].bands; ++b) s += x[ccs[i].w + b];
      supply[i] = s;
    }
    for (const auto& k : cors)
      for (std::size_t b = 0; b < ccs[k.dest].bands; ++b) supply[k.dest] += x[k.m + b];
  }

  void rhs(const double* x, double* dx, double t) {
    at(t);
    compute_supply(x);
    for (std::size_t i = 0; i < ccs.size(); ++i) {
      const auto& c = ccs[i];
      pull[i] =
          c.beta == 0 ? 1.0 : std::pow(pop[c.country] * c.need / supply[i] / c.ratio0, c.beta);
    }
    for (std::size_t i = 0; i < ccs.size(); ++i) {
      const auto& c = ccs[i];
      const double intake = c.intake0 * std::exp(c.growth * (t - t0));
      double drained = 0, students = 0;
      const double grad = pipeline(x, dx, c.s, c.n, c.drain, c.q, intake, drained, students);
      const double entrants = c.entry * grad;
      double unemployed = 0;
      for (std::size_t b = 0; b < c.bands; ++b) unemployed += x[c.u + b];
      const double posts = c.posts0 * std::exp(c.post_growth * (t - t0));
      const double hires = std::min(unemployed, std::max(0.0, posts - supply[i])) * c.hire_rate;
      const double hire_share = unemployed > 0 ? hires / unemployed : 0.0;
      double into_w = 0, into_u = 0, workers = 0, attrition = 0, u_exits = 0;
      for (std::size_t b = 0; b < c.bands; ++b) {
        const double w = x[c.w + b], u = x[c.u + b], a = ageing[c.band + b];
        const double exits = exit[c.band + b] * w, w_out = a * w, u_out = a * u;
        dx[c.w + b] = into_w + hire_share * u - exits - w_out;
        dx[c.u + b] =
            into_u + entrants * entry_share[c.band + b] - hire_share * u - c.u_exit * u - u_out;
        into_w = w_out;
        into_u = u_out;
        workers += w;
        attrition += exits;
        u_exits += c.u_exit * u;
      }
      attrition += into_w;  // the last band's ageing out: retirement
      u_exits += into_u;
      dx[c.acc] = intake;
      dx[c.acc + 1] = drained * c.q;
      dx[c.acc + 2] = grad;
      dx[c.acc + 3] = attrition;
      dx[c.acc + 4] = students;
      dx[c.acc + 5] = workers;
      for (int j = 6; j < 10; ++j) dx[c.acc + j] = 0;  // policy costs: no levers here
      dx[c.lacc] = hires;
      dx[c.lacc + 1] = u_exits;
      dx[c.lacc + 2] = 0;  // hiring cost: no levers here
    }
    for (const auto& k : cors) {
      const auto& o = ccs[k.origin];
      double base = 0;
      for (std::size_t b = 0; b < o.bands; ++b)
        base += factor[o.band + b] * (x[o.w + b] + o.u_emigration * x[o.u + b]);
      const double flow = base * k.m0 * pull[k.dest], per_base = base > 0 ? flow / base : 0.0;
      double into = 0, migrants = 0, returns = 0, attrition = 0;
      for (std::size_t b = 0; b < o.bands; ++b) {
        const double f = factor[o.band + b] * per_base;
        const double from_w = f * x[o.w + b], from_u = f * o.u_emigration * x[o.u + b];
        const double mb = x[k.m + b], r = k.r0 * mb, exits = exit[k.exits + b] * mb,
                     aged = ageing[o.band + b] * mb;
        dx[o.w + b] -= from_w;
        dx[o.u + b] += r - from_u;
        dx[k.m + b] = into + from_w + from_u - r - exits - aged;
        into = aged;
        migrants += mb;
        returns += r;
        attrition += exits;
      }
      dx[k.acc] = flow;
      dx[k.acc + 1] = returns;
      dx[k.acc + 2] = attrition + into;
      dx[k.acc + 3] = 0;  // compensation: no agreements here
      dx[k.acc + 4] = migrants;
    }
  }
};

/// RK4 with the engine's step placement (whole years are segment ends: the grid restarts there).
template <class Kernel>
void run_kernel(Kernel& kernel, std::vector<double>& x, double t0, double t_end, double h,
                std::vector<double>* k) {
  const std::size_t n = x.size();
  double* k1 = k[0].data();
  double* k2 = k[1].data();
  double* k3 = k[2].data();
  double* k4 = k[3].data();
  double* tmp = k[4].data();
  const auto steps = static_cast<std::size_t>(std::lround((t_end - t0) / h));
  for (std::size_t i = 0; i < steps; ++i) {
    const double t = t0 + static_cast<double>(i) * h;
    kernel.rhs(x.data(), k1, t);
    for (std::size_t j = 0; j < n; ++j) tmp[j] = x[j] + 0.5 * h * k1[j];
    kernel.rhs(tmp, k2, t + 0.5 * h);
    for (std::size_t j = 0; j < n; ++j) tmp[j] = x[j] + 0.5 * h * k2[j];
    kernel.rhs(tmp, k3, t + 0.5 * h);
    for (std::size_t j = 0; j < n; ++j) tmp[j] = x[j] + h * k3[j];
    kernel.rhs(tmp, k4, t + h);
    for (std::size_t j = 0; j < n; ++j) x[j] += h / 6 * (k1[j] + 2 * k2[j] + 2 * k3[j] + k4[j]);
  }
}

}  // namespace

int main(int argc, char** argv) {
  bench::world_size w;
  int repeats = 200;
  std::vector<int> sizes;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--repeats") == 0 && i + 1 < argc)
      repeats = std::atoi(argv[++i]);
    else if (std::strcmp(argv[i], "--series") == 0)
      w.corridor_series = true;
    else if (std::strcmp(argv[i], "--ages") == 0)
      w.ages_and_posts = true;
    else
      sizes.push_back(std::atoi(argv[i]));
  }
  if (sizes.size() == 3) {
    w.countries = sizes[0];
    w.cadres = sizes[1];
    w.corridors = sizes[2];
  }
  const auto dir = std::filesystem::temp_directory_path() / fmt::format("hwf_bench_{}", ::getpid());
  const auto scenario = bench::write_synthetic_world(dir, w);

  fmt::print("hwfsim single-run benchmark\n");
  fmt::print("workload: {}\n", bench::describe(w));
  fmt::print("machine: {} hardware threads; 1 thread used\n", std::thread::hardware_concurrency());

  // Load + validate + compile.
  std::optional<model::compiled_model> compiled;
  const auto load_times = time_us(20, [&] { compiled.emplace(model::load_scenario(scenario)); });
  const auto& m = *compiled;
  const auto params = m.default_parameters();
  fmt::print("state: {} variables ({} stocks), {} parameters\n", m.layout().size(),
             m.layout().stock_indices().size(), params.size());

  // Validate once before timing: mass balance and a checksum.
  const auto check = model::simulate(m, params);
  double checksum = 0;
  for (double v : check.result.tables[0].values)
    if (!std::isnan(v)) checksum += v;

  // Allocations inside the right-hand side.
  auto rs = model::make_run_system(m, params);
  std::vector<double> dx(rs.initial_state.size());
  const std::size_t before = g_allocations.load();
  for (int i = 0; i < 10000; ++i) rs.system->derivative(rs.initial_state, dx, 2020.0 + i * 1e-3);
  const std::size_t rhs_allocations = g_allocations.load() - before;

  const auto run_times = time_us(repeats, [&] { (void)model::simulate(m, params); });
  const double evals = static_cast<double>(check.stats.solver.rhs_evaluations);

  // The flat kernel: same equations, same steps, no engine.
  const double h = m.solver().step_years;
  std::vector<double> kernel_x;
  std::vector<double> k[5];
  for (auto& v : k) v.resize(rs.initial_state.size());
  const auto kernel_times = time_us(w.corridor_series ? 1 : repeats, [&] {
    kernel_x = rs.initial_state;
    if (w.ages_and_posts) {
      flat_aged_kernel kernel(m, params, rs.initial_state);
      run_kernel(kernel, kernel_x, m.start_time(), m.end_time(), h, k);
    } else {
      flat_kernel kernel(m, params, rs.initial_state);
      run_kernel(kernel, kernel_x, m.start_time(), m.end_time(), h, k);
    }
  });
  // Compare the kernel's final stocks with the engine's last state (recomputed).
  double max_rel_diff = 0;
  if (!w.corridor_series) {
    auto r2 = model::make_run_system(m, params);
    std::vector<double> x = r2.initial_state;
    std::vector<double> obs;
    for (double t = m.start_time(); t <= m.end_time(); t += 1) obs.push_back(t);
    engine::integrate(*r2.system, x, m.start_time(), obs, {}, m.solver(),
                      [](double, std::span<const double>) {});
    for (std::size_t i : m.layout().stock_indices())
      max_rel_diff =
          std::max(max_rel_diff, std::abs(x[i] - kernel_x[i]) / std::max(1.0, std::abs(x[i])));
  }

  // With --ages: the same world without bands and posts, for the cost of the structure.
  double plain_us = 0;
  std::size_t plain_size = 0;
  if (w.ages_and_posts) {
    auto plain = w;
    plain.ages_and_posts = false;
    const model::compiled_model pm(
        model::load_scenario(bench::write_synthetic_world(dir / "plain", plain)));
    const auto pp = pm.default_parameters();
    plain_us = median(time_us(repeats, [&] { (void)model::simulate(pm, pp); }));
    plain_size = pm.layout().size();
  }

  const double engine_us = median(run_times), kernel_us = median(kernel_times);
  const double load_ms = median(load_times) / 1e3;
  const double ratio = engine_us / kernel_us;
  fmt::print("\n{:<44}{:>14}{:>14}\n", "", "median", "best");
  fmt::print("{:<44}{:>11.2f} ms{:>11.2f} ms\n", "load + validate + compile", load_ms,
             load_times.front() / 1e3);
  fmt::print("{:<44}{:>11.0f} us{:>11.0f} us\n", fmt::format("engine run ({} repeats)", repeats),
             engine_us, run_times.front());
  if (w.corridor_series)
    fmt::print("flat kernel run: not comparable (its corridor rates are constant)\n");
  else
    fmt::print("{:<44}{:>11.0f} us{:>11.0f} us\n", "flat kernel run", kernel_us,
               kernel_times.front());
  fmt::print("\nrhs evaluations per run: {:.0f}; per second (engine): {:.3g}\n", evals,
             evals / engine_us * 1e6);
  fmt::print("allocations in 10,000 rhs evaluations: {}\n", rhs_allocations);
  fmt::print("mass-balance residual: {:.2e}; kernel vs engine max relative stock difference: {}\n",
             check.stats.mass_balance_residual,
             w.corridor_series ? std::string("n/a") : fmt::format("{:.2e}", max_rel_diff));
  fmt::print("checksum (sum of all indicator values): {:.10e}\n", checksum);
  if (w.ages_and_posts)
    fmt::print(
        "cost of the bands and posts: {:.2f} ms against {:.2f} ms without ({:.2f}x; state {} "
        "against {} variables)\n",
        engine_us / 1e3, plain_us / 1e3, engine_us / plain_us, m.layout().size(), plain_size);
  fmt::print("\n");

  const auto verdict = [](bool ok) { return ok ? "met" : "NOT met"; };
  if (!w.corridor_series)
    fmt::print("goal: engine / kernel <= 1.5        : {:.2f}  {}\n", ratio, verdict(ratio <= 1.5));
  fmt::print("goal: load + compile < 20 ms        : {:.2f} ms  {}\n", load_ms,
             verdict(load_ms < 20));
  // The few-ms goal is the plain world-20's; with bands and posts the state is 1.8 times as
  // large, and the goal is the engine's own kernel (the ratio above).
  if (!w.ages_and_posts)
    fmt::print("goal: a run takes a few ms at most  : {:.2f} ms  {}\n", engine_us / 1e3,
               verdict(engine_us < 5000));
  fmt::print("goal: no allocation in the rhs      : {}  {}\n", rhs_allocations,
             verdict(rhs_allocations == 0));
  std::filesystem::remove_all(dir);
  return 0;
}
