// Label files in both forms, top-k with and without softmax, and reading images as cv2.imread.
#include <gtest/gtest.h>

#include <fstream>
#include <opencv2/imgcodecs.hpp>

#include "base/logging.h"
#include "verify/verify_test_util.h"
#include "vision/image.h"
#include "vision/labels.h"
#include "vision/topk.h"

namespace flowonnx::vision {
namespace {

using test_util::TempDir;
namespace fs = std::filesystem;

void write_text(const fs::path& path, const std::string& text) {
  std::ofstream(path, std::ios::binary) << text;
}

TEST(LabelsTest, ReadsTheTutorialsImageNetFile) {
  LabelFile file = read_labels(fs::path(FLOWONNX_SOURCE_DIR) / "data" / "imagenet_classes.txt");
  EXPECT_TRUE(file.dict_form);
  ASSERT_EQ(file.labels.size(), 1000u);
  EXPECT_EQ(file.labels[0], "tench, Tinca tinca");
  EXPECT_EQ(file.labels[285], "Egyptian cat");
  EXPECT_EQ(file.labels[400],
            "academic gown, academic robe, judge's robe");  // double-quoted in the file
  EXPECT_EQ(file.labels[999], "toilet tissue, toilet paper, bathroom tissue");
  EXPECT_EQ(describe_class(285, file.labels), "285: 'Egyptian cat'");
}

TEST(LabelsTest, ReadsOneLabelPerLine) {
  TempDir dir("labels");
  write_text(dir.path() / "l.txt", "cat\r\ndog, puppy\n  bird  \n\n");
  LabelFile file = read_labels(dir.path() / "l.txt");
  EXPECT_FALSE(file.dict_form);
  EXPECT_EQ(file.labels, (std::vector<std::string>{"cat", "dog, puppy", "bird"}));
  EXPECT_EQ(describe_class(1, file.labels), "1: 'dog, puppy'");
  EXPECT_EQ(describe_class(7, file.labels), "7");
}

TEST(LabelsTest, EmptyFileMismatchAndBadLines) {
  TempDir dir("labels");
  write_text(dir.path() / "empty.txt", "\n\n");
  LabelFile empty = read_labels(dir.path() / "empty.txt");
  EXPECT_TRUE(empty.labels.empty());
  set_log_level(LogLevel::Silent);
  EXPECT_TRUE(labels_for_classes(empty, 1000).empty());
  write_text(dir.path() / "two.txt", "{0: 'a',\n 1: 'b'}\n");
  LabelFile two = read_labels(dir.path() / "two.txt");
  EXPECT_EQ(two.labels, (std::vector<std::string>{"a", "b"}));
  EXPECT_TRUE(labels_for_classes(two, 1000).empty()) << "count differs: indices only";
  EXPECT_EQ(labels_for_classes(two, 2).size(), 2u);
  set_log_level(LogLevel::Warning);

  write_text(dir.path() / "mixed.txt", "0: 'a',\nplain\n");
  EXPECT_THROW(read_labels(dir.path() / "mixed.txt"), Error);
  write_text(dir.path() / "dup.txt", "0: 'a',\n0: 'b',\n");
  EXPECT_THROW(read_labels(dir.path() / "dup.txt"), Error);
  try {
    read_labels(dir.path() / "missing.txt");
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("missing.txt"), std::string::npos) << e.what();
  }
}

TEST(TopKTest, SoftmaxOnLogitsNotOnProbabilities) {
  Tensor logits = Tensor::from_vector<float>({2, 4}, {1, 3, 2, 3, -1, -2, -3, 0});
  TopK top = top_k(logits, 3);
  EXPECT_TRUE(top.softmax_applied);
  ASSERT_EQ(top.rows.size(), 2u);
  EXPECT_EQ(top.rows[0][0].index, 1);  // tie with 3: lower index first
  EXPECT_EQ(top.rows[0][1].index, 3);
  EXPECT_EQ(top.rows[0][2].index, 2);
  EXPECT_EQ(top.rows[1][0].index, 3);
  EXPECT_FLOAT_EQ(top.rows[0][0].score, 3.0f);
  double sum = std::exp(1.0) + 2 * std::exp(3.0) + std::exp(2.0);
  EXPECT_NEAR(top.rows[0][0].probability, std::exp(3.0) / sum, 1e-6);

  Tensor probabilities = Tensor::from_vector<float>({1, 3}, {0.2f, 0.5f, 0.3f});
  TopK p = top_k(probabilities, 10);
  EXPECT_FALSE(p.softmax_applied);
  ASSERT_EQ(p.rows[0].size(), 3u);  // k clamped
  EXPECT_FLOAT_EQ(p.rows[0][0].probability, 0.5f);
  EXPECT_TRUE(top_k(probabilities, 1, SoftmaxMode::Always).softmax_applied);
  EXPECT_FALSE(top_k(logits, 1, SoftmaxMode::Never).softmax_applied);

  EXPECT_EQ(top_k(Tensor::zeros({2, 5, 1, 1}), 2).rows.size(), 2u);
  EXPECT_THROW(top_k(Tensor::zeros({2, 5, 3}), 2), Error);
  EXPECT_THROW(top_k(logits, 0), Error);
}

TEST(ImageTest, ReadsLikeImreadColor) {
  cv::Mat cat = read_image(fs::path(FLOWONNX_SOURCE_DIR) / "data" / "cat.jpg");
  EXPECT_EQ(cat.type(), CV_8UC3);
  EXPECT_EQ(cat.cols, 650);
  EXPECT_EQ(cat.rows, 488);

  TempDir dir("image");
  cv::Mat grey(4, 6, CV_8UC1, cv::Scalar(77));
  ASSERT_TRUE(cv::imwrite((dir.path() / "grey.png").string(), grey));
  cv::Mat read = read_image(dir.path() / "grey.png");
  EXPECT_EQ(read.type(), CV_8UC3);  // expanded to 3 channels, as IMREAD_COLOR does
  EXPECT_EQ(read.at<cv::Vec3b>(2, 3), cv::Vec3b(77, 77, 77));
}

TEST(ImageTest, BadFilesAreErrorsNamingTheFile) {
  TempDir dir("image");
  write_text(dir.path() / "garbage.jpg", "this is not a JPEG");
  for (const fs::path& path :
       {dir.path() / "garbage.jpg", dir.path() / "missing.jpg", dir.path()}) {
    try {
      read_image(path);
      FAIL() << "no error for " << path;
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find(path.filename().string()), std::string::npos)
          << e.what();
    }
  }
}

TEST(ImageTest, BuiltinAssetsAreFound) {
  EXPECT_TRUE(fs::is_regular_file(builtin_asset("cat.jpg")));
  EXPECT_THROW(builtin_asset("no_such_asset.bin"), Error);
}

}  // namespace
}  // namespace flowonnx::vision
