#include "sweep_reduce.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

#include "sweep_sketch.hpp"

namespace linkcap::sweep {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// (key, id) ordered by key then id: the total order every choice uses.
struct Ranked {
  double key;
  std::uint64_t id;
};
inline bool before(const Ranked& a, const Ranked& b) { return a.key < b.key || (a.key == b.key && a.id < b.id); }
inline bool heap_less(const Ranked& a, const Ranked& b) { return before(a, b); }  // max-heap on (key, id)

std::uint64_t splitmix64(std::uint64_t x) {
  x += 0x9E3779B97F4A7C15ull;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
  return x ^ (x >> 31);
}

void write_ranked(ByteWriter& w, const std::vector<Ranked>& v) {
  w.u64(v.size());
  for (const Ranked& r : v) {
    w.f64(r.key);
    w.u64(r.id);
  }
}
void read_ranked(ByteReader& r, std::vector<Ranked>& v) {
  const std::uint64_t n = r.length(16);
  v.resize(static_cast<std::size_t>(n));
  for (Ranked& x : v) {
    x.key = r.f64();
    x.id = r.u64();
  }
}

// The k best (smallest key, then id) per group: argmin/argmax (k = 1), top-k, and the row sample (key = hash).
class BestK final : public Reducer {
 public:
  BestK(const ReducePlan& plan, GroupIndex groups, bool sample)
      : groups_(std::move(groups)), k_(plan.k), sample_(sample), kind_(plan.kind),
        metric_(plan.metrics.empty() ? 0 : plan.metrics[0]),
        sign_(!plan.maximize.empty() && plan.maximize[0] ? -1.0 : 1.0), heaps_(groups_.count) {}

  void add(const PointView& p, PartnerEvaluator&) override {
    double key;
    if (sample_) {
      key = static_cast<double>(splitmix64(p.id) >> 11);  // 53 bits: exact as a double
    } else {
      if (p.status != 0) return;
      const double v = p.metrics[metric_];
      if (std::isnan(v)) return;
      key = sign_ * v;
    }
    offer(heaps_[groups_.of(p.digits)], Ranked{key, p.id});
  }

  void merge(const Reducer& other) override {
    const auto& o = static_cast<const BestK&>(other);
    for (std::size_t g = 0; g < heaps_.size(); ++g) {
      for (const Ranked& r : o.heaps_[g]) offer(heaps_[g], r);
    }
  }

  void write(ByteWriter& w) const override {
    w.u64(heaps_.size());
    for (const auto& h : heaps_) write_ranked(w, h);
  }
  void read(ByteReader& r) override {
    if (r.u64() != heaps_.size()) ByteReader::fail("group count differs");
    for (auto& h : heaps_) {
      read_ranked(r, h);
      if (h.size() > k_) ByteReader::fail("more entries than k");
      std::make_heap(h.begin(), h.end(), heap_less);
    }
  }

  ReductionTable finish(PartnerEvaluator*) const override {
    ReductionTable t;
    std::vector<double> rank;
    std::vector<double> value;
    for (std::size_t g = 0; g < heaps_.size(); ++g) {
      std::vector<Ranked> sorted = heaps_[g];
      std::sort(sorted.begin(), sorted.end(), before);
      if (sample_) std::sort(sorted.begin(), sorted.end(), [](const Ranked& a, const Ranked& b) { return a.id < b.id; });
      for (std::size_t i = 0; i < sorted.size(); ++i) {
        t.groups.push_back(static_cast<double>(g));
        t.ids.push_back(static_cast<double>(sorted[i].id));
        rank.push_back(static_cast<double>(i + 1));
        value.push_back(sign_ * sorted[i].key);
      }
    }
    if (!sample_ && kind_ == ReduceKind::TopK) {
      t.extraNames.push_back("rank");
      t.extras.push_back(std::move(rank));
    }
    return t;
  }

