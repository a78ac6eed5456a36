// Page-level advice for large output arrays. A fresh multi-megabyte typed array is untouched memory: the
// first write to each 4 KiB page faults, and on virtual machines a fault can cost 10 µs or more, which for
// a 200 MB output exceeds the evaluation itself. Asking for transparent huge pages on the array's interior
// turns 512 faults into one. Advice only: contents and semantics are unchanged, and it is a no-op where the
// system does not support it (non-Linux, THP disabled).
#pragma once

#include <cstddef>

namespace linkcap {

// Arrays smaller than this are left alone. 4 MiB: an 8 MB output column (a million doubles) still gets
// the huge pages inside it.
inline constexpr std::size_t kHugePageAdviceMinBytes = std::size_t{4} << 20;

// Advises MADV_HUGEPAGE on the 2 MiB-aligned pages inside [data, data + bytes).
void advise_huge_pages(void* data, std::size_t bytes) noexcept;

}  // namespace linkcap
