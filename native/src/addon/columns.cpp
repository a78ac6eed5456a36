#include "columns.hpp"

#include <array>
#include <cmath>
#include <cstdint>

#include "format_number.hpp"

namespace linkcap::addon {

const char* typed_array_name(napi_typedarray_type type) {
  switch (type) {
    case napi_int8_array: return "Int8Array";
    case napi_uint8_array: return "Uint8Array";
    case napi_uint8_clamped_array: return "Uint8ClampedArray";
    case napi_int16_array: return "Int16Array";
    case napi_uint16_array: return "Uint16Array";
    case napi_int32_array: return "Int32Array";
    case napi_uint32_array: return "Uint32Array";
    case napi_float32_array: return "Float32Array";
    case napi_float64_array: return "Float64Array";
    case napi_bigint64_array: return "BigInt64Array";
    case napi_biguint64_array: return "BigUint64Array";
    default: return "TypedArray";
  }
}

namespace {

// "a Uint8Array", "an Int32Array".
std::string with_article(napi_typedarray_type type) {
  const std::string name = typed_array_name(type);
  return (name[0] == 'I' ? "an " : "a ") + name;
}

void check_status(Napi::Env env, napi_status status) {
  if (status != napi_ok) throw Napi::Error::New(env);
}

constexpr std::array<const char*, 6> kInputNames = {"op", "bytes", "gpus", "cluster", "algo", "proto"};
constexpr std::array<napi_typedarray_type, 6> kInputTypes = {napi_uint8_array,  napi_float64_array, napi_uint32_array,
                                                             napi_uint16_array, napi_uint8_array,   napi_uint8_array};
constexpr std::array<const char*, 8> kOutputNames = {"status", "timeS", "algbwGBps",    "busbwGBps",
                                                     "algo",   "proto", "scaleUpBytes", "scaleOutBytes"};
constexpr std::array<napi_typedarray_type, 8> kOutputTypes = {napi_uint8_array,   napi_float64_array, napi_float64_array,
                                                              napi_float64_array, napi_uint8_array,   napi_uint8_array,
                                                              napi_float64_array, napi_float64_array};

}  // namespace

ArrayView read_array(Napi::Env env, napi_value value, napi_typedarray_type type, const char* label,
                     const char* field, Memory memory) {
  // The name is built only for a message: most calls never need it.
  const auto name = [&] { return label == nullptr ? std::string(field) : std::string(label) + "." + field; };
  // One call answers both "is it a typed array" (napi_invalid_arg when not) and what it holds.
  ArrayView view;
  view.value = value;
  napi_value buffer = nullptr;
  // The buffer only when asked whether it is shared: each extra answer costs a handle.
  const napi_status status = napi_get_typedarray_info(env, value, &view.type, &view.length, &view.data,
                                                      memory == Memory::Shared ? &buffer : nullptr, nullptr);
  if (status != napi_ok || view.type != type) {
    throw Napi::TypeError::New(env, name() + " must be " + with_article(type) + " (got " +
                                        describe_value(Napi::Value(env, value)) + ")");
  }
  if (memory == Memory::Shared) {
    // Node-API 8 has no "is a SharedArrayBuffer" test, but napi_is_arraybuffer is false for one: a typed
    // array's buffer is either an ArrayBuffer or a SharedArrayBuffer.
    bool isArrayBuffer = true;
    check_status(env, napi_is_arraybuffer(env, buffer, &isArrayBuffer));
    view.shared = !isArrayBuffer;
    if (!view.shared) {
      throw Napi::TypeError::New(env, name() + " must be " + with_article(type) +
                                          " on a SharedArrayBuffer (an asynchronous call outlives its caller, and "
                                          "other memory can be detached or freed meanwhile; engine.evaluateAsync "
                                          "copies it through shared windows)");
    }
  }
  return view;
}

unsigned read_threads(const Napi::Value& value) {
  // Absent means all cores, like the engine's default.
  if (value.IsUndefined()) return 0;
  if (!value.IsNumber()) {
    throw Napi::TypeError::New(value.Env(), "threads must be a number (got " + describe_value(value) + ")");
  }
  const double threads = value.As<Napi::Number>().DoubleValue();
  if (!(threads >= 0 && threads <= 1024) || std::floor(threads) != threads) {
    throw Napi::RangeError::New(value.Env(), "threads = " + format_number(threads) +
                                                 ": must be a whole number from 0 (all cores) to 1024");
  }
  return static_cast<unsigned>(threads);
}

std::size_t read_first_index(const Napi::Value& value) {
  if (value.IsUndefined()) return 0;
  if (!value.IsNumber()) {
    throw Napi::TypeError::New(value.Env(), "firstIndex must be a number (got " + describe_value(value) + ")");
  }
  const double index = value.As<Napi::Number>().DoubleValue();
  if (!(index >= 0 && index <= 9007199254740992.0) || std::floor(index) != index) {
    throw Napi::RangeError::New(value.Env(), "firstIndex = " + format_number(index) +
                                                 ": must be a whole number from 0 to 2^53");
  }
  return static_cast<std::size_t>(index);
}

std::string describe_value(const Napi::Value& value) {
  if (value.IsUndefined()) return "undefined";
  if (value.IsNull()) return "null";
  if (value.IsBoolean()) return value.As<Napi::Boolean>().Value() ? "true" : "false";
  if (value.IsNumber()) return format_number(value.As<Napi::Number>().DoubleValue());
  if (value.IsString()) {
    const Napi::Object json = value.Env().Global().Get("JSON").As<Napi::Object>();
    return json.Get("stringify").As<Napi::Function>().Call(json, {value}).As<Napi::String>().Utf8Value();
  }
  if (value.IsTypedArray()) return typed_array_name(value.As<Napi::TypedArray>().TypedArrayType());
  if (value.IsDataView()) return "DataView";
  if (value.IsFunction()) return "function";
  if (value.IsObject()) {
    // The constructor's name ("Array", "ArrayBuffer", "Object") says more than "object".
    const Napi::Value constructor = value.As<Napi::Object>().Get("constructor");
    if (constructor.IsFunction()) {
      const Napi::Value name = constructor.As<Napi::Object>().Get("name");
      if (name.IsString() && !name.As<Napi::String>().Utf8Value().empty()) return name.As<Napi::String>().Utf8Value();
    }
    return "object";
  }
  switch (value.Type()) {
    case napi_symbol: return "symbol";
    case napi_bigint: return "bigint";
    default: return "value";
  }
}

BatchArgs read_batch_args(Napi::Env env, const napi_value* argv, Memory memory) {
  BatchArgs args;
  // Positional arguments: no property is read, so no JavaScript (getter, proxy) runs while the data pointers
  // are taken and used, and nothing is looked up by name.
  args.clusters = read_array(env, argv[0], napi_float64_array, nullptr, "clusters", Memory::Borrowed);
  // References are needed only by an asynchronous call (a synchronous one returns before JavaScript runs).
  if (memory == Memory::Shared) {
    args.arrays.reserve(1 + kInputNames.size() + kOutputNames.size());
    args.arrays.push_back(args.clusters.value);
  }
  // Each column's pointer, written straight into the batch (no intermediate array of views to zero).
  const void* inputData[kInputNames.size()];
  void* outputData[kOutputNames.size()];
  std::size_t length = 0;
  const auto column = [&](std::size_t argument, napi_typedarray_type type, const char* label, const char* name) {
    const ArrayView view = read_array(env, argv[argument], type, label, name, memory);
    if (argument == kFirstColumn) length = view.length;
    if (view.length != length) {
      throw Napi::TypeError::New(env, std::string(label) + "." + name + " has length " + std::to_string(view.length) +
                                          ", expected " + std::to_string(length));
    }
    if (memory == Memory::Shared) args.arrays.push_back(view.value);
    return view.data;
  };
  for (std::size_t i = 0; i < kInputNames.size(); ++i) {
    inputData[i] = column(kFirstColumn + i, kInputTypes[i], "inputs", kInputNames[i]);
  }
  for (std::size_t i = 0; i < kOutputNames.size(); ++i) {
    outputData[i] = column(kFirstColumn + kInputNames.size() + i, kOutputTypes[i], "outputs", kOutputNames[i]);
  }
  BatchInputs& columnsIn = args.columns.in;
  columnsIn.op = static_cast<const std::uint8_t*>(inputData[0]);
  columnsIn.bytes = static_cast<const double*>(inputData[1]);
  columnsIn.gpus = static_cast<const std::uint32_t*>(inputData[2]);
  columnsIn.cluster = static_cast<const std::uint16_t*>(inputData[3]);
  columnsIn.algo = static_cast<const std::uint8_t*>(inputData[4]);
  columnsIn.proto = static_cast<const std::uint8_t*>(inputData[5]);
  BatchOutputs& columnsOut = args.columns.out;
  columnsOut.status = static_cast<std::uint8_t*>(outputData[0]);
  columnsOut.timeS = static_cast<double*>(outputData[1]);
  columnsOut.algbwGBps = static_cast<double*>(outputData[2]);
  columnsOut.busbwGBps = static_cast<double*>(outputData[3]);
  columnsOut.algo = static_cast<std::uint8_t*>(outputData[4]);
  columnsOut.proto = static_cast<std::uint8_t*>(outputData[5]);
  columnsOut.scaleUpBytes = static_cast<double*>(outputData[6]);
  columnsOut.scaleOutBytes = static_cast<double*>(outputData[7]);
  args.columns.length = length;

  args.threads = read_threads(Napi::Value(env, argv[kThreadsArgument]));
  return args;
}

}  // namespace linkcap::addon
