// evaluateCollectivesAsync: the collective batch on the shared asynchronous worker (async_worker.hpp).
// The cluster table is copied and validated here, on the JS thread (its errors reject the Promise); the
// columns must be SharedArrayBuffer views, which stay allocated while the worker holds references to them.
#include <exception>
#include <memory>
#include <utility>

#include "async_worker.hpp"
#include "batch.hpp"
#include "cluster_table.hpp"
#include "columns.hpp"
#include "errors.hpp"
#include "evaluate.hpp"

namespace linkcap::addon {

Napi::Value evaluate_collectives_async(const Napi::CallbackInfo& info) {
  const Napi::Env env = info.Env();
  return reject_on_error(env, [&]() -> Napi::Value {
    napi_value argv[kBatchArgumentCount];
    for (std::size_t i = 0; i < kBatchArgumentCount; ++i) argv[i] = info[i];
    BatchArgs args = read_batch_args(env, argv, Memory::Shared);
    const Napi::Value cancelFlag = read_cancel_flag(info[kCancelFlagArgument]);
    const Napi::Value onProgress = read_on_progress(info[kOnProgressArgument]);
    BatchColumns columns = args.columns;
    columns.firstIndex = read_first_index(info[kFirstIndexArgument]);
    std::shared_ptr<const ClusterTable> table;
    try {
      table = cluster_table_for(static_cast<const double*>(args.clusters.data), args.clusters.length);
    } catch (...) {
      throw to_js_error(env, std::current_exception());
    }
    AsyncBatch batch;
    batch.total = columns.length;
    batch.noun = "points";
    batch.threads = args.threads;
    batch.arrays = std::move(args.arrays);
    batch.run = [table, columns](const ParallelOptions& options) { return evaluate_batch(*table, columns, options); };
    return queue_async_batch(env, "linkcap:evaluateCollectivesAsync", std::move(batch), cancelFlag, onProgress);
  });
}

}  // namespace linkcap::addon
