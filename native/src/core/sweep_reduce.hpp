// The reductions a sweep computes while it streams: each is a state per group that absorbs points in any
// order, merges with the state of another thread or shard, saves to bytes and finishes into a table.
//
// Determinism: every choice is by a total order, the metric value then the point id (smaller id wins ties),
// and sketches and histograms are counts, so the result depends only on the set of points, never on the
// thread count, the chunk size, the order of merges or the sharding. Floating-point sums, which depend on
// order, are never formed. Points whose status is not ok, or whose metric is NaN, are not reduced.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "sweep_bytes.hpp"
#include "sweep_plan.hpp"

namespace linkcap::sweep {

// One evaluated point, as reducers see it.
struct PointView {
  std::uint64_t id;
  const std::uint32_t* digits;  // one per axis
  std::uint8_t status;          // 0 = ok
  const double* metrics;        // indexed by metric id
};

// A run of points that differ only in one axis (the innermost): digits of the first, that axis advancing by one
// per point, consecutive ids; statuses and metric rows of `stride` doubles each (indexed by metric id).
struct RunView {
  const std::uint32_t* digits;
  std::size_t axes;  // digits in `digits`
  std::size_t axis;  // the axis that advances
  std::uint64_t id0;
  std::size_t n;
  const std::uint8_t* status;
  const double* metrics;
  std::size_t stride;
};

// Lets a reducer evaluate the same point with one axis moved (paired ratios).
class PartnerEvaluator {
 public:
  virtual ~PartnerEvaluator() = default;
  // Evaluates `point` with axis `axis` set to digit `digit`; false if that point is not ok. Writes its id.
  virtual bool partner(const PointView& point, std::int32_t axis, std::uint32_t digit, std::int32_t metric,
                       double& value, std::uint64_t& id) = 0;
  // The same for the point with id `id` (finish-time evaluations): its metric with `axis` moved to `digit`, NaN
  // when that point is not ok.
  virtual double moved(std::uint64_t id, std::int32_t axis, std::uint32_t digit, std::int32_t metric) = 0;
};

// A finished reduction: one row per entry; point columns come from re-evaluating `ids` (and `ids2`).
struct ReductionTable {
  std::vector<double> groups;  // group index of each row
  std::vector<double> ids;     // point id (NaN: none)
  std::vector<double> ids2;    // partner point id (ratios), else empty
  // Rows whose point is another point with one axis moved: ids[i] (ids2[i]) with axis `moveAxis` at digit
  // idsDigit (ids2Digit), -1: as they are. Describing them re-evaluates the moved point, which need not have an
  // id of its own (a layout carried to a context that does not enumerate it).
  std::int32_t moveAxis = -1;
  std::int64_t idsDigit = -1;
  std::int64_t ids2Digit = -1;
  std::vector<std::string> extraNames;
  std::vector<std::vector<double>> extras;
};

class Reducer {
 public:
  virtual ~Reducer() = default;
  virtual void add(const PointView& point, PartnerEvaluator& partners) = 0;
  // The points of a run, in order: the same as add() for each (reductions whose group does not depend on the
  // advancing axis do it with one group lookup and no call per point).
  virtual void add_run(const RunView& run, PartnerEvaluator& partners);
  virtual void merge(const Reducer& other) = 0;
  virtual void write(ByteWriter& out) const = 0;
  virtual void read(ByteReader& in) = 0;
  // `partners` evaluates points a reduction needs only at the end (the carried ratio); may be null otherwise.
  virtual ReductionTable finish(PartnerEvaluator* partners) const = 0;
};

// Group layout of a reduction: index = Σ digit[axis] × stride over its group axes.
struct GroupIndex {
  std::vector<std::int32_t> axes;
  std::vector<std::uint64_t> strides;
  std::uint64_t count = 1;
  bool uses(std::size_t axis) const {
    for (std::int32_t a : axes) {
      if (static_cast<std::size_t>(a) == axis) return true;
    }
    return false;
  }
  std::uint64_t of(const std::uint32_t* digits) const {
    std::uint64_t g = 0;
    for (std::size_t i = 0; i < axes.size(); ++i) g += digits[axes[i]] * strides[i];
    return g;
  }
};

// Groups of a reduction over axes with the given lengths (the last group axis varies fastest).
GroupIndex make_group_index(const std::vector<std::int32_t>& axes, const std::vector<std::uint32_t>& axis_lengths);

// A new empty state for `plan`. Throws std::invalid_argument when its memory would exceed the limit.
std::unique_ptr<Reducer> make_reducer(const ReducePlan& plan, const std::vector<std::uint32_t>& axis_lengths);

// Estimated bytes one state of `plan` holds at most (for the memory check), given its group count.
double reducer_bytes(const ReducePlan& plan, std::uint64_t groups);

}  // namespace linkcap::sweep
