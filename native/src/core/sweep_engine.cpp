#include "sweep_engine.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <stdexcept>
#include <string>
#include <unordered_map>

#include "cluster_table.hpp"
#include "format_number.hpp"
#include "selection_plan.hpp"
#include "sweep_filter.hpp"
#include "training_fields.hpp"
#include "training_pricing.hpp"
#include "training_step.hpp"
#include "training_validate.hpp"
#include "validate_cluster.hpp"

namespace linkcap::sweep {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr std::size_t kMaxAxes = 64;
constexpr std::uint8_t kNullStatus = 255;
// A reduction state may take at most this many bytes per thread (a guard against group counts that would
// exhaust memory; the spec is refused with the number).
constexpr double kMaxStateBytes = 256.0 * 1024 * 1024;
// Training points whose layout needs more GPUs than the collective model places exactly (training_validate.hpp).
constexpr double kMaxTrainingGpus = training::kMaxTrainingGpus;

static_assert(training_metric::kDerived == static_cast<int>(training::kOutputFieldCount));

[[noreturn]] void bad(const std::string& message) { throw std::invalid_argument(message); }

// One point being evaluated: its digits, layout row (training) and results.
struct Point {
  std::uint32_t digits[kMaxAxes];
  double layout[training::kLayoutFieldCount];
  double out[training::kOutputFieldCount];
  double metrics[kMaxMetrics];
  std::uint64_t id;
  std::uint8_t status;
};

// A thread's share of the reductions and counters; aligned so two threads' states never share a cache line.
struct alignas(128) ThreadState {
  std::vector<std::unique_ptr<Reducer>> reducers;
  Totals totals;
};

void add_totals(Totals& into, const Totals& from) {
  into.evaluated += from.evaluated;
  into.ok += from.ok;
  for (int i = 0; i < 8; ++i) into.statuses[i] += from.statuses[i];
}

}  // namespace

struct Engine::Impl {
  const Engine* engine = nullptr;
  const SweepPlan* plan = nullptr;
  std::unique_ptr<ClusterTable> clusterTable;  // the validated, prepared cluster rows (shared with the batch path)
  const PreparedCluster* prepared = nullptr;
  training::PricingTable pricing;
  // Axes by role.
  int opAxis = -1, gpusAxis = -1, bytesAxis = -1, algoAxis = -1, protoAxis = -1;
  std::vector<std::pair<int, std::uint64_t>> clusterAxes, workloadAxes, chipAxes;
  std::vector<std::pair<int, std::size_t>> layoutAxes;  // axis, layout field
  std::vector<std::pair<int, std::size_t>> bundleAxes;  // axis, bundle index
  // Whether recomputeModules / fp8ActivationCache only ever come from defaults (the base layout, a profile).
  bool defaultModules = true, defaultFp8Cache = true;
  std::vector<std::uint64_t> contextStrides;             // per axis (layout lists)
  bool filterUsesLayout = false;
  bool needBandwidths = true;  // collective: some column or reduction reads algbwGBps or busbwGBps
  std::size_t chunk = 16384;
  // Per-thread states; a thread finds its slot through the window sequence number.
  std::vector<std::unique_ptr<ThreadState>> slots;
  std::mutex slotsMutex;
  std::atomic<unsigned> nextSlot{0};
  std::uint64_t window = 0;
  std::uint64_t uid = 0;
  // Loaded states of other shards.
  ThreadState loaded;

  std::vector<std::unique_ptr<Reducer>> fresh_reducers() const {
    std::vector<std::unique_ptr<Reducer>> list;
    for (const ReducePlan& r : plan->reductions) list.push_back(make_reducer(r, engine->lengths_));
    return list;
  }

  ThreadState& slot_for_this_thread() {
    struct Cache {
      std::uint64_t uid = 0;
      std::uint64_t window = 0;
      ThreadState* state = nullptr;
    };
    thread_local Cache cache;
    if (cache.uid == uid && cache.window == window && cache.state) return *cache.state;
    const unsigned index = nextSlot.fetch_add(1, std::memory_order_relaxed);
    ThreadState* state;
    {
      std::lock_guard<std::mutex> lock(slotsMutex);
      if (index >= slots.size()) slots.resize(index + 1);
      if (!slots[index]) {
        slots[index] = std::make_unique<ThreadState>();
        slots[index]->reducers = fresh_reducers();
      }
      state = slots[index].get();
    }
    cache = Cache{uid, window, state};
    return *state;
  }

  // --- decoding ------------------------------------------------------------------------------------------

  void decode(std::uint64_t outer, std::uint32_t* digits) const {
    const auto& lengths = engine->lengths_;
    for (std::size_t a = lengths.size(); a-- > 0;) {
      digits[a] = static_cast<std::uint32_t>(outer % lengths[a]);
      outer /= lengths[a];
    }
  }
  // Odometer step to the next outer point.
  void increment(std::uint32_t* digits) const {
    const auto& lengths = engine->lengths_;
    for (std::size_t a = lengths.size(); a-- > 0;) {
      if (++digits[a] < lengths[a]) return;
      digits[a] = 0;
    }
  }
  const double* values[kMaxAxes] = {};  // each axis's values (engine->axisValues_), without the vector indirection
  double value(const std::uint32_t* digits, int axis) const { return values[axis][digits[axis]]; }
  std::uint64_t row_of(const std::vector<std::pair<int, std::uint64_t>>& axes, const std::uint32_t* digits) const {
    std::uint64_t row = 0;
    for (const auto& [axis, stride] : axes) row += digits[axis] * stride;
    return row;
  }
  // Training: the chip row. Without chip axes the chip table holds one row per cluster row (each cluster's own
  // chip, derived axes applied), so the chip row is the cluster row.
  std::uint64_t chip_row(const std::uint32_t* digits) const {
    return chipAxes.empty() ? row_of(clusterAxes, digits) : row_of(chipAxes, digits);
  }
  std::uint64_t context_of(const std::uint32_t* digits) const {
    std::uint64_t c = 0;
    for (std::size_t a = 0; a < contextStrides.size(); ++a) c += digits[a] * contextStrides[a];
    return c;
  }
  // Layouts of the outer point with these digits.
  std::uint64_t list_length(const std::uint32_t* digits) const {
    if (!plan->hasLayoutLists) return 1;
    const std::uint64_t c = context_of(digits);
    return engine->listOffsets_[2 * c + 1];
  }

  // --- filter ------------------------------------------------------------------------------------------------

  bool passes(const Point& p) const {
    if (plan->filter.empty()) return true;
    return run_filter(plan->filter, [&](FilterOp op, double arg) {
      const auto field = static_cast<std::size_t>(arg);
      switch (op) {
        case FilterOp::Axis: return value(p.digits, static_cast<int>(arg));
        case FilterOp::LayoutField: return p.layout[field];
        case FilterOp::WorkloadField:
          return engine->workloads_[row_of(workloadAxes, p.digits) * training::kWorkloadFieldCount + field];
        case FilterOp::ChipField: return engine->chips_[chip_row(p.digits) * training::kChipFieldCount + field];
        case FilterOp::ClusterField: return engine->clusters_[row_of(clusterAxes, p.digits) * kClusterFieldCount + field];
        default: return kNaN;
      }
    });
  }

  // --- evaluation ----------------------------------------------------------------------------------------

  // Collective point: fills status and metrics.
  void evaluate_collective(Point& p, plan::PlanCache& cache) const {
    const auto cluster = static_cast<std::uint16_t>(row_of(clusterAxes, p.digits));
    const auto op = static_cast<Op>(static_cast<unsigned>(value(p.digits, opAxis)));
    const auto gpus = static_cast<std::uint32_t>(value(p.digits, gpusAxis));
    const auto algo = algoAxis < 0 ? kAuto : static_cast<std::uint8_t>(value(p.digits, algoAxis));
    const auto proto = protoAxis < 0 ? kAuto : static_cast<std::uint8_t>(value(p.digits, protoAxis));
    price_collective(cache.get(prepared, cluster, op, gpus), cluster, op, value(p.digits, bytesAxis), algo, proto, p);
  }