 private:
  void offer(std::vector<Ranked>& heap, const Ranked& r) const {
    if (heap.size() < k_) {
      heap.push_back(r);
      std::push_heap(heap.begin(), heap.end(), heap_less);
    } else if (before(r, heap.front())) {
      std::pop_heap(heap.begin(), heap.end(), heap_less);
      heap.back() = r;
      std::push_heap(heap.begin(), heap.end(), heap_less);
    }
  }

  GroupIndex groups_;
  std::uint32_t k_;
  bool sample_;
  ReduceKind kind_;
  std::int32_t metric_;
  double sign_;
  std::vector<std::vector<Ranked>> heaps_;
};

// The best point per group (argmin, or argmax through the sign): BestK with k = 1 without the heap, the common
// reduction of large sweeps.
class Best final : public Reducer {
 public:
  Best(const ReducePlan& plan, GroupIndex groups)
      : groups_(std::move(groups)), metric_(plan.metrics[0]), sign_(!plan.maximize.empty() && plan.maximize[0] ? -1.0 : 1.0),
        best_(groups_.count, Ranked{kNaN, 0}) {}

  void add(const PointView& p, PartnerEvaluator&) override {
    if (p.status != 0) return;
    offer(best_[groups_.of(p.digits)], sign_ * p.metrics[metric_], p.id);
  }
  void add_run(const RunView& run, PartnerEvaluator& partners) override {
    if (groups_.uses(run.axis)) return Reducer::add_run(run, partners);
    // One group for the whole run: its best point first (ids rise along the run, so the first of equal keys), then
    // one offer, which keeps the same total order as offering every point.
    double key = kNaN;
    std::size_t at = 0;
    const double* m = run.metrics + metric_;
    for (std::size_t i = 0; i < run.n; ++i, m += run.stride) {
      const double k = sign_ * *m;
      if (run.status[i] == 0 && (k < key || (std::isnan(key) && !std::isnan(k)))) {
        key = k;
        at = i;
      }
    }
    if (!std::isnan(key)) offer(best_[groups_.of(run.digits)], key, run.id0 + at);
  }
  void merge(const Reducer& other) override {
    const auto& o = static_cast<const Best&>(other);
    for (std::size_t g = 0; g < best_.size(); ++g) {
      const Ranked& r = o.best_[g];
      Ranked& b = best_[g];
      if (!std::isnan(r.key) && (std::isnan(b.key) || before(r, b))) b = r;
    }
  }
  // Saved as BestK saves a k = 1 state (a list of zero or one entry per group).
  void write(ByteWriter& w) const override {
    w.u64(best_.size());
    for (const Ranked& b : best_) {
      std::vector<Ranked> one;
      if (!std::isnan(b.key)) one.push_back(b);
      write_ranked(w, one);
    }
  }
  void read(ByteReader& r) override {
    if (r.u64() != best_.size()) ByteReader::fail("group count differs");
    for (Ranked& b : best_) {
      std::vector<Ranked> one;
      read_ranked(r, one);
      if (one.size() > 1) ByteReader::fail("more entries than k");
      b = one.empty() ? Ranked{kNaN, 0} : one[0];
    }
  }
  ReductionTable finish(PartnerEvaluator*) const override {
    ReductionTable t;
    for (std::size_t g = 0; g < best_.size(); ++g) {
      if (std::isnan(best_[g].key)) continue;
      t.groups.push_back(static_cast<double>(g));
      t.ids.push_back(static_cast<double>(best_[g].id));
    }
    return t;
  }

 private:
  // NaN keys never enter (every comparison with NaN is false); an empty slot (NaN) takes any key.
  static void offer(Ranked& b, double key, std::uint64_t id) {
    if (key < b.key || (key == b.key && id < b.id) || (std::isnan(b.key) && !std::isnan(key))) b = Ranked{key, id};
  }
  GroupIndex groups_;
  std::int32_t metric_;
  double sign_;
  std::vector<Ranked> best_;
};

// Non-dominated points over 2–3 metrics per group. a dominates b when a ≤ b in every (minimised) key and
// a < b in one, or the keys are equal and a's id is smaller: a strict order whose minimal set is unique, so
// the frontier does not depend on the order points arrive in.
class Pareto final : public Reducer {
 public:
  struct Entry {
    double keys[3];
    std::uint64_t id;
  };

