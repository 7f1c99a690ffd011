// Export handlers of the nn family: conv1d / conv2d, deconv2d, max/avg pooling (both OneFlow
// spellings), adaptive_avg_pool2d, pad, upsample_nearest_2d / upsample_bilinear_2d and
// cublas_fused_mlp. The normalisations are in nn_norm.cc.
#include <fmt/format.h>

#include "onnx/export/handler_registry.h"
#include "onnx/export/nn_norm.h"

namespace flowonnx::exporter {
namespace {

using Ints = std::vector<int64_t>;

// [a, b] -> [a, b, a, b]: OneFlow pads symmetrically, ONNX lists begins then ends.
Ints symmetric_pads(const Ints& pads, size_t rank = 2) {
  Ints values = pads.size() == 1 ? Ints(rank, pads[0]) : pads;
  Ints both = values;
  both.insert(both.end(), values.begin(), values.end());
  return both;
}

Ints pair(const Ints& values) { return values.size() == 1 ? Ints{values[0], values[0]} : values; }

// conv1d and conv2d: one Conv whose attribute lists have the weight's spatial rank.
void export_conv(const ir::Node& node, ExportContext& ctx) {
  Shape weight = ctx.shape(node.inputs[1]);
  size_t rank = weight.size() - 2;
  auto list = [&](const char* name) {
    const Ints& values = node.attrs.get_ints(name);
    return values.size() == 1 ? Ints(rank, values[0]) : values;
  };
  ctx.emit("Conv", node.inputs,
           {{"kernel_shape", Ints(weight.begin() + 2, weight.end())},
            {"strides", list("strides")},
            {"pads", symmetric_pads(node.attrs.get_ints("padding_before"), rank)},
            {"dilations", list("dilation_rate")},
            {"group", node.attrs.get_int("groups")}},
           node.outputs);
}

void export_deconv2d(const ir::Node& node, ExportContext& ctx) {
  Shape weight = ctx.shape(node.inputs[1]);
  ir::Attributes attrs{{"kernel_shape", Ints{weight[2], weight[3]}},
                       {"strides", pair(node.attrs.get_ints("strides"))},
                       {"pads", symmetric_pads(node.attrs.get_ints("padding_before"))},
                       {"dilations", pair(node.attrs.get_ints("dilation_rate"))},
                       {"group", node.attrs.get_int("groups")}};
  Ints output_padding = pair(node.attrs.get_ints("output_padding"));
  if (output_padding != Ints{0, 0}) attrs.set("output_padding", output_padding);
  ctx.emit("ConvTranspose", node.inputs, attrs, node.outputs);
}

// ceil_mode is an attribute from opset 10. At opset 9 the same windows come from extra end
// padding (max pooling pads with -inf, so the extra padding changes nothing else).
Ints pool_pads(const ir::Node& node, ExportContext& ctx, bool& use_ceil_attr) {
  Ints pads = symmetric_pads(node.attrs.get_ints("padding"));
  use_ceil_attr = node.attrs.get_bool("ceil_mode") && ctx.opset() >= 10;
  if (node.attrs.get_bool("ceil_mode") && !use_ceil_attr) {
    Shape in = ctx.shape(node.inputs[0]), out = ctx.shape(node.outputs[0]);
    Ints kernel = pair(node.attrs.get_ints("kernel_size")), stride = pair(node.attrs.get_ints("stride"));
    for (int i = 0; i < 2; ++i) {
      // floor((in + pads - k) / s) + 1 must reach out: grow the end pad until it does.
      int64_t needed = (out[2 + i] - 1) * stride[i] + kernel[i] - in[2 + i] - pads[i];
      pads[2 + i] = std::max(pads[2 + i], needed);
    }
  }
  return pads;
}

void export_max_pool(const ir::Node& node, ExportContext& ctx) {
  bool ceil_attr = false;
  ir::Attributes attrs{{"kernel_shape", pair(node.attrs.get_ints("kernel_size"))},
                       {"strides", pair(node.attrs.get_ints("stride"))},
                       {"pads", pool_pads(node, ctx, ceil_attr)}};
  if (ceil_attr) attrs.set("ceil_mode", int64_t{1});
  Ints dilation = pair(node.attrs.get_ints("dilation"));
  if (dilation != Ints{1, 1}) attrs.set("dilations", dilation);  // opset 10+, validated later
  ctx.emit("MaxPool", {node.inputs[0]}, attrs, node.outputs);
}

void export_avg_pool(const ir::Node& node, ExportContext& ctx) {
  bool count_pad = node.attrs.get_bool("count_include_pad");
  FLOWONNX_REQUIRE(!(node.attrs.get_bool("ceil_mode") && ctx.opset() < 10 && count_pad),
                   "export: node '{}' {} with ceil_mode and count_include_pad needs opset >= 10, "
                   "got {}", node.name, node.op_type, ctx.opset());
  bool ceil_attr = false;
  ir::Attributes attrs{{"kernel_shape", pair(node.attrs.get_ints("kernel_size"))},
                       {"strides", pair(node.attrs.get_ints("stride"))},
                       {"pads", pool_pads(node, ctx, ceil_attr)},
                       {"count_include_pad", int64_t{count_pad}}};
  if (ceil_attr) attrs.set("ceil_mode", int64_t{1});
  ctx.emit("AveragePool", {node.inputs[0]}, attrs, node.outputs);
}

// The [out, in] matrix of adaptive average pooling along one dim: row i averages the bin
// [floor(i*in/out), ceil((i+1)*in/out)), PyTorch's rule.
Tensor adaptive_pool_matrix(int64_t in, int64_t out) {
  Tensor matrix = Tensor::zeros({out, in});
  for (int64_t i = 0; i < out; ++i) {
    int64_t begin = i * in / out, end = ((i + 1) * in + out - 1) / out;
    for (int64_t j = begin; j < end; ++j) matrix.data<float>()[i * in + j] = 1.0f / static_cast<float>(end - begin);
  }
  return matrix;
}

// (1,1) -> GlobalAveragePool; equal bins -> AveragePool; any other size (VGG's 7x7 from a small
// image, bins that overlap or repeat) -> y = P_h . x . P_w^T with constant bin matrices, exact
// and valid at every opset.
void export_adaptive_avg_pool(const ir::Node& node, ExportContext& ctx) {
  Ints size = pair(node.attrs.get_ints("output_size"));
  if (size == Ints{1, 1}) {
    ctx.emit("GlobalAveragePool", {node.inputs[0]}, {}, node.outputs);
    return;
  }
  Shape in = ctx.shape(node.inputs[0]);
  if (in[2] % size[0] == 0 && in[3] % size[1] == 0) {
    Ints kernel{in[2] / size[0], in[3] / size[1]};
    ctx.emit("AveragePool", {node.inputs[0]}, {{"kernel_shape", kernel}, {"strides", kernel}}, node.outputs);
    return;
  }
  Tensor cols = adaptive_pool_matrix(in[3], size[1]);
  Tensor cols_t({in[3], size[1]});
  for (int64_t i = 0; i < size[1]; ++i)
    for (int64_t j = 0; j < in[3]; ++j) cols_t.data<float>()[j * size[1] + i] = cols.data<float>()[i * in[3] + j];
  std::string width_pooled =
      ctx.emit("MatMul", {node.inputs[0], ctx.add_constant(node.name + "/width_bins", cols_t)});
  ctx.emit("MatMul", {ctx.add_constant(node.name + "/height_bins", adaptive_pool_matrix(in[2], size[0])), width_pooled},
           {}, node.outputs);
}

// Pads as an attribute before opset 11, as inputs (pads, constant_value) from 11 on.
void export_pad(const ir::Node& node, ExportContext& ctx) {
  Ints pads = node.attrs.get_ints("padding_before");
  const Ints& after = node.attrs.get_ints("padding_after");
  pads.insert(pads.end(), after.begin(), after.end());
  DType dtype = ctx.type(node.inputs[0]).dtype;
  bool floating = dtype == DType::Float32 || dtype == DType::Float64;
  double value = floating ? node.attrs.get_float("floating_constant_value")
                          : static_cast<double>(node.attrs.get_int("integral_constant_value"));
  if (ctx.opset() < 11) {
    ctx.emit("Pad", node.inputs, {{"pads", pads}, {"value", value}, {"mode", std::string("constant")}}, node.outputs);
    return;
  }
  std::string constant = ctx.add_constant(node.name + "/value", Tensor::full({}, value, dtype));
  ctx.emit("Pad", {node.inputs[0], ctx.add_int64s(node.name + "/pads", pads), constant}, {}, node.outputs);
}

// torch/OneFlow upsampling as ONNX resizing. Nearest: Upsample (opset 9), Resize-10 (both
// asymmetric + floor by definition), Resize-11+ with that rule spelled out. Bilinear needs
// Resize-11's half_pixel / align_corners modes: the linear Upsample of older opsets samples
// asymmetrically and would give different numbers, so it is refused below 11.
void export_upsample(const ir::Node& node, ExportContext& ctx) {
  bool bilinear = node.op_type == "upsample_bilinear_2d";
  Shape in = ctx.shape(node.inputs[0]), out = ctx.shape(node.outputs[0]);
  bool sized = !node.attrs.get_ints("output_size").empty();
  std::vector<float> scales{1.0f, 1.0f,
                            static_cast<float>(sized ? double(out[2]) / double(in[2]) : node.attrs.get_float("height_scale")),
                            static_cast<float>(sized ? double(out[3]) / double(in[3]) : node.attrs.get_float("width_scale"))};
  auto scales_input = [&] { return ctx.add_constant(node.name + "/scales", Tensor::from_vector<float>({4}, scales)); };
  if (ctx.opset() < 11) {
    FLOWONNX_REQUIRE(!bilinear, "export: node '{}' upsample_bilinear_2d needs opset >= 11 (Resize with "
                     "half_pixel/align_corners), got opset {}", node.name, ctx.opset());
    ctx.emit(ctx.opset() < 10 ? "Upsample" : "Resize", {node.inputs[0], scales_input()},
             {{"mode", std::string("nearest")}}, node.outputs);
    return;
  }
  ir::Attributes attrs{{"mode", std::string(bilinear ? "linear" : "nearest")}};
  if (bilinear) {
    attrs.set("coordinate_transformation_mode",
              std::string(node.attrs.get_bool("align_corners") ? "align_corners" : "half_pixel"));
  } else {
    attrs.set("coordinate_transformation_mode", std::string("asymmetric"));
    attrs.set("nearest_mode", std::string("floor"));
  }
  // Resize-11/12 need a roi tensor and an (empty) scales tensor beside sizes; 13 takes "".
  auto empty_floats = [&](const char* what) {
    return ctx.opset() >= 13 ? std::string() : ctx.add_constant(node.name + "/" + what, Tensor({0}, DType::Float32));
  };
  std::string roi = empty_floats("roi");
  if (sized && ctx.dynamic_batch()) {
    // Sizes would bake the batch in; the exact out/in scales give the same sizes and coordinates.
    sized = false;
  }
  if (sized)
    ctx.emit("Resize", {node.inputs[0], roi, empty_floats("scales"), ctx.add_int64s(node.name + "/sizes", out)}, attrs,
             node.outputs);
  else
    ctx.emit("Resize", {node.inputs[0], roi, scales_input()}, attrs, node.outputs);
}

// One Gemm (+ Relu) per layer; Gemm's C is required before opset 11, and always present here.
void export_cublas_fused_mlp(const ir::Node& node, ExportContext& ctx) {
  size_t layers = node.inputs.size() / 2;
  std::string h = node.inputs[0];
  for (size_t l = 0; l < layers; ++l) {
    bool last = l + 1 == layers;
    bool activate = !last || !node.attrs.get_bool("skip_final_activation");
    std::vector<std::string> gemm_out = last && !activate ? node.outputs : std::vector<std::string>{};
    h = ctx.emit("Gemm", {h, node.inputs[1 + l], node.inputs[1 + layers + l]}, {{"transB", int64_t{1}}}, gemm_out);
    if (activate) h = ctx.emit("Relu", {h}, {}, last ? node.outputs : std::vector<std::string>{});
  }
}

}  // namespace

void register_nn_handlers(HandlerRegistry& registry) {
  registry.add("conv1d", export_conv, {{9, "Conv (1-D attributes)"}}, nn_export_test("conv1d"));
  registry.add("conv2d", export_conv, {{9, "Conv"}}, nn_export_test("conv2d"));
  registry.add("deconv2d", export_deconv2d, {{9, "ConvTranspose"}}, nn_export_test("deconv2d"));
  for (const char* name : {"max_pool_2d", "maxpool_2d"})
    registry.add(name, export_max_pool, {{9, "MaxPool (ceil_mode as end padding)"}, {10, "MaxPool (ceil_mode)"}},
                 nn_export_test(name));
  for (const char* name : {"avg_pool_2d", "avgpool_2d"})
    registry.add(name, export_avg_pool, {{9, "AveragePool (ceil_mode as end padding)"}, {10, "AveragePool (ceil_mode)"}},
                 nn_export_test(name));
  registry.add("adaptive_avg_pool2d", export_adaptive_avg_pool,
               {{9, "GlobalAveragePool | AveragePool (equal bins) | MatMul x2 (bin matrices)"}},
               nn_export_test("adaptive_avg_pool2d"));
  registry.add("pad", export_pad, {{9, "Pad (pads attribute)"}, {11, "Pad (pads, constant_value inputs)"}},
               nn_export_test("pad"));
  registry.add("upsample_nearest_2d", export_upsample,
               {{9, "Upsample(nearest)"}, {10, "Resize(nearest)"}, {11, "Resize(nearest, asymmetric, floor)"}},
               nn_export_test("upsample_nearest_2d"));
  registry.add("upsample_bilinear_2d", export_upsample,
               {{11, "Resize(linear, half_pixel | align_corners)"}}, nn_export_test("upsample_bilinear_2d"));
  registry.add("cublas_fused_mlp", export_cublas_fused_mlp, {{9, "Gemm(transB) + Relu per layer"}},
               nn_export_test("cublas_fused_mlp"));
  register_nn_norm_handlers(registry);
}

}  // namespace flowonnx::exporter
