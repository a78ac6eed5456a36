// The machinery shared by the asynchronous entry points (evaluateCollectivesAsync, evaluateTrainingAsync):
// a batch runs on a libuv thread (which works alongside the pool), progress comes back to the JS thread
// through AsyncProgressWorker (coalesced: only the latest count is delivered, which is all a progress bar
// needs), cancelFlag[0] != 0 stops the workers at the next chunk, and the returned Promise settles on the JS
// thread.
#pragma once

#include <napi.h>

#include <cstddef>
#include <functional>
#include <string>
#include <vector>

#include "thread_pool.hpp"

namespace linkcap::addon {

struct AsyncBatch {
  // Runs (validation included) on the worker thread with the cancel and progress hooks filled in.
  std::function<ParallelResult(const ParallelOptions&)> run;
  // Every typed array the run reads or writes (SharedArrayBuffer views): referenced until the Promise
  // settles, which keeps their memory allocated.
  std::vector<napi_value> arrays;
  std::size_t total = 0;  // items, for progress and the "cancelled after N of M <noun>" message
  const char* noun = "points";
  unsigned threads = 0;
};

// Checks cancelFlag (undefined, null or an Int32Array of length ≥ 1 on a SharedArrayBuffer: the workers read
// it while JavaScript runs) and onProgress (undefined, null or a function); throws a Napi::TypeError naming
// the argument otherwise.
Napi::Value read_cancel_flag(const Napi::Value& value);
Napi::Value read_on_progress(const Napi::Value& value);

// Queues the batch and returns its Promise. `resource` names the async resource (diagnostics).
Napi::Promise queue_async_batch(Napi::Env env, const char* resource, AsyncBatch batch, const Napi::Value& cancelFlag,
                                const Napi::Value& onProgress);

// Wraps argument reading for an async entry point: a thrown Napi::Error becomes a rejected Promise.
Napi::Value reject_on_error(Napi::Env env, const std::function<Napi::Value()>& body);

}  // namespace linkcap::addon
