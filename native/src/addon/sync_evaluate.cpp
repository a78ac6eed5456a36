// The blocking entry point, for the CLI and benchmarks: the JS thread runs chunks alongside the pool and
// returns when every point is written.
#include <exception>

#include "batch.hpp"
#include "columns.hpp"
#include "errors.hpp"
#include "evaluate.hpp"

namespace linkcap::addon {

Napi::Value evaluate_collectives(const Napi::CallbackInfo& info) {
  const Napi::Env env = info.Env();
  const BatchArgs args = read_batch_args(info);
  ParallelOptions options;
  options.threads = args.threads;
  try {
    evaluate_batch(args.packedClusters, args.packedLength, args.columns, options);
  } catch (...) {
    throw to_js_error(env, std::current_exception());
  }
  return env.Undefined();
}

}  // namespace linkcap::addon
