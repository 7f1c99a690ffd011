// ConvTranspose's attributes and their resolution against the input and weight shapes (ONNX
// opset 11+: auto_pad, output_shape implying pads, output_padding), shared by the CPU and CUDA
// providers and the op's type rule, so all three agree on every output shape.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "kernels/cpu/conv_transpose.h"
#include "runtime/kernel.h"

namespace flowonnx::runtime::cpu {

struct ConvTransposeAttrs {
  std::string auto_pad = "NOTSET";
  std::vector<int64_t> kernel;          // empty: taken from the weights
  std::vector<int64_t> strides;         // empty: all 1
  std::vector<int64_t> pads;            // empty: all 0; else begins then ends
  std::vector<int64_t> dilations;       // empty: all 1
  std::vector<int64_t> output_padding;  // empty: all 0
  std::vector<int64_t> output_shape;    // empty: from the pads; else spatial (or N, C, spatial)
  int64_t group = 1;
};

// Throws InvalidModel naming the node for malformed attributes (negative pads, zero strides,
// unknown auto_pad, group < 1, non-zero pads with auto_pad).
ConvTransposeAttrs read_conv_transpose_attrs(const KernelInit& init);

// The kernel's params for input x [N,C,d...] and weight w [C,M/group,k...]; throws
// InvalidArgument saying what disagrees (rank mismatch, kernel_shape vs weight, attribute lengths,
// an output_shape the input cannot produce). A target size (output_shape, or x * stride for
// auto_pad SAME_*) up to stride - 1 past the unpadded result gives a negative end pad: the
// output extends at the end with bias-only positions.
kernels::ConvTransposeParams resolve_conv_transpose(const ConvTransposeAttrs& attrs, const Shape& x,
                                                    const Shape& w);

}  // namespace flowonnx::runtime::cpu
