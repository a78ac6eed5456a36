// CSV (RFC 4180, a header line) and JSON Lines. Numbers are spelled as JavaScript's String(number) spells them
// (write_js_number), so files read the same whichever engine wrote them; a missing value (NaN, a null string)
// is an empty CSV field and a JSON null, and JSON Lines writes ±Infinity as null, as JSON.stringify does.
// Rows are formatted in blocks on the thread pool, each block into its own buffer, and the buffers written in
// order: the file is the same whatever the thread count.
#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstring>
#include <memory>
#include <stdexcept>

#include "file_sink.hpp"
#include "format_number.hpp"
#include "text_writer.hpp"
#include "thread_pool.hpp"

namespace linkcap::table {
namespace {

constexpr std::size_t kBlockRows = 8192;

std::string csv_text(const std::string& s) {
  if (s.find_first_of(",\"\n\r") == std::string::npos) return s;
  std::string out = "\"";
  for (char ch : s) {
    if (ch == '"') out += '"';
    out += ch;
  }
  return out + "\"";
}

// JSON.stringify of a string.
std::string json_text(const std::string& s) {
  std::string out = "\"";
  for (unsigned char ch : s) {
    switch (ch) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (ch < 0x20) {
          static const char hex[] = "0123456789abcdef";
          out += "\\u00";
          out += hex[ch >> 4];
          out += hex[ch & 15];
        } else {
          out += static_cast<char>(ch);
        }
    }
  }
  return out + "\"";
}

// A block's text: grown as needed, never cleared (resizing a std::vector would zero it first).
struct TextBuffer {
  std::unique_ptr<char[]> data;
  std::size_t capacity = 0;
  std::size_t size = 0;
  char* reserve(std::size_t bytes) {
    if (bytes > capacity) {
      data = std::make_unique_for_overwrite<char[]>(bytes);
      capacity = bytes;
    }
    return data.get();
  }
};

struct TextColumn {
  ColumnSpec spec;
  std::vector<std::string> labels;  // each label as the format writes it
  std::string key;                  // JSON Lines: "name":
};

class TextWriter final : public TableWriter {
 public:
  TextWriter(Format format, const std::string& path, std::vector<ColumnSpec> columns, const WriterOptions& options)
      : json_(format == Format::Jsonl), sink_(path), threads_(options.threads) {
    maxRowBytes_ = 4;
    for (ColumnSpec& spec : columns) {
      TextColumn c;
      c.spec = std::move(spec);
      std::size_t widest = kMaxNumberChars;
      for (const std::string& label : c.spec.labels) {
        c.labels.push_back(json_ ? json_text(label) : csv_text(label));
        widest = std::max(widest, c.labels.back().size());
      }
      c.key = json_text(c.spec.name) + ":";
      maxRowBytes_ += widest + 1 + (json_ ? c.key.size() + 4 : 0);
      columns_.push_back(std::move(c));
    }
    if (!json_) {
      std::string header;
      for (std::size_t i = 0; i < columns_.size(); ++i) {
        if (i > 0) header += ',';
        header += csv_text(columns_[i].spec.name);
      }
      header += '\n';
      sink_.write(header.data(), header.size());
    }
  }

  void append(const void* const* columns, std::size_t rows) override {
    const std::size_t blocks = (rows + kBlockRows - 1) / kBlockRows;
    if (buffers_.size() < blocks) buffers_.resize(blocks);
    ParallelOptions options;
    options.threads = threads_;
    parallel_for(
        blocks, 1,
        [&](std::size_t b, std::size_t e) {
          for (std::size_t block = b; block < e; ++block) {
            const std::size_t first = block * kBlockRows;
            format_rows(columns, first, std::min(rows, first + kBlockRows), buffers_[block]);
          }
        },
        options);
    for (std::size_t block = 0; block < blocks; ++block) sink_.write(buffers_[block].data.get(), buffers_[block].size);
    rows_ += rows;
  }

  void finish(const KeyValues&) override { sink_.close(); }
  void close() override { sink_.abandon(); }
  std::uint64_t rows_written() const override { return rows_; }

 private:
  // Formats rows [first, end) into `out` (replacing its contents).
  void format_rows(const void* const* columns, std::size_t first, std::size_t end, TextBuffer& out) const {
    char* const start = out.reserve((end - first) * maxRowBytes_);
    char* p = start;
    for (std::size_t row = first; row < end; ++row) {
      if (json_) *p++ = '{';
      for (std::size_t c = 0; c < columns_.size(); ++c) {
        const TextColumn& col = columns_[c];
        if (c > 0) *p++ = ',';
        if (json_) {
          std::memcpy(p, col.key.data(), col.key.size());
          p += col.key.size();
        }
        p = cell(col, columns[c], row, p);
      }
      if (json_) *p++ = '}';
      *p++ = '\n';
    }
    out.size = static_cast<std::size_t>(p - start);
  }

  char* missing(char* p) const {
    if (!json_) return p;
    std::memcpy(p, "null", 4);
    return p + 4;
  }

  char* number(double v, char* p) const {
    if (std::isnan(v) || (json_ && std::isinf(v))) return missing(p);
    return write_js_number(v, p);
  }

  char* cell(const TextColumn& col, const void* data, std::size_t row, char* p) const {
    if (col.spec.kind == ValueKind::String) {
      const std::uint32_t code = static_cast<const std::uint32_t*>(data)[row];  // read once
      if (code >= col.labels.size()) return missing(p);
      const std::string& text = col.labels[code];
      std::memcpy(p, text.data(), text.size());
      return p + text.size();
    }
    switch (col.spec.storage) {
      case Storage::F64: return number(static_cast<const double*>(data)[row], p);
      case Storage::I32: return std::to_chars(p, p + 16, static_cast<const std::int32_t*>(data)[row]).ptr;
      case Storage::U32: return std::to_chars(p, p + 16, static_cast<const std::uint32_t*>(data)[row]).ptr;
      case Storage::U8: return std::to_chars(p, p + 16, static_cast<const std::uint8_t*>(data)[row]).ptr;
    }
    return p;
  }

  bool json_;
  FileSink sink_;
  unsigned threads_;
  std::vector<TextColumn> columns_;
  std::size_t maxRowBytes_ = 0;
  std::vector<TextBuffer> buffers_;
  std::uint64_t rows_ = 0;
};

}  // namespace

std::unique_ptr<TableWriter> make_text_writer(Format format, const std::string& path, std::vector<ColumnSpec> columns, const WriterOptions& options) {
  return std::make_unique<TextWriter>(format, path, std::move(columns), options);
}

}  // namespace linkcap::table
