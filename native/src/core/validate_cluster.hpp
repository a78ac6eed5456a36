// Range checks of packed cluster rows; the same table as packages/core/src/validate/cluster-params.ts.
// The addon checks again even though the TypeScript validated, because the native entry points are also
// called directly (CLI, benchmarks) and a bad row must become an error, never undefined arithmetic.
#pragma once

#include <cstddef>
#include <vector>

#include "cluster_params.hpp"

namespace linkcap {

// Throws std::invalid_argument naming the field and the allowed range, e.g.
// "clusters[0].scaleUpGBps = 0: must be > 0". `row_index` is used only in the message.
void validate_cluster_row(const double* row, std::size_t row_index);

// Checks the packed table's length (a positive multiple of kClusterFieldCount, at most 65536 rows,
// because cluster indices are Uint16) and every row; returns the unpacked rows.
std::vector<ClusterParams> unpack_clusters(const double* packed, std::size_t length);

}  // namespace linkcap
