// The exception for bad input: a std::invalid_argument (a RangeError in JavaScript) that also names the
// offending field, so the TypeScript can raise the same LinkcapInputError the reference engine raises.
// The message is complete ("inputs.bytes[17] = -1: must be a finite number of bytes > 0 and ≤ 2^53");
// `field` is its subject ("inputs.bytes[17]").
#pragma once

#include <stdexcept>
#include <string>
#include <utility>

namespace linkcap {

class InputError : public std::invalid_argument {
 public:
  InputError(std::string field, const std::string& message) : std::invalid_argument(message), field_(std::move(field)) {}
  const std::string& field() const noexcept { return field_; }

 private:
  std::string field_;
};

// "<field> = <value>: <range>", the wording of every value check of batch arrays, in both engines.
[[noreturn]] void throw_out_of_range(const std::string& field, const std::string& value, const std::string& range);

}  // namespace linkcap
