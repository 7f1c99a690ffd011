// ConvTranspose on CUDA through cuDNN's backward-data pass (kernels/cuda/conv_transpose.h),
// 1-d (as 2-d), 2-d and 3-d. The attributes resolve exactly as on the CPU
// (providers/cpu/conv_transpose_attrs.h). cuDNN writes the output directly when the pads are
// symmetric and output_padding stays under the stride; otherwise it computes the unpadded result
// and one pad pass crops (or, for negative pads, extends) it. The bias is one epilogue pass.
#include <memory>
#include <vector>

#include "kernels/cuda/conv_epilogue.h"
#include "kernels/cuda/conv_transpose.h"
#include "kernels/cuda/data_movement.h"
#include "runtime/providers/cpu/conv_transpose_attrs.h"
#include "runtime/providers/cuda/cuda_kernel.h"

namespace flowonnx::runtime::cuda {

namespace {

namespace fc = flowonnx::cuda;

void run_conv_transpose(const cpu::ConvTransposeAttrs& attrs, fc::CudnnConvTranspose& conv,
                        CudaKernelContext& ctx) {
  const DeviceTensor& x = ctx.input(0);
  const DeviceTensor& w = ctx.input(1);
  FLOWONNX_REQUIRE(x.dtype == DType::Float32 && w.dtype == DType::Float32,
                   "ConvTranspose (CUDA): input {} and weight {} must be float32", x.describe(), w.describe());
  const kernels::ConvTransposeParams params = cpu::resolve_conv_transpose(attrs, x.shape, w.shape);
  const Shape out = kernels::conv_transpose_output_shape(x.shape, w.shape, params);
  const float* bias = nullptr;
  if (ctx.has_input(2)) {
    const DeviceTensor& b = ctx.input(2);
    FLOWONNX_REQUIRE(b.dtype == DType::Float32 && b.shape == Shape{out[1]},
                     "ConvTranspose: bias {} must be float32 [{}]", b.describe(), out[1]);
    bias = b.data<float>();
  }
  DeviceTensor& y = ctx.allocate_output(0, out, DType::Float32);
  if (num_elements(out) == 0) return;

  // 1-d runs as 2-d with a height of 1: lift every dim list by one leading entry.
  const size_t rank = x.shape.size(), lift = rank == 3 ? 1 : 0;
  fc::ConvTransposeProblem problem;
  problem.spatial = static_cast<int>(rank - 2 + lift);
  problem.group = params.groups;
  problem.math = ctx.options().math;
  problem.x.fill(1);
  problem.w.fill(1);
  problem.y.fill(1);
  for (size_t d = 0; d < 2; ++d) {
    problem.x[d] = x.shape[d];
    problem.w[d] = w.shape[d];
    problem.y[d] = out[d];
  }
  bool direct = true;
  std::vector<int64_t> full(out.begin(), out.end());  // the unpadded result's dims
  for (size_t d = 0; d + 2 < rank; ++d) {
    const size_t at = 2 + lift + d;
    problem.x[at] = x.shape[2 + d];
    problem.w[at] = w.shape[2 + d];
    problem.strides[lift + d] = params.strides[d];
    problem.dilations[lift + d] = params.dilations[d];
    full[2 + d] = (x.shape[2 + d] - 1) * params.strides[d] + (w.shape[2 + d] - 1) * params.dilations[d] + 1;
    direct &= params.pads_begin[d] == params.pads_end[d] && params.pads_begin[d] >= 0 &&
              params.output_padding[d] < params.strides[d];
  }
  std::vector<std::shared_ptr<DeviceBlock>> held;  // scratch lives until this step returns
  fc::WorkspaceFn hold = [&](size_t bytes) {
    held.push_back(ctx.scratch(bytes));
    return held.back()->data();
  };
  if (direct) {
    for (size_t d = 0; d + 2 < rank; ++d) {
      problem.pads[lift + d] = params.pads_begin[d];
      problem.y[2 + lift + d] = out[2 + d];
    }
    conv.run(ctx.cudnn(), problem, x.data<float>(), w.data<float>(), y.data<float>(), hold);
  } else {
    for (size_t d = 0; d + 2 < rank; ++d) problem.y[2 + lift + d] = full[2 + d];
    auto* unpadded = static_cast<float*>(hold(static_cast<size_t>(num_elements(full)) * sizeof(float)));
    conv.run(ctx.cudnn(), problem, x.data<float>(), w.data<float>(), unpadded, hold);
    fc::PadParams crop;
    crop.rank = static_cast<int>(rank);
    for (size_t d = 0; d < rank; ++d) {
      crop.in_dims[d] = full[d];
      crop.out_dims[d] = out[d];
      crop.pads_begin[d] = d < 2 ? 0 : -params.pads_begin[d - 2];
    }
    fc::pad(unpadded, y.data<float>(), sizeof(float), crop, ctx.stream());
  }
  if (bias) {
    const int64_t spatial = num_elements(out) / (out[0] * out[1]);
    fc::conv_epilogue(y.data<float>(), bias, nullptr, out[0], out[1], spatial, {}, {}, ctx.stream());
  }
}

CudaComputeFn make_conv_transpose(const KernelInit& init) {
  const cpu::ConvTransposeAttrs attrs = cpu::read_conv_transpose_attrs(init);
  auto conv = std::make_shared<fc::CudnnConvTranspose>();
  return [attrs, conv](CudaKernelContext& ctx) { run_conv_transpose(attrs, *conv, ctx); };
}

bool supports_conv_transpose(const ir::Node& node, const ir::Graph& graph) {
  if (node.inputs.size() < 2 || node.outputs.size() != 1 || !all_float32(node, graph)) return false;
  const std::string& x = node.inputs[0];
  if (!graph.has_type(x) || !graph.type(x).shape) return false;
  const size_t rank = graph.type(x).shape->size();
  return rank >= 3 && rank <= 5;
}

}  // namespace

void add_conv_transpose_kernels(std::vector<CudaKernel>& kernels) {
  kernels.push_back({"", "ConvTranspose", supports_conv_transpose, make_conv_transpose});
}

}  // namespace flowonnx::runtime::cuda
