// `TableFileWriter`: the table writers of src/core/table_writer.hpp (Parquet, CSV, JSON Lines, Arrow IPC) for
// JavaScript. This file reads the arguments (types checked here, a TypeError naming the argument) and hands
// the core raw column pointers for the duration of one synchronous call.
//
//   new TableFileWriter(path, format, names, kinds, storages, labels, rowGroupRows, createdBy, threads)
//   write(columns, rows)     columns: one typed array per column (its storage type), each ≥ rows long
//   finish(keys, values)     the key-value metadata; completes and closes the file
//   close()                  abandons the file (the caller deletes it)
//
// Pinning (columns.hpp): write() first reads every element of the `columns` array (a getter or Proxy may run
// JavaScript then), and only afterwards takes the data pointers, which it uses before returning; no JavaScript
// runs in between. Values are read once each, so a buffer another thread rewrites meanwhile gives some values,
// never a crash.
#include <napi.h>

#include <memory>
#include <string>
#include <vector>

#include "columns.hpp"
#include "errors.hpp"
#include "table_writer.hpp"
#include "table_writer_addon.hpp"

namespace linkcap::addon {
namespace {

[[noreturn]] void type_error(Napi::Env env, const std::string& message) { throw Napi::TypeError::New(env, message); }

std::string string_arg(const Napi::Value& v, const std::string& name) {
  if (!v.IsString()) type_error(v.Env(), name + " must be a string (got " + describe_value(v) + ")");
  return v.As<Napi::String>().Utf8Value();
}

std::vector<std::string> string_list(const Napi::Value& v, const std::string& name) {
  if (!v.IsArray()) type_error(v.Env(), name + " must be an array of strings (got " + describe_value(v) + ")");
  const Napi::Array a = v.As<Napi::Array>();
  std::vector<std::string> out;
  const std::uint32_t n = a.Length();
  out.reserve(n);
  for (std::uint32_t i = 0; i < n; ++i) out.push_back(string_arg(a.Get(i), name + "[" + std::to_string(i) + "]"));
  return out;
}

double number_arg(const Napi::Value& v, const std::string& name, double min, double max) {
  if (!v.IsNumber()) type_error(v.Env(), name + " must be a number (got " + describe_value(v) + ")");
  const double x = v.As<Napi::Number>().DoubleValue();
  if (!(x >= min && x <= max && x == static_cast<double>(static_cast<std::int64_t>(x)))) {
    throw Napi::RangeError::New(v.Env(), name + " = " + describe_value(v) + ": must be a whole number from " +
                                             std::to_string(static_cast<std::int64_t>(min)) + " to " +
                                             std::to_string(static_cast<std::int64_t>(max)));
  }
  return x;
}

napi_typedarray_type array_type(table::Storage s) {
  switch (s) {
    case table::Storage::F64: return napi_float64_array;
    case table::Storage::I32: return napi_int32_array;
    case table::Storage::U32: return napi_uint32_array;
    case table::Storage::U8: return napi_uint8_array;
  }
  return napi_float64_array;
}

class TableFileWriter : public Napi::ObjectWrap<TableFileWriter> {
 public:
  static Napi::Function define(Napi::Env env) {
    return DefineClass(env, "TableFileWriter",
                       {
                           InstanceMethod("write", &TableFileWriter::write),
                           InstanceMethod("finish", &TableFileWriter::finish),
                           InstanceMethod("close", &TableFileWriter::close),
                           InstanceMethod("rowsWritten", &TableFileWriter::rows_written),
                       });
  }

