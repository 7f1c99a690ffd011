// A transposed convolution prepared once and run many times through oneDNN's deconvolution:
// weights (and bias) are fixed at construction, and each input geometry gets its primitive and
// its weights reordered into the primitive's layout once (cached by shape and params). Inputs
// and outputs are plain (ncw / nchw / ncdhw); oneDNN picks its own activation layouts and we
// reorder in and out. A geometry oneDNN cannot express runs conv_transpose_reference instead
// (implementation() says which).
#pragma once

#include <memory>
#include <string>

#include "kernels/cpu/conv_transpose.h"
#include "kernels/cpu/shape_cache.h"
#include "tensor/tensor.h"

namespace flowonnx::kernels {

class PreparedConvTranspose {
 public:
  // weights [C_in, C_out/groups, k...] (1 to 3 spatial dims), bias [C_out] or undefined; both
  // are kept (shared, not copied).
  PreparedConvTranspose(Tensor weights, Tensor bias, int64_t groups);

  const Shape& weight_shape() const { return weights_.shape(); }
  int64_t groups() const { return groups_; }
  // params.groups is ignored: the constructor's groups apply.
  Shape output_shape(const Shape& x, ConvTransposeParams params) const;
  // y is preallocated float32 with output_shape().
  void run(const Tensor& x, ConvTransposeParams params, Tensor& y) const;
  // oneDNN's implementation for this geometry ("jit:avx2", "gemm:jit", ...) or
  // "flowonnx:reference" where oneDNN refused it; builds and caches the primitive.
  std::string implementation(const Shape& x, ConvTransposeParams params) const;

 private:
  struct Compiled;
  const Compiled& compiled_for(const Shape& x, const ConvTransposeParams& params) const;
  Tensor weights_, bias_;
  int64_t groups_;
  ShapeCache<std::shared_ptr<Compiled>> cache_;
};

// One call with weights known only now (not constant in the model): prepares and runs.
void conv_transpose(const Tensor& x, const Tensor& w, const Tensor& bias,
                    const ConvTransposeParams& params, Tensor& y);

}  // namespace flowonnx::kernels
