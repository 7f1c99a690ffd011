// Attribute variants of existing index and resampling kernels against ONNX Runtime: TopK on
// every axis (largest / smallest, int64 ties), ScatterElements / ScatterND with each reduction,
// GatherND with batch_dims, Mod with fmod 0 and 1, and Resize in cubic mode with each coordinate
// mode.
#include <gtest/gtest.h>

#include "runtime/ort_check.h"

namespace flowonnx {
namespace {

using namespace flowonnx::testing;  // NOLINT: the test helpers
using Ints = std::vector<int64_t>;

TEST(IndexingVariants, TopKEveryAxisMatchesOnnxRuntime) {
  const Shape shape = {3, 4, 5};
  GraphBuilder g(11);
  g.input("xf", DType::Float32, shape).input("xi", DType::Int64, shape);
  int variant = 0;
  for (const char* x : {"xf", "xi"})
    for (int64_t axis : {0, 1, 2, -1})
      for (int64_t largest : {0, 1}) {
        const std::string k = std::to_string(variant++);
        g.initializer("k" + k, Tensor::from_vector<int64_t>({1}, {uniform_int(0, 3)}))
            .node("TopK", {x, "k" + k}, {"v" + k, "i" + k},
                  {{"axis", axis}, {"largest", largest}, {"sorted", int64_t{1}}})
            .output("v" + k)
            .output("i" + k);
      }
  // Few distinct ints, so ties decide the indices.
  expect_same_as_onnxruntime(g.build(), "topk",
                             {{{"xf", randn(shape)}, {"xi", random_ints(shape, 0, 3)}}});
}

TEST(IndexingVariants, ScatterReductionsMatchOnnxRuntime) {
  const Shape data_shape = {4, 5};
  GraphBuilder g(16);
  g.input("data", DType::Float32, data_shape)
      .input("idx", DType::Int64, Shape{3, 5})
      .input("upd", DType::Float32, Shape{3, 5})
      .input("nd_idx", DType::Int64, Shape{3, 1})
      .input("nd_upd", DType::Float32, Shape{3, 5});
  for (const char* reduction : {"none", "add", "mul"}) {
    const std::string r = reduction;
    // Duplicate indices only where a reduction makes the order irrelevant.
    g.node("ScatterElements",
           {"data", r == "none" ? "idx_unique" : "idx", r == "none" ? "upd_unique" : "upd"},
           {"se_" + r}, {{"axis", int64_t{0}}, {"reduction", r}})
        .node("ScatterND", {"data", r == "none" ? "nd_unique" : "nd_idx", "nd_upd"}, {"snd_" + r},
              {{"reduction", r}})
        .output("se_" + r)
        .output("snd_" + r);
  }
  g.initializer("idx_unique", Tensor::from_vector<int64_t>({2, 5}, {0, 1, 2, 3, 0, 3, 2, 1, 0, -1}))
      .initializer("nd_unique", Tensor::from_vector<int64_t>({3, 1}, {2, 0, -1}))
      .initializer("upd_unique", randn({2, 5}));
  expect_same_as_onnxruntime(g.build(), "scatter_reductions",
                             {{{"data", randn(data_shape)},
                               {"idx", random_ints({3, 5}, -4, 3)},
                               {"upd", randn({3, 5})},
                               {"nd_idx", random_ints({3, 1}, -4, 3)},
                               {"nd_upd", randn({3, 5})}}});
}

// Opset 18 added max and min; we accept them at every opset, and load opsets up to 17 only, so
// ONNX Runtime (which refuses them before 18) cannot check them: hand-computed results.
TEST(IndexingVariants, ScatterMaxMinReductions) {
  for (const char* reduction : {"max", "min"}) {
    GraphBuilder g(16);
    g.input("data", DType::Float32, Shape{4})
        .input("upd", DType::Float32, Shape{3})
        .initializer("idx", Tensor::from_vector<int64_t>({3}, {1, 1, -1}))
        .initializer("nd_idx", Tensor::from_vector<int64_t>({3, 1}, {1, 1, -1}))
        .node("ScatterElements", {"data", "idx", "upd"}, {"se"},
              {{"reduction", std::string(reduction)}})
        .node("ScatterND", {"data", "nd_idx", "upd"}, {"snd"},
              {{"reduction", std::string(reduction)}})
        .output("se")
        .output("snd");
    InferenceSession session(g.build());
    auto out = session.run({}, {{"data", Tensor::from_vector<float>({4}, {0, 0, 0, 0})},
                                {"upd", Tensor::from_vector<float>({3}, {2, -3, 5})}});
    const bool max = std::string(reduction) == "max";
    const Tensor want = Tensor::from_vector<float>({4}, {0, max ? 2.f : -3.f, 0, max ? 5.f : 0.f});
    for (const Tensor& t : out)
      EXPECT_EQ(t.to_double_vector(), want.to_double_vector()) << reduction;
  }
}

TEST(IndexingVariants, GatherNdBatchDimsMatchOnnxRuntime) {
  GraphBuilder g(13);
  g.input("data", DType::Float32, Shape{2, 3, 4, 5})
      .input("i0", DType::Int64, Shape{3, 2})
      .input("i1", DType::Int64, Shape{2, 4, 2})
      .input("i2", DType::Int64, Shape{2, 3, 1})
      .node("GatherND", {"data", "i0"}, {"g0"})
      .node("GatherND", {"data", "i1"}, {"g1"}, {{"batch_dims", int64_t{1}}})
      .node("GatherND", {"data", "i2"}, {"g2"}, {{"batch_dims", int64_t{2}}})
      .output("g0")
      .output("g1")
      .output("g2");
  Tensor i0 = random_ints({3, 2}, -2, 1), i1 = random_ints({2, 4, 2}, -3, 2),
         i2 = random_ints({2, 3, 1}, -4, 3);
  expect_same_as_onnxruntime(g.build(), "gathernd",
                             {{{"data", randn({2, 3, 4, 5})}, {"i0", i0}, {"i1", i1}, {"i2", i2}}});
}

TEST(IndexingVariants, ModMatchesOnnxRuntime) {
  GraphBuilder g(13);
  g.input("af", DType::Float32, Shape{3, 4})
      .input("bf", DType::Float32, Shape{4})
      .input("ai", DType::Int64, Shape{3, 4})
      .input("bi", DType::Int64, Shape{4})
      .input("ai32", DType::Int32, Shape{3, 4})
      .input("bi32", DType::Int32, Shape{4})
      .node("Mod", {"af", "bf"}, {"f_fmod"}, {{"fmod", int64_t{1}}})
      .node("Mod", {"ai", "bi"}, {"i_mod"}, {{"fmod", int64_t{0}}})
      .node("Mod", {"ai", "bi"}, {"i_fmod"}, {{"fmod", int64_t{1}}})
      .node("Mod", {"ai32", "bi32"}, {"i32_mod"})
      .output("f_fmod")
      .output("i_mod")
      .output("i_fmod")
      .output("i32_mod");
  Tensor bi = Tensor::from_vector<int64_t>({4}, {3, -3, 7, -2});
  Tensor ai = random_ints({3, 4}, -20, 20);
  expect_same_as_onnxruntime(g.build(), "mod",
                             {{{"af", rand_uniform({3, 4}, -10, 10)},
                               {"bf", rand_uniform({4}, 0.5, 3)},
                               {"ai", ai},
                               {"bi", bi},
                               {"ai32", ai.to(DType::Int32)},
                               {"bi32", bi.to(DType::Int32)}}});
}

TEST(IndexingVariants, CubicResizeMatchesOnnxRuntime) {
  GraphBuilder g(13);
  g.input("x", DType::Float32, Shape{1, 2, 5, 6})
      .initializer("roi", Tensor::from_vector<float>({0}, {}))
      // Whole scaled lengths (8, 3): with align_corners ONNX Runtime divides by the output length
      // and the ONNX reference (which the node tests and our kernel follow) by the unrounded one.
      .initializer("scales", Tensor::from_vector<float>({4}, {1, 1, 1.6f, 0.5f}))
      .initializer("sizes", Tensor::from_vector<int64_t>({4}, {1, 2, 9, 4}));
  int variant = 0;
  for (const char* transform : {"half_pixel", "align_corners", "asymmetric", "pytorch_half_pixel"})
    for (int64_t exclude : {0, 1}) {
      const std::string k = std::to_string(variant++);
      ir::Attributes attrs = {{"mode", std::string("cubic")},
                              {"coordinate_transformation_mode", std::string(transform)},
                              {"exclude_outside", exclude},
                              {"cubic_coeff_a", -0.5}};
      g.node("Resize", {"x", "roi", "scales"}, {"s" + k}, attrs).output("s" + k);
      g.node("Resize", {"x", "roi", "", "sizes"}, {"z" + k}, attrs).output("z" + k);
    }
  expect_same_as_onnxruntime(g.build(), "resize_cubic", {{{"x", randn({1, 2, 5, 6})}}}, 1e-4, 1e-5);
}

}  // namespace
}  // namespace flowonnx