  // The collective model on a placed group (the plan of select_auto, or select_candidate when forced), as
  // batch.cpp's select_point: status, time, bandwidths, choice and bytes per level into p.
  [[gnu::always_inline]] inline void price_collective(const plan::GroupPlan& group, std::uint16_t cluster, Op op, double bytes,
                                                      std::uint8_t algo, std::uint8_t proto, Point& p) const {
    price_collective(group, cluster, op, bytes, algo, proto, p.metrics, p.status);
  }
  // The same into a metrics row and a status (the batched loop's buffers).
  [[gnu::always_inline]] inline void price_collective(const plan::GroupPlan& group, std::uint16_t cluster, Op op, double bytes,
                                                      std::uint8_t algo, std::uint8_t proto, double* m, std::uint8_t& statusOut) const {
    PointStatus status;
    double timeS = kNaN, up = kNaN, net = kNaN;
    std::uint8_t chosenAlgo = kAuto, chosenProto = kAuto;
    if (!group.placed) {
      status = PointStatus::BadGpuCount;
    } else if (algo == kAuto && proto == kAuto) {
      const plan::Best best = plan::select_auto(group, op, bytes);
      status = best.found ? PointStatus::Ok : PointStatus::NoEligibleAlgorithm;
      if (best.found) {
        timeS = best.timeS;
        up = best.shares.up;
        net = best.shares.net;
        chosenAlgo = static_cast<std::uint8_t>(best.algo);
        chosenProto = static_cast<std::uint8_t>(best.proto);
      }
    } else {
      PointResult r;
      select_candidate(prepared[cluster].params, group.placement, op, bytes, algo, proto, r);
      status = r.status;
      timeS = r.timeS;
      up = r.scaleUpBytes;
      net = r.scaleOutBytes;
      chosenAlgo = r.algo;
      chosenProto = r.proto;
    }
    // As batch.cpp and select_candidate: algbw = bytes / time / 1e9, busbw = algbw × bus factor. Two divisions
    // per point: skipped when no column or reduction reads a bandwidth.
    const double algbw = needBandwidths ? bytes / timeS / 1e9 : kNaN;
    m[collective_metric::timeS] = timeS;
    m[collective_metric::algbwGBps] = algbw;
    m[collective_metric::busbwGBps] = algbw * group.busFactor;
    m[collective_metric::algorithm] = chosenAlgo;
    m[collective_metric::protocol] = chosenProto;
    m[collective_metric::scaleUpBytes] = up;
    m[collective_metric::scaleOutBytes] = net;
    statusOut = static_cast<std::uint8_t>(status);
  }

  // Training point: the layout row from the digits (and layout entry), before the filter.
  void build_layout(Point& p, std::uint64_t entry) const {
    const double* row = nullptr;
    if (plan->hasLayoutLists) row = list_row(engine->listOffsets_[2 * context_of(p.digits)] + entry);
    build_layout_from(p, row);
  }
  const double* list_row(std::uint64_t index) const {
    return engine->layoutTable_.data() + index * plan->layouts.fields.size();
  }
  // The layout row of the point's digits with the given layout-list row (null: no lists). The order of what
  // sets a field, later winning: the defaults, a bundle's early fields (a profile's defaults), the list row (the
  // enumerated layout), a bundle's late fields (what a custom bundle fixes), then the layout axes.
  void build_layout_from(Point& p, const double* listRow) const {
    double* lay = p.layout;
    std::memcpy(lay, engine->baseLayout_.data(), sizeof(double) * training::kLayoutFieldCount);
    const std::uint64_t w = row_of(workloadAxes, p.digits);
    lay[training::L::workload] = static_cast<double>(w);
    lay[training::L::chip] = static_cast<double>(chip_row(p.digits));
    lay[training::L::cluster] = static_cast<double>(row_of(clusterAxes, p.digits));
    lay[training::L::globalBatch] = engine->workloadBatch_[w];
    apply_bundles(p, false);
    if (listRow) {
      const LayoutLists& lists = plan->layouts;
      const std::size_t width = lists.fields.size();
      for (std::size_t i = 0; i < width; ++i) lay[lists.fields[i]] = listRow[i];
    }
    apply_bundles(p, true);
    for (const auto& [axis, field] : layoutAxes) lay[field] = value(p.digits, axis);
    if (!listRow && gpusAxis >= 0) {
      lay[training::L::dp] = value(p.digits, gpusAxis) / (lay[training::L::tp] * lay[training::L::pp] * lay[training::L::cp]);
    }
    // A profile's recomputed modules and FP8 activation cache are defaults that apply only where the layout allows
    // them, as resolveLayout and searchLayouts apply them: no modules under full recompute, no cache outside FP8.
    // (Set explicitly, by a layout axis or a bundle, they stay as given and the layout rules judge them.)
    if (defaultModules && lay[training::L::recompute] == 2) lay[training::L::recomputeModules] = 0;
    if (defaultFp8Cache && lay[training::L::precision] != 1) lay[training::L::fp8ActivationCache] = 0;
  }
  void apply_bundles(Point& p, bool late) const {
    for (const auto& [axis, index] : bundleAxes) {
      const BundlePlan& b = plan->bundles[index];
      const std::size_t width = b.fields.size();
      const double* row = b.table + static_cast<std::size_t>(p.digits[axis]) * width;
      for (std::size_t i = 0; i < width; ++i) {
        // NaN: this value leaves the field as it is.
        if ((b.late[i] != 0) == late && !std::isnan(row[i])) p.layout[b.fields[i]] = row[i];
      }
    }
  }

  void evaluate_training(Point& p, training::PricingCache& cache, training::LayerCostMemo& memo) const {
    double* lay = p.layout;
    const double gpus = lay[training::L::tp] * lay[training::L::pp] * lay[training::L::dp] * lay[training::L::cp];
    const auto w = static_cast<std::size_t>(lay[training::L::workload]);
    const auto c = static_cast<std::size_t>(lay[training::L::chip]);
    const auto k = static_cast<std::uint32_t>(lay[training::L::cluster]);
    unsigned status;
    if (!(gpus <= kMaxTrainingGpus)) {
      for (double& v : p.out) v = kNaN;
      p.out[training::O::gpus] = gpus;
      status = static_cast<unsigned>(training::TrainingStatus::InvalidLayout);
    } else {
      training::Pricer pricer(pricing, cache, k);
      // The per-thread memo of schedule-independent costs (training_memo.hpp): the same doubles, computed once
      // per (workload, chip, cluster, parallel shape) instead of once per layout.
      status = training::evaluate_training_row(engine->workloads_.data() + w * training::kWorkloadFieldCount,
                                               engine->chips_.data() + c * training::kChipFieldCount, lay, pricer, memo, p.out);
    }
    p.out[training::O::status] = status;
    p.status = static_cast<std::uint8_t>(status);
    double* m = p.metrics;
    for (std::size_t f = 0; f < training::kOutputFieldCount; ++f) m[f] = p.out[f];
    const double tokensPerS = p.out[training::O::tokensPerS];
    const double seconds = plan->tokens > 0 ? plan->tokens / tokensPerS : kNaN;
    m[training_metric::trainDays] = seconds / 86400;
    m[training_metric::gpuHours] = seconds / 3600 * p.out[training::O::gpus];
    m[training_metric::costUsd] = m[training_metric::gpuHours] * engine->clusterPrice_[k];
  }

  // --- rows ----------------------------------------------------------------------------------------------

