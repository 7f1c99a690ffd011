// The tutorial's preprocess_image in C++, bit for bit: scale the image so its longer side fits
// the model input (cv::resize with fx = fy = scale, INTER_LINEAR), divide by 255 in float32,
// zero-pad bottom/right to the input size, HWC -> CHW, add a batch axis. Options for models
// trained differently: another input size, RGB order, per-channel mean/std normalisation.
#pragma once

#include <array>
#include <opencv2/core.hpp>
#include <optional>
#include <vector>

#include "tensor/tensor.h"

namespace flowonnx::vision {

// torchvision / FlowVision ImageNet statistics, RGB order, for images scaled to [0, 1].
inline constexpr std::array<float, 3> kImageNetMean = {0.485f, 0.456f, 0.406f};
inline constexpr std::array<float, 3> kImageNetStd = {0.229f, 0.224f, 0.225f};

struct PreprocessOptions {
  int64_t height = 224, width = 224;  // the tutorial's input_hw
  // Channel order of the output. The tutorial feeds OpenCV's BGR as is (rgb = false).
  bool rgb = false;
  // After /255: (x - mean[c]) / std[c], c in the output channel order. Unset = the tutorial (none).
  std::optional<std::array<float, 3>> mean, std;
};

// What the tutorial's arithmetic gives for an h x w image: scale = width / w when h <= w, else
// height / h (a double, as in Python), and the size cv::resize(img, (0, 0), fx=scale, fy=scale)
// produces, OpenCV's rounding of w * scale and h * scale.
struct ResizePlan {
  double scale = 1;
  int width = 0, height = 0;
};
ResizePlan plan_resize(int image_height, int image_width, const PreprocessOptions& options = {});

// One BGR 8-bit 3-channel image (as read_image gives) -> float32 [1, 3, height, width]. Throws
// InvalidArgument when the image is not CV_8UC3, when it is so thin that it scales to 0 pixels, or
// when the scaled image does not fit (possible only for non-square sizes, where the tutorial's
// numpy assignment would fail too).
Tensor preprocess_image(const cv::Mat& image, const PreprocessOptions& options = {});
// Several images -> one batch [N, 3, height, width], in order.
Tensor preprocess_images(const std::vector<cv::Mat>& images, const PreprocessOptions& options = {});

}  // namespace flowonnx::vision
