#include <gtest/gtest.h>

#include "flow/functional.h"
#include "flow/nn/layers.h"

namespace flowonnx::nn {
namespace {

std::shared_ptr<Sequential> small_net() {
  Generator gen(1);
  auto net = std::make_shared<Sequential>();
  net->push_back(std::make_shared<Conv2d>(3, 4, Pair{3, 3}, Conv2dOptions{}, gen));
  net->push_back(std::make_shared<BatchNorm2d>(4));
  net->push_back(std::make_shared<ReLU>());
  net->push_back(std::make_shared<Flatten>());
  net->push_back(std::make_shared<Dropout>(0.5));
  net->push_back(std::make_shared<Linear>(4 * 3 * 3, 2, true, gen));
  return net;
}

TEST(ModuleTest, DottedNamesInRegistrationOrder) {
  auto net = small_net();
  std::vector<std::string> names;
  for (auto& [name, tensor] : net->named_parameters()) names.push_back(name);
  EXPECT_EQ(names, (std::vector<std::string>{"0.weight", "0.bias", "1.weight", "1.bias", "5.weight", "5.bias"}));
  std::vector<std::string> buffers;
  for (auto& [name, tensor] : net->named_buffers()) buffers.push_back(name);
  EXPECT_EQ(buffers, (std::vector<std::string>{"1.running_mean", "1.running_var", "1.num_batches_tracked"}));
  EXPECT_EQ(net->state_dict().size(), 9u);
}

TEST(ModuleTest, LoadStateDictCopiesInPlaceAndUnwrapsGraphPrefix) {
  auto a = small_net(), b = small_net();
  Generator gen(9);
  StateDict changed;
  for (auto& [key, tensor] : a->state_dict()) {
    Tensor copy = tensor.clone();
    if (copy.dtype() == DType::Float32) uniform_(copy, 0.5, 1.5, gen);
    changed.emplace("model." + key, copy);  // nested {"model": ...} as saved from a graph
  }
  Tensor held = b->named_parameters()[0].second;  // a handle taken before loading
  b->load_state_dict(changed);
  EXPECT_EQ(held.to_double_vector(), changed.at("model.0.weight").to_double_vector());
}

TEST(ModuleTest, LoadStateDictNamesEveryProblem) {
  auto net = small_net();
  StateDict dict = net->state_dict();
  dict.erase("5.bias");
  dict.erase("1.num_batches_tracked");  // tolerated: older checkpoints lack it
  dict["extra.weight"] = Tensor::zeros({1});
  dict["0.weight"] = Tensor::zeros({4, 3, 5, 5});
  try {
    net->load_state_dict(dict);
    FAIL() << "expected an error";
  } catch (const Error& e) {
    std::string message = e.what();
    EXPECT_EQ(e.code(), ErrorCode::InvalidArgument);
    EXPECT_NE(message.find("1 missing key(s): 5.bias"), std::string::npos) << message;
    EXPECT_NE(message.find("1 unexpected key(s): extra.weight"), std::string::npos) << message;
    EXPECT_NE(message.find("0.weight: checkpoint [4,3,5,5] vs model [4,3,3,3]"), std::string::npos) << message;
    EXPECT_EQ(message.find("num_batches_tracked"), std::string::npos) << message;
  }
  // Non-strict ignores missing/unexpected keys but never a shape mismatch.
  dict["0.weight"] = Tensor::zeros({4, 3, 3, 3});
  EXPECT_NO_THROW(net->load_state_dict(dict, false));
  EXPECT_EQ(net->named_parameters()[0].second.to_double_vector(), std::vector<double>(108, 0.0));
}

TEST(ModuleTest, EvalMakesDropoutIdentityAndBatchNormUseRunningStats) {
  auto net = small_net();
  Tensor x = randn({2, 3, 5, 5});
  net->eval();
  EXPECT_FALSE(net->is_training());
  Tensor y1 = net->forward(x), y2 = net->forward(x);
  EXPECT_EQ(y1.to_double_vector(), y2.to_double_vector());
  net->train();
  auto bn = std::dynamic_pointer_cast<BatchNorm2d>(net->named_children()[1].second);
  ASSERT_TRUE(bn);
  net->forward(x);
  EXPECT_EQ(bn->num_batches_tracked.data<int64_t>()[0], 1);
  EXPECT_NE(bn->running_mean.to_double_vector(), std::vector<double>(4, 0.0));
}

TEST(ModuleTest, BatchNormTrainingNormalisesWithBatchStatistics) {
  BatchNorm2d bn(2);
  Tensor x = Tensor::from_vector<float>({2, 2, 1, 1}, {1, 10, 3, 20});
  Tensor y = bn.forward(x);  // modules start in training mode
  std::vector<double> v = y.to_double_vector();
  // channel 0: values 1,3 -> mean 2, biased var 1 -> -1, +1 (eps 1e-5)
  EXPECT_NEAR(v[0], -1.0, 1e-4);
  EXPECT_NEAR(v[2], 1.0, 1e-4);
  EXPECT_NEAR(v[1], -1.0, 1e-4);
  // running_mean = 0.9*0 + 0.1*2
  EXPECT_NEAR(bn.running_mean.data<float>()[0], 0.2, 1e-6);
  // running_var = 0.9*1 + 0.1*2 (unbiased var of {1,3})
  EXPECT_NEAR(bn.running_var.data<float>()[0], 1.1, 1e-6);
}

TEST(ModuleTest, ShapeErrorsNameTheOpAndShapes) {
  Conv2d conv(3, 4, Pair{3, 3});
  try {
    conv.forward(randn({1, 5, 8, 8}));
    FAIL();
  } catch (const Error& e) {
    std::string message = e.what();
    EXPECT_NE(message.find("conv2d"), std::string::npos) << message;
    EXPECT_NE(message.find("[1,5,8,8]"), std::string::npos) << message;
  }
  EXPECT_THROW(functional::broadcast_add(randn({2, 3}), randn({4, 3})), Error);
}

}  // namespace
}  // namespace flowonnx::nn
