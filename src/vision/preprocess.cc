#include "vision/preprocess.h"

#include <opencv2/imgproc.hpp>

#include "base/error.h"

namespace flowonnx::vision {
namespace {

void validate(const PreprocessOptions& options) {
  FLOWONNX_REQUIRE(
      options.height > 0 && options.width > 0 && options.height <= 16384 && options.width <= 16384,
      "preprocess: input size {}x{} must be within 1..16384", options.height, options.width);
  if (options.std)
    for (float s : *options.std)
      FLOWONNX_REQUIRE(s > 0, "preprocess: std values must be > 0, got {}", s);
}

// Writes one preprocessed image into `out` (3 * height * width floats, zero-filled beforehand).
void fill_chw(const cv::Mat& image, const PreprocessOptions& options, float* out) {
  FLOWONNX_REQUIRE(image.type() == CV_8UC3,
                   "preprocess: expected an 8-bit 3-channel BGR image, got OpenCV type {}",
                   image.type());
  ResizePlan plan = plan_resize(image.rows, image.cols, options);
  FLOWONNX_REQUIRE(plan.width > 0 && plan.height > 0,
                   "preprocess: a {}x{} image scales to {}x{}, nothing left to classify",
                   image.cols, image.rows, plan.width, plan.height);
  FLOWONNX_REQUIRE(plan.width <= options.width && plan.height <= options.height,
                   "preprocess: a {}x{} image scaled by {} is {}x{}, larger than the {}x{} input",
                   image.cols, image.rows, plan.scale, plan.width, plan.height, options.width,
                   options.height);
  // Exactly the tutorial's call: dsize (0, 0), fx = fy = scale. OpenCV then derives the sample
  // positions from fx/fy themselves, not from the rounded size, so passing the size instead
  // could move pixels.
  cv::Mat resized;
  cv::resize(image, resized, cv::Size(), plan.scale, plan.scale, cv::INTER_LINEAR);
  FLOWONNX_CHECK(resized.cols == plan.width && resized.rows == plan.height,
                 "resize gave {}x{}, planned {}x{}", resized.cols, resized.rows, plan.width,
                 plan.height);

  const int64_t plane = options.height * options.width;
  for (int c = 0; c < 3; ++c) {
    const int source_channel = options.rgb ? 2 - c : c;
    const float mean = options.mean ? (*options.mean)[c] : 0.0f;
    const float std = options.std ? (*options.std)[c] : 1.0f;
    const bool normalise = options.mean || options.std;
    float* channel = out + c * plane;
    for (int y = 0; y < resized.rows; ++y) {
      const uint8_t* row = resized.ptr<uint8_t>(y);
      float* out_row = channel + y * options.width;
      for (int x = 0; x < resized.cols; ++x) {
        // numpy: float32 array / 255 is a float32 division, correctly rounded.
        float value = static_cast<float>(row[3 * x + source_channel]) / 255.0f;
        out_row[x] = normalise ? (value - mean) / std : value;
      }
    }
    // The padding is zero before normalisation, as in the tutorial (temp_img is zeros).
    if (normalise) {
      const float padded = (0.0f - mean) / std;
      for (int y = 0; y < options.height; ++y)
        for (int x = (y < resized.rows ? resized.cols : 0); x < options.width; ++x)
          channel[y * options.width + x] = padded;
    }
  }
}

}  // namespace

ResizePlan plan_resize(int image_height, int image_width, const PreprocessOptions& options) {
  FLOWONNX_REQUIRE(image_height > 0 && image_width > 0, "preprocess: empty image ({}x{})",
                   image_width, image_height);
  ResizePlan plan;
  const bool is_wider = image_height <= image_width;
  plan.scale = is_wider ? static_cast<double>(options.width) / image_width
                        : static_cast<double>(options.height) / image_height;
  // cv::resize: dsize = Size(saturate_cast<int>(src.cols * fx), saturate_cast<int>(src.rows * fy)),
  // i.e. cvRound, round half to even.
  plan.width = cv::saturate_cast<int>(image_width * plan.scale);
  plan.height = cv::saturate_cast<int>(image_height * plan.scale);
  return plan;
}

Tensor preprocess_image(const cv::Mat& image, const PreprocessOptions& options) {
  return preprocess_images({image}, options);
}

Tensor preprocess_images(const std::vector<cv::Mat>& images, const PreprocessOptions& options) {
  validate(options);
  FLOWONNX_REQUIRE(!images.empty(), "preprocess: no images");
  Tensor batch =
      Tensor::zeros({static_cast<int64_t>(images.size()), 3, options.height, options.width});
  const int64_t image_size = 3 * options.height * options.width;
  for (size_t i = 0; i < images.size(); ++i)
    fill_chw(images[i], options, batch.data<float>() + i * image_size);
  return batch;
}

}  // namespace flowonnx::vision