  void write_row(const Point& p, const RowBuffers& rows, std::size_t slot) const {
    const auto& columns = plan->columns;
    for (std::size_t c = 0; c < columns.size(); ++c) {
      const ColumnPlan& col = columns[c];
      double v;
      bool code = false;
      std::uint32_t digit = 0;
      switch (col.source) {
        case ColumnSource::AxisValue:
          v = value(p.digits, static_cast<int>(col.arg));
          digit = p.digits[col.arg];
          code = true;
          break;
        case ColumnSource::LayoutField: v = p.layout[col.arg]; break;
        case ColumnSource::Metric: v = p.metrics[col.arg]; break;
        case ColumnSource::Status: v = p.status; break;
        case ColumnSource::PointId: v = static_cast<double>(p.id); break;
        default: v = kNaN;
      }
      void* base = rows.columns[c];
      switch (col.type) {
        case ColumnType::F64: static_cast<double*>(base)[slot] = v; break;
        case ColumnType::I32:
          static_cast<std::int32_t*>(base)[slot] = std::isfinite(v) ? static_cast<std::int32_t>(v) : 0;
          break;
        case ColumnType::U32:
          // A string axis writes its dictionary code (the digit); a code metric writes its value (255: none).
          static_cast<std::uint32_t*>(base)[slot] =
              code ? digit : (std::isfinite(v) && v >= 0 ? static_cast<std::uint32_t>(v) : 0xFFFFFFFFu);
          break;
        case ColumnType::U8: static_cast<std::uint8_t*>(base)[slot] = static_cast<std::uint8_t>(v); break;
      }
    }
  }

  // --- the point loop ------------------------------------------------------------------------------------

  // Thread-local evaluation context: caches and the partner evaluator for paired ratios.
  struct Worker final : PartnerEvaluator {
    const Impl& impl;
    plan::PlanCache* planCache = nullptr;
    training::PricingCache* pricingCache = nullptr;
    training::LayerCostMemo* layerMemo = nullptr;
    Point scratch;
    explicit Worker(const Impl& i) : impl(i) {
      if (impl.plan->kind == Kind::Collective) {
        planCache = &plan::PlanCache::for_thread(*impl.clusterTable);
      } else {
        pricingCache = &training::thread_pricing_cache(impl.pricing);
        // The memo's keys hold this engine's row indices: its generation (unique per engine) empties it when the
        // thread last worked for another engine or batch.
        layerMemo = &training::thread_layer_memo();
        layerMemo->begin(impl.pricing.generation);
      }
    }
    // Builds and evaluates point (digits, entry); false when the filter removes it.
    bool evaluate(Point& p, std::uint64_t entry, bool run_model = true) {
      if (impl.plan->kind == Kind::Collective) {
        if (!impl.passes(p)) return false;
        if (run_model) impl.evaluate_collective(p, *planCache);
        return true;
      }
      impl.build_layout(p, entry);
      if (!impl.passes(p)) return false;
      if (run_model) impl.evaluate_training(p, *pricingCache, *layerMemo);
      return true;
    }
    // Evaluates into q the point of (digits, entry) with `axis` moved to `digit` and returns its id. With layout
    // lists the layout is carried: the moved context's entry with the same parallel layout (tp … zero) when it
    // enumerates one, whose id it then has; otherwise the very same layout row priced there (no id: the maximum).
    std::uint64_t evaluate_moved(Point& q, const std::uint32_t* digits, std::uint64_t entry, std::int32_t axis, std::uint32_t digit) {
      const std::size_t axes = impl.engine->lengths_.size();
      std::memcpy(q.digits, digits, sizeof(std::uint32_t) * axes);
      q.digits[axis] = digit;
      const std::uint64_t maxL = impl.engine->maxLayouts_;
      std::uint64_t outer = 0;
      for (std::size_t a = 0; a < axes; ++a) outer = outer * impl.engine->lengths_[a] + q.digits[a];
      std::uint64_t id = outer * maxL + entry;
      q.id = id;
      if (impl.plan->kind == Kind::Collective) {
        impl.evaluate_collective(q, *planCache);
        return id;
      }
      if (impl.plan->hasLayoutLists) {
        const auto& offsets = impl.engine->listOffsets_;
        const std::uint64_t from = impl.context_of(digits);
        const std::uint64_t to = impl.context_of(q.digits);
        if (offsets[2 * from] != offsets[2 * to] || offsets[2 * from + 1] != offsets[2 * to + 1]) {
          const std::int64_t mapped = map_entry(offsets[2 * from], offsets[2 * from + 1], offsets[2 * to], offsets[2 * to + 1], entry);
          if (mapped >= 0) {
            id = outer * maxL + static_cast<std::uint64_t>(mapped);
            impl.build_layout(q, static_cast<std::uint64_t>(mapped));
          } else {
            id = std::numeric_limits<std::uint64_t>::max();
            impl.build_layout_from(q, impl.list_row(offsets[2 * from] + entry));
          }
          q.id = id;
          impl.evaluate_training(q, *pricingCache, *layerMemo);
          return id;
        }
      }
      impl.build_layout(q, entry);
      impl.evaluate_training(q, *pricingCache, *layerMemo);
      return id;
    }
    bool partner(const PointView& point, std::int32_t axis, std::uint32_t digit, std::int32_t metric, double& value,
                 std::uint64_t& id) override {
      Point& q = scratch;
      id = evaluate_moved(q, point.digits, point.id % impl.engine->maxLayouts_, axis, digit);
      if (q.status != 0) return false;
      value = q.metrics[metric];
      return !std::isnan(value);
    }
    double moved(std::uint64_t id, std::int32_t axis, std::uint32_t digit, std::int32_t metric) override {
      std::uint32_t digits[kMaxAxes];
      const std::uint64_t maxL = impl.engine->maxLayouts_;
      impl.decode(id / maxL, digits);
      Point& q = scratch;
      evaluate_moved(q, digits, id % maxL, axis, digit);
      return q.status == 0 ? q.metrics[metric] : kNaN;
    }

   private:
    // Entry of list (toStart, toCount) with the same parallel layout as entry `entry` of (fromStart, fromCount),
    // or -1; the mapping of the last pair of lists is kept.
    std::int64_t map_entry(std::uint64_t fromStart, std::uint64_t fromCount, std::uint64_t toStart, std::uint64_t toCount, std::uint64_t entry) {
      if (!(mapFrom_ == fromStart && mapTo_ == toStart && mapped_.size() == fromCount)) {
        const LayoutLists& lists = impl.plan->layouts;
        std::vector<std::size_t> structural;
        for (std::size_t i = 0; i < lists.fields.size(); ++i) {
          if (lists.fields[i] <= static_cast<std::int32_t>(training::L::zero)) structural.push_back(i);
        }
        const auto key = [&](std::uint64_t index) {
          const double* row = impl.list_row(index);
          std::string k(structural.size() * sizeof(double), '\0');
          for (std::size_t i = 0; i < structural.size(); ++i) std::memcpy(k.data() + i * sizeof(double), row + structural[i], sizeof(double));
          return k;
        };
        std::unordered_map<std::string, std::int64_t> targets;
        for (std::uint64_t e = 0; e < toCount; ++e) targets.emplace(key(toStart + e), static_cast<std::int64_t>(e));
        mapped_.assign(static_cast<std::size_t>(fromCount), -1);
        for (std::uint64_t e = 0; e < fromCount; ++e) {
          const auto found = targets.find(key(fromStart + e));
          if (found != targets.end()) mapped_[e] = found->second;
        }
        mapFrom_ = fromStart;
        mapTo_ = toStart;
      }
      return mapped_[entry];
    }
    std::uint64_t mapFrom_ = ~std::uint64_t{0}, mapTo_ = ~std::uint64_t{0};
    std::vector<std::int64_t> mapped_;
  };

