// The asynchronous batch worker shared by evaluateCollectivesAsync and evaluateTrainingAsync (see
// async_worker.hpp). Moved here unchanged from async_evaluate.cpp and made independent of the batch kind.
#include "async_worker.hpp"

#include <atomic>
#include <cstdint>
#include <exception>
#include <string>
#include <utility>
#include <vector>

#include "errors.hpp"
#include "columns.hpp"

namespace linkcap::addon {
namespace {

struct Progress {
  double done;
  double total;
};

class EvaluateWorker final : public Napi::AsyncProgressWorker<Progress> {
 public:
  EvaluateWorker(Napi::Env env, const char* resource, AsyncBatch batch, const Napi::Value& cancelFlag,
                 const Napi::Value& onProgress)
      : Napi::AsyncProgressWorker<Progress>(env, resource),
        deferred_(Napi::Promise::Deferred::New(env)),
        args_(std::move(batch)) {
    // The workers read and write the typed arrays' memory after this call returns: hold a reference to
    // each array (not only to the column objects, whose properties JS could reassign meanwhile) so none
    // can be collected before the Promise settles.
    for (napi_value array : args_.arrays) references_.push_back(Napi::Persistent(Napi::Object(env, array)));
    args_.arrays.clear();  // local handles die with this call's handle scope
    if (cancelFlag.IsTypedArray()) {
      const ArrayView flag = read_array(env, cancelFlag, napi_int32_array, nullptr, "cancelFlag", Memory::Shared);
      cancelFlag_ = static_cast<std::int32_t*>(flag.data);
      references_.push_back(Napi::Persistent(cancelFlag.As<Napi::Object>()));
    }
    if (onProgress.IsFunction()) onProgress_ = Napi::Persistent(onProgress.As<Napi::Function>());
    // A Worker thread that is terminated mid-run waits for this work before freeing its memory: stop at the
    // next chunk instead of finishing a batch whose result nobody will see.
    if (napi_add_env_cleanup_hook(env, &EvaluateWorker::on_env_teardown, this) == napi_ok) hookAdded_ = true;
  }

  ~EvaluateWorker() override {
    if (hookAdded_) napi_remove_env_cleanup_hook(Env(), &EvaluateWorker::on_env_teardown, this);
  }

  Napi::Promise promise() const { return deferred_.Promise(); }

 protected:
  void Execute(const ExecutionProgress& progress) override {
    const std::size_t total = args_.total;
    ParallelOptions options;
    options.threads = args_.threads;
    options.cancelled = [this] { return stop_requested(); };
    if (!onProgress_.IsEmpty()) {
      options.progress = [&progress, total](std::size_t done) {
        const Progress update{static_cast<double>(done), static_cast<double>(total)};
        progress.Send(&update, 1);
      };
    }
    try {
      const ParallelResult result = args_.run(options);
      completed_ = result.completed;
      cancelled_ = result.cancelled;
    } catch (...) {
      error_ = std::current_exception();
    }
  }

  void OnProgress(const Progress* data, std::size_t count) override {
    if (count == 0 || onProgress_.IsEmpty() || !progressError_.IsEmpty()) return;
    try {
      call_progress(data[count - 1].done, data[count - 1].total);
    } catch (...) {
      // Only if even recording the error failed (out of memory): still stop the run.
      progressFailed_.store(true, std::memory_order_relaxed);
    }
  }

  // Runs on the JS thread after the last progress call has been delivered.
  void OnOK() override {
    try {
      settle();
    } catch (...) {
      // Settling itself failed: the environment is being torn down (a Worker terminated mid-run). Nobody
      // is left to observe the Promise, and an exception must not escape into Node, which would abort.
    }
  }

  // Only reached if Execute let an exception escape (it does not); rejects rather than losing the Promise.
  void OnError(const Napi::Error& error) override {
    try {
      deferred_.Reject(error.Value());
    } catch (...) {
    }
  }

 private:
  void settle() {
    const Napi::Env env = Env();
    try {
      if (progressError_.IsEmpty() && !error_ && !cancelled_ && !onProgress_.IsEmpty() &&
          (!progressCalled_ || lastDone_ < static_cast<double>(args_.total))) {
        // Progress is coalesced; make sure the caller always sees the final (total, total).
        const double total = static_cast<double>(args_.total);
        call_progress(total, total);
      }
      if (!progressError_.IsEmpty()) {
        deferred_.Reject(progressError_.Value().Get("thrown"));
      } else if (error_) {
        deferred_.Reject(to_js_error(env, error_).Value());
      } else if (cancelled_) {
        // An AbortError, as Node's own cancellable APIs reject, that also says how far the run got: items
        // [0, completed) are evaluated, the others read "not evaluated".
        Napi::Error error = Napi::Error::New(env, "cancelled after " + std::to_string(completed_) + " of " +
                                                      std::to_string(args_.total) + " " + args_.noun);
        error.Set("name", Napi::String::New(env, "AbortError"));
        error.Set("code", Napi::String::New(env, "ABORT_ERR"));
        error.Set("completed", Napi::Number::New(env, static_cast<double>(completed_)));
        error.Set("total", Napi::Number::New(env, static_cast<double>(args_.total)));
        deferred_.Reject(error.Value());
      } else {
        deferred_.Resolve(env.Undefined());
      }
    } catch (const Napi::Error& e) {
      deferred_.Reject(e.Value());
    } catch (const std::exception& e) {
      deferred_.Reject(Napi::Error::New(env, e.what()).Value());
    }
  }

