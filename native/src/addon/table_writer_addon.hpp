// The TableFileWriter class (table_writer.cpp): the table writers of src/core/table_writer.hpp for JavaScript.
#pragma once

#include <napi.h>

namespace linkcap::addon {

Napi::Function define_table_writer(Napi::Env env);

}  // namespace linkcap::addon
