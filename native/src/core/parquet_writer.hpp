// The Parquet table writer (parquet_writer.cpp).
#pragma once

#include "table_writer.hpp"

namespace linkcap::table {

std::unique_ptr<TableWriter> make_parquet_writer(const std::string& path, std::vector<ColumnSpec> columns, const WriterOptions& options);

}  // namespace linkcap::table
