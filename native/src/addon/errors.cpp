#include "errors.hpp"

#include <stdexcept>

#include "input_error.hpp"

namespace linkcap::addon {

Napi::Error to_js_error(Napi::Env env, std::exception_ptr error) {
  try {
    std::rethrow_exception(error);
  } catch (const Napi::Error& e) {  // already a JS error (Napi::Error is itself a std::exception)
    return e;
  } catch (const InputError& e) {
    // The field lets the TypeScript raise the very LinkcapInputError the reference engine raises.
    Napi::Error error = Napi::RangeError::New(env, e.what());
    error.Set("field", Napi::String::New(env, e.field()));
    return error;
  } catch (const std::invalid_argument& e) {
    return Napi::RangeError::New(env, e.what());
  } catch (const std::exception& e) {
    return Napi::Error::New(env, e.what());
  } catch (...) {
    return Napi::Error::New(env, "linkcap native engine: unknown C++ exception");
  }
}

}  // namespace linkcap::addon
