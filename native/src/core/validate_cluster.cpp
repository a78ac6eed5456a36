#include "validate_cluster.hpp"

#include <cmath>
#include <iterator>
#include <stdexcept>
#include <string>

#include "format_number.hpp"
#include "input_error.hpp"

namespace linkcap {
namespace {

// One rule per field: a predicate on a finite value and the words that describe the allowed range.
struct Rule {
  bool (*check)(double);
  const char* range;
};

bool positive(double v) { return v > 0; }
bool non_negative(double v) { return v >= 0; }
bool flag(double v) { return v == 0 || v == 1; }
bool fraction(double v) { return v > 0 && v <= 1; }
bool whole_at_least_one(double v) { return v >= 1 && std::floor(v) == v; }
bool topology(double v) { return v == 0 || v == 1 || v == 2; }
bool at_least_one(double v) { return v >= 1; }
bool call_latency(double v) { return v >= 0 && v <= 1e6; }

constexpr Rule kPositive{positive, "must be > 0"};
constexpr Rule kNonNegative{non_negative, "must be ≥ 0"};
constexpr Rule kFlag{flag, "must be 0 or 1"};
constexpr Rule kFraction{fraction, "must be in (0, 1]"};
constexpr Rule kWholeAtLeastOne{whole_at_least_one, "must be a whole number ≥ 1"};

// Indexed like the packed row (kClusterFieldNames). Unsized, so a field added to CLUSTER_FIELDS without its rule
// fails the static_assert below instead of leaving a null rule.
constexpr Rule kRules[] = {
    kWholeAtLeastOne,                                       // gpusPerDomain
    {topology, "must be 0 (switch), 1 (mesh) or 2 (ring)"},  // scaleUpTopology
    kPositive,                                              // scaleUpGBps
    kNonNegative,                                           // scaleUpHopUs
    kFlag,                                                  // inSwitchReduction
    kFraction,                                              // nvlsEfficiency
    kPositive,                                              // llCapGBps
    kPositive,                                              // scaleOutGBps
    kNonNegative,                                           // scaleOutHopUs
    kNonNegative,                                           // tierHopUs
    kWholeAtLeastOne,                                       // leafDomains
    {at_least_one, "must be ≥ 1"},                          // oversubscription
    kFlag,                                                  // inNetworkReduction
    kFraction,                                              // inNetworkEfficiency
    {call_latency, "must be from 0 to 1000000 (µs)"},       // callLatencyUs
    kFlag,                                                  // cudaGraph
};
static_assert(std::size(kRules) == kClusterFieldCount, "one rule per cluster field (CLUSTER_FIELDS)");

}  // namespace

void validate_cluster_row(const double* row, std::size_t row_index) {
  for (std::size_t field = 0; field < kClusterFieldCount; ++field) {
    const double value = row[field];
    const Rule& rule = kRules[field];
    if (!std::isfinite(value) || !rule.check(value)) {
      throw_out_of_range("clusters[" + std::to_string(row_index) + "]." + kClusterFieldNames[field],
                         format_number(value), rule.range);
    }
  }
}

}  // namespace linkcap