  // What stays fixed along a run of sizes (the innermost axis): the group, the choices and the group's
  // selection plan (a copy: partner evaluations of paired ratios may reuse the cache slot).
  struct SizeRun {
    std::uint16_t cluster;
    Op op;
    std::uint32_t gpus;
    std::uint8_t algo;
    std::uint8_t proto;
    plan::GroupPlan group;
  };
  [[gnu::always_inline]] inline SizeRun size_run(const Point& p, Worker& worker) const {
    SizeRun run;
    run.cluster = static_cast<std::uint16_t>(row_of(clusterAxes, p.digits));
    run.op = static_cast<Op>(static_cast<unsigned>(value(p.digits, opAxis)));
    run.gpus = static_cast<std::uint32_t>(value(p.digits, gpusAxis));
    run.algo = algoAxis < 0 ? kAuto : static_cast<std::uint8_t>(value(p.digits, algoAxis));
    run.proto = protoAxis < 0 ? kAuto : static_cast<std::uint8_t>(value(p.digits, protoAxis));
    run.group = worker.planCache->get(prepared, run.cluster, run.op, run.gpus);
    return run;
  }
  // After a run that reached the last size: carry into the outer axes.
  [[gnu::always_inline]] inline void end_size_run(Point& p) const {
    const std::size_t last = engine->lengths_.size() - 1;
    if (p.digits[last] == engine->lengths_[last]) {
      p.digits[last] = engine->lengths_[last] - 1;
      increment(p.digits);
    }
  }

  // Processes outer points [begin, end): evaluates, reduces, writes rows at their slots (slotBase: slot of
  // each outer point's first layout, relative to windowBegin; null: one slot per outer point).
  // The usual collective sweep: sizes innermost. Along a run of sizes the group (cluster, GPUs, op) and the
  // choices are fixed, so its selection plan is fetched once per run (a copy: partner evaluations of paired
  // ratios may reuse the cache slot) and each size costs only select_auto (and the `where` program, if any).
  template <class Reduce>
  [[gnu::always_inline]] inline void sizes_loop(std::uint64_t begin, std::uint64_t end, std::uint64_t windowBegin, Point& p,
                                                Worker& worker, Reduce& reduce, std::uint8_t* keep) const {
    const bool filtering = !plan->filter.empty();
    const std::size_t last = engine->lengths_.size() - 1;
    const std::uint32_t sizes = engine->lengths_[last];
    const double* bytes = values[last];
    for (std::uint64_t outer = begin; outer < end;) {
      const std::uint64_t runEnd = std::min<std::uint64_t>(end, outer + (sizes - p.digits[last]));
      const SizeRun run = size_run(p, worker);
      for (; outer < runEnd; ++outer) {
        p.id = outer;
        const auto slot = static_cast<std::size_t>(outer - windowBegin);
        if (filtering && !passes(p)) {
          if (keep) keep[slot] = 0;
        } else {
          if (keep) keep[slot] = 1;
          price_collective(run.group, run.cluster, run.op, bytes[p.digits[last]], run.algo, run.proto, p);
          reduce(slot);
        }
        p.digits[last] += 1;
      }
      end_size_run(p);
    }
  }
  // The same loop when no row is written and no `where` removes points (the common large sweep): points are priced
  // into a buffer of up to kRunBuffer metric rows and handed to the reducers a run at a time (RunView), which
  // reduce a run whose group is fixed with one lookup and no call per point. Results are the same as point by point.
  static constexpr std::size_t kRunBuffer = 256;
  [[gnu::always_inline]] inline void sizes_loop_batched(std::uint64_t begin, std::uint64_t end, Point& p, Worker& worker, ThreadState& state,
                                                        Totals& totals) const {
    const std::size_t axes = engine->lengths_.size();
    const std::size_t last = axes - 1;
    const std::uint32_t sizes = engine->lengths_[last];
    const double* bytes = values[last];
    constexpr std::size_t stride = collective_metric::kCount;
    alignas(64) double metrics[kRunBuffer * stride];
    std::uint8_t status[kRunBuffer];
    std::uint32_t runDigits[kMaxAxes];
    const auto flush = [&](std::uint32_t firstDigit, std::uint64_t firstId, std::size_t n) {
      std::memcpy(runDigits, p.digits, sizeof(std::uint32_t) * axes);
      runDigits[last] = firstDigit;
      std::uint64_t ok = 0;
      for (std::size_t i = 0; i < n; ++i) {
        ok += status[i] == 0 ? 1 : 0;
        totals.statuses[std::min<unsigned>(status[i], 7)] += 1;
      }
      totals.evaluated += n;
      totals.ok += ok;
      const RunView view{runDigits, axes, last, firstId, n, status, metrics, stride};
      for (auto& reducer : state.reducers) reducer->add_run(view, worker);
    };
    for (std::uint64_t outer = begin; outer < end;) {
      const std::uint64_t runEnd = std::min<std::uint64_t>(end, outer + (sizes - p.digits[last]));
      const SizeRun run = size_run(p, worker);
      while (outer < runEnd) {
        const std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(runEnd - outer, kRunBuffer));
        const std::uint32_t first = p.digits[last];
        for (std::size_t i = 0; i < n; ++i) {
          price_collective(run.group, run.cluster, run.op, bytes[first + i], run.algo, run.proto, metrics + i * stride, status[i]);
        }
        flush(first, outer, n);
        outer += n;
        p.digits[last] = first + static_cast<std::uint32_t>(n);
      }
      end_size_run(p);
    }
  }
  void sizes_batched_baseline(std::uint64_t begin, std::uint64_t end, Point& p, Worker& worker, ThreadState& state, Totals& totals) const {
    sizes_loop_batched(begin, end, p, worker, state, totals);
  }
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
  [[gnu::target("avx2")]] void sizes_batched_avx2(std::uint64_t begin, std::uint64_t end, Point& p, Worker& worker, ThreadState& state,
                                                  Totals& totals) const {
    sizes_loop_batched(begin, end, p, worker, state, totals);
  }
#endif

  template <class Reduce>
  void sizes_baseline(std::uint64_t begin, std::uint64_t end, std::uint64_t windowBegin, Point& p, Worker& worker, Reduce& reduce,
                      std::uint8_t* keep) const {
    sizes_loop(begin, end, windowBegin, p, worker, reduce, keep);
  }
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define LINKCAP_SWEEP_AVX2 1
  // The same loop with 256-bit registers, as batch.cpp does: lane-wise IEEE divisions give the same doubles.
  template <class Reduce>
  [[gnu::target("avx2")]] void sizes_avx2(std::uint64_t begin, std::uint64_t end, std::uint64_t windowBegin, Point& p, Worker& worker,
                                          Reduce& reduce, std::uint8_t* keep) const {
    sizes_loop(begin, end, windowBegin, p, worker, reduce, keep);
  }
#endif

  void process(std::uint64_t windowBegin, std::uint64_t begin, std::uint64_t end, const std::uint64_t* slotBase,
               const RowBuffers* rows, std::uint8_t* keep, ThreadState& state) const {
    Worker worker(*this);
    Point p;
    decode(begin, p.digits);
    Totals totals;  // counted here, added to the thread's state once per chunk
    auto reduce = [&](std::size_t slot) {
      totals.evaluated += 1;
      totals.ok += p.status == 0 ? 1 : 0;
      totals.statuses[std::min<unsigned>(p.status, 7)] += 1;
      if (rows) write_row(p, *rows, slot);
      const PointView view{p.id, p.digits, p.status, p.metrics};
      for (auto& reducer : state.reducers) reducer->add(view, worker);
    };
    const std::size_t last = engine->lengths_.size() - 1;
    if (plan->kind == Kind::Collective && bytesAxis == static_cast<int>(last) && !rows && plan->filter.empty()) {
#ifdef LINKCAP_SWEEP_AVX2
      static const bool avx2Batched = __builtin_cpu_supports("avx2");
      if (avx2Batched) {
        sizes_batched_avx2(begin, end, p, worker, state, totals);
      } else {
        sizes_batched_baseline(begin, end, p, worker, state, totals);
      }
#else
      sizes_batched_baseline(begin, end, p, worker, state, totals);
#endif
    } else if (plan->kind == Kind::Collective && bytesAxis == static_cast<int>(last)) {
#ifdef LINKCAP_SWEEP_AVX2
      static const bool avx2 = __builtin_cpu_supports("avx2");
      if (avx2) {
        sizes_avx2(begin, end, windowBegin, p, worker, reduce, keep);
      } else {
        sizes_baseline(begin, end, windowBegin, p, worker, reduce, keep);
      }
#else
      sizes_baseline(begin, end, windowBegin, p, worker, reduce, keep);
#endif
    } else {
      const std::uint64_t maxL = engine->maxLayouts_;
      for (std::uint64_t outer = begin; outer < end; ++outer) {
        const std::uint64_t n = list_length(p.digits);
        const std::uint64_t first = slotBase ? slotBase[outer - windowBegin] : outer - windowBegin;
        for (std::uint64_t j = 0; j < n; ++j) {
          p.id = outer * maxL + j;
          const std::size_t slot = static_cast<std::size_t>(first + j);
          if (!worker.evaluate(p, j)) {
            if (keep) keep[slot] = 0;
            continue;
          }
          if (keep) keep[slot] = 1;
          reduce(slot);
        }
        increment(p.digits);
      }
    }
    add_totals(state.totals, totals);
  }
};

