// `SweepEngine`: the sweep engine of src/core/sweep_engine.hpp as a JS class. This file only reads the plan
// object and the column buffers into the core's structs (types checked here, a TypeError naming the field;
// values by the core, a RangeError) and turns results back into typed arrays. The plan's layout is described
// by packages/core/src/sweep/native-plan.ts.
#include <napi.h>

#include <atomic>
#include <cmath>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "async_worker.hpp"
#include "columns.hpp"
#include "errors.hpp"
#include "sweep.hpp"
#include "cluster_params.hpp"
#include "sweep_engine.hpp"
#include "training_fields.hpp"

namespace linkcap::addon {
namespace {

using sweep::ColumnType;

[[noreturn]] void type_error(Napi::Env env, const std::string& message) { throw Napi::TypeError::New(env, message); }

template <typename T>
constexpr napi_typedarray_type kind_of();
template <> constexpr napi_typedarray_type kind_of<double>() { return napi_float64_array; }
template <> constexpr napi_typedarray_type kind_of<std::int32_t>() { return napi_int32_array; }
template <> constexpr napi_typedarray_type kind_of<std::uint32_t>() { return napi_uint32_array; }
template <> constexpr napi_typedarray_type kind_of<std::uint8_t>() { return napi_uint8_array; }

// The plan's arrays are copied as they are read (no JavaScript runs between taking a data pointer and the
// copy), so a getter or Proxy met later cannot free memory the engine still reads (columns.hpp, "Pinning").
template <typename T>
struct Owned {
  std::vector<T> values;
  bool present = false;
  const T* data() const { return values.data(); }
  std::size_t size() const { return values.size(); }
  T operator[](std::size_t i) const { return values[i]; }
};

template <typename T>
Owned<T> typed(const Napi::Value& value, const std::string& name) {
  const ArrayView view = read_array(value.Env(), value, kind_of<T>(), nullptr, name.c_str(), Memory::Borrowed);
  Owned<T> out;
  const T* data = static_cast<const T*>(view.data);
  out.values.assign(data, data + view.length);
  out.present = true;
  return out;
}

template <typename T>
Owned<T> optional_typed(const Napi::Object& o, const char* key, const std::string& name) {
  const Napi::Value v = o.Get(key);
  if (v.IsUndefined() || v.IsNull()) return Owned<T>();
  return typed<T>(v, name + "." + key);
}

// Storage the SweepPlan's pointers refer to until the engine has copied them.
struct PlanStorage {
  std::vector<std::vector<double>> doubles;
  std::vector<std::vector<std::uint32_t>> words;
  const double* keep(Owned<double> a) {
    doubles.push_back(std::move(a.values));
    return doubles.back().data();
  }
  const std::uint32_t* keep(Owned<std::uint32_t> a) {
    words.push_back(std::move(a.values));
    return words.back().data();
  }
};

double number(const Napi::Object& o, const char* key, const std::string& name, double fallback) {
  const Napi::Value v = o.Get(key);
  if (v.IsUndefined()) return fallback;
  if (!v.IsNumber()) type_error(o.Env(), name + "." + key + " must be a number (got " + describe_value(v) + ")");
  return v.As<Napi::Number>().DoubleValue();
}

std::vector<std::int32_t> int_list(const Napi::Object& o, const char* key, const std::string& name) {
  std::vector<std::int32_t> out;
  const Napi::Value v = o.Get(key);
  if (v.IsUndefined() || v.IsNull()) return out;
  if (!v.IsArray()) type_error(o.Env(), name + "." + key + " must be an array of numbers");
  const Napi::Array a = v.As<Napi::Array>();
  for (std::uint32_t i = 0; i < a.Length(); ++i) {
    const Napi::Value x = a.Get(i);
    if (!x.IsNumber()) type_error(o.Env(), name + "." + key + "[" + std::to_string(i) + "] must be a number");
    out.push_back(x.As<Napi::Number>().Int32Value());
  }
  return out;
}

// The plan object → SweepPlan (borrowing the typed arrays: the engine copies them before this returns).
sweep::SweepPlan read_plan(const Napi::Value& value, PlanStorage& storage) {
  const Napi::Env env = value.Env();
  if (!value.IsObject()) type_error(env, "plan must be an object");
  const Napi::Object o = value.As<Napi::Object>();
  sweep::SweepPlan plan;
  plan.kind = number(o, "kind", "plan", 0) == 1 ? sweep::Kind::Training : sweep::Kind::Collective;
  const Napi::Value axesValue = o.Get("axes");
  if (!axesValue.IsArray()) type_error(env, "plan.axes must be an array");
  const Napi::Array axes = axesValue.As<Napi::Array>();
  for (std::uint32_t i = 0; i < axes.Length(); ++i) {
    const std::string name = "plan.axes[" + std::to_string(i) + "]";
    if (!axes.Get(i).IsObject()) type_error(env, name + " must be an object");
    const Napi::Object a = axes.Get(i).As<Napi::Object>();
    auto values = typed<double>(a.Get("values"), name + ".values");
    sweep::AxisPlan axis;
    axis.length = static_cast<std::uint32_t>(values.size());
    axis.values = storage.keep(std::move(values));
    axis.target = static_cast<sweep::Target>(static_cast<std::int32_t>(number(a, "target", name, 0)));
    const double target = number(a, "target", name, 0);
    if (!(target >= 0 && target <= 10)) throw Napi::RangeError::New(env, name + ".target must be 0..10");
    axis.arg = static_cast<std::int64_t>(number(a, "arg", name, 0));
    plan.axes.push_back(axis);
  }
  auto clusters = typed<double>(o.Get("clusters"), "plan.clusters");
  plan.clustersLength = clusters.size();
  plan.clusters = storage.keep(std::move(clusters));
  if (plan.kind == sweep::Kind::Training) {
    auto workloads = typed<double>(o.Get("workloads"), "plan.workloads");
    auto chips = typed<double>(o.Get("chips"), "plan.chips");
    auto base = typed<double>(o.Get("baseLayout"), "plan.baseLayout");
    auto batch = typed<double>(o.Get("workloadBatch"), "plan.workloadBatch");
    auto price = optional_typed<double>(o, "clusterPrice", "plan");
    plan.workloadsLength = workloads.size();
    plan.chipsLength = chips.size();
    if (base.size() != training::kLayoutFieldCount) type_error(env, "plan.baseLayout must hold one layout row");
    if (batch.size() * training::kWorkloadFieldCount != workloads.size()) {
      type_error(env, "plan.workloadBatch must hold one value per workload row");
    }
    if (price.present && price.size() * kClusterFieldCount != plan.clustersLength) type_error(env, "plan.clusterPrice must hold one value per cluster row");
    plan.workloads = storage.keep(std::move(workloads));
    plan.chips = storage.keep(std::move(chips));
    plan.baseLayout = storage.keep(std::move(base));
    plan.workloadBatch = storage.keep(std::move(batch));
    if (price.present) plan.clusterPrice = storage.keep(std::move(price));
    plan.tokens = number(o, "tokens", "plan", 0);
    const Napi::Value layouts = o.Get("layouts");
    if (!layouts.IsUndefined() && !layouts.IsNull()) {
      if (!layouts.IsObject()) type_error(env, "plan.layouts must be an object");
      const Napi::Object l = layouts.As<Napi::Object>();
      auto fields = typed<std::int32_t>(l.Get("fields"), "plan.layouts.fields");
      auto table = typed<double>(l.Get("table"), "plan.layouts.table");
      auto offsets = typed<std::uint32_t>(l.Get("listOffsets"), "plan.layouts.listOffsets");
      auto strides = typed<double>(l.Get("contextStrides"), "plan.layouts.contextStrides");
      plan.hasLayoutLists = true;
      plan.layouts.fields = fields.values;
      if (fields.size() == 0 || table.size() % fields.size() != 0) {
        type_error(env, "plan.layouts.table must hold whole entries of plan.layouts.fields");
      }
      if (offsets.size() < 2 || offsets.size() % 2) type_error(env, "plan.layouts.listOffsets needs a (start, count) pair per context");
      plan.layouts.entries = table.size() / fields.size();
      plan.layouts.contexts = offsets.size() / 2;
      plan.layouts.table = storage.keep(std::move(table));
      plan.layouts.listOffsets = storage.keep(std::move(offsets));
      for (std::size_t i = 0; i < strides.size(); ++i) {
        const double s = strides[i];
        if (!(s >= 0 && s < 9007199254740992.0 && std::floor(s) == s)) throw Napi::RangeError::New(env, "plan.layouts.contextStrides must be whole numbers ≥ 0");
        plan.layouts.contextStrides.push_back(static_cast<std::uint64_t>(s));
      }
    }
  }
  const Napi::Value bundles = o.Get("bundles");
  if (!bundles.IsUndefined() && !bundles.IsNull()) {
    if (!bundles.IsArray()) type_error(env, "plan.bundles must be an array");
    const Napi::Array list = bundles.As<Napi::Array>();
    for (std::uint32_t i = 0; i < list.Length(); ++i) {
      const std::string name = "plan.bundles[" + std::to_string(i) + "]";
      if (!list.Get(i).IsObject()) type_error(env, name + " must be an object");
      const Napi::Object b = list.Get(i).As<Napi::Object>();
      auto fields = typed<std::int32_t>(b.Get("fields"), name + ".fields");
      auto late = typed<std::uint8_t>(b.Get("late"), name + ".late");
      auto table = typed<double>(b.Get("table"), name + ".table");
      if (fields.size() == 0 || late.size() != fields.size() || table.size() % fields.size() != 0) {
        type_error(env, name + ": needs fields, one late flag per field and whole rows of the table");
      }
      sweep::BundlePlan bundle;
      bundle.fields = fields.values;
      bundle.late = late.values;
      bundle.length = table.size() / fields.size();
      bundle.table = storage.keep(std::move(table));
      plan.bundles.push_back(std::move(bundle));
    }
  }
  const auto filter = optional_typed<double>(o, "filter", "plan");
  if (filter.present) {
    if (filter.size() % 2) type_error(env, "plan.filter must hold (op, arg) pairs");
    for (std::size_t i = 0; i + 1 < filter.size(); i += 2) {
      const double op = filter[i];
      if (!(op >= 0 && op < sweep::kFilterOpCount && std::floor(op) == op)) throw Napi::RangeError::New(env, "plan.filter[" + std::to_string(i) + "]: unknown instruction");
      plan.filter.push_back({static_cast<sweep::FilterOp>(static_cast<int>(op)), filter[i + 1]});
    }
  }
  const auto columns = typed<std::int32_t>(o.Get("columns"), "plan.columns");
  if (columns.size() % 3) type_error(env, "plan.columns must hold (source, arg, type) triples");
  for (std::size_t i = 0; i < columns.size(); i += 3) {
    const std::int32_t source = columns[i];
    const std::int32_t type = columns[i + 2];
    if (source < 0 || source > 4 || type < 0 || type > 3) throw Napi::RangeError::New(env, "plan.columns[" + std::to_string(i / 3) + "]: unknown source or type");
    plan.columns.push_back({static_cast<sweep::ColumnSource>(source), columns[i + 1], static_cast<ColumnType>(type)});
  }
  const Napi::Value reductions = o.Get("reductions");
  if (!reductions.IsArray()) type_error(env, "plan.reductions must be an array");
  const Napi::Array list = reductions.As<Napi::Array>();
  for (std::uint32_t i = 0; i < list.Length(); ++i) {
    const std::string name = "plan.reductions[" + std::to_string(i) + "]";
    if (!list.Get(i).IsObject()) type_error(env, name + " must be an object");
    const Napi::Object r = list.Get(i).As<Napi::Object>();
    sweep::ReducePlan red;
    const double kind = number(r, "kind", name, -1);
    if (!(kind >= 0 && kind < sweep::kReduceKindCount && std::floor(kind) == kind)) {
      throw Napi::RangeError::New(env, name + ".kind must be 0.." + std::to_string(sweep::kReduceKindCount - 1));
    }
    red.kind = static_cast<sweep::ReduceKind>(static_cast<int>(kind));
    red.groupAxes = int_list(r, "by", name);
    red.metrics = int_list(r, "metrics", name);
    for (std::int32_t m : int_list(r, "maximize", name)) red.maximize.push_back(m ? 1 : 0);
    const double k = number(r, "k", name, 1);
    if (!(k >= 0 && k <= 4294967295.0)) throw Napi::RangeError::New(env, name + ".k out of range");
    red.k = static_cast<std::uint32_t>(k);
    red.alpha = number(r, "alpha", name, 0.01);
    red.histMin = number(r, "histMin", name, 0);
    red.histMax = number(r, "histMax", name, 1);
    const double bins = number(r, "histBins", name, 10);
    red.histBins = bins >= 0 && bins <= 1e6 ? static_cast<std::uint32_t>(bins) : 0;
    red.histLog = number(r, "histLog", name, 0) != 0;
    red.pairAxis = static_cast<std::int32_t>(number(r, "axis", name, -1));
    const double num = number(r, "numerator", name, 0);
    const double den = number(r, "denominator", name, 0);
    red.numerator = num >= 0 && num < 4294967296.0 ? static_cast<std::uint32_t>(num) : 0xFFFFFFFFu;
    red.denominator = den >= 0 && den < 4294967296.0 ? static_cast<std::uint32_t>(den) : 0xFFFFFFFFu;
    plan.reductions.push_back(std::move(red));
  }
  return plan;
}

double to_index(const Napi::Value& v, const char* name) {
  if (!v.IsNumber()) type_error(v.Env(), std::string(name) + " must be a number");
  const double d = v.As<Napi::Number>().DoubleValue();
  if (!(d >= 0 && d <= 9007199254740992.0 && std::floor(d) == d)) throw Napi::RangeError::New(v.Env(), std::string(name) + " must be a whole number ≥ 0");
  return d;
}

class SweepEngine : public Napi::ObjectWrap<SweepEngine> {
 public:
  static Napi::Function define(Napi::Env env) {
    return DefineClass(env, "SweepEngine",
                       {
                           InstanceMethod("outerCount", &SweepEngine::outer_count),
                           InstanceMethod("layoutsPerOuter", &SweepEngine::layouts_per_outer),
                           InstanceMethod("windowEnd", &SweepEngine::window_end),
                           InstanceMethod("countPoints", &SweepEngine::count_points),
                           InstanceMethod("runWindow", &SweepEngine::run_window),
                           InstanceMethod("runWindowAsync", &SweepEngine::run_window_async),
                           InstanceMethod("lastWindow", &SweepEngine::last_window),
                           InstanceMethod("totals", &SweepEngine::totals),
                           InstanceMethod("finish", &SweepEngine::finish),
                           InstanceMethod("saveState", &SweepEngine::save_state),
                           InstanceMethod("loadState", &SweepEngine::load_state),
                           InstanceMethod("describe", &SweepEngine::describe),
                           InstanceMethod("groupDigits", &SweepEngine::group_digits),
                       });
  }

