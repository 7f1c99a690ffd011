// The numeric ai.onnx.ml ops against ONNX Runtime: TreeEnsemble (ai.onnx.ml 5) on random forests
// with every comparison mode, set membership, NaN routing, each aggregate function and post
// transform; ArrayFeatureExtractor and Binarizer on random shapes. Malformed forests must be
// refused at load naming the node.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <limits>

#include "runtime/ort_check.h"

namespace flowonnx {
namespace {

using namespace flowonnx::testing;  // NOLINT: the test helpers
using Ints = std::vector<int64_t>;

onnx_io::Model with_ml_opset(GraphBuilder& g) {
  onnx_io::Model model = g.build();
  model.graph.opset_imports["ai.onnx.ml"] = 5;
  return model;
}

Tensor doubles(const std::vector<double>& values, DType dtype) {
  return Tensor::from_vector<double>({static_cast<int64_t>(values.size())}, values).to(dtype);
}

// A random forest over `features` inputs: each tree a chain-free binary tree built breadth first.
struct RandomForest {
  std::vector<double> splits, modes, membership, weights;
  Ints features, true_ids, false_ids, true_leafs, false_leafs, missing, targets, roots;
};

RandomForest random_forest(int64_t trees, int64_t features, int64_t n_targets, bool membership) {
  RandomForest f;
  for (int64_t t = 0; t < trees; ++t) {
    const int64_t inner = uniform_int(1, 4);  // nodes of this tree
    const int64_t base = static_cast<int64_t>(f.splits.size());
    f.roots.push_back(base);
    for (int64_t i = 0; i < inner; ++i) {
      int64_t mode = uniform_int(0, membership ? 6 : 5);
      f.modes.push_back(static_cast<double>(mode));
      // Splits on a grid of quarters, which the inputs also hit, so == and != matter.
      f.splits.push_back(static_cast<double>(uniform_int(-4, 4)) / 4);
      if (mode == 6) {
        // Whole numbers: ONNX Runtime implements set membership for integer values only.
        for (int64_t k = uniform_int(1, 3); k > 0; --k)
          f.membership.push_back(static_cast<double>(uniform_int(-1, 1)));
        f.membership.push_back(std::numeric_limits<double>::quiet_NaN());
      }
      f.features.push_back(uniform_int(0, features - 1));
      f.missing.push_back(uniform_int(0, 1));
      // Children 2i+1 and 2i+2 inside the tree when they exist, else fresh leaves.
      for (int branch = 0; branch < 2; ++branch) {
        const int64_t child = 2 * i + 1 + branch;
        Ints& ids = branch ? f.true_ids : f.false_ids;
        Ints& leafs = branch ? f.true_leafs : f.false_leafs;
        if (child < inner) {
          ids.push_back(base + child);
          leafs.push_back(0);
        } else {
          ids.push_back(static_cast<int64_t>(f.weights.size()));
          leafs.push_back(1);
          f.weights.push_back(static_cast<double>(uniform_int(-20, 20)) / 8);
          f.targets.push_back(uniform_int(0, n_targets - 1));
        }
      }
    }
  }
  return f;
}

ir::Attributes forest_attrs(const RandomForest& f, DType dtype, int64_t n_targets,
                            int64_t aggregate, int64_t post) {
  ir::Attributes attrs = {{"nodes_splits", doubles(f.splits, dtype)},
                          {"nodes_modes", doubles(f.modes, DType::UInt8)},
                          {"nodes_featureids", f.features},
                          {"nodes_truenodeids", f.true_ids},
                          {"nodes_falsenodeids", f.false_ids},
                          {"nodes_trueleafs", f.true_leafs},
                          {"nodes_falseleafs", f.false_leafs},
                          {"nodes_missing_value_tracks_true", f.missing},
                          {"leaf_weights", doubles(f.weights, dtype)},
                          {"leaf_targetids", f.targets},
                          {"tree_roots", f.roots},
                          {"n_targets", n_targets},
                          {"aggregate_function", aggregate},
                          {"post_transform", post}};
  if (!f.membership.empty()) attrs.set("membership_values", doubles(f.membership, dtype));
  return attrs;
}

// The forest model with one output per (aggregate, post_transform) variant; `swap_transforms`
// numbers SOFTMAX and LOGISTIC the way ONNX Runtime 1.31 reads them (1 LOGISTIC, 2 SOFTMAX; the
// spec says 1 SOFTMAX, 2 LOGISTIC), so both runtimes compute the same transforms.
onnx_io::Model forest_model(const RandomForest& forest, DType dtype, int64_t features,
                            int64_t n_targets, bool swap_transforms) {
  GraphBuilder g(21);
  g.input("x", dtype, Shape{16, features});
  int variant = 0;
  for (int64_t aggregate = 0; aggregate < 4; ++aggregate) {
    for (int64_t post : {0, 1, 2, 3}) {
      if (post != 0 && aggregate != 1) continue;  // the transforms once, on the sums
      const int64_t code = swap_transforms && (post == 1 || post == 2) ? 3 - post : post;
      const std::string out = "y" + std::to_string(variant++);
      g.node("TreeEnsemble", {"x"}, {out}, forest_attrs(forest, dtype, n_targets, aggregate, code),
             "ai.onnx.ml")
          .output(out);
    }
  }
  return with_ml_opset(g);
}

TEST(MlOps, TreeEnsembleMatchesOnnxRuntime) {
  for (DType dtype : {DType::Float32, DType::Float64}) {
    for (int trial = 0; trial < 4; ++trial) {
      // At least 2 targets: with one, ONNX Runtime skips every post_transform but PROBIT.
      const int64_t features = uniform_int(1, 4), n_targets = uniform_int(2, 3);
      const bool membership = trial % 2 == 1;
      const RandomForest forest = random_forest(uniform_int(1, 4), features, n_targets, membership);
      // Quarter-grid inputs hit the splits exactly; some NaNs follow the missing-value routing.
      // With set membership the inputs are whole numbers: ONNX Runtime tests membership on the
      // input cast to an integer (0.25 is "in" {0}), where the spec compares values exactly
      // (the node test test_ai_onnx_ml_tree_ensemble_set_membership checks ours against it).
      Tensor x = random_ints({16, features}, -5, 5).to(DType::Float64);
      for (int64_t i = 0; i < x.num_elements(); ++i) {
        double& v = x.data<double>()[i];
        v = i % 7 == 3 ? std::numeric_limits<double>::quiet_NaN() : membership ? v : v / 4;
      }
      const std::string name = "tree_ensemble_" + std::string(dtype_name(dtype)) +
                               std::to_string(trial);
      const std::filesystem::path path = temp_model_path(name);
      onnx_io::save_model(forest_model(forest, dtype, features, n_targets, true), path);
      std::vector<Tensor> expected = run_onnxruntime(path, {{"x", x.to(dtype)}});
      std::filesystem::remove(path);
      InferenceSession session(forest_model(forest, dtype, features, n_targets, false));
      std::vector<Tensor> got = session.run({}, {{"x", x.to(dtype)}});
      ASSERT_EQ(got.size(), expected.size());
      for (size_t i = 0; i < got.size(); ++i) {
        auto result = compare_tensors(got[i], expected[i], 1e-5, 1e-6);
        EXPECT_TRUE(result.ok()) << name << " output " << i << ": " << result;
      }
    }
  }
}

TEST(MlOps, ArrayFeatureExtractorAndBinarizerMatchOnnxRuntime) {
  for (int trial = 0; trial < 3; ++trial) {
    Shape shape = {uniform_int(1, 3)};
    for (int64_t k = uniform_int(0, 2); k > 0; --k) shape.push_back(uniform_int(1, 4));
    const int64_t last = shape.back();
    GraphBuilder g(21);
    g.input("x", DType::Float32, shape)
        .initializer("index", random_ints({uniform_int(1, 4)}, 0, last - 1))
        .initializer("index_2d", random_ints({1, 3}, 0, last - 1))
        .node("ArrayFeatureExtractor", {"x", "index"}, {"picked"}, {}, "ai.onnx.ml")
        .node("ArrayFeatureExtractor", {"x", "index_2d"}, {"picked_2d"}, {}, "ai.onnx.ml")
        .node("Binarizer", {"x"}, {"binary"}, {{"threshold", 0.25}}, "ai.onnx.ml")
        .output("picked")
        .output("picked_2d")
        .output("binary");
    expect_same_as_onnxruntime(with_ml_opset(g), "ml_extract_" + std::to_string(trial),
                               {{{"x", randn(shape)}}}, 0, 0);
  }
}

TEST(MlOps, MalformedForestsAreRefused) {
  RandomForest forest = random_forest(2, 2, 2, false);
  auto error_for = [&](ir::Attributes attrs) {
    GraphBuilder g(21);
    g.input("x", DType::Float32, Shape{2, 2})
        .node("TreeEnsemble", {"x"}, {"y"}, std::move(attrs), "ai.onnx.ml")
        .output("y");
    return run_error(with_ml_opset(g), {{"x", randn({2, 2})}});
  };
  ir::Attributes attrs = forest_attrs(forest, DType::Float32, 2, 1, 0);
  attrs.set("n_targets", int64_t{1});  // leaves name target 1 too (or may)
  attrs.set("leaf_targetids", Ints(forest.targets.size(), 1));
  expect_error_mentions(error_for(attrs), {"TreeEnsemble", "leaf_targetids"});
  attrs = forest_attrs(forest, DType::Float32, 2, 1, 0);
  Ints bad_ids = forest.true_ids;
  bad_ids[0] = 1000;
  attrs.set("nodes_truenodeids", bad_ids);
  expect_error_mentions(error_for(attrs), {"TreeEnsemble", "outside"});
  attrs = forest_attrs(forest, DType::Float32, 2, 1, 4);
  expect_error_mentions(error_for(attrs), {"TreeEnsemble", "post_transform"});
  // A node whose true branch points back at itself loops forever unless caught.
  attrs = forest_attrs(forest, DType::Float32, 2, 1, 0);
  Ints self = forest.true_ids, self_leafs = forest.true_leafs;
  self[0] = 0;
  self_leafs[0] = 0;
  attrs.set("nodes_truenodeids", self);
  attrs.set("nodes_trueleafs", self_leafs);
  attrs.set("nodes_modes", doubles(std::vector<double>(forest.modes.size(), 0), DType::UInt8));
  attrs.set("nodes_splits", doubles(std::vector<double>(forest.splits.size(), 1e9), DType::Float32));
  expect_error_mentions(error_for(attrs), {"TreeEnsemble", "cycle"});
}

}  // namespace
}  // namespace flowonnx