namespace {

std::vector<double> copy_of(const double* data, std::size_t length) {
  return data ? std::vector<double>(data, data + length) : std::vector<double>{};
}

void check_axis_values(const AxisPlan& axis, std::size_t index, Kind kind, std::size_t clusterRows) {
  (void)clusterRows;
  for (std::uint32_t d = 0; d < axis.length; ++d) {
    const double v = axis.values[d];
    const std::string where = "axes[" + std::to_string(index) + "].values[" + std::to_string(d) + "] = " + format_number(v);
    switch (axis.target) {
      case Target::Op:
        if (!(v >= 0 && v < kOpCount && std::floor(v) == v)) bad(where + ": must be an op code 0.." + std::to_string(kOpCount - 1));
        break;
      case Target::Gpus:
        if (kind == Kind::Collective ? !(v >= 1 && v <= 2147483648.0 && std::floor(v) == v)
                                     : !(v >= 1 && v <= kMaxTrainingGpus && std::floor(v) == v)) {
          bad(where + ": must be a whole number of GPUs from 1 to " + (kind == Kind::Collective ? "2^31" : "2^24"));
        }
        break;
      case Target::Bytes:
        if (!(v > 0 && std::isfinite(v))) bad(where + ": must be a finite number of bytes > 0");
        break;
      case Target::Algo:
        if (!((v >= 0 && v < kAlgorithmCount && std::floor(v) == v) || v == kAuto || v == kAutoAll)) {
          bad(where + ": must be an algorithm code 0.." + std::to_string(kAlgorithmCount - 1) + ", 254 or 255");
        }
        break;
      case Target::Proto:
        if (!((v >= 0 && v < kProtocolCount && std::floor(v) == v) || v == kAuto)) {
          bad(where + ": must be a protocol code 0.." + std::to_string(kProtocolCount - 1) + " or 255");
        }
        break;
      case Target::LayoutField:
        if (!std::isfinite(v)) bad(where + ": must be a finite number");
        break;
      default:
        if (std::isnan(v)) bad(where + ": must be a number");
    }
  }
}

}  // namespace

