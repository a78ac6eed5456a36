// Reads the arguments shared by evaluateCollectives and evaluateCollectivesAsync: the packed cluster table,
// the input and output column objects and the thread count. Only types and lengths are checked here (a
// wrong type is a TypeError naming the column); value ranges are the core's job (batch.cpp,
// validate_cluster.cpp), so the TypeScript and C++ validators word their messages alike.
#pragma once

#include <napi.h>

#include <cstddef>
#include <string>
#include <vector>

#include "batch.hpp"

namespace linkcap::addon {

struct BatchArgs {
  const double* packedClusters = nullptr;
  std::size_t packedLength = 0;
  BatchColumns columns{};
  unsigned threads = 0;
  // Every typed array read, so an asynchronous call can hold references to them while workers run.
  std::vector<Napi::Object> arrays;
};

// info[0] packedClusters, info[1] inputs, info[2] outputs, info[3] threads. Throws Napi::TypeError or
// Napi::RangeError (as C++ exceptions) on a wrong argument.
BatchArgs read_batch_args(const Napi::CallbackInfo& info);

// The thread-count argument: undefined or a whole number from 0 (all cores) to 1024.
unsigned read_threads(const Napi::Value& value);

// What a value is, for "(got …)" in messages: "Float64Array", "undefined", "3", "\"text\"", "Array".
std::string describe_value(const Napi::Value& value);

}  // namespace linkcap::addon
