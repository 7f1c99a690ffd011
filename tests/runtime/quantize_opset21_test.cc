// QuantizeLinear / DequantizeLinear of opset 21 against ONNX Runtime: blocked scales (block_size
// along any axis, a ragged last block), 16-bit integer types, output_dtype without a zero
// point, and QLinearMatMul with float16 scales; wrong scale shapes and unsupported types must
// fail naming the node.
#include <gtest/gtest.h>

#include "runtime/ort_check.h"

namespace flowonnx {
namespace {

using namespace flowonnx::testing;  // NOLINT: the test helpers

// Random values of an integer dtype within [lo, hi].
Tensor random_typed(const Shape& shape, int64_t lo, int64_t hi, DType dtype) {
  return random_ints(shape, lo, hi).to(dtype);
}

std::pair<int64_t, int64_t> range_of(DType dtype) {
  switch (dtype) {
    case DType::UInt8: return {0, 255};
    case DType::Int8: return {-128, 127};
    case DType::UInt16: return {0, 65535};
    default: return {-32768, 32767};
  }
}

TEST(QuantizeOpset21, BlockedAndSixteenBitMatchOnnxRuntime) {
  for (DType q : {DType::UInt8, DType::Int8, DType::UInt16, DType::Int16}) {
    const auto [lo, hi] = range_of(q);
    for (int trial = 0; trial < 3; ++trial) {
      const Shape shape = {uniform_int(1, 3), uniform_int(2, 7), uniform_int(1, 4)};
      const int64_t axis = uniform_int(0, 2), block = uniform_int(1, 3);
      Shape scale_shape = shape;
      scale_shape[axis] = (shape[axis] + block - 1) / block;  // ragged last block when not exact
      const double magnitude = q == DType::UInt16 || q == DType::Int16 ? 0.02 : 2.0;  // saturates too
      GraphBuilder g(21);
      g.input("x", DType::Float32, shape)
          .input("q", q, shape)
          .initializer("scale", rand_uniform(scale_shape, 0.001 * magnitude, 0.02 * magnitude))
          .initializer("zp", random_typed(scale_shape, lo / 4, hi / 4, q))
          .initializer("tensor_scale", Tensor::scalar<float>(0.37f))
          .initializer("tensor_zp", random_typed({}, lo / 2, hi / 2, q))
          .node("QuantizeLinear", {"x", "scale", "zp"}, {"blocked"},
                {{"axis", axis}, {"block_size", block}})
          .node("DequantizeLinear", {"q", "scale", "zp"}, {"deq_blocked"},
                {{"axis", axis}, {"block_size", block}})
          .node("QuantizeLinear", {"x", "tensor_scale", "tensor_zp"}, {"per_tensor"})
          .node("DequantizeLinear", {"q", "tensor_scale", "tensor_zp"}, {"deq_per_tensor"})
          .node("QuantizeLinear", {"x", "scale"}, {"symmetric"},
                {{"axis", axis}, {"block_size", block}, {"output_dtype", int64_t{onnx_io::dtype_to_onnx(q)}}})
          .output("blocked")
          .output("deq_blocked")
          .output("per_tensor")
          .output("deq_per_tensor")
          .output("symmetric");
      // x reaches past the quantized range, so saturation is exercised at both ends.
      expect_same_as_onnxruntime(
          g.build(), "quantize21_" + std::string(dtype_name(q)) + std::to_string(trial),
          {{{"x", randn(shape).to(DType::Float32)}, {"q", random_typed(shape, lo, hi, q)}}}, 1e-6,
          0);
    }
  }
}

TEST(QuantizeOpset21, QLinearMatMulWithFloat16ScalesMatchesOnnxRuntime) {
  for (DType q : {DType::UInt8, DType::Int8}) {
    const auto [lo, hi] = range_of(q);
    const Shape a_shape = {2, uniform_int(1, 5), uniform_int(2, 6)};
    const Shape b_shape = {2, a_shape[2], uniform_int(1, 5)};
    GraphBuilder g(21);
    g.input("a", q, a_shape)
        .input("b", q, b_shape)
        .initializer("a_scale", Tensor::scalar<float>(0.05f).to(DType::Float16))
        .initializer("b_scale", Tensor::scalar<float>(0.03f).to(DType::Float16))
        .initializer("y_scale", Tensor::scalar<float>(0.7f).to(DType::Float16))
        .initializer("a_zp", random_typed({}, lo / 2, hi / 2, q))
        .initializer("b_zp", random_typed({}, lo / 2, hi / 2, q))
        .initializer("y_zp", random_typed({}, lo / 2, hi / 2, q))
        .node("QLinearMatMul", {"a", "a_scale", "a_zp", "b", "b_scale", "b_zp", "y_scale", "y_zp"},
              {"y"})
        .output("y");
    expect_same_as_onnxruntime(g.build(), "qlinearmatmul_f16_" + std::string(dtype_name(q)),
                               {{{"a", random_typed(a_shape, lo, hi, q)},
                                 {"b", random_typed(b_shape, lo, hi, q)}}},
                               0, 0);
  }
}

TEST(QuantizeOpset21, HostileInputs) {
  auto model = [](const Tensor& scale, ir::Attributes attrs) {
    GraphBuilder g(21);
    g.input("x", DType::Float32, std::vector<ir::Dim>(2))
        .initializer("scale", scale)
        .node("QuantizeLinear", {"x", "scale"}, {"y"}, std::move(attrs))
        .output("y");
    return g.build();
  };
  // [3, 4] with blocks of 2 along axis 1 needs a [3, 2] scale.
  expect_error_mentions(run_error(model(rand_uniform({3, 3}, 0.1, 1.0),
                                        {{"axis", int64_t{1}}, {"block_size", int64_t{2}}}),
                                  {{"x", randn({3, 4})}}),
                        {"QuantizeLinear", "block_size 2", "[3,2]"});
  expect_error_mentions(run_error(model(Tensor::scalar<float>(0.5f), {{"output_dtype", int64_t{22}}}),
                                  {{"x", randn({3, 4})}}),
                        {"QuantizeLinear", "output_dtype 22"});
  expect_error_mentions(run_error(model(Tensor::scalar<float>(0.5f), {{"block_size", int64_t{-1}}}),
                                  {{"x", randn({3, 4})}}),
                        {"QuantizeLinear", "block_size"});
}

}  // namespace
}  // namespace flowonnx
