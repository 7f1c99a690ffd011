// The tutorial's last step: the exported ResNet-34 classifies data/cat.jpg with the same top-5 as
// the eager model; batches give the same rows as single images; non-image models are refused.
#include "vision/classify.h"

#include <gtest/gtest.h>

#include <opencv2/core.hpp>

#include "flow/nn/graph.h"
#include "flow/nn/layers.h"
#include "models/zoo.h"
#include "verify/export.h"
#include "verify/verify_test_util.h"
#include "vision/image.h"

namespace flowonnx::vision {
namespace {

using test_util::TempDir;
namespace fs = std::filesystem;

std::vector<int64_t> indices(const std::vector<Prediction>& row) {
  std::vector<int64_t> out;
  for (const Prediction& p : row) out.push_back(p.index);
  return out;
}

class ResNet34CatTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir("classify");
    // The demo's model: seeded FlowVision-style init, exported with a dynamic batch.
    model_ = models::create_model("resnet34", 0);
    model_->eval();
    nn::ModuleGraph graph("ResNet34Graph", model_);
    graph.compile({randn({1, 3, 224, 224})});
    ExportOptions options;
    options.onnx_model_path = dir_->path().string();
    options.dynamic_batch_size = true;
    path_ = export_onnx_model(graph, options);
  }
  static void TearDownTestSuite() {
    delete dir_;
    model_.reset();
  }
  static inline TempDir* dir_ = nullptr;
  static inline std::shared_ptr<nn::Module> model_;
  static inline fs::path path_;
};

TEST_F(ResNet34CatTest, ExportedModelGivesTheEagerTop5OnCatJpg) {
  InferenceSession session(path_);
  cv::Mat cat = read_image(fs::path(FLOWONNX_SOURCE_DIR) / "data" / "cat.jpg");
  Classification onnx = classify_images(session, {cat});
  EXPECT_EQ(onnx.input.name, "_ResNet34Graph_0-input_0/out");
  EXPECT_EQ(onnx.input.batch, 0) << "dynamic batch";
  EXPECT_EQ(onnx.num_classes, 1000);
  EXPECT_TRUE(onnx.top.softmax_applied);
  ASSERT_EQ(onnx.top.rows.size(), 1u);
  ASSERT_EQ(onnx.top.rows[0].size(), 5u);

  TopK eager = top_k(model_->forward(preprocess_image(cat)), 5);
  EXPECT_EQ(indices(onnx.top.rows[0]), indices(eager.rows[0]));
  for (size_t k = 0; k < 5; ++k)
    EXPECT_NEAR(onnx.top.rows[0][k].score, eager.rows[0][k].score,
                1e-4 * std::fabs(eager.rows[0][k].score) + 1e-4);
}

TEST_F(ResNet34CatTest, ABatchGivesTheRowsOfSingleImages) {
  InferenceSession session(path_);
  cv::Mat cat = read_image(fs::path(FLOWONNX_SOURCE_DIR) / "data" / "cat.jpg"), flipped, tall;
  cv::flip(cat, flipped, 1);
  cv::transpose(cat, tall);
  Classification batch = classify_images(session, {cat, flipped, tall});
  ASSERT_EQ(batch.top.rows.size(), 3u);
  EXPECT_EQ(batch.output_shape, (Shape{3, 1000}));
  std::vector<cv::Mat> singles = {cat, flipped, tall};
  for (size_t i = 0; i < singles.size(); ++i)
    EXPECT_EQ(indices(batch.top.rows[i]),
              indices(classify_images(session, {singles[i]}).top.rows[0]))
        << i;
}

TEST(ClassifyTest, FixedBatchOfOneRunsImageByImage) {
  TempDir dir("classify");
  auto model = models::create_model("resnet18", 2);
  model->eval();
  nn::ModuleGraph graph("SmallGraph", model);
  graph.compile({randn({1, 3, 32, 32})});
  ExportOptions options;
  options.onnx_model_path = dir.path().string();
  InferenceSession session(export_onnx_model(graph, options));
  cv::Mat a(40, 50, CV_8UC3, cv::Scalar(10, 200, 30)), b(60, 20, CV_8UC3, cv::Scalar(250, 0, 90));
  Classification result = classify_images(session, {a, b});
  EXPECT_EQ(result.input.batch, 1);
  EXPECT_EQ(result.preprocess.height, 32) << "the model's fixed H/W win over the default 224";
  ASSERT_EQ(result.top.rows.size(), 2u);
  EXPECT_EQ(indices(result.top.rows[1]), indices(classify_images(session, {b}).top.rows[0]));
}

TEST(ClassifyTest, NonImageInputIsAClearError) {
  TempDir dir("classify");
  Generator gen(1);
  auto head = std::make_shared<nn::Linear>(8, 4, true, gen);
  head->eval();
  nn::ModuleGraph graph("LinearGraph", head);
  graph.compile({randn({1, 8})});
  ExportOptions options;
  options.onnx_model_path = dir.path().string();
  InferenceSession session(export_onnx_model(graph, options));
  try {
    find_image_input(session);
    FAIL() << "no error";
  } catch (const Error& e) {
    std::string message = e.what();
    EXPECT_NE(message.find("_LinearGraph_0-input_0/out"), std::string::npos) << message;
    EXPECT_NE(message.find("[1,8]"), std::string::npos) << message;
  }
}

}  // namespace
}  // namespace flowonnx::vision
