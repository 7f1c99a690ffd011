#include "kernels/cpu/dnnl_util.h"

#include <vector>

namespace flowonnx::kernels::detail {

dnnl::engine& cpu_engine() {
  static dnnl::engine engine(dnnl::engine::kind::cpu, 0);
  return engine;
}

dnnl::primitive_attr thread_safe_attr() {
  dnnl::primitive_attr attr;
  attr.set_scratchpad_mode(dnnl::scratchpad_mode::user);
  return attr;
}

dnnl::memory thread_scratchpad(const dnnl::memory::desc& desc) {
  thread_local std::vector<uint64_t> buffer;  // 8-byte aligned; grows to the largest request
  size_t words = (desc.get_size() + sizeof(uint64_t) - 1) / sizeof(uint64_t);
  if (buffer.size() < words) buffer.resize(words);
  return dnnl::memory(desc, cpu_engine(), buffer.data());
}

dnnl::stream& cpu_stream() {
  thread_local dnnl::stream stream(cpu_engine());
  return stream;
}

dnnl::memory::dims contiguous_strides_of(const dnnl::memory::dims& shape) {
  dnnl::memory::dims strides(shape.size(), 1);
  for (int i = static_cast<int>(shape.size()) - 2; i >= 0; --i)
    strides[i] = strides[i + 1] * shape[i + 1];
  return strides;
}

}  // namespace flowonnx::kernels::detail
