#include "flow/nn/upsample.h"

#include "flow/nn_functional.h"

namespace flowonnx::nn {

namespace F = functional;

Upsample::Upsample(double scale_factor, Mode mode, bool align_corners)
    : scale_(scale_factor), mode_(mode), align_corners_(align_corners) {
  FLOWONNX_REQUIRE(scale_factor > 0, "Upsample: scale_factor must be positive, got {}", scale_factor);
  FLOWONNX_REQUIRE(mode == Mode::Bilinear || !align_corners, "Upsample: align_corners needs bilinear mode");
}

Upsample::Upsample(std::array<int64_t, 2> size, Mode mode, bool align_corners)
    : size_(size), mode_(mode), align_corners_(align_corners) {
  FLOWONNX_REQUIRE(size[0] > 0 && size[1] > 0, "Upsample: size must be positive");
  FLOWONNX_REQUIRE(mode == Mode::Bilinear || !align_corners, "Upsample: align_corners needs bilinear mode");
}

Tensor Upsample::forward(const Tensor& x) {
  if (mode_ == Mode::Nearest)
    return scale_ > 0 ? F::upsample_nearest_2d(x, scale_, scale_) : F::upsample_nearest_2d(x, size_);
  return scale_ > 0 ? F::upsample_bilinear_2d(x, scale_, scale_, align_corners_)
                    : F::upsample_bilinear_2d(x, size_, align_corners_);
}

}  // namespace flowonnx::nn
