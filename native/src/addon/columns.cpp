#include "columns.hpp"

#include <cmath>
#include <cstdint>
#include <optional>

#include "format_number.hpp"

namespace linkcap::addon {
namespace {

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

template <typename T>
constexpr napi_typedarray_type typed_array_type_of();
template <> constexpr napi_typedarray_type typed_array_type_of<std::uint8_t>() { return napi_uint8_array; }
template <> constexpr napi_typedarray_type typed_array_type_of<std::uint16_t>() { return napi_uint16_array; }
template <> constexpr napi_typedarray_type typed_array_type_of<std::uint32_t>() { return napi_uint32_array; }
template <> constexpr napi_typedarray_type typed_array_type_of<double>() { return napi_float64_array; }

// Reads `holder[name]` as a typed array of exactly T's kind (a Uint8ClampedArray is not a Uint8Array, as
// with instanceof in the TypeScript validator). The first column read fixes the expected length.
template <typename T>
T* read_column(Napi::Object holder, const char* label, const char* name, std::optional<std::size_t>& length,
               BatchArgs& args) {
  const Napi::Env env = holder.Env();
  const Napi::Value value = holder.Get(name);
  const std::string field = std::string(label) + "." + name;
  constexpr napi_typedarray_type expected = typed_array_type_of<T>();
  if (!value.IsTypedArray() || value.As<Napi::TypedArray>().TypedArrayType() != expected) {
    throw Napi::TypeError::New(env, field + " must be a " + typed_array_name(expected) + " (got " +
                                        describe_value(value) + ")");
  }
  Napi::TypedArrayOf<T> array(env, value);
  if (!length) length = array.ElementLength();
  if (array.ElementLength() != *length) {
    throw Napi::TypeError::New(env, field + " has length " + std::to_string(array.ElementLength()) + ", expected " +
                                        std::to_string(*length));
  }
  args.arrays.push_back(array);
  return array.Data();
}

Napi::Object read_holder(const Napi::Value& value, const char* label) {
  if (!value.IsObject() || value.IsArray() || value.IsTypedArray()) {
    throw Napi::TypeError::New(value.Env(), std::string(label) + " must be an object of typed-array columns (got " +
                                                describe_value(value) + ")");
  }
  return value.As<Napi::Object>();
}

}  // namespace

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

BatchArgs read_batch_args(const Napi::CallbackInfo& info) {
  const Napi::Env env = info.Env();
  BatchArgs args;

  const Napi::Value clusters = info[0];
  if (!clusters.IsTypedArray() || clusters.As<Napi::TypedArray>().TypedArrayType() != napi_float64_array) {
    throw Napi::TypeError::New(env, "clusters must be a Float64Array (got " + describe_value(clusters) + ")");
  }
  Napi::TypedArrayOf<double> packed(env, clusters);
  args.packedClusters = packed.Data();
  args.packedLength = packed.ElementLength();
  args.arrays.push_back(packed);

  const Napi::Object inputs = read_holder(info[1], "inputs");
  const Napi::Object outputs = read_holder(info[2], "outputs");
  std::optional<std::size_t> length;
  BatchInputs& in = args.columns.in;
  in.op = read_column<std::uint8_t>(inputs, "inputs", "op", length, args);
  in.bytes = read_column<double>(inputs, "inputs", "bytes", length, args);
  in.gpus = read_column<std::uint32_t>(inputs, "inputs", "gpus", length, args);
  in.cluster = read_column<std::uint16_t>(inputs, "inputs", "cluster", length, args);
  in.algo = read_column<std::uint8_t>(inputs, "inputs", "algo", length, args);
  in.proto = read_column<std::uint8_t>(inputs, "inputs", "proto", length, args);
  BatchOutputs& out = args.columns.out;
  out.status = read_column<std::uint8_t>(outputs, "outputs", "status", length, args);
  out.timeS = read_column<double>(outputs, "outputs", "timeS", length, args);
  out.algbwGBps = read_column<double>(outputs, "outputs", "algbwGBps", length, args);
  out.busbwGBps = read_column<double>(outputs, "outputs", "busbwGBps", length, args);
  out.algo = read_column<std::uint8_t>(outputs, "outputs", "algo", length, args);
  out.proto = read_column<std::uint8_t>(outputs, "outputs", "proto", length, args);
  out.scaleUpBytes = read_column<double>(outputs, "outputs", "scaleUpBytes", length, args);
  out.scaleOutBytes = read_column<double>(outputs, "outputs", "scaleOutBytes", length, args);
  args.columns.length = *length;

  args.threads = read_threads(info[3]);
  return args;
}

}  // namespace linkcap::addon