  Pareto(const ReducePlan& plan, GroupIndex groups) : groups_(std::move(groups)), fronts_(groups_.count) {
    dims_ = plan.metrics.size();
    for (std::size_t i = 0; i < dims_; ++i) {
      metrics_[i] = plan.metrics[i];
      signs_[i] = i < plan.maximize.size() && plan.maximize[i] ? -1.0 : 1.0;
    }
  }

  void add(const PointView& p, PartnerEvaluator&) override {
    if (p.status != 0) return;
    Entry e{{0, 0, 0}, p.id};
    for (std::size_t i = 0; i < dims_; ++i) {
      const double v = p.metrics[metrics_[i]];
      if (std::isnan(v)) return;
      e.keys[i] = signs_[i] * v;
    }
    insert(fronts_[groups_.of(p.digits)], e);
  }

  void merge(const Reducer& other) override {
    const auto& o = static_cast<const Pareto&>(other);
    for (std::size_t g = 0; g < fronts_.size(); ++g) {
      for (const Entry& e : o.fronts_[g]) insert(fronts_[g], e);
    }
  }

  void write(ByteWriter& w) const override {
    w.u64(fronts_.size());
    for (const auto& f : fronts_) {
      w.u64(f.size());
      for (const Entry& e : f) {
        for (std::size_t i = 0; i < 3; ++i) w.f64(e.keys[i]);
        w.u64(e.id);
      }
    }
  }
  void read(ByteReader& r) override {
    if (r.u64() != fronts_.size()) ByteReader::fail("group count differs");
    for (auto& f : fronts_) {
      f.resize(static_cast<std::size_t>(r.length(32)));
      for (Entry& e : f) {
        for (double& k : e.keys) k = r.f64();
        e.id = r.u64();
      }
    }
  }

  ReductionTable finish(PartnerEvaluator*) const override {
    ReductionTable t;
    for (std::size_t g = 0; g < fronts_.size(); ++g) {
      std::vector<Entry> sorted = fronts_[g];
      std::sort(sorted.begin(), sorted.end(), [&](const Entry& a, const Entry& b) {
        for (std::size_t i = 0; i < dims_; ++i) {
          if (a.keys[i] != b.keys[i]) return a.keys[i] < b.keys[i];
        }
        return a.id < b.id;
      });
      for (const Entry& e : sorted) {
        t.groups.push_back(static_cast<double>(g));
        t.ids.push_back(static_cast<double>(e.id));
      }
    }
    return t;
  }

  // Largest frontier size, for the memory guard.
  static constexpr std::size_t kMaxFront = 1u << 20;

 private:
  bool dominates(const Entry& a, const Entry& b) const {
    bool strictly = false;
    for (std::size_t i = 0; i < dims_; ++i) {
      if (a.keys[i] > b.keys[i]) return false;
      if (a.keys[i] < b.keys[i]) strictly = true;
    }
    return strictly || a.id < b.id;
  }

  void insert(std::vector<Entry>& front, const Entry& e) const {
    for (const Entry& f : front) {
      if (dominates(f, e)) return;
    }
    std::size_t kept = 0;
    for (std::size_t i = 0; i < front.size(); ++i) {
      if (!dominates(e, front[i])) front[kept++] = front[i];
    }
    front.resize(kept);
    if (front.size() >= kMaxFront) {
      throw std::invalid_argument("pareto: the frontier of one group passed " + std::to_string(kMaxFront) +
                                  " points; reduce over fewer or coarser metrics, or group more finely");
    }
    front.push_back(e);
  }

  GroupIndex groups_;
  std::size_t dims_ = 2;
  std::int32_t metrics_[3] = {0, 0, 0};
  double signs_[3] = {1, 1, 1};
  std::vector<std::vector<Entry>> fronts_;
};

// Quantiles of a metric per group: a DDSketch each (relative error alpha, exact min and max).
class Quantiles final : public Reducer {
 public:
  Quantiles(const ReducePlan& plan, GroupIndex groups)
      : groups_(std::move(groups)), metric_(plan.metrics[0]), sketches_(groups_.count, DDSketch(plan.alpha)) {}

