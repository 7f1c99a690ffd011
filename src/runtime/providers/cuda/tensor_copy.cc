// The CUDA provider's copying tensor ops: Transpose, Concat, Split, Expand and Tile are one strided
// copy each (kernels/cuda/data_movement.h: "for every output index, read the input at an affine
// address"), Pad has its own kernel. Output shapes follow the CPU kernels (providers/cpu/tensor.cc).
#include <cstring>
#include <optional>

#include "kernels/cpu/broadcast_loop.h"
#include "kernels/cpu/layout.h"
#include "runtime/providers/cuda/tensor_helpers.h"

namespace flowonnx::runtime::cuda {

namespace {

using namespace tensor_ops;

bool supports_transpose(const ir::Node& node, const ir::Graph& graph) {
  if (!data_float32(node, graph) || node.inputs.size() != 1) return false;
  if (node.attrs.has("perm")) {
    try {
      return node.attrs.get_ints("perm").size() <= static_cast<size_t>(device::kMaxCopyRank);
    } catch (const Error&) {
      return false;
    }
  }
  return rank_may_fit(graph, node.inputs[0], device::kMaxCopyRank);
}

CudaComputeFn make_transpose(const KernelInit& init) {
  std::vector<int64_t> perm = init.attr_ints("perm");
  return [perm](CudaKernelContext& ctx) {
    const DeviceTensor& x = ctx.input(0);
    std::vector<int64_t> p = perm;
    if (p.empty())
      for (int64_t d = x.rank() - 1; d >= 0; --d) p.push_back(d);
    Shape shape = kernels::transpose_output_shape(x.shape, p);
    require_copy_rank(shape, "Transpose");
    DeviceTensor& y = ctx.allocate_output(0, shape, x.dtype);
    std::vector<int64_t> in_strides = contiguous_strides(x.shape), out_strides = contiguous_strides(shape);
    device::StridedCopy copy;
    copy.rank = x.rank();
    for (int d = 0; d < copy.rank; ++d) {
      copy.dims[d] = shape[d];
      copy.src_strides[d] = in_strides[p[d]];
      copy.dst_strides[d] = out_strides[d];
    }
    device::strided_copy(x.raw(), y.raw(), dtype_size(x.dtype), copy, ctx.stream());
  };
}

bool supports_all_float32(const ir::Node& node, const ir::Graph& graph) {
  return !node.inputs.empty() && all_float32(node, graph);
}

CudaComputeFn make_concat(const KernelInit& init) {
  if (!init.has_attr("axis")) init.fail_model("attribute 'axis' is required");
  int64_t axis = init.attr_int("axis", 0);
  return [axis](CudaKernelContext& ctx) {
    std::vector<Shape> shapes;
    for (size_t i = 0; i < ctx.num_inputs(); ++i) shapes.push_back(ctx.input(i).shape);
    FLOWONNX_REQUIRE(!shapes.empty(), "Concat: no inputs");
    Shape shape = kernels::concat_output_shape(shapes, axis);
    const DType dtype = ctx.input(0).dtype;
    for (size_t i = 0; i < ctx.num_inputs(); ++i)
      FLOWONNX_REQUIRE(ctx.input(i).dtype == dtype, "Concat: input {} is {}, input 0 is {}", i,
                       ctx.input(i).describe(), ctx.input(0).describe());
    const size_t a = static_cast<size_t>(axis < 0 ? axis + static_cast<int64_t>(shape.size()) : axis);
    DeviceTensor& y = ctx.allocate_output(0, shape, dtype);
    const int64_t outer = product(shape, 0, a), inner = product(shape, a + 1, shape.size());
    int64_t offset = 0;
    for (size_t i = 0; i < ctx.num_inputs(); ++i) {
      const DeviceTensor& x = ctx.input(i);
      const int64_t middle = x.shape[a];
      device::strided_copy(x.raw(), at_element(y, offset * inner), dtype_size(dtype),
                           block_copy(outer, middle, inner, middle, shape[a]), ctx.stream());
      offset += middle;
    }
  };
}

// all_float32 would also test the split sizes (int64): check the data input and the outputs
// (type inference types only output 0; the others have input 0's dtype by definition).
bool supports_split_io(const ir::Node& node, const ir::Graph& graph) {
  if (!present(node.inputs, 0) || !value_has_dtype(graph, node.inputs[0], DType::Float32)) return false;
  for (const auto& out : node.outputs)
    if (!out.empty() && graph.has_type(out) && !value_has_dtype(graph, out, DType::Float32)) return false;
  return !node.outputs.empty() && input_is_constant_or_absent(node, graph, 1);
}

CudaComputeFn make_split(const KernelInit& init) {
  int64_t axis = init.attr_int("axis", 0);
  std::optional<std::vector<int64_t>> split;
  if (init.has_input(1)) split = constant_ints(init, 1, "Split sizes");
  return [axis, split](CudaKernelContext& ctx) {
    const DeviceTensor& x = ctx.input(0);
    const int64_t a = kernels::detail::normalize_axis("Split", axis, x.rank());
    const int64_t n = x.shape[a];
    std::vector<int64_t> sizes;
    if (split) {
      sizes = *split;
      int64_t total = 0;
      for (int64_t s : sizes) {
        FLOWONNX_REQUIRE(s >= 0, "Split: negative size in {}", shape_to_string(sizes));
        total += s;
      }
      FLOWONNX_REQUIRE(sizes.size() == ctx.num_outputs() && total == n,
                       "Split: sizes {} do not split dim {} ({}) into {} outputs", shape_to_string(sizes), a, n,
                       ctx.num_outputs());
    } else {
      int64_t parts = static_cast<int64_t>(ctx.num_outputs());
      int64_t each = (n + parts - 1) / parts;
      for (int64_t k = 0; k < parts; ++k) sizes.push_back(std::max<int64_t>(0, std::min(each, n - k * each)));
    }
    const int64_t outer = product(x.shape, 0, a), inner = product(x.shape, a + 1, x.shape.size());
    int64_t start = 0;
    for (size_t k = 0; k < sizes.size(); ++k) {
      Shape shape = x.shape;
      shape[a] = sizes[k];
      DeviceTensor& y = ctx.allocate_output(k, shape, x.dtype);
      device::strided_copy(at_element(x, start * inner), y.raw(), dtype_size(x.dtype),
                           block_copy(outer, sizes[k], inner, n, sizes[k]), ctx.stream());
      start += sizes[k];
    }
  };
}


// Expand and Tile: the target shape / repeats are a constant of at most kMaxCopyRank values.
bool supports_constant_shape_op(const ir::Node& node, const ir::Graph& graph) {
  return data_float32(node, graph) && fixed_constant(node, graph, 1) &&
         rank_may_fit(graph, node.inputs[0], device::kMaxCopyRank) &&
         graph.initializer(node.inputs[1]).num_elements() <= device::kMaxCopyRank;
}

CudaComputeFn make_expand(const KernelInit& init) {
  Shape target = constant_ints(init, 1, "Expand shape");
  return [target](CudaKernelContext& ctx) {
    const DeviceTensor& x = ctx.input(0);
    Shape shape = kernels::broadcast_all({x.shape, target}, "Expand");
    require_copy_rank(shape, "Expand");
    DeviceTensor& y = ctx.allocate_output(0, shape, x.dtype);
    std::vector<int64_t> in_strides = kernels::broadcast_strides(x.shape, shape);
    std::vector<int64_t> out_strides = contiguous_strides(shape);
    device::StridedCopy copy;
    copy.rank = static_cast<int>(shape.size());
    for (int d = 0; d < copy.rank; ++d) {
      copy.dims[d] = shape[d];
      copy.src_strides[d] = in_strides[d];
      copy.dst_strides[d] = out_strides[d];
    }
    device::strided_copy(x.raw(), y.raw(), dtype_size(x.dtype), copy, ctx.stream());
  };
}

CudaComputeFn make_tile(const KernelInit& init) {
  std::vector<int64_t> repeats = constant_ints(init, 1, "Tile repeats");
  return [repeats](CudaKernelContext& ctx) {
    const DeviceTensor& x = ctx.input(0);
    FLOWONNX_REQUIRE(static_cast<int64_t>(repeats.size()) == x.rank(), "Tile: {} repeats for {}", repeats.size(),
                     x.describe());
    require_copy_rank(x.shape, "Tile");
    Shape shape = x.shape;
    for (size_t d = 0; d < shape.size(); ++d) {
      FLOWONNX_REQUIRE(repeats[d] >= 0, "Tile: negative repeat {}", repeats[d]);
      shape[d] *= repeats[d];
    }
    DeviceTensor& y = ctx.allocate_output(0, shape, x.dtype);
    std::vector<int64_t> in_strides = contiguous_strides(x.shape), out_strides = contiguous_strides(shape);
    device::StridedCopy copy;
    copy.rank = x.rank();
    for (int d = 0; d < copy.rank; ++d) {
      copy.dims[d] = shape[d];
      copy.src_strides[d] = in_strides[d];
      copy.dst_strides[d] = out_strides[d];
      copy.src_wrap[d] = x.shape[d];
    }
    device::strided_copy(x.raw(), y.raw(), dtype_size(x.dtype), copy, ctx.stream());
  };
}

bool supports_pad(const ir::Node& node, const ir::Graph& graph) {
  std::string mode = attr_string(node, "mode", "constant");
  if (mode != "constant" && mode != "reflect" && mode != "edge") return false;
  if (present(node.inputs, 3)) return false;  // opset 18 axes
  if (present(node.inputs, 2) && !value_has_dtype(graph, node.inputs[2], DType::Float32)) return false;
  return data_float32(node, graph) && fixed_constant(node, graph, 1) && input_is_constant_or_absent(node, graph, 2) &&
         rank_may_fit(graph, node.inputs[0], device::kMaxCopyRank);
}

CudaComputeFn make_pad(const KernelInit& init) {
  std::string mode_name = init.attr_string("mode", "constant");
  device::PadKind kind = device::PadKind::Constant;
  if (mode_name == "reflect") kind = device::PadKind::Reflect;
  else if (mode_name == "edge") kind = device::PadKind::Edge;
  else if (mode_name != "constant") init.fail_model("mode must be constant, reflect or edge");
  std::vector<int64_t> pads = constant_ints(init, 1, "Pad pads");
  double value = 0;
  if (init.has_input(2)) {
    const Tensor* fill = init.constant_input(2);
    if (!fill) init.fail_model("Pad constant_value (input 2) must be a constant initializer");
    if (fill->num_elements() > 0) value = fill->to_double_vector()[0];
  }
  const float fill_value = static_cast<float>(value);  // as Tensor::full does for float32
  uint32_t fill_bits;
  std::memcpy(&fill_bits, &fill_value, sizeof fill_bits);
  return [kind, pads, fill_bits](CudaKernelContext& ctx) {
    const DeviceTensor& x = ctx.input(0);
    FLOWONNX_REQUIRE(x.dtype == DType::Float32, "Pad on CUDA takes float32, got {}", x.describe());
    const int64_t rank = x.rank();
    FLOWONNX_REQUIRE(static_cast<int64_t>(pads.size()) == 2 * rank, "Pad: {} pads for {}", pads.size(),
                     x.describe());
    require_copy_rank(x.shape, "Pad");
    Shape shape = x.shape;
    for (int64_t d = 0; d < rank; ++d) {
      shape[d] += pads[d] + pads[d + rank];
      FLOWONNX_REQUIRE(shape[d] >= 0, "Pad: pads {} crop more than {}", shape_to_string(pads), x.describe());
    }
    DeviceTensor& y = ctx.allocate_output(0, shape, x.dtype);
    for (int64_t dim : x.shape)
      FLOWONNX_REQUIRE(kind == device::PadKind::Constant || dim > 0 || y.num_elements() == 0,
                       "pad: cannot reflect or extend an empty dim of {}", x.describe());
    device::PadParams p;
    p.rank = static_cast<int>(rank);
    for (int d = 0; d < p.rank; ++d) {
      p.in_dims[d] = x.shape[d];
      p.out_dims[d] = shape[d];
      p.pads_begin[d] = pads[d];
    }
    p.kind = kind;
    p.constant_bits = fill_bits;
    device::pad(x.raw(), y.raw(), dtype_size(x.dtype), p, ctx.stream());
  };
}

}  // namespace

void add_tensor_copy_kernels(std::vector<CudaKernel>& kernels) {
  kernels.push_back({"", "Transpose", supports_transpose, make_transpose});
  kernels.push_back({"", "Concat", supports_all_float32, make_concat});
  kernels.push_back({"", "Split", supports_split_io, make_split});
  kernels.push_back({"", "Expand", supports_constant_shape_op, make_expand});
  kernels.push_back({"", "Tile", supports_constant_shape_op, make_tile});
  kernels.push_back({"", "Pad", supports_pad, make_pad});
}

}  // namespace flowonnx::runtime::cuda
