// Element-wise ops: unary math and activations, broadcasting binary arithmetic, comparisons and
// logic, variadic Max/Min/Sum/Mean, Where, PRelu, Clip. One broadcasting walk
// (kernels/cpu/broadcast_loop.h) serves every op the basic binary kernel does not.
#include <cmath>
#include <type_traits>

#include "kernels/cpu/broadcast_loop.h"
#include "kernels/cpu/elementwise.h"
#include "kernels/cpu/threading.h"
#include "kernels/cpu/unary_math.h"
#include "runtime/providers/cpu/cpu_kernels.h"
#include "runtime/providers/cpu/float16_adapter.h"
#include "tensor/integer_math.h"

namespace flowonnx::runtime::cpu {

namespace {

using kernels::for_each_broadcast;
using kernels::MathOp;

// Calls fn(T{}) for every numeric dtype (not bool, not float16).
template <typename Fn>
void visit_numeric(const char* op, const Tensor& tensor, Fn&& fn) {
  visit_dtype(tensor.dtype(), [&](auto zero) {
    using T = decltype(zero);
    if constexpr (std::is_same_v<T, bool> || std::is_same_v<T, Float16>)
      fail(ErrorCode::InvalidArgument, "{}: dtype of {} is not supported", op, tensor.describe());
    else
      fn(zero);
  });
}

// y[i] = op(a[..], b[..]) with numpy broadcasting; a of type T, b of type B (T unless a B
// pointer is passed to say otherwise), y of type R.
template <typename T, typename R, typename Op, typename B = T>
void broadcast_binary(KernelContext& ctx, const Tensor& a, const Tensor& b, DType out_dtype,
                      const char* name, Op op, const B* /*b_type*/ = nullptr) {
  Shape shape = kernels::broadcast_all({a.shape(), b.shape()}, name);
  Tensor& y = ctx.allocate_output(0, shape, out_dtype);
  const T* pa = a.data<T>();
  const B* pb = b.data<B>();
  R* py = y.data<R>();
  for_each_broadcast<2>(shape, {a.shape(), b.shape()},
                        [&](int64_t i, const std::array<int64_t, 2>& at) { py[i] = op(pa[at[0]], pb[at[1]]); });
}

void require_same_dtype(const char* op, const Tensor& a, const Tensor& b) {
  FLOWONNX_REQUIRE(a.dtype() == b.dtype(), "{}: inputs have different dtypes ({} and {})", op,
                   a.describe(), b.describe());
}

// ---- unary -------------------------------------------------------------------------------

template <MathOp Op>
ComputeFn make_unary(const KernelInit& init) {
  kernels::MathParams params;
  switch (Op) {
    case MathOp::LeakyRelu: params.alpha = init.attr_float("alpha", 0.01); break;
    case MathOp::HardSigmoid:
      params.alpha = init.attr_float("alpha", 0.2);
      params.beta = init.attr_float("beta", 0.5);
      break;
    case MathOp::Elu: params.alpha = init.attr_float("alpha", 1.0); break;
    case MathOp::Selu:
      params.alpha = init.attr_float("alpha", 1.67326319217681884765625);
      params.gamma = init.attr_float("gamma", 1.05070102214813232421875);
      break;
    case MathOp::Celu: params.alpha = init.attr_float("alpha", 1.0); break;
    case MathOp::Swish: params.alpha = init.attr_float("alpha", 1.0); break;
    case MathOp::ThresholdedRelu: params.alpha = init.attr_float("alpha", 1.0); break;
    case MathOp::Shrink:
      params.alpha = init.attr_float("lambd", 0.5);
      params.beta = init.attr_float("bias", 0.0);
      break;
    default: break;
  }
  return [params](KernelContext& ctx) {
    const Tensor& x = ctx.input(0);
    if (Op == MathOp::Relu && x.dtype() == DType::Float32) {
      kernels::unary(kernels::UnaryOp::Relu, x, ctx.allocate_output(0, x.shape(), x.dtype()));
      return;
    }
    kernels::unary_math(Op, x, ctx.allocate_output(0, x.shape(), x.dtype()), params);
  };
}

// Gelu (opset 20): exact (approximate="none") or the tanh approximation.
ComputeFn make_gelu(const KernelInit& init) {
  const std::string approximate = init.attr_string("approximate", "none");
  if (approximate != "none" && approximate != "tanh")
    init.fail_model("approximate must be \"none\" or \"tanh\", got \"" + approximate + "\"");
  return approximate == "tanh" ? make_unary<MathOp::GeluTanh>(init)
                                : make_unary<MathOp::Gelu>(init);
}

ComputeFn make_not(const KernelInit&) {
  return [](KernelContext& ctx) {
    const Tensor& x = ctx.input(0);
    FLOWONNX_REQUIRE(x.dtype() == DType::Bool, "Not: input must be bool, got {}", x.describe());
    Tensor& y = ctx.allocate_output(0, x.shape(), DType::Bool);
    const bool* in = x.data<bool>();
    bool* out = y.data<bool>();
    for (int64_t i = 0; i < x.num_elements(); ++i) out[i] = !in[i];
  };
}

template <bool IsNan>
ComputeFn make_is_special(const KernelInit& init) {
  bool detect_positive = init.attr_int("detect_positive", 1) != 0;
  bool detect_negative = init.attr_int("detect_negative", 1) != 0;
  return [=](KernelContext& ctx) {
    const Tensor& x = ctx.input(0);
    Tensor& y = ctx.allocate_output(0, x.shape(), DType::Bool);
    bool* out = y.data<bool>();
    visit_numeric(IsNan ? "IsNaN" : "IsInf", x, [&](auto zero) {
      using T = decltype(zero);
      const T* in = x.data<T>();
      for (int64_t i = 0; i < x.num_elements(); ++i) {
        double v = static_cast<double>(in[i]);
        out[i] = IsNan ? std::isnan(v)
                       : std::isinf(v) && ((v > 0 && detect_positive) || (v < 0 && detect_negative));
      }
    });
  };
}

// ---- binary arithmetic -------------------------------------------------------------------

enum class Arith { Add, Sub, Mul, Div, Pow, Mod, FMod, BitShiftLeft, BitShiftRight };

// Integer cases go through integer_math (defined results for overflow, INT_MIN / -1, shifts past
// the width); a zero divisor and bit shifts of signed or floating types are refused before the
// loop (check_arith_operands).
template <typename T>
T apply_arith(Arith op, T a, T b) {
  if constexpr (std::is_integral_v<T>) {
    namespace im = integer_math;
    switch (op) {
      case Arith::Add: return im::add(a, b);
      case Arith::Sub: return im::sub(a, b);
      case Arith::Mul: return im::mul(a, b);
      case Arith::Div: return b == 0 ? T(0) : im::div(a, b);
      case Arith::Pow: return im::pow(a, b);
      case Arith::Mod: return b == 0 ? T(0) : im::mod(a, b);
      case Arith::FMod: return b == 0 ? T(0) : im::rem(a, b);
      case Arith::BitShiftLeft:
        if constexpr (std::is_unsigned_v<T>) return im::shift_left(a, b);
        break;
      case Arith::BitShiftRight:
        if constexpr (std::is_unsigned_v<T>) return im::shift_right(a, b);
        break;
    }
  } else {
    switch (op) {
      case Arith::Add: return a + b;
      case Arith::Sub: return a - b;
      case Arith::Mul: return a * b;
      case Arith::Div: return a / b;
      case Arith::Pow: return std::pow(a, b);
      case Arith::FMod: return std::fmod(a, b);
      case Arith::Mod: {
        T r = std::fmod(a, b);
        if (r != 0 && ((r < 0) != (b < 0))) r += b;
        return r;
      }
      default: break;
    }
  }
  return T(0);
}

const char* arith_name(Arith op) {
  static const char* names[] = {"Add", "Sub", "Mul", "Div", "Pow", "Mod", "Mod", "BitShift", "BitShift"};
  return names[static_cast<int>(op)];
}

// Loops may run in OpenMP regions, where an exception would terminate: check inputs first.
template <typename T>
void check_arith_operands(Arith op, const Tensor& b) {
  if (op == Arith::BitShiftLeft || op == Arith::BitShiftRight)
    FLOWONNX_REQUIRE(std::is_unsigned_v<T>,
                     "BitShift: inputs must be uint8, uint16, uint32 or uint64, got {}", b.describe());
  if constexpr (std::is_integral_v<T>) {
    if (op == Arith::Div || op == Arith::Mod || op == Arith::FMod) {
      const T* data = b.data<T>();
      for (int64_t i = 0; i < b.num_elements(); ++i)
        FLOWONNX_REQUIRE(data[i] != 0, "{}: integer division by zero (divisor {})", arith_name(op),
                         b.describe());
    }
  }
}

// Pow with an integer base and a floating exponent: ORT raises in double and converts back
// (Pow(int32 4, 0.5) == 2), so the exponent is not truncated first.
void run_integer_pow_float_exponent(KernelContext& ctx, const Tensor& a, const Tensor& b) {
  Tensor exponent = b.to(DType::Float64);
  visit_numeric("Pow", a, [&](auto zero) {
    using T = decltype(zero);
    if constexpr (std::is_integral_v<T>) {
      broadcast_binary<T, T>(ctx, a, exponent, a.dtype(), "Pow", [](T x, double y) {
        return integer_math::float_to_integer<T>(std::pow(static_cast<double>(x), y));
      }, static_cast<const double*>(nullptr));
    }
  });
}

void run_arith(KernelContext& ctx, Arith op, const Tensor& a, Tensor b) {
  const char* name = arith_name(op);
  if (op == Arith::Pow && b.dtype() != a.dtype()) {
    if (!is_floating(a.dtype()) && is_floating(b.dtype()))
      return run_integer_pow_float_exponent(ctx, a, b);
    b = b.to(a.dtype());  // exponent in x's type
  }
  require_same_dtype(name, a, b);
  bool fast = (op == Arith::Add || op == Arith::Sub || op == Arith::Mul || op == Arith::Div) &&
              (a.dtype() == DType::Float32 || a.dtype() == DType::Float64 ||
               a.dtype() == DType::Int32 || a.dtype() == DType::Int64);
  if (fast) {
    static const kernels::BinaryOp ops[] = {kernels::BinaryOp::Add, kernels::BinaryOp::Sub,
                                            kernels::BinaryOp::Mul, kernels::BinaryOp::Div};
    Shape shape = kernels::broadcast_shapes(a.shape(), b.shape(), name);
    kernels::binary(ops[static_cast<int>(op)], a, b, ctx.allocate_output(0, shape, a.dtype()));
    return;
  }
  visit_numeric(name, a, [&](auto zero) {
    using T = decltype(zero);
    check_arith_operands<T>(op, b);
    broadcast_binary<T, T>(ctx, a, b, a.dtype(), name, [op](T x, T y) { return apply_arith(op, x, y); });
  });
}

template <Arith Op>
ComputeFn make_arith(const KernelInit& init) {
  Arith op = Op;
  if (Op == Arith::Mod && init.attr_int("fmod", 0) != 0) op = Arith::FMod;
  if (Op == Arith::BitShiftLeft) {
    std::string direction = init.attr_string("direction", "");
    if (direction == "RIGHT") op = Arith::BitShiftRight;
    else if (direction != "LEFT") init.fail_model("direction must be LEFT or RIGHT");
  }
  return [op](KernelContext& ctx) { run_arith(ctx, op, ctx.input(0), ctx.input(1)); };
}

// ---- comparisons and logic ---------------------------------------------------------------

enum class Compare { Equal, Less, Greater, LessOrEqual, GreaterOrEqual };

template <Compare Op>
ComputeFn make_compare(const KernelInit&) {
  return [](KernelContext& ctx) {
    const Tensor& a = ctx.input(0);
    const Tensor& b = ctx.input(1);
    require_same_dtype("comparison", a, b);
    visit_dtype(a.dtype(), [&](auto zero) {
      using T = decltype(zero);
      if constexpr (std::is_same_v<T, Float16>) {
        fail(ErrorCode::InvalidArgument, "comparison: float16 inputs are not supported");
      } else {
        broadcast_binary<T, bool>(ctx, a, b, DType::Bool, "comparison", [](T x, T y) {
          switch (Op) {
            case Compare::Equal: return x == y;
            case Compare::Less: return x < y;
            case Compare::Greater: return x > y;
            case Compare::LessOrEqual: return x <= y;
            case Compare::GreaterOrEqual: return x >= y;
          }
          return false;
        });
      }
    });
  };
}

enum class Logic { And, Or, Xor };

template <Logic Op>
ComputeFn make_logic(const KernelInit&) {
  return [](KernelContext& ctx) {
    const Tensor& a = ctx.input(0);
    const Tensor& b = ctx.input(1);
    FLOWONNX_REQUIRE(a.dtype() == DType::Bool && b.dtype() == DType::Bool,
                     "logical op: inputs must be bool, got {} and {}", a.describe(), b.describe());
    broadcast_binary<bool, bool>(ctx, a, b, DType::Bool, "logical op", [](bool x, bool y) {
      return Op == Logic::And ? (x && y) : Op == Logic::Or ? (x || y) : (x != y);
    });
  };
}

// ---- variadic, Where, PRelu, Clip --------------------------------------------------------

enum class Variadic { Max, Min, Sum, Mean };

template <Variadic Op>
ComputeFn make_variadic(const KernelInit&) {
  return [](KernelContext& ctx) {
    FLOWONNX_REQUIRE(ctx.num_inputs() >= 1, "needs at least one input");
    Tensor acc = ctx.input(0);
    for (size_t k = 1; k < ctx.num_inputs(); ++k) {
      const Tensor& next = ctx.input(k);
      require_same_dtype("variadic op", acc, next);
      visit_numeric("variadic op", acc, [&](auto zero) {
        using T = decltype(zero);
        Shape shape = kernels::broadcast_all({acc.shape(), next.shape()}, "variadic op");
        Tensor out(shape, acc.dtype());
        const T* pa = acc.data<T>();
        const T* pb = next.data<T>();
        T* py = out.data<T>();
        for_each_broadcast<2>(shape, {acc.shape(), next.shape()},
                              [&](int64_t i, const std::array<int64_t, 2>& at) {
          T x = pa[at[0]], y = pb[at[1]];
          if constexpr (Op == Variadic::Max) py[i] = (std::isnan(double(x)) || x > y) ? x : y;
          else if constexpr (Op == Variadic::Min) py[i] = (std::isnan(double(x)) || x < y) ? x : y;
          else if constexpr (std::is_integral_v<T>) py[i] = integer_math::add(x, y);
          else py[i] = T(x + y);
        });
        acc = out;
      });
    }
    Tensor& y = ctx.allocate_output(0, acc.shape(), acc.dtype());
    if (Op == Variadic::Mean) {
      visit_numeric("Mean", acc, [&](auto zero) {
        using T = decltype(zero);
        const T* in = acc.data<T>();
        T* out = y.data<T>();
        T n = static_cast<T>(ctx.num_inputs());
        for (int64_t i = 0; i < acc.num_elements(); ++i) out[i] = in[i] / n;
      });
    } else {
      std::memcpy(y.raw_data(), acc.raw_data(), acc.nbytes());
    }
  };
}

ComputeFn make_where(const KernelInit&) {
  return [](KernelContext& ctx) {
    const Tensor& c = ctx.input(0);
    const Tensor& a = ctx.input(1);
    const Tensor& b = ctx.input(2);
    FLOWONNX_REQUIRE(c.dtype() == DType::Bool, "Where: condition must be bool, got {}", c.describe());
    require_same_dtype("Where", a, b);
    Shape shape = kernels::broadcast_all({c.shape(), a.shape(), b.shape()}, "Where");
    Tensor& y = ctx.allocate_output(0, shape, a.dtype());
    visit_dtype(a.dtype(), [&](auto zero) {
      using T = decltype(zero);
      const bool* pc = c.data<bool>();
      const T* pa = a.data<T>();
      const T* pb = b.data<T>();
      T* py = y.data<T>();
      for_each_broadcast<3>(shape, {c.shape(), a.shape(), b.shape()},
                            [&](int64_t i, const std::array<int64_t, 3>& at) {
                              py[i] = pc[at[0]] ? pa[at[1]] : pb[at[2]];
                            });
    });
  };
}

ComputeFn make_prelu(const KernelInit&) {
  return [](KernelContext& ctx) {
    const Tensor& x = ctx.input(0);
    const Tensor& slope = ctx.input(1);
    require_same_dtype("PRelu", x, slope);
    visit_numeric("PRelu", x, [&](auto zero) {
      using T = decltype(zero);
      broadcast_binary<T, T>(ctx, x, slope, x.dtype(), "PRelu",
                             [](T v, T s) {
                               if constexpr (std::is_integral_v<T>) return v < 0 ? integer_math::mul(s, v) : v;
                               else return v < 0 ? T(s * v) : v;
                             });
    });
  };
}

ComputeFn make_clip(const KernelInit&) {
  return [](KernelContext& ctx) {
    const Tensor& x = ctx.input(0);
    Tensor& y = ctx.allocate_output(0, x.shape(), x.dtype());
    visit_numeric("Clip", x, [&](auto zero) {
      using T = decltype(zero);
      T low = std::numeric_limits<T>::lowest(), high = std::numeric_limits<T>::max();
      auto bound = [&](size_t i, T& value) {
        if (!ctx.has_input(i)) return;
        const Tensor& t = ctx.input(i);
        FLOWONNX_REQUIRE(t.num_elements() == 1 && t.dtype() == x.dtype(),
                         "Clip: min/max must be a scalar of the input's dtype, got {}", t.describe());
        value = t.data<T>()[0];
      };
      bound(1, low);
      bound(2, high);
      const T* in = x.data<T>();
      T* out = y.data<T>();
      int64_t count = x.num_elements();
      const int threads = kernels::threads_for(count);
#pragma omp parallel for num_threads(threads) if (threads > 1)
      // Not std::min(high, std::max(low, v)): that made Clip(NaN) the lowest float; NaN stays NaN
      // as in ONNX Runtime. With low > high every value becomes high, as there.
      for (int64_t i = 0; i < count; ++i) {
        T v = in[i] < low ? low : in[i];
        out[i] = v > high ? high : v;
      }
    });
  };
}

}  // namespace

void register_elementwise_kernels(KernelRegistry& r) {
  r.add("", "Relu", make_unary<MathOp::Relu>, rules::same_as_input());
  r.add("", "Abs", make_unary<MathOp::Abs>, rules::same_as_input());
  r.add("", "Neg", make_unary<MathOp::Neg>, rules::same_as_input());
  r.add("", "Sign", make_unary<MathOp::Sign>, rules::same_as_input());
  r.add("", "Exp", make_unary<MathOp::Exp>, rules::same_as_input());
  r.add("", "Log", make_unary<MathOp::Log>, rules::same_as_input());
  r.add("", "Sqrt", make_unary<MathOp::Sqrt>, rules::same_as_input());
  r.add("", "Reciprocal", make_unary<MathOp::Reciprocal>, rules::same_as_input());
  r.add("", "Floor", make_unary<MathOp::Floor>, rules::same_as_input());
  r.add("", "Ceil", make_unary<MathOp::Ceil>, rules::same_as_input());
  r.add("", "Round", make_unary<MathOp::Round>, rules::same_as_input());
  r.add("", "Erf", make_unary<MathOp::Erf>, rules::same_as_input());
  r.add("", "Tanh", make_unary<MathOp::Tanh>, rules::same_as_input());
  r.add("", "Sigmoid", make_unary<MathOp::Sigmoid>, rules::same_as_input());
  r.add("", "Sin", make_unary<MathOp::Sin>, rules::same_as_input());
  r.add("", "Cos", make_unary<MathOp::Cos>, rules::same_as_input());
  r.add("", "Tan", make_unary<MathOp::Tan>, rules::same_as_input());
  r.add("", "Asin", make_unary<MathOp::Asin>, rules::same_as_input());
  r.add("", "Acos", make_unary<MathOp::Acos>, rules::same_as_input());
  r.add("", "Atan", make_unary<MathOp::Atan>, rules::same_as_input());
  r.add("", "Sinh", make_unary<MathOp::Sinh>, rules::same_as_input());
  r.add("", "Cosh", make_unary<MathOp::Cosh>, rules::same_as_input());
  r.add("", "Asinh", make_unary<MathOp::Asinh>, rules::same_as_input());
  r.add("", "Acosh", make_unary<MathOp::Acosh>, rules::same_as_input());
  r.add("", "Atanh", make_unary<MathOp::Atanh>, rules::same_as_input());
  r.add("", "Softplus", make_unary<MathOp::Softplus>, rules::same_as_input());
  r.add("", "Softsign", make_unary<MathOp::Softsign>, rules::same_as_input());
  r.add("", "LeakyRelu", make_unary<MathOp::LeakyRelu>, rules::same_as_input());
  r.add("", "HardSigmoid", make_unary<MathOp::HardSigmoid>, rules::same_as_input());
  r.add("", "HardSwish", make_unary<MathOp::HardSwish>, rules::same_as_input());
  r.add("", "Elu", make_unary<MathOp::Elu>, rules::same_as_input());
  r.add("", "Selu", make_unary<MathOp::Selu>, rules::same_as_input());
  r.add("", "Celu", make_unary<MathOp::Celu>, rules::same_as_input());
  r.add("", "ThresholdedRelu", make_unary<MathOp::ThresholdedRelu>, rules::same_as_input());
  r.add("", "Shrink", make_unary<MathOp::Shrink>, rules::same_as_input());
  r.add("", "Gelu", with_float16<make_gelu>, rules::same_as_input());
  r.add("", "Mish", with_float16<make_unary<MathOp::Mish>>, rules::same_as_input());
  r.add("", "Swish", with_float16<make_unary<MathOp::Swish>>, rules::same_as_input());
  r.add("", "Not", make_not, rules::elementwise_as(DType::Bool));
  r.add("", "IsNaN", with_float16<make_is_special<true>>, rules::elementwise_as(DType::Bool));
  r.add("", "IsInf", with_float16<make_is_special<false>>, rules::elementwise_as(DType::Bool));
  r.add("", "Add", with_float16<make_arith<Arith::Add>>, rules::broadcast());
  r.add("", "Sub", with_float16<make_arith<Arith::Sub>>, rules::broadcast());
  r.add("", "Mul", with_float16<make_arith<Arith::Mul>>, rules::broadcast());
  r.add("", "Div", with_float16<make_arith<Arith::Div>>, rules::broadcast());
  r.add("", "Pow", make_arith<Arith::Pow>, rules::broadcast());
  r.add("", "Mod", with_float16<make_arith<Arith::Mod>>, rules::broadcast());
  r.add("", "BitShift", make_arith<Arith::BitShiftLeft>, rules::broadcast());
  r.add("", "Equal", make_compare<Compare::Equal>, rules::broadcast_as(DType::Bool));
  r.add("", "Less", make_compare<Compare::Less>, rules::broadcast_as(DType::Bool));
  r.add("", "Greater", make_compare<Compare::Greater>, rules::broadcast_as(DType::Bool));
  r.add("", "LessOrEqual", make_compare<Compare::LessOrEqual>, rules::broadcast_as(DType::Bool));
  r.add("", "GreaterOrEqual", make_compare<Compare::GreaterOrEqual>, rules::broadcast_as(DType::Bool));
  r.add("", "And", make_logic<Logic::And>, rules::broadcast_as(DType::Bool));
  r.add("", "Or", make_logic<Logic::Or>, rules::broadcast_as(DType::Bool));
  r.add("", "Xor", make_logic<Logic::Xor>, rules::broadcast_as(DType::Bool));
  r.add("", "Max", with_float16<make_variadic<Variadic::Max>>, rules::broadcast());
  r.add("", "Min", with_float16<make_variadic<Variadic::Min>>, rules::broadcast());
  r.add("", "Sum", make_variadic<Variadic::Sum>, rules::broadcast());
  r.add("", "Mean", make_variadic<Variadic::Mean>, rules::broadcast());
  r.add("", "Where", make_where, rules::broadcast(/*dtype_input=*/1));
  r.add("", "PRelu", make_prelu, rules::same_as_input());
  r.add("", "Clip", make_clip, rules::same_as_input());
}

}  // namespace flowonnx::runtime::cpu
