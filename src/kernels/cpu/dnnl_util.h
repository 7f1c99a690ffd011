// Thin glue between our tensors and oneDNN: one CPU engine for the process, one stream per thread,
// and a wrapper that turns dnnl::error into flowonnx::Error so oneDNN failures carry our context.
#pragma once

#include <oneapi/dnnl/dnnl.hpp>
#include <string>

#include "base/error.h"

namespace flowonnx::kernels::detail {

dnnl::engine& cpu_engine();
dnnl::stream& cpu_stream();  // thread_local: oneDNN streams are not shareable across threads

// Memory over a buffer we own; oneDNN's API takes void* even for read-only inputs.
inline dnnl::memory wrap_memory(const dnnl::memory::desc& desc, const void* data) {
  return dnnl::memory(desc, cpu_engine(), const_cast<void*>(data));
}

// The channel-blocked activation layout of blocked_layout.h (nChw16c or nChw8c).
dnnl::memory::format_tag blocked_tag();

// Row-major strides of `shape`, in oneDNN's dims type.
dnnl::memory::dims contiguous_strides_of(const dnnl::memory::dims& shape);

// Runs `body`, rethrowing dnnl::error as ErrorCode::Internal naming `op` and `context`.
template <typename Body>
void run_dnnl(const char* op, const std::string& context, Body&& body) {
  try {
    body();
  } catch (const dnnl::error& error) {
    fail(ErrorCode::Internal, "{}: oneDNN failed for {}: {} (status {})", op, context, error.what(),
         static_cast<int>(error.status));
  }
}

}  // namespace flowonnx::kernels::detail
