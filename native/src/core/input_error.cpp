#include "input_error.hpp"

namespace linkcap {

void throw_out_of_range(const std::string& field, const std::string& value, const std::string& range) {
  throw InputError(field, field + " = " + value + ": " + range);
}

}  // namespace linkcap
