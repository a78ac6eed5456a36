#include "format_number.hpp"

#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <string>

namespace linkcap {

// ECMAScript's Number::toString(x) (radix 10): the shortest digits that round-trip (std::to_chars gives the
// same digits, choosing the closest when several are as short), placed as the specification places them:
// plain from 1e-7 < |x| < 1e21, exponent notation ("1e-7", "1.5e+21") outside.
char* write_js_number(double value, char* out) {
  if (std::isnan(value)) {
    std::memcpy(out, "NaN", 3);
    return out + 3;
  }
  if (value == 0) {  // -0 too
    *out = '0';
    return out + 1;
  }
  if (value < 0) {
    *out++ = '-';
    value = -value;
  }
  if (std::isinf(value)) {
    std::memcpy(out, "Infinity", 8);
    return out + 8;
  }
  // Whole numbers below 2^53 (sizes, byte counts, GPU counts): their digits are exactly the integer's.
  if (value < 9007199254740992.0 && value == std::floor(value)) {
    return std::to_chars(out, out + 20, static_cast<std::uint64_t>(value)).ptr;
  }
  char sci[40];
  const char* end = std::to_chars(sci, sci + sizeof sci, value, std::chars_format::scientific).ptr;
  // sci: d[.ddd]e±X[X[X]]
  const char* e = end - 2;
  while (*e != 'e') --e;
  char digits[24];
  digits[0] = sci[0];
  int k = 1;
  if (sci[1] == '.') {
    std::memcpy(digits + 1, sci + 2, static_cast<std::size_t>(e - sci - 2));
    k += static_cast<int>(e - sci - 2);
  }
  int exponent = 0;
  for (const char* p = e + 2; p < end; ++p) exponent = exponent * 10 + (*p - '0');
  if (e[1] == '-') exponent = -exponent;
  const int n = exponent + 1;  // the position of the decimal point relative to the digits
  if (k <= n && n <= 21) {
    std::memcpy(out, digits, static_cast<std::size_t>(k));
    out += k;
    for (int i = k; i < n; ++i) *out++ = '0';
    return out;
  }
  if (0 < n && n <= 21) {
    std::memcpy(out, digits, static_cast<std::size_t>(n));
    out += n;
    *out++ = '.';
    std::memcpy(out, digits + n, static_cast<std::size_t>(k - n));
    return out + (k - n);
  }
  if (-6 < n && n <= 0) {
    *out++ = '0';
    *out++ = '.';
    for (int i = 0; i < -n; ++i) *out++ = '0';
    std::memcpy(out, digits, static_cast<std::size_t>(k));
    return out + k;
  }
  *out++ = digits[0];
  if (k > 1) {
    *out++ = '.';
    std::memcpy(out, digits + 1, static_cast<std::size_t>(k - 1));
    out += k - 1;
  }
  *out++ = 'e';
  *out++ = n - 1 < 0 ? '-' : '+';
  const auto tail = std::to_chars(out, out + 8, n - 1 < 0 ? 1 - n : n - 1);
  return tail.ptr;
}

std::string format_number(double value) {
  char buffer[kMaxNumberChars];
  return std::string(buffer, write_js_number(value, buffer));
}

}  // namespace linkcap
