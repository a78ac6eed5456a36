// evaluateCollectivesAsync: the collective batch on the shared asynchronous worker (async_worker.hpp).
// Value validation (O(points)) happens on the worker thread, off the JS thread; its errors reject the Promise.
#include <utility>

#include "async_worker.hpp"
#include "batch.hpp"
#include "columns.hpp"
#include "evaluate.hpp"

namespace linkcap::addon {

Napi::Value evaluate_collectives_async(const Napi::CallbackInfo& info) {
  const Napi::Env env = info.Env();
  return reject_on_error(env, [&]() -> Napi::Value {
    BatchArgs args = read_batch_args(info);
    const Napi::Value cancelFlag = read_cancel_flag(info[4]);
    const Napi::Value onProgress = read_on_progress(info[5]);
    AsyncBatch batch;
    batch.total = args.columns.length;
    batch.noun = "points";
    batch.threads = args.threads;
    batch.arrays = std::move(args.arrays);
    const double* packed = args.packedClusters;
    const std::size_t packedLength = args.packedLength;
    const BatchColumns columns = args.columns;
    batch.run = [packed, packedLength, columns](const ParallelOptions& options) {
      return evaluate_batch(packed, packedLength, columns, options);
    };
    return queue_async_batch(env, "linkcap:evaluateCollectivesAsync", std::move(batch), cancelFlag, onProgress);
  });
}

}  // namespace linkcap::addon