  void add(const PointView& p, PartnerEvaluator&) override {
    if (p.status != 0) return;
    sketches_[groups_.of(p.digits)].add(p.metrics[metric_]);
  }
  void add_run(const RunView& run, PartnerEvaluator& partners) override {
    if (groups_.uses(run.axis)) return Reducer::add_run(run, partners);
    DDSketch& sketch = sketches_[groups_.of(run.digits)];
    const double* m = run.metrics + metric_;
    for (std::size_t i = 0; i < run.n; ++i, m += run.stride) {
      if (run.status[i] == 0) sketch.add(*m);
    }
  }
  void merge(const Reducer& other) override {
    const auto& o = static_cast<const Quantiles&>(other);
    for (std::size_t g = 0; g < sketches_.size(); ++g) sketches_[g].merge(o.sketches_[g]);
  }
  void write(ByteWriter& w) const override {
    w.u64(sketches_.size());
    for (const auto& s : sketches_) s.write(w);
  }
  void read(ByteReader& r) override {
    if (r.u64() != sketches_.size()) ByteReader::fail("group count differs");
    for (auto& s : sketches_) s.read(r);
  }
  ReductionTable finish(PartnerEvaluator*) const override {
    ReductionTable t;
    static constexpr double kLevels[] = {0, 0.01, 0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 0.99, 1};
    static constexpr const char* kNames[] = {"min", "p01", "p05", "p10", "p25", "p50", "p75", "p90", "p95", "p99", "max"};
    t.extraNames = {"count"};
    for (const char* n : kNames) t.extraNames.emplace_back(n);
    t.extraNames.emplace_back("relativeError");
    t.extras.assign(t.extraNames.size(), {});
    for (std::size_t g = 0; g < sketches_.size(); ++g) {
      const DDSketch& s = sketches_[g];
      t.groups.push_back(static_cast<double>(g));
      t.ids.push_back(kNaN);
      t.extras[0].push_back(static_cast<double>(s.count()));
      for (std::size_t i = 0; i < std::size(kLevels); ++i) t.extras[i + 1].push_back(s.quantile(kLevels[i]));
      t.extras.back().push_back(s.alpha());
    }
    return t;
  }

 private:
  GroupIndex groups_;
  std::int32_t metric_;
  std::vector<DDSketch> sketches_;
};

// Counts per bin of a metric per group: linear or logarithmic bins on [min, max), plus below and above.
class Histogram final : public Reducer {
 public:
  Histogram(const ReducePlan& plan, GroupIndex groups)
      : groups_(std::move(groups)), metric_(plan.metrics[0]), bins_(plan.histBins), log_(plan.histLog),
        lo_(plan.histLog ? std::log(plan.histMin) : plan.histMin), hi_(plan.histLog ? std::log(plan.histMax) : plan.histMax),
        min_(plan.histMin), max_(plan.histMax), counts_(groups_.count * (bins_ + 2), 0) {}

