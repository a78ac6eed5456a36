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

Napi::Object read_holder(const Napi::Value& value, const char* label) {
  if (!value.IsObject() || value.IsArray() || value.IsTypedArray()) {
    throw Napi::TypeError::New(value.Env(), std::string(label) + " must be an object of typed-array columns (got " +
                                                describe_value(value) + ")");
  }
  return value.As<Napi::Object>();
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

ArrayView read_array(Napi::Env env, napi_value value, napi_typedarray_type type, const std::string& name,
                     Memory memory) {
  bool isTypedArray = false;
  check_status(env, napi_is_typedarray(env, value, &isTypedArray));
  ArrayView view;
  view.value = value;
  napi_value buffer = nullptr;
  std::size_t offset = 0;
  if (isTypedArray) {
    check_status(env, napi_get_typedarray_info(env, value, &view.type, &view.length, &view.data, &buffer, &offset));
  }
  if (!isTypedArray || view.type != type) {
    throw Napi::TypeError::New(env, name + " must be " + with_article(type) + " (got " +
                                        describe_value(Napi::Value(env, value)) + ")");
  }
  // Node-API 8 has no "is a SharedArrayBuffer" test, but napi_is_arraybuffer is false for one: a typed
  // array's buffer is either an ArrayBuffer or a SharedArrayBuffer.
  bool isArrayBuffer = true;
  check_status(env, napi_is_arraybuffer(env, buffer, &isArrayBuffer));
  view.shared = !isArrayBuffer;
  if (memory == Memory::Shared && !view.shared) {
    throw Napi::TypeError::New(env, name + " must be " + with_article(type) +
                                        " on a SharedArrayBuffer (an asynchronous call outlives its caller, and other "
                                        "memory can be detached or freed meanwhile; engine.evaluateAsync copies it "
                                        "through shared windows)");
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

BatchArgs read_batch_args(const Napi::CallbackInfo& info, Memory memory) {
  const Napi::Env env = info.Env();
  BatchArgs args;

  // 1. Every property read (may run JavaScript: getters, proxies).
  const Napi::Object inputs = read_holder(info[1], "inputs");
  const Napi::Object outputs = read_holder(info[2], "outputs");
  std::array<napi_value, kInputNames.size()> inputValues;
  for (std::size_t i = 0; i < kInputNames.size(); ++i) inputValues[i] = inputs.Get(kInputNames[i]);
  std::array<napi_value, kOutputNames.size()> outputValues;
  for (std::size_t i = 0; i < kOutputNames.size(); ++i) outputValues[i] = outputs.Get(kOutputNames[i]);

  // 2. The typed arrays' memory (runs no JavaScript; a failed check throws, and then nothing is used).
  // The cluster rows are copied by the core (or, asynchronously, before the call returns): any Float64Array.
  args.clusters = read_array(env, info[0], napi_float64_array, "clusters", Memory::Borrowed);
  args.arrays.push_back(args.clusters.value);
  std::array<ArrayView, kInputNames.size()> in;
  std::array<ArrayView, kOutputNames.size()> out;
  std::size_t length = 0;
  for (std::size_t i = 0; i < kInputNames.size(); ++i) {
    in[i] = read_array(env, inputValues[i], kInputTypes[i], std::string("inputs.") + kInputNames[i], memory);
  }
  for (std::size_t i = 0; i < kOutputNames.size(); ++i) {
    out[i] = read_array(env, outputValues[i], kOutputTypes[i], std::string("outputs.") + kOutputNames[i], memory);
  }
  length = in[0].length;
  const auto check_length = [&](const ArrayView& view, const std::string& name) {
    if (view.length != length) {
      throw Napi::TypeError::New(env, name + " has length " + std::to_string(view.length) + ", expected " +
                                          std::to_string(length));
    }
    args.arrays.push_back(view.value);
  };
  for (std::size_t i = 0; i < kInputNames.size(); ++i) check_length(in[i], std::string("inputs.") + kInputNames[i]);
  for (std::size_t i = 0; i < kOutputNames.size(); ++i) check_length(out[i], std::string("outputs.") + kOutputNames[i]);

  BatchInputs& columnsIn = args.columns.in;
  columnsIn.op = static_cast<const std::uint8_t*>(in[0].data);
  columnsIn.bytes = static_cast<const double*>(in[1].data);
  columnsIn.gpus = static_cast<const std::uint32_t*>(in[2].data);
  columnsIn.cluster = static_cast<const std::uint16_t*>(in[3].data);
  columnsIn.algo = static_cast<const std::uint8_t*>(in[4].data);
  columnsIn.proto = static_cast<const std::uint8_t*>(in[5].data);
  BatchOutputs& columnsOut = args.columns.out;
  columnsOut.status = static_cast<std::uint8_t*>(out[0].data);
  columnsOut.timeS = static_cast<double*>(out[1].data);
  columnsOut.algbwGBps = static_cast<double*>(out[2].data);
  columnsOut.busbwGBps = static_cast<double*>(out[3].data);
  columnsOut.algo = static_cast<std::uint8_t*>(out[4].data);
  columnsOut.proto = static_cast<std::uint8_t*>(out[5].data);
  columnsOut.scaleUpBytes = static_cast<double*>(out[6].data);
  columnsOut.scaleOutBytes = static_cast<double*>(out[7].data);
  args.columns.length = length;

  args.threads = read_threads(info[3]);
  return args;
}

}  // namespace linkcap::addon
