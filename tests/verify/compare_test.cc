// compare_output's rule (numpy.allclose), NaN/inf handling, worst-first outliers and shape/dtype
// disagreement; random_inputs' ranges and dtypes.
#include "verify/compare.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <set>

#include "verify/random_inputs.h"

namespace flowonnx {
namespace {

TEST(CompareTest, ToleranceIsAtolPlusRtolTimesFramework) {
  Tensor framework = Tensor::from_vector<float>({4}, {1.0f, 100.0f, 0.0f, -2.0f});
  // Errors: 1e-5 (inside 1e-5 + 1e-4), 0.02 (outside 1e-5 + 1e-2), 2e-5 (outside 1e-5), 0.
  Tensor onnx = Tensor::from_vector<float>({4}, {1.00001f, 100.02f, 2e-5f, -2.0f});
  OutputComparison c = compare_output("y", framework, onnx, {1e-4, 1e-5});
  EXPECT_EQ(c.num_outside, 2);
  EXPECT_NEAR(c.max_abs_err, 0.02, 1e-5);
  EXPECT_NEAR(c.max_rel_err, 2e-4, 1e-6);  // element 2 has framework 0: no relative error
  ASSERT_EQ(c.worst.size(), 2u);
  EXPECT_EQ(c.worst[0].index, (std::vector<int64_t>{1}));  // worst first
  EXPECT_EQ(c.worst[1].index, (std::vector<int64_t>{2}));
  EXPECT_DOUBLE_EQ(c.fraction_outside(), 0.5);
  EXPECT_FALSE(c.ok());
}

TEST(CompareTest, NanMatchesOnlyNanAndInfOnlyTheSameInf) {
  const float nan = std::numeric_limits<float>::quiet_NaN(),
              inf = std::numeric_limits<float>::infinity();
  Tensor framework = Tensor::from_vector<float>({2, 2}, {nan, inf, 1.0f, -inf});
  EXPECT_TRUE(compare_output("y", framework, framework.clone(), {}).ok());
  Tensor onnx = Tensor::from_vector<float>({2, 2}, {1.0f, -inf, nan, -inf});
  OutputComparison c = compare_output("y", framework, onnx, {});
  EXPECT_EQ(c.num_outside, 3);
  EXPECT_TRUE(std::isinf(c.max_abs_err));
  EXPECT_EQ(c.worst.size(), 3u);
}

TEST(CompareTest, KeepsTheWorstOutliersOnly) {
  std::vector<float> zeros(1000, 0.0f), values(1000);
  for (int i = 0; i < 1000; ++i) values[i] = static_cast<float>((i * 37) % 1000) + 1.0f;
  OutputComparison c = compare_output("y", Tensor::from_vector<float>({10, 100}, zeros),
                                      Tensor::from_vector<float>({10, 100}, values), {}, 3);
  EXPECT_EQ(c.num_outside, 1000);
  ASSERT_EQ(c.worst.size(), 3u);
  EXPECT_EQ(c.worst[0].abs_err, 1000.0);
  EXPECT_EQ(c.worst[1].abs_err, 999.0);
  EXPECT_EQ(c.worst[2].abs_err, 998.0);
  int64_t flat = c.worst[0].index[0] * 100 + c.worst[0].index[1];
  EXPECT_EQ(values[flat], 1000.0f);
}

TEST(CompareTest, ShapeOrDtypeDisagreementFailsWithAMessage) {
  Tensor a = Tensor::zeros({2, 3}), b = Tensor::zeros({3, 2}),
         c = Tensor::zeros({2, 3}, DType::Float64);
  OutputComparison shape = compare_output("y", a, b, {});
  EXPECT_FALSE(shape.ok());
  EXPECT_NE(shape.mismatch.find("[3,2]"), std::string::npos) << shape.mismatch;
  EXPECT_FALSE(compare_output("y", a, c, {}).ok());
}

TEST(CompareTest, IntegerOutputsCompareExactlyThroughDouble) {
  Tensor a = Tensor::from_vector<int64_t>({3}, {1, 2, 3}),
         b = Tensor::from_vector<int64_t>({3}, {1, 2, 4});
  EXPECT_TRUE(compare_output("i", a, a.clone(), {0, 0}).ok());
  EXPECT_EQ(compare_output("i", a, b, {0, 0}).num_outside, 1);
}

TEST(RandomInputsTest, RangesAndDtypesAreHonouredAndReproducible) {
  ir::Graph graph;
  graph.inputs = {"x", "ids", "mask"};
  graph.set_type("x", ir::ValueType::of(DType::Float32, {2, 50}));
  graph.set_type("ids", ir::ValueType::of(DType::Int64, {2, 50}));
  graph.set_type("mask", ir::ValueType::of(DType::Bool, {2, 50}));
  RandomInputOptions options;
  options.low = 2;
  options.high = 3;
  options.int_low = 5;
  options.int_high = 8;
  std::vector<Tensor> inputs = random_inputs(graph, options);
  ASSERT_EQ(inputs.size(), 3u);
  for (double v : inputs[0].to_double_vector()) EXPECT_TRUE(v >= 2 && v < 3) << v;
  std::set<double> ids, mask;
  for (double v : inputs[1].to_double_vector()) ids.insert(v);
  for (double v : inputs[2].to_double_vector()) mask.insert(v);
  EXPECT_EQ(ids, (std::set<double>{5, 6, 7}));
  EXPECT_EQ(mask, (std::set<double>{0, 1}));
  EXPECT_EQ(inputs[1].dtype(), DType::Int64);
  EXPECT_EQ(inputs[2].dtype(), DType::Bool);
  EXPECT_EQ(random_inputs(graph, options)[0].to_double_vector(), inputs[0].to_double_vector());

  std::vector<Tensor> batch5 = random_inputs(graph, options, 5);
  EXPECT_EQ(batch5[0].shape(), (Shape{5, 50}));
  EXPECT_EQ(batch5[2].shape(), (Shape{5, 50}));
  options.high = 2;
  EXPECT_THROW(random_inputs(graph, options), Error);
}

TEST(RandomInputsTest, DefaultRangeIsMinusOneToOne) {
  Generator gen(3);
  Tensor t = random_tensor(DType::Float32, {10000}, {}, gen);
  double low = 1, high = -1;
  for (double v : t.to_double_vector()) low = std::min(low, v), high = std::max(high, v);
  EXPECT_GE(low, -1.0);
  EXPECT_LT(high, 1.0);
  EXPECT_LT(low, -0.99);
  EXPECT_GT(high, 0.99);
}

}  // namespace
}  // namespace flowonnx