  void add(const PointView& p, PartnerEvaluator&) override {
    if (p.status != 0) return;
    const double v = p.metrics[metric_];
    if (std::isnan(v)) return;
    std::size_t bin;
    if (v < min_) {
      bin = 0;
    } else if (v >= max_) {
      bin = bins_ + 1;
    } else {
      const double x = log_ ? std::log(v) : v;
      auto b = static_cast<std::size_t>((x - lo_) / (hi_ - lo_) * bins_);
      bin = 1 + std::min<std::size_t>(b, bins_ - 1);
    }
    counts_[groups_.of(p.digits) * (bins_ + 2) + bin] += 1;
  }
  void merge(const Reducer& other) override {
    const auto& o = static_cast<const Histogram&>(other);
    for (std::size_t i = 0; i < counts_.size(); ++i) counts_[i] += o.counts_[i];
  }
  void write(ByteWriter& w) const override {
    w.u64(counts_.size());
    for (std::uint64_t c : counts_) w.u64(c);
  }
  void read(ByteReader& r) override {
    if (r.u64() != counts_.size()) ByteReader::fail("bin count differs");
    for (auto& c : counts_) c = r.u64();
  }
  ReductionTable finish(PartnerEvaluator*) const override {
    ReductionTable t;
    t.extraNames = {"bin", "lower", "upper", "count"};
    t.extras.assign(4, {});
    for (std::size_t g = 0; g < groups_.count; ++g) {
      for (std::size_t b = 0; b < bins_ + 2; ++b) {
        t.groups.push_back(static_cast<double>(g));
        t.ids.push_back(kNaN);
        t.extras[0].push_back(static_cast<double>(b) - 1);  // -1 below min, bins below max, bins = above
        t.extras[1].push_back(b == 0 ? -std::numeric_limits<double>::infinity() : edge(b - 1));
        t.extras[2].push_back(b == bins_ + 1 ? std::numeric_limits<double>::infinity() : edge(b));
        t.extras[3].push_back(static_cast<double>(counts_[g * (bins_ + 2) + b]));
      }
    }
    return t;
  }

 private:
  double edge(std::size_t i) const {
    const double x = lo_ + (hi_ - lo_) * static_cast<double>(i) / static_cast<double>(bins_);
    return log_ ? std::exp(x) : x;
  }
  GroupIndex groups_;
  std::int32_t metric_;
  std::size_t bins_;
  bool log_;
  double lo_, hi_, min_, max_;
  std::vector<std::uint64_t> counts_;
};

// The same point with the pair axis at the numerator digit over the denominator digit: per group the count
// of pairs, a DDSketch of the ratios, and the points of the smallest and largest ratio.
class RatioPoint final : public Reducer {
 public:
  RatioPoint(const ReducePlan& plan, GroupIndex groups)
      : groups_(std::move(groups)), plan_(plan), sketches_(groups_.count, DDSketch(plan.alpha)),
        lows_(groups_.count, Pair{kNaN, 0, 0}), highs_(groups_.count, Pair{kNaN, 0, 0}) {}

  void add(const PointView& p, PartnerEvaluator& partners) override {
    if (p.status != 0 || p.digits[plan_.pairAxis] != plan_.numerator) return;
    const double v = p.metrics[plan_.metrics[0]];
    double w;
    std::uint64_t partnerId;
    if (std::isnan(v) || !partners.partner(p, plan_.pairAxis, plan_.denominator, plan_.metrics[0], w, partnerId)) return;
    const double ratio = v / w;
    if (std::isnan(ratio)) return;
    const std::uint64_t g = groups_.of(p.digits);
    sketches_[g].add(ratio);
    keep(g, Pair{ratio, p.id, partnerId});
  }

  void merge(const Reducer& other) override {
    const auto& o = static_cast<const RatioPoint&>(other);
    for (std::size_t g = 0; g < sketches_.size(); ++g) {
      sketches_[g].merge(o.sketches_[g]);
      if (!std::isnan(o.lows_[g].ratio)) keep(g, o.lows_[g]);
      if (!std::isnan(o.highs_[g].ratio)) keep(g, o.highs_[g]);
    }
  }

  void write(ByteWriter& w) const override {
    w.u64(sketches_.size());
    for (std::size_t g = 0; g < sketches_.size(); ++g) {
      sketches_[g].write(w);
      for (const Pair* p : {&lows_[g], &highs_[g]}) {
        w.f64(p->ratio);
        w.u64(p->id);
        w.u64(p->partner);
      }
    }
  }
  void read(ByteReader& r) override {
    if (r.u64() != sketches_.size()) ByteReader::fail("group count differs");
    for (std::size_t g = 0; g < sketches_.size(); ++g) {
      sketches_[g].read(r);
      for (Pair* p : {&lows_[g], &highs_[g]}) {
        p->ratio = r.f64();
        p->id = r.u64();
        p->partner = r.u64();
      }
    }
  }

