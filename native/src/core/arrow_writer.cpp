// Arrow IPC, file format (Arrow columnar format specification, "IPC File Format"), streamed: the magic, the
// schema message, one dictionary batch per string column (its labels, written once: the dictionaries never
// change), then record batches of exactly options.rowGroupRows rows (the last one fewer) as the rows arrive,
// the end-of-stream marker, and the footer that indexes the blocks. Memory holds one batch, never the table.
//
// Columns: strings are dictionary-encoded Utf8 with Int32 indices and a validity bitmap where there are
// nulls; 32-bit integers Int32; doubles Float64 (NaN is a value, as in the Parquet files). The footer's schema
// carries the caller's key-value metadata (`linkcap.manifest`).
#include <algorithm>
#include <cmath>
#include <cstring>
#include <stdexcept>

#include "arrow_writer.hpp"
#include "file_sink.hpp"
#include "flatbuffer_builder.hpp"

namespace linkcap::table {
namespace {

using flatbuffers::Builder;
using flatbuffers::Ref;

// Schema.fbs / Message.fbs / File.fbs constants.
constexpr std::int16_t kMetadataV5 = 4;
enum MessageHeader : std::uint8_t { kSchema = 1, kDictionaryBatch = 2, kRecordBatch = 3 };
enum TypeTag : std::uint8_t { kInt = 2, kFloatingPoint = 3, kUtf8 = 5 };
constexpr std::int16_t kDouble = 2;

const char kMagic[8] = {'A', 'R', 'R', 'O', 'W', '1', 0, 0};

std::size_t padded(std::size_t n) { return (n + 7) & ~std::size_t{7}; }

struct Block {
  std::int64_t offset;
  std::int32_t metadataLength;
  std::int64_t bodyLength;
};

// A record batch body under construction: buffers laid out back to back, each padded to 8 bytes.
struct Body {
  struct Piece {
    const void* data;
    std::size_t size;
  };
  std::vector<Piece> pieces;
  std::vector<std::uint8_t> nodes, buffers;  // FieldNode and Buffer structs
  std::size_t length = 0;

  void node(std::int64_t count, std::int64_t nulls) {
    append(nodes, count);
    append(nodes, nulls);
  }
  void buffer(const void* data, std::size_t size) {
    append(buffers, static_cast<std::int64_t>(length));
    append(buffers, static_cast<std::int64_t>(size));
    if (size > 0) pieces.push_back({data, size});
    length += padded(size);
  }
  template <typename T>
  static void append(std::vector<std::uint8_t>& out, T v) {
    const auto* p = reinterpret_cast<const std::uint8_t*>(&v);
    out.insert(out.end(), p, p + sizeof v);
  }
};

Ref int_type(Builder& b, std::int32_t bits, bool isSigned) {
  b.start_table();
  b.add_scalar<std::int32_t>(0, bits);
  b.add_scalar<std::uint8_t>(1, isSigned ? 1 : 0);
  return b.end_table();
}

Ref key_values(Builder& b, const KeyValues& metadata) {
  std::vector<Ref> refs;
  for (const auto& [key, value] : metadata) {
    const Ref k = b.string(key);
    const Ref v = b.string(value);
    b.start_table();
    b.add_ref(0, k);
    b.add_ref(1, v);
    refs.push_back(b.end_table());
  }
  return b.vector_of_refs(refs);
}

Ref schema(Builder& b, const std::vector<ColumnSpec>& columns, const KeyValues* metadata) {
  std::vector<Ref> fields;
  for (std::size_t i = 0; i < columns.size(); ++i) {
    const ColumnSpec& c = columns[i];
    const Ref name = b.string(c.name);
    Ref type;
    std::uint8_t tag;
    Ref dictionary = 0;
    if (c.kind == ValueKind::String) {
      b.start_table();
      type = b.end_table();  // Utf8 {}
      tag = kUtf8;
      const Ref index = int_type(b, 32, true);
      b.start_table();
      b.add_scalar<std::int64_t>(0, static_cast<std::int64_t>(i));  // dictionary id
      b.add_ref(1, index);
      b.add_scalar<std::uint8_t>(2, 0);  // not ordered
      dictionary = b.end_table();
    } else if (c.kind == ValueKind::Int32) {
      type = int_type(b, 32, true);
      tag = kInt;
    } else {
      b.start_table();
      b.add_scalar<std::int16_t>(0, kDouble);
      type = b.end_table();
      tag = kFloatingPoint;
    }
    const Ref children = b.vector_of_refs({});
    b.start_table();
    b.add_ref(0, name);
    b.add_scalar<std::uint8_t>(1, 1);  // nullable
    b.add_scalar<std::uint8_t>(2, tag);
    b.add_ref(3, type);
    if (dictionary) b.add_ref(4, dictionary);
    b.add_ref(5, children);
    fields.push_back(b.end_table());
  }
  const Ref list = b.vector_of_refs(fields);
  const Ref meta = metadata && !metadata->empty() ? key_values(b, *metadata) : 0;
  b.start_table();
  b.add_scalar<std::int16_t>(0, 0);  // little-endian
  b.add_ref(1, list);
  if (meta) b.add_ref(2, meta);
  return b.end_table();
}

Ref record_batch(Builder& b, std::int64_t rows, const Body& body) {
  const Ref nodes = b.vector_of_structs(body.nodes, 16, 8);
  const Ref buffers = b.vector_of_structs(body.buffers, 16, 8);
  b.start_table();
  b.add_scalar<std::int64_t>(0, rows);
  b.add_ref(1, nodes);
  b.add_ref(2, buffers);
  return b.end_table();
}

std::vector<std::uint8_t> message(Builder& b, MessageHeader kind, Ref header, std::int64_t bodyLength) {
  b.start_table();
  b.add_scalar<std::int64_t>(3, bodyLength);
  b.add_ref(2, header);
  b.add_scalar<std::int16_t>(0, kMetadataV5);
  b.add_scalar<std::uint8_t>(1, kind);
  return b.finish(b.end_table());
}

class ArrowWriter final : public TableWriter {
 public:
  ArrowWriter(const std::string& path, std::vector<ColumnSpec> columns, const WriterOptions& options)
      : sink_(path), columns_(std::move(columns)), batchRows_(options.rowGroupRows) {
    if (batchRows_ < 1 || batchRows_ > (std::size_t{1} << 24)) throw std::invalid_argument("rowGroupRows: must be from 1 to 2^24");
    staged_.resize(columns_.size());
    validity_.resize(columns_.size());
    for (std::size_t c = 0; c < columns_.size(); ++c) {
      staged_[c].resize(batchRows_ * (columns_[c].kind == ValueKind::Double ? 8 : 4));
      if (columns_[c].kind == ValueKind::String) validity_[c].resize((batchRows_ + 7) / 8);
    }
    nulls_.assign(columns_.size(), 0);
    sink_.write(kMagic, 8);
    {
      Builder b;
      write_message(message(b, kSchema, schema(b, columns_, nullptr), 0), {});
    }
    for (std::size_t c = 0; c < columns_.size(); ++c) {
      if (columns_[c].kind == ValueKind::String) write_dictionary(c);
    }
  }

