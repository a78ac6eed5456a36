// Reading memory that another thread may be writing at the same time.
//
// Batch columns and rows are the caller's memory, read in place. A SharedArrayBuffer can be rewritten by
// another JavaScript thread while a call runs, so every value the engine checks must be the value it then
// uses. A plain load gives no such promise: the compiler may load the same location again later (to save a
// register) and see a different value, one that never passed the check. A relaxed atomic load is a single
// load that the compiler may neither repeat nor invent; on x86-64 and Arm it is the same instruction as a
// plain load, so it costs nothing but a few optimisations this code does not need.
#pragma once

#include <cstddef>

namespace linkcap {

template <typename T>
[[gnu::always_inline]] inline T read_once(const T* address) {
#if defined(__GNUC__) || defined(__clang__)
  T value;
  __atomic_load(const_cast<T*>(address), &value, __ATOMIC_RELAXED);
  return value;
#else
  return *static_cast<const volatile T*>(address);
#endif
}

// Copies `count` values, each read once, into memory the engine owns.
template <typename T>
inline void copy_once(T* destination, const T* source, std::size_t count) {
  for (std::size_t i = 0; i < count; ++i) destination[i] = read_once(source + i);
}

}  // namespace linkcap
