#include "table_writer.hpp"

#include <stdexcept>

#include "arrow_writer.hpp"
#include "parquet_writer.hpp"
#include "text_writer.hpp"

namespace linkcap::table {

std::unique_ptr<TableWriter> make_table_writer(Format format, const std::string& path, std::vector<ColumnSpec> columns,
                                               const WriterOptions& options) {
  if (columns.empty()) throw std::invalid_argument("columns: a table needs at least one column");
  for (std::size_t i = 0; i < columns.size(); ++i) {
    const ColumnSpec& c = columns[i];
    if (c.name.empty()) throw std::invalid_argument("columns[" + std::to_string(i) + "].name: must not be empty");
    if (c.kind == ValueKind::String && c.storage != Storage::U32) {
      throw std::invalid_argument("columns[" + std::to_string(i) + "] (" + c.name + "): a string column holds Uint32 codes into its labels");
    }
  }
  switch (format) {
    case Format::Parquet: return make_parquet_writer(path, std::move(columns), options);
    case Format::Csv:
    case Format::Jsonl: return make_text_writer(format, path, std::move(columns), options);
    case Format::Arrow: return make_arrow_writer(path, std::move(columns), options);
  }
  throw std::invalid_argument("format: must be parquet, csv, jsonl or arrow");
}

}  // namespace linkcap::table