  explicit TableFileWriter(const Napi::CallbackInfo& info) : Napi::ObjectWrap<TableFileWriter>(info) {
    const Napi::Env env = info.Env();
    const std::string path = string_arg(info[0], "path");
    const auto format = static_cast<table::Format>(number_arg(info[1], "format", 0, 3));
    const std::vector<std::string> names = string_list(info[2], "names");
    if (!info[3].IsArray() || !info[4].IsArray() || !info[5].IsArray()) type_error(env, "kinds, storages and labels must be arrays");
    const Napi::Array kinds = info[3].As<Napi::Array>();
    const Napi::Array storages = info[4].As<Napi::Array>();
    const Napi::Array labels = info[5].As<Napi::Array>();
    if (kinds.Length() != names.size() || storages.Length() != names.size() || labels.Length() != names.size()) {
      type_error(env, "names, kinds, storages and labels must have one entry per column");
    }
    std::vector<table::ColumnSpec> columns;
    for (std::uint32_t i = 0; i < names.size(); ++i) {
      const std::string at = "[" + std::to_string(i) + "]";
      table::ColumnSpec c;
      c.name = names[i];
      c.kind = static_cast<table::ValueKind>(number_arg(kinds.Get(i), "kinds" + at, 0, 2));
      c.storage = static_cast<table::Storage>(number_arg(storages.Get(i), "storages" + at, 0, 3));
      const Napi::Value l = labels.Get(i);
      if (!l.IsUndefined() && !l.IsNull()) c.labels = string_list(l, "labels" + at);
      columns.push_back(std::move(c));
    }
    table::WriterOptions options;
    options.rowGroupRows = static_cast<std::size_t>(number_arg(info[6], "rowGroupRows", 1, 1 << 24));
    options.createdBy = string_arg(info[7], "createdBy");
    options.threads = static_cast<unsigned>(number_arg(info[8], "threads", 0, 1024));
    storages_.reserve(columns.size());
    for (const auto& c : columns) storages_.push_back(c.storage);
    try {
      writer_ = table::make_table_writer(format, path, std::move(columns), options);
    } catch (...) {
      throw to_js_error(env, std::current_exception());
    }
  }

 private:
  table::TableWriter& open(Napi::Env env) {
    if (!writer_) throw Napi::Error::New(env, "TableFileWriter: the file is already finished or closed");
    return *writer_;
  }

  Napi::Value write(const Napi::CallbackInfo& info) {
    const Napi::Env env = info.Env();
    table::TableWriter& writer = open(env);
    if (!info[0].IsArray()) type_error(env, "columns must be an array of typed arrays");
    const Napi::Array list = info[0].As<Napi::Array>();
    const auto rows = static_cast<std::size_t>(number_arg(info[1], "rows", 0, 9007199254740991.0));
    if (list.Length() != storages_.size()) type_error(env, "columns: one typed array per column (" + std::to_string(storages_.size()) + ")");
    // Every element first (this may run JavaScript), then the pointers (this runs none).
    std::vector<napi_value> values(storages_.size());
    for (std::uint32_t i = 0; i < values.size(); ++i) values[i] = list.Get(i);
    std::vector<const void*> pointers(values.size());
    for (std::size_t i = 0; i < values.size(); ++i) {
      const std::string field = "columns[" + std::to_string(i) + "]";
      const ArrayView view = read_array(env, values[i], array_type(storages_[i]), nullptr, field.c_str(), Memory::Borrowed);
      if (view.length < rows) throw Napi::RangeError::New(env, field + " holds " + std::to_string(view.length) + " values, fewer than rows = " + std::to_string(rows));
      pointers[i] = view.data;
    }
    try {
      writer.append(pointers.data(), rows);
    } catch (...) {
      writer_->close();
      writer_.reset();
      throw to_js_error(env, std::current_exception());
    }
    return env.Undefined();
  }

  Napi::Value finish(const Napi::CallbackInfo& info) {
    const Napi::Env env = info.Env();
    table::TableWriter& writer = open(env);
    const std::vector<std::string> keys = string_list(info[0], "keys");
    const std::vector<std::string> values = string_list(info[1], "values");
    if (keys.size() != values.size()) type_error(env, "keys and values must have the same length");
    table::KeyValues metadata;
    for (std::size_t i = 0; i < keys.size(); ++i) metadata.emplace_back(keys[i], values[i]);
    try {
      writer.finish(metadata);
    } catch (...) {
      writer_->close();
      writer_.reset();
      throw to_js_error(env, std::current_exception());
    }
    writer_.reset();
    return env.Undefined();
  }

  Napi::Value close(const Napi::CallbackInfo& info) {
    if (writer_) {
      writer_->close();
      writer_.reset();
    }
    return info.Env().Undefined();
  }

  Napi::Value rows_written(const Napi::CallbackInfo& info) {
    return Napi::Number::New(info.Env(), writer_ ? static_cast<double>(writer_->rows_written()) : 0);
  }

  std::unique_ptr<table::TableWriter> writer_;
  std::vector<table::Storage> storages_;
};

}  // namespace

Napi::Function define_table_writer(Napi::Env env) { return TableFileWriter::define(env); }

}  // namespace linkcap::addon