  ReductionTable finish(PartnerEvaluator*) const override {
    ReductionTable t;
    t.extraNames = {"pairs", "ratioMin", "ratioP10", "ratioMedian", "ratioP90", "ratioMax", "relativeError", "ratio"};
    // The baseline of a row is its point with the pair axis at the denominator (the partner evaluated).
    t.moveAxis = plan_.pairAxis;
    t.ids2Digit = plan_.denominator;
    t.extras.assign(t.extraNames.size(), {});
    for (std::size_t g = 0; g < sketches_.size(); ++g) {
      const DDSketch& s = sketches_[g];
      // Two rows per group: the point of the smallest ratio and the point of the largest.
      for (const Pair* p : {&lows_[g], &highs_[g]}) {
        t.groups.push_back(static_cast<double>(g));
        const bool any = !std::isnan(p->ratio);
        t.ids.push_back(any ? static_cast<double>(p->id) : kNaN);
        t.ids2.push_back(any ? static_cast<double>(p->partner) : kNaN);
        t.extras[0].push_back(static_cast<double>(s.count()));
        t.extras[1].push_back(s.min());
        t.extras[2].push_back(s.quantile(0.1));
        t.extras[3].push_back(s.quantile(0.5));
        t.extras[4].push_back(s.quantile(0.9));
        t.extras[5].push_back(s.max());
        t.extras[6].push_back(s.alpha());
        t.extras[7].push_back(p->ratio);
      }
    }
    return t;
  }

 private:
  struct Pair {
    double ratio;
    std::uint64_t id;
    std::uint64_t partner;
  };
  void keep(std::uint64_t g, const Pair& p) {
    Pair& lo = lows_[g];
    if (std::isnan(lo.ratio) || p.ratio < lo.ratio || (p.ratio == lo.ratio && p.id < lo.id)) lo = p;
    Pair& hi = highs_[g];
    if (std::isnan(hi.ratio) || p.ratio > hi.ratio || (p.ratio == hi.ratio && p.id < hi.id)) hi = p;
  }

  GroupIndex groups_;
  ReducePlan plan_;
  std::vector<DDSketch> sketches_;
  std::vector<Pair> lows_;
  std::vector<Pair> highs_;
};

// Best (argmin, or argmax) of the metric among points with the pair axis at the numerator digit, over the
// best among those at the denominator digit, per group: "the best H800 layout against the best H100 layout".
// Carried (RatioCarried): the denominator side's best point carried unchanged to the numerator side (the pair
// axis moved, everything else kept: "the best H100 layout run on H800"), evaluated once per group at the end,
// over the denominator's best; and against the numerator side's own best, what re-tuning the layout recovers.
class RatioBest final : public Reducer {
 public:
  RatioBest(const ReducePlan& plan, GroupIndex groups)
      : groups_(std::move(groups)), plan_(plan), sign_(!plan.maximize.empty() && plan.maximize[0] ? -1.0 : 1.0),
        carried_(plan.kind == ReduceKind::RatioCarried), best_(groups_.count * 2, Ranked{kNaN, 0}) {}

  void add(const PointView& p, PartnerEvaluator&) override {
    if (p.status != 0) return;
    const std::uint32_t d = p.digits[plan_.pairAxis];
    const std::size_t side = d == plan_.numerator ? 0 : d == plan_.denominator ? 1 : 2;
    if (side == 2) return;
    const double v = p.metrics[plan_.metrics[0]];
    if (std::isnan(v)) return;
    keep(groups_.of(p.digits) * 2 + side, Ranked{sign_ * v, p.id});
  }
  void merge(const Reducer& other) override {
    const auto& o = static_cast<const RatioBest&>(other);
    for (std::size_t i = 0; i < best_.size(); ++i) {
      if (!std::isnan(o.best_[i].key)) keep(i, o.best_[i]);
    }
  }
  void write(ByteWriter& w) const override { write_ranked(w, best_); }
  void read(ByteReader& r) override {
    const std::size_t n = best_.size();
    read_ranked(r, best_);
    if (best_.size() != n) ByteReader::fail("group count differs");
  }
  ReductionTable finish(PartnerEvaluator* partners) const override {
    if (carried_) return finish_carried(partners);
    ReductionTable t;
    t.extraNames = {"numeratorBest", "denominatorBest", "ratio"};
    t.extras.assign(3, {});
    for (std::size_t g = 0; g < groups_.count; ++g) {
      const Ranked& a = best_[g * 2];
      const Ranked& b = best_[g * 2 + 1];
      t.groups.push_back(static_cast<double>(g));
      t.ids.push_back(std::isnan(a.key) ? kNaN : static_cast<double>(a.id));
      t.ids2.push_back(std::isnan(b.key) ? kNaN : static_cast<double>(b.id));
      const double va = sign_ * a.key;
      const double vb = sign_ * b.key;
      t.extras[0].push_back(va);
      t.extras[1].push_back(vb);
      t.extras[2].push_back(va / vb);
    }
    return t;
  }