Engine::Engine(const SweepPlan& input) : plan_(input), impl_(std::make_unique<Impl>()) {
  static std::atomic<std::uint64_t> uids{0};
  Impl& im = *impl_;
  im.engine = this;
  im.plan = &plan_;
  im.uid = uids.fetch_add(1) + 1;

  // Axes: lengths, values, roles.
  if (plan_.axes.empty()) bad("axes: a sweep needs at least one axis");
  if (plan_.axes.size() > kMaxAxes) bad("axes: at most " + std::to_string(kMaxAxes) + " axes (got " + std::to_string(plan_.axes.size()) + ")");
  const std::size_t clusterRows = input.clustersLength / kClusterFieldCount;
  for (std::size_t a = 0; a < plan_.axes.size(); ++a) {
    AxisPlan& axis = plan_.axes[a];
    if (axis.length == 0) bad("axes[" + std::to_string(a) + "]: has no values");
    check_axis_values(axis, a, plan_.kind, clusterRows);
    axisValues_.emplace_back(axis.values, axis.values + axis.length);
    lengths_.push_back(axis.length);
    const double next = static_cast<double>(outerCount_) * axis.length;
    if (next > 9007199254740992.0) bad("axes: the index space passes 2^53 points");
    outerCount_ *= axis.length;
    const int ai = static_cast<int>(a);
    const bool rowTarget = axis.target == Target::ClusterRow || axis.target == Target::WorkloadRow || axis.target == Target::ChipRow;
    if (rowTarget && !(axis.arg >= 0 && axis.arg <= (std::int64_t{1} << 32))) {
      bad("axes[" + std::to_string(a) + "].arg = " + std::to_string(axis.arg) + ": a row stride must be from 0 to 2^32");
    }
    const auto stride = static_cast<std::uint64_t>(axis.arg);
    switch (axis.target) {
      case Target::Op: im.opAxis = ai; break;
      case Target::Gpus: im.gpusAxis = ai; break;
      case Target::Bytes: im.bytesAxis = ai; break;
      case Target::Algo: im.algoAxis = ai; break;
      case Target::Proto: im.protoAxis = ai; break;
      case Target::ClusterRow: im.clusterAxes.emplace_back(ai, stride); break;
      case Target::WorkloadRow: im.workloadAxes.emplace_back(ai, stride); break;
      case Target::ChipRow: im.chipAxes.emplace_back(ai, stride); break;
      case Target::LayoutField:
        if (axis.arg < static_cast<std::int64_t>(training::L::tp) || axis.arg >= static_cast<std::int64_t>(training::kLayoutFieldCount)) {
          bad("axes[" + std::to_string(a) + "]: layout field " + std::to_string(axis.arg) + " is not a sweepable layout field");
        }
        im.layoutAxes.emplace_back(ai, static_cast<std::size_t>(axis.arg));
        break;
      case Target::Bundle: {
        if (plan_.kind != Kind::Training) bad("axes[" + std::to_string(a) + "]: bundle axes are for training sweeps");
        if (!(axis.arg >= 0 && axis.arg < static_cast<std::int64_t>(plan_.bundles.size()))) {
          bad("axes[" + std::to_string(a) + "].arg = " + std::to_string(axis.arg) + ": no such bundle");
        }
        const BundlePlan& b = plan_.bundles[static_cast<std::size_t>(axis.arg)];
        if (b.length != axis.length) bad("bundles[" + std::to_string(axis.arg) + "]: one row per value of its axis");
        im.bundleAxes.emplace_back(ai, static_cast<std::size_t>(axis.arg));
        break;
      }
      case Target::None: break;
    }
  }

  for (std::size_t a = 0; a < plan_.axes.size(); ++a) {
    plan_.axes[a].values = axisValues_[a].data();
    im.values[a] = axisValues_[a].data();
  }
  // Bundles: fields must be layout fields past the row indices; values are checked by the layout rules of each
  // point (a bad value is that point's status, as for layout axes).
  for (std::size_t i = 0; i < plan_.bundles.size(); ++i) {
    BundlePlan& b = plan_.bundles[i];
    const std::string where = "bundles[" + std::to_string(i) + "]";
    if (b.fields.empty() || b.late.size() != b.fields.size()) bad(where + ": needs fields, one late flag each");
    for (std::int32_t f : b.fields) {
      if (f < static_cast<std::int32_t>(training::L::tp) || f >= static_cast<std::int32_t>(training::kLayoutFieldCount)) {
        bad(where + ".fields: " + std::to_string(f) + " is not a settable layout field");
      }
    }
    if (!b.table || b.length == 0) bad(where + ": needs a table");
    bundleTables_.emplace_back(b.table, b.table + b.length * b.fields.size());
    for (double v : bundleTables_.back()) {
      if (std::isinf(v)) bad(where + ".table: values must be finite (or NaN: not set)");
    }
    b.table = bundleTables_.back().data();
  }

  for (const auto& [axis, field] : im.layoutAxes) {
    if (field == training::L::recomputeModules) im.defaultModules = false;
    if (field == training::L::fp8ActivationCache) im.defaultFp8Cache = false;
  }
  for (const auto& [axis, index] : im.bundleAxes) {
    const BundlePlan& b = plan_.bundles[index];
    for (std::size_t i = 0; i < b.fields.size(); ++i) {
      if (!b.late[i]) continue;
      if (b.fields[i] == static_cast<std::int32_t>(training::L::recomputeModules)) im.defaultModules = false;
      if (b.fields[i] == static_cast<std::int32_t>(training::L::fp8ActivationCache)) im.defaultFp8Cache = false;
    }
  }

  // Row tables: every combination of the row axes must index an existing row.
  // Largest row index the axes reach, in doubles: strides up to 2^32 times lengths up to 2^32 cannot wrap.
  auto max_row = [&](const std::vector<std::pair<int, std::uint64_t>>& axes) {
    double m = 0;
    for (const auto& [axis, stride] : axes) m += static_cast<double>(lengths_[axis] - 1) * static_cast<double>(stride);
    return m;
  };
  im.clusterTable = std::make_unique<ClusterTable>(input.clusters, input.clustersLength);
  clusters_ = im.clusterTable->rows();
  im.prepared = im.clusterTable->prepared();
  const std::size_t clusterCount = im.clusterTable->size();
  if (max_row(im.clusterAxes) >= clusterCount) bad("axes: the cluster axes index past the " + std::to_string(clusterCount) + " cluster rows");
  plan_.clusters = clusters_.data();

  if (plan_.kind == Kind::Collective) {
    if (im.opAxis < 0 || im.gpusAxis < 0 || im.bytesAxis < 0) bad("axes: a collective sweep needs op, gpus and bytes axes");

  } else {
    workloads_ = copy_of(input.workloads, input.workloadsLength);
    chips_ = copy_of(input.chips, input.chipsLength);
    if (workloads_.empty() || workloads_.size() % training::kWorkloadFieldCount) bad("workloads: need whole workload rows");
    if (chips_.empty() || chips_.size() % training::kChipFieldCount) bad("chips: need whole chip rows");
    const std::size_t nw = workloads_.size() / training::kWorkloadFieldCount;
    const std::size_t nc = chips_.size() / training::kChipFieldCount;
    for (std::size_t i = 0; i < nw; ++i) training::validate_workload_row(workloads_.data() + i * training::kWorkloadFieldCount, i);
    for (std::size_t i = 0; i < nc; ++i) training::validate_chip_row(chips_.data() + i * training::kChipFieldCount, i);
    if (max_row(im.workloadAxes) >= nw) bad("axes: the model axes index past the " + std::to_string(nw) + " workload rows");
    if (im.chipAxes.empty() ? max_row(im.clusterAxes) >= nc : max_row(im.chipAxes) >= nc) {
      bad("axes: the chip rows (one per cluster row without chip axes) stop at " + std::to_string(nc));
    }
    if (!input.baseLayout) bad("baseLayout: required for a training sweep");
    baseLayout_ = copy_of(input.baseLayout, training::kLayoutFieldCount);
    if (!input.workloadBatch) bad("workloadBatch: required for a training sweep");
    workloadBatch_ = copy_of(input.workloadBatch, nw);
    clusterPrice_ = input.clusterPrice ? copy_of(input.clusterPrice, clusterCount) : std::vector<double>(clusterCount, kNaN);
    im.pricing.clusters = im.prepared;
    im.pricing.packedRows = clusters_.data();
    im.pricing.rowCount = clusterCount;
    im.pricing.generation = training::next_pricing_generation();
    if (plan_.hasLayoutLists) {
      LayoutLists& lists = plan_.layouts;
      const std::size_t width = lists.fields.size();
      if (width == 0 || !lists.table || !lists.listOffsets) bad("layouts: lists need fields, a table and offsets");
      for (std::int32_t f : lists.fields) {
        if (f < static_cast<std::int32_t>(training::L::tp) || f >= static_cast<std::int32_t>(training::kLayoutFieldCount)) {
          bad("layouts.fields: " + std::to_string(f) + " is not a layout field");
        }
      }
      layoutTable_ = copy_of(lists.table, lists.entries * width);
      listOffsets_.assign(lists.listOffsets, lists.listOffsets + 2 * lists.contexts);
      for (std::size_t c = 0; c < lists.contexts; ++c) {
        const std::uint64_t start = listOffsets_[2 * c];
        const std::uint64_t count = listOffsets_[2 * c + 1];
        if (start + count > lists.entries) bad("layouts.lists: context " + std::to_string(c) + " runs past the table");
        maxLayouts_ = std::max<std::uint64_t>(maxLayouts_, count);
      }
      if (lists.contextStrides.size() != plan_.axes.size()) bad("layouts.contextStrides: one per axis");
      im.contextStrides = lists.contextStrides;
      double maxContext = 0;
      for (std::size_t a = 0; a < lengths_.size(); ++a) maxContext += static_cast<double>(lengths_[a] - 1) * static_cast<double>(im.contextStrides[a]);
      if (maxContext >= static_cast<double>(lists.contexts)) bad("layouts: the context axes index past the " + std::to_string(lists.contexts) + " lists");
      lists.table = layoutTable_.data();
      lists.listOffsets = listOffsets_.data();
      if (static_cast<double>(outerCount_) * static_cast<double>(maxLayouts_) > 9007199254740992.0) {
        bad("axes: points (outer × layouts) pass 2^53");
      }
    }
    plan_.workloads = workloads_.data();
    plan_.chips = chips_.data();
    plan_.baseLayout = baseLayout_.data();
    plan_.workloadBatch = workloadBatch_.data();
    plan_.clusterPrice = clusterPrice_.data();
  }

  // Filter, columns and reductions.
  {
    FilterRowWidths widths;
    widths.cluster = kClusterFieldCount;
    if (plan_.kind == Kind::Training) {
      widths.workload = training::kWorkloadFieldCount;
      widths.chip = training::kChipFieldCount;
    }
    validate_filter(plan_.filter, plan_.axes.size(), training::kLayoutFieldCount, plan_.kind == Kind::Training, widths);
  }
  const int metricCount = plan_.kind == Kind::Collective ? collective_metric::kCount : training_metric::kCount;
  for (std::size_t c = 0; c < plan_.columns.size(); ++c) {
    const ColumnPlan& col = plan_.columns[c];
    const std::string where = "columns[" + std::to_string(c) + "]";
    if (col.source == ColumnSource::AxisValue && !(col.arg >= 0 && col.arg < static_cast<std::int64_t>(plan_.axes.size()))) bad(where + ": no such axis");
    if (col.source == ColumnSource::Metric && !(col.arg >= 0 && col.arg < metricCount)) bad(where + ": no such metric");
    if (col.source == ColumnSource::LayoutField &&
        (plan_.kind != Kind::Training || !(col.arg >= 0 && col.arg < static_cast<std::int64_t>(training::kLayoutFieldCount)))) {
      bad(where + ": no such layout field");
    }
  }
  for (std::size_t r = 0; r < plan_.reductions.size(); ++r) {
    const ReducePlan& red = plan_.reductions[r];
    const std::string where = "reductions[" + std::to_string(r) + "]";
    for (std::int32_t a : red.groupAxes) {
      if (a < 0 || a >= static_cast<std::int32_t>(plan_.axes.size())) bad(where + ".by: no such axis");
    }
    for (std::int32_t m : red.metrics) {
      if (m < 0 || m >= metricCount) bad(where + ".metric: no such metric");
    }
    const bool needsMetric = red.kind != ReduceKind::Sample && red.kind != ReduceKind::Count;
    if (needsMetric && red.metrics.empty()) bad(where + ": needs a metric");
    if (red.kind == ReduceKind::Pareto && (red.metrics.size() < 2 || red.metrics.size() > 3)) bad(where + ": pareto takes 2 or 3 metrics");
    if ((red.kind == ReduceKind::TopK || red.kind == ReduceKind::Sample) && (red.k < 1 || red.k > 10000000)) {
      bad(where + ".k = " + std::to_string(red.k) + ": must be from 1 to 10000000");
    }
    if (red.kind == ReduceKind::Quantiles || red.kind == ReduceKind::RatioPoint) {
      if (!(red.alpha >= 1e-4 && red.alpha <= 0.2)) bad(where + ".relativeError = " + format_number(red.alpha) + ": must be from 0.0001 to 0.2");
    }
    if (red.kind == ReduceKind::Histogram) {
      if (!(red.histMin < red.histMax) || !std::isfinite(red.histMin) || !std::isfinite(red.histMax) || (red.histLog && !(red.histMin > 0))) {
        bad(where + ".range: needs finite min < max (and min > 0 for log bins)");
      }
      if (red.histBins < 1 || red.histBins > 100000) bad(where + ".bins: must be from 1 to 100000");
    }
    if (red.kind == ReduceKind::RatioPoint || red.kind == ReduceKind::RatioBest || red.kind == ReduceKind::RatioCarried) {
      if (red.pairAxis < 0 || red.pairAxis >= static_cast<std::int32_t>(plan_.axes.size())) bad(where + ".axis: no such axis");
      const std::uint32_t len = lengths_[red.pairAxis];
      if (red.numerator >= len || red.denominator >= len || red.numerator == red.denominator) bad(where + ": numerator and denominator must be two values of the axis");
      for (std::int32_t a : red.groupAxes) {
        if (a == red.pairAxis) bad(where + ".by: must not hold the compared axis");
      }
    }
    double groupCount = 1;
    for (std::int32_t a : red.groupAxes) groupCount *= lengths_[a];
    if (groupCount > 1e9) bad(where + ".by: " + format_number(groupCount) + " groups; group by fewer axes");
    GroupIndex groups = make_group_index(red.groupAxes, lengths_);
    const double bytes = reducer_bytes(red, groups.count);
    if (bytes > kMaxStateBytes) {
      bad(where + ": " + std::to_string(groups.count) + " groups would hold about " + format_number(std::round(bytes / 1e6)) +
          " MB per thread (limit " + format_number(kMaxStateBytes / 1e6) + " MB); group by fewer axes");
    }
  }

  {
    const auto bandwidth = [](std::int64_t m) { return m == collective_metric::algbwGBps || m == collective_metric::busbwGBps; };
    bool need = false;
    for (const ColumnPlan& col : plan_.columns) need = need || (col.source == ColumnSource::Metric && bandwidth(col.arg));
    for (const ReducePlan& red : plan_.reductions) {
      for (std::int32_t m : red.metrics) need = need || bandwidth(m);
    }
    im.needBandwidths = plan_.kind != Kind::Collective || need;
  }

  // Chunks of about 16K evaluations (collective) or 1K (training): cancel and progress between them.
  if (plan_.kind == Kind::Collective) {
    im.chunk = 16384;
  } else {
    double mean = 1;
    if (plan_.hasLayoutLists && plan_.layouts.contexts > 0) {
      mean = std::max(1.0, static_cast<double>(plan_.layouts.entries) / static_cast<double>(plan_.layouts.contexts));
    }
    im.chunk = static_cast<std::size_t>(std::max(1.0, 1024.0 / mean));
  }
}

