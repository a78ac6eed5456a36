// Parquet's value encodings that the writer uses (parquet-format, Encodings.md): the RLE / bit-packing hybrid
// (dictionary indices and definition levels) and dictionaries of numbers built on the fly.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <vector>

namespace linkcap::table::parquet {

// Bits needed for values 0 … maxValue (at least 1: some readers refuse a bit width of 0).
inline int bit_width(std::uint64_t maxValue) {
  int bits = 1;
  while (bits < 32 && (maxValue >> bits) != 0) ++bits;
  return bits;
}

inline void put_varint(std::vector<std::uint8_t>& out, std::uint64_t v) {
  while (v >= 0x80) {
    out.push_back(static_cast<std::uint8_t>(v | 0x80));
    v >>= 7;
  }
  out.push_back(static_cast<std::uint8_t>(v));
}

// The RLE / bit-packing hybrid of `values` (each < 2^width), appended to `out` without a length prefix.
// Runs of 8 or more equal values become RLE runs; everything else is bit-packed in groups of 8, at most 63
// groups per literal run (so each run header is one byte, as Arrow's encoder writes them). The last literal
// run is padded with zeros to a whole group; readers stop at the page's value count.
class HybridEncoder {
 public:
  HybridEncoder(std::vector<std::uint8_t>& out, int width) : out_(out), width_(width), valueBytes_((width + 7) / 8) {}

  void encode(const std::uint32_t* v, std::size_t n) {
    std::size_t literal = 0;  // first value not yet written
    std::size_t i = 0;
    while (i < n) {
      std::size_t j = i + 1;
      while (j < n && v[j] == v[i]) ++j;
      std::size_t run = j - i;
      if (run >= 8) {
        // The pending literal values must fill whole groups: lend them the first values of the run.
        const std::size_t pending = i - literal;
        if (pending % 8 != 0) {
          const std::size_t lend = 8 - pending % 8;
          i += lend;
          run -= lend;
        }
        if (run >= 8) {
          literal_run(v + literal, i - literal);
          rle_run(v[i], run);
          literal = j;
        }
      }
      i = j;
    }
    literal_run(v + literal, n - literal);
  }

 private:
  void rle_run(std::uint32_t value, std::size_t count) {
    put_varint(out_, static_cast<std::uint64_t>(count) << 1);
    for (int b = 0; b < valueBytes_; ++b) out_.push_back(static_cast<std::uint8_t>(value >> (8 * b)));
  }
  // Bit-packed runs of at most 63 groups; `count` is a multiple of 8 except at the end of the data.
  void literal_run(const std::uint32_t* v, std::size_t count) {
    while (count > 0) {
      const std::size_t take = count < 504 ? count : 504;
      const std::size_t groups = (take + 7) / 8;
      out_.push_back(static_cast<std::uint8_t>((groups << 1) | 1));
      std::uint64_t acc = 0;
      int bits = 0;
      for (std::size_t k = 0; k < groups * 8; ++k) {
        const std::uint64_t value = k < take ? v[k] : 0;
        acc |= value << bits;
        bits += width_;
        while (bits >= 8) {
          out_.push_back(static_cast<std::uint8_t>(acc));
          acc >>= 8;
          bits -= 8;
        }
      }
      v += take;
      count -= take;
    }
  }

  std::vector<std::uint8_t>& out_;
  int width_;
  int valueBytes_;
};

// A dictionary of the distinct bit patterns of a column chunk, in order of first appearance, with each value's
// index; gives up past `limit` entries. T is std::int32_t or double (compared by bits: -0 and 0, or two NaNs
// with different payloads, stay distinct, so decoding gives back the very bits written).
template <typename T>
class NumberDictionary {
 public:
  using Bits = std::conditional_t<sizeof(T) == 8, std::uint64_t, std::uint32_t>;

  // Builds the dictionary of values[0, n) and their indices; false when it would pass `limit` entries.
  bool build(const T* values, std::size_t n, std::size_t limit, std::vector<std::uint32_t>& indices) {
    entries_.clear();
    std::size_t slots = 16;
    while (slots < 2 * limit) slots <<= 1;
    mask_ = slots - 1;
    table_.assign(slots, Slot{0, kEmpty});
    indices.resize(n);
    Bits previous = 0;
    std::uint32_t previousIndex = kEmpty;
    for (std::size_t i = 0; i < n; ++i) {
      Bits bits;
      std::memcpy(&bits, &values[i], sizeof bits);
      if (bits == previous && previousIndex != kEmpty) {
        indices[i] = previousIndex;
        continue;
      }
      std::size_t s = hash(bits) & mask_;
      while (table_[s].index != kEmpty && table_[s].bits != bits) s = (s + 1) & mask_;
      if (table_[s].index == kEmpty) {
        if (entries_.size() == limit) return false;
        table_[s] = Slot{bits, static_cast<std::uint32_t>(entries_.size())};
        entries_.push_back(values[i]);
      }
      previous = bits;
      previousIndex = table_[s].index;
      indices[i] = previousIndex;
    }
    return true;
  }
  const std::vector<T>& entries() const { return entries_; }

 private:
  static constexpr std::uint32_t kEmpty = 0xFFFFFFFFu;
  struct Slot {
    Bits bits;
    std::uint32_t index;
  };
  static std::size_t hash(std::uint64_t x) {
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdULL;
    x ^= x >> 33;
    return static_cast<std::size_t>(x);
  }
  std::vector<Slot> table_;
  std::vector<T> entries_;
  std::size_t mask_ = 0;
};

}  // namespace linkcap::table::parquet
