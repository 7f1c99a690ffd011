#include "kernels/cpu/huge_page_buffer.h"

#include <sys/mman.h>

#include <algorithm>
#include <new>

#include "base/page_memory.h"

namespace flowonnx::kernels {

namespace {
constexpr size_t kHugePage = size_t{2} << 20;
}  // namespace

HugePageBuffer::HugePageBuffer(size_t floats)
    : bytes_(std::max<size_t>(floats, 1) * sizeof(float)) {
  data_ = static_cast<float*>(map_pages(bytes_, kHugePage));
  if (!data_) throw std::bad_alloc();
  // Only whole huge pages: the advice on a partial one would let the kernel back all of its
  // 2 MiB once any byte of it is touched.
  const size_t whole = bytes_ / kHugePage * kHugePage;
  if (whole > 0) madvise(data_, whole, MADV_HUGEPAGE);  // advice only: failure changes nothing
}

HugePageBuffer::~HugePageBuffer() { unmap_pages(data_, bytes_); }

}  // namespace flowonnx::kernels
