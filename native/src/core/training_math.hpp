// JavaScript's number operations that C++ spells differently, for the training-model port: Math.min/max
// (NaN wins), `%` on numbers (fmod, done in integers when both operands are whole and small enough, which
// gives the same exact result faster) and Math.floor.
#pragma once

#include <cmath>
#include <cstdint>
#include <limits>

namespace linkcap::training {

inline constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// Math.min / Math.max: NaN wins, and -0 counts as less than +0.
inline double js_min(double a, double b) {
  if (std::isnan(a) || std::isnan(b)) return kNaN;
  if (a == b) return std::signbit(a) ? a : b;
  return a < b ? a : b;
}
inline double js_max(double a, double b) {
  if (std::isnan(a) || std::isnan(b)) return kNaN;
  if (a == b) return std::signbit(a) ? b : a;
  return a > b ? a : b;
}

[[gnu::noinline]] inline double fmod_slow(double a, double b) { return std::fmod(a, b); }

// a % b for numbers. fmod is exact, so for whole operands in [0, 2^32) (the layouts and row values that
// reach the hot path) an integer remainder gives the same value; anything else goes through fmod. (A -0
// dividend gives +0 here where JavaScript gives -0; every caller only compares the result with 0.)
[[gnu::always_inline]] inline double js_mod(double a, double b) {
  if (a >= 0 && a < 4294967296.0 && b >= 1 && b < 4294967296.0) {
    const auto ia = static_cast<std::uint32_t>(a);
    const auto ib = static_cast<std::uint32_t>(b);
    if (static_cast<double>(ia) == a && static_cast<double>(ib) == b) return static_cast<double>(ia % ib);
  }
  return fmod_slow(a, b);
}

[[gnu::noinline]] inline double floor_slow(double x) { return std::floor(x); }

// Math.floor. Without SSE4.1 std::floor is a library call; for 0 ≤ x < 2^52 truncation is the same value.
[[gnu::always_inline]] inline double js_floor(double x) {
  if (x >= 0 && x < 4503599627370496.0) return static_cast<double>(static_cast<std::int64_t>(x));
  return floor_slow(x);
}

}  // namespace linkcap::training