  explicit SweepEngine(const Napi::CallbackInfo& info) : Napi::ObjectWrap<SweepEngine>(info) {
    PlanStorage storage;
    const sweep::SweepPlan plan = read_plan(info[0], storage);
    try {
      engine_ = std::make_shared<sweep::Engine>(plan);
    } catch (...) {
      throw to_js_error(info.Env(), std::current_exception());
    }
  }

 private:
  void not_busy(Napi::Env env) const {
    if (busy_->load()) throw Napi::Error::New(env, "SweepEngine: a window is still running");
  }

  Napi::Value outer_count(const Napi::CallbackInfo& info) { return Napi::Number::New(info.Env(), static_cast<double>(engine_->outer_count())); }
  Napi::Value layouts_per_outer(const Napi::CallbackInfo& info) {
    return Napi::Number::New(info.Env(), static_cast<double>(engine_->layouts_per_outer()));
  }
  Napi::Value window_end(const Napi::CallbackInfo& info) {
    const double e = static_cast<double>(engine_->window_end(static_cast<std::uint64_t>(to_index(info[0], "begin")),
                                                            static_cast<std::uint64_t>(to_index(info[1], "limit")),
                                                            static_cast<std::uint64_t>(to_index(info[2], "capacity"))));
    return Napi::Number::New(info.Env(), e);
  }
  Napi::Value count_points(const Napi::CallbackInfo& info) {
    not_busy(info.Env());
    ParallelOptions options;
    options.threads = read_threads(info[2]);
    try {
      return Napi::Number::New(info.Env(), static_cast<double>(engine_->count_points(
                                               static_cast<std::uint64_t>(to_index(info[0], "begin")),
                                               static_cast<std::uint64_t>(to_index(info[1], "end")), options)));
    } catch (const Napi::Error&) {
      throw;
    } catch (...) {
      throw to_js_error(info.Env(), std::current_exception());
    }
  }

