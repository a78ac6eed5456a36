// Little-endian byte streams for the reductions' saved state (a shard's state.bin, read back by `linkcap merge`).
// Reading checks every length against what is left, so a truncated or foreign file is an error, not a crash.
#pragma once

#include <cstdint>
#include <cstring>
#include <stdexcept>
#include <string>
#include <vector>

namespace linkcap::sweep {

class ByteWriter {
 public:
  void u64(std::uint64_t v) { put(&v, 8); }
  void i64(std::int64_t v) { put(&v, 8); }
  void f64(double v) { put(&v, 8); }
  void u32(std::uint32_t v) { put(&v, 4); }
  std::vector<std::uint8_t>& bytes() { return bytes_; }

 private:
  // resize + memcpy rather than insert: GCC 12 warns (wrongly) about insert into a new vector here.
  void put(const void* p, std::size_t n) {
    const std::size_t at = bytes_.size();
    bytes_.resize(at + n);
    std::memcpy(bytes_.data() + at, p, n);
  }
  std::vector<std::uint8_t> bytes_;
};

class ByteReader {
 public:
  ByteReader(const std::uint8_t* data, std::size_t size) : data_(data), size_(size) {}
  std::uint64_t u64() { return get<std::uint64_t>(); }
  std::int64_t i64() { return get<std::int64_t>(); }
  double f64() { return get<double>(); }
  std::uint32_t u32() { return get<std::uint32_t>(); }
  // A count of items of `item_bytes` each that must fit in what is left.
  std::uint64_t length(std::size_t item_bytes) {
    const std::uint64_t n = u64();
    if (item_bytes != 0 && n > (size_ - at_) / item_bytes) fail("a length runs past the end");
    return n;
  }
  bool done() const { return at_ == size_; }
  [[noreturn]] static void fail(const std::string& why) {
    throw std::invalid_argument("sweep state: " + why + " (the file is truncated or was written by another version)");
  }

 private:
  template <class T>
  T get() {
    if (size_ - at_ < sizeof(T)) fail("unexpected end");
    T v;
    std::memcpy(&v, data_ + at_, sizeof(T));
    at_ += sizeof(T);
    return v;
  }
  const std::uint8_t* data_;
  std::size_t size_;
  std::size_t at_ = 0;
};

}  // namespace linkcap::sweep
