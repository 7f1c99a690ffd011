#include <gtest/gtest.h>

#include <cmath>

#include "models/resnet.h"
#include "models/zoo.h"

namespace flowonnx::models {
namespace {

TEST(ResNetTest, ResNet34HasFlowVisionStateDictKeys) {
  auto model = create_model("resnet34");
  StateDict dict = model->state_dict();
  EXPECT_EQ(dict.size(), 218u);
  EXPECT_EQ(dict.at("conv1.weight").shape(), (Shape{64, 3, 7, 7}));
  EXPECT_EQ(dict.at("layer2.0.downsample.0.weight").shape(), (Shape{128, 64, 1, 1}));
  EXPECT_EQ(dict.at("layer4.2.bn2.running_var").shape(), (Shape{512}));
  EXPECT_EQ(dict.at("layer1.0.bn1.num_batches_tracked").dtype(), DType::Int64);
  EXPECT_EQ(dict.at("fc.weight").shape(), (Shape{1000, 512}));
  EXPECT_FALSE(dict.count("layer1.0.downsample.0.weight"));
}

// Parameter counts as published for the torchvision models.
TEST(ResNetTest, ParameterCountsMatchTorchvision) {
  std::map<std::string, int64_t> expected{{"resnet18", 11689512},        {"resnet34", 21797672},
                                          {"resnet50", 25557032},        {"resnet101", 44549160},
                                          {"resnext50_32x4d", 25028904}, {"wide_resnet50_2", 68883240}};
  for (auto& [name, count] : expected) {
    int64_t total = 0;
    for (auto& [key, tensor] : create_model(name)->named_parameters()) total += tensor.num_elements();
    EXPECT_EQ(total, count) << name;
  }
}

class ResNetForwardTest : public ::testing::TestWithParam<std::string> {};

TEST_P(ResNetForwardTest, DeterministicForASeedAndFinite) {
  for (int64_t batch : {1, 3}) {
    Generator input_gen(5);
    Tensor x = randn({batch, 3, 224, 224}, input_gen);
    auto a = create_model(GetParam(), 11), b = create_model(GetParam(), 11), c = create_model(GetParam(), 12);
    a->eval();
    b->eval();
    c->eval();
    Tensor ya = a->forward(x), yb = b->forward(x), yc = c->forward(x);
    EXPECT_EQ(ya.shape(), (Shape{batch, 1000}));
    std::vector<double> va = ya.to_double_vector();
    EXPECT_EQ(va, yb.to_double_vector());
    EXPECT_NE(va, yc.to_double_vector());
    for (double v : va) ASSERT_TRUE(std::isfinite(v));
  }
}

INSTANTIATE_TEST_SUITE_P(Zoo, ResNetForwardTest, ::testing::Values("resnet18", "resnet34", "resnet50"));

TEST(ResNetTest, UnknownModelListsKnownOnes) {
  try {
    create_model("resnet35");
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("resnet34"), std::string::npos);
  }
}

}  // namespace
}  // namespace flowonnx::models

#include <filesystem>

#include "flow/checkpoint.h"

namespace flowonnx::models {
namespace {

TEST(ResNetTest, CheckpointRoundTripGivesIdenticalOutputs) {
  namespace fs = std::filesystem;
  fs::path dir = fs::temp_directory_path() / ("flowonnx_resnet_ck_" + std::to_string(::getpid()));
  auto original = create_model("resnet18", 1);
  original->eval();
  save(original->state_dict(), dir);
  auto restored = create_model("resnet18", 2);
  restored->load_state_dict(load(dir));
  restored->eval();
  fs::remove_all(dir);
  Tensor x = randn({2, 3, 64, 64});
  EXPECT_EQ(original->forward(x).to_double_vector(), restored->forward(x).to_double_vector());
}

}  // namespace
}  // namespace flowonnx::models
