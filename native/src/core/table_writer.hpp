// Writers of a sweep's result tables (rows and reductions) in Parquet, CSV, JSON Lines and Arrow IPC: columns in,
// a file out, streamed chunk by chunk with bounded memory. The hot work of writing a sweep lives here, next to
// the engine that produces the columns (docs/sweeps.md "Output", BENCHMARKS.md "Writing the results").
//
// A table is a list of columns, each with a value kind (what the file stores: a string from a dictionary of
// labels, a 32-bit integer or a double) and a storage type (what the caller's buffer holds: the sweep engine's
// column types). Outputs depend only on the rows appended, never on how they were split into chunks: the same
// rows give the same bytes (Parquet row groups have a fixed number of rows).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "table_codes.hpp"  // Storage, ValueKind, Format (generated)

namespace linkcap::table {

struct ColumnSpec {
  std::string name;
  ValueKind kind = ValueKind::Double;
  Storage storage = Storage::F64;
  std::vector<std::string> labels;  // String columns
};

using KeyValues = std::vector<std::pair<std::string, std::string>>;

struct WriterOptions {
  // Parquet: rows per row group (the last one shorter); Arrow: rows per record batch.
  std::size_t rowGroupRows = std::size_t{1} << 18;
  // Parquet's created_by ("linkcap version 0.1.0").
  std::string createdBy = "linkcap";
  // Threads that may format text (CSV, JSON Lines) in parallel; 0: every core.
  unsigned threads = 0;
};

class TableWriter {
 public:
  virtual ~TableWriter() = default;
  // Appends `rows` rows: columns[c] points at `rows` values of column c's storage type.
  virtual void append(const void* const* columns, std::size_t rows) = 0;
  // Writes what is buffered and the file's footer (Parquet: key-value metadata; other formats have no room for
  // it, except Arrow's schema metadata) and closes the file.
  virtual void finish(const KeyValues& metadata) = 0;
  // Closes the file without completing it (the caller deletes it).
  virtual void close() = 0;
  virtual std::uint64_t rows_written() const = 0;
};

// Creates the file at `path` (replacing it). Throws std::invalid_argument for a bad column list and
// std::runtime_error when the file cannot be written.
std::unique_ptr<TableWriter> make_table_writer(Format format, const std::string& path, std::vector<ColumnSpec> columns,
                                               const WriterOptions& options);

}  // namespace linkcap::table
