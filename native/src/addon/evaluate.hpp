// The entry points of the addon (see packages/core/src/engine/binding.ts for their contract).
#pragma once

#include <napi.h>

namespace linkcap::addon {

// evaluateCollectives(packedClusters, …14 columns, threads): blocks the calling (JS) thread. A plain Node-API
// callback (see sync_evaluate.cpp).
napi_value evaluate_collectives(napi_env env, napi_callback_info info);

// evaluateCollectivesAsync(packedClusters, …14 columns, threads, cancelFlag, onProgress, firstIndex): a Promise.
Napi::Value evaluate_collectives_async(const Napi::CallbackInfo& info);

// evaluateTraining(workloads, chips, clusters, layouts, outputs, threads): blocks the calling (JS) thread.
Napi::Value evaluate_training(const Napi::CallbackInfo& info);

// evaluateTrainingAsync(workloads, chips, clusters, layouts, outputs, threads, cancelFlag, onProgress).
Napi::Value evaluate_training_async(const Napi::CallbackInfo& info);

}  // namespace linkcap::addon
