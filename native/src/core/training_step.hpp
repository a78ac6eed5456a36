// One training step from packed rows (packages/core/src/training/step.ts): combines compute, communication
// (priced by the collective model), the pipeline schedule and memory into one output row. No allocation, no
// strings, no exceptions: all scratch lives on the stack.
#pragma once

#include "training_math.hpp"
#include "training_memo.hpp"
#include "training_pricing.hpp"

namespace linkcap::training {

// Adam update: reads fp32 master, m, v and the gradient (gradientBytes), writes master, m, v and BF16
// weights: 26 + gradientBytes bytes per parameter.
inline constexpr double kOptimizerBytesPerParam = 26;

// Layers on pipeline device `dev` of p with v chunks each: chunk k (device k mod p) holds base layers, plus
// one for the first `rem` chunks (base = ⌊L/(p v)⌋, rem = L mod (p v)).
inline double layers_on_device(double dev, double p, double v, double base, double rem) {
  const double extra = rem > dev ? js_min(v, js_floor((rem - dev - 1) / p) + 1) : 0;
  return v * base + extra;
}

// Dense layers (index < firstDense) on device `dev`: only the chunks that start before firstDense hold any.
inline double dense_layers_on_device(double dev, double p, double v, double base, double rem, double firstDense) {
  double dense = 0;
  const double chunks = p * v;
  for (double k = dev; k < chunks; k += p) {
    const double start = k * base + (k < rem ? k : rem);
    if (start >= firstDense) break;
    const double count = base + (k < rem ? 1 : 0);
    const double here = firstDense - start;
    dense += here > count ? count : here;
  }
  return dense;
}

// Devices that hold dense layers of an MoE model (devicesWithDenseLayers of step.ts).
inline double devices_with_dense_layers(double p, double v, double base, double rem, double firstDense) {
  double chunks = 0;
  while (chunks < p * v && chunks * base + (chunks < rem ? chunks : rem) < firstDense) chunks += 1;
  return chunks < p ? chunks : p;
}

// End (exclusive) of the run of devices starting at dev that cost the same (pipelineRunEnd of step.ts).
inline double pipeline_run_end(double dev, double p, double longer, double denseDevices) {
  if (dev == 0 || dev >= p - 1 || dev < denseDevices) return dev + 1;
  return dev < longer && longer < p - 1 ? longer : p - 1;
}

// Layers of a device with v chunks (layersHere in all) that a per-chunk count selects (selectedLayers of step.ts).
inline double selected_layers(double perChunk, double layersHere, double v, double base) {
  const double longer = layersHere - v * base;
  return (v - longer) * (perChunk < base ? perChunk : base) + longer * (perChunk < base + 1 ? perChunk : base + 1);
}

// Evaluates the layout row `lay` (its workload row `w`, chip row `chip`, and the cluster `pricer` prices on)
// into the output row `out` (kOutputFieldCount doubles). Returns the status. The row must have passed the
// batch validation (row indices in range, GPU count below 2^32 when the layout is valid).
unsigned evaluate_training_row(const double* w, const double* chip, const double* lay, Pricer& pricer, double* out);

// The same with a memo of the schedule-independent costs (training_memo.hpp): identical results, much faster
// over search batches. The memo's key holds the layout row's row indices, so the caller must call memo.begin()
// with a new generation whenever the packed workload, chip or cluster rows may have changed.
unsigned evaluate_training_row(const double* w, const double* chip, const double* lay, Pricer& pricer,
                               LayerCostMemo& memo, double* out);

}  // namespace linkcap::training