Engine::~Engine() = default;

std::uint64_t Engine::slots(std::uint64_t begin, std::uint64_t end) const {
  if (!plan_.hasLayoutLists) return end - begin;
  std::uint32_t digits[kMaxAxes];
  impl_->decode(begin, digits);
  std::uint64_t total = 0;
  for (std::uint64_t o = begin; o < end; ++o) {
    total += impl_->list_length(digits);
    impl_->increment(digits);
  }
  return total;
}

std::uint64_t Engine::window_end(std::uint64_t begin, std::uint64_t limit, std::uint64_t capacity) const {
  limit = std::min(limit, outerCount_);
  if (begin >= limit) return begin;
  if (!plan_.hasLayoutLists) return std::min(limit, begin + std::max<std::uint64_t>(1, capacity));
  std::uint32_t digits[kMaxAxes];
  impl_->decode(begin, digits);
  std::uint64_t total = 0;
  std::uint64_t o = begin;
  while (o < limit) {
    const std::uint64_t n = impl_->list_length(digits);
    if (o > begin && total + n > capacity) break;
    total += n;
    ++o;
    impl_->increment(digits);
  }
  return o;
}

std::uint64_t Engine::count_points(std::uint64_t begin, std::uint64_t end, const ParallelOptions& options) const {
  end = std::min(end, outerCount_);
  if (begin >= end) return 0;
  if (plan_.filter.empty()) return slots(begin, end);
  // The whole index space without layout lists: `where` reads only some axes, so count the passing combinations
  // of those axes and multiply by the product of the others (exact, and cheap however large the sweep).
  bool layoutFields = false;
  std::vector<bool> read(plan_.axes.size(), false);
  const auto read_axes = [&](const std::vector<std::pair<int, std::uint64_t>>& axes) {
    for (const auto& [axis, stride] : axes) read[static_cast<std::size_t>(axis)] = true;
  };
  for (const FilterInstruction& in : plan_.filter) {
    if (in.op == FilterOp::LayoutField) layoutFields = true;
    if (in.op == FilterOp::Axis) read[static_cast<std::size_t>(in.arg)] = true;
    if (in.op == FilterOp::WorkloadField) read_axes(impl_->workloadAxes);
    if (in.op == FilterOp::ClusterField) read_axes(impl_->clusterAxes);
    if (in.op == FilterOp::ChipField) read_axes(impl_->chipAxes.empty() ? impl_->clusterAxes : impl_->chipAxes);
  }
  double combinations = 1;
  for (std::size_t a = 0; a < read.size(); ++a) combinations *= read[a] ? lengths_[a] : 1;
  if (begin == 0 && end == outerCount_ && !plan_.hasLayoutLists && !layoutFields && combinations <= 5e7) {
    Point p;
    std::memset(p.digits, 0, sizeof p.digits);
    std::uint64_t passing = 0;
    std::uint64_t others = 1;
    for (std::size_t a = 0; a < read.size(); ++a) others *= read[a] ? 1 : lengths_[a];
    for (std::uint64_t c = 0; c < static_cast<std::uint64_t>(combinations); ++c) {
      passing += impl_->passes(p) ? 1 : 0;
      for (std::size_t a = read.size(); a-- > 0;) {  // odometer over the read axes only
        if (!read[a]) continue;
        if (++p.digits[a] < lengths_[a]) break;
        p.digits[a] = 0;
      }
    }
    return passing * others;
  }
  std::atomic<std::uint64_t> count{0};
  parallel_for(
      end - begin, impl_->chunk,
      [&](std::size_t b, std::size_t e) {
        Impl::Worker worker(*impl_);
        Point p;
        impl_->decode(begin + b, p.digits);
        std::uint64_t local = 0;
        for (std::uint64_t o = begin + b; o < begin + e; ++o) {
          const std::uint64_t n = impl_->list_length(p.digits);
          for (std::uint64_t j = 0; j < n; ++j) local += worker.evaluate(p, j, false) ? 1 : 0;
          impl_->increment(p.digits);
        }
        count.fetch_add(local, std::memory_order_relaxed);
      },
      options);
  return count.load();
}