  // Column buffers: an array of typed arrays, one per plan column, of the column's type, each ≥ capacity.
  // Column buffers: an array of typed arrays, one per plan column, of the column's type. Every element is read
  // first (a getter or Proxy may run JavaScript), then the data pointers are taken (no JavaScript runs after).
  // Asynchronous windows need SharedArrayBuffer views (Memory::Shared), which cannot be freed while they run.
  std::vector<napi_value> read_buffer_values(const Napi::Value& value) const {
    const Napi::Env env = value.Env();
    if (!value.IsArray()) type_error(env, "columns must be an array of typed arrays");
    const Napi::Array a = value.As<Napi::Array>();
    const auto& plan = engine_->columns();
    if (a.Length() != plan.size()) type_error(env, "columns: expected " + std::to_string(plan.size()) + " buffers");
    std::vector<napi_value> values;
    for (std::uint32_t i = 0; i < a.Length(); ++i) values.push_back(a.Get(i));
    return values;
  }

  sweep::RowBuffers view_buffers(Napi::Env env, const std::vector<napi_value>& values, std::size_t capacity, Memory memory) const {
    const auto& plan = engine_->columns();
    sweep::RowBuffers rows;
    rows.capacity = capacity;
    for (std::size_t i = 0; i < values.size(); ++i) {
      const std::string name = "columns[" + std::to_string(i) + "]";
      napi_typedarray_type type = napi_float64_array;
      switch (plan[i].type) {
        case ColumnType::F64: type = napi_float64_array; break;
        case ColumnType::I32: type = napi_int32_array; break;
        case ColumnType::U32: type = napi_uint32_array; break;
        case ColumnType::U8: type = napi_uint8_array; break;
      }
      const ArrayView view = read_array(env, values[i], type, nullptr, name.c_str(), memory);
      if (view.length < capacity) type_error(env, name + " holds " + std::to_string(view.length) + " elements, the window needs " + std::to_string(capacity));
      rows.columns.push_back(view.data);
    }
    return rows;
  }

