// The tutorial's preprocess_image, bit for bit: on synthetic images (odd sizes, wide and tall,
// up- and down-scaled) whose bilinear samples are exact integers, the result must equal a
// hand-computed float32 tensor exactly; the size arithmetic follows cv2.resize(fx=fy=scale).
#include "vision/preprocess.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <opencv2/core.hpp>

#include "tensor/random.h"

namespace flowonnx::vision {
namespace {

// Pixel values are multiples of 16, so every sample of an exact 2x up-scale (weights 1/4, 3/4 per
// axis, products in 1/16ths) and of a 2x down-scale (mean of 2x2) is an integer: any correct
// implementation of INTER_LINEAR gives exactly these values, whatever its fixed-point details.
cv::Mat synthetic_image(int height, int width, uint64_t seed) {
  cv::Mat image(height, width, CV_8UC3);
  Generator gen(seed);
  for (int y = 0; y < height; ++y)
    for (int x = 0; x < width; ++x)
      for (int c = 0; c < 3; ++c)
        image.at<cv::Vec3b>(y, x)[c] =
            static_cast<uint8_t>(16 * static_cast<int>(gen.uniform() * 16));
  return image;
}

// OpenCV's INTER_LINEAR sample of a BGR pixel channel: source coordinate (d + 0.5) / scale - 0.5,
// clamped at the borders, bilinear weights (documented cv::resize semantics).
double bilinear(const cv::Mat& image, double scale, int dy, int dx, int c) {
  auto axis = [scale](int d, int size, int* i0, int* i1, double* frac) {
    double s = (d + 0.5) / scale - 0.5;
    int base = static_cast<int>(std::floor(s));
    *frac = s - base;
    if (base < 0) base = 0, *frac = 0;
    if (base >= size - 1) base = size - 1, *frac = 0;
    *i0 = base;
    *i1 = std::min(base + 1, size - 1);
  };
  int y0, y1, x0, x1;
  double fy, fx;
  axis(dy, image.rows, &y0, &y1, &fy);
  axis(dx, image.cols, &x0, &x1, &fx);
  auto p = [&](int y, int x) { return static_cast<double>(image.at<cv::Vec3b>(y, x)[c]); };
  return (1 - fy) * ((1 - fx) * p(y0, x0) + fx * p(y0, x1)) +
         fy * ((1 - fx) * p(y1, x0) + fx * p(y1, x1));
}

// The tutorial by hand: resize by `scale` to (rh, rw), / 255 in float32, zero pad, CHW.
std::vector<float> hand_preprocess(const cv::Mat& image, double scale, int rh, int rw, int height,
                                   int width, bool rgb = false) {
  std::vector<float> out(3 * height * width, 0.0f);
  for (int c = 0; c < 3; ++c)
    for (int y = 0; y < rh; ++y)
      for (int x = 0; x < rw; ++x) {
        double value = bilinear(image, scale, y, x, rgb ? 2 - c : c);
        EXPECT_EQ(value, std::round(value)) << "test image is not exact at " << y << "," << x;
        out[(c * height + y) * width + x] = static_cast<float>(value) / 255.0f;
      }
  return out;
}

void expect_bitwise_equal(const Tensor& got, const std::vector<float>& expected) {
  ASSERT_EQ(got.num_elements(), static_cast<int64_t>(expected.size()));
  const float* data = got.data<float>();
  int64_t differing = 0, first = -1;
  for (size_t i = 0; i < expected.size(); ++i)
    if (std::memcmp(&data[i], &expected[i], sizeof(float)) != 0) {
      ++differing;
      if (first < 0) first = static_cast<int64_t>(i);
    }
  EXPECT_EQ(differing, 0) << "first difference at flat index " << first << ": got " << data[first]
                          << ", expected " << expected[first];
}

struct Case {
  const char* name;
  int height, width;  // the image
  int size;           // the square model input
  int resized_height, resized_width;
};

class PreprocessExactTest : public ::testing::TestWithParam<Case> {};

TEST_P(PreprocessExactTest, MatchesHandComputedFloat32BitForBit) {
  const Case& c = GetParam();
  cv::Mat image = synthetic_image(c.height, c.width, c.height * 1000 + c.width);
  PreprocessOptions options;
  options.height = options.width = c.size;
  ResizePlan plan = plan_resize(c.height, c.width, options);
  EXPECT_EQ(plan.height, c.resized_height);
  EXPECT_EQ(plan.width, c.resized_width);
  Tensor x = preprocess_image(image, options);
  EXPECT_EQ(x.shape(), (Shape{1, 3, c.size, c.size}));
  expect_bitwise_equal(
      x, hand_preprocess(image, plan.scale, c.resized_height, c.resized_width, c.size, c.size));
}

INSTANTIATE_TEST_SUITE_P(
    Synthetic, PreprocessExactTest,
    ::testing::Values(Case{"wide_5x3_up", 3, 5, 10, 6, 10},  // h <= w: scale = 10 / 5
                      Case{"tall_3x5_up", 5, 3, 10, 10, 6},  // h > w: scale = 10 / 5
                      Case{"wide_odd_to_224", 75, 112, 224, 150, 224},
                      Case{"tall_odd_to_224", 112, 57, 224, 224, 114},
                      Case{"square_7_up", 7, 7, 14, 14, 14},
                      Case{"wide_down_448x300", 300, 448, 224, 150, 224},
                      Case{"tall_down_300x448", 448, 300, 224, 224, 150}),
    [](const ::testing::TestParamInfo<Case>& info) { return std::string(info.param.name); });

TEST(PreprocessTest, ResizeArithmeticFollowsTheTutorial) {
  PreprocessOptions options;                        // 224 x 224
  ResizePlan cat = plan_resize(488, 650, options);  // data/cat.jpg
  EXPECT_DOUBLE_EQ(cat.scale, 224.0 / 650);
  EXPECT_EQ(cat.width, 224);
  EXPECT_EQ(cat.height, 168);  // round(488 * 224 / 650 = 168.17)
  ResizePlan tall = plan_resize(650, 488, options);
  EXPECT_EQ(tall.width, 168);
  EXPECT_EQ(tall.height, 224);
  EXPECT_EQ(plan_resize(100, 100, options).width, 224);
  // cv::resize rounds w * fx half to even: 301 * 0.5 = 150.5 -> 150, 303 * 0.5 = 151.5 -> 152.
  EXPECT_EQ(plan_resize(301, 448, options).height, 150);
  EXPECT_EQ(plan_resize(303, 448, options).height, 152);
}

TEST(PreprocessTest, RgbSwapsChannelsAndMeanStdNormalise) {
  cv::Mat image = synthetic_image(3, 5, 7);
  PreprocessOptions plain;
  plain.height = plain.width = 10;
  PreprocessOptions rgb = plain;
  rgb.rgb = true;
  ResizePlan plan = plan_resize(3, 5, plain);
  expect_bitwise_equal(preprocess_image(image, rgb),
                       hand_preprocess(image, plan.scale, 6, 10, 10, 10, true));

  PreprocessOptions norm = plain;
  norm.mean = std::array<float, 3>{0.5f, 0.25f, 0.125f};
  norm.std = std::array<float, 3>{0.5f, 2.0f, 4.0f};
  std::vector<float> expected = hand_preprocess(image, plan.scale, 6, 10, 10, 10);
  for (int c = 0; c < 3; ++c)
    for (int i = 0; i < 100; ++i) {
      float& v = expected[c * 100 + i];
      v = (v - (*norm.mean)[c]) / (*norm.std)[c];  // padding too: zeros are normalised like pixels
    }
  expect_bitwise_equal(preprocess_image(image, norm), expected);
}

TEST(PreprocessTest, BatchesStackImagesInOrder) {
  cv::Mat a = synthetic_image(3, 5, 1), b = synthetic_image(5, 3, 2);
  PreprocessOptions options;
  options.height = options.width = 10;
  Tensor batch = preprocess_images({a, b}, options);
  ASSERT_EQ(batch.shape(), (Shape{2, 3, 10, 10}));
  std::vector<double> all = batch.to_double_vector();
  std::vector<double> first = preprocess_image(a, options).to_double_vector();
  std::vector<double> second = preprocess_image(b, options).to_double_vector();
  EXPECT_EQ(std::vector<double>(all.begin(), all.begin() + 300), first);
  EXPECT_EQ(std::vector<double>(all.begin() + 300, all.end()), second);
}

TEST(PreprocessTest, RejectsWhatTheTutorialCannotHandle) {
  PreprocessOptions options;
  EXPECT_THROW(preprocess_image(cv::Mat(10, 10, CV_8UC1, cv::Scalar(0)), options),
               Error);  // not BGR
  EXPECT_THROW(preprocess_image(cv::Mat(1, 1000, CV_8UC3, cv::Scalar(0)), options),
               Error);  // scales to 0 rows
  EXPECT_THROW(preprocess_image(cv::Mat(), options), Error);
  PreprocessOptions wide_input;  // scale by the width, then the height overflows a 100-row input
  wide_input.height = 100;
  EXPECT_THROW(preprocess_image(cv::Mat(200, 300, CV_8UC3, cv::Scalar(0)), wide_input), Error);
  PreprocessOptions bad_std;
  bad_std.std = std::array<float, 3>{1.0f, 0.0f, 1.0f};
  EXPECT_THROW(preprocess_image(cv::Mat(10, 10, CV_8UC3, cv::Scalar(0)), bad_std), Error);
}

}  // namespace
}  // namespace flowonnx::vision
