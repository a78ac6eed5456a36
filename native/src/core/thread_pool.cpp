#include "thread_pool.hpp"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <deque>
#include <exception>
#include <mutex>
#include <system_error>
#include <thread>
#include <vector>

namespace linkcap {
namespace {

// One parallel_for call. Lives on the caller's stack; the caller does not return before every helper
// that joined has left (helpersActive == 0), so helpers never touch a dead Job.
struct Job {
  std::size_t count = 0;
  std::size_t chunk = 0;
  std::size_t chunks = 0;
  const std::function<void(std::size_t, std::size_t)>* fn = nullptr;
  const ParallelOptions* options = nullptr;

  std::atomic<std::size_t> nextChunk{0};
  std::atomic<std::size_t> completed{0};
  std::atomic<bool> stop{false};          // set on error or cancel: claim no more chunks
  std::atomic<bool> sawCancel{false};

  std::mutex errorMutex;
  std::exception_ptr error;  // first failure, guarded by errorMutex

  std::mutex progressMutex;  // serializes progress callbacks so counts reach them in order
  std::size_t reported = 0;  // guarded by progressMutex

  // Guarded by the pool's mutex.
  unsigned helpersWanted = 0;
  unsigned helpersJoined = 0;
  unsigned helpersActive = 0;

  void fail() {
    {
      std::lock_guard<std::mutex> lock(errorMutex);
      if (!error) error = std::current_exception();
    }
    stop.store(true, std::memory_order_relaxed);
  }

  void report_progress() {
    std::lock_guard<std::mutex> lock(progressMutex);
    const std::size_t now = completed.load(std::memory_order_acquire);
    if (now <= reported) return;
    reported = now;
    options->progress(now);
  }

  // Claims and runs chunks until none are left or the job stops. Never throws: failures are recorded.
  void work() noexcept {
    try {
      for (;;) {
        if (stop.load(std::memory_order_relaxed)) return;
        if (options->cancelled && options->cancelled()) {
          sawCancel.store(true, std::memory_order_relaxed);
          stop.store(true, std::memory_order_relaxed);
          return;
        }
        const std::size_t index = nextChunk.fetch_add(1, std::memory_order_relaxed);
        if (index >= chunks) return;
        const std::size_t begin = index * chunk;
        const std::size_t end = std::min(count, begin + chunk);
        (*fn)(begin, end);
        completed.fetch_add(end - begin, std::memory_order_acq_rel);
        if (options->progress) report_progress();
      }
    } catch (...) {
      fail();
    }
  }
};

class Pool {
 public:
  void run(Job& job, unsigned helpers) {
    if (helpers > 0) {
      {
        std::lock_guard<std::mutex> lock(mutex_);
        helpers = grow(helpers);
        if (helpers > 0) {
          job.helpersWanted = helpers;
          queue_.push_back(&job);
        }
      }
      if (helpers > 0) workAvailable_.notify_all();
    }
    job.work();
    if (helpers > 0) {
      std::unique_lock<std::mutex> lock(mutex_);
      // No helper may join once the caller is done: take the job off the queue, then wait for those inside.
      queue_.erase(std::remove(queue_.begin(), queue_.end(), &job), queue_.end());
      helperLeft_.wait(lock, [&] { return job.helpersActive == 0; });
    }
  }

 private:
  // Starts threads until `wanted` exist and returns how many helpers can be used. Threads are never
  // stopped: they sleep on the condition variable. If the system refuses a thread, work with those we have
  // (the caller alone at worst) rather than fail the call.
  unsigned grow(unsigned wanted) {
    try {
      while (threads_.size() < wanted) threads_.emplace_back([this] { loop(); });
    } catch (const std::system_error&) {
    }
    return std::min<unsigned>(wanted, static_cast<unsigned>(threads_.size()));
  }

  void loop() {
    std::unique_lock<std::mutex> lock(mutex_);
    for (;;) {
      workAvailable_.wait(lock, [&] { return !queue_.empty(); });
      Job* job = queue_.front();
      job->helpersJoined += 1;
      job->helpersActive += 1;
      if (job->helpersJoined >= job->helpersWanted) queue_.pop_front();
      lock.unlock();
      job->work();
      lock.lock();
      job->helpersActive -= 1;
      if (job->helpersActive == 0) helperLeft_.notify_all();
    }
  }

  std::mutex mutex_;
  std::condition_variable workAvailable_;
  std::condition_variable helperLeft_;
  std::deque<Job*> queue_;
  std::vector<std::thread> threads_;
};

// Deliberately never destroyed: Node may exit while a libuv thread is still inside parallel_for, and
// destroying the mutex or joining sleeping threads from a static destructor would then crash or hang.
Pool& pool() {
  static Pool* instance = new Pool();
  return *instance;
}

}  // namespace

unsigned hardware_threads() {
  // std::thread::hardware_concurrency() reads /sys on Linux (two files, ~8 µs): once per process, not per
  // call. The CPUs a process may use rarely change while it runs; a restart picks up a change.
  static const unsigned count = [] {
    const unsigned n = std::thread::hardware_concurrency();
    return n == 0 ? 1u : n;
  }();
  return count;
}

ParallelResult parallel_for(std::size_t count, std::size_t chunk,
                            const std::function<void(std::size_t, std::size_t)>& fn, const ParallelOptions& options) {
  Job job;
  job.count = count;
  job.chunk = chunk == 0 ? 1 : chunk;
  job.chunks = count / job.chunk + (count % job.chunk != 0 ? 1 : 0);
  job.fn = &fn;
  job.options = &options;

  unsigned threads = options.threads == 0 ? hardware_threads() : options.threads;
  threads = std::min(threads, kMaxThreads);
  // More threads than chunks would only wake threads that find nothing to do.
  const std::size_t useful = std::max<std::size_t>(1, std::min<std::size_t>(threads, job.chunks));
  pool().run(job, static_cast<unsigned>(useful - 1));

  if (job.error) std::rethrow_exception(job.error);
  ParallelResult result;
  result.completed = job.completed.load(std::memory_order_acquire);
  // A cancel seen after the last chunk was claimed by another thread changed nothing.
  result.cancelled = job.sawCancel.load(std::memory_order_relaxed) && result.completed < count;
  return result;
}

}  // namespace linkcap
