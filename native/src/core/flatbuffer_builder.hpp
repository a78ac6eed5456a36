// A minimal FlatBuffers builder, enough for Arrow IPC metadata (Schema, Message, Footer): tables with scalar,
// offset and union fields, strings, vectors of offsets and of structs. It follows the FlatBuffers binary
// format (flatbuffers.dev, "Internals"): the buffer is built back to front, so an object is referred to by its
// distance from the end of the buffer until finish() fixes the layout; tables point to their vtables with a
// signed offset, fields are located through the vtable, uoffsets point forward.
#pragma once

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <stdexcept>
#include <string_view>
#include <utility>
#include <vector>

namespace linkcap::flatbuffers {

// An object's position: its distance from the end of the buffer.
using Ref = std::uint32_t;

class Builder {
 public:
  Builder() : buf_(256), head_(buf_.size()) {}

  // --- raw ---------------------------------------------------------------------------------------------------
  std::uint32_t size() const { return static_cast<std::uint32_t>(buf_.size() - head_); }

  void pad(std::size_t n) {
    reserve(n);
    head_ -= n;
    std::memset(buf_.data() + head_, 0, n);
  }
  // Pads so that the next `bytes` bytes prepended end aligned to `alignment`.
  void align(std::size_t bytes, std::size_t alignment) {
    max_align_ = std::max(max_align_, alignment);
    pad((alignment - ((size() + bytes) % alignment)) % alignment);
  }
  void push(const void* data, std::size_t n) {
    reserve(n);
    head_ -= n;
    std::memcpy(buf_.data() + head_, data, n);
  }
  template <typename T>
  void push_scalar(T v) {
    align(sizeof(T), sizeof(T));
    push(&v, sizeof v);
  }
  // A uoffset to `target`, prepended here.
  void push_ref(Ref target) {
    align(4, 4);
    const std::uint32_t offset = size() + 4 - target;
    push(&offset, 4);
  }

  // --- strings and vectors -----------------------------------------------------------------------------------
  Ref string(std::string_view s) {
    align(s.size() + 1 + 4, 4);
    pad(1);  // the terminating zero
    push(s.data(), s.size());
    const auto length = static_cast<std::uint32_t>(s.size());
    push(&length, 4);
    return size();
  }
  Ref vector_of_refs(const std::vector<Ref>& refs) {
    align(4 * refs.size() + 4, 4);
    for (std::size_t i = refs.size(); i-- > 0;) push_ref(refs[i]);
    const auto count = static_cast<std::uint32_t>(refs.size());
    push(&count, 4);
    return size();
  }
  // A vector of structs of `structSize` bytes each (already laid out, little-endian, padded), aligned to `alignment`.
  Ref vector_of_structs(const std::vector<std::uint8_t>& bytes, std::size_t structSize, std::size_t alignment) {
    const std::size_t count = structSize ? bytes.size() / structSize : 0;
    align(bytes.size(), std::max<std::size_t>(alignment, 4));
    push(bytes.data(), bytes.size());
    align(4, 4);
    const auto n = static_cast<std::uint32_t>(count);
    push(&n, 4);
    return size();
  }

  // --- tables --------------------------------------------------------------------------------------------------
  void start_table() {
    fields_.clear();
    tableEnd_ = size();
  }
  template <typename T>
  void add_scalar(std::uint16_t id, T v) {
    push_scalar(v);
    fields_.emplace_back(id, size());
  }
  void add_ref(std::uint16_t id, Ref target) {
    push_ref(target);
    fields_.emplace_back(id, size());
  }
  Ref end_table() {
    // The table starts with its soffset to the vtable.
    align(4, 4);
    const std::int32_t placeholder = 0;
    push(&placeholder, 4);
    const Ref table = size();
    std::uint16_t fieldCount = 0;
    for (const auto& f : fields_) fieldCount = std::max<std::uint16_t>(fieldCount, static_cast<std::uint16_t>(f.first + 1));
    std::vector<std::uint16_t> vtable(2 + fieldCount, 0);
    vtable[0] = static_cast<std::uint16_t>(2 * vtable.size());
    vtable[1] = static_cast<std::uint16_t>(table - tableEnd_);
    for (const auto& [id, at] : fields_) vtable[2 + id] = static_cast<std::uint16_t>(table - at);
    align(2 * vtable.size(), 2);
    push(vtable.data(), 2 * vtable.size());
    const Ref vt = size();
    // soffset = table address − vtable address (the vtable sits just before the table).
    const std::int32_t soffset = static_cast<std::int32_t>(vt) - static_cast<std::int32_t>(table);
    std::memcpy(buf_.data() + buf_.size() - table, &soffset, 4);
    return table;
  }

  // The finished buffer: the root uoffset, then everything built; its size a multiple of 8.
  std::vector<std::uint8_t> finish(Ref root) {
    align(4, std::max<std::size_t>(max_align_, 8));
    push_ref(root);
    return std::vector<std::uint8_t>(buf_.begin() + static_cast<std::ptrdiff_t>(head_), buf_.end());
  }

 private:
  void reserve(std::size_t n) {
    if (head_ >= n) return;
    const std::size_t used = buf_.size() - head_;
    std::size_t capacity = buf_.size();
    while (capacity - used < n) capacity *= 2;
    std::vector<std::uint8_t> grown(capacity);
    std::memcpy(grown.data() + capacity - used, buf_.data() + head_, used);
    buf_ = std::move(grown);
    head_ = capacity - used;
  }

  std::vector<std::uint8_t> buf_;
  std::size_t head_;
  std::size_t max_align_ = 1;
  std::vector<std::pair<std::uint16_t, Ref>> fields_;
  Ref tableEnd_ = 0;
};

}  // namespace linkcap::flatbuffers
