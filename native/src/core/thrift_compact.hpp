// Thrift's compact protocol, the write side only: what a Parquet footer and page headers are made of
// (parquet-format's parquet.thrift, encoded as the Thrift compact protocol specification describes:
// field headers as deltas of field ids, zigzag varints for integers, length-prefixed binaries).
//
// Usage: begin_struct / field_* / end_struct, with fields written in increasing id order inside each struct.
#pragma once

#include <cstdint>
#include <cstring>
#include <string_view>
#include <vector>

namespace linkcap::thrift {

// Compact protocol type codes (in field headers and list headers).
enum class Type : std::uint8_t {
  BoolTrue = 1,
  BoolFalse = 2,
  Byte = 3,
  I16 = 4,
  I32 = 5,
  I64 = 6,
  Double = 7,
  Binary = 8,
  List = 9,
  Set = 10,
  Map = 11,
  Struct = 12,
};

class CompactWriter {
 public:
  std::vector<std::uint8_t>& bytes() { return out_; }
  void clear() {
    out_.clear();
    last_.clear();
    last_.push_back(0);
  }
  CompactWriter() { last_.push_back(0); }

  // --- structs -------------------------------------------------------------------------------------------
  void begin_struct() { last_.push_back(0); }
  void end_struct() {
    out_.push_back(0);  // STOP
    last_.pop_back();
  }

  // --- fields --------------------------------------------------------------------------------------------
  void field_i32(std::int16_t id, std::int32_t v) {
    header(id, Type::I32);
    varint(zigzag32(v));
  }
  void field_i64(std::int16_t id, std::int64_t v) {
    header(id, Type::I64);
    varint(zigzag64(v));
  }
  void field_i16(std::int16_t id, std::int16_t v) {
    header(id, Type::I16);
    varint(zigzag32(v));
  }
  void field_bool(std::int16_t id, bool v) { header(id, v ? Type::BoolTrue : Type::BoolFalse); }
  void field_binary(std::int16_t id, const void* data, std::size_t size) {
    header(id, Type::Binary);
    binary(data, size);
  }
  void field_string(std::int16_t id, std::string_view s) { field_binary(id, s.data(), s.size()); }
  // A struct field: write its fields next, then end_struct().
  void field_struct(std::int16_t id) {
    header(id, Type::Struct);
    begin_struct();
  }
  // A list field of `count` elements of `element` type: write the elements next (structs with begin_struct /
  // end_struct each, numbers with element_i32 …).
  void field_list(std::int16_t id, Type element, std::size_t count) {
    header(id, Type::List);
    list_header(element, count);
  }

  // --- list elements -------------------------------------------------------------------------------------
  void element_i32(std::int32_t v) { varint(zigzag32(v)); }
  void element_string(std::string_view s) { binary(s.data(), s.size()); }

 private:
  void header(std::int16_t id, Type type) {
    const std::int16_t delta = static_cast<std::int16_t>(id - last_.back());
    if (delta > 0 && delta <= 15) {
      out_.push_back(static_cast<std::uint8_t>((delta << 4) | static_cast<std::uint8_t>(type)));
    } else {
      out_.push_back(static_cast<std::uint8_t>(type));
      varint(zigzag32(id));
    }
    last_.back() = id;
  }
  void list_header(Type element, std::size_t count) {
    if (count < 15) {
      out_.push_back(static_cast<std::uint8_t>((count << 4) | static_cast<std::uint8_t>(element)));
    } else {
      out_.push_back(static_cast<std::uint8_t>(0xF0 | static_cast<std::uint8_t>(element)));
      varint(count);
    }
  }
  void binary(const void* data, std::size_t size) {
    varint(size);
    const auto* p = static_cast<const std::uint8_t*>(data);
    out_.insert(out_.end(), p, p + size);
  }
  void varint(std::uint64_t v) {
    while (v >= 0x80) {
      out_.push_back(static_cast<std::uint8_t>(v | 0x80));
      v >>= 7;
    }
    out_.push_back(static_cast<std::uint8_t>(v));
  }
  static std::uint64_t zigzag32(std::int32_t v) {
    return static_cast<std::uint32_t>((static_cast<std::uint32_t>(v) << 1) ^ static_cast<std::uint32_t>(v >> 31));
  }
  static std::uint64_t zigzag64(std::int64_t v) {
    return (static_cast<std::uint64_t>(v) << 1) ^ static_cast<std::uint64_t>(v >> 63);
  }

  std::vector<std::uint8_t> out_;
  std::vector<std::int16_t> last_;  // last field id per open struct
};

}  // namespace linkcap::thrift
