// The CSV and JSON Lines table writers (text_writer.cpp).
#pragma once

#include "table_writer.hpp"

namespace linkcap::table {

std::unique_ptr<TableWriter> make_text_writer(Format format, const std::string& path, std::vector<ColumnSpec> columns, const WriterOptions& options);

}  // namespace linkcap::table
