// Numeric codes shared with the TypeScript model (packages/core/src/model/enums.ts).
// The values are part of the binary interface: append, never reorder.
#pragma once

#include <cstdint>

namespace linkcap {

enum class Op : std::uint8_t {
  AllReduce = 0,
  ReduceScatter = 1,
  AllGather = 2,
  Broadcast = 3,
  Reduce = 4,
  AllToAll = 5,
  SendRecv = 6,
};
inline constexpr unsigned kOpCount = 7;

enum class Algo : std::uint8_t {
  Ring = 0,
  Tree = 1,
  Rhd = 2,
  Direct = 3,
  Hier = 4,
  Nvls = 5,
  NvlsTree = 6,
  InNetwork = 7,
};
inline constexpr unsigned kAlgorithmCount = 8;

enum class Proto : std::uint8_t {
  LL = 0,
  LL128 = 1,
  Simple = 2,
};
inline constexpr unsigned kProtocolCount = 3;

// Column value "let the tuner choose": for algorithms, among NCCL's own repertoire (kNcclAlgorithm).
inline constexpr std::uint8_t kAuto = 255;
// Algorithm column value "choose among every modelled algorithm", including those NCCL lacks (rhd, hier).
inline constexpr std::uint8_t kAutoAll = 254;

// 1 for algorithms NCCL runs (considered by kAuto), indexed by Algo.
inline constexpr std::uint8_t kNcclAlgorithm[kAlgorithmCount] = {1, 1, 0, 1, 0, 1, 1, 1};

// Per-point status in batch outputs; outputs are NaN (and algo/proto kAuto) where it is not Ok.
enum class PointStatus : std::uint8_t {
  Ok = 0,
  BadGpuCount = 1,          // not divisible by the domain size, or under 2
  NoEligibleAlgorithm = 2,  // e.g. a forced algorithm the cluster cannot run
  NotEvaluated = 3,         // the call stopped (cancelled, or an invalid point) before reaching this point
};

}  // namespace linkcap
