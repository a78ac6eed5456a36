// Module init: the exports that packages/core/src/engine/binding.ts describes. abiVersion is bumped
// whenever the column or cluster-row layout changes, so the loader refuses a stale build.
#include <napi.h>

#include "cluster_params.hpp"
#include "evaluate.hpp"
#include "thread_pool.hpp"

namespace {

constexpr int kAbiVersion = 1;

Napi::Value hardware_concurrency(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), linkcap::hardware_threads());
}

Napi::Object init(Napi::Env env, Napi::Object exports) {
  exports.Set("abiVersion", Napi::Number::New(env, kAbiVersion));
  exports.Set("clusterFieldCount", Napi::Number::New(env, static_cast<double>(linkcap::kClusterFieldCount)));
  exports.Set("hardwareConcurrency", Napi::Function::New(env, hardware_concurrency, "hardwareConcurrency"));
  exports.Set("evaluateCollectives",
              Napi::Function::New(env, linkcap::addon::evaluate_collectives, "evaluateCollectives"));
  exports.Set("evaluateCollectivesAsync",
              Napi::Function::New(env, linkcap::addon::evaluate_collectives_async, "evaluateCollectivesAsync"));
  return exports;
}

}  // namespace

NODE_API_MODULE(linkcap_native, init)
