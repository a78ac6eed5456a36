// evaluateTraining(workloads, chips, clusters, layouts, outputs, threads) and
// evaluateTrainingAsync(…, threads, cancelFlag, onProgress, firstIndex): the training-step batch
// (src/core/training_*). Every argument is a Float64Array of packed rows; types are checked here (TypeError),
// values by the core (RangeError naming the array, row, field and range). The workload, chip and cluster
// tables are copied by the core (asynchronously: before the call returns); the layouts and outputs are read
// and written in place, so an asynchronous call needs them on a SharedArrayBuffer (columns.hpp).
#include <exception>
#include <memory>
#include <string>
#include <utility>

#include "async_worker.hpp"
#include "columns.hpp"
#include "errors.hpp"
#include "evaluate.hpp"
#include "training_batch.hpp"
#include "training_fields.hpp"
#include "training_validate.hpp"

namespace linkcap::addon {
namespace {

struct TrainingArgs {
  training::TrainingBatch batch;
  unsigned threads = 0;
  std::vector<napi_value> arrays;
};

const double* read_rows(const Napi::CallbackInfo& info, std::size_t index, const char* name, Memory memory,
                        std::size_t& length, TrainingArgs& args) {
  const ArrayView view = read_array(info.Env(), info[index], napi_float64_array, nullptr, name, memory);
  length = view.length;
  args.arrays.push_back(view.value);
  return static_cast<const double*>(view.data);
}

// No property is read here, so no JavaScript runs between taking the pointers and using them.
TrainingArgs read_training_args(const Napi::CallbackInfo& info, Memory memory) {
  TrainingArgs args;
  training::TrainingBatch& b = args.batch;
  b.workloads = read_rows(info, 0, "workloads", Memory::Borrowed, b.workloadsLength, args);
  b.chips = read_rows(info, 1, "chips", Memory::Borrowed, b.chipsLength, args);
  b.clusters = read_rows(info, 2, "clusters", Memory::Borrowed, b.clustersLength, args);
  b.layouts = read_rows(info, 3, "layouts", memory, b.layoutsLength, args);
  b.outputs = const_cast<double*>(read_rows(info, 4, "outputs", memory, b.outputsLength, args));
  args.threads = read_threads(info[5]);
  return args;
}

}  // namespace

Napi::Value evaluate_training(const Napi::CallbackInfo& info) {
  const Napi::Env env = info.Env();
  const TrainingArgs args = read_training_args(info, Memory::Borrowed);
  ParallelOptions options;
  options.threads = args.threads;
  try {
    training::evaluate_training_batch(args.batch, options);
  } catch (...) {
    throw to_js_error(env, std::current_exception());
  }
  return env.Undefined();
}

Napi::Value evaluate_training_async(const Napi::CallbackInfo& info) {
  const Napi::Env env = info.Env();
  return reject_on_error(env, [&]() -> Napi::Value {
    TrainingArgs args = read_training_args(info, Memory::Shared);
    const Napi::Value cancelFlag = read_cancel_flag(info[6]);
    const Napi::Value onProgress = read_on_progress(info[7]);
    training::TrainingBatch rows = args.batch;
    rows.firstIndex = read_first_index(info[8]);
    std::shared_ptr<const training::TrainingTables> tables;
    try {
      tables = std::make_shared<const training::TrainingTables>(training::copy_training_tables(rows));
    } catch (...) {
      throw to_js_error(env, std::current_exception());
    }
    // The tables are ours now: the worker must not read the caller's copies.
    rows.workloads = nullptr;
    rows.chips = nullptr;
    rows.clusters = nullptr;
    AsyncBatch batch;
    batch.total = tables->layoutRows;
    batch.noun = "configurations";
    batch.threads = args.threads;
    batch.arrays = std::move(args.arrays);
    batch.run = [tables, rows](const ParallelOptions& options) {
      return training::evaluate_training_batch(*tables, rows, options);
    };
    return queue_async_batch(env, "linkcap:evaluateTrainingAsync", std::move(batch), cancelFlag, onProgress);
  });
}

}  // namespace linkcap::addon