WindowResult Engine::run_window(std::uint64_t begin, std::uint64_t end, RowBuffers* rows, const ParallelOptions& options) {
  Impl& im = *impl_;
  end = std::min(end, outerCount_);
  WindowResult result;
  result.end = begin;
  if (begin >= end) return result;
  if (rows && rows->columns.size() != plan_.columns.size()) bad("rows: one buffer per column");
  // Slots: one per outer point, or the prefix sums of the layout lists.
  std::vector<std::uint64_t> slotBase;
  std::uint64_t slotCount = end - begin;
  if (plan_.hasLayoutLists) {
    slotBase.resize(end - begin + 1);
    std::uint32_t digits[kMaxAxes];
    im.decode(begin, digits);
    std::uint64_t total = 0;
    for (std::uint64_t o = begin; o < end; ++o) {
      slotBase[o - begin] = total;
      total += im.list_length(digits);
      im.increment(digits);
    }
    slotBase[end - begin] = total;
    slotCount = total;
  }
  if (rows && slotCount > rows->capacity) bad("rows: the window needs " + std::to_string(slotCount) + " rows of buffer");
  std::vector<std::uint8_t> keep;
  const bool filtering = rows && !plan_.filter.empty();
  if (filtering) keep.assign(static_cast<std::size_t>(slotCount), 0);
  const Totals before = totals();

  im.window += 1;
  im.nextSlot.store(0);
  const std::uint64_t* base = slotBase.empty() ? nullptr : slotBase.data();
  std::uint8_t* keepData = filtering ? keep.data() : nullptr;
  const ParallelResult pr = parallel_for(
      end - begin, im.chunk,
      [&](std::size_t b, std::size_t e) {
        im.process(begin, begin + b, begin + e, base, rows, keepData, im.slot_for_this_thread());
      },
      options);
  const std::uint64_t doneOuter = pr.completed;
  result.end = begin + doneOuter;
  result.cancelled = pr.cancelled;
  const std::uint64_t doneSlots = base ? base[doneOuter] : doneOuter;

  // Remove filtered rows, keeping order (the completed slots are a prefix).
  std::uint64_t written = doneSlots;
  if (filtering) {
    written = 0;
    for (std::size_t c = 0; c < plan_.columns.size(); ++c) {
      const std::size_t width = plan_.columns[c].type == ColumnType::F64 ? 8 : plan_.columns[c].type == ColumnType::U8 ? 1 : 4;
      auto* data = static_cast<std::uint8_t*>(rows->columns[c]);
      std::uint64_t out = 0;
      for (std::uint64_t s = 0; s < doneSlots; ++s) {
        if (!keep[s]) continue;
        if (out != s) std::memcpy(data + out * width, data + s * width, width);
        ++out;
      }
      written = out;
    }
  }
  const Totals after = totals();
  result.evaluated = after.evaluated - before.evaluated;
  result.ok = after.ok - before.ok;
  result.rows = rows ? (filtering ? written : doneSlots) : 0;
  if (rows && !filtering) result.rows = doneSlots;
  return result;
}

Totals Engine::totals() const {
  Totals t = impl_->loaded.totals;
  for (const auto& s : impl_->slots) {
    if (s) add_totals(t, s->totals);
  }
  return t;
}

namespace {
constexpr std::uint64_t kStateMagic = 0x315753434B4E494Cull;  // "LINKCSW1"
}

std::vector<ReductionTable> Engine::finish() const {
  std::vector<std::unique_ptr<Reducer>> merged = impl_->fresh_reducers();
  auto absorb = [&](const ThreadState& s) {
    if (s.reducers.size() != merged.size()) return;
    for (std::size_t r = 0; r < merged.size(); ++r) merged[r]->merge(*s.reducers[r]);
  };
  absorb(impl_->loaded);
  for (const auto& s : impl_->slots) {
    if (s) absorb(*s);
  }
  std::vector<ReductionTable> tables;
  Impl::Worker worker(*impl_);  // for reductions that evaluate points at the end (carried ratios)
  for (const auto& r : merged) tables.push_back(r->finish(&worker));
  return tables;
}

std::vector<std::uint8_t> Engine::save_state() const {
  std::vector<std::unique_ptr<Reducer>> merged = impl_->fresh_reducers();
  auto absorb = [&](const ThreadState& s) {
    if (s.reducers.size() != merged.size()) return;
    for (std::size_t r = 0; r < merged.size(); ++r) merged[r]->merge(*s.reducers[r]);
  };
  absorb(impl_->loaded);
  for (const auto& s : impl_->slots) {
    if (s) absorb(*s);
  }
  ByteWriter w;
  w.u64(kStateMagic);
  w.u64(outerCount_);
  w.u64(maxLayouts_);
  w.u64(merged.size());
  const Totals t = totals();
  w.u64(t.evaluated);
  w.u64(t.ok);
  for (std::uint64_t s : t.statuses) w.u64(s);
  for (const auto& r : merged) r->write(w);
  return std::move(w.bytes());
}

void Engine::load_state(const std::uint8_t* data, std::size_t size) {
  ByteReader r(data, size);
  if (r.u64() != kStateMagic) ByteReader::fail("not a linkcap sweep state");
  if (r.u64() != outerCount_ || r.u64() != maxLayouts_) ByteReader::fail("it belongs to another sweep (index spaces differ)");
  std::vector<std::unique_ptr<Reducer>> loaded = impl_->fresh_reducers();
  if (r.u64() != loaded.size()) ByteReader::fail("it has another list of reductions");
  Totals t;
  t.evaluated = r.u64();
  t.ok = r.u64();
  for (std::uint64_t& s : t.statuses) s = r.u64();
  for (auto& red : loaded) red->read(r);
  if (!r.done()) ByteReader::fail("trailing bytes");
  ThreadState& into = impl_->loaded;
  if (into.reducers.empty()) into.reducers = impl_->fresh_reducers();
  for (std::size_t i = 0; i < loaded.size(); ++i) into.reducers[i]->merge(*loaded[i]);
  add_totals(into.totals, t);
}

void Engine::describe(const double* ids, std::size_t n, RowBuffers& out, std::int32_t moveAxis, std::int64_t moveDigit) const {
  if (moveAxis >= 0 && !(moveAxis < static_cast<std::int32_t>(lengths_.size()) && moveDigit >= 0 && moveDigit < lengths_[moveAxis])) {
    bad("describe: the moved axis and digit must exist");
  }
  if (out.columns.size() != plan_.columns.size() || out.capacity < n) bad("describe: buffers must hold every id");
  Impl::Worker worker(*impl_);
  Point p;
  for (std::size_t i = 0; i < n; ++i) {
    const double id = ids[i];
    const double limit = static_cast<double>(outerCount_) * static_cast<double>(maxLayouts_);
    if (!(id >= 0 && id < limit && std::floor(id) == id)) {
      for (double& m : p.metrics) m = kNaN;
      for (double& f : p.layout) f = kNaN;
      std::memset(p.digits, 0, sizeof p.digits);
      p.status = kNullStatus;
      p.id = 0;
      // Null row: NaN numbers, 0xFFFFFFFF codes.
      for (std::size_t c = 0; c < plan_.columns.size(); ++c) {
        const ColumnPlan& col = plan_.columns[c];
        void* base = out.columns[c];
        switch (col.type) {
          case ColumnType::F64: static_cast<double*>(base)[i] = kNaN; break;
          case ColumnType::I32: static_cast<std::int32_t*>(base)[i] = 0; break;
          case ColumnType::U32: static_cast<std::uint32_t*>(base)[i] = 0xFFFFFFFFu; break;
          case ColumnType::U8: static_cast<std::uint8_t*>(base)[i] = kNullStatus; break;
        }
      }
      continue;
    }
    const auto whole = static_cast<std::uint64_t>(id);
    const std::uint64_t outer = whole / maxLayouts_;
    const std::uint64_t entry = whole % maxLayouts_;
    impl_->decode(outer, p.digits);
    p.id = whole;
    if (moveAxis >= 0) {
      std::uint32_t digits[kMaxAxes];
      std::memcpy(digits, p.digits, sizeof digits);
      worker.evaluate_moved(p, digits, entry, moveAxis, static_cast<std::uint32_t>(moveDigit));
    } else {
      worker.evaluate(p, entry);
    }
    impl_->write_row(p, out, i);
  }
}

std::vector<std::uint32_t> Engine::group_digits(std::size_t reduction, std::uint64_t group) const {
  if (reduction >= plan_.reductions.size()) bad("group_digits: no such reduction");
  const GroupIndex g = make_group_index(plan_.reductions[reduction].groupAxes, lengths_);
  std::vector<std::uint32_t> digits(g.axes.size());
  for (std::size_t i = 0; i < g.axes.size(); ++i) {
    digits[i] = static_cast<std::uint32_t>((group / g.strides[i]) % lengths_[g.axes[i]]);
  }
  return digits;
}

}  // namespace linkcap::sweep