  static void on_env_teardown(void* self) {
    static_cast<EvaluateWorker*>(self)->abandoned_.store(true, std::memory_order_relaxed);
  }

  bool stop_requested() const {
    // JS writes cancelFlag[0] with a plain store; a relaxed atomic load is all the ordering we need, the
    // flag only has to be seen eventually (at the next chunk boundary).
    if (cancelFlag_ != nullptr && std::atomic_ref<std::int32_t>(*cancelFlag_).load(std::memory_order_relaxed) != 0) {
      return true;
    }
    return progressFailed_.load(std::memory_order_relaxed) || abandoned_.load(std::memory_order_relaxed);
  }

  // A throwing onProgress must not escape into Node (an exception left pending in a thread-safe-function
  // callback is reported as uncaught): remember what it threw, stop the workers at the next chunk and
  // reject the Promise with it.
  void call_progress(double done, double total) {
    progressCalled_ = true;
    lastDone_ = done;
    const Napi::Env env = Env();
    try {
      onProgress_.Value().Call({Napi::Number::New(env, done), Napi::Number::New(env, total)});
    } catch (const Napi::Error& e) {
      keep_progress_error(e.Value());
    } catch (const std::exception& e) {
      keep_progress_error(Napi::Error::New(env, e.what()).Value());
    }
  }

  // JS may throw any value, a primitive included; Node-API 8 cannot reference a primitive directly, so the
  // value is parked in a holder object that is referenced instead.
  void keep_progress_error(const Napi::Value& thrown) {
    progressFailed_.store(true, std::memory_order_relaxed);
    Napi::Object holder = Napi::Object::New(Env());
    holder.Set("thrown", thrown);
    progressError_ = Napi::Persistent(holder);
  }

  Napi::Promise::Deferred deferred_;
  AsyncBatch args_;
  std::vector<Napi::ObjectReference> references_;
  std::int32_t* cancelFlag_ = nullptr;
  Napi::FunctionReference onProgress_;

  // Written by Execute, read by OnOK after the work completed (libuv orders the two).
  std::size_t completed_ = 0;
  bool cancelled_ = false;
  std::exception_ptr error_;

  // JS-thread state of the progress callback.
  bool progressCalled_ = false;
  double lastDone_ = 0;
  Napi::ObjectReference progressError_;  // holds { thrown } once onProgress threw
  std::atomic<bool> progressFailed_{false};

  // Set by the environment's cleanup hook when the Worker thread owning this call is going away.
  std::atomic<bool> abandoned_{false};
  bool hookAdded_ = false;
};

}  // namespace

Napi::Value read_cancel_flag(const Napi::Value& value) {
  if (value.IsUndefined() || value.IsNull()) return value;
  const ArrayView flag = read_array(value.Env(), value, napi_int32_array, nullptr, "cancelFlag", Memory::Shared);
  if (flag.length < 1) throw Napi::TypeError::New(value.Env(), "cancelFlag must have length ≥ 1 (got 0)");
  return value;
}

Napi::Value read_on_progress(const Napi::Value& value) {
  if (value.IsUndefined() || value.IsNull() || value.IsFunction()) return value;
  throw Napi::TypeError::New(value.Env(), "onProgress must be a function or undefined (got " +
                                              describe_value(value) + ")");
}

Napi::Promise queue_async_batch(Napi::Env env, const char* resource, AsyncBatch batch, const Napi::Value& cancelFlag,
                                const Napi::Value& onProgress) {
  auto* worker = new EvaluateWorker(env, resource, std::move(batch), cancelFlag, onProgress);
  const Napi::Promise promise = worker->promise();
  worker->Queue();  // the worker deletes itself after OnOK/OnError
  return promise;
}

Napi::Value reject_on_error(Napi::Env env, const std::function<Napi::Value()>& body) {
  try {
    return body();
  } catch (const Napi::Error& e) {
    // An async function reports bad arguments by rejecting, not by throwing synchronously.
    const Napi::Promise::Deferred deferred = Napi::Promise::Deferred::New(env);
    deferred.Reject(e.Value());
    return deferred.Promise();
  }
}

}  // namespace linkcap::addon
