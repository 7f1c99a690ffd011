// Export of the math family against eager mode and ONNX Runtime (one case per op), plus the
// table-driven test body shared by the array and reduce families (op_export_case.h).
#include <algorithm>
#include <cmath>
#include <filesystem>
#include <functional>
#include <map>
#include <numbers>
#include <set>

#include "export/op_export_case.h"
#include "flow/dispatch.h"
#include "flow/functional.h"
#include "flow/nn/graph.h"
#include "flow/op_registry.h"
#include "onnx/export/handler_registry.h"
#include "oracle/ort_oracle.h"
#include "tensor/random.h"
#include "verify/export.h"

namespace flowonnx::testing {

Tensor elementwise_reference(const std::vector<Tensor>& inputs, DType dtype,
                             const std::function<double(const std::vector<double>&)>& fn) {
  size_t rank = 0;
  for (const Tensor& t : inputs) rank = std::max(rank, t.shape().size());
  Shape out(rank, 1);
  for (const Tensor& t : inputs)
    for (size_t d = 0; d < t.shape().size(); ++d) {
      int64_t dim = t.shape()[d];
      int64_t& o = out[rank - t.shape().size() + d];
      if (dim != 1) o = dim;
    }
  std::vector<std::vector<double>> values;
  for (const Tensor& t : inputs) values.push_back(t.to_double_vector());
  std::vector<double> result(num_elements(out));
  for (size_t i = 0; i < result.size(); ++i) {
    std::vector<int64_t> index(rank);
    for (size_t d = rank, rest = i; d-- > 0;) index[d] = rest % out[d], rest /= out[d];
    std::vector<double> args;
    for (size_t k = 0; k < inputs.size(); ++k) {
      const Shape& s = inputs[k].shape();
      size_t offset = 0;
      for (size_t d = 0; d < s.size(); ++d)
        offset = offset * s[d] + (s[d] == 1 ? 0 : index[rank - s.size() + d]);
      args.push_back(values[k][offset]);
    }
    result[i] = fn(args);
  }
  return Tensor::from_vector<double>(out, result).to(dtype);
}

namespace {

namespace fs = std::filesystem;

class CaseGraph : public nn::Graph {
 public:
  explicit CaseGraph(BuildFn build) : nn::Graph("OpExportGraph"), build_(std::move(build)) {}
  std::vector<Tensor> build(const std::vector<Tensor>& inputs) override { return build_(inputs); }

