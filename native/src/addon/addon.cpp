// Module init: the exports that packages/core/src/engine/binding.ts describes. abiVersion is bumped
// whenever the column or cluster-row layout changes, so the loader refuses a stale build.
#include <napi.h>

#include "abi_tables.hpp"
#include "cluster_params.hpp"
#include "evaluate.hpp"
#include "sweep.hpp"
#include "table_writer_addon.hpp"
#include "thread_pool.hpp"
#include "training_fields.hpp"

namespace {

constexpr int kAbiVersion = 4;
// Bumped whenever the training rows' meaning, the status or problem codes, or evaluateTraining's contract
// change; trainingFieldCounts (the row widths) is compared by the TypeScript engine as well.
constexpr int kTrainingAbiVersion = 5;  // 5: chip attentionFa2Scale, layout attentionKernel
constexpr int kSweepAbiVersion = 2;  // 2: bundle axes, row-field filters, carried ratios, describe with a moved axis

Napi::Value hardware_concurrency(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), linkcap::hardware_threads());
}

// abiTables: every table generated from the TypeScript (abi_tables.hpp), name → member names in code order. The
// loader and test/abi-tables.test.ts compare it with the TypeScript's own lists, which catches a stale build.
Napi::Object abi_tables(Napi::Env env) {
  Napi::Object tables = Napi::Object::New(env);
  for (const linkcap::abi::NameTable& table : linkcap::abi::kNameTables) {
    Napi::Array names = Napi::Array::New(env, table.count);
    for (std::size_t i = 0; i < table.count; ++i) names.Set(static_cast<std::uint32_t>(i), Napi::String::New(env, table.names[i]));
    tables.Set(table.name, names);
  }
  return tables;
}

Napi::Object init(Napi::Env env, Napi::Object exports) {
  exports.Set("abiVersion", Napi::Number::New(env, kAbiVersion));
  exports.Set("clusterFieldCount", Napi::Number::New(env, static_cast<double>(linkcap::kClusterFieldCount)));
  exports.Set("abiTables", abi_tables(env));
  exports.Set("hardwareConcurrency", Napi::Function::New(env, hardware_concurrency, "hardwareConcurrency"));
  napi_value evaluateCollectives = nullptr;
  NAPI_THROW_IF_FAILED(env,
                       napi_create_function(env, "evaluateCollectives", NAPI_AUTO_LENGTH,
                                            linkcap::addon::evaluate_collectives, nullptr, &evaluateCollectives),
                       exports);
  exports.Set("evaluateCollectives", Napi::Value(env, evaluateCollectives));
  exports.Set("evaluateCollectivesAsync",
              Napi::Function::New(env, linkcap::addon::evaluate_collectives_async, "evaluateCollectivesAsync"));
  exports.Set("trainingAbiVersion", Napi::Number::New(env, kTrainingAbiVersion));
  Napi::Array counts = Napi::Array::New(env, 4);
  counts.Set(0u, Napi::Number::New(env, static_cast<double>(linkcap::training::kWorkloadFieldCount)));
  counts.Set(1u, Napi::Number::New(env, static_cast<double>(linkcap::training::kChipFieldCount)));
  counts.Set(2u, Napi::Number::New(env, static_cast<double>(linkcap::training::kLayoutFieldCount)));
  counts.Set(3u, Napi::Number::New(env, static_cast<double>(linkcap::training::kOutputFieldCount)));
  exports.Set("trainingFieldCounts", counts);
  exports.Set("evaluateTraining", Napi::Function::New(env, linkcap::addon::evaluate_training, "evaluateTraining"));
  exports.Set("evaluateTrainingAsync",
              Napi::Function::New(env, linkcap::addon::evaluate_training_async, "evaluateTrainingAsync"));
  // The sweep engine (src/core/sweep_engine.hpp); sweepAbiVersion is bumped when its plan layout changes.
  exports.Set("sweepAbiVersion", Napi::Number::New(env, kSweepAbiVersion));
  exports.Set("SweepEngine", linkcap::addon::define_sweep_engine(env));
  // The result-file writers (src/core/table_writer.hpp); tableWriterVersion is bumped when their contract changes.
  exports.Set("tableWriterVersion", Napi::Number::New(env, 1));
  exports.Set("TableFileWriter", linkcap::addon::define_table_writer(env));
  return exports;
}

}  // namespace

NODE_API_MODULE(linkcap_native, init)
