// Where each parallel group of a layout sits on the cluster: groupRanksPerDomain and placeGroups of
// packages/core/src/training/placement.ts. Rank order (innermost first): tensor, context, data, pipeline. A
// group is `size` ranks spaced `stride` apart; its shape on the cluster is g ranks per domain × N domains,
// which is what place_ranks of the collective model takes.
#pragma once

namespace linkcap::training {

// Ranks of a (stride, size) group that share one domain of `domain` GPUs, or 0 when the group does not map
// onto whole domains. `domain` is the effective domain size: min(gpusPerDomain, total GPUs of the job).
double group_ranks_per_domain(double domain, double stride, double size);

// Shapes (ranks per domain g, domains N) of a layout's groups.
struct GroupShapes {
  double tpG, tpN;
  double cpG, cpN;
  double dpG, dpN;    // dense-parameter data-parallel group: DP × CP ranks
  double epG, epN;
  double edpG, edpN;  // expert data-parallel group: the t·c·d / e ranks that hold the same experts
  double ppG, ppN;    // two neighbouring pipeline stages
};

// Places every group of a layout (t, c, d, p, e) on a cluster with `gpusPerDomain` GPUs per domain. Returns
// false when some group cannot be placed uniformly (every shape is still written, as in the TypeScript).
bool place_groups(double gpusPerDomain, double t, double c, double d, double p, double e, GroupShapes& out);

}  // namespace linkcap::training
