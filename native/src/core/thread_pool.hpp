// A process-wide pool of worker threads, created lazily once and reused by every call: spawning threads per
// call would cost more than a small batch takes to evaluate. Work is split into fixed-size chunks that
// threads claim from an atomic counter (dynamic scheduling, so a slow core never holds the others back).
#pragma once

#include <cstddef>
#include <functional>

namespace linkcap {

struct ParallelOptions {
  // Threads taking part, the calling thread included; 0 means hardware_threads(). Capped at kMaxThreads.
  unsigned threads = 0;
  // Polled between chunks (never inside one); returning true stops further chunks from being claimed.
  // Called concurrently from several threads, so it must be thread-safe. May be empty.
  std::function<bool()> cancelled;
  // Called after chunks finish with the number of items completed so far. Calls are serialized and the
  // counts never decrease. An exception thrown here stops the run like one thrown by the work. May be empty.
  std::function<void(std::size_t completed)> progress;
};

struct ParallelResult {
  // Items whose chunk ran to the end. Chunks are claimed in order and a claimed chunk always runs to its end,
  // so after a cancel these are exactly the items [0, completed).
  std::size_t completed = 0;
  bool cancelled = false;     // true when `cancelled` stopped the run before every item was done
};

inline constexpr unsigned kMaxThreads = 256;

// Threads a request for 0 uses: std::thread::hardware_concurrency(), at least 1, read once per process.
unsigned hardware_threads();

// Runs fn(begin, end) over [0, count) in chunks of `chunk` items on up to options.threads threads and blocks
// until every thread has left the job. The calling thread works too, so the call makes progress even while
// other calls occupy the pool. The first exception thrown by fn (or by progress) stops the run and is
// rethrown here, on the calling thread, after all workers have finished their current chunk.
ParallelResult parallel_for(std::size_t count, std::size_t chunk,
                            const std::function<void(std::size_t begin, std::size_t end)>& fn,
                            const ParallelOptions& options = {});

}  // namespace linkcap