  void append(const void* const* columns, std::size_t rows) override {
    std::size_t at = 0;
    while (at < rows) {
      const std::size_t take = std::min(rows - at, batchRows_ - filled_);
      for (std::size_t c = 0; c < columns_.size(); ++c) stage(c, columns[c], at, take);
      filled_ += take;
      at += take;
      if (filled_ == batchRows_) flush_batch();
    }
    rows_ += rows;
  }

  void finish(const KeyValues& metadata) override {
    if (filled_ > 0) flush_batch();
    const std::uint32_t eos[2] = {0xFFFFFFFFu, 0};
    sink_.write(eos, 8);
    Builder b;
    const Ref s = schema(b, columns_, &metadata);
    const Ref dictionaries = b.vector_of_structs(blocks_bytes(dictionaryBlocks_), 24, 8);
    const Ref batches = b.vector_of_structs(blocks_bytes(batchBlocks_), 24, 8);
    b.start_table();
    b.add_scalar<std::int16_t>(0, kMetadataV5);
    b.add_ref(1, s);
    b.add_ref(2, dictionaries);
    b.add_ref(3, batches);
    const std::vector<std::uint8_t> footer = b.finish(b.end_table());
    sink_.write(footer);
    const auto length = static_cast<std::int32_t>(footer.size());
    sink_.write(&length, 4);
    sink_.write(kMagic, 6);
    sink_.close();
  }

  void close() override { sink_.abandon(); }
  std::uint64_t rows_written() const override { return rows_; }

 private:
  static std::vector<std::uint8_t> blocks_bytes(const std::vector<Block>& blocks) {
    std::vector<std::uint8_t> out;
    for (const Block& k : blocks) {
      Body::append(out, k.offset);
      Body::append(out, k.metadataLength);
      Body::append(out, std::int32_t{0});  // padding
      Body::append(out, k.bodyLength);
    }
    return out;
  }

  // Continuation marker, metadata length, the flatbuffer (padded to 8), then the body.
  Block write_message(const std::vector<std::uint8_t>& flatbuffer, const Body& body) {
    Block block{static_cast<std::int64_t>(sink_.position()), 0, static_cast<std::int64_t>(body.length)};
    const std::size_t size = padded(flatbuffer.size());
    const std::uint32_t prefix[2] = {0xFFFFFFFFu, static_cast<std::uint32_t>(size)};
    sink_.write(prefix, 8);
    sink_.write(flatbuffer);
    static const std::uint8_t zeros[8] = {};
    sink_.write(zeros, size - flatbuffer.size());
    block.metadataLength = static_cast<std::int32_t>(8 + size);
    for (const Body::Piece& p : body.pieces) {
      sink_.write(p.data, p.size);
      sink_.write(zeros, padded(p.size) - p.size);
    }
    return block;
  }