  struct WindowArgs {
    std::uint64_t begin = 0, end = 0;
    bool withRows = false;
    sweep::RowBuffers rows;
    std::vector<napi_value> arrays;
    unsigned threads = 0;
  };

  WindowArgs read_window(const Napi::CallbackInfo& info, Memory memory) const {
    WindowArgs w;
    w.begin = static_cast<std::uint64_t>(to_index(info[0], "begin"));
    w.end = static_cast<std::uint64_t>(to_index(info[1], "end"));
    if (w.end < w.begin) throw Napi::RangeError::New(info.Env(), "end must be ≥ begin");
    w.threads = read_threads(info[3]);
    if (!info[2].IsNull() && !info[2].IsUndefined()) {
      w.withRows = true;
      w.arrays = read_buffer_values(info[2]);
      const std::uint64_t need = engine_->slots(w.begin, std::min(w.end, engine_->outer_count()));
      w.rows = view_buffers(info.Env(), w.arrays, static_cast<std::size_t>(need), memory);
    }
    return w;
  }

  Napi::Value run_window(const Napi::CallbackInfo& info) {
    not_busy(info.Env());
    WindowArgs w = read_window(info, Memory::Borrowed);
    ParallelOptions options;
    options.threads = w.threads;
    try {
      *last_shared_ = engine_->run_window(w.begin, w.end, w.withRows ? &w.rows : nullptr, options);
    } catch (...) {
      throw to_js_error(info.Env(), std::current_exception());
    }
    return last_window(info);
  }

