#include "runtime/providers/cuda/device_memory.h"

#include <cuda_runtime_api.h>

#include <bit>

#include "base/error.h"
#include "kernels/cuda/cuda_check.h"

namespace flowonnx::runtime::cuda {

DeviceBlock::~DeviceBlock() {
  if (owner_) owner_->release(ptr_, bytes_);
  else cudaFree(ptr_);  // no throwing from a destructor; a failure here leaks nothing we can fix
}

size_t round_allocation_size(size_t bytes) {
  if (bytes <= 256) return 256;
  if (bytes <= 4096) return (bytes + 255) / 256 * 256;
  size_t power = std::bit_floor(bytes);
  size_t step = power / 8;
  return (bytes + step - 1) / step * step;
}

DeviceAllocator::~DeviceAllocator() { empty_cache(); }

void DeviceAllocator::empty_cache() {
  for (auto& [size, ptr] : free_) cudaFree(ptr);
  free_.clear();
  ++generation_;
}

std::shared_ptr<DeviceBlock> DeviceAllocator::allocate(size_t bytes) {
  size_t rounded = round_allocation_size(bytes);
  auto found = free_.find(rounded);
  if (found != free_.end()) {
    void* ptr = found->second;
    free_.erase(found);
    return std::make_shared<DeviceBlock>(ptr, rounded, this);
  }
  void* ptr = nullptr;
  if (cudaMalloc(&ptr, rounded) != cudaSuccess) {
    cudaGetLastError();  // clear the sticky-free error state of the failed call
    empty_cache();
    if (cudaMalloc(&ptr, rounded) != cudaSuccess) {
      cudaGetLastError();
      size_t free_bytes = 0, total_bytes = 0;
      cudaMemGetInfo(&free_bytes, &total_bytes);
      fail(ErrorCode::InvalidArgument,
           "cannot allocate {} bytes on the GPU ({} MiB free of {} MiB)", rounded,
           free_bytes >> 20, total_bytes >> 20);
    }
  }
  return std::make_shared<DeviceBlock>(ptr, rounded, this);
}

void DeviceAllocator::release(void* ptr, size_t bytes) {
  free_.emplace(bytes, ptr);
}

std::string DeviceTensor::describe() const {
  return fmt::format("{}{} (cuda)", dtype_name(dtype), shape_to_string(shape));
}

}  // namespace flowonnx::runtime::cuda
