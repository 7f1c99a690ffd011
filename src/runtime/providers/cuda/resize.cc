// Resize on the CUDA provider (canonical form X, roi, scales, sizes; Upsample and Resize-10 are
// rewritten to it at import): nearest and linear with constant scales or sizes, the coordinate
// modes half_pixel, pytorch_half_pixel, align_corners, asymmetric, tf_half_pixel_for_nn and every
// nearest_mode, rank 1..5 (kernels/cuda/resize.h). Cubic, tf_crop_and_resize, exclude_outside,
// antialias and keep_aspect_ratio_policy stay on the CPU (providers/cpu/resize.cc).
#include <cmath>

#include "kernels/cuda/resize.h"
#include "runtime/providers/cuda/tensor_helpers.h"

namespace flowonnx::runtime::cuda {

namespace {

using namespace tensor_ops;

// The constant scales or sizes a Resize node uses (sizes win when non-empty, as on the CPU);
// nullptr when neither is a usable constant.
const Tensor* resize_target(const ir::Node& node, const ir::Graph& graph, bool& is_sizes) {
  if (present(node.inputs, 3)) {
    if (!fixed_constant(node, graph, 3)) return nullptr;
    const Tensor& sizes = graph.initializer(node.inputs[3]);
    if (sizes.num_elements() > 0) {
      is_sizes = true;
      return &sizes;
    }
  }
  if (!fixed_constant(node, graph, 2)) return nullptr;
  is_sizes = false;
  const Tensor& scales = graph.initializer(node.inputs[2]);
  return scales.num_elements() > 0 ? &scales : nullptr;
}

bool supports_resize(const ir::Node& node, const ir::Graph& graph) {
  if (!data_float32(node, graph) || !input_is_constant_or_absent(node, graph, 1)) return false;
  const std::string mode = attr_string(node, "mode", "nearest");
  const std::string coordinates = attr_string(node, "coordinate_transformation_mode", "half_pixel");
  const std::string rounding = attr_string(node, "nearest_mode", "round_prefer_floor");
  if (mode != "nearest" && mode != "linear") return false;
  if (coordinates != "half_pixel" && coordinates != "pytorch_half_pixel" && coordinates != "align_corners" &&
      coordinates != "asymmetric" && coordinates != "tf_half_pixel_for_nn")
    return false;
  if (rounding != "round_prefer_floor" && rounding != "round_prefer_ceil" && rounding != "floor" &&
      rounding != "ceil")
    return false;
  if (attr_int(node, "exclude_outside", 0) != 0 || attr_int(node, "antialias", 0) != 0) return false;
  if (attr_string(node, "keep_aspect_ratio_policy", "stretch") != "stretch" || node.attrs.has("axes")) return false;
  bool is_sizes = false;
  const Tensor* target = resize_target(node, graph, is_sizes);
  if (!target) return false;
  if (is_sizes ? (target->dtype() != DType::Int64) : (target->dtype() != DType::Float32)) return false;
  return target->num_elements() >= 1 && target->num_elements() <= device::kMaxResizeRank;
}

CudaComputeFn make_resize(const KernelInit& init) {
  device::ResizeGeometry base;
  const std::string mode = init.attr_string("mode", "nearest");
  if (mode == "nearest") base.interpolation = device::ResizeInterpolation::Nearest;
  else if (mode == "linear") base.interpolation = device::ResizeInterpolation::Linear;
  else init.fail_model("CUDA Resize: mode must be nearest or linear, got " + mode);
  const std::string coordinates = init.attr_string("coordinate_transformation_mode", "half_pixel");
  if (coordinates == "half_pixel") base.coordinates = device::ResizeCoordinates::HalfPixel;
  else if (coordinates == "pytorch_half_pixel") base.coordinates = device::ResizeCoordinates::PytorchHalfPixel;
  else if (coordinates == "align_corners") base.coordinates = device::ResizeCoordinates::AlignCorners;
  else if (coordinates == "asymmetric") base.coordinates = device::ResizeCoordinates::Asymmetric;
  else if (coordinates == "tf_half_pixel_for_nn") base.coordinates = device::ResizeCoordinates::TfHalfPixelForNn;
  else init.fail_model("CUDA Resize: unsupported coordinate_transformation_mode " + coordinates);
  const std::string rounding = init.attr_string("nearest_mode", "round_prefer_floor");
  if (rounding == "round_prefer_floor") base.rounding = device::ResizeRounding::RoundPreferFloor;
  else if (rounding == "round_prefer_ceil") base.rounding = device::ResizeRounding::RoundPreferCeil;
  else if (rounding == "floor") base.rounding = device::ResizeRounding::Floor;
  else if (rounding == "ceil") base.rounding = device::ResizeRounding::Ceil;
  else init.fail_model("CUDA Resize: unsupported nearest_mode " + rounding);
  std::vector<int64_t> sizes;
  std::vector<double> scales;
  const Tensor* size_input = init.has_input(3) ? init.constant_input(3) : nullptr;
  if (size_input && size_input->num_elements() > 0) {
    sizes = tensor_to_int64s(*size_input, "Resize sizes");
  } else {
    const Tensor* scale_input = init.has_input(2) ? init.constant_input(2) : nullptr;
    if (!scale_input || scale_input->num_elements() == 0)
      init.fail_model("CUDA Resize needs constant scales or sizes");
    scales = scale_input->to_double_vector();
  }
  return [base, sizes, scales](CudaKernelContext& ctx) {
    const DeviceTensor& x = ctx.input(0);
    const int64_t rank = x.rank();
    FLOWONNX_REQUIRE(x.dtype == DType::Float32, "Resize on CUDA takes float32, got {}", x.describe());
    device::ResizeGeometry g = base;
    Shape out = x.shape;
    if (!sizes.empty()) {
      FLOWONNX_REQUIRE(static_cast<int64_t>(sizes.size()) == rank, "Resize: {} sizes for rank {}", sizes.size(), rank);
      for (int64_t d = 0; d < rank; ++d) {
        FLOWONNX_REQUIRE(sizes[d] >= 0, "Resize: negative size {}", sizes[d]);
        out[d] = sizes[d];
        g.scales[d] = x.shape[d] == 0 ? 1.0 : static_cast<double>(sizes[d]) / x.shape[d];
      }
    } else {
      FLOWONNX_REQUIRE(static_cast<int64_t>(scales.size()) == rank, "Resize: {} scales for rank {}", scales.size(),
                       rank);
      for (int64_t d = 0; d < rank; ++d) {
        FLOWONNX_REQUIRE(scales[d] > 0, "Resize: scale {} must be positive", scales[d]);
        double length = std::floor(x.shape[d] * scales[d]);
        FLOWONNX_REQUIRE(length < static_cast<double>(kMaxElements), "Resize: output too large");
        out[d] = static_cast<int64_t>(length);
        g.scales[d] = scales[d];
      }
    }
    FLOWONNX_REQUIRE(rank >= 1 && rank <= device::kMaxResizeRank, "Resize on CUDA supports rank 1..{}, got {}",
                     device::kMaxResizeRank, x.describe());
    DeviceTensor& y = ctx.allocate_output(0, out, x.dtype);
    if (y.num_elements() == 0) return;
    FLOWONNX_REQUIRE(x.num_elements() > 0, "resize: empty input {}", x.describe());
    g.rank = static_cast<int>(rank);
    for (int d = 0; d < g.rank; ++d) {
      g.in_dims[d] = x.shape[d];
      g.out_dims[d] = out[d];
    }
    device::resize_float(x.data<float>(), y.data<float>(), g, ctx.stream());
  };
}

}  // namespace

void add_resize_kernels(std::vector<CudaKernel>& kernels) {
  kernels.push_back({"", "Resize", supports_resize, make_resize});
}

}  // namespace flowonnx::runtime::cuda
