#include "errors.hpp"

#include <stdexcept>

namespace linkcap::addon {

Napi::Error to_js_error(Napi::Env env, std::exception_ptr error) {
  try {
    std::rethrow_exception(error);
  } catch (const Napi::Error& e) {  // already a JS error (Napi::Error is itself a std::exception)
    return e;
  } catch (const std::invalid_argument& e) {
    return Napi::RangeError::New(env, e.what());
  } catch (const std::exception& e) {
    return Napi::Error::New(env, e.what());
  } catch (...) {
    return Napi::Error::New(env, "linkcap native engine: unknown C++ exception");
  }
}

}  // namespace linkcap::addon
