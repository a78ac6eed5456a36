#include "format_number.hpp"

#include <charconv>
#include <cmath>
#include <string>

namespace linkcap {

std::string format_number(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "Infinity" : "-Infinity";
  if (value == 0) return "0";  // JavaScript prints -0 as "0" too
  char buffer[64];
  const double magnitude = std::fabs(value);
  // JavaScript switches to exponent notation below 1e-6 and from 1e21 on; shortest round-trip digits either way.
  const bool plain = magnitude >= 1e-6 && magnitude < 1e21;
  const auto result =
      std::to_chars(buffer, buffer + sizeof buffer, value, plain ? std::chars_format::fixed : std::chars_format::scientific);
  std::string text(buffer, result.ptr);
  if (!plain) {
    // C++ writes "1e-07" / "1e+21"; JavaScript writes "1e-7" / "1e+21": drop exponent zero padding.
    const auto e = text.find('e');
    if (e != std::string::npos && e + 2 < text.size()) {
      std::size_t digits = e + 2;
      while (digits + 1 < text.size() && text[digits] == '0') text.erase(digits, 1);
    }
  }
  return text;
}

}  // namespace linkcap
