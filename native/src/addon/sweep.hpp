// The SweepEngine class (sweep.cpp): the sweep engine of src/core/sweep_engine.hpp for JavaScript.
#pragma once

#include <napi.h>

namespace linkcap::addon {

Napi::Function define_sweep_engine(Napi::Env env);

}  // namespace linkcap::addon
