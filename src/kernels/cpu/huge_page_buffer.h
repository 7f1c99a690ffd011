// Memory for large data that lives as long as a session and is read in full on every run
// (prepacked weights). Each buffer is its own mapping (base/page_memory.h), starting at a 2 MiB
// boundary, and the 2 MiB pages it covers in full are advised to be transparent huge pages
// (MADV_HUGEPAGE, which Debian's default THP mode "madvise" honours; elsewhere the advice is
// harmless). Streaming a Winograd U of 4-17 MB through 4 KiB pages costs a TLB miss every 4 KiB:
// ResNet-34 ran 2-3% faster at 2 threads with U on huge pages in a quiet hour (in-process A/B of
// a prototype); in a noisy hour the A/B ranged from 3% slower to 2% faster (ResNet-50, and
// oneDNN's packed weights on huge pages too: ties). The partial pages at the end stay small, so a
// buffer never holds more memory than it needs.
#pragma once

#include <cstddef>

namespace flowonnx::kernels {

class HugePageBuffer {
 public:
  // Zero-filled room for `floats` floats; throws std::bad_alloc when it cannot be mapped.
  explicit HugePageBuffer(size_t floats);
  ~HugePageBuffer();
  HugePageBuffer(const HugePageBuffer&) = delete;
  HugePageBuffer& operator=(const HugePageBuffer&) = delete;

  float* data() const { return data_; }

 private:
  size_t bytes_;
  float* data_;
};

}  // namespace flowonnx::kernels
