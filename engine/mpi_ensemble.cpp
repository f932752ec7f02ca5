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
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

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

/// A chunk too large for one MPI message.
class message_too_large : public std::runtime_error, public with_remedy {
 public:
  explicit message_too_large(std::size_t bytes)
      : std::runtime_error(
            fmt::format("a chunk of runs is {} bytes, more than one MPI message holds", bytes)),
        with_remedy(remedy::lower_chunk_runs) {}
};

void send_bytes(MPI_Comm comm, const std::string& bytes, int to, int t) {
  if (bytes.size() > static_cast<std::size_t>(INT_MAX)) throw message_too_large(bytes.size());
  MPI_Send(bytes.data(), static_cast<int>(bytes.size()), MPI_BYTE, to, t, comm);
}

/// A worker's error as sent to rank 0 (tag failure): its remedy in one byte, then its message.
std::string encode_failure(const std::exception& e) {
  return static_cast<char>(remedy_of(e)) + std::string(e.what());
}

std::pair<remedy, std::string_view> decode_failure(std::string_view bytes) {
  if (bytes.empty()) return {remedy::none, bytes};
  return {static_cast<remedy>(static_cast<unsigned char>(bytes[0])), bytes.substr(1)};
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
      send_bytes(comm, encode_failure(e), 0, failure);
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

/// Rank 0's side of an ensemble: hands chunks out to the workers, computes chunks itself on a
/// second thread (which makes no MPI call), receives the workers' results, and adds every chunk
/// to the statistics in run order.
class coordinator {
 public:
  coordinator(MPI_Comm comm, std::size_t cells, const ensemble_options& options,
              const run_function& run_one, int ranks);
  cell_statistics run();

 private:
  std::optional<std::size_t> next_chunk();
  void compute_locally();
  void reply(int to);
  void stop_with(std::string message, remedy what_to_do);
  bool receive_messages();
  void receive_result(const MPI_Status& st);
  void receive_values(const MPI_Status& st, run_chunk& c, std::string& damaged);
  bool take_finished();
  void add_pending();
  chunk_view values_of(const run_chunk& c) const;
  cell_statistics finish();

  MPI_Comm comm_;
  std::size_t cells_;
  const ensemble_options& options_;
  const run_function& run_one_;
  run_type one_run_;
  bool travel_;  ///< whether chunks' values travel to rank 0
  std::unique_ptr<ensemble_accumulator> acc_;
  std::map<std::size_t, run_chunk> pending_;  ///< finished, waiting for their turn
  std::mutex mutex_;                          ///< guards queue_, finished_, error_
  std::deque<std::size_t> queue_;
  std::size_t done_ = 0;
  std::deque<finished_chunk> finished_;
  std::atomic<bool> stopping_{false};
  std::string error_;  ///< an error outside runs, with its rank
  remedy error_remedy_ = remedy::none;
  std::vector<run_failure> failures_;  ///< failed runs seen (they stop the job unless skipped)
  std::atomic<bool> local_done_{false};
  int workers_;  ///< still to be told to stop
  std::chrono::steady_clock::time_point last_state_;
  std::exception_ptr rank0_error_;
  std::string bytes_;  ///< reused from message to message
};

coordinator::coordinator(MPI_Comm comm, std::size_t cells, const ensemble_options& options,
                         const run_function& run_one, int ranks)
    : comm_(comm),
      cells_(cells),
      options_(options),
      run_one_(run_one),
      one_run_(cells),
      travel_(values_travel(cells, options)),
      workers_(ranks - 1) {
  ensemble_start start;
  try {
    if (options.run_sink && !options.keep_values)
      throw std::logic_error("mpi::run_ensemble: a run_sink needs keep_values on every rank");
    acc_ = std::make_unique<ensemble_accumulator>(cells, options);
    start = start_ensemble(*acc_);
  } catch (...) {
    release_workers(comm, ranks);  // no work was handed out yet
    throw;
  }
  for (const auto& [first, c] : start.resumed) pending_[first] = *c;
  queue_.assign(start.todo.begin(), start.todo.end());
  done_ = start.done;
}

std::optional<std::size_t> coordinator::next_chunk() {
  const std::lock_guard lock(mutex_);
  if (stopping_ || cancelled(options_) || queue_.empty()) return std::nullopt;
  const std::size_t first = queue_.front();
  queue_.pop_front();
  return first;
}

/// The local thread: computes chunks until none is left or the ensemble stops.
void coordinator::compute_locally() {
  try {
    while (auto first = next_chunk()) {
      bool complete = false;
      const std::size_t last = chunk_end(options_, *first);
      // Exact values go straight to their slots in the store; with sketches, the chunk is
      // summarized.
      auto c = acc_->exact()
                   ? compute_chunk(*first, last, cells_, options_, run_one_, stopping_, complete,
                                   {acc_->slot(*first).data(), (last - *first) * cells_})
                   : compute_summarized_chunk(*first, last, cells_, options_, acc_->block_runs(),
                                              run_one_, stopping_, complete);
      for (auto& f : c.failures) f.rank = 0;
      const std::lock_guard lock(mutex_);
      finished_.push_back({std::move(c), complete});
    }
  } catch (const std::exception& e) {
    const std::lock_guard lock(mutex_);
    stop_with(fmt::format("rank 0: {}", e.what()), remedy_of(e));
  }
  local_done_ = true;
}

/// Hands the next chunk to worker `to`, or tells it to stop.
void coordinator::reply(int to) {
  if (auto first = next_chunk()) {
    const unsigned long long f = *first;
    MPI_Send(&f, 1, MPI_UNSIGNED_LONG_LONG, to, assign, comm_);
  } else {
    const unsigned long long none = 0;
    MPI_Send(&none, 1, MPI_UNSIGNED_LONG_LONG, to, stop, comm_);
    --workers_;
  }
}

/// Stops the ensemble with an error outside runs (the first one is kept); mutex_ held.
void coordinator::stop_with(std::string message, remedy what_to_do) {
  if (error_.empty()) {
    error_ = std::move(message);
    error_remedy_ = what_to_do;
  }
  stopping_ = true;
}

/// Handles every message waiting; false when there was none.
bool coordinator::receive_messages() {
  bool any = false;
  int flag = 0;
  MPI_Status st;
  while (MPI_Iprobe(MPI_ANY_SOURCE, MPI_ANY_TAG, comm_, &flag, &st) == MPI_SUCCESS && flag) {
    any = true;
    receive_bytes(comm_, st, bytes_);
    if (st.MPI_TAG == failure) {
      const auto [what_to_do, message] = decode_failure(bytes_);
      const std::lock_guard lock(mutex_);
      stop_with(fmt::format("rank {}: {}", st.MPI_SOURCE, message), what_to_do);
      --workers_;  // it has stopped
      continue;
    }
    if (st.MPI_TAG == result) receive_result(st);
    reply(st.MPI_SOURCE);
  }
  return any;
}

/// The chunk in bytes_, then (exact, or values wanted) its values in a message of their own.
void coordinator::receive_result(const MPI_Status& st) {
  run_chunk c;
  std::string damaged;
  try {
    c = decode_chunk(std::string_view(bytes_).substr(1), cells_);
    if (c.first >= options_.runs || c.last != chunk_end(options_, c.first))
      throw corrupt_data("its runs are not a chunk of this ensemble");
  } catch (const std::exception& e) {
    damaged = e.what();
  }
  if (travel_) receive_values(st, c, damaged);
  const std::lock_guard lock(mutex_);
  if (damaged.empty())
    finished_.push_back({std::move(c), bytes_[0] == '\1'});
  else
    stop_with(fmt::format("rank {}: its results arrived damaged: {}", st.MPI_SOURCE, damaged),
              remedy::none);
}

/// Receives a chunk's values straight into their place: an exact ensemble's store, or the
/// chunk (into scratch when the chunk is `damaged`, which this may set).
void coordinator::receive_values(const MPI_Status& st, run_chunk& c, std::string& damaged) {
  MPI_Status vs;
  MPI_Probe(st.MPI_SOURCE, tag::values, comm_, &vs);
  int count = 0;
  MPI_Get_count(&vs, one_run_.get(), &count);
  const auto n = static_cast<int>(c.last - c.first);
  if (damaged.empty() && count != n) damaged = "its values do not match its runs";
  double* to = nullptr;
  std::vector<double> scratch;
  if (!damaged.empty()) {
    scratch.resize(static_cast<std::size_t>(std::max(count, 0)) * cells_);
    to = scratch.data();
  } else if (acc_->exact()) {
    to = acc_->slot(c.first).data();
  } else {
    c.values.resize(static_cast<std::size_t>(n) * cells_);
    to = c.values.data();
  }
  MPI_Recv(to, count, one_run_.get(), st.MPI_SOURCE, tag::values, comm_, MPI_STATUS_IGNORE);
}

/// An exact ensemble's chunks are kept in its store (any order: each has its own slots).
chunk_view coordinator::values_of(const run_chunk& c) const {
  return c.values.empty() && acc_->exact()
             ? c.view(
                   std::span<const double>(acc_->slot(c.first).data(), (c.last - c.first) * cells_))
             : c.view();
}

/// Moves the chunks finished since the last pass to the pending ones (saving them when asked);
/// false when there were none.
bool coordinator::take_finished() {
  std::deque<finished_chunk> now;
  {
    const std::lock_guard lock(mutex_);
    now.swap(finished_);
  }
  for (auto& f : now) {
    if (!f.complete) {  // cut short by a cancel
      stopping_ = true;
      continue;
    }
    const auto& c = f.chunk;
    failures_.insert(failures_.end(), c.failures.begin(), c.failures.end());
    if (!c.failures.empty() && !options_.skip_failed) stopping_ = true;
    try {
      // A chunk whose failures stop the job is not saved (with sketches it has no summaries).
      if (options_.chunk_done && !rank0_error_ && (options_.skip_failed || c.failures.empty()))
        options_.chunk_done(values_of(c));
    } catch (...) {
      rank0_error_ = std::current_exception();
      stopping_ = true;
    }
    done_ += c.last - c.first;
    if (options_.progress) options_.progress(done_);
    pending_[c.first] = std::move(f.chunk);
  }
  return !now.empty();
}

/// Adds the pending chunks that are next in run order to the statistics (saving the state
/// every options_.state_interval seconds with sketches).
void coordinator::add_pending() {
  try {
    for (auto it = pending_.find(acc_->taken()); it != pending_.end();
         it = pending_.find(acc_->taken())) {
      acc_->take(values_of(it->second));
      pending_.erase(it);
    }
    if (acc_->must_stop()) stopping_ = true;
    if (options_.state_done && !acc_->exact() && !stopping_ &&
        std::chrono::duration<double>(std::chrono::steady_clock::now() - last_state_).count() >=
            options_.state_interval) {
      options_.state_done(acc_->save(), acc_->taken());
      last_state_ = std::chrono::steady_clock::now();
    }
  } catch (...) {
    rank0_error_ = std::current_exception();
    stopping_ = true;
  }
}

cell_statistics coordinator::run() {
  std::thread local([this] { compute_locally(); });
  last_state_ = std::chrono::steady_clock::now();
  for (bool last = false; !last;) {
    // Everything the local thread finished before it said so is drained in this same pass.
    last = workers_ == 0 && local_done_;
    bool idle = !receive_messages();
    if (cancelled(options_)) stopping_ = true;
    if (take_finished()) idle = false;
    if (!rank0_error_ && (options_.skip_failed || failures_.empty())) add_pending();
    if (idle) std::this_thread::sleep_for(std::chrono::microseconds(200));
  }
  local.join();
  return finish();
}

cell_statistics coordinator::finish() {
  if (rank0_error_) std::rethrow_exception(rank0_error_);
  if (!error_.empty()) throw ensemble_error(error_, {}, error_remedy_);
  if (!failures_.empty() && !options_.skip_failed) {
    std::sort(failures_.begin(), failures_.end(),
              [](const run_failure& a, const run_failure& b) { return a.run < b.run; });
    throw failed_runs_error(failures_);
  }
  if (cancelled(options_) || acc_->taken() != options_.runs)
    throw ensemble_error("cancelled before all runs finished; nothing was written", {});
  return acc_->finish();
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
  if (rank == 0) return coordinator(c.comm, cells, resolved, run_one, size).run();
  worker(c.comm, cells, resolved, run_one, rank);
  return {};
}

}  // namespace hwf::engine::mpi
