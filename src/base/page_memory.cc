#include "base/page_memory.h"

#include <sys/mman.h>
#include <unistd.h>

#include <cstdint>

namespace flowonnx {

namespace {

size_t page_size() {
  static const size_t size = static_cast<size_t>(sysconf(_SC_PAGESIZE));
  return size;
}

size_t round_up(size_t value, size_t multiple) {
  return (value + multiple - 1) / multiple * multiple;
}

}  // namespace

void* map_pages(size_t bytes, size_t alignment) {
  const size_t length = round_up(bytes, page_size());
  // For a larger alignment, map that much more and unmap what lies before the first aligned
  // address and after the buffer (never touched, so it never counted as memory anyway).
  const size_t extra = alignment > page_size() ? alignment : 0;
  void* mapping = mmap(nullptr, length + extra, PROT_READ | PROT_WRITE,
                       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (mapping == MAP_FAILED) return nullptr;
  if (extra == 0) return mapping;
  const auto start = reinterpret_cast<uintptr_t>(mapping);
  const uintptr_t aligned = round_up(start, alignment);
  if (aligned > start) munmap(mapping, aligned - start);
  const uintptr_t end = start + length + extra;
  if (end > aligned + length)
    munmap(reinterpret_cast<void*>(aligned + length), end - aligned - length);
  return reinterpret_cast<void*>(aligned);
}

void unmap_pages(void* data, size_t bytes) { munmap(data, round_up(bytes, page_size())); }

}  // namespace flowonnx
