// Range checks of packed cluster rows; the same table as packages/core/src/validate/cluster-params.ts.
// The TypeScript does not check rows before the native engine: this is the native engine's only check,
// and a bad row must become an error, never undefined arithmetic. ClusterTable applies it to its copy.
#pragma once

#include <cstddef>

#include "cluster_params.hpp"

namespace linkcap {

// Throws InputError naming the field and the allowed range, e.g.
// "clusters[0].scaleUpGBps = 0: must be > 0". `row_index` is used only in the message.
void validate_cluster_row(const double* row, std::size_t row_index);

}  // namespace linkcap
