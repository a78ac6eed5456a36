// Port of groupRanksPerDomain and placeGroups (packages/core/src/training/placement.ts).
#include "training_placement.hpp"

#include "training_math.hpp"

namespace linkcap::training {

namespace {

[[gnu::always_inline]] inline double ranks_per_domain(double domain, double stride, double size) {
  if (size <= 1) return 1;
  if (stride >= domain) return js_mod(stride, domain) == 0 ? 1 : 0;
  if (js_mod(domain, stride) != 0) return 0;
  const double span = stride * size;
  if (span <= domain) return js_mod(domain, span) == 0 ? size : 0;
  return js_mod(span, domain) == 0 ? domain / stride : 0;
}

inline bool shape(double domain, double stride, double size, double& g, double& n) {
  const double ranks = ranks_per_domain(domain, stride, size);
  g = ranks;
  n = ranks == 0 ? 0 : size / ranks;
  return ranks != 0;
}

}  // namespace

double group_ranks_per_domain(double domain, double stride, double size) {
  return ranks_per_domain(domain, stride, size);
}

bool place_groups(double gpusPerDomain, double t, double c, double d, double p, double e, GroupShapes& out) {
  const double gpus = t * c * d * p;
  const double domain = gpus < gpusPerDomain ? gpus : gpusPerDomain;
  const double block = t * c * d;
  bool ok = shape(domain, 1, t, out.tpG, out.tpN);
  ok = shape(domain, t, c, out.cpG, out.cpN) && ok;
  ok = shape(domain, t, c * d, out.dpG, out.dpN) && ok;
  ok = shape(domain, 1, e, out.epG, out.epN) && ok;
  ok = shape(domain, e, block / e, out.edpG, out.edpN) && ok;
  // Two adjacent stages are `block` ranks apart. When the whole pipeline fits in one domain every hop stays
  // inside it; otherwise some hop crosses domains (one rank on each side).
  if (p > 1) {
    if (block * p <= domain) {
      out.ppG = 2;
      out.ppN = 1;
    } else {
      ok = (block >= domain ? js_mod(block, domain) == 0 : js_mod(domain, block) == 0) && ok;
      out.ppG = 1;
      out.ppN = 2;
    }
  } else {
    out.ppG = 1;
    out.ppN = 1;
  }
  return ok;
}

}  // namespace linkcap::training
