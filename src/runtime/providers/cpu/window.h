// Sliding-window geometry shared by Conv and the pools: the ONNX attributes (auto_pad,
// kernel_shape, strides, pads, dilations, ceil_mode) resolved against an input's spatial dims.
#pragma once

#include <string>
#include <vector>

#include "runtime/kernel.h"

namespace flowonnx::runtime::cpu {

struct WindowAttrs {
  std::string auto_pad = "NOTSET";
  std::vector<int64_t> kernel;     // empty: taken from the weights (Conv)
  std::vector<int64_t> strides;    // empty: all 1
  std::vector<int64_t> pads;       // empty: all 0; else begins then ends
  std::vector<int64_t> dilations;  // empty: all 1
  bool ceil_mode = false;
};

struct WindowGeometry {
  std::vector<int64_t> kernel, strides, dilations, pads_begin, pads_end, out;
};

// Reads and validates auto_pad, kernel_shape, strides, pads, dilations and ceil_mode.
WindowAttrs read_window_attrs(const KernelInit& init);
// Fails the model with "<what> must be >= <min>, got [...]" when a value is below `min`.
void require_at_least(const KernelInit& init, const std::vector<int64_t>& values, int64_t min,
                      const char* what);
// Throws InvalidArgument when the attributes disagree with the spatial rank.
WindowGeometry resolve_window(const WindowAttrs& attrs, const Shape& spatial,
                              const std::vector<int64_t>& kernel);

}  // namespace flowonnx::runtime::cpu