  // runWindowAsync(begin, end, columns | null, threads, cancelFlag, onProgress): a Promise; then lastWindow().
  Napi::Value run_window_async(const Napi::CallbackInfo& info) {
    const Napi::Env env = info.Env();
    return reject_on_error(env, [&]() -> Napi::Value {
      not_busy(env);
      const Napi::Value cancelFlag = read_cancel_flag(info[4]);
      const Napi::Value onProgress = read_on_progress(info[5]);
      auto w = std::make_shared<WindowArgs>(read_window(info, Memory::Shared));
      AsyncBatch batch;
      batch.total = static_cast<std::size_t>(std::min(w->end, engine_->outer_count()) - std::min(w->begin, w->end));
      batch.noun = "outer points";
      batch.threads = w->threads;
      batch.arrays = w->arrays;
      batch.arrays.push_back(static_cast<napi_value>(Value()));  // keep this object (and its engine) alive
      busy_->store(true);
      auto engine = engine_;
      auto busy = busy_;
      auto last = last_shared_;
      batch.run = [engine, w, busy, last](const ParallelOptions& options) {
        struct Clear {
          std::shared_ptr<std::atomic<bool>> flag;
          ~Clear() { flag->store(false); }
        } clear{busy};
        const sweep::WindowResult r = engine->run_window(w->begin, w->end, w->withRows ? &w->rows : nullptr, options);
        *last = r;
        ParallelResult pr;
        pr.completed = static_cast<std::size_t>(r.end - w->begin);
        pr.cancelled = false;  // a stopped window still resolves: what was done is a prefix (lastWindow)
        return pr;
      };
      return queue_async_batch(env, "linkcap:sweepWindow", std::move(batch), cancelFlag, onProgress);
    });
  }

