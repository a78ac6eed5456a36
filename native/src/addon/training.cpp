// evaluateTraining(workloads, chips, clusters, layouts, outputs, threads) and
// evaluateTrainingAsync(…, threads, cancelFlag, onProgress): the training-step batch (src/core/training_*).
// Every argument is a Float64Array of packed rows; types are checked here (TypeError), values by the core
// (RangeError naming the array, row, field and range) before any worker starts.
#include <string>
#include <utility>

#include "async_worker.hpp"
#include "columns.hpp"
#include "errors.hpp"
#include "evaluate.hpp"
#include "training_batch.hpp"
#include "training_fields.hpp"

namespace linkcap::addon {
namespace {

struct TrainingArgs {
  training::TrainingBatch batch;
  unsigned threads = 0;
  std::vector<Napi::Object> arrays;
};

const double* read_rows(const Napi::Value& value, const char* name, std::size_t& length, TrainingArgs& args) {
  if (!value.IsTypedArray() || value.As<Napi::TypedArray>().TypedArrayType() != napi_float64_array) {
    throw Napi::TypeError::New(value.Env(), std::string(name) + " must be a Float64Array (got " +
                                                describe_value(value) + ")");
  }
  Napi::TypedArrayOf<double> array(value.Env(), value);
  length = array.ElementLength();
  args.arrays.push_back(array);
  return array.Data();
}

TrainingArgs read_training_args(const Napi::CallbackInfo& info) {
  TrainingArgs args;
  training::TrainingBatch& b = args.batch;
  b.workloads = read_rows(info[0], "workloads", b.workloadsLength, args);
  b.chips = read_rows(info[1], "chips", b.chipsLength, args);
  b.clusters = read_rows(info[2], "clusters", b.clustersLength, args);
  b.layouts = read_rows(info[3], "layouts", b.layoutsLength, args);
  b.outputs = const_cast<double*>(read_rows(info[4], "outputs", b.outputsLength, args));
  args.threads = read_threads(info[5]);
  return args;
}

}  // namespace

Napi::Value evaluate_training(const Napi::CallbackInfo& info) {
  const Napi::Env env = info.Env();
  const TrainingArgs args = read_training_args(info);
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
    TrainingArgs args = read_training_args(info);
    const Napi::Value cancelFlag = read_cancel_flag(info[6]);
    const Napi::Value onProgress = read_on_progress(info[7]);
    AsyncBatch batch;
    // Whole layout rows; a ragged array is reported by the validation, on the worker thread.
    batch.total = args.batch.layoutsLength / training::kLayoutFieldCount;
    batch.noun = "configurations";
    batch.threads = args.threads;
    batch.arrays = std::move(args.arrays);
    const training::TrainingBatch rows = args.batch;
    batch.run = [rows](const ParallelOptions& options) { return training::evaluate_training_batch(rows, options); };
    return queue_async_batch(env, "linkcap:evaluateTrainingAsync", std::move(batch), cancelFlag, onProgress);
  });
}

}  // namespace linkcap::addon