 private:
  BuildFn build_;
};

Tensor random_input(const InputSpec& spec, Generator& gen) {
  if (is_floating(spec.dtype)) return rand_uniform(spec.shape, spec.low, spec.high, gen, spec.dtype);
  Tensor values = rand_uniform(spec.shape, spec.dtype == DType::Bool ? 0 : spec.low,
                               spec.dtype == DType::Bool ? 2 : spec.high, gen, DType::Float64);
  std::vector<double> floored = values.to_double_vector();
  for (double& v : floored) v = std::floor(v);
  return Tensor::from_vector<double>(spec.shape, floored).to(spec.dtype);
}

// The opsets a case is exported at: the first opset of each declared mapping, and 17.
// (From the case's min_opset on.)
std::vector<int> opsets_to_test(const exporter::HandlerEntry& entry, int min_opset) {
  std::set<int> opsets{kMaxOpset};
  for (const exporter::OpsetMapping& mapping : entry.mappings)
    opsets.insert(std::max({mapping.since, kMinOpset, min_opset}));
  return {opsets.begin(), opsets.end()};
}

TEST_P(OpExportTest, MatchesEagerAndOnnxRuntime) {
  const OpExportCase& c = GetParam();
  ASSERT_TRUE(onnxruntime_available()) << onnxruntime_missing_message();
  Generator gen(std::hash<std::string>{}(c.op));
  std::vector<Tensor> inputs;
  for (const InputSpec& spec : c.inputs) inputs.push_back(random_input(spec, gen));

  CaseGraph graph(c.build);
  graph.compile(inputs);
  const auto& nodes = graph.ir_graph().nodes();
  ASSERT_TRUE(std::any_of(nodes.begin(), nodes.end(), [&](const auto& node) { return node->op_type == c.op; }))
      << "the case does not trace op " << c.op;

  std::vector<Tensor> eager = c.build(inputs);
  if (c.reference) {
    std::vector<Tensor> expected = c.reference(inputs);
    ASSERT_EQ(eager.size(), expected.size());
    for (size_t i = 0; i < eager.size(); ++i) {
      CompareResult result = compare_tensors(eager[i], expected[i], c.reference_tolerance, c.reference_tolerance);
      EXPECT_TRUE(result.ok()) << "eager vs reference, output " << i << ": " << result;
    }
  }

  const exporter::HandlerEntry* entry = exporter::HandlerRegistry::global().entry(c.op);
  ASSERT_NE(entry, nullptr) << c.op;
  ASSERT_FALSE(entry->mappings.empty()) << c.op;
  int first = std::max(entry->mappings.front().since, c.min_opset);
  if (first > kMinOpset) {
    ExportOptions options;
    options.opset = first - 1;
    EXPECT_THROW(convert_to_onnx(graph, options), Error) << c.op << " must be refused at opset " << first - 1;
  }

  fs::path dir = fs::temp_directory_path() /
                 ("flowonnx_op_export_" + std::to_string(::getpid()) + "_" + c.op + "_" + c.variant);
  for (int opset : opsets_to_test(*entry, c.min_opset)) {
    SCOPED_TRACE("opset " + std::to_string(opset));
    fs::remove_all(dir);
    ExportOptions options;
    options.opset = opset;
    options.onnx_model_path = dir.string();
    fs::path path;
    ASSERT_NO_THROW(path = export_onnx_model(graph, options));
    ASSERT_NO_THROW(onnx_io::check_model_with_onnx(path));
    std::vector<std::pair<std::string, Tensor>> feeds;
    for (size_t i = 0; i < inputs.size(); ++i) feeds.emplace_back(graph.ir_graph().inputs[i], inputs[i]);
    std::vector<Tensor> got = run_onnxruntime(path, feeds);
    ASSERT_EQ(got.size(), eager.size());
    for (size_t i = 0; i < got.size(); ++i) {
      CompareResult result = compare_tensors(got[i], eager[i], 1e-4, 1e-5);
      EXPECT_TRUE(result.ok()) << "ONNX Runtime vs eager, output " << i << ": " << result;
    }
  }
  fs::remove_all(dir);
}

using Values = std::vector<double>;

// A case running `op` through call_op with `attrs` on all inputs.
BuildFn call(const std::string& op, ir::Attributes attrs = {}) {
  return [op, attrs](const std::vector<Tensor>& in) { return flow::call_op(op, in, attrs); };
}

BuildFn reference(DType dtype, std::function<double(const Values&)> fn) {
  return [dtype, fn](const std::vector<Tensor>& in) { return std::vector<Tensor>{elementwise_reference(in, dtype, fn)}; };
}

double sigmoid(double x) { return 1 / (1 + std::exp(-x)); }

OpExportCase unary(const std::string& op, double (*fn)(double), double low = -2, double high = 2,
                   ir::Attributes attrs = {}) {
  return {op, {{{2, 3, 5}, DType::Float32, low, high}}, call(op, attrs),
          reference(DType::Float32, [fn](const Values& v) { return fn(v[0]); })};
}

OpExportCase binary(const std::string& op, double (*fn)(double, double), DType result = DType::Float32,
                    Shape y_shape = {3, 1}, double low = -2, double high = 2) {
  return {op, {{{2, 3, 4}, DType::Float32, low, high}, {y_shape, DType::Float32, low, high}}, call(op),
          reference(result, [fn](const Values& v) { return fn(v[0], v[1]); })};
}

ir::Attributes float_operand(double value) {
  return {{"has_float_operand", int64_t{1}}, {"has_int_operand", int64_t{0}}, {"float_operand", value}};
}


Tensor naive_matmul(const Tensor& a, const Tensor& b, bool transpose_b, double alpha) {
  // a [.., M, K] . b [.., K, N] (or b [.., N, K] transposed), same batch dims.
  int64_t m = a.dim(-2), k = a.dim(-1), n = transpose_b ? b.dim(-2) : b.dim(-1);
  int64_t batch = a.num_elements() / (m * k);
  Shape out = a.shape();
  out.back() = n;
  std::vector<double> x = a.to_double_vector(), y = b.to_double_vector(), z(batch * m * n, 0.0);
  for (int64_t p = 0; p < batch; ++p)
    for (int64_t i = 0; i < m; ++i)
      for (int64_t j = 0; j < n; ++j) {
        double sum = 0;
        for (int64_t t = 0; t < k; ++t)
          sum += x[(p * m + i) * k + t] * (transpose_b ? y[(p * n + j) * k + t] : y[(p * k + t) * n + j]);
        z[(p * m + i) * n + j] = alpha * sum;
      }
  return Tensor::from_vector<double>(out, z).to(DType::Float32);
}

Tensor naive_softmax_last(const Tensor& x) {
  std::vector<double> v = x.to_double_vector();
  int64_t n = x.dim(-1);
  for (size_t row = 0; row < v.size(); row += n) {
    double top = *std::max_element(v.begin() + row, v.begin() + row + n), sum = 0;
    for (int64_t j = 0; j < n; ++j) sum += v[row + j] = std::exp(v[row + j] - top);
    for (int64_t j = 0; j < n; ++j) v[row + j] /= sum;
  }
  return Tensor::from_vector<double>(x.shape(), v).to(DType::Float32);
}

ir::Attributes matmul_attrs(bool transpose_b, double alpha) {
  return {{"transpose_a", int64_t{0}}, {"transpose_b", int64_t{transpose_b}}, {"alpha", alpha}};
}

std::vector<OpExportCase> structured_math_cases() {
  std::vector<OpExportCase> cases;
  cases.push_back({"add_n", {{{2, 3}}, {{2, 3}}, {{2, 3}}}, call("add_n"),
                   reference(DType::Float32, [](const Values& v) { return v[0] + v[1] + v[2]; })});
  cases.push_back({"bias_add", {{{2, 3, 4}}, {{3}}}, call("bias_add", {{"axis", int64_t{1}}}),
                   [](const std::vector<Tensor>& in) {
                     return std::vector<Tensor>{elementwise_reference({in[0], in[1].reshape({3, 1})}, DType::Float32,
                                                                      [](const Values& v) { return v[0] + v[1]; })};
                   }});
  cases.push_back({"matmul", {{{3, 4}}, {{5, 4}}}, call("matmul", matmul_attrs(true, 0.5)),
                   [](const std::vector<Tensor>& in) { return std::vector<Tensor>{naive_matmul(in[0], in[1], true, 0.5)}; }});
  cases.push_back({"batch_matmul", {{{2, 3, 4}}, {{2, 4, 5}}}, call("batch_matmul", matmul_attrs(false, 1.0)),
                   [](const std::vector<Tensor>& in) { return std::vector<Tensor>{naive_matmul(in[0], in[1], false, 1.0)}; }});
  cases.push_back({"broadcast_matmul", {{{2, 3, 4}}, {{2, 5, 4}}}, call("broadcast_matmul", matmul_attrs(true, 2.0)),
                   [](const std::vector<Tensor>& in) { return std::vector<Tensor>{naive_matmul(in[0], in[1], true, 2.0)}; }});
  cases.push_back({"softmax", {{{2, 3, 4}}}, call("softmax", {{"axis", int64_t{-1}}}),
                   [](const std::vector<Tensor>& in) { return std::vector<Tensor>{naive_softmax_last(in[0])}; }});
  // arange has no inputs: it is added to x so the graph has one.
  cases.push_back({"arange", {{{2, 5}}},
                   [](const std::vector<Tensor>& in) {
                     return std::vector<Tensor>{functional::broadcast_add(in[0], functional::arange(1, 3.5, 0.5, DType::Float32))};
                   },
                   [](const std::vector<Tensor>& in) {
                     return std::vector<Tensor>{elementwise_reference(
                         {in[0], Tensor::from_vector<float>({5}, {1, 1.5, 2, 2.5, 3})}, DType::Float32,
                         [](const Values& v) { return v[0] + v[1]; })};
                   }});
  cases.push_back({"fused_bias_add_scale_mask_softmax_dropout",
                   {{{2, 3, 4}}, {{1, 3, 4}}, {{2, 1, 4}, DType::Bool}, {{2, 3, 4}, DType::Bool}},
                   call("fused_bias_add_scale_mask_softmax_dropout",
                        {{"scale_value", 0.5}, {"mask_fill_value", -100.0}, {"dropout_scale_value", 1.25}}),
                   [](const std::vector<Tensor>& in) {
                     Tensor masked = elementwise_reference({in[0], in[1], in[2]}, DType::Float32, [](const Values& v) {
                       return v[2] != 0 ? (v[0] + v[1]) * 0.5 : -100.0;
                     });
                     Tensor soft = naive_softmax_last(masked);
                     Tensor y = elementwise_reference({soft, in[3]}, DType::Float32,
                                                      [](const Values& v) { return v[0] * v[1] * 1.25; });
                     return std::vector<Tensor>{y, soft};
                   }});
  cases.push_back({"fused_self_attention_query_mul_key_and_value", {{{5, 2, 2 * 3 * 4}}},
                   call("fused_self_attention_query_mul_key_and_value", {{"head_size", int64_t{4}}, {"alpha", 0.5}}),
                   [](const std::vector<Tensor>& in) {
                     // hidden [s=5, b=2, (n=2, 3, h=4)] written out index by index.
                     std::vector<double> h = in[0].to_double_vector();
                     auto at = [&](int64_t s, int64_t b, int64_t n, int64_t part, int64_t k) {
                       return h[((s * 2 + b) * 2 + n) * 12 + part * 4 + k];
                     };
                     std::vector<double> qmk, value;
                     for (int64_t b = 0; b < 2; ++b)
                       for (int64_t n = 0; n < 2; ++n) {
                         for (int64_t i = 0; i < 5; ++i)
                           for (int64_t j = 0; j < 5; ++j) {
                             double sum = 0;
                             for (int64_t k = 0; k < 4; ++k) sum += at(i, b, n, 0, k) * at(j, b, n, 1, k);
                             qmk.push_back(0.5 * sum);
                           }
                         for (int64_t i = 0; i < 5; ++i)
                           for (int64_t k = 0; k < 4; ++k) value.push_back(at(i, b, n, 2, k));
                       }
                     return std::vector<Tensor>{Tensor::from_vector<double>({2, 2, 5, 5}, qmk).to(DType::Float32),
                                                Tensor::from_vector<double>({2, 2, 5, 4}, value).to(DType::Float32)};
                   }});
  return cases;
}

std::vector<OpExportCase> math_cases() {
  using std::numbers::pi;
  std::vector<OpExportCase> cases = {
      unary("relu", [](double x) { return std::max(x, 0.0); }),
      unary("abs", [](double x) { return std::fabs(x); }),
      unary("neg", [](double x) { return -x; }),
      unary("sign", [](double x) { return x > 0 ? 1.0 : (x < 0 ? -1.0 : 0.0); }),
      unary("square", [](double x) { return x * x; }),
      unary("ceil", [](double x) { return std::ceil(x); }, -5, 5),
      unary("floor", [](double x) { return std::floor(x); }, -5, 5),
      unary("round", [](double x) { return std::nearbyint(x); }, -5, 5),
      unary("exp", [](double x) { return std::exp(x); }),
      unary("log", [](double x) { return std::log(x); }, 0.1, 4),
      unary("sqrt", [](double x) { return std::sqrt(x); }, 0.1, 4),
      unary("rsqrt", [](double x) { return 1 / std::sqrt(x); }, 0.1, 4),
      unary("reciprocal", [](double x) { return 1 / x; }, 0.5, 4),
      unary("erf", [](double x) { return std::erf(x); }),
      unary("sigmoid", sigmoid),
      unary("sigmoid_v2", sigmoid),
      unary("tanh", [](double x) { return std::tanh(x); }),
      unary("sin", [](double x) { return std::sin(x); }),
      unary("cos", [](double x) { return std::cos(x); }),
      unary("tan", [](double x) { return std::tan(x); }, -1.2, 1.2),
      unary("asin", [](double x) { return std::asin(x); }, -0.9, 0.9),
      unary("acos", [](double x) { return std::acos(x); }, -0.9, 0.9),
      unary("atan", [](double x) { return std::atan(x); }),
      unary("sinh", [](double x) { return std::sinh(x); }),
      unary("cosh", [](double x) { return std::cosh(x); }),
      unary("asinh", [](double x) { return std::asinh(x); }),
      unary("acosh", [](double x) { return std::acosh(x); }, 1.1, 4),
      unary("atanh", [](double x) { return std::atanh(x); }, -0.9, 0.9),
      unary("silu", [](double x) { return x * sigmoid(x); }),
      unary("gelu", [](double x) { return x * 0.5 * std::erfc(-x / std::sqrt(2.0)); }),
      unary("fast_gelu", [](double x) {
        return 0.5 * x * (1 + std::tanh(std::sqrt(2 / pi) * (x + 0.044715 * std::pow(x, 3))));
      }),
      unary("quick_gelu", [](double x) { return x * sigmoid(1.702 * x); }),
      unary("hardsigmoid", [](double x) { return std::min(1.0, std::max(0.0, (x + 3) / 6)); }, -4, 4),
      unary("hardswish", [](double x) { return x * std::min(1.0, std::max(0.0, (x + 3) / 6)); }, -4, 4),
      unary("leaky_relu", [](double x) { return x > 0 ? x : 0.2 * x; }, -2, 2, {{"alpha", 0.2}}),
      unary("elu", [](double x) { return x > 0 ? x : 0.5 * (std::exp(x) - 1); }, -2, 2, {{"alpha", 0.5}}),
      unary("softplus", [](double x) { return std::log(1 + std::exp(2 * x)) / 2; }, -3, 3, {{"beta", 2.0}}),
      unary("hardtanh", [](double x) { return std::clamp(x, -0.5, 1.5); }, -3, 3, {{"min_val", -0.5}, {"max_val", 1.5}}),
      unary("clip_by_scalar", [](double x) { return std::clamp(x, -1.0, 0.5); }, -3, 3,
            {{"floating_min", -1.0}, {"floating_max", 0.5}}),
      unary("clip_by_scalar_min", [](double x) { return std::max(x, -0.25); }, -3, 3, {{"floating_min", -0.25}}),
      unary("clip_by_scalar_max", [](double x) { return std::min(x, 0.75); }, -3, 3, {{"floating_max", 0.75}}),
      unary("scalar_add", [](double x) { return x + 2.5; }, -2, 2, float_operand(2.5)),
      unary("scalar_mul", [](double x) { return x * -3.0; }, -2, 2,
            {{"has_int_operand", int64_t{1}}, {"has_float_operand", int64_t{0}}, {"int_operand", int64_t{-3}}}),
      unary("scalar_div", [](double x) { return x / 0.75; }, -2, 2, float_operand(0.75)),
      unary("scalar_pow", [](double x) { return std::pow(x, 1.5); }, 0.1, 3, float_operand(1.5)),
      unary("fill_", [](double) { return 4.0; }, -2, 2,
            {{"is_floating_value", int64_t{0}}, {"integral_value", int64_t{4}}}),
      binary("broadcast_add", [](double a, double b) { return a + b; }),
      binary("broadcast_sub", [](double a, double b) { return a - b; }),
      binary("broadcast_mul", [](double a, double b) { return a * b; }),
      binary("broadcast_div", [](double a, double b) { return a / b; }, DType::Float32, {3, 1}, 0.5, 2),
      binary("multiply", [](double a, double b) { return a * b; }, DType::Float32, {2, 3, 4}),
      binary("scalar_add_by_tensor", [](double a, double b) { return a + b; }, DType::Float32, {1}),
      binary("scalar_sub_by_tensor", [](double a, double b) { return a - b; }, DType::Float32, {1}),
      binary("scalar_mul_by_tensor", [](double a, double b) { return a * b; }, DType::Float32, {1}),
      binary("scalar_div_by_tensor", [](double a, double b) { return a / b; }, DType::Float32, {1}, 0.5, 2),
      binary("broadcast_minimum", [](double a, double b) { return std::min(a, b); }),
      binary("broadcast_maximum", [](double a, double b) { return std::max(a, b); }),
      binary("elementwise_minimum", [](double a, double b) { return std::min(a, b); }, DType::Float32, {2, 3, 4}),
      binary("elementwise_maximum", [](double a, double b) { return std::max(a, b); }, DType::Float32, {2, 3, 4}),
      binary("squared_difference", [](double a, double b) { return (a - b) * (a - b); }),
      binary("broadcast_floor_mod", [](double a, double b) { return a - std::floor(a / b) * b; }, DType::Float32,
             {4}, 0.5, 3),
      binary("broadcast_greater", [](double a, double b) { return double(a > b); }, DType::Bool),
      binary("broadcast_less", [](double a, double b) { return double(a < b); }, DType::Bool),
      binary("broadcast_greater_equal", [](double a, double b) { return double(a >= b); }, DType::Bool),
      binary("broadcast_less_equal", [](double a, double b) { return double(a <= b); }, DType::Bool),
  };
  // Comparisons that need equal values to be meaningful: small integers stored as floats.
  for (auto [op, fn] : std::vector<std::pair<std::string, double (*)(double, double)>>{
           {"broadcast_equal", [](double a, double b) { return double(a == b); }},
           {"broadcast_not_equal", [](double a, double b) { return double(a != b); }}}) {
    cases.push_back({op, {{{2, 3, 4}, DType::Float32, -2, 2}, {{3, 1}, DType::Float32, -2, 2}}, call(op),
                     reference(DType::Bool, [fn](const Values& v) { return fn(std::floor(v[0]), std::floor(v[1])); })});
    cases.back().build = [op](const std::vector<Tensor>& in) {
      return flow::call_op(op, {functional::floor(in[0]), functional::floor(in[1])});
    };
  }
  for (auto [op, fn] : std::vector<std::pair<std::string, double (*)(double, double)>>{
           {"broadcast_logical_and", [](double a, double b) { return double(a != 0 && b != 0); }},
           {"broadcast_logical_or", [](double a, double b) { return double(a != 0 || b != 0); }}})
    cases.push_back({op, {{{2, 3, 4}, DType::Bool}, {{4}, DType::Int64, 0, 2}}, call(op),
                     reference(DType::Bool, [fn](const Values& v) { return fn(v[0], v[1]); })});
  cases.push_back({"logical_not", {{{3, 4}, DType::Int32, -1, 2}}, call("logical_not"),
                   reference(DType::Bool, [](const Values& v) { return double(v[0] == 0); })});
  cases.push_back({"scalar_logical_less", {{{3, 4}}}, call("scalar_logical_less", float_operand(0.25)),
                   reference(DType::Bool, [](const Values& v) { return double(v[0] < 0.25); })});
  cases.push_back({"scalar_logical_greater", {{{3, 4}}}, call("scalar_logical_greater", float_operand(-0.5)),
                   reference(DType::Bool, [](const Values& v) { return double(v[0] > -0.5); })});
  cases.push_back({"prelu", {{{2, 3, 4, 5}}, {{3}, DType::Float32, 0.1, 0.5}}, call("prelu"),
                   [](const std::vector<Tensor>& in) {
                     Tensor alpha = in[1].reshape({3, 1, 1});
                     return std::vector<Tensor>{elementwise_reference({in[0], alpha}, DType::Float32, [](const Values& v) {
                       return v[0] >= 0 ? v[0] : v[0] * v[1];
                     })};
                   }});
  for (OpExportCase& c : structured_math_cases()) cases.push_back(std::move(c));
  return cases;
}

INSTANTIATE_TEST_SUITE_P(MathOps, OpExportTest, ::testing::ValuesIn(math_cases()), op_case_name);

// Framework ops exempt from the export-test rule below, each with its reason. Empty today.
const std::map<std::string, std::string> kNoExportTestReasons = {};

// True when `tests` names a test of this binary: a full name ("Suite.Name", "Prefix/Suite.Name/
// case") or a whole suite.
bool names_a_registered_test(const std::string& tests) {
  const ::testing::UnitTest& unit = *::testing::UnitTest::GetInstance();
  for (int i = 0; i < unit.total_test_suite_count(); ++i) {
    const ::testing::TestSuite& suite = *unit.GetTestSuite(i);
    if (tests == suite.name()) return true;
    for (int j = 0; j < suite.total_test_count(); ++j)
      if (tests == std::string(suite.name()) + "." + suite.GetTestInfo(j)->name()) return true;
  }
  return false;
}

// The completeness rule of DESIGN.md §3 and issue 8: every framework op has an export handler
// that declares its ONNX mapping per opset and names an export test of this binary that exists
// (for the table-driven families: the op's own case), or the op has a written reason above.
TEST(ExportCoverage, EveryFrameworkOpHasAMappingAndAnExportTest) {
  for (const std::string& op : flow::OpRegistry::global().names()) {
    const exporter::HandlerEntry* entry = exporter::HandlerRegistry::global().entry(op);
    ASSERT_NE(entry, nullptr) << "framework op '" << op << "' has no export handler";
    EXPECT_FALSE(entry->mappings.empty()) << op << ": the handler registration declares no opset mapping";
    if (kNoExportTestReasons.count(op)) continue;
    EXPECT_TRUE(names_a_registered_test(entry->tests))
        << op << ": its handler names test '" << entry->tests << "', which export_tests does not have";
  }
}

}  // namespace
}  // namespace flowonnx::testing
