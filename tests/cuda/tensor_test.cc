// The CUDA provider's tensor / data-movement ops against the CPU provider: the aliases (Reshape,
// Flatten, Squeeze, Unsqueeze, Identity, Dropout), the strided copies (Transpose, Concat, Split,
// Slice, Expand, Tile), Pad, Gather, Cast and Resize, in every attribute form and opset form the
// kernels claim, with odd shapes, negative axes, zero-size tensors, one grid larger than
// 65535 * 256 threads, and the nodes the GPU must leave to the CPU.
#include <cmath>
#include <limits>

#include "cuda/cuda_test_util.h"

namespace flowonnx::testing {
namespace {

Tensor int64s(std::vector<int64_t> values) {
  const int64_t n = static_cast<int64_t>(values.size());
  return Tensor::from_vector<int64_t>({n}, std::move(values));
}

// y = op(x, constant inputs...) with x float32 of `shape`; constants become initializers named
// c1, c2, ... ("" leaves an input out).
onnx_io::Model one_node(const std::string& op, const Shape& shape, std::vector<std::optional<Tensor>> constants,
                        ir::Attributes attrs = {}, int64_t opset = 13, int outputs = 1) {
  GraphBuilder g(opset);
  g.input("x", DType::Float32, shape);
  std::vector<std::string> inputs{"x"};
  for (size_t i = 0; i < constants.size(); ++i) {
    if (!constants[i]) {
      inputs.push_back("");
      continue;
    }
    std::string name = fmt::format("c{}", i + 1);
    g.initializer(name, *constants[i]);
    inputs.push_back(name);
  }
  std::vector<std::string> names;
  for (int k = 0; k < outputs; ++k) names.push_back(fmt::format("y{}", k));
  g.node(op, inputs, names, std::move(attrs));
  for (const auto& name : names) g.output(name);
  return g.build();
}

void expect_matches(const onnx_io::Model& model, const Shape& shape, uint32_t seed, double tolerance = 0.0,
                    bool all_on_gpu = true) {
  expect_cuda_matches_cpu(model, {{"x", random_tensor(shape, seed)}}, tolerance, all_on_gpu);
}

// ---- aliases ------------------------------------------------------------------------------

TEST(CudaTensor, ReshapeFollowsZeroAndMinusOneRules) {
  SKIP_WITHOUT_CUDA();
  struct Case {
    Shape in;
    std::vector<int64_t> target;
    int64_t allow_zero;
  };
  std::vector<Case> cases = {{{2, 3, 4}, {4, 6}, 0},    {{2, 3, 4}, {-1}, 0},       {{2, 3, 4}, {0, -1}, 0},
                             {{2, 3, 4}, {0, 0, 2, 2}, 0}, {{5}, {1, 5, 1}, 0},      {{0, 3}, {0, 3}, 1},
                             {{0, 3}, {3, 0}, 1},       {{7, 1}, {7}, 1},           {{}, {1, 1}, 0},
                             {{1, 1}, {}, 0}};
  uint32_t seed = 1;
  for (const auto& c : cases) {
    SCOPED_TRACE(shape_to_string(c.in) + " -> " + shape_to_string(c.target));
    expect_matches(one_node("Reshape", c.in, {int64s(c.target)}, {{"allowzero", c.allow_zero}}, 14), c.in, seed++);
  }
}

TEST(CudaTensor, FlattenAtEveryAxis) {
  SKIP_WITHOUT_CUDA();
  Shape shape{2, 3, 4, 5};
  for (int64_t axis : {0, 1, 2, 3, 4, -1, -4}) {
    SCOPED_TRACE(axis);
    expect_matches(one_node("Flatten", shape, {}, {{"axis", axis}}), shape, 10 + static_cast<uint32_t>(axis + 4));
  }
}

TEST(CudaTensor, SqueezeAndUnsqueezeInBothOpsetForms) {
  SKIP_WITHOUT_CUDA();
  Shape shape{1, 3, 1, 5};
  expect_matches(one_node("Squeeze", shape, {}), shape, 20);
  expect_matches(one_node("Squeeze", shape, {int64s({0, -2})}), shape, 21);
  expect_matches(one_node("Squeeze", shape, {}, {{"axes", std::vector<int64_t>{2}}}, 11), shape, 22);
  expect_matches(one_node("Unsqueeze", {3, 5}, {int64s({0, -1})}), {3, 5}, 23);
  expect_matches(one_node("Unsqueeze", {3, 5}, {int64s({1, 3})}), {3, 5}, 24);
  expect_matches(one_node("Unsqueeze", {3, 5}, {}, {{"axes", std::vector<int64_t>{0, 2}}}, 11), {3, 5}, 25);
  expect_matches(one_node("Unsqueeze", {}, {int64s({0})}), {}, 26);
}

TEST(CudaTensor, IdentityAndInferenceDropout) {
  SKIP_WITHOUT_CUDA();
  expect_matches(one_node("Identity", {4, 7}, {}), {4, 7}, 30);
  expect_matches(one_node("Dropout", {4, 7}, {}), {4, 7}, 31);
  expect_matches(one_node("Dropout", {4, 7}, {}, {{"ratio", 0.3}}, 10), {4, 7}, 32);
  expect_matches(one_node("Dropout", {4, 7}, {Tensor::scalar<float>(0.2f), Tensor::scalar<bool>(false)}), {4, 7}, 33);
}

// A chain of aliases feeding a copy: the copy must read through the shared memory.
TEST(CudaTensor, AliasesChainIntoCopies) {
  SKIP_WITHOUT_CUDA();
  GraphBuilder g(13);
  g.input("x", DType::Float32, Shape{2, 3, 4});
  g.initializer("shape", int64s({6, 4})).initializer("axes", int64s({0}));
  g.node("Reshape", {"x", "shape"}, {"r"})
      .node("Unsqueeze", {"r", "axes"}, {"u"})
      .node("Transpose", {"u"}, {"t"}, {{"perm", std::vector<int64_t>{2, 1, 0}}})
      .node("Flatten", {"t"}, {"y"}, {{"axis", int64_t{1}}})
      .output("y")
      .output("r");
  expect_cuda_matches_cpu(g.build(), {{"x", random_tensor({2, 3, 4}, 34)}}, 0.0);
}

// ---- copies -------------------------------------------------------------------------------

TEST(CudaTensor, TransposeEveryRank) {
  SKIP_WITHOUT_CUDA();
  struct Case {
    Shape shape;
    std::vector<int64_t> perm;  // empty: the default reversal
  };
  std::vector<Case> cases = {{{7}, {0}},
                             {{5, 9}, {1, 0}},
                             {{5, 9}, {}},
                             {{33, 65}, {1, 0}},
                             {{2, 3, 5}, {0, 2, 1}},
                             {{2, 3, 5}, {2, 0, 1}},
                             {{2, 3, 4, 5}, {0, 2, 3, 1}},
                             {{2, 3, 4, 5}, {0, 3, 1, 2}},
                             {{2, 3, 4, 5}, {}},
                             {{2, 1, 3, 1, 5}, {4, 2, 0, 3, 1}},
                             {{2, 3, 2, 3, 2, 3}, {5, 3, 1, 4, 2, 0}},
                             {{2, 1, 2, 3, 1, 2, 2, 3}, {7, 0, 6, 1, 5, 2, 4, 3}},
                             {{0, 3, 4}, {2, 0, 1}},
                             // last-two swaps: the shared-memory tile path, partial tiles, batches
                             {{4, 70, 45}, {0, 2, 1}},
                             {{2, 3, 40, 50}, {0, 1, 3, 2}},
                             {{1000, 300}, {1, 0}}};
  uint32_t seed = 40;
  for (const auto& c : cases) {
    SCOPED_TRACE(shape_to_string(c.shape) + " perm " + shape_to_string(c.perm));
    ir::Attributes attrs;
    if (!c.perm.empty()) attrs.set("perm", c.perm);
    expect_matches(one_node("Transpose", c.shape, {}, attrs), c.shape, seed++);
  }
}

// More than 65535 * 256 elements (a grid far beyond one 65535-block dimension).
TEST(CudaTensor, LargeTransposeUsesTheGridStrideLoop) {
  SKIP_WITHOUT_CUDA();
  Shape shape{3, 65535 * 32 + 1, 3};
  expect_matches(one_node("Transpose", shape, {}, {{"perm", std::vector<int64_t>{2, 1, 0}}}), shape, 55);
}

TEST(CudaTensor, ConcatAnyAxisAndInputCount) {
  SKIP_WITHOUT_CUDA();
  struct Case {
    std::vector<Shape> shapes;
    int64_t axis;
  };
  std::vector<Case> cases = {{{{3}, {5}}, 0},
                             {{{2, 3}, {4, 3}, {1, 3}}, 0},
                             {{{2, 3}, {2, 5}}, 1},
                             {{{2, 3, 4}, {2, 1, 4}, {2, 7, 4}, {2, 2, 4}}, -2},
                             {{{2, 3, 4}, {2, 3, 1}}, -1},
                             {{{2, 0, 4}, {2, 3, 4}}, 1},
                             {{{3, 5, 2, 2}}, 2}};
  uint32_t seed = 60;
  for (const auto& c : cases) {
    SCOPED_TRACE(c.axis);
    GraphBuilder g(13);
    std::vector<std::string> names;
    std::map<std::string, Tensor> feeds;
    for (size_t i = 0; i < c.shapes.size(); ++i) {
      std::string name = fmt::format("x{}", i);
      g.input(name, DType::Float32, c.shapes[i]);
      names.push_back(name);
      feeds[name] = random_tensor(c.shapes[i], seed++);
    }
    g.node("Concat", names, {"y"}, {{"axis", c.axis}}).output("y");
    expect_cuda_matches_cpu(g.build(), feeds, 0.0);
  }
}

TEST(CudaTensor, SplitEquallyAndBySizes) {
  SKIP_WITHOUT_CUDA();
  expect_matches(one_node("Split", {6, 4}, {}, {{"axis", int64_t{0}}}, 13, 3), {6, 4}, 70);
  expect_matches(one_node("Split", {3, 8, 5}, {}, {{"axis", int64_t{-2}}}, 13, 2), {3, 8, 5}, 71);
  expect_matches(one_node("Split", {3, 7, 5}, {int64s({2, 0, 5})}, {{"axis", int64_t{1}}}, 13, 3), {3, 7, 5}, 72);
  expect_matches(one_node("Split", {4, 9}, {int64s({1, 8})}, {{"axis", int64_t{-1}}}, 13, 2), {4, 9}, 73);
  expect_matches(one_node("Split", {4, 9}, {}, {{"axis", int64_t{1}}, {"split", std::vector<int64_t>{4, 5}}}, 11, 2),
                 {4, 9}, 74);
}

TEST(CudaTensor, SliceStepsAxesAndClamping) {
  SKIP_WITHOUT_CUDA();
  const int64_t big = std::numeric_limits<int64_t>::max(), small = std::numeric_limits<int64_t>::min();
  struct Case {
    Shape shape;
    std::vector<int64_t> starts, ends, axes, steps;  // empty axes/steps: input left out
  };
  std::vector<Case> cases = {
      {{10}, {2}, {7}, {}, {}},
      {{10}, {-3}, {big}, {}, {}},
      {{10}, {9}, {small}, {0}, {-1}},
      {{10}, {8}, {1}, {0}, {-3}},
      {{10}, {20}, {-20}, {0}, {-2}},
      {{5, 7, 9}, {1, 2}, {4, -1}, {0, 2}, {2, 3}},
      {{5, 7, 9}, {-1, 0}, {-6, 7}, {-3, 1}, {-1, 2}},
      {{5, 7, 9}, {3}, {3}, {1}, {1}},  // empty result
      {{2, 3, 4, 5, 6}, {0, 1, 4}, {2, 3, 0}, {1, 3, 4}, {1, 1, -2}},
  };
  uint32_t seed = 80;
  for (const auto& c : cases) {
    SCOPED_TRACE(shape_to_string(c.shape) + " starts " + shape_to_string(c.starts));
    std::vector<std::optional<Tensor>> inputs{int64s(c.starts), int64s(c.ends)};
    if (!c.axes.empty()) inputs.push_back(int64s(c.axes));
    if (!c.steps.empty()) inputs.push_back(int64s(c.steps));
    expect_matches(one_node("Slice", c.shape, inputs), c.shape, seed++);
  }
  // Opset 9: starts/ends/axes as attributes.
  expect_matches(one_node("Slice", {4, 6}, {},
                          {{"starts", std::vector<int64_t>{1, -4}},
                           {"ends", std::vector<int64_t>{3, 100}},
                           {"axes", std::vector<int64_t>{0, 1}}},
                          9),
                 {4, 6}, 95);
}

// Gather's indices come from the graph (a device tensor), int64 or int32, negatives wrapping.
TEST(CudaTensor, GatherAlongAnyAxis) {
  SKIP_WITHOUT_CUDA();
  struct Case {
    Shape data;
    Shape indices_shape;
    std::vector<int64_t> indices;
    int64_t axis;
  };
  std::vector<Case> cases = {{{10}, {4}, {0, 9, -1, 3}, 0},
                             {{5, 6}, {2, 3}, {0, 4, -5, 2, 1, 3}, 0},
                             {{5, 6}, {3}, {5, -6, 2}, 1},
                             {{3, 4, 5}, {}, {2}, 1},
                             {{3, 4, 5}, {2, 2}, {-1, 0, 4, 3}, -1},
                             {{3, 4, 5}, {0}, {}, 1},
                             {{50000, 8}, {7}, {49999, 0, -50000, 123, 4567, 1, 2}, 0}};
  uint32_t seed = 100;
  for (const auto& c : cases) {
    for (DType index_type : {DType::Int64, DType::Int32}) {
      SCOPED_TRACE(shape_to_string(c.data) + " axis " + std::to_string(c.axis) + " " +
                   std::string(dtype_name(index_type)));
      GraphBuilder g(13);
      g.input("x", DType::Float32, c.data).input("i", index_type, c.indices_shape);
      g.node("Gather", {"x", "i"}, {"y"}, {{"axis", c.axis}}).output("y");
      Tensor indices = Tensor::from_vector<int64_t>(c.indices_shape, c.indices).to(index_type);
      expect_cuda_matches_cpu(g.build(), {{"x", random_tensor(c.data, seed++)}, {"i", indices}}, 0.0);
    }
  }
  // Constant indices (an initializer uploaded once).
  GraphBuilder g(13);
  g.input("x", DType::Float32, Shape{6, 4}).initializer("i", int64s({5, -6, 3}));
  g.node("Gather", {"x", "i"}, {"y"}, {{"axis", int64_t{0}}}).output("y");
  expect_cuda_matches_cpu(g.build(), {{"x", random_tensor({6, 4}, 120)}}, 0.0);
}

TEST(CudaTensor, ExpandBroadcastsLikeNumpy) {
  SKIP_WITHOUT_CUDA();
  struct Case {
    Shape in;
    std::vector<int64_t> target;
  };
  std::vector<Case> cases = {{{3, 1}, {3, 4}},       {{1}, {2, 3, 5}},   {{4, 1, 5}, {2, 1, 3, 1}},
                             {{2, 3}, {1, 1}},       {{2, 3}, {3}},      {{1, 1, 1}, {0, 1, 7}},
                             {{5, 1, 3, 1}, {5, 4, 3, 2}}, {{}, {3, 2}}};
  uint32_t seed = 130;
  for (const auto& c : cases) {
    SCOPED_TRACE(shape_to_string(c.in) + " -> " + shape_to_string(c.target));
    expect_matches(one_node("Expand", c.in, {int64s(c.target)}), c.in, seed++);
  }
}

TEST(CudaTensor, TileRepeatsEveryDim) {
  SKIP_WITHOUT_CUDA();
  struct Case {
    Shape in;
    std::vector<int64_t> repeats;
  };
  std::vector<Case> cases = {{{5}, {3}},          {{2, 3}, {1, 1}},       {{2, 3}, {2, 3}},
                             {{1, 3, 2}, {4, 1, 2}}, {{2, 3}, {0, 2}},       {{3, 1, 2, 2}, {1, 5, 1, 3}}};
  uint32_t seed = 140;
  for (const auto& c : cases) {
    SCOPED_TRACE(shape_to_string(c.in) + " x " + shape_to_string(c.repeats));
    expect_matches(one_node("Tile", c.in, {int64s(c.repeats)}), c.in, seed++);
  }
}

TEST(CudaTensor, PadModesCropsAndOpsetForms) {
  SKIP_WITHOUT_CUDA();
  struct Case {
    Shape in;
    std::vector<int64_t> pads;
    std::string mode;
  };
  std::vector<Case> cases = {{{5}, {2, 3}, "constant"},
                             {{5}, {4, 4}, "reflect"},
                             {{5}, {7, 9}, "reflect"},  // wider than the input: periodic reflection
                             {{1, 4}, {0, 2, 0, 3}, "reflect"},
                             {{5}, {3, 6}, "edge"},
                             {{3, 4}, {1, -1, -2, 2}, "constant"},
                             {{3, 4}, {-1, 2, 1, -3}, "edge"},
                             {{2, 3, 4, 5}, {0, 1, 2, 3, 0, 3, 2, 1}, "reflect"},
                             {{2, 3, 4, 5}, {1, 0, 2, 0, 0, 1, 0, 2}, "edge"},
                             {{2, 3, 4, 5}, {0, 0, 1, 1, 0, 0, 1, 1}, "constant"},
                             {{0, 3}, {1, 1, 0, 0}, "constant"}};
  uint32_t seed = 150;
  for (const auto& c : cases) {
    SCOPED_TRACE(shape_to_string(c.in) + " pads " + shape_to_string(c.pads) + " " + c.mode);
    expect_matches(one_node("Pad", c.in, {int64s(c.pads)}, {{"mode", c.mode}}), c.in, seed++);
  }
  // A constant value input, and the opset-2 attribute form (pads, value).
  expect_matches(one_node("Pad", {3, 4}, {int64s({1, 2, 0, 1}), Tensor::scalar<float>(-2.5f)}), {3, 4}, 170);
  expect_matches(one_node("Pad", {3, 4}, {},
                          {{"pads", std::vector<int64_t>{0, 1, 2, 0}},
                           {"value", 1.5},
                           {"mode", std::string("constant")}},
                          10),
                 {3, 4}, 171);
}

// Casts are exact: integers to float32 round to nearest, float32 to integers truncate toward
// zero with NaN and out-of-range values giving the integer minimum, as the CPU's Cast (and ONNX
// Runtime on x86-64).
TEST(CudaTensor, CastBetweenFloatAndIntegers) {
  SKIP_WITHOUT_CUDA();
  const float inf = std::numeric_limits<float>::infinity(), nan = std::numeric_limits<float>::quiet_NaN();
  Tensor floats = Tensor::from_vector<float>(
      {14}, {0.f, -0.f, 1.9f, -1.9f, 2.5f, -2.5f, 1e10f, -1e10f, 3e19f, -3e19f, inf, -inf, nan, 2147483520.f});
  for (DType to : {DType::Int64, DType::Int32}) {
    SCOPED_TRACE(dtype_name(to));
    GraphBuilder g(13);
    g.input("x", DType::Float32, Shape{14});
    g.node("Cast", {"x"}, {"y"}, {{"to", int64_t{to == DType::Int64 ? 7 : 6}}}).output("y");
    CudaComparison result = expect_cuda_matches_cpu(g.build(), {{"x", floats}}, 0.0);
    EXPECT_EQ(result.nodes_on_cpu, 0);
  }
  Tensor wide = Tensor::from_vector<int64_t>({6}, {0, -7, 16777217, -16777219, int64_t{1} << 62,
                                                   std::numeric_limits<int64_t>::min()});
  for (DType from : {DType::Int64, DType::Int32}) {
    SCOPED_TRACE(dtype_name(from));
    GraphBuilder g(13);
    g.input("x", from, Shape{6});
    g.node("Cast", {"x"}, {"y"}, {{"to", int64_t{1}}}).output("y");
    Tensor x = from == DType::Int64
                   ? wide
                   : Tensor::from_vector<int32_t>({6}, {0, -7, 16777217, -16777219, 2147483647, -2147483647 - 1});
    expect_cuda_matches_cpu(g.build(), {{"x", x}}, 0.0);
  }
  // A large float -> int64 -> float round trip through a random tensor.
  GraphBuilder g(13);
  g.input("x", DType::Float32, Shape{1000, 37});
  g.node("Cast", {"x"}, {"i"}, {{"to", int64_t{7}}}).node("Cast", {"i"}, {"y"}, {{"to", int64_t{1}}}).output("y");
  expect_cuda_matches_cpu(g.build(), {{"x", random_tensor({1000, 37}, 180, -1000.f, 1000.f)}}, 0.0);
}

// ---- Resize -------------------------------------------------------------------------------

onnx_io::Model resize_model(const Shape& shape, const std::string& mode, const std::string& coordinates,
                            const std::string& rounding, std::optional<std::vector<float>> scales,
                            std::optional<std::vector<int64_t>> sizes) {
  std::vector<std::optional<Tensor>> inputs{std::nullopt};
  inputs.push_back(scales ? std::optional<Tensor>(Tensor::from_vector<float>(
                                {static_cast<int64_t>(scales->size())}, *scales))
                          : std::nullopt);
  if (sizes) inputs.push_back(int64s(*sizes));
  return one_node("Resize", shape, inputs,
                  {{"mode", mode}, {"coordinate_transformation_mode", coordinates}, {"nearest_mode", rounding}});
}

TEST(CudaTensor, ResizeNearestAndLinearEveryCoordinateMode) {
  SKIP_WITHOUT_CUDA();
  const Shape shape{2, 3, 5, 7};
  uint32_t seed = 200;
  for (const std::string coordinates :
       {"half_pixel", "pytorch_half_pixel", "align_corners", "asymmetric", "tf_half_pixel_for_nn"}) {
    for (const std::string rounding : {"round_prefer_floor", "round_prefer_ceil", "floor", "ceil"}) {
      for (const std::vector<float>& scales : {std::vector<float>{1, 1, 2, 2}, std::vector<float>{1, 1, 0.5f, 1.7f},
                                               std::vector<float>{1, 1, 3, 0.3f}}) {
        SCOPED_TRACE(coordinates + " " + rounding + " scales " + std::to_string(scales[2]));
        expect_matches(resize_model(shape, "nearest", coordinates, rounding, scales, std::nullopt), shape, seed++);
      }
      SCOPED_TRACE(coordinates + " " + rounding + " sizes");
      expect_matches(resize_model(shape, "nearest", coordinates, rounding, std::nullopt,
                                  std::vector<int64_t>{2, 3, 9, 4}),
                     shape, seed++);
    }
    for (const std::vector<float>& scales : {std::vector<float>{1, 1, 2, 2}, std::vector<float>{1, 1, 0.6f, 1.5f}}) {
      SCOPED_TRACE(coordinates + " linear " + std::to_string(scales[2]));
      expect_matches(resize_model(shape, "linear", coordinates, "round_prefer_floor", scales, std::nullopt), shape,
                     seed++, 1e-5);
    }
    SCOPED_TRACE(coordinates + " linear sizes");
    expect_matches(resize_model(shape, "linear", coordinates, "round_prefer_floor", std::nullopt,
                                std::vector<int64_t>{2, 3, 1, 11}),
                   shape, seed++, 1e-5);
  }
}

// Scales other than 1 on N and C, 3-D and 5-D inputs: the kernel is separable over every dim.
TEST(CudaTensor, ResizeOtherRanksAndBatchScales) {
  SKIP_WITHOUT_CUDA();
  expect_matches(resize_model({2, 3, 4}, "linear", "half_pixel", "round_prefer_floor",
                              std::vector<float>{2, 1, 1.5f}, std::nullopt),
                 {2, 3, 4}, 260, 1e-5);
  expect_matches(resize_model({1, 2, 3, 4, 5}, "nearest", "asymmetric", "floor",
                              std::vector<float>{1, 2, 2, 0.5f, 1}, std::nullopt),
                 {1, 2, 3, 4, 5}, 261);
  expect_matches(resize_model({1, 2, 3, 4, 5}, "linear", "align_corners", "round_prefer_floor", std::nullopt,
                              std::vector<int64_t>{1, 2, 5, 7, 3}),
                 {1, 2, 3, 4, 5}, 262, 1e-5);
}

// Opset 11 forms: a constant (ignored) roi, and sizes with an empty scales constant; opset 10's
// two-input Resize is rewritten at import (asymmetric coordinates, floor rounding).
TEST(CudaTensor, ResizeOpsetForms) {
  SKIP_WITHOUT_CUDA();
  const Shape shape{1, 3, 4, 6};
  const Tensor roi = Tensor::from_vector<float>({8}, {0, 0, 0, 0, 1, 1, 1, 1});
  const Tensor no_scales = Tensor::from_vector<float>({0}, {});
  ir::Attributes linear{{"mode", std::string("linear")}};
  expect_matches(one_node("Resize", shape, {roi, Tensor::from_vector<float>({4}, {1, 1, 1.5f, 0.5f})}, linear, 11),
                 shape, 265, 1e-5);
  expect_matches(one_node("Resize", shape, {roi, no_scales, int64s({1, 3, 7, 5})}, linear, 11), shape, 266, 1e-5);
  expect_matches(one_node("Resize", shape, {Tensor::from_vector<float>({4}, {1, 1, 2, 1.5f})}, {}, 10), shape, 267);
}

// Upsample (opset 7: scales attribute, opset 9: scales input) is rewritten to Resize at import.
TEST(CudaTensor, UpsampleRunsAsResize) {
  SKIP_WITHOUT_CUDA();
  const Shape shape{1, 2, 3, 4};
  expect_matches(one_node("Upsample", shape, {}, {{"scales", std::vector<double>{1, 1, 2, 3}}}, 7), shape, 270);
  expect_matches(one_node("Upsample", shape, {Tensor::from_vector<float>({4}, {1, 1, 2, 2})},
                          {{"mode", std::string("linear")}}, 9),
                 shape, 271, 1e-5);
}

// ---- what stays on the CPU ------------------------------------------------------------------

TEST(CudaTensor, RefusedNodesRunOnTheCpu) {
  SKIP_WITHOUT_CUDA();
  const Shape shape{1, 2, 3, 4};
  // Cubic Resize.
  CudaComparison cubic = expect_cuda_matches_cpu(
      resize_model(shape, "cubic", "half_pixel", "round_prefer_floor", std::vector<float>{1, 1, 2, 2}, std::nullopt),
      {{"x", random_tensor(shape, 280)}}, 1e-5, false);
  EXPECT_EQ(cubic.nodes_on_gpu, 0);
  // Dropout with its mask output.
  CudaComparison dropout = expect_cuda_matches_cpu(one_node("Dropout", shape, {}, {}, 13, 2),
                                                   {{"x", random_tensor(shape, 281)}}, 0.0, false);
  EXPECT_EQ(dropout.nodes_on_gpu, 0);
  // Reshape and Pad whose shape-like input is not a constant.
  GraphBuilder g(13);
  g.input("x", DType::Float32, shape).input("s", DType::Int64, Shape{2}).input("p", DType::Int64, Shape{8});
  g.node("Reshape", {"x", "s"}, {"r"}).node("Pad", {"x", "p"}, {"q"}).output("r").output("q");
  CudaComparison dynamic = expect_cuda_matches_cpu(
      g.build(),
      {{"x", random_tensor(shape, 282)}, {"s", int64s({4, 6})}, {"p", int64s({0, 0, 1, 0, 0, 1, 0, 2})}}, 0.0, false);
  EXPECT_EQ(dynamic.nodes_on_gpu, 0);
  // int64 data (shape arithmetic) stays on the CPU.
  GraphBuilder h(13);
  h.input("i", DType::Int64, Shape{4}).node("Transpose", {"i"}, {"t"}).output("t");
  CudaComparison integers = expect_cuda_matches_cpu(h.build(), {{"i", int64s({1, 2, 3, 4})}}, 0.0, false);
  EXPECT_EQ(integers.nodes_on_gpu, 0);
}

}  // namespace
}  // namespace flowonnx::testing
