// Spatial ops of opsets 18-20 (kernels/cpu/spatial_ops.h): Col2Im-18 (image_shape and
// block_shape inputs), AffineGrid-20 (theta, size inputs) and DeformConv-19 (2-D).
#include "kernels/cpu/spatial_ops.h"
#include "runtime/providers/cpu/cpu_kernels.h"

namespace flowonnx::runtime::cpu {

namespace {

// An ints attribute with `count` values, or `fill` repeated when the attribute is absent.
std::vector<int64_t> ints_or(const KernelInit& init, const std::string& name, size_t count,
                             int64_t fill) {
  if (!init.has_attr(name)) return std::vector<int64_t>(count, fill);
  return init.attr_ints(name);
}

ComputeFn make_col2im(const KernelInit& init) {
  const std::optional<std::vector<int64_t>> dilations =
      init.has_attr("dilations") ? std::optional(init.attr_ints("dilations")) : std::nullopt;
  const std::optional<std::vector<int64_t>> pads =
      init.has_attr("pads") ? std::optional(init.attr_ints("pads")) : std::nullopt;
  const std::optional<std::vector<int64_t>> strides =
      init.has_attr("strides") ? std::optional(init.attr_ints("strides")) : std::nullopt;
  return [dilations, pads, strides](KernelContext& ctx) {
    const Tensor& x = ctx.input(0);
    kernels::Col2ImParams p;
    p.image_shape = tensor_to_int64s(ctx.input(1), "Col2Im image_shape");
    p.block_shape = tensor_to_int64s(ctx.input(2), "Col2Im block_shape");
    const size_t n = p.image_shape.size();
    p.dilations = dilations.value_or(std::vector<int64_t>(n, 1));
    p.pads = pads.value_or(std::vector<int64_t>(2 * n, 0));
    p.strides = strides.value_or(std::vector<int64_t>(n, 1));
    kernels::col2im_block_counts(p);  // validates before the output shape is trusted
    FLOWONNX_REQUIRE(x.rank() == 3 && p.block_shape.size() == n,
                     "Col2Im: input 0 {} must be [N, C * prod(block_shape), L]", x.describe());
    int64_t block = 1;
    for (int64_t k : p.block_shape) block *= k;
    FLOWONNX_REQUIRE(x.shape()[1] % block == 0,
                     "Col2Im: input 0 {} dim 1 is not a multiple of prod(block_shape) = {}",
                     x.describe(), block);
    Shape out = {x.shape()[0], x.shape()[1] / block};
    out.insert(out.end(), p.image_shape.begin(), p.image_shape.end());
    kernels::col2im(x, p, ctx.allocate_output(0, out, x.dtype()));
  };
}

ComputeFn make_affine_grid(const KernelInit& init) {
  const bool align_corners = init.attr_int("align_corners", 0) != 0;
  return [align_corners](KernelContext& ctx) {
    const Tensor& theta = ctx.input(0);
    std::vector<int64_t> size = tensor_to_int64s(ctx.input(1), "AffineGrid size");
    FLOWONNX_REQUIRE(theta.rank() == 3 && theta.shape()[0] >= 0 &&
                         static_cast<int64_t>(size.size()) == theta.shape()[1] + 2 &&
                         (size.size() == 4 || size.size() == 5) && size[0] == theta.shape()[0],
                     "AffineGrid: input 1 (size) {} must be [N, C, H, W] for theta [N, 2, 3] or "
                     "[N, C, D, H, W] for theta [N, 3, 4], got theta {}",
                     shape_to_string(size), theta.describe());
    Shape out = {size[0]};
    for (size_t d = 2; d < size.size(); ++d) {
      FLOWONNX_REQUIRE(size[d] >= 0, "AffineGrid: input 1 (size) {} has a negative dim",
                       shape_to_string(size));
      out.push_back(size[d]);
    }
    out.push_back(static_cast<int64_t>(size.size()) - 2);
    kernels::affine_grid(theta, align_corners, ctx.allocate_output(0, out, theta.dtype()));
  };
}

ComputeFn make_deform_conv(const KernelInit& init) {
  kernels::DeformConvParams base;
  base.dilations = ints_or(init, "dilations", 2, 1);
  base.strides = ints_or(init, "strides", 2, 1);
  base.pads = ints_or(init, "pads", 4, 0);
  base.group = init.attr_int("group", 1);
  base.offset_group = init.attr_int("offset_group", 1);
  std::optional<std::vector<int64_t>> kernel_shape;
  if (init.has_attr("kernel_shape")) kernel_shape = init.attr_ints("kernel_shape");
  return [base, kernel_shape](KernelContext& ctx) {
    const Tensor& w = ctx.input(1);
    kernels::DeformConvParams p = base;
    p.kernel_shape = kernel_shape.value_or(
        w.rank() == 4 ? std::vector<int64_t>{w.shape()[2], w.shape()[3]} : std::vector<int64_t>{});
    const Tensor& x = ctx.input(0);
    const Tensor& offset = ctx.input(2);
    Tensor none;
    const Tensor& bias = ctx.has_input(3) ? ctx.input(3) : none;
    const Tensor& mask = ctx.has_input(4) ? ctx.input(4) : none;
    FLOWONNX_REQUIRE(x.rank() == 4 && w.rank() == 4 && offset.rank() == 4,
                     "DeformConv: 2-D only: X {}, W {} and offset {} must be rank 4",
                     x.describe(), w.describe(), offset.describe());
    Tensor& y = ctx.allocate_output(
        0, {x.shape()[0], w.shape()[0], offset.shape()[2], offset.shape()[3]}, x.dtype());
    kernels::deform_conv(x, w, offset, bias, mask, p, y);
  };
}

}  // namespace

void register_spatial_kernels(KernelRegistry& r) {
  r.add("", "Col2Im", make_col2im, rules::input_dtype_only());
  r.add("", "AffineGrid", make_affine_grid, rules::input_dtype_only());
  r.add("", "DeformConv", make_deform_conv, rules::input_dtype_only());
}

}  // namespace flowonnx::runtime::cpu
