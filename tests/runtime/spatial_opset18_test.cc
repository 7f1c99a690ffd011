// The opset 18-20 spatial ops and op versions against ONNX Runtime on random shapes and
// attributes (the node tests hold one or two fixed cases each): Resize-19 antialias / axes /
// keep_aspect_ratio_policy / half_pixel_symmetric, Pad-19 axes and wrap, CenterCropPad, Col2Im,
// AffineGrid, DeformConv and volumetric GridSample-20 with every padding mode. Hostile inputs
// must fail with an error naming the op and the input.
#include <gtest/gtest.h>

#include <filesystem>

#include "runtime/ort_check.h"

namespace flowonnx {
namespace {

using namespace flowonnx::testing;  // NOLINT: the test helpers
using Ints = std::vector<int64_t>;

Tensor ints(const Ints& values) {
  return Tensor::from_vector<int64_t>({static_cast<int64_t>(values.size())}, values);
}

Tensor floats(const std::vector<float>& values) {
  return Tensor::from_vector<float>({static_cast<int64_t>(values.size())}, values);
}

std::vector<ir::Dim> unknown_dims(size_t rank) { return std::vector<ir::Dim>(rank); }

TEST(SpatialOpset18, ResizeAntialiasAxesAndPoliciesMatchOnnxRuntime) {
  for (int trial = 0; trial < 3; ++trial) {
    const Shape shape = {uniform_int(1, 2), uniform_int(1, 3), uniform_int(5, 12),
                         uniform_int(5, 12)};
    GraphBuilder g(19);
    g.input("x", DType::Float32, shape);
    // Downsampling scales below 1/2 widen the antialias footprint past the plain kernel's.
    const float sh = static_cast<float>(uniform_int(25, 95)) / 100.f;
    const float sw = static_cast<float>(uniform_int(25, 95)) / 100.f;
    g.initializer("scales", floats({1, 1, sh, sw}))
        .initializer("scales_hw", floats({sw, sh}))  // for axes [3, 2]
        .initializer("sizes_hw", ints({uniform_int(2, 9), uniform_int(2, 9)}))
        .initializer("roi_hw", floats({0.1f, 0.2f, 0.8f, 0.9f}));
    int variant = 0;
    auto add = [&](std::vector<std::string> inputs, ir::Attributes attrs) {
      const std::string out = "y" + std::to_string(variant++);
      g.node("Resize", std::move(inputs), {out}, std::move(attrs)).output(out);
    };
    for (const char* mode : {"linear", "cubic"}) {
      // Not align_corners: there ONNX Runtime's antialias departs from the ONNX reference (up to
      // 0.8 apart on random data), which the runtime follows.
      for (const char* coordinates : {"half_pixel", "half_pixel_symmetric", "asymmetric"}) {
        add({"x", "", "scales"}, {{"mode", std::string(mode)},
                                  {"antialias", int64_t{1}},
                                  {"coordinate_transformation_mode", std::string(coordinates)}});
      }
      add({"x", "", "", "sizes_hw"},
          {{"mode", std::string(mode)}, {"antialias", int64_t{1}}, {"axes", Ints{2, 3}}});
      add({"x", "", "scales_hw"}, {{"mode", std::string(mode)}, {"axes", Ints{3, 2}}});
      add({"x", "", "scales_hw"}, {{"mode", std::string(mode)},
                                   {"axes", Ints{-1, -2}},
                                   {"coordinate_transformation_mode",
                                    std::string("half_pixel_symmetric")}});
    }
    for (const char* policy : {"stretch", "not_larger", "not_smaller"}) {
      add({"x", "", "", "sizes_hw"},
          {{"mode", std::string("nearest")},
           {"axes", Ints{2, 3}},
           {"keep_aspect_ratio_policy", std::string(policy)}});
    }
    add({"x", "roi_hw", "", "sizes_hw"},
        {{"mode", std::string("linear")},
         {"axes", Ints{2, 3}},
         {"coordinate_transformation_mode", std::string("tf_crop_and_resize")},
         {"extrapolation_value", 2.5}});
    expect_same_as_onnxruntime(g.build(), "resize19_" + std::to_string(trial),
                               {{{"x", randn(shape)}}}, 1e-4, 1e-5);
  }
}

TEST(SpatialOpset18, PadAxesWrapAndCenterCropPadMatchOnnxRuntime) {
  for (int trial = 0; trial < 3; ++trial) {
    const Shape shape = {uniform_int(3, 4), uniform_int(3, 5), uniform_int(3, 6)};
    GraphBuilder g(19);
    g.input("x", DType::Float32, shape)
        .initializer("pads_all", ints({uniform_int(0, 2), uniform_int(0, 2), uniform_int(0, 2),
                                       uniform_int(0, 2), uniform_int(0, 2), uniform_int(0, 2)}))
        .initializer("pads_two", ints({uniform_int(0, 2), uniform_int(0, 2), uniform_int(0, 2),
                                       uniform_int(0, 2)}))
        .initializer("axes", ints({-1, 1}))
        .initializer("value", Tensor::scalar<float>(-3.f))
        .initializer("crop_all", ints({uniform_int(1, 5), uniform_int(1, 7), uniform_int(1, 8)}))
        .initializer("crop_two", ints({uniform_int(1, 8), uniform_int(1, 8)}));
    int variant = 0;
    for (const char* mode : {"constant", "edge", "reflect", "wrap"}) {
      for (const char* pads : {"pads_all", "pads_two"}) {
        std::vector<std::string> in = {"x", pads, "value"};
        if (std::string(pads) == "pads_two") in.push_back("axes");
        const std::string out = "pad" + std::to_string(variant++);
        g.node("Pad", in, {out}, {{"mode", std::string(mode)}}).output(out);
      }
    }
    g.node("CenterCropPad", {"x", "crop_all"}, {"ccp_all"}).output("ccp_all");
    g.node("CenterCropPad", {"x", "crop_two"}, {"ccp_two"}, {{"axes", Ints{-1, 1}}})
        .output("ccp_two");
    expect_same_as_onnxruntime(g.build(), "pad19_" + std::to_string(trial),
                               {{{"x", randn(shape)}}});
  }
}

struct Col2ImCase {
  Ints image, block, dilations, strides, pads, counts;
  int64_t n, c, columns = 1, blocks = 1;
};

Col2ImCase random_col2im(size_t spatial) {
  Col2ImCase k;
  k.pads.assign(2 * spatial, 0);
  for (size_t d = 0; d < spatial; ++d) {
    k.image.push_back(uniform_int(5, 8));  // at least a dilated block (5)
    k.block.push_back(uniform_int(1, 3));
    k.dilations.push_back(uniform_int(1, 2));
    k.strides.push_back(uniform_int(1, 2));
    k.pads[d] = uniform_int(0, 1);
    k.pads[d + spatial] = uniform_int(0, 1);
  }
  for (size_t d = 0; d < spatial; ++d) {
    const int64_t span = k.dilations[d] * (k.block[d] - 1) + 1;
    k.counts.push_back((k.image[d] + k.pads[d] + k.pads[d + spatial] - span) / k.strides[d] + 1);
    k.blocks *= k.counts.back();
    k.columns *= k.block[d];
  }
  k.n = uniform_int(1, 2);
  k.c = uniform_int(1, 3);
  return k;
}

onnx_io::Model col2im_model(const Col2ImCase& k) {
  GraphBuilder g(18);
  g.input("x", DType::Float32, Shape{k.n, k.c * k.columns, k.blocks})
      .initializer("image", ints(k.image))
      .initializer("block", ints(k.block))
      .node("Col2Im", {"x", "image", "block"}, {"y"},
            {{"dilations", k.dilations}, {"strides", k.strides}, {"pads", k.pads}})
      .output("y");
  return g.build();
}

TEST(SpatialOpset18, Col2Im2dMatchesOnnxRuntime) {
  for (int trial = 0; trial < 4; ++trial) {
    Col2ImCase k = random_col2im(2);
    expect_same_as_onnxruntime(col2im_model(k), "col2im_" + std::to_string(trial),
                               {{{"x", randn({k.n, k.c * k.columns, k.blocks})}}});
  }
}

// ONNX Runtime's volumetric Col2Im departs from the ONNX reference once pads, strides or
// dilations are not trivial, so 3-D is checked against ONNX Runtime's ConvTranspose instead:
// Col2Im is a grouped ConvTranspose (one group per channel) of the columns laid out as
// [N, C * K, *block counts] with one-hot [C * K, 1, *block] weights.
TEST(SpatialOpset18, Col2Im3dMatchesConvTransposeInOnnxRuntime) {
  for (int trial = 0; trial < 4; ++trial) {
    Col2ImCase k = random_col2im(3);
    Tensor x = randn({k.n, k.c * k.columns, k.blocks});
    InferenceSession session(col2im_model(k));
    std::vector<Tensor> got = session.run({}, {{"x", x}});

    Shape columns_shape = {k.n, k.c * k.columns}, weight_shape = {k.c * k.columns, 1};
    columns_shape.insert(columns_shape.end(), k.counts.begin(), k.counts.end());
    weight_shape.insert(weight_shape.end(), k.block.begin(), k.block.end());
    Tensor weight = Tensor::zeros(weight_shape);
    for (int64_t i = 0; i < k.c * k.columns; ++i)
      weight.data<float>()[i * k.columns + i % k.columns] = 1.f;
    Ints output_padding;
    for (size_t d = 0; d < 3; ++d) {
      const int64_t covered = (k.counts[d] - 1) * k.strides[d] +
                              k.dilations[d] * (k.block[d] - 1) + 1 - k.pads[d] - k.pads[d + 3];
      output_padding.push_back(k.image[d] - covered);
    }
    GraphBuilder g(18);
    g.input("cols", DType::Float32, columns_shape)
        .initializer("w", weight)
        .node("ConvTranspose", {"cols", "w"}, {"y"},
              {{"group", k.c},
               {"strides", k.strides},
               {"dilations", k.dilations},
               {"pads", k.pads},
               {"output_padding", output_padding}})
        .output("y");
    const std::filesystem::path path = temp_model_path("col2im_convtranspose");
    onnx_io::save_model(g.build(), path);
    std::vector<Tensor> expected = run_onnxruntime(path, {{"cols", x.reshape(columns_shape)}});
    std::filesystem::remove(path);
    auto result = compare_tensors(got[0], expected[0], 1e-5, 1e-5);
    EXPECT_TRUE(result.ok()) << "trial " << trial << ": " << result;
  }
}

TEST(SpatialOpset18, AffineGridMatchesOnnxRuntime) {
  for (int64_t spatial : {2, 3}) {
    for (int64_t align : {0, 1}) {
      const int64_t n = uniform_int(1, 3);
      Ints size = {n, 3};
      // Sizes of 1 with align_corners are checked by hand below: ONNX Runtime departs there.
      for (int64_t d = 0; d < spatial; ++d) size.push_back(uniform_int(align ? 2 : 1, 6));
      GraphBuilder g(20);
      g.input("theta", DType::Float32, Shape{n, spatial, spatial + 1})
          .initializer("size", ints(size))
          .node("AffineGrid", {"theta", "size"}, {"grid"}, {{"align_corners", align}})
          .output("grid");
      expect_same_as_onnxruntime(
          g.build(), "affine_grid_" + std::to_string(spatial) + std::to_string(align),
          {{{"theta", randn({n, spatial, spatial + 1})}}});
    }
  }
}

// A one-pixel axis under align_corners sits at -1, as in the ONNX reference (np.arange(-1, ..)
// with an infinite step), where ONNX Runtime puts it elsewhere.
TEST(SpatialOpset18, AffineGridOnePixelAxisWithAlignCornersIsMinusOne) {
  GraphBuilder g(20);
  g.input("theta", DType::Float32, Shape{1, 2, 3})
      .initializer("size", ints({1, 1, 1, 3}))
      .node("AffineGrid", {"theta", "size"}, {"grid"}, {{"align_corners", int64_t{1}}})
      .output("grid");
  InferenceSession session(g.build());
  // theta = [[2, 0, 0.5], [0, 3, 0]]: x' = 2x + 0.5 over x = -1, 0, 1; y' = 3 * -1.
  Tensor theta = Tensor::from_vector<float>({1, 2, 3}, {2, 0, 0.5f, 0, 3, 0});
  std::vector<double> got = session.run({}, {{"theta", theta}})[0].to_double_vector();
  EXPECT_EQ(got, (std::vector<double>{-1.5, -3, 0.5, -3, 2.5, -3}));
}

TEST(SpatialOpset18, DeformConvMatchesOnnxRuntime) {
  for (int trial = 0; trial < 4; ++trial) {
    const int64_t group = trial % 2 + 1, offset_group = trial / 2 + 1;
    const int64_t n = uniform_int(1, 2), c = 2 * uniform_int(1, 2), oc = group * uniform_int(1, 2);
    const int64_t h = uniform_int(4, 7), w = uniform_int(4, 7), kh = uniform_int(1, 3),
                  kw = uniform_int(2, 3);
    const Ints strides = {uniform_int(1, 2), uniform_int(1, 2)};
    const Ints dilations = {uniform_int(1, 2), 1};
    const Ints pads = {uniform_int(0, 1), uniform_int(0, 1), uniform_int(0, 1), uniform_int(0, 1)};
    const int64_t oh = (h + pads[0] + pads[2] - (dilations[0] * (kh - 1) + 1)) / strides[0] + 1;
    const int64_t ow = (w + pads[1] + pads[3] - (dilations[1] * (kw - 1) + 1)) / strides[1] + 1;
    const Shape x_shape = {n, c, h, w}, w_shape = {oc, c / group, kh, kw};
    const Shape offset_shape = {n, offset_group * kh * kw * 2, oh, ow};
    const Shape mask_shape = {n, offset_group * kh * kw, oh, ow};
    GraphBuilder g(19);
    g.input("x", DType::Float32, x_shape)
        .input("w", DType::Float32, w_shape)
        .input("offset", DType::Float32, offset_shape)
        .input("b", DType::Float32, Shape{oc})
        .input("mask", DType::Float32, mask_shape);
    ir::Attributes attrs = {{"group", group},        {"offset_group", offset_group},
                            {"strides", strides},    {"dilations", dilations},
                            {"pads", pads},          {"kernel_shape", Ints{kh, kw}}};
    g.node("DeformConv", {"x", "w", "offset"}, {"plain"}, attrs)
        .node("DeformConv", {"x", "w", "offset", "b", "mask"}, {"masked"}, attrs)
        .output("plain")
        .output("masked");
    // Offsets of a few pixels reach outside the image, where samples read 0.
    expect_same_as_onnxruntime(g.build(), "deform_conv_" + std::to_string(trial),
                               {{{"x", randn(x_shape)},
                                 {"w", randn(w_shape)},
                                 {"offset", rand_uniform(offset_shape, -2.5, 2.5)},
                                 {"b", randn({oc})},
                                 {"mask", rand_uniform(mask_shape, 0.0, 1.0)}}},
                               1e-4, 1e-4);
  }
}

TEST(SpatialOpset18, VolumetricGridSampleMatchesOnnxRuntime) {
  for (int trial = 0; trial < 2; ++trial) {
    const Shape x_shape = {2, 2, uniform_int(1, 4), uniform_int(2, 5), uniform_int(2, 5)};
    const Shape grid_shape = {2, uniform_int(1, 3), uniform_int(2, 4), uniform_int(2, 4), 3};
    GraphBuilder g(20);
    g.input("x", DType::Float32, x_shape).input("grid", DType::Float32, grid_shape);
    int variant = 0;
    for (const char* mode : {"linear", "nearest"})
      for (const char* padding : {"zeros", "border", "reflection"})
        for (int64_t align : {0, 1}) {
          const std::string out = "y" + std::to_string(variant++);
          g.node("GridSample", {"x", "grid"}, {out},
                 {{"mode", std::string(mode)},
                  {"padding_mode", std::string(padding)},
                  {"align_corners", align}})
              .output(out);
        }
    expect_same_as_onnxruntime(g.build(), "gridsample3d_" + std::to_string(trial),
                               {{{"x", randn(x_shape)}, {"grid", rand_uniform(grid_shape, -2.5, 2.5)}}},
                               1e-4, 1e-5);
  }
}

TEST(SpatialOpset18, HostileInputs) {
  GraphBuilder col(18);
  col.input("x", DType::Float32, unknown_dims(3))
      .input("image", DType::Int64, unknown_dims(1))
      .input("block", DType::Int64, unknown_dims(1))
      .node("Col2Im", {"x", "image", "block"}, {"y"})
      .output("y");
  // 3x3 image, 2x2 blocks: 4 blocks, so L = 5 is wrong.
  expect_error_mentions(run_error(col.build(), {{"x", randn({1, 4, 5})},
                                                {"image", ints({3, 3})},
                                                {"block", ints({2, 2})}}),
                        {"Col2Im", "input 0", "4 blocks"});
  GraphBuilder big_block(18);
  big_block.input("x", DType::Float32, unknown_dims(3))
      .initializer("image", ints({2, 2}))
      .initializer("block", ints({3, 3}))
      .node("Col2Im", {"x", "image", "block"}, {"y"})
      .output("y");
  expect_error_mentions(run_error(big_block.build(), {{"x", randn({1, 9, 1})}}),
                        {"Col2Im", "smaller than a block"});

  GraphBuilder affine(20);
  affine.input("theta", DType::Float32, unknown_dims(3))
      .initializer("size", ints({1, 1, 4, 4}))
      .node("AffineGrid", {"theta", "size"}, {"y"})
      .output("y");
  expect_error_mentions(run_error(affine.build(), {{"theta", randn({1, 3, 4})}}),
                        {"AffineGrid", "input 1 (size)"});

  GraphBuilder deform(19);
  deform.input("x", DType::Float32, unknown_dims(4))
      .input("w", DType::Float32, unknown_dims(4))
      .input("offset", DType::Float32, unknown_dims(4))
      .node("DeformConv", {"x", "w", "offset"}, {"y"})
      .output("y");
  expect_error_mentions(run_error(deform.build(), {{"x", randn({1, 2, 5, 5})},
                                                   {"w", randn({3, 2, 3, 3})},
                                                   {"offset", randn({1, 17, 3, 3})}}),
                        {"DeformConv", "input 2 (offset)"});

  GraphBuilder resize(19);
  resize.input("x", DType::Float32, unknown_dims(4))
      .initializer("scales", floats({2.f, 2.f}))
      .node("Resize", {"x", "", "scales"}, {"y"}, {{"axes", Ints{2, 2}}})
      .output("y");
  expect_error_mentions(run_error(resize.build(), {{"x", randn({1, 1, 2, 2})}}),
                        {"Resize", "axes", "repeats"});
  GraphBuilder nearest_aa(19);
  nearest_aa.input("x", DType::Float32, unknown_dims(4))
      .initializer("scales", floats({1.f, 1.f, 0.5f, 0.5f}))
      .node("Resize", {"x", "", "scales"}, {"y"}, {{"antialias", int64_t{1}}})
      .output("y");
  expect_error_mentions(run_error(nearest_aa.build(), {{"x", randn({1, 1, 4, 4})}}),
                        {"Resize", "antialias", "nearest"});

  GraphBuilder pad(19);
  pad.input("x", DType::Float32, unknown_dims(2))
      .initializer("pads", ints({1, 1, 1}))
      .initializer("axes", ints({0, 1}))
      .node("Pad", {"x", "pads", "", "axes"}, {"y"}, {{"mode", std::string("wrap")}})
      .output("y");
  expect_error_mentions(run_error(pad.build(), {{"x", randn({2, 2})}}),
                        {"Pad", "input 1 (pads)", "2 axes"});
  GraphBuilder wrap_empty(19);
  wrap_empty.input("x", DType::Float32, unknown_dims(2))
      .initializer("pads", ints({0, 1, 0, 1}))
      .node("Pad", {"x", "pads"}, {"y"}, {{"mode", std::string("wrap")}})
      .output("y");
  expect_error_mentions(run_error(wrap_empty.build(), {{"x", randn({2, 0})}}),
                        {"pad", "wrap", "empty"});

  GraphBuilder volume(20);
  volume.input("x", DType::Float32, unknown_dims(5))
      .input("grid", DType::Float32, unknown_dims(5))
      .node("GridSample", {"x", "grid"}, {"y"}, {{"mode", std::string("cubic")}})
      .output("y");
  expect_error_mentions(run_error(volume.build(), {{"x", randn({1, 1, 2, 2, 2})},
                                                   {"grid", randn({1, 2, 2, 2, 3})}}),
                        {"GridSample", "cubic", "4-D"});
}

}  // namespace
}  // namespace flowonnx
