// Bitwise ops of opset 18: BitwiseAnd / BitwiseOr / BitwiseXor (numpy broadcasting) and
// BitwiseNot, over every integer dtype, on the two's-complement bits (defined for signed types
// too: no arithmetic, so nothing can overflow).
#include <type_traits>

#include "kernels/cpu/broadcast_loop.h"
#include "runtime/providers/cpu/cpu_kernels.h"

namespace flowonnx::runtime::cpu {

namespace {

enum class Bitwise { And, Or, Xor };

const char* bitwise_name(Bitwise op) {
  static const char* names[] = {"BitwiseAnd", "BitwiseOr", "BitwiseXor"};
  return names[static_cast<int>(op)];
}

// Calls fn(T{}) for the integer dtypes; anything else is refused naming the op and the input.
template <typename Fn>
void visit_integer(const char* op, const char* what, const Tensor& tensor, Fn&& fn) {
  visit_dtype(tensor.dtype(), [&](auto zero) {
    using T = decltype(zero);
    if constexpr (std::is_integral_v<T> && !std::is_same_v<T, bool>)
      fn(zero);
    else
      fail(ErrorCode::InvalidArgument, "{}: {} must be an integer tensor, got {}", op, what,
           tensor.describe());
  });
}

template <Bitwise Op>
ComputeFn make_bitwise(const KernelInit&) {
  return [](KernelContext& ctx) {
    const char* name = bitwise_name(Op);
    const Tensor& a = ctx.input(0);
    const Tensor& b = ctx.input(1);
    FLOWONNX_REQUIRE(a.dtype() == b.dtype(), "{}: inputs have different dtypes ({} and {})", name,
                     a.describe(), b.describe());
    visit_integer(name, "input 0 (A)", a, [&](auto zero) {
      using T = decltype(zero);
      Shape shape = kernels::broadcast_all({a.shape(), b.shape()}, name);
      Tensor& y = ctx.allocate_output(0, shape, a.dtype());
      const T* pa = a.data<T>();
      const T* pb = b.data<T>();
      T* py = y.data<T>();
      kernels::for_each_broadcast<2>(
          shape, {a.shape(), b.shape()}, [&](int64_t i, const std::array<int64_t, 2>& at) {
            const T x = pa[at[0]], v = pb[at[1]];
            if constexpr (Op == Bitwise::And) py[i] = static_cast<T>(x & v);
            else if constexpr (Op == Bitwise::Or) py[i] = static_cast<T>(x | v);
            else py[i] = static_cast<T>(x ^ v);
          });
    });
  };
}

ComputeFn make_bitwise_not(const KernelInit&) {
  return [](KernelContext& ctx) {
    const Tensor& x = ctx.input(0);
    visit_integer("BitwiseNot", "input 0 (X)", x, [&](auto zero) {
      using T = decltype(zero);
      Tensor& y = ctx.allocate_output(0, x.shape(), x.dtype());
      const T* in = x.data<T>();
      T* out = y.data<T>();
      for (int64_t i = 0; i < x.num_elements(); ++i) out[i] = static_cast<T>(~in[i]);
    });
  };
}

}  // namespace

void register_bitwise_kernels(KernelRegistry& r) {
  r.add("", "BitwiseAnd", make_bitwise<Bitwise::And>, rules::broadcast());
  r.add("", "BitwiseOr", make_bitwise<Bitwise::Or>, rules::broadcast());
  r.add("", "BitwiseXor", make_bitwise<Bitwise::Xor>, rules::broadcast());
  r.add("", "BitwiseNot", make_bitwise_not, rules::same_as_input());
}

}  // namespace flowonnx::runtime::cpu
