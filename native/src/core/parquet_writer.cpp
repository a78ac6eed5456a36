// Parquet, written directly (parquet-format 2.x, data pages v1, uncompressed): why by hand is in
// BENCHMARKS.md "Writing the results" (no library measured reached the 5M rows/s aim; this writes near the
// speed of copying the bytes). Layout per row group, column by column:
//  - doubles and 32-bit integers: a dictionary page and an RLE_DICTIONARY data page when the chunk has few
//    distinct values (axes such as sizes, GPU counts, statuses), else one PLAIN data page: the raw
//    little-endian values, written straight from the staging buffer;
//  - strings: OPTIONAL UTF8, a dictionary page of the column's labels and an RLE_DICTIONARY data page with
//    RLE definition levels (nulls where the code is not a label).
// Each column chunk carries min/max statistics (min_value/max_value, TypeDefinedOrder, NaN left out as the
// specification asks) computed while the rows are staged, and the footer carries the caller's key-value metadata.
// Row groups hold exactly options.rowGroupRows rows (the last one fewer) whatever the chunks appended, so the
// same rows give the same file.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <numeric>
#include <stdexcept>
#include <string_view>

#include "file_sink.hpp"
#include "parquet_encoding.hpp"
#include "parquet_writer.hpp"
#include "thrift_compact.hpp"

namespace linkcap::table {
namespace {

using thrift::CompactWriter;
using thrift::Type;

// parquet.thrift enums.
enum PhysicalType : std::int32_t { kInt32 = 1, kDouble = 5, kByteArray = 6 };
enum Encoding : std::int32_t { kPlain = 0, kRle = 3, kRleDictionary = 8 };
enum PageType : std::int32_t { kDataPage = 0, kDictionaryPage = 2 };
enum Repetition : std::int32_t { kRequired = 0, kOptional = 1 };
constexpr std::int32_t kConvertedUtf8 = 0;
constexpr std::int32_t kUncompressed = 0;

// Numeric chunks with at most this many distinct values are dictionary-encoded (when that is smaller).
constexpr std::size_t kMaxNumberDictionary = 4096;

const char kMagic[4] = {'P', 'A', 'R', '1'};

// What the footer needs of one column chunk.
struct ChunkMeta {
  std::vector<std::int32_t> encodings;
  std::int64_t numValues = 0;
  std::int64_t size = 0;  // uncompressed = compressed
  std::int64_t dataPageOffset = 0;
  std::int64_t dictionaryPageOffset = -1;
  std::int64_t nullCount = 0;
  bool hasMinMax = false;
  std::string min, max;  // plain-encoded statistic values
};

struct RowGroupMeta {
  std::vector<ChunkMeta> chunks;
  std::int64_t rows = 0;
  std::int64_t offset = 0;
  std::int64_t size = 0;
};

template <typename T>
std::string bytes_of(T v) {
  std::string s(sizeof v, '\0');
  std::memcpy(s.data(), &v, sizeof v);
  return s;
}

// One column's staging buffer for the row group being filled, and its running statistics.
struct StagedColumn {
  ColumnSpec spec;
  std::vector<double> doubles;
  std::vector<std::int32_t> ints;
  std::vector<std::uint32_t> codes;  // strings: label index, or kNull
  double minDouble = std::numeric_limits<double>::infinity();
  double maxDouble = -std::numeric_limits<double>::infinity();
  std::int32_t minInt = std::numeric_limits<std::int32_t>::max();
  std::int32_t maxInt = std::numeric_limits<std::int32_t>::min();
  std::uint32_t minRank = 0xFFFFFFFFu, maxRank = 0;  // strings: ranks of the smallest and largest label used
  std::int64_t nulls = 0;
  std::vector<std::uint32_t> rank;     // strings: each label's rank in byte order
  std::vector<std::uint32_t> byRank;   // strings: label index of each rank
  std::vector<std::uint8_t> dictionaryPage;  // strings: the labels, PLAIN (the same for every row group)

