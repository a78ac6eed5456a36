// The packed cluster rows of one call, owned by the engine: copied out of the caller's array (each value
// read once), validated on the copy, and prepared. What is validated is exactly what is used, even when the
// caller's array is a SharedArrayBuffer that another thread rewrites during the call.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "collective.hpp"

namespace linkcap {

inline constexpr std::size_t kMaxClusterRows = 65536;  // cluster indices are Uint16

class ClusterTable {
 public:
  // Throws InputError for a length that is not a positive multiple of kClusterFieldCount, more than
  // kMaxClusterRows rows, or a field out of range ("clusters[0].scaleUpGBps = 0: must be > 0").
  ClusterTable(const double* packed, std::size_t length);

  std::size_t size() const { return prepared_.size(); }
  const PreparedCluster* prepared() const { return prepared_.data(); }
  // The validated copy of the packed rows (kClusterFieldCount doubles per row).
  const std::vector<double>& rows() const { return rows_; }
  // Unique per table: per-thread caches compare it first and the rows only when it changed.
  std::uint64_t generation() const { return generation_; }

 private:
  std::vector<double> rows_;
  std::vector<PreparedCluster> prepared_;
  std::uint64_t generation_;
};

// The table for these packed rows: the calling thread's previous table when the rows are bit-identical to it
// (a sweep streams many calls over the same rows, and a one-point call must not copy, validate and prepare
// them again, nor empty the plan caches), else a new one. Safe whatever the caller's array holds meanwhile:
// a reused table is the engine's own validated copy. Throws as the constructor does.
std::shared_ptr<const ClusterTable> cluster_table_for(const double* packed, std::size_t length);

}  // namespace linkcap
