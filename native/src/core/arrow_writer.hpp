// The Arrow IPC file writer (arrow_writer.cpp).
#pragma once

#include "table_writer.hpp"

namespace linkcap::table {

std::unique_ptr<TableWriter> make_arrow_writer(const std::string& path, std::vector<ColumnSpec> columns, const WriterOptions& options);

}  // namespace linkcap::table
