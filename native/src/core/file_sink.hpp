// A file being written by a table writer: large writes straight to the file, small ones gathered first, and
// every failure (disk full, I/O error) an exception naming the file.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

namespace linkcap::table {

class FileSink {
 public:
  explicit FileSink(const std::string& path);
  ~FileSink();
  FileSink(const FileSink&) = delete;
  FileSink& operator=(const FileSink&) = delete;

  void write(const void* data, std::size_t size);
  void write(const std::vector<std::uint8_t>& bytes) { write(bytes.data(), bytes.size()); }
  // Bytes written so far (the offset of the next byte).
  std::uint64_t position() const { return position_; }
  // Flushes and closes; throws if the data could not be written. Idempotent.
  void close();
  // Closes without reporting errors (the file is being abandoned).
  void abandon();

 private:
  void flush_small();
  [[noreturn]] void fail(const char* what);
  std::string path_;
  std::FILE* file_ = nullptr;
  std::vector<std::uint8_t> small_;
  std::uint64_t position_ = 0;
};

}  // namespace linkcap::table
