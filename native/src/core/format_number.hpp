// Numbers in error messages, spelled the way JavaScript's String(number) spells them, so a message from
// the native engine reads like the TypeScript validator's ("-1", "0.5", "NaN", "Infinity", "1e-7").
#pragma once

#include <string>

namespace linkcap {

std::string format_number(double value);

}  // namespace linkcap
