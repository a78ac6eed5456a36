// Reads the typed-array arguments of the entry points. Only types and lengths are checked here (a wrong type
// is a TypeError naming the column); value ranges are the core's job, at the point of use.
//
// Pinning: a pointer into a typed array is only good while its memory is. JavaScript can free that memory
// behind the addon's back (transfer or detach an ArrayBuffer, shrink a resizable one). The columns are
// therefore positional arguments (no property read, so no getter or proxy runs JavaScript between taking a
// pointer and using it), and a synchronous call uses the pointers before returning to JavaScript, so they stay
// valid. An asynchronous call outlives its JavaScript caller: its
// columns must be SharedArrayBuffer views (memory that can be neither detached nor shrunk, and that stays
// allocated while the addon holds a reference to the view); other arrays are refused with a TypeError
// (engine.evaluateAsync copies them through shared windows).
#pragma once

#include <napi.h>

#include <cstddef>
#include <string>
#include <vector>

#include "batch.hpp"

namespace linkcap::addon {

// What an entry point needs of its array arguments.
enum class Memory {
  Borrowed,  // a synchronous call: any typed array
  Shared,    // an asynchronous call: SharedArrayBuffer views only
};

// A typed-array argument: its kind, length and memory, read in one napi_get_typedarray_info call.
struct ArrayView {
  napi_value value = nullptr;
  napi_typedarray_type type = napi_uint8_array;
  std::size_t length = 0;
  void* data = nullptr;
  bool shared = false;  // backed by a SharedArrayBuffer
};

// `value` as an array of `type`: throws a TypeError "<label>.<field> must be a <Type> (got …)" otherwise
// (label may be null), and, when `memory` is Shared, "… must be a <Type> on a SharedArrayBuffer (…)". Runs no
// JavaScript unless it throws.
ArrayView read_array(Napi::Env env, napi_value value, napi_typedarray_type type, const char* label, const char* field,
                     Memory memory);

struct BatchArgs {
  ArrayView clusters;  // packed cluster rows (Float64Array)
  BatchColumns columns{};
  unsigned threads = 0;
  // Every typed array read, so an asynchronous call can hold references to them while workers run.
  std::vector<napi_value> arrays;
};

// The collective entry points' arguments: argv[0] packedClusters, argv[1..6] the input columns
// (INPUT_COLUMN_NAMES order: op, bytes, gpus, cluster, algo, proto), argv[7..14] the output columns
// (OUTPUT_COLUMN_NAMES order), argv[15] threads; the asynchronous call adds cancelFlag, onProgress and
// firstIndex. The cluster table may be any Float64Array (the core copies it before use; an asynchronous call
// copies it before returning). Throws Napi::TypeError or Napi::RangeError (as C++ exceptions) on a wrong
// argument.
inline constexpr std::size_t kFirstColumn = 1;
inline constexpr std::size_t kThreadsArgument = 15;
inline constexpr std::size_t kCancelFlagArgument = 16;
inline constexpr std::size_t kOnProgressArgument = 17;
inline constexpr std::size_t kFirstIndexArgument = 18;
inline constexpr std::size_t kBatchArgumentCount = 19;
BatchArgs read_batch_args(Napi::Env env, const napi_value* argv, Memory memory);

// The thread-count argument: undefined or a whole number from 0 (all cores) to 1024.
unsigned read_threads(const Napi::Value& value);

// The optional index of the first point or row in messages: undefined (0) or a whole number from 0 to 2^53.
std::size_t read_first_index(const Napi::Value& value);

// What a value is, for "(got …)" in messages: "Float64Array", "undefined", "3", "\"text\"", "Array".
std::string describe_value(const Napi::Value& value);

// The name JavaScript gives a typed-array kind ("Float64Array").
const char* typed_array_name(napi_typedarray_type type);

}  // namespace linkcap::addon