 private:
  ReductionTable finish_carried(PartnerEvaluator* partners) const {
    if (!partners) throw std::logic_error("a carried ratio needs an evaluator to finish");
    ReductionTable t;
    t.extraNames = {"baselineBest", "carried", "numeratorBest", "ratio", "carriedOverBest"};
    t.extras.assign(5, {});
    // Rows: the carried point (the baseline's best with the pair axis at the numerator) and, as the baseline
    // columns, the baseline's best itself.
    t.moveAxis = plan_.pairAxis;
    t.idsDigit = plan_.numerator;
    for (std::size_t g = 0; g < groups_.count; ++g) {
      const Ranked& a = best_[g * 2];
      const Ranked& b = best_[g * 2 + 1];
      const bool any = !std::isnan(b.key);
      t.groups.push_back(static_cast<double>(g));
      t.ids.push_back(any ? static_cast<double>(b.id) : kNaN);
      t.ids2.push_back(any ? static_cast<double>(b.id) : kNaN);
      const double vb = sign_ * b.key;
      const double va = sign_ * a.key;
      const double carried = any ? partners->moved(b.id, plan_.pairAxis, plan_.numerator, plan_.metrics[0]) : kNaN;
      t.extras[0].push_back(vb);
      t.extras[1].push_back(carried);
      t.extras[2].push_back(va);
      t.extras[3].push_back(carried / vb);
      t.extras[4].push_back(carried / va);
    }
    return t;
  }
  void keep(std::size_t i, const Ranked& r) {
    if (std::isnan(best_[i].key) || before(r, best_[i])) best_[i] = r;
  }
  GroupIndex groups_;
  ReducePlan plan_;
  double sign_;
  bool carried_;
  std::vector<Ranked> best_;
};

// Points and ok points per group.
class Count final : public Reducer {
 public:
  explicit Count(GroupIndex groups) : groups_(std::move(groups)), counts_(groups_.count * 2, 0) {}
  void add(const PointView& p, PartnerEvaluator&) override {
    const std::uint64_t g = groups_.of(p.digits);
    counts_[g * 2] += 1;
    counts_[g * 2 + 1] += p.status == 0 ? 1 : 0;
  }
  void add_run(const RunView& run, PartnerEvaluator& partners) override {
    if (groups_.uses(run.axis)) return Reducer::add_run(run, partners);
    const std::uint64_t g = groups_.of(run.digits);
    std::uint64_t ok = 0;
    for (std::size_t i = 0; i < run.n; ++i) ok += run.status[i] == 0 ? 1 : 0;
    counts_[g * 2] += run.n;
    counts_[g * 2 + 1] += ok;
  }
  void merge(const Reducer& other) override {
    const auto& o = static_cast<const Count&>(other);
    for (std::size_t i = 0; i < counts_.size(); ++i) counts_[i] += o.counts_[i];
  }
  void write(ByteWriter& w) const override {
    w.u64(counts_.size());
    for (std::uint64_t c : counts_) w.u64(c);
  }
  void read(ByteReader& r) override {
    if (r.u64() != counts_.size()) ByteReader::fail("group count differs");
    for (auto& c : counts_) c = r.u64();
  }
  ReductionTable finish(PartnerEvaluator*) const override {
    ReductionTable t;
    t.extraNames = {"points", "ok"};
    t.extras.assign(2, {});
    for (std::size_t g = 0; g < groups_.count; ++g) {
      t.groups.push_back(static_cast<double>(g));
      t.ids.push_back(kNaN);
      t.extras[0].push_back(static_cast<double>(counts_[g * 2]));
      t.extras[1].push_back(static_cast<double>(counts_[g * 2 + 1]));
    }
    return t;
  }

