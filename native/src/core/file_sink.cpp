#include "file_sink.hpp"

#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace linkcap::table {
namespace {
// Writes smaller than this are gathered (page headers, footers); larger ones go to the file directly.
constexpr std::size_t kSmall = 64 * 1024;
}  // namespace

FileSink::FileSink(const std::string& path) : path_(path) {
  file_ = std::fopen(path.c_str(), "wb");
  if (!file_) fail("cannot create");
  // The sink gathers small writes itself; stdio's own buffer would only copy large ones once more.
  std::setvbuf(file_, nullptr, _IONBF, 0);
  small_.reserve(kSmall);
}

FileSink::~FileSink() { abandon(); }

void FileSink::fail(const char* what) {
  const int code = errno;
  throw std::runtime_error(path_ + ": " + what + (code ? std::string(": ") + std::strerror(code) : std::string()));
}

void FileSink::flush_small() {
  if (small_.empty()) return;
  errno = 0;
  if (std::fwrite(small_.data(), 1, small_.size(), file_) != small_.size()) fail("write failed");
  small_.clear();
}

void FileSink::write(const void* data, std::size_t size) {
  if (!file_) throw std::runtime_error(path_ + ": already closed");
  position_ += size;
  if (small_.size() + size <= kSmall) {
    const auto* p = static_cast<const std::uint8_t*>(data);
    small_.insert(small_.end(), p, p + size);
    return;
  }
  flush_small();
  errno = 0;
  if (std::fwrite(data, 1, size, file_) != size) fail("write failed");
}

void FileSink::close() {
  if (!file_) return;
  flush_small();
  std::FILE* f = file_;
  file_ = nullptr;
  errno = 0;
  if (std::fclose(f) != 0) fail("close failed");
}

void FileSink::abandon() {
  if (!file_) return;
  std::fclose(file_);
  file_ = nullptr;
  small_.clear();
}

}  // namespace linkcap::table
