// How failures of the core become JavaScript errors. The core throws InputError (a std::invalid_argument)
// for a value out of range: a RangeError in JS with a `field` property, which the TypeScript turns into the
// LinkcapInputError the reference engine throws. It may throw other
// std::exceptions (std::bad_alloc...) that become plain Errors. Nothing is allowed to reach Node as a C++
// exception, which would abort the process.
#pragma once

#include <napi.h>

#include <exception>

namespace linkcap::addon {

// Must be called on the JavaScript thread. `error` must not be null.
Napi::Error to_js_error(Napi::Env env, std::exception_ptr error);

}  // namespace linkcap::addon