  void write_dictionary(std::size_t c) {
    const auto& labels = columns_[c].labels;
    std::vector<std::int32_t> offsets(labels.size() + 1, 0);
    std::string data;
    for (std::size_t i = 0; i < labels.size(); ++i) {
      data += labels[i];
      offsets[i + 1] = static_cast<std::int32_t>(data.size());
    }
    Body body;
    body.node(static_cast<std::int64_t>(labels.size()), 0);
    body.buffer(nullptr, 0);
    body.buffer(offsets.data(), offsets.size() * 4);
    body.buffer(data.data(), data.size());
    Builder b;
    const Ref batch = record_batch(b, static_cast<std::int64_t>(labels.size()), body);
    b.start_table();
    b.add_scalar<std::int64_t>(0, static_cast<std::int64_t>(c));
    b.add_ref(1, batch);
    b.add_scalar<std::uint8_t>(2, 0);  // not a delta
    const Ref header = b.end_table();
    dictionaryBlocks_.push_back(write_message(message(b, kDictionaryBatch, header, static_cast<std::int64_t>(body.length)), body));
  }

  template <typename S, typename T>
  static void convert(const void* source, std::size_t from, std::size_t n, T* dst) {
    const S* src = static_cast<const S*>(source) + from;
    for (std::size_t i = 0; i < n; ++i) {
      const S v = src[i];
      if constexpr (std::is_same_v<T, std::int32_t> && std::is_floating_point_v<S>) {
        dst[i] = std::isfinite(v) && v >= -2147483648.0 && v <= 2147483647.0 ? static_cast<std::int32_t>(v) : 0;
      } else {
        dst[i] = static_cast<T>(v);
      }
    }
  }
  template <typename T>
  static void convert_any(Storage storage, const void* source, std::size_t from, std::size_t n, T* dst) {
    switch (storage) {
      case Storage::F64: convert<double>(source, from, n, dst); break;
      case Storage::I32: convert<std::int32_t>(source, from, n, dst); break;
      case Storage::U32: convert<std::uint32_t>(source, from, n, dst); break;
      case Storage::U8: convert<std::uint8_t>(source, from, n, dst); break;
    }
  }

  void stage(std::size_t c, const void* source, std::size_t from, std::size_t n) {
    const ColumnSpec& spec = columns_[c];
    if (spec.kind == ValueKind::Double) {
      convert_any(spec.storage, source, from, n, reinterpret_cast<double*>(staged_[c].data()) + filled_);
    } else if (spec.kind == ValueKind::Int32) {
      convert_any(spec.storage, source, from, n, reinterpret_cast<std::int32_t*>(staged_[c].data()) + filled_);
    } else {
      const std::uint32_t* src = static_cast<const std::uint32_t*>(source) + from;
      auto* dst = reinterpret_cast<std::int32_t*>(staged_[c].data()) + filled_;
      std::uint8_t* valid = validity_[c].data();
      const std::size_t labels = spec.labels.size();
      for (std::size_t i = 0; i < n; ++i) {
        const std::uint32_t code = src[i];  // read once
        const std::size_t row = filled_ + i;
        const std::uint8_t bit = static_cast<std::uint8_t>(1u << (row & 7));
        if (code < labels) {
          dst[i] = static_cast<std::int32_t>(code);
          valid[row >> 3] |= bit;
        } else {
          dst[i] = 0;
          valid[row >> 3] &= static_cast<std::uint8_t>(~bit);
          nulls_[c] += 1;
        }
      }
    }
  }

  void flush_batch() {
    const std::size_t n = filled_;
    Body body;
    for (std::size_t c = 0; c < columns_.size(); ++c) {
      const bool string = columns_[c].kind == ValueKind::String;
      body.node(static_cast<std::int64_t>(n), string ? nulls_[c] : 0);
      if (string && nulls_[c] > 0) {
        // Bits past the last row must be zero.
        if (n % 8) validity_[c][n / 8] &= static_cast<std::uint8_t>((1u << (n % 8)) - 1);
        body.buffer(validity_[c].data(), (n + 7) / 8);
      } else {
        body.buffer(nullptr, 0);
      }
      body.buffer(staged_[c].data(), n * (columns_[c].kind == ValueKind::Double ? 8 : 4));
    }
    Builder b;
    const Ref batch = record_batch(b, static_cast<std::int64_t>(n), body);
    batchBlocks_.push_back(write_message(message(b, kRecordBatch, batch, static_cast<std::int64_t>(body.length)), body));
    filled_ = 0;
    std::fill(nulls_.begin(), nulls_.end(), 0);
  }

  FileSink sink_;
  std::vector<ColumnSpec> columns_;
  std::size_t batchRows_;
  std::vector<std::vector<std::uint8_t>> staged_, validity_;
  std::vector<std::int64_t> nulls_;
  std::size_t filled_ = 0;
  std::uint64_t rows_ = 0;
  std::vector<Block> dictionaryBlocks_, batchBlocks_;
};

}  // namespace

std::unique_ptr<TableWriter> make_arrow_writer(const std::string& path, std::vector<ColumnSpec> columns, const WriterOptions& options) {
  return std::make_unique<ArrowWriter>(path, std::move(columns), options);
}

}  // namespace linkcap::table
