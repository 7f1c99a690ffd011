// The CUDA provider's index-driven tensor ops: Slice (constant starts/ends/axes/steps, a strided
// copy) and Gather (indices on the device, int64 or int32). Semantics as providers/cpu/indexing.cc.
#include <numeric>

#include "runtime/providers/cuda/tensor_helpers.h"

namespace flowonnx::runtime::cuda {

namespace {

using namespace tensor_ops;

bool supports_slice(const ir::Node& node, const ir::Graph& graph) {
  if (!data_float32(node, graph) || !fixed_constant(node, graph, 1) || !fixed_constant(node, graph, 2)) return false;
  return input_is_constant_or_absent(node, graph, 3) && input_is_constant_or_absent(node, graph, 4) &&
         rank_may_fit(graph, node.inputs[0], device::kMaxCopyRank);
}

CudaComputeFn make_slice(const KernelInit& init) {
  std::vector<int64_t> starts = constant_ints(init, 1, "Slice starts");
  std::vector<int64_t> ends = constant_ints(init, 2, "Slice ends");
  std::vector<int64_t> axes, steps;
  if (init.has_input(3)) axes = constant_ints(init, 3, "Slice axes");
  else { axes.resize(starts.size()); std::iota(axes.begin(), axes.end(), 0); }
  if (init.has_input(4)) steps = constant_ints(init, 4, "Slice steps");
  else steps.assign(starts.size(), 1);
  if (ends.size() != starts.size() || axes.size() != starts.size() || steps.size() != starts.size())
    init.fail_model("Slice: starts, ends, axes and steps must have the same length");
  for (int64_t s : steps)
    if (s == 0) init.fail_model("Slice: step must not be 0");
  return [starts, ends, axes, steps](CudaKernelContext& ctx) {
    const DeviceTensor& x = ctx.input(0);
    const int64_t rank = x.rank();
    require_copy_rank(x.shape, "Slice");
    const SliceGeometry g = resolve_slice(x.shape, starts, ends, axes, steps);
    const std::vector<int64_t>& begin = g.begin;
    const std::vector<int64_t>& step = g.step;
    const Shape& shape = g.shape;
    DeviceTensor& y = ctx.allocate_output(0, shape, x.dtype);
    if (num_elements(shape) == 0) return;
    std::vector<int64_t> in_strides = contiguous_strides(x.shape), out_strides = contiguous_strides(shape);
    device::StridedCopy copy;
    copy.rank = static_cast<int>(rank);
    int64_t first = 0;
    for (int d = 0; d < copy.rank; ++d) {
      copy.dims[d] = shape[d];
      copy.src_strides[d] = in_strides[d] * step[d];
      copy.dst_strides[d] = out_strides[d];
      first += begin[d] * in_strides[d];
    }
    device::strided_copy(at_element(x, first), y.raw(), dtype_size(x.dtype), copy, ctx.stream());
  };
}

bool supports_gather(const ir::Node& node, const ir::Graph& graph) {
  return data_float32(node, graph) && present(node.inputs, 1) &&
         (value_has_dtype(graph, node.inputs[1], DType::Int64) || value_has_dtype(graph, node.inputs[1], DType::Int32));
}

CudaComputeFn make_gather(const KernelInit& init) {
  int64_t axis = init.attr_int("axis", 0);
  return [axis](CudaKernelContext& ctx) {
    const DeviceTensor& x = ctx.input(0);
    const DeviceTensor& indices = ctx.input(1);
    FLOWONNX_REQUIRE(indices.dtype == DType::Int64 || indices.dtype == DType::Int32,
                     "Gather: indices must be int64 or int32, got {}", indices.describe());
    const int64_t a = kernels::detail::normalize_axis("Gather", axis, x.rank());
    Shape shape(x.shape.begin(), x.shape.begin() + a);
    shape.insert(shape.end(), indices.shape.begin(), indices.shape.end());
    shape.insert(shape.end(), x.shape.begin() + a + 1, x.shape.end());
    const int64_t num_indices = indices.num_elements();
    // The only range error the host can see; other out-of-range indices read as zeros.
    FLOWONNX_REQUIRE(num_indices == 0 || x.shape[a] > 0, "Gather indices: index out of range for a dim of 0");
    DeviceTensor& y = ctx.allocate_output(0, shape, x.dtype);
    device::gather(x.raw(), indices.raw(), indices.dtype == DType::Int64, y.raw(), dtype_size(x.dtype),
                   product(x.shape, 0, a), x.shape[a], product(x.shape, a + 1, x.shape.size()), num_indices,
                   ctx.stream());
  };
}

// Expand and Tile: the target shape / repeats are a constant of at most kMaxCopyRank values.

}  // namespace

void add_tensor_index_kernels(std::vector<CudaKernel>& kernels) {
  kernels.push_back({"", "Slice", supports_slice, make_slice});
  kernels.push_back({"", "Gather", supports_gather, make_gather});
}

}  // namespace flowonnx::runtime::cuda