  void reset_stats() {
    minDouble = std::numeric_limits<double>::infinity();
    maxDouble = -std::numeric_limits<double>::infinity();
    minInt = std::numeric_limits<std::int32_t>::max();
    maxInt = std::numeric_limits<std::int32_t>::min();
    minRank = 0xFFFFFFFFu;
    maxRank = 0;
    nulls = 0;
  }
};

constexpr std::uint32_t kNull = 0xFFFFFFFFu;

// Value of a storage element as a double or an int (the kinds' conversions).
template <typename S>
inline double as_double(S v) {
  return static_cast<double>(v);
}
template <typename S>
inline std::int32_t as_int(S v) {
  if constexpr (std::is_floating_point_v<S>) {
    return std::isfinite(v) && v >= -2147483648.0 && v <= 2147483647.0 ? static_cast<std::int32_t>(v) : 0;
  } else {
    return static_cast<std::int32_t>(v);
  }
}

template <typename S>
void stage_doubles(StagedColumn& c, const S* src, std::size_t at, std::size_t n) {
  double* dst = c.doubles.data() + at;
  double mn = c.minDouble, mx = c.maxDouble;
  for (std::size_t i = 0; i < n; ++i) {
    const double v = as_double(src[i]);
    dst[i] = v;
    mn = v < mn ? v : mn;  // NaN compares false: left out of the statistics
    mx = v > mx ? v : mx;
  }
  c.minDouble = mn;
  c.maxDouble = mx;
}

template <typename S>
void stage_ints(StagedColumn& c, const S* src, std::size_t at, std::size_t n) {
  std::int32_t* dst = c.ints.data() + at;
  std::int32_t mn = c.minInt, mx = c.maxInt;
  for (std::size_t i = 0; i < n; ++i) {
    const std::int32_t v = as_int(src[i]);
    dst[i] = v;
    mn = v < mn ? v : mn;
    mx = v > mx ? v : mx;
  }
  c.minInt = mn;
  c.maxInt = mx;
}

void stage_codes(StagedColumn& c, const std::uint32_t* src, std::size_t at, std::size_t n) {
  std::uint32_t* dst = c.codes.data() + at;
  const std::size_t labels = c.spec.labels.size();
  std::uint32_t previous = kNull;
  for (std::size_t i = 0; i < n; ++i) {
    const std::uint32_t code = src[i];  // read once: the caller's memory may change under us
    if (code >= labels) {
      dst[i] = kNull;
      c.nulls += 1;
      continue;
    }
    dst[i] = code;
    if (code == previous) continue;
    previous = code;
    const std::uint32_t r = c.rank[code];
    c.minRank = std::min(c.minRank, r);
    c.maxRank = std::max(c.maxRank, r);
  }
}

class ParquetWriter final : public TableWriter {
 public:
  ParquetWriter(const std::string& path, std::vector<ColumnSpec> columns, const WriterOptions& options)
      : sink_(path), groupRows_(options.rowGroupRows), createdBy_(options.createdBy) {
    if (groupRows_ < 1 || groupRows_ > (std::size_t{1} << 24)) throw std::invalid_argument("rowGroupRows: must be from 1 to 2^24");
    for (ColumnSpec& spec : columns) {
      StagedColumn c;
      c.spec = std::move(spec);
      switch (c.spec.kind) {
        case ValueKind::Double: c.doubles.resize(groupRows_); break;
        case ValueKind::Int32: c.ints.resize(groupRows_); break;
        case ValueKind::String: {
          if (c.spec.storage != Storage::U32) throw std::invalid_argument(c.spec.name + ": a string column holds Uint32 codes");
          c.codes.resize(groupRows_);
          const auto& labels = c.spec.labels;
          c.byRank.resize(labels.size());
          std::iota(c.byRank.begin(), c.byRank.end(), 0u);
          // Byte order of UTF-8 (unsigned bytes): the order Parquet's statistics of strings use.
          std::stable_sort(c.byRank.begin(), c.byRank.end(), [&](std::uint32_t a, std::uint32_t b) {
            return std::string_view(labels[a]) < std::string_view(labels[b]);
          });
          c.rank.resize(labels.size());
          for (std::uint32_t r = 0; r < c.byRank.size(); ++r) c.rank[c.byRank[r]] = r;
          for (const std::string& label : labels) {
            const auto length = static_cast<std::uint32_t>(label.size());
            const auto* p = reinterpret_cast<const std::uint8_t*>(&length);
            c.dictionaryPage.insert(c.dictionaryPage.end(), p, p + 4);
            c.dictionaryPage.insert(c.dictionaryPage.end(), label.begin(), label.end());
          }
          break;
        }
      }
      columns_.push_back(std::move(c));
    }
    sink_.write(kMagic, 4);
  }

  void append(const void* const* columns, std::size_t rows) override {
    std::size_t at = 0;
    while (at < rows) {
      const std::size_t take = std::min(rows - at, groupRows_ - filled_);
      for (std::size_t c = 0; c < columns_.size(); ++c) stage(columns_[c], columns[c], at, take);
      filled_ += take;
      at += take;
      if (filled_ == groupRows_) flush_row_group();
    }
    rows_ += rows;
  }

