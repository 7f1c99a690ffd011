// Losses, detection and data-picked indexing ops against ONNX Runtime on random shapes and
// attributes: NegativeLogLikelihoodLoss, SoftmaxCrossEntropyLoss, NonMaxSuppression, RoiAlign,
// GridSample, Unique, Compress, Einsum, ReverseSequence, MaxUnpool, plus the attribute variants
// of TopK, ScatterElements/ScatterND reductions, Mod and cubic Resize. Many variants share one
// model so each ONNX Runtime call checks several nodes. Hostile inputs must fail with an error
// naming the node, the op and the input.
#include <gtest/gtest.h>

#include <cmath>

#include "runtime/ort_check.h"

namespace flowonnx {
namespace {

using namespace flowonnx::testing;  // NOLINT: the test helpers
using Ints = std::vector<int64_t>;

// ---- losses ----

TEST(DetectionOps, LossesMatchOnnxRuntime) {
  for (DType dtype : {DType::Float32, DType::Float64}) {
    for (int trial = 0; trial < 3; ++trial) {
      const int64_t n = uniform_int(1, 4), c = uniform_int(2, 6);
      Shape shape = {n, c};
      for (int64_t k = uniform_int(0, 3); k > 0; --k) shape.push_back(uniform_int(1, 4));
      Shape target_shape = shape;
      target_shape.erase(target_shape.begin() + 1);
      // Trial 1 ignores a negative index that some targets hold; the others a class.
      const bool negative = trial == 1;
      const int64_t ignore = negative ? -1 : uniform_int(0, c - 1);
      Tensor target = random_ints(target_shape, 0, c - 1);
      if (negative)
        for (int64_t i = 0; i < target.num_elements(); i += 3) target.data<int64_t>()[i] = -1;
      GraphBuilder g(13);
      g.input("x", dtype, shape).input("t", DType::Int64, target_shape).input("w", dtype, Shape{c});
      for (const char* reduction : {"none", "sum", "mean"}) {
        for (bool weighted : {false, true}) {
          const std::string tag = std::string(reduction) + (weighted ? "_w" : "");
          std::vector<std::string> in = {"x", "t"};
          if (weighted) in.push_back("w");
          g.node("NegativeLogLikelihoodLoss", in, {"nll_" + tag},
                 {{"reduction", std::string(reduction)}, {"ignore_index", ignore}})
              .node("SoftmaxCrossEntropyLoss", in, {"sce_" + tag, "logp_" + tag},
                    {{"reduction", std::string(reduction)}, {"ignore_index", ignore}})
              .output("nll_" + tag)
              .output("sce_" + tag)
              .output("logp_" + tag);
          if (!negative) {  // without ignore_index every target must be a class
            g.node("SoftmaxCrossEntropyLoss", in, {"sce_all_" + tag},
                   {{"reduction", std::string(reduction)}})
                .output("sce_all_" + tag);
          }
        }
      }
      Feeds feeds = {{"x", randn(shape).to(dtype)},
                     {"t", target},
                     {"w", rand_uniform({c}, 0.2, 2.0).to(dtype)}};
      expect_same_as_onnxruntime(
          g.build(), "losses_" + std::string(dtype_name(dtype)) + std::to_string(trial), {feeds});
    }
  }
}

TEST(DetectionOps, LossHostileInputs) {
  auto model = [] {
    GraphBuilder g(13);
    g.input("x", DType::Float32, {ir::Dim{}, ir::Dim{}})
        .input("t", DType::Int64, {ir::Dim{}})
        .node("NegativeLogLikelihoodLoss", {"x", "t"}, {"y"})
        .output("y");
    return g.build();
  };
  expect_error_mentions(run_error(model(), {{"x", randn({2, 3})}, {"t", random_ints({2}, 3, 3)}}),
                        {"NegativeLogLikelihoodLoss", "node", "input 1 (target)", "outside"});
  expect_error_mentions(run_error(model(), {{"x", randn({2, 3})}, {"t", random_ints({3}, 0, 2)}}),
                        {"NegativeLogLikelihoodLoss", "input 1 (target)", "must have shape"});
  GraphBuilder flat(13);
  flat.input("x", DType::Float32, {ir::Dim{}})
      .input("t", DType::Int64, {ir::Dim{}})
      .node("NegativeLogLikelihoodLoss", {"x", "t"}, {"y"})
      .output("y");
  expect_error_mentions(run_error(flat.build(), {{"x", randn({2})}, {"t", random_ints({2}, 0, 1)}}),
                        {"NegativeLogLikelihoodLoss", "input 0 (input)", "[N, C, d1..dk]"});
  GraphBuilder bad(13);
  bad.input("x", DType::Float32, {ir::Dim{}, ir::Dim{}})
      .input("t", DType::Int64, {ir::Dim{}})
      .node("SoftmaxCrossEntropyLoss", {"x", "t"}, {"y"}, {{"reduction", std::string("avg")}})
      .output("y");
  expect_error_mentions(
      run_error(bad.build(), {{"x", randn({2, 3})}, {"t", random_ints({2}, 0, 2)}}),
      {"SoftmaxCrossEntropyLoss", "reduction", "avg"});
}

// ---- detection ----

// Random boxes [B, S, 4]: corners (y1, x1, y2, x2) in either order, or (xc, yc, w, h).
Tensor random_boxes(int64_t batches, int64_t count, bool center) {
  Tensor boxes({batches, count, 4});
  float* b = boxes.data<float>();
  std::uniform_real_distribution<float> pos(0, 10), size(0.5f, 4);
  for (int64_t i = 0; i < batches * count; ++i, b += 4) {
    const float y = pos(test_rng()), x = pos(test_rng()), h = size(test_rng()),
                w = size(test_rng());
    if (center) {
      b[0] = x;
      b[1] = y;
      b[2] = w;
      b[3] = h;
    } else if (i % 3 == 1) {  // flipped corners
      b[0] = y + h;
      b[1] = x + w;
      b[2] = y;
      b[3] = x;
    } else {
      b[0] = y;
      b[1] = x;
      b[2] = y + h;
      b[3] = x + w;
    }
  }
  return boxes;
}

TEST(DetectionOps, NonMaxSuppressionMatchesOnnxRuntime) {
  for (int64_t center : {0, 1}) {
    const int64_t batches = 2, classes = 3, count = 40;
    GraphBuilder g(11);
    g.input("boxes", DType::Float32, Shape{batches, count, 4})
        .input("scores", DType::Float32, Shape{batches, classes, count});
    struct Variant {
      int64_t max_boxes;
      float iou;
      std::optional<float> score;
    };
    const std::vector<Variant> variants = {{3, 0.5f, 0.3f},
                                           {100, 0.3f, std::nullopt},
                                           {5, 0.0f, 0.9f},
                                           {100, 1.0f, 0.0f},
                                           {0, 0.5f, 0.1f}};
    for (size_t v = 0; v < variants.size(); ++v) {
      const std::string k = std::to_string(v);
      g.initializer("max" + k, Tensor::from_vector<int64_t>({1}, {variants[v].max_boxes}))
          .initializer("iou" + k, Tensor::from_vector<float>({1}, {variants[v].iou}));
      std::vector<std::string> in = {"boxes", "scores", "max" + k, "iou" + k};
      if (variants[v].score) {
        g.initializer("score" + k, Tensor::from_vector<float>({1}, {*variants[v].score}));
        in.push_back("score" + k);
      }
      g.node("NonMaxSuppression", in, {"sel" + k}, {{"center_point_box", center}})
          .output("sel" + k);
    }
    // Scores on a 0.1 grid so ties (broken by the lower box index) occur.
    Tensor scores = rand_uniform({batches, classes, count}, 0, 1);
    for (int64_t i = 0; i < scores.num_elements(); ++i)
      scores.data<float>()[i] = std::round(scores.data<float>()[i] * 10) / 10;
    expect_same_as_onnxruntime(
        g.build(), "nms" + std::to_string(center),
        {{{"boxes", random_boxes(batches, count, center)}, {"scores", scores}}});
  }
}

TEST(DetectionOps, NonMaxSuppressionHostileInputs) {
  auto model = [] {
    GraphBuilder g(11);
    g.input("boxes", DType::Float32, {ir::Dim{}, ir::Dim{}, ir::Dim{}})
        .input("scores", DType::Float32, {ir::Dim{}, ir::Dim{}, ir::Dim{}})
        .initializer("max", Tensor::from_vector<int64_t>({1}, {10}))
        .node("NonMaxSuppression", {"boxes", "scores", "max"}, {"sel"})
        .output("sel");
    return g.build();
  };
  expect_error_mentions(
      run_error(model(), {{"boxes", randn({1, 5, 3})}, {"scores", randn({1, 1, 5})}}),
      {"NonMaxSuppression", "node", "input 0 (boxes)", "[num_batches, spatial_dimension, 4]"});
  expect_error_mentions(
      run_error(model(), {{"boxes", randn({1, 5, 4})}, {"scores", randn({1, 1, 6})}}),
      {"NonMaxSuppression", "input 1 (scores)", "does not match"});
  GraphBuilder iou(11);
  iou.input("boxes", DType::Float32, {ir::Dim{}, ir::Dim{}, ir::Dim{}})
      .input("scores", DType::Float32, {ir::Dim{}, ir::Dim{}, ir::Dim{}})
      .initializer("max", Tensor::from_vector<int64_t>({1}, {10}))
      .initializer("iou", Tensor::from_vector<float>({1}, {1.5f}))
      .node("NonMaxSuppression", {"boxes", "scores", "max", "iou"}, {"sel"})
      .output("sel");
  expect_error_mentions(
      run_error(iou.build(), {{"boxes", randn({1, 5, 4})}, {"scores", randn({1, 1, 5})}}),
      {"NonMaxSuppression", "input 3 (iou_threshold)", "[0, 1]"});
}

TEST(DetectionOps, RoiAlignMatchesOnnxRuntime) {
  const int64_t n = 2, c = 3, h = 9, w = 11, rois = 6;
  GraphBuilder g(16);
  g.input("x", DType::Float32, Shape{n, c, h, w})
      .input("rois", DType::Float32, Shape{rois, 4})
      .input("idx", DType::Int64, Shape{rois});
  int variant = 0;
  for (const char* mode : {"avg", "max"})
    for (const char* transform : {"half_pixel", "output_half_pixel"})
      for (int64_t ratio : {0, 2}) {
        const std::string out = "y" + std::to_string(variant++);
        g.node("RoiAlign", {"x", "rois", "idx"}, {out},
               {{"mode", std::string(mode)},
                {"coordinate_transformation_mode", std::string(transform)},
                {"sampling_ratio", ratio},
                {"output_height", int64_t{3}},
                {"output_width", int64_t{4}},
                {"spatial_scale", 0.5}})
            .output(out);
      }
  // Boxes in input-image coordinates (spatial_scale 0.5), some reaching past the map.
  Tensor boxes({rois, 4});
  std::uniform_real_distribution<float> x0(-2, 2 * w), size(1, 14);
  for (int64_t r = 0; r < rois; ++r) {
    float* b = boxes.data<float>() + 4 * r;
    b[0] = x0(test_rng());
    b[1] = x0(test_rng()) * h / w;
    b[2] = b[0] + size(test_rng());
    b[3] = b[1] + size(test_rng());
  }
  expect_same_as_onnxruntime(
      g.build(), "roialign",
      {{{"x", randn({n, c, h, w})}, {"rois", boxes}, {"idx", random_ints({rois}, 0, n - 1)}}}, 1e-4,
      1e-5);
}

TEST(DetectionOps, RoiAlignHostileInputs) {
  auto model = [] {
    GraphBuilder g(16);
    g.input("x", DType::Float32, {ir::Dim{}, ir::Dim{}, ir::Dim{}, ir::Dim{}})
        .input("rois", DType::Float32, {ir::Dim{}, ir::Dim{}})
        .input("idx", DType::Int64, {ir::Dim{}})
        .node("RoiAlign", {"x", "rois", "idx"}, {"y"})
        .output("y");
    return g.build();
  };
  Tensor rois = Tensor::from_vector<float>({1, 4}, {0, 0, 2, 2});
  expect_error_mentions(
      run_error(model(),
                {{"x", randn({1, 2, 4, 4})}, {"rois", rois}, {"idx", random_ints({1}, 1, 1)}}),
      {"RoiAlign", "node", "input 2 (batch_indices)", "outside the batch"});
  expect_error_mentions(run_error(model(), {{"x", randn({1, 2, 4, 4})},
                                            {"rois", randn({1, 3})},
                                            {"idx", random_ints({1}, 0, 0)}}),
                        {"RoiAlign", "input 1 (rois)", "[num_rois, 4]"});
  Tensor nan_rois = Tensor::from_vector<float>({1, 4}, {0, 0, NAN, 2});
  expect_error_mentions(
      run_error(model(),
                {{"x", randn({1, 2, 4, 4})}, {"rois", nan_rois}, {"idx", random_ints({1}, 0, 0)}}),
      {"RoiAlign", "input 1 (rois)", "finite"});
}

TEST(DetectionOps, GridSampleMatchesOnnxRuntime) {
  for (int trial = 0; trial < 2; ++trial) {
    const int64_t n = 2, c = 2, h = uniform_int(1, 6) + trial * 3, w = uniform_int(2, 7);
    const int64_t ho = uniform_int(2, 5), wo = uniform_int(2, 5);
    GraphBuilder g(16);
    g.input("x", DType::Float32, Shape{n, c, h, w})
        .input("grid", DType::Float32, Shape{n, ho, wo, 2});
    int variant = 0;
    for (const char* mode : {"bilinear", "nearest", "bicubic"})
      for (const char* padding : {"zeros", "border", "reflection"})
        for (int64_t align : {0, 1}) {
          const std::string out = "y" + std::to_string(variant++);
          g.node("GridSample", {"x", "grid"}, {out},
                 {{"mode", std::string(mode)},
                  {"padding_mode", std::string(padding)},
                  {"align_corners", align}})
              .output(out);
        }
    // Reaching well past [-1, 1] exercises every padding mode, reflection more than once.
    expect_same_as_onnxruntime(
        g.build(), "gridsample" + std::to_string(trial),
        {{{"x", randn({n, c, h, w})}, {"grid", rand_uniform({n, ho, wo, 2}, -2.5, 2.5)}}}, 1e-4,
        1e-5);
  }
}

TEST(DetectionOps, GridSampleHostileInputs) {
  auto model = [] {
    GraphBuilder g(16);
    g.input("x", DType::Float32, {ir::Dim{}, ir::Dim{}, ir::Dim{}, ir::Dim{}})
        .input("grid", DType::Float32, {ir::Dim{}, ir::Dim{}, ir::Dim{}, ir::Dim{}})
        .node("GridSample", {"x", "grid"}, {"y"})
        .output("y");
    return g.build();
  };
  expect_error_mentions(
      run_error(model(), {{"x", randn({1, 2, 4, 4})}, {"grid", randn({1, 3, 3, 3})}}),
      {"GridSample", "node", "input 1 (grid)"});
  expect_error_mentions(
      run_error(model(), {{"x", randn({1, 2, 4, 4})}, {"grid", randn({2, 3, 3, 2})}}),
      {"GridSample", "input 1 (grid)", "N = 1"});
  GraphBuilder bad(16);
  bad.input("x", DType::Float32, {ir::Dim{}, ir::Dim{}, ir::Dim{}, ir::Dim{}})
      .input("grid", DType::Float32, {ir::Dim{}, ir::Dim{}, ir::Dim{}, ir::Dim{}})
      .node("GridSample", {"x", "grid"}, {"y"}, {{"mode", std::string("area")}})
      .output("y");
  expect_error_mentions(
      run_error(bad.build(), {{"x", randn({1, 2, 4, 4})}, {"grid", randn({1, 3, 3, 2})}}),
      {"GridSample", "mode", "area"});
}

// ---- indexing ----

TEST(DetectionOps, UniqueAndCompressMatchOnnxRuntime) {
  const Shape shape = {uniform_int(3, 6), uniform_int(2, 5)};
  GraphBuilder g(11);
  g.input("xi", DType::Int64, shape)
      .input("xf", DType::Float32, shape)
      .input("cond", DType::Bool, Shape{shape[1] + 1});
  int variant = 0;
  for (const char* x : {"xi", "xf"})
    for (int64_t sorted : {0, 1})
      for (std::optional<int64_t> axis :
           {std::optional<int64_t>(), std::optional<int64_t>(0), std::optional<int64_t>(-1)}) {
        const std::string k = std::to_string(variant++);
        ir::Attributes attrs = {{"sorted", sorted}};
        if (axis) attrs.set("axis", *axis);
        g.node("Unique", {x}, {"u" + k, "i" + k, "inv" + k, "c" + k}, attrs)
            .output("u" + k)
            .output("i" + k)
            .output("inv" + k)
            .output("c" + k);
      }
  // Compress along the last axis (a condition longer than it), the first, and flattened.
  g.node("Compress", {"xf", "cond"}, {"c_last"}, {{"axis", int64_t{-1}}})
      .output("c_last")
      .node("Compress", {"xi", "cond"}, {"c_flat"})
      .output("c_flat");
  // Few distinct values so rows and elements repeat.
  Tensor xi = random_ints(shape, 0, 2);
  for (int64_t j = 0; j < shape[1]; ++j) xi.data<int64_t>()[shape[1] + j] = xi.data<int64_t>()[j];
  Tensor xf = xi.to(DType::Float32);
  std::vector<bool> cond(static_cast<size_t>(shape[1] + 1));
  for (size_t i = 0; i < cond.size(); ++i) cond[i] = uniform_int(0, 1) == 1;
  expect_same_as_onnxruntime(
      g.build(), "unique",
      {{{"xi", xi}, {"xf", xf}, {"cond", Tensor::from_vector<bool>({shape[1] + 1}, cond)}}});
}

TEST(DetectionOps, EinsumMatchesOnnxRuntime) {
  struct Case {
    std::string equation;
    std::vector<Shape> shapes;
  };
  const std::vector<Case> cases = {
      {"ij,jk->ik", {{3, 4}, {4, 5}}},
      {"bij,bjk->bik", {{2, 3, 4}, {2, 4, 2}}},
      {"ij,jk", {{3, 4}, {4, 5}}},  // implicit output
      {"ba", {{3, 4}}},             // implicit: transposed to "ab"
      {"ii->i", {{4, 4}}},          // diagonal
      {"ii", {{4, 4}}},             // trace
      {"bii->bi", {{2, 3, 3}}},
      {"ij->", {{3, 5}}},
      {"i,i", {{6}, {6}}},  // inner product
      {"i,j->ij", {{3}, {4}}},
      {"abc->cba", {{2, 3, 4}}},
      {"...ij,...jk->...ik", {{2, 1, 3, 4}, {1, 3, 4, 2}}},  // broadcast ellipsis
      {"...ii->...i", {{2, 3, 3}}},
      {"i...->...", {{3, 2, 2}}},
      {"bhqd, bhkd -> bhqk", {{2, 2, 3, 4}, {2, 2, 5, 4}}},
      {"ij,jk,kl->il", {{2, 3}, {3, 4}, {4, 2}}},
      {"Ab,bC->AC", {{2, 3}, {3, 2}}},
  };
  GraphBuilder g(12);
  for (size_t c = 0; c < cases.size(); ++c) {
    std::vector<std::string> inputs;
    for (size_t i = 0; i < cases[c].shapes.size(); ++i) {
      inputs.push_back("x" + std::to_string(c) + "_" + std::to_string(i));
      g.input(inputs.back(), DType::Float32, cases[c].shapes[i]);
    }
    g.node("Einsum", inputs, {"y" + std::to_string(c)}, {{"equation", cases[c].equation}})
        .output("y" + std::to_string(c));
  }
  g.input("ai", DType::Int64, Shape{3, 4})
      .input("bi", DType::Int64, Shape{4, 2})
      .node("Einsum", {"ai", "bi"}, {"yi"}, {{"equation", std::string("ij,jk->ik")}})
      .output("yi");
  Feeds feeds = {{"ai", random_ints({3, 4}, -5, 5)}, {"bi", random_ints({4, 2}, -5, 5)}};
  for (size_t c = 0; c < cases.size(); ++c)
    for (size_t i = 0; i < cases[c].shapes.size(); ++i)
      feeds["x" + std::to_string(c) + "_" + std::to_string(i)] = randn(cases[c].shapes[i]);
  expect_same_as_onnxruntime(g.build(), "einsum", {feeds}, 1e-5, 1e-5);
}

TEST(DetectionOps, EinsumHostileEquations) {
  auto run = [](const std::string& equation, std::vector<Shape> shapes) {
    GraphBuilder g(12);
    std::vector<std::string> names;
    Feeds feeds;
    for (size_t i = 0; i < shapes.size(); ++i) {
      names.push_back("x" + std::to_string(i));
      g.input(names.back(), DType::Float32, std::vector<ir::Dim>(shapes[i].size(), ir::Dim{}));
      feeds[names.back()] = randn(shapes[i]);
    }
    g.node("Einsum", names, {"y"}, {{"equation", equation}}).output("y");
    return run_error(g.build(), feeds);
  };
  expect_error_mentions(run("ij,jk->ik", {{2, 3}, {4, 5}}),
                        {"Einsum", "node", "axis 'j'", "input 1"});
  expect_error_mentions(run("ij->ik", {{2, 3}}), {"Einsum", "output 'ik'"});
  expect_error_mentions(run("ijk->i", {{2, 3}}), {"Einsum", "term 'ijk'", "input 0"});
  expect_error_mentions(run("ij,jk->ik", {{2, 3}}), {"Einsum", "2 operand terms for 1 inputs"});
  expect_error_mentions(run("i1->i", {{2, 3}}), {"Einsum", "'1'"});
  expect_error_mentions(run("i..j->i", {{2, 3}}), {"Einsum", "'...'"});
  expect_error_mentions(run("i->i->i", {{2}}), {"Einsum", "more than one '->'"});
}

TEST(DetectionOps, ReverseSequenceAndMaxUnpoolMatchOnnxRuntime) {
  const int64_t steps = 5, batch = 3;
  GraphBuilder g(11);
  g.input("seq", DType::Float32, Shape{steps, batch, 2})
      .input("seq_bt", DType::Int64, Shape{batch, steps})
      .input("lens", DType::Int64, Shape{batch})
      .input("img", DType::Float32, Shape{2, 3, 6, 6})
      .node("ReverseSequence", {"seq", "lens"}, {"r_time"},
            {{"time_axis", int64_t{0}}, {"batch_axis", int64_t{1}}})
      .node("ReverseSequence", {"seq_bt", "lens"}, {"r_batch"},
            {{"time_axis", int64_t{1}}, {"batch_axis", int64_t{0}}})
      .node("MaxPool", {"img"}, {"pooled", "where"},
            {{"kernel_shape", Ints{2, 2}}, {"strides", Ints{2, 2}}})
      .node("MaxUnpool", {"pooled", "where"}, {"unpooled"},
            {{"kernel_shape", Ints{2, 2}}, {"strides", Ints{2, 2}}})
      // Larger than the inferred 6x6: the indices stay flat offsets into the output.
      .initializer("out_shape", Tensor::from_vector<int64_t>({4}, {2, 3, 7, 7}))
      .node("MaxUnpool", {"pooled", "where", "out_shape"}, {"unpooled_shaped"},
            {{"kernel_shape", Ints{2, 2}}, {"strides", Ints{2, 2}}})
      .output("r_time")
      .output("r_batch")
      .output("unpooled")
      .output("unpooled_shaped");
  Tensor lens = Tensor::from_vector<int64_t>({batch}, {5, 0, 3});
  expect_same_as_onnxruntime(g.build(), "revseq_unpool",
                             {{{"seq", randn({steps, batch, 2})},
                               {"seq_bt", random_ints({batch, steps}, -9, 9)},
                               {"lens", lens},
                               {"img", randn({2, 3, 6, 6})}}});
}

TEST(DetectionOps, IndexingHostileInputs) {
  GraphBuilder g(11);
  g.input("x", DType::Float32, {ir::Dim{}, ir::Dim{}})
      .input("lens", DType::Int64, {ir::Dim{}})
      .node("ReverseSequence", {"x", "lens"}, {"y"})
      .output("y");
  expect_error_mentions(
      run_error(g.build(), {{"x", randn({4, 2})}, {"lens", random_ints({2}, 5, 5)}}),
      {"ReverseSequence", "node", "input 1 (sequence_lens)", "outside [0, 4]"});
  GraphBuilder u(11);
  const std::vector<ir::Dim> rank4(4, ir::Dim{});
  u.input("x", DType::Float32, rank4)
      .input("i", DType::Int64, rank4)
      .node("MaxUnpool", {"x", "i"}, {"y"}, {{"kernel_shape", Ints{2}}})
      .output("y");
  expect_error_mentions(
      run_error(u.build(), {{"x", randn({1, 2, 3, 3})}, {"i", random_ints({1, 2, 3, 3}, 0, 9)}}),
      {"MaxUnpool", "node", "input 0 (X)"});
  GraphBuilder u3(11);
  u3.input("x", DType::Float32, {ir::Dim{}, ir::Dim{}, ir::Dim{}})
      .input("i", DType::Int64, {ir::Dim{}, ir::Dim{}, ir::Dim{}})
      .node("MaxUnpool", {"x", "i"}, {"y"}, {{"kernel_shape", Ints{2}}, {"strides", Ints{2}}})
      .output("y");
  expect_error_mentions(
      run_error(u3.build(), {{"x", randn({1, 2, 3})}, {"i", random_ints({1, 2, 3}, 12, 12)}}),
      {"MaxUnpool", "input 1 (I)", "outside the output's 12 elements"});
  GraphBuilder c(11);
  c.input("x", DType::Float32, {ir::Dim{}, ir::Dim{}})
      .input("cond", DType::Float32, {ir::Dim{}})
      .node("Compress", {"x", "cond"}, {"y"}, {{"axis", int64_t{0}}})
      .output("y");
  expect_error_mentions(run_error(c.build(), {{"x", randn({2, 2})}, {"cond", randn({2})}}),
                        {"Compress", "node", "input 1 (condition)", "bool"});
  GraphBuilder q(11);
  q.input("x", DType::Float32, {ir::Dim{}, ir::Dim{}})
      .node("Unique", {"x"}, {"y"}, {{"axis", int64_t{2}}})
      .output("y");
  expect_error_mentions(run_error(q.build(), {{"x", randn({2, 2})}}), {"Unique", "node", "axis 2"});
}

}  // namespace
}  // namespace flowonnx
