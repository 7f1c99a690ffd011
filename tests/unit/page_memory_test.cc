// Large buffers mapped on their own (base/page_memory.h): alignment, zeroed memory, and that
// freeing a large tensor gives its memory back to the system, which glibc's heap does not do
// for blocks below its (rising) mmap threshold.
#include "base/page_memory.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <fstream>
#include <optional>
#include <string>
#include <vector>

#include "kernels/cpu/huge_page_buffer.h"
#include "tensor/tensor.h"

namespace flowonnx {
namespace {

// This process's resident memory in KiB (Linux), or nullopt where /proc is missing.
std::optional<int64_t> resident_kib() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line))
    if (line.rfind("VmRSS:", 0) == 0) return std::stoll(line.substr(6));
  return std::nullopt;
}

TEST(PageMemory, MapsZeroedAlignedPages) {
  for (size_t alignment : {size_t{64}, size_t{4096}, size_t{2} << 20}) {
    SCOPED_TRACE(alignment);
    const size_t bytes = (size_t{3} << 20) + 5;
    auto* data = static_cast<unsigned char*>(map_pages(bytes, alignment));
    ASSERT_NE(data, nullptr);
    EXPECT_EQ(reinterpret_cast<uintptr_t>(data) % alignment, 0u);
    EXPECT_EQ(data[0], 0);
    EXPECT_EQ(data[bytes - 1], 0);
    std::memset(data, 0x5a, bytes);  // all of it is writable
    unmap_pages(data, bytes);
  }
}

TEST(PageMemory, HugePageBufferStartsOnAHugePage) {
  const kernels::HugePageBuffer buffer((size_t{5} << 20) / sizeof(float));
  EXPECT_EQ(reinterpret_cast<uintptr_t>(buffer.data()) % (size_t{2} << 20), 0u);
  EXPECT_EQ(buffer.data()[0], 0.f);
  buffer.data()[(size_t{5} << 20) / sizeof(float) - 1] = 1.f;
}

// A 24 MiB block freed first raises glibc's mmap threshold to 24 MiB; then tensors of 4 MiB
// would come from the heap, and their memory would stay resident once freed. Mapped, it goes.
TEST(PageMemory, FreedLargeTensorsLeaveTheProcess) {
  const auto before = resident_kib();
  if (!before) GTEST_SKIP() << "no /proc/self/status";
  { Tensor raise_threshold({6 << 20}); }
  std::vector<Tensor> tensors;
  for (int i = 0; i < 8; ++i) {
    tensors.emplace_back(Shape{1 << 20});  // 4 MiB each
    std::memset(tensors.back().raw_data(), 1, tensors.back().nbytes());
  }
  const int64_t filled = *resident_kib();
  tensors.clear();
  const int64_t freed = *resident_kib();
  EXPECT_GE(filled - freed, 28 * 1024) << "before " << *before << " KiB, filled " << filled
                                       << " KiB, freed " << freed << " KiB";
}

}  // namespace
}  // namespace flowonnx
