#include "engine/mpi_ensemble.hpp"

#include <algorithm>
#include <chrono>
#include <climits>
#include <cstdlib>
#include <deque>
#include <exception>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>

#include <fmt/format.h>
#include <mpi.h>

#include "engine/binary_io.hpp"

namespace hwf::engine::mpi {

namespace {

enum tag : int { request = 1, result = 2, assign = 3, stop = 4, failure = 5, values = 6 };

/// An MPI type for one run's values (`cells` doubles), so that counts stay small.
class run_type {
 public:
  explicit run_type(std::size_t cells) {
    MPI_Type_contiguous(static_cast<int>(cells), MPI_DOUBLE, &type_);
    MPI_Type_commit(&type_);
  }
  run_type(const run_type&) = delete;
  run_type& operator=(const run_type&) = delete;
  ~run_type() { MPI_Type_free(&type_); }
  MPI_Datatype get() const noexcept { return type_; }

 private:
  MPI_Datatype type_;
};

void send_bytes(MPI_Comm comm, const std::string& bytes, int to, int t) {
  if (bytes.size() > static_cast<std::size_t>(INT_MAX))
    throw std::runtime_error(fmt::format(
        "a chunk of runs is {} bytes, more than one MPI message holds; lower --chunk-runs",
        bytes.size()));
  MPI_Send(bytes.data(), static_cast<int>(bytes.size()), MPI_BYTE, to, t, comm);
}

/// Receives the probed message into `bytes` (reused: its memory stays mapped between chunks).
void receive_bytes(MPI_Comm comm, const MPI_Status& probed, std::string& bytes) {
  int count = 0;
  MPI_Get_count(&probed, MPI_BYTE, &count);
  bytes.resize(static_cast<std::size_t>(count));
  MPI_Recv(bytes.data(), count, MPI_BYTE, probed.MPI_SOURCE, probed.MPI_TAG, comm,
           MPI_STATUS_IGNORE);
}
bool cancelled(const ensemble_options& options) {
  return options.cancel != nullptr && options.cancel->load();
}

/// A chunk as sent: one byte "complete", then the chunk without its values (with sketches, its
/// summaries); the values, when they travel, follow in a message of their own (tag `values`),
/// sent from and received into where they live.
void pack(const run_chunk& c, bool complete, std::string& bytes) {
  bytes.assign(1, complete ? '\1' : '\0');
  chunk_view head = c.view();
  head.values = {};
  bytes += encode_chunk(head);
}

/// Whether chunks' values travel to rank 0: exact quantiles, or values wanted by a run_sink.
bool values_travel(std::size_t cells, const ensemble_options& options) {
  return ensemble_accumulator::keeps_exact(cells, options) || options.keep_values;
}

void worker(MPI_Comm comm, std::size_t cells, const ensemble_options& options,
            const run_function& run_one, int rank) {
  const std::atomic<bool> never{false};
  const run_type one_run(cells);
  const bool exact = ensemble_accumulator::keeps_exact(cells, options);
  std::vector<double> values;  // exact: reused from chunk to chunk
  std::string reply;
  MPI_Send(nullptr, 0, MPI_BYTE, 0, request, comm);
  while (true) {
    MPI_Status st;
    unsigned long long first = 0;
    MPI_Recv(&first, 1, MPI_UNSIGNED_LONG_LONG, 0, MPI_ANY_TAG, comm, &st);
    if (st.MPI_TAG == stop) return;
    const std::size_t last = chunk_end(options, first);
    run_chunk c;
    try {
      bool complete = false;
      if (exact) {
        values.resize((last - first) * cells);
        c = compute_chunk(first, last, cells, options, run_one, never, complete, values);
      } else {
        c = compute_summarized_chunk(first, last, cells, options,
                                     sketch_buffer_runs(cells, options), run_one, never, complete);
      }
      for (auto& f : c.failures) f.rank = rank;
      pack(c, complete, reply);
    } catch (const std::exception& e) {
      // Not a run's failure (those are in the chunk): this rank cannot go on.
      send_bytes(comm, e.what(), 0, failure);
      return;
    }
    send_bytes(comm, reply, 0, result);
    if (values_travel(cells, options))
      MPI_Send(exact ? values.data() : c.values.data(), static_cast<int>(last - first),
               one_run.get(), 0, tag::values, comm);
  }
}

struct finished_chunk {
  run_chunk chunk;
  bool complete;
};

/// Tells every worker to stop (each has sent its first request): for errors before any work.
void release_workers(MPI_Comm comm, int ranks) {
  for (int i = 1; i < ranks; ++i) {
    MPI_Status st;
    MPI_Recv(nullptr, 0, MPI_BYTE, MPI_ANY_SOURCE, request, comm, &st);
    const unsigned long long none = 0;
    MPI_Send(&none, 1, MPI_UNSIGNED_LONG_LONG, st.MPI_SOURCE, stop, comm);
  }
}

cell_statistics coordinator(MPI_Comm comm, std::size_t cells, const ensemble_options& options,
                            const run_function& run_one, int ranks) {
  std::unique_ptr<ensemble_accumulator> made;
  ensemble_start start;
  try {
    if (options.run_sink && !options.keep_values)
      throw std::logic_error("mpi::run_ensemble: a run_sink needs keep_values on every rank");
    made = std::make_unique<ensemble_accumulator>(cells, options);
    start = start_ensemble(*made);
  } catch (...) {
    release_workers(comm, ranks);  // no work was handed out yet
    throw;
  }
  ensemble_accumulator& acc = *made;
  const std::size_t runs = options.runs;
  std::map<std::size_t, run_chunk> pending;  // finished, waiting for their turn
  for (const auto& [first, c] : start.resumed) pending[first] = *c;
  std::mutex mutex;  // guards queue, finished, stopping's reasons
  std::deque<std::size_t> queue(start.todo.begin(), start.todo.end());
  std::size_t done = start.done;
  std::deque<finished_chunk> finished;
  std::atomic<bool> stopping{false};
  std::string error;                  // an error outside runs, with its rank
  std::vector<run_failure> failures;  // failed runs seen (they stop the job unless skipped)
  const auto next_chunk = [&]() -> std::optional<std::size_t> {
    const std::lock_guard lock(mutex);
    if (stopping || cancelled(options) || queue.empty()) return std::nullopt;
    const std::size_t first = queue.front();
    queue.pop_front();
    return first;
  };

  // Rank 0 computes too, on a second thread (it makes no MPI call).
  std::atomic<bool> local_done{false};
  std::thread local([&] {
    try {
      while (auto first = next_chunk()) {
        bool complete = false;
        const std::size_t last = chunk_end(options, *first);
        // Exact values go straight to their slots in the store; with sketches, the chunk is
        // summarized.
        auto c = acc.exact()
                     ? compute_chunk(*first, last, cells, options, run_one, stopping, complete,
                                     {acc.slot(*first).data(), (last - *first) * cells})
                     : compute_summarized_chunk(*first, last, cells, options, acc.block_runs(),
                                                run_one, stopping, complete);
        for (auto& f : c.failures) f.rank = 0;
        const std::lock_guard lock(mutex);
        finished.push_back({std::move(c), complete});
      }
    } catch (const std::exception& e) {
      const std::lock_guard lock(mutex);
      if (error.empty()) error = fmt::format("rank 0: {}", e.what());
      stopping = true;
    }
    local_done = true;
  });

  int workers = ranks - 1;  // still to be told to stop
  const auto reply = [&](int to) {
    if (auto first = next_chunk()) {
      const unsigned long long f = *first;
      MPI_Send(&f, 1, MPI_UNSIGNED_LONG_LONG, to, assign, comm);
    } else {
      const unsigned long long none = 0;
      MPI_Send(&none, 1, MPI_UNSIGNED_LONG_LONG, to, stop, comm);
      --workers;
    }
  };
  auto last_state = std::chrono::steady_clock::now();
  std::exception_ptr rank0_error;
  std::string bytes;  // reused from message to message
  const run_type one_run(cells);
  const bool travel = values_travel(cells, options);
  // An exact ensemble's chunks are kept in its store (any order: each has its own slots).
  const auto values_of = [&](const run_chunk& c) {
    return c.values.empty() && acc.exact()
               ? c.view(
                     std::span<const double>(acc.slot(c.first).data(), (c.last - c.first) * cells))
               : c.view();
  };
  for (bool last = false; !last;) {
    // Everything the local thread finished before it said so is drained in this same pass.
    last = workers == 0 && local_done;
    bool idle = true;
    int flag = 0;
    MPI_Status st;
    while (MPI_Iprobe(MPI_ANY_SOURCE, MPI_ANY_TAG, comm, &flag, &st) == MPI_SUCCESS && flag) {
      idle = false;
      receive_bytes(comm, st, bytes);
      if (st.MPI_TAG == failure) {
        const std::lock_guard lock(mutex);
        if (error.empty()) error = fmt::format("rank {}: {}", st.MPI_SOURCE, bytes);
        stopping = true;
        --workers;  // it has stopped
        continue;
      }
      if (st.MPI_TAG == result) {
        // The chunk, then (exact, or values wanted) its values in a message of their own,
        // received straight into their place: an exact ensemble's store, or the chunk.
        run_chunk c;
        std::string damaged;
        try {
          c = decode_chunk(std::string_view(bytes).substr(1), cells);
          if (c.first >= runs || c.last != chunk_end(options, c.first))
            throw corrupt_data("its runs are not a chunk of this ensemble");
        } catch (const std::exception& e) {
          damaged = e.what();
        }
        if (travel) {
          MPI_Status vs;
          MPI_Probe(st.MPI_SOURCE, tag::values, comm, &vs);
          int count = 0;
          MPI_Get_count(&vs, one_run.get(), &count);
          const auto n = static_cast<int>(c.last - c.first);
          if (damaged.empty() && count != n) damaged = "its values do not match its runs";
          double* to = nullptr;
          std::vector<double> scratch;
          if (!damaged.empty()) {
            scratch.resize(static_cast<std::size_t>(std::max(count, 0)) * cells);
            to = scratch.data();
          } else if (acc.exact()) {
            to = acc.slot(c.first).data();
          } else {
            c.values.resize(static_cast<std::size_t>(n) * cells);
            to = c.values.data();
          }
          MPI_Recv(to, count, one_run.get(), st.MPI_SOURCE, tag::values, comm, MPI_STATUS_IGNORE);
        }
        const std::lock_guard lock(mutex);
        if (damaged.empty()) {
          finished.push_back({std::move(c), bytes[0] == '\1'});
        } else {
          if (error.empty())
            error = fmt::format("rank {}: its results arrived damaged: {}", st.MPI_SOURCE, damaged);
          stopping = true;
        }
      }
      reply(st.MPI_SOURCE);
    }
    if (cancelled(options)) stopping = true;

    std::deque<finished_chunk> now;
    {
      const std::lock_guard lock(mutex);
      now.swap(finished);
    }
    for (auto& f : now) {
      idle = false;
      if (!f.complete) {  // cut short by a cancel
        stopping = true;
        continue;
      }
      const auto& c = f.chunk;
      failures.insert(failures.end(), c.failures.begin(), c.failures.end());
      if (!c.failures.empty() && !options.skip_failed) stopping = true;
      try {
        // A chunk whose failures stop the job is not saved (with sketches it has no summaries).
        if (options.chunk_done && !rank0_error && (options.skip_failed || c.failures.empty()))
          options.chunk_done(values_of(c));
      } catch (...) {
        rank0_error = std::current_exception();
        stopping = true;
      }
      done += c.last - c.first;
      if (options.progress) options.progress(done);
      pending[c.first] = std::move(f.chunk);
    }
    if (!rank0_error && (options.skip_failed || failures.empty())) {
      try {
        for (auto it = pending.find(acc.taken()); it != pending.end();
             it = pending.find(acc.taken())) {
          acc.take(values_of(it->second));
          pending.erase(it);
        }
        if (acc.must_stop()) stopping = true;
        if (options.state_done && !acc.exact() && !stopping &&
            std::chrono::duration<double>(std::chrono::steady_clock::now() - last_state).count() >=
                options.state_interval) {
          options.state_done(acc.save(), acc.taken());
          last_state = std::chrono::steady_clock::now();
        }
      } catch (...) {
        rank0_error = std::current_exception();
        stopping = true;
      }
    }
    if (idle) std::this_thread::sleep_for(std::chrono::microseconds(200));
  }
  local.join();
  if (rank0_error) std::rethrow_exception(rank0_error);
  if (!error.empty()) throw ensemble_error(error, {});
  if (!failures.empty() && !options.skip_failed) {
    std::sort(failures.begin(), failures.end(),
              [](const run_failure& a, const run_failure& b) { return a.run < b.run; });
    throw ensemble_error(failures_message(failures), failures);
  }
  if (cancelled(options) || acc.taken() != runs)
    throw ensemble_error("cancelled before all runs finished; nothing was written", {});
  return acc.finish();
}

}  // namespace

bool launched() {
  for (const char* v : {"OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "PMIX_RANK", "MPI_LOCALNRANKS"})
    if (std::getenv(v) != nullptr) return true;
  return false;
}

session::session(int& argc, char**& argv) {
  int provided = 0;
  MPI_Init_thread(&argc, &argv, MPI_THREAD_FUNNELED, &provided);
  MPI_Comm_rank(MPI_COMM_WORLD, &rank_);
  MPI_Comm_size(MPI_COMM_WORLD, &size_);
}

session::~session() {
  MPI_Finalize();
}

int agree(int status) {
  int all = 0;
  MPI_Allreduce(&status, &all, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD);
  return all;
}

int rank0_status(int status) {
  MPI_Bcast(&status, 1, MPI_INT, 0, MPI_COMM_WORLD);
  return status;
}

cell_statistics run_ensemble(std::size_t cells, const ensemble_options& options,
                             const run_function& run_one) {
  int rank = 0, size = 1;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  // A communicator of its own: no message of this ensemble can reach the next one's.
  struct own_comm {
    MPI_Comm comm;
    own_comm() { MPI_Comm_dup(MPI_COMM_WORLD, &comm); }
    own_comm(const own_comm&) = delete;
    own_comm& operator=(const own_comm&) = delete;
    ~own_comm() { MPI_Comm_free(&comm); }
  } c;
  // Every rank resolves the chunk size alike (or throws alike, before any message).
  ensemble_options resolved = options;
  resolved.chunk_runs = resolve_chunk_runs(cells, options);
  if (rank == 0) return coordinator(c.comm, cells, resolved, run_one, size);
  worker(c.comm, cells, resolved, run_one, rank);
  return {};
}

}  // namespace hwf::engine::mpi