  void finish(const KeyValues& metadata) override {
    if (filled_ > 0) flush_row_group();
    write_footer(metadata);
    sink_.close();
  }

  void close() override { sink_.abandon(); }
  std::uint64_t rows_written() const override { return rows_; }

 private:
  void stage(StagedColumn& c, const void* source, std::size_t from, std::size_t n) {
    const std::size_t at = filled_;
    switch (c.spec.kind) {
      case ValueKind::Double:
        switch (c.spec.storage) {
          case Storage::F64: stage_doubles(c, static_cast<const double*>(source) + from, at, n); break;
          case Storage::I32: stage_doubles(c, static_cast<const std::int32_t*>(source) + from, at, n); break;
          case Storage::U32: stage_doubles(c, static_cast<const std::uint32_t*>(source) + from, at, n); break;
          case Storage::U8: stage_doubles(c, static_cast<const std::uint8_t*>(source) + from, at, n); break;
        }
        break;
      case ValueKind::Int32:
        switch (c.spec.storage) {
          case Storage::F64: stage_ints(c, static_cast<const double*>(source) + from, at, n); break;
          case Storage::I32: stage_ints(c, static_cast<const std::int32_t*>(source) + from, at, n); break;
          case Storage::U32: stage_ints(c, static_cast<const std::uint32_t*>(source) + from, at, n); break;
          case Storage::U8: stage_ints(c, static_cast<const std::uint8_t*>(source) + from, at, n); break;
        }
        break;
      case ValueKind::String: stage_codes(c, static_cast<const std::uint32_t*>(source) + from, at, n); break;
    }
  }

  // A page: its header (Thrift) then its body, written at the sink's position.
  std::int64_t write_page(PageType type, std::size_t numValues, std::int32_t encoding, const void* body, std::size_t size,
                          ChunkMeta& meta) {
    if (size > static_cast<std::size_t>(std::numeric_limits<std::int32_t>::max())) throw std::runtime_error("a Parquet page passes 2 GiB");
    const auto offset = static_cast<std::int64_t>(sink_.position());
    CompactWriter& w = header_;
    w.clear();
    w.begin_struct();
    w.field_i32(1, type);
    w.field_i32(2, static_cast<std::int32_t>(size));
    w.field_i32(3, static_cast<std::int32_t>(size));
    if (type == kDataPage) {
      w.field_struct(5);
      w.field_i32(1, static_cast<std::int32_t>(numValues));
      w.field_i32(2, encoding);
      w.field_i32(3, kRle);
      w.field_i32(4, kRle);
      w.end_struct();
    } else {
      w.field_struct(7);
      w.field_i32(1, static_cast<std::int32_t>(numValues));
      w.field_i32(2, kPlain);
      w.end_struct();
    }
    w.end_struct();
    sink_.write(w.bytes());
    sink_.write(body, size);
    meta.size += static_cast<std::int64_t>(w.bytes().size() + size);
    return offset;
  }

  // A dictionary-encoded data page body: [definition levels], bit width, hybrid indices.
  void dictionary_body(const std::uint32_t* indices, std::size_t n, std::size_t dictionarySize, const std::vector<std::uint32_t>* levels) {
    body_.clear();
    if (levels) {
      body_.resize(4);
      parquet::HybridEncoder(body_, 1).encode(levels->data(), levels->size());
      const auto length = static_cast<std::uint32_t>(body_.size() - 4);
      std::memcpy(body_.data(), &length, 4);
    }
    const int width = parquet::bit_width(dictionarySize > 0 ? dictionarySize - 1 : 0);
    body_.push_back(static_cast<std::uint8_t>(width));
    parquet::HybridEncoder(body_, width).encode(indices, n);
  }