  Napi::Value last_window(const Napi::CallbackInfo& info) {
    const Napi::Env env = info.Env();
    not_busy(env);
    const sweep::WindowResult& last_ = *last_shared_;
    Napi::Object o = Napi::Object::New(env);
    o.Set("end", static_cast<double>(last_.end));
    o.Set("rows", static_cast<double>(last_.rows));
    o.Set("evaluated", static_cast<double>(last_.evaluated));
    o.Set("ok", static_cast<double>(last_.ok));
    o.Set("cancelled", last_.cancelled);
    return o;
  }

  Napi::Value totals(const Napi::CallbackInfo& info) {
    not_busy(info.Env());
    const sweep::Totals t = engine_->totals();
    Napi::Object o = Napi::Object::New(info.Env());
    o.Set("evaluated", static_cast<double>(t.evaluated));
    o.Set("ok", static_cast<double>(t.ok));
    Napi::Array statuses = Napi::Array::New(info.Env(), 8);
    for (std::uint32_t i = 0; i < 8; ++i) statuses.Set(i, static_cast<double>(t.statuses[i]));
    o.Set("statuses", statuses);
    return o;
  }

  static Napi::Float64Array to_array(Napi::Env env, const std::vector<double>& v) {
    Napi::Float64Array a = Napi::Float64Array::New(env, v.size());
    for (std::size_t i = 0; i < v.size(); ++i) a[i] = v[i];
    return a;
  }

  Napi::Value finish(const Napi::CallbackInfo& info) {
    not_busy(info.Env());
    const Napi::Env env = info.Env();
    std::vector<sweep::ReductionTable> tables;
    try {
      tables = engine_->finish();
    } catch (...) {
      throw to_js_error(env, std::current_exception());
    }
    Napi::Array out = Napi::Array::New(env, tables.size());
    for (std::size_t i = 0; i < tables.size(); ++i) {
      const sweep::ReductionTable& t = tables[i];
      Napi::Object o = Napi::Object::New(env);
      o.Set("groups", to_array(env, t.groups));
      o.Set("ids", to_array(env, t.ids));
      o.Set("ids2", to_array(env, t.ids2));
      // Rows that describe a point with one axis moved (describe(ids, columns, moveAxis, digit)).
      o.Set("moveAxis", Napi::Number::New(env, t.moveAxis));
      o.Set("idsDigit", Napi::Number::New(env, static_cast<double>(t.idsDigit)));
      o.Set("ids2Digit", Napi::Number::New(env, static_cast<double>(t.ids2Digit)));
      Napi::Object extras = Napi::Object::New(env);
      for (std::size_t e = 0; e < t.extraNames.size(); ++e) extras.Set(t.extraNames[e], to_array(env, t.extras[e]));
      o.Set("extras", extras);
      out.Set(static_cast<std::uint32_t>(i), o);
    }
    return out;
  }

