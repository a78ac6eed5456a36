// The first bad item of a parallel run: the collective batch's first invalid point, the training batch's
// first bad layout row. Workers record what they met (with the values they read: the caller's memory may hold
// others by now); the run stops claiming chunks once one is found. Chunks are claimed in order and a claimed
// chunk runs to its end (or to its own first bad item), so when the run stops every item before the lowest
// one recorded has been checked: it is the first bad item of the whole batch.
#pragma once

#include <atomic>
#include <cstddef>
#include <mutex>

#include "thread_pool.hpp"

namespace linkcap {

template <typename Item>
class FirstBad {
 public:
  bool found() const { return found_.load(std::memory_order_relaxed); }

  void record(std::size_t index, const Item& item) {
    std::lock_guard<std::mutex> lock(mutex_);
    if (found_.load(std::memory_order_relaxed) && index >= index_) return;
    index_ = index;
    item_ = item;
    found_.store(true, std::memory_order_relaxed);
  }

  std::size_t index() const { return index_; }
  const Item& item() const { return item_; }

  // `options` with a cancel test that also stops the run once a bad item is found. Keeps references to this
  // and to `options`: both must outlive the run.
  ParallelOptions stopping(const ParallelOptions& options) const {
    ParallelOptions run;
    run.threads = options.threads;
    run.progress = options.progress;
    run.cancelled = [this, &options] { return found() || (options.cancelled && options.cancelled()); };
    return run;
  }

 private:
  std::atomic<bool> found_{false};
  std::mutex mutex_;
  std::size_t index_ = 0;
  Item item_{};
};

}  // namespace linkcap
