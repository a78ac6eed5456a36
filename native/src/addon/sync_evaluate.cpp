// The blocking entry point, for the CLI, sweeps and one-point calls: the JS thread runs chunks alongside the
// pool and returns when every point is written. No JavaScript runs between reading the arguments and
// returning, so the typed arrays' memory cannot be detached or freed meanwhile (columns.hpp).
//
// A plain Node-API callback rather than node-addon-api's wrapper: with 16 arguments the wrapper allocates an
// argument array on the heap for every call, and a one-point call is mostly such overhead.
#include <exception>

#include "batch.hpp"
#include "columns.hpp"
#include "errors.hpp"
#include "evaluate.hpp"

namespace linkcap::addon {

napi_value evaluate_collectives(napi_env env, napi_callback_info info) {
  napi_value argv[kBatchArgumentCount];
  std::size_t argc = kBatchArgumentCount;
  // Missing arguments read as undefined.
  if (napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr) != napi_ok) return nullptr;
  try {
    const BatchArgs args = read_batch_args(Napi::Env(env), argv, Memory::Borrowed);
    ParallelOptions options;
    options.threads = args.threads;
    evaluate_batch(static_cast<const double*>(args.clusters.data), args.clusters.length, args.columns, options);
  } catch (const Napi::Error& error) {
    error.ThrowAsJavaScriptException();
  } catch (...) {
    // The core's errors (InputError, std::bad_alloc): a JavaScript error, never a C++ exception into Node.
    try {
      to_js_error(Napi::Env(env), std::current_exception()).ThrowAsJavaScriptException();
    } catch (...) {
      // Not even an error object could be made (the environment is going away): nothing left to report to.
    }
  }
  return nullptr;
}

}  // namespace linkcap::addon
