// nn.Upsample (nearest or bilinear, by scale factor or to a size), as torch.nn.Upsample.
#pragma once

#include <array>

#include "flow/nn/module.h"

namespace flowonnx::nn {

class Upsample : public Module {
 public:
  enum class Mode { Nearest, Bilinear };
  // By scale factor (output floor(in * scale)).
  Upsample(double scale_factor, Mode mode = Mode::Nearest, bool align_corners = false);
  // To a fixed output size.
  Upsample(std::array<int64_t, 2> size, Mode mode = Mode::Nearest, bool align_corners = false);
  Tensor forward(const Tensor& x) override;
  std::string type_name() const override { return "Upsample"; }

 private:
  double scale_ = 0;
  std::array<int64_t, 2> size_{0, 0};
  Mode mode_;
  bool align_corners_;
};

}  // namespace flowonnx::nn
