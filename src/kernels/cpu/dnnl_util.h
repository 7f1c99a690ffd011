// Thin glue between our tensors and oneDNN: one CPU engine for the process, one stream per thread,
// and a wrapper that turns dnnl::error into flowonnx::Error so oneDNN failures carry our context.
#pragma once

#include <oneapi/dnnl/dnnl.hpp>
#include <string>

#include "base/error.h"

namespace flowonnx::kernels {
enum class ActivationLayout;  // blocked_layout.h
}  // namespace flowonnx::kernels

namespace flowonnx::kernels::detail {

dnnl::engine& cpu_engine();
dnnl::stream& cpu_stream();  // thread_local: oneDNN streams are not shareable across threads

// Attributes every primitive we create starts from. Debian's oneDNN is built with
// DNNL_ENABLE_CONCURRENT_EXEC=OFF: its library-managed scratchpad is shared by all primitives,
// so a primitive must run on the thread that created it — which prepared convs (built once, run
// from any session.run thread) and the primitive cache break. With scratchpad_mode::user each
// execution passes its own scratchpad (thread_scratchpad), so any thread may run any primitive.
dnnl::primitive_attr thread_safe_attr();
// Scratchpad for one execution of a primitive whose pd asked for `desc`, from a buffer owned by
// the calling thread (reused by its next execution, never shared with another thread).
dnnl::memory thread_scratchpad(const dnnl::memory::desc& desc);

// Memory over a buffer we own; oneDNN's API takes void* even for read-only inputs.
inline dnnl::memory wrap_memory(const dnnl::memory::desc& desc, const void* data) {
  return dnnl::memory(desc, cpu_engine(), const_cast<void*>(data));
}

// The channel-blocked activation layout of blocked_layout.h (nChw16c or nChw8c).
dnnl::memory::format_tag blocked_tag();
// oneDNN's tag of each ActivationLayout (blocked_layout.h): nchw, blocked_tag(), nhwc.
dnnl::memory::format_tag layout_tag(ActivationLayout layout);

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
