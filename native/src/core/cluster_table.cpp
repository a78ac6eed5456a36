#include "cluster_table.hpp"

#include <atomic>
#include <cstring>
#include <string>

#include "input_error.hpp"
#include "read_once.hpp"
#include "validate_cluster.hpp"

namespace linkcap {
namespace {

std::uint64_t next_table_generation() {
  static std::atomic<std::uint64_t> counter{0};
  return counter.fetch_add(1, std::memory_order_relaxed) + 1;
}

}  // namespace

ClusterTable::ClusterTable(const double* packed, std::size_t length) : generation_(next_table_generation()) {
  if (length == 0 || length % kClusterFieldCount != 0) {
    throw InputError("clusters", "clusters: length " + std::to_string(length) + " must be a positive multiple of " +
                                     std::to_string(kClusterFieldCount) + " (fields per cluster row)");
  }
  const std::size_t count = length / kClusterFieldCount;
  if (count > kMaxClusterRows) {
    throw InputError("clusters", "clusters: " + std::to_string(count) + " rows: at most " +
                                     std::to_string(kMaxClusterRows) + " (cluster indices are Uint16)");
  }
  rows_.resize(length);
  copy_once(rows_.data(), packed, length);
  prepared_.reserve(count);
  for (std::size_t row = 0; row < count; ++row) {
    const double* values = rows_.data() + row * kClusterFieldCount;
    validate_cluster_row(values, row);
    prepared_.push_back(prepare_cluster(unpack_cluster(values)));
  }
}

std::shared_ptr<const ClusterTable> cluster_table_for(const double* packed, std::size_t length) {
  thread_local std::shared_ptr<const ClusterTable> last;
  if (last && last->rows().size() == length &&
      std::memcmp(last->rows().data(), packed, length * sizeof(double)) == 0) {
    return last;
  }
  last = std::make_shared<const ClusterTable>(packed, length);
  return last;
}

}  // namespace linkcap
