#include "kernels/cpu/kernel_checks.h"
#include "kernels/cpu/matmul_internal.h"

namespace flowonnx::kernels::detail {

MatMulPlan plan_matmul(const Shape& a, const Shape& b, const MatMulParams& params) {
  const std::string as = shape_to_string(a), bs = shape_to_string(b);
  FLOWONNX_REQUIRE(!a.empty() && !b.empty(), "matmul: operands {} and {} must have rank >= 1", as,
                   bs);
  num_elements(a);  // refuses negative dims
  num_elements(b);
  MatMulPlan plan;
  int64_t k_of_a, k_of_b;
  if (a.size() == 1) {
    k_of_a = a[0];
  } else {
    const int64_t rows = a[a.size() - 2], cols = a[a.size() - 1];
    plan.m = params.transpose_a ? cols : rows;
    k_of_a = params.transpose_a ? rows : cols;
  }
  if (b.size() == 1) {
    k_of_b = b[0];
  } else {
    const int64_t rows = b[b.size() - 2], cols = b[b.size() - 1];
    k_of_b = params.transpose_b ? cols : rows;
    plan.n = params.transpose_b ? rows : cols;
  }
  FLOWONNX_REQUIRE(k_of_a == k_of_b,
                   "matmul: inner dims disagree: a {} gives K={} but b {} gives K={} "
                   "(transpose_a={}, transpose_b={})",
                   as, k_of_a, bs, k_of_b, params.transpose_a, params.transpose_b);
  plan.k = k_of_a;

  const Shape a_batch(a.begin(), a.end() - std::min<size_t>(a.size(), 2));
  const Shape b_batch(b.begin(), b.end() - std::min<size_t>(b.size(), 2));
  const size_t rank = std::max(a_batch.size(), b_batch.size());
  plan.a_batch.assign(rank - a_batch.size(), 1);
  plan.a_batch.insert(plan.a_batch.end(), a_batch.begin(), a_batch.end());
  plan.b_batch.assign(rank - b_batch.size(), 1);
  plan.b_batch.insert(plan.b_batch.end(), b_batch.begin(), b_batch.end());
  for (size_t i = 0; i < rank; ++i) {
    const int64_t da = plan.a_batch[i], db = plan.b_batch[i];
    FLOWONNX_REQUIRE(da == db || da == 1 || db == 1,
                     "matmul: batch dims of a {} and b {} do not broadcast ({} vs {})", as, bs, da,
                     db);
    plan.batch.push_back(da == 1 ? db : da);
  }
  plan.y_shape = plan.batch;
  if (a.size() > 1) plan.y_shape.push_back(plan.m);
  if (b.size() > 1) plan.y_shape.push_back(plan.n);
  num_elements(plan.y_shape);
  return plan;
}

MatMulPlan validate_matmul(const Tensor& a, const Tensor& b, const MatMulParams& params,
                           const Tensor& y) {
  require_dtype("matmul", "a", a, DType::Float32);
  require_dtype("matmul", "b", b, DType::Float32);
  MatMulPlan plan = plan_matmul(a.shape(), b.shape(), params);
  require_output("matmul", y, plan.y_shape, DType::Float32, {&a, &b});
  return plan;
}

}  // namespace flowonnx::kernels::detail

namespace flowonnx::kernels {

Shape matmul_output_shape(const Shape& a, const Shape& b, const MatMulParams& params) {
  return detail::plan_matmul(a, b, params).y_shape;
}

}  // namespace flowonnx::kernels
