// Numbers spelled the way JavaScript's String(number) spells them: in error messages, so a message from the
// native engine reads like the TypeScript validator's ("-1", "0.5", "NaN", "Infinity", "1e-7"), and in the
// CSV and JSON Lines files the table writers produce (the same text a JavaScript writer would produce).
#pragma once

#include <string>

namespace linkcap {

// Longest output: "-1.2345678901234567e-308" (24 characters); `out` must hold kMaxNumberChars.
inline constexpr int kMaxNumberChars = 32;

// Writes the text of `value` at `out` and returns the end (no terminating zero).
char* write_js_number(double value, char* out);

std::string format_number(double value);

}  // namespace linkcap
