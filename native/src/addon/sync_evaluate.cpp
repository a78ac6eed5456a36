// The blocking entry point, for the CLI and benchmarks: the JS thread runs chunks alongside the pool and
// returns when every point is written. No JavaScript runs between reading the arguments and returning, so the
// typed arrays' memory cannot be detached or freed meanwhile (columns.hpp).
#include <exception>

#include "batch.hpp"
#include "columns.hpp"
#include "errors.hpp"
#include "evaluate.hpp"

namespace linkcap::addon {

Napi::Value evaluate_collectives(const Napi::CallbackInfo& info) {
  const Napi::Env env = info.Env();
  const BatchArgs args = read_batch_args(info, Memory::Borrowed);
  ParallelOptions options;
  options.threads = args.threads;
  try {
    evaluate_batch(static_cast<const double*>(args.clusters.data), args.clusters.length, args.columns, options);
  } catch (...) {
    throw to_js_error(env, std::current_exception());
  }
  return env.Undefined();
}

}  // namespace linkcap::addon