  template <typename T>
  void write_number_chunk(const T* values, std::size_t n, ChunkMeta& meta) {
    parquet::NumberDictionary<T>& dictionary = dictionaryOf(values);
    const bool dict = n >= 16 && dictionary.build(values, n, std::min(kMaxNumberDictionary, n / 4), indices_);
    if (dict) {
      const auto& entries = dictionary.entries();
      dictionary_body(indices_.data(), n, entries.size(), nullptr);
      // Smaller than the plain values (it nearly always is, with at most n/4 entries)?
      if (entries.size() * sizeof(T) + body_.size() < n * sizeof(T)) {
        meta.dictionaryPageOffset = write_page(kDictionaryPage, entries.size(), kPlain, entries.data(), entries.size() * sizeof(T), meta);
        meta.dataPageOffset = write_page(kDataPage, n, kRleDictionary, body_.data(), body_.size(), meta);
        meta.encodings = {kPlain, kRle, kRleDictionary};
        return;
      }
    }
    meta.dataPageOffset = write_page(kDataPage, n, kPlain, values, n * sizeof(T), meta);
    meta.encodings = {kPlain, kRle};
  }
  parquet::NumberDictionary<double>& dictionaryOf(const double*) { return doubleDictionary_; }
  parquet::NumberDictionary<std::int32_t>& dictionaryOf(const std::int32_t*) { return intDictionary_; }

  void flush_row_group() {
    const std::size_t n = filled_;
    RowGroupMeta group;
    group.rows = static_cast<std::int64_t>(n);
    group.offset = static_cast<std::int64_t>(sink_.position());
    for (StagedColumn& c : columns_) {
      ChunkMeta meta;
      meta.numValues = static_cast<std::int64_t>(n);
      switch (c.spec.kind) {
        case ValueKind::Double: {
          write_number_chunk(c.doubles.data(), n, meta);
          if (c.minDouble <= c.maxDouble) {
            meta.hasMinMax = true;
            // The specification's rule for zeros: a 0 minimum is written as -0, a 0 maximum as +0.
            meta.min = bytes_of(c.minDouble == 0 ? -0.0 : c.minDouble);
            meta.max = bytes_of(c.maxDouble == 0 ? 0.0 : c.maxDouble);
          }
          break;
        }
        case ValueKind::Int32: {
          write_number_chunk(c.ints.data(), n, meta);
          if (c.minInt <= c.maxInt) {
            meta.hasMinMax = true;
            meta.min = bytes_of(c.minInt);
            meta.max = bytes_of(c.maxInt);
          }
          break;
        }
        case ValueKind::String: {
          meta.nullCount = c.nulls;
          if (c.spec.labels.empty()) {
            // No dictionary to refer to: every value is null; a PLAIN page of definition levels only.
            levels_.assign(n, 0);
            body_.assign(4, 0);
            parquet::HybridEncoder(body_, 1).encode(levels_.data(), n);
            const auto length = static_cast<std::uint32_t>(body_.size() - 4);
            std::memcpy(body_.data(), &length, 4);
            meta.dataPageOffset = write_page(kDataPage, n, kPlain, body_.data(), body_.size(), meta);
            meta.encodings = {kPlain, kRle};
            break;
          }
          const std::vector<std::uint32_t>* levels = nullptr;
          const std::uint32_t* indices = c.codes.data();
          std::size_t count = n;
          if (c.nulls > 0) {
            levels_.resize(n);
            indices_.clear();
            for (std::size_t i = 0; i < n; ++i) {
              const bool present = c.codes[i] != kNull;
              levels_[i] = present ? 1 : 0;
              if (present) indices_.push_back(c.codes[i]);
            }
            indices = indices_.data();
            count = indices_.size();
          } else {
            levels_.assign(n, 1);
          }
          levels = &levels_;
          meta.dictionaryPageOffset =
              write_page(kDictionaryPage, c.spec.labels.size(), kPlain, c.dictionaryPage.data(), c.dictionaryPage.size(), meta);
          dictionary_body(indices, count, c.spec.labels.size(), levels);
          meta.dataPageOffset = write_page(kDataPage, n, kRleDictionary, body_.data(), body_.size(), meta);
          meta.encodings = {kPlain, kRle, kRleDictionary};
          if (c.minRank <= c.maxRank) {
            meta.hasMinMax = true;
            meta.min = c.spec.labels[c.byRank[c.minRank]];
            meta.max = c.spec.labels[c.byRank[c.maxRank]];
          }
          break;
        }
      }
      group.size += meta.size;
      group.chunks.push_back(std::move(meta));
      c.reset_stats();
    }
    groups_.push_back(std::move(group));
    filled_ = 0;
  }

