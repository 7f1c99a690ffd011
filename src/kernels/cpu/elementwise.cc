// Element-wise kernels: every binary op runs through one broadcasting loop, every unary op through
// one map loop; the op itself is a lambda picked by visit_binary_op / visit_unary_op.
#include "kernels/cpu/elementwise.h"

#include <algorithm>

#include "kernels/cpu/elementwise_internal.h"
#include "kernels/cpu/kernel_checks.h"
#include "kernels/cpu/threading.h"

namespace flowonnx::kernels {

namespace detail {

const char* binary_op_name(BinaryOp op) {
  switch (op) {
    case BinaryOp::Add:
      return "Add";
    case BinaryOp::Sub:
      return "Sub";
    case BinaryOp::Mul:
      return "Mul";
    case BinaryOp::Div:
      return "Div";
  }
  return "unknown";
}

BroadcastPlan plan_broadcast(const Shape& a, const Shape& b, const Shape& y) {
  const size_t rank = y.size();
  auto broadcast_strides = [&](const Shape& shape) {
    Shape padded(rank - shape.size(), 1);
    padded.insert(padded.end(), shape.begin(), shape.end());
    std::vector<int64_t> strides = contiguous_strides(padded);
    for (size_t i = 0; i < rank; ++i)
      if (padded[i] == 1) strides[i] = 0;  // broadcast: every step re-reads the same elements
    return strides;
  };
  const std::vector<int64_t> a_strides = broadcast_strides(a), b_strides = broadcast_strides(b);
  BroadcastPlan plan;
  for (size_t i = 0; i < rank; ++i) {
    if (y[i] == 1) continue;  // moves no offset
    // Merge into the previous dim when, in both inputs, one step of it spans exactly this dim.
    if (!plan.dims.empty() && plan.a_strides.back() == a_strides[i] * y[i] &&
        plan.b_strides.back() == b_strides[i] * y[i]) {
      plan.dims.back() *= y[i];
      plan.a_strides.back() = a_strides[i];
      plan.b_strides.back() = b_strides[i];
    } else {
      plan.dims.push_back(y[i]);
      plan.a_strides.push_back(a_strides[i]);
      plan.b_strides.push_back(b_strides[i]);
    }
  }
  if (plan.dims.empty()) plan = {{1}, {0}, {0}};  // every dim is 1
  return plan;
}

Shape validate_binary(BinaryOp op, const Tensor& a, const Tensor& b, const Tensor& y) {
  const char* name = binary_op_name(op);
  require_defined(name, "a", a);
  require_defined(name, "b", b);
  FLOWONNX_REQUIRE(a.dtype() == b.dtype(), "{}: operands {} and {} have different dtypes", name,
                   a.describe(), b.describe());
  visit_arithmetic_dtype(name, a, [](auto) {});
  const Shape y_shape = broadcast_shapes(a.shape(), b.shape(), name);
  require_output(name, y, y_shape, a.dtype(), {&a, &b});
  return y_shape;
}

void require_nonzero_divisors(BinaryOp op, const Tensor& b, int64_t output_elements) {
  if (op != BinaryOp::Div || is_floating(b.dtype()) || output_elements == 0) return;
  visit_arithmetic_dtype("Div", b, [&](auto zero) {
    using T = decltype(zero);
    const T* divisor = b.data<T>();
    FLOWONNX_REQUIRE(
        std::find(divisor, divisor + b.num_elements(), T(0)) == divisor + b.num_elements(),
        "Div: integer division by zero (divisor {})", b.describe());
  });
}

void validate_unary(UnaryOp op, const Tensor& x, const Tensor& y) {
  require_defined("unary", "x", x);
  visit_arithmetic_dtype("unary", x, [](auto) {});
  require_output("unary", y, x.shape(), x.dtype(), {&x});
}

}  // namespace detail

Shape broadcast_shapes(const Shape& a, const Shape& b, const char* op_name) {
  num_elements(a);
  num_elements(b);
  const size_t rank = std::max(a.size(), b.size());
  Shape result(rank);
  for (size_t i = 0; i < rank; ++i) {
    // Align from the right; a missing leading dim acts as 1.
    const int64_t da = i < rank - a.size() ? 1 : a[i - (rank - a.size())];
    const int64_t db = i < rank - b.size() ? 1 : b[i - (rank - b.size())];
    FLOWONNX_REQUIRE(da == db || da == 1 || db == 1,
                     "{}: shapes {} and {} do not broadcast (dim {} of the result: {} vs {})",
                     op_name, shape_to_string(a), shape_to_string(b), i, da, db);
    result[i] = da == 1 ? db : da;
  }
  return result;
}

namespace {

// One contiguous run of the innermost dim. The three common stride patterns get loops the
// compiler can vectorise; anything else takes the strided loop.
template <typename T, typename Fn>
inline void binary_run(Fn fn, const T* a, const T* b, T* y, int64_t count, int64_t a_step,
                       int64_t b_step) {
  if (a_step == 1 && b_step == 1) {
    for (int64_t i = 0; i < count; ++i) y[i] = fn(a[i], b[i]);
  } else if (a_step == 1 && b_step == 0) {
    const T b0 = *b;
    for (int64_t i = 0; i < count; ++i) y[i] = fn(a[i], b0);
  } else if (a_step == 0 && b_step == 1) {
    const T a0 = *a;
    for (int64_t i = 0; i < count; ++i) y[i] = fn(a0, b[i]);
  } else {
    for (int64_t i = 0; i < count; ++i) y[i] = fn(a[i * a_step], b[i * b_step]);
  }
}

constexpr int64_t kChunk = 1 << 14;  // elements per parallel task

// The shared broadcasting loop. The innermost dim is cut into chunks; each (outer row, chunk)
// pair is an independent task, so flat and broadcast cases parallelise alike (when the whole is
// large enough to pay for a parallel region, threads_for).
template <typename T, typename Fn>
void broadcast_loop(Fn fn, const detail::BroadcastPlan& plan, const T* a, const T* b, T* y) {
  const int rank = static_cast<int>(plan.dims.size());
  const int64_t inner = plan.dims.back();
  const int64_t a_step = plan.a_strides.back(), b_step = plan.b_strides.back();
  const int64_t rows = detail::product(plan.dims, 0, rank - 1);
  const int64_t chunks = (inner + kChunk - 1) / kChunk;
  const int threads = threads_for(rows * inner);
#pragma omp parallel for schedule(static) num_threads(threads) if (threads > 1)
  for (int64_t task = 0; task < rows * chunks; ++task) {
    const int64_t row = task / chunks, begin = (task % chunks) * kChunk;
    int64_t a_offset = begin * a_step, b_offset = begin * b_step, rest = row;
    for (int d = rank - 2; d >= 0; --d) {  // unravel the outer row index
      const int64_t coordinate = rest % plan.dims[d];
      rest /= plan.dims[d];
      a_offset += coordinate * plan.a_strides[d];
      b_offset += coordinate * plan.b_strides[d];
    }
    binary_run(fn, a + a_offset, b + b_offset, y + row * inner + begin,
               std::min(kChunk, inner - begin), a_step, b_step);
  }
}

}  // namespace

void binary(BinaryOp op, const Tensor& a, const Tensor& b, Tensor& y) {
  const Shape y_shape = detail::validate_binary(op, a, b, y);
  if (y.num_elements() == 0) return;
  detail::require_nonzero_divisors(op, b, y.num_elements());
  const detail::BroadcastPlan plan = detail::plan_broadcast(a.shape(), b.shape(), y_shape);
  detail::visit_arithmetic_dtype(detail::binary_op_name(op), a, [&](auto zero) {
    using T = decltype(zero);
    detail::visit_binary_op<T>(
        op, [&](auto fn) { broadcast_loop<T>(fn, plan, a.data<T>(), b.data<T>(), y.data<T>()); });
  });
}

void add_n(const std::vector<Tensor>& inputs, Tensor& y) {
  FLOWONNX_REQUIRE(!inputs.empty(), "add_n: needs at least one input");
  detail::require_defined("add_n", "input 0", inputs[0]);
  for (size_t i = 0; i < inputs.size(); ++i) {
    FLOWONNX_REQUIRE(inputs[i].defined(), "add_n: input {} is an undefined tensor", i);
    FLOWONNX_REQUIRE(
        inputs[i].shape() == inputs[0].shape() && inputs[i].dtype() == inputs[0].dtype(),
        "add_n: input {} is {} but input 0 is {}; all must match", i, inputs[i].describe(),
        inputs[0].describe());
    detail::require_output("add_n", y, inputs[0].shape(), inputs[0].dtype(), {&inputs[i]});
  }
  detail::visit_arithmetic_dtype("add_n", inputs[0], [&](auto zero) {
    using T = decltype(zero);
    detail::visit_binary_op<T>(BinaryOp::Add, [&](auto add) {
      const int64_t count = y.num_elements();
      T* out = y.data<T>();
      std::copy_n(inputs[0].data<T>(), count, out);
      const int threads = threads_for(count);
      for (size_t i = 1; i < inputs.size(); ++i) {
        const T* in = inputs[i].data<T>();
#pragma omp parallel for schedule(static) num_threads(threads) if (threads > 1)
        for (int64_t j = 0; j < count; ++j) out[j] = add(out[j], in[j]);
      }
    });
  });
}

void unary(UnaryOp op, const Tensor& x, Tensor& y) {
  detail::validate_unary(op, x, y);
  detail::visit_arithmetic_dtype("unary", x, [&](auto zero) {
    using T = decltype(zero);
    detail::visit_unary_op<T>(op, [&](auto fn) {
      const int64_t count = x.num_elements();
      const T* in = x.data<T>();
      T* out = y.data<T>();
      const int threads = threads_for(count);
#pragma omp parallel for schedule(static) num_threads(threads) if (threads > 1)
      for (int64_t i = 0; i < count; ++i) out[i] = fn(in[i]);
    });
  });
}

}  // namespace flowonnx::kernels