 private:
  GroupIndex groups_;
  std::vector<std::uint64_t> counts_;
};

}  // namespace

void Reducer::add_run(const RunView& run, PartnerEvaluator& partners) {
  std::uint32_t digits[64];
  std::copy(run.digits, run.digits + run.axes, digits);
  for (std::size_t i = 0; i < run.n; ++i) {
    digits[run.axis] = run.digits[run.axis] + static_cast<std::uint32_t>(i);
    add(PointView{run.id0 + i, digits, run.status[i], run.metrics + i * run.stride}, partners);
  }
}

GroupIndex make_group_index(const std::vector<std::int32_t>& axes, const std::vector<std::uint32_t>& axis_lengths) {
  GroupIndex g;
  g.axes = axes;
  g.strides.assign(axes.size(), 1);
  std::uint64_t stride = 1;
  for (std::size_t i = axes.size(); i-- > 0;) {
    g.strides[i] = stride;
    stride *= axis_lengths[static_cast<std::size_t>(axes[i])];
  }
  g.count = stride;
  return g;
}

double reducer_bytes(const ReducePlan& plan, std::uint64_t groups) {
  const double g = static_cast<double>(groups);
  switch (plan.kind) {
    case ReduceKind::Argmin:
    case ReduceKind::Argmax:
    case ReduceKind::TopK:
    case ReduceKind::Sample:
      return g * (24.0 + 16.0 * plan.k);
    case ReduceKind::Pareto:
      return g * (24.0 + 40.0 * 64);  // a typical frontier; the hard cap is checked as points arrive
    case ReduceKind::Quantiles:
    case ReduceKind::RatioPoint:
      return g * (96.0 + 8.0 * std::log(1e12 / 1e-9) / std::log((1 + plan.alpha) / (1 - plan.alpha)));
    case ReduceKind::Histogram:
      return g * 8.0 * (plan.histBins + 2);
    case ReduceKind::RatioBest:
    case ReduceKind::RatioCarried:
    case ReduceKind::Count:
      return g * 32.0;
  }
  return g * 64.0;
}

std::unique_ptr<Reducer> make_reducer(const ReducePlan& plan, const std::vector<std::uint32_t>& axis_lengths) {
  GroupIndex groups = make_group_index(plan.groupAxes, axis_lengths);
  switch (plan.kind) {
    case ReduceKind::Argmin:
    case ReduceKind::Argmax: {
      ReducePlan p = plan;
      if (plan.kind == ReduceKind::Argmax) p.maximize = {1};
      return std::make_unique<Best>(p, std::move(groups));
    }
    case ReduceKind::TopK:
      return std::make_unique<BestK>(plan, std::move(groups), false);
    case ReduceKind::Sample:
      return std::make_unique<BestK>(plan, std::move(groups), true);
    case ReduceKind::Pareto:
      return std::make_unique<Pareto>(plan, std::move(groups));
    case ReduceKind::Quantiles:
      return std::make_unique<Quantiles>(plan, std::move(groups));
    case ReduceKind::Histogram:
      return std::make_unique<Histogram>(plan, std::move(groups));
    case ReduceKind::RatioPoint:
      return std::make_unique<RatioPoint>(plan, std::move(groups));
    case ReduceKind::RatioBest:
    case ReduceKind::RatioCarried:
      return std::make_unique<RatioBest>(plan, std::move(groups));
    case ReduceKind::Count:
      return std::make_unique<Count>(std::move(groups));
  }
  throw std::invalid_argument("unknown reduction kind");
}

}  // namespace linkcap::sweep