  void write_footer(const KeyValues& metadata) {
    CompactWriter w;
    w.begin_struct();
    w.field_i32(1, 2);  // version
    // Schema: the root, then one leaf per column.
    w.field_list(2, Type::Struct, columns_.size() + 1);
    w.begin_struct();
    w.field_string(4, "schema");
    w.field_i32(5, static_cast<std::int32_t>(columns_.size()));
    w.end_struct();
    for (const StagedColumn& c : columns_) {
      w.begin_struct();
      const bool string = c.spec.kind == ValueKind::String;
      w.field_i32(1, string ? kByteArray : c.spec.kind == ValueKind::Int32 ? kInt32 : kDouble);
      w.field_i32(3, string ? kOptional : kRequired);
      w.field_string(4, c.spec.name);
      if (string) {
        w.field_i32(6, kConvertedUtf8);
        w.field_struct(10);  // logicalType: STRING
        w.field_struct(1);
        w.end_struct();
        w.end_struct();
      }
      w.end_struct();
    }
    std::int64_t rows = 0;
    for (const RowGroupMeta& g : groups_) rows += g.rows;
    w.field_i64(3, rows);
    w.field_list(4, Type::Struct, groups_.size());
    for (std::size_t gi = 0; gi < groups_.size(); ++gi) {
      const RowGroupMeta& g = groups_[gi];
      w.begin_struct();
      w.field_list(1, Type::Struct, g.chunks.size());
      for (std::size_t ci = 0; ci < g.chunks.size(); ++ci) {
        const ChunkMeta& m = g.chunks[ci];
        const StagedColumn& c = columns_[ci];
        const std::int64_t start = m.dictionaryPageOffset >= 0 ? m.dictionaryPageOffset : m.dataPageOffset;
        w.begin_struct();
        w.field_i64(2, start);
        w.field_struct(3);
        const bool string = c.spec.kind == ValueKind::String;
        w.field_i32(1, string ? kByteArray : c.spec.kind == ValueKind::Int32 ? kInt32 : kDouble);
        w.field_list(2, Type::I32, m.encodings.size());
        for (std::int32_t e : m.encodings) w.element_i32(e);
        w.field_list(3, Type::Binary, 1);
        w.element_string(c.spec.name);
        w.field_i32(4, kUncompressed);
        w.field_i64(5, m.numValues);
        w.field_i64(6, m.size);
        w.field_i64(7, m.size);
        w.field_i64(9, m.dataPageOffset);
        if (m.dictionaryPageOffset >= 0) w.field_i64(11, m.dictionaryPageOffset);
        w.field_struct(12);  // statistics
        w.field_i64(3, m.nullCount);
        if (m.hasMinMax) {
          w.field_binary(5, m.max.data(), m.max.size());
          w.field_binary(6, m.min.data(), m.min.size());
        }
        w.end_struct();
        w.end_struct();  // ColumnMetaData
        w.end_struct();  // ColumnChunk
      }
      w.field_i64(2, g.size);
      w.field_i64(3, g.rows);
      w.field_i64(5, g.offset);
      w.field_i64(6, g.size);
      w.field_i16(7, static_cast<std::int16_t>(std::min<std::size_t>(gi, 32767)));
      w.end_struct();
    }
    if (!metadata.empty()) {
      w.field_list(5, Type::Struct, metadata.size());
      for (const auto& [key, value] : metadata) {
        w.begin_struct();
        w.field_string(1, key);
        w.field_string(2, value);
        w.end_struct();
      }
    }
    w.field_string(6, createdBy_);
    // column_orders: TypeDefinedOrder for every column, so readers trust min_value/max_value.
    w.field_list(7, Type::Struct, columns_.size());
    for (std::size_t i = 0; i < columns_.size(); ++i) {
      w.begin_struct();
      w.field_struct(1);
      w.end_struct();
      w.end_struct();
    }
    w.end_struct();
    const auto length = static_cast<std::uint32_t>(w.bytes().size());
    sink_.write(w.bytes());
    sink_.write(&length, 4);
    sink_.write(kMagic, 4);
  }

  FileSink sink_;
  std::size_t groupRows_;
  std::string createdBy_;
  std::vector<StagedColumn> columns_;
  std::size_t filled_ = 0;
  std::uint64_t rows_ = 0;
  std::vector<RowGroupMeta> groups_;
  CompactWriter header_;
  std::vector<std::uint8_t> body_;
  std::vector<std::uint32_t> indices_, levels_;
  parquet::NumberDictionary<double> doubleDictionary_;
  parquet::NumberDictionary<std::int32_t> intDictionary_;
};

}  // namespace

std::unique_ptr<TableWriter> make_parquet_writer(const std::string& path, std::vector<ColumnSpec> columns, const WriterOptions& options) {
  return std::make_unique<ParquetWriter>(path, std::move(columns), options);
}

}  // namespace linkcap::table
