// GPU memory for the CUDA provider: a caching allocator over cudaMalloc (never managed memory)
// and DeviceTensor, the provider's value type (a shape, a dtype and a shared device block).
#pragma once

#include <cstddef>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "tensor/dtype.h"
#include "tensor/shape.h"

namespace flowonnx::runtime::cuda {

class DeviceAllocator;

// One device allocation. Going out of scope returns it to its allocator's cache (or frees it
// when it has none: session-lifetime constants).
class DeviceBlock {
 public:
  DeviceBlock(void* ptr, size_t bytes, DeviceAllocator* owner) : ptr_(ptr), bytes_(bytes), owner_(owner) {}
  ~DeviceBlock();
  DeviceBlock(const DeviceBlock&) = delete;
  DeviceBlock& operator=(const DeviceBlock&) = delete;
  void* data() const { return ptr_; }
  size_t bytes() const { return bytes_; }

 private:
  void* ptr_;
  size_t bytes_;
  DeviceAllocator* owner_;
};

// Caches freed blocks by rounded size and hands them out again, so steady-state runs make no
// cudaMalloc calls. Not thread-safe: one allocator serves one run (one stream) at a time, so a
// block released while kernels that use it are still queued can be reused at once — the next
// user is queued on the same stream, after them.
class DeviceAllocator {
 public:
  DeviceAllocator() = default;
  ~DeviceAllocator();
  DeviceAllocator(const DeviceAllocator&) = delete;
  DeviceAllocator& operator=(const DeviceAllocator&) = delete;

  // A block of at least `bytes` (never null, even for 0 bytes). Throws Error "cannot allocate N
  // bytes on the GPU" (with the free/total memory) when cudaMalloc fails even after the cache
  // was emptied.
  std::shared_ptr<DeviceBlock> allocate(size_t bytes);
  void release(void* ptr, size_t bytes);  // called by DeviceBlock
  // Frees the cached blocks (done when cudaMalloc fails) and starts a new generation: device
  // addresses recorded earlier (captured CUDA graphs) are no longer valid.
  void empty_cache();
  uint64_t generation() const { return generation_; }

 private:
  std::multimap<size_t, void*> free_;  // rounded size -> block
  uint64_t generation_ = 0;
};

// Rounds a request to the allocator's size classes (256 B granularity, then 1/8 steps of the
// power of two above), so similar sizes share cached blocks.
size_t round_allocation_size(size_t bytes);

// A dense, C-order tensor in GPU memory. Copies share the block (like Tensor).
struct DeviceTensor {
  DType dtype = DType::Float32;
  Shape shape;
  std::shared_ptr<DeviceBlock> block;
  size_t offset_bytes = 0;  // views (Split outputs, Slice of dim 0) start inside the block

  bool defined() const { return block != nullptr; }
  int rank() const { return static_cast<int>(shape.size()); }
  int64_t num_elements() const { return flowonnx::num_elements(shape); }
  size_t nbytes() const { return static_cast<size_t>(num_elements()) * dtype_size(dtype); }
  void* raw() const { return static_cast<char*>(block->data()) + offset_bytes; }
  template <typename T> T* data() const { return static_cast<T*>(raw()); }
  // "float32[1,64,56,56] (cuda)"
  std::string describe() const;
};

}  // namespace flowonnx::runtime::cuda