  Napi::Value save_state(const Napi::CallbackInfo& info) {
    not_busy(info.Env());
    const std::vector<std::uint8_t> bytes = engine_->save_state();
    Napi::Uint8Array a = Napi::Uint8Array::New(info.Env(), bytes.size());
    std::copy(bytes.begin(), bytes.end(), a.Data());
    return a;
  }

  Napi::Value load_state(const Napi::CallbackInfo& info) {
    not_busy(info.Env());
    // Copied as it is read: the caller's buffer may be shared or changed while the core reads it.
    const std::vector<std::uint8_t> copy = typed<std::uint8_t>(info[0], "state").values;
    try {
      engine_->load_state(copy.data(), copy.size());
    } catch (...) {
      throw to_js_error(info.Env(), std::current_exception());
    }
    return info.Env().Undefined();
  }

  Napi::Value describe(const Napi::CallbackInfo& info) {
    not_busy(info.Env());
    const std::vector<double> copy = typed<double>(info[0], "ids").values;
    const std::vector<napi_value> values = read_buffer_values(info[1]);
    sweep::RowBuffers rows = view_buffers(info.Env(), values, copy.size(), Memory::Borrowed);
    // Optional: describe each point with axis info[2] moved to digit info[3] (carried ratios).
    std::int32_t moveAxis = -1;
    std::int64_t moveDigit = -1;
    if (info.Length() > 2 && !info[2].IsUndefined()) {
      moveAxis = static_cast<std::int32_t>(to_index(info[2], "moveAxis"));
      moveDigit = static_cast<std::int64_t>(to_index(info[3], "moveDigit"));
    }
    try {
      engine_->describe(copy.data(), copy.size(), rows, moveAxis, moveDigit);
    } catch (...) {
      throw to_js_error(info.Env(), std::current_exception());
    }
    return info.Env().Undefined();
  }

  Napi::Value group_digits(const Napi::CallbackInfo& info) {
    const Napi::Env env = info.Env();
    const auto reduction = static_cast<std::size_t>(to_index(info[0], "reduction"));
    const std::vector<double> copy = typed<double>(info[1], "groups").values;
    std::vector<Napi::Uint32Array> columns;
    try {
      for (std::size_t i = 0; i < copy.size(); ++i) {
        const double g = copy[i];
        if (!(g >= 0 && std::floor(g) == g && g < 9007199254740992.0)) throw Napi::RangeError::New(env, "groups must be whole numbers ≥ 0");
        const std::vector<std::uint32_t> digits = engine_->group_digits(reduction, static_cast<std::uint64_t>(g));
        if (columns.empty()) {
          for (std::size_t a = 0; a < digits.size(); ++a) columns.push_back(Napi::Uint32Array::New(env, copy.size()));
        }
        for (std::size_t a = 0; a < digits.size(); ++a) columns[a][i] = digits[a];
      }
    } catch (const Napi::Error&) {
      throw;
    } catch (...) {
      throw to_js_error(env, std::current_exception());
    }
    Napi::Array out = Napi::Array::New(env, columns.size());
    for (std::size_t a = 0; a < columns.size(); ++a) out.Set(static_cast<std::uint32_t>(a), columns[a]);
    return out;
  }

  std::shared_ptr<sweep::Engine> engine_;
  std::shared_ptr<std::atomic<bool>> busy_ = std::make_shared<std::atomic<bool>>(false);
  std::shared_ptr<sweep::WindowResult> last_shared_ = std::make_shared<sweep::WindowResult>();
};

}  // namespace

Napi::Function define_sweep_engine(Napi::Env env) { return SweepEngine::define(env); }

}  // namespace linkcap::addon
