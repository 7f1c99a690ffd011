// The quantize family (min_max_observer, moving_average_min_max_observer, fake_quantization):
// eager vs independent double-precision references of OneFlow's formulas, then the export at
// each opset where the mapping changes (10, 11, 13) and at 17 vs ONNX Runtime (rtol 1e-4, atol
// 1e-5), and our runtime vs ONNX Runtime on the same files. Observers are tested on constants
// (folded to initializers) and on graph inputs (emitted arithmetic); fake_quantization per-tensor
// and per-channel, symmetric, affine and cambricon. Plus the refusals (bit width 4, per-channel
// at opset 10, training mode) and a quantization-aware conv.
//
// Fake-quantized outputs are compared "exact or one quantum": OneFlow rounds x / scale + zp as
// one float while QuantizeLinear rounds x / scale and then adds zp, and a double reference rounds
// a slightly different quotient, so an element sitting on a rounding tie may land one step
// (one scale) away. Every other element must match to rtol 1e-4 / atol 1e-5, and at most 1% of
// the elements (at least one) may take the one-step path.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <functional>

#include "flow/functional.h"
#include "flow/nn/graph.h"
#include "onnx/model_io.h"
#include "oracle/ort_oracle.h"
#include "runtime/graph_builder.h"
#include "runtime/session.h"
#include "tensor/random.h"
#include "verify/export.h"

namespace flowonnx::testing {
namespace {

namespace fs = std::filesystem;
namespace F = functional;
using Values = std::vector<double>;
using BuildFn = std::function<std::vector<Tensor>(const std::vector<Tensor>&)>;

class QuantGraph : public nn::Graph {
 public:
  explicit QuantGraph(BuildFn build) : nn::Graph("QuantGraph"), build_(std::move(build)) {}
  std::vector<Tensor> build(const std::vector<Tensor>& inputs) override { return build_(inputs); }

 private:
  BuildFn build_;
};

// Exports `graph` (compiled on `inputs`) at `opset` into a fresh folder and returns the file.
fs::path export_at(const QuantGraph& graph, int opset, const std::string& tag, bool simplify = false) {
  fs::path dir = fs::temp_directory_path() / ("flowonnx_quant_" + std::to_string(::getpid()) + "_" + tag + "_" +
                                              std::to_string(opset));
  fs::remove_all(dir);
  ExportOptions options;
  options.opset = opset;
  options.onnx_model_path = dir.string();
  options.simplify = simplify;
  return export_onnx_model(graph, options);
}

std::vector<std::pair<std::string, Tensor>> feeds_of(const QuantGraph& graph, const std::vector<Tensor>& inputs) {
  std::vector<std::pair<std::string, Tensor>> feeds;
  for (size_t i = 0; i < inputs.size(); ++i) feeds.emplace_back(graph.ir_graph().inputs[i], inputs[i]);
  return feeds;
}

// True when every element matches to rtol 1e-4 / atol 1e-5, or (when `quantum` is given,
// one scale per slice along axis 0) lies one quantum away, for at most 1% of the elements.
::testing::AssertionResult close_or_one_quantum(const Tensor& actual, const Tensor& expected,
                                                const std::vector<double>& quantum = {}) {
  CompareResult exact = compare_tensors(actual, expected, 1e-4, 1e-5);
  if (exact.ok()) return ::testing::AssertionSuccess();
  if (quantum.empty() || actual.shape() != expected.shape()) return ::testing::AssertionFailure() << exact;
  Values a = actual.to_double_vector(), e = expected.to_double_vector();
  size_t inner = e.size() / quantum.size();
  int64_t steps = 0;
  for (size_t i = 0; i < e.size(); ++i) {
    double diff = std::abs(a[i] - e[i]);
    if (diff <= 1e-5 + 1e-4 * std::abs(e[i])) continue;
    double q = quantum[i / inner];
    if (std::abs(diff - q) > 1e-5 + 1e-4 * q)
      return ::testing::AssertionFailure() << "element " << i << ": " << a[i] << " vs " << e[i] << " (quantum " << q
                                           << ")";
    ++steps;
  }
  if (steps > std::max<int64_t>(1, static_cast<int64_t>(e.size()) / 100))
    return ::testing::AssertionFailure() << steps << " of " << e.size() << " elements are one quantum off";
  return ::testing::AssertionSuccess();
}

// Exports at `opset`; ONNX Runtime must match eager, our runtime must match ONNX Runtime.
// `quanta[i]`: the one-quantum allowance of output i (empty: none).
void expect_export_matches(const QuantGraph& graph, const std::vector<Tensor>& inputs, int opset,
                           const std::string& tag, const std::vector<std::vector<double>>& quanta = {},
                           bool simplify = false) {
  SCOPED_TRACE(tag + " at opset " + std::to_string(opset));
  fs::path path;
  ASSERT_NO_THROW(path = export_at(graph, opset, tag, simplify));
  ASSERT_NO_THROW(onnx_io::check_model_with_onnx(path));
  std::vector<Tensor> eager = graph.run(inputs);
  std::vector<Tensor> ort = run_onnxruntime(path, feeds_of(graph, inputs));
  ASSERT_EQ(ort.size(), eager.size());
  InferenceSession session(path);
  std::map<std::string, Tensor> feeds;
  for (const auto& [name, value] : feeds_of(graph, inputs)) feeds.emplace(name, value);
  std::vector<Tensor> ours = session.run({}, feeds);
  ASSERT_EQ(ours.size(), ort.size());
  for (size_t i = 0; i < eager.size(); ++i) {
    std::vector<double> quantum = i < quanta.size() ? quanta[i] : std::vector<double>{};
    EXPECT_TRUE(close_or_one_quantum(ort[i], eager[i], quantum)) << "ONNX Runtime vs eager, output " << i;
    CompareResult same = compare_tensors(ours[i], ort[i], 1e-4, 1e-5);
    EXPECT_TRUE(same.ok()) << "our runtime vs ONNX Runtime, output " << i << ": " << same;
  }
  fs::remove_all(path.parent_path());
}

void expect_export_refused(const QuantGraph& graph, int opset, const std::string& needle) {
  ExportOptions options;
  options.opset = opset;
  try {
    convert_to_onnx(graph, options);
    ADD_FAILURE() << "export at opset " << opset << " should fail with '" << needle << "'";
  } catch (const Error& error) {
    EXPECT_NE(std::string(error.what()).find(needle), std::string::npos) << error.what();
  }
}

// --- Independent references (double precision, plain loops) ---

struct QParams {
  Values scale, zero_point;
};

// OneFlow's google formulas per slice along axis 0 (one slice when per_layer).
QParams observe_reference(const Tensor& x, const std::string& scheme, int bit, bool per_layer) {
  Values v = x.to_double_vector();
  size_t outer = per_layer ? 1 : static_cast<size_t>(x.shape()[0]);
  size_t inner = v.size() / outer;
  QParams p;
  for (size_t c = 0; c < outer; ++c) {
    double lo = v[c * inner], hi = v[c * inner];
    for (size_t i = c * inner; i < (c + 1) * inner; ++i) lo = std::min(lo, v[i]), hi = std::max(hi, v[i]);
    if (scheme == "symmetric") {
      p.scale.push_back(std::max(std::abs(lo), std::abs(hi)) / (std::pow(2.0, bit - 1) - 1));
      p.zero_point.push_back(0);
    } else {
      double scale = (hi - lo) / (std::pow(2.0, bit) - 1);
      p.scale.push_back(scale);
      p.zero_point.push_back(-std::nearbyint(lo / scale));
    }
  }
  return p;
}

Values fake_quant_reference(const Tensor& x, const QParams& p, const std::string& scheme, int bit) {
  Values v = x.to_double_vector(), out(v.size());
  size_t inner = v.size() / p.scale.size();
  double low = scheme == "affine" ? 0 : -std::pow(2.0, bit - 1);
  double high = scheme == "affine" ? std::pow(2.0, bit) - 1 : std::pow(2.0, bit - 1) - 1;
  for (size_t i = 0; i < v.size(); ++i) {
    // An all-positive slice has a negative affine zero point, outside uint8: OneFlow's cast is
    // undefined there and flowonnx saturates it to 0..255.
    double scale = p.scale[i / inner], zp = std::clamp(p.zero_point[i / inner], 0.0, 255.0);
    double q = std::clamp(std::nearbyint(v[i] / scale + zp), low, high);
    out[i] = (q - zp) * scale;
  }
  return out;
}

Tensor floats(const Shape& shape, const Values& values) {
  return Tensor::from_vector<double>(shape, values).to(DType::Float32);
}

// A random shape of rank 1..4 with dim 0 in 2..5 (the channel axis of per-channel cases).
Shape random_shape(Generator& gen) {
  Tensor dims = rand_uniform({4}, 0, 1, gen, DType::Float64);
  Values u = dims.to_double_vector();
  int rank = 1 + static_cast<int>(u[0] * 4);
  Shape shape{2 + static_cast<int64_t>(u[1] * 4)};
  for (int d = 1; d < rank; ++d) shape.push_back(1 + static_cast<int64_t>(u[1 + d % 3] * 5));
  return shape;
}

// --- min_max_observer ---

TEST(QuantizeExport, MinMaxObserver) {
  ASSERT_TRUE(onnxruntime_available()) << onnxruntime_missing_message();
  Generator gen(8);
  for (std::string scheme : {"symmetric", "affine"})
    for (bool per_layer : {true, false})
      for (bool constant : {true, false}) {
        std::string tag = scheme + (per_layer ? "_tensor" : "_channel") + (constant ? "_const" : "_input");
        SCOPED_TRACE(tag);
        Shape shape = random_shape(gen);
        Tensor weight = rand_uniform(shape, -1.5, 2.0, gen);
        F::QuantizationOptions options;
        options.scheme = scheme;
        QuantGraph graph([&](const std::vector<Tensor>& in) {
          Tensor observed = constant ? weight : in[0];
          auto [scale, zero_point] = F::min_max_observer(observed, options, per_layer);
          return std::vector<Tensor>{F::broadcast_add(in[0], in[0]), scale, zero_point};
        });
        std::vector<Tensor> inputs{constant ? rand_uniform(shape, -1, 1, gen) : weight};
        graph.compile(inputs);

        QParams expected = observe_reference(weight, scheme, 8, per_layer);
        std::vector<Tensor> eager = graph.run(inputs);
        Shape qshape{static_cast<int64_t>(expected.scale.size())};
        EXPECT_TRUE(compare_tensors(eager[1], floats(qshape, expected.scale), 1e-5, 1e-7).ok()) << "scale";
        EXPECT_TRUE(compare_tensors(eager[2], floats(qshape, expected.zero_point), 0, 0).ok()) << "zero_point";

        for (int opset : {10, 11, 13, 17}) {
          if (!constant && scheme == "affine" && opset < 11) {
            expect_export_refused(graph, opset, "needs Round");
            continue;
          }
          expect_export_matches(graph, inputs, opset, "minmax_" + tag);
        }
        if (constant) {  // folded: no observer arithmetic is left in the graph
          ExportOptions opset13;
          opset13.opset = 13;
          onnx_io::Model model = convert_to_onnx(graph, opset13);
          for (const auto& node : model.graph.nodes())
            EXPECT_TRUE(node->op_type == "Add" || node->op_type == "Identity") << node->op_type;
        }
      }
}

// The cambricon formula: scale is the shift floor(log2(absmax)) - (bit - 2); fake_quantization
// steps by 2^shift. Folded for a constant input, refused for a computed one.
TEST(QuantizeExport, Cambricon) {
  ASSERT_TRUE(onnxruntime_available()) << onnxruntime_missing_message();
  Tensor weight = floats({2, 3}, {0.3, -5.5, 2.0, 1.0, 0.25, 3.9});
  F::QuantizationOptions options{.formula = "cambricon"};
  Generator gen(3);
  std::vector<Tensor> inputs{rand_uniform({3, 5}, -9, 9, gen)};
  Values x = inputs[0].to_double_vector(), expected;
  for (double v : x) expected.push_back(std::clamp(std::nearbyint(v / 0.0625), -128.0, 127.0) * 0.0625);
  // With the shift also a graph output, fake_quantization sees it through an Identity (the
  // computed path: Cast, Cast, Pow); without, the folded constant step.
  for (bool shift_output : {true, false}) {
    QuantGraph graph([&](const std::vector<Tensor>& in) {
      auto [shift, zero_point] = F::min_max_observer(weight, options);
      std::vector<Tensor> out{F::fake_quantization(in[0], shift, zero_point, options)};
      if (shift_output) out.push_back(shift);
      return out;
    });
    graph.compile(inputs);
    std::vector<Tensor> eager = graph.run(inputs);
    if (shift_output) {
      EXPECT_EQ(eager[1].to_double_vector(), (Values{2.0 - 6.0}));  // floor(log2(5.5)) - 6
    }
    EXPECT_TRUE(close_or_one_quantum(eager[0], floats({3, 5}, expected), {0.0625}));
    for (int opset : {10, 13, 17})
      expect_export_matches(graph, inputs, opset, shift_output ? "cambricon_out" : "cambricon", {{0.0625}});
  }

  // The moving-average observer's cambricon shift comes from the stored moving max (5.5 here).
  QuantGraph moving([&](const std::vector<Tensor>& in) {
    auto [shift, zero_point] = F::moving_average_min_max_observer(in[0], Tensor::from_vector<int64_t>({1}, {9}),
                                                                  floats({1}, {5.5}), floats({1}, {5.5}), false, options);
    return std::vector<Tensor>{F::fake_quantization(in[0], shift, zero_point, options)};
  });
  moving.compile(inputs);
  EXPECT_TRUE(close_or_one_quantum(moving.run(inputs)[0], floats({3, 5}, expected), {0.0625}));
  for (int opset : {10, 17}) expect_export_matches(moving, inputs, opset, "cambricon_moving", {{0.0625}});

  QuantGraph computed([&](const std::vector<Tensor>& in) {
    auto [shift, zero_point] = F::min_max_observer(in[0], options);
    return std::vector<Tensor>{F::fake_quantization(in[0], shift, zero_point, options)};
  });
  computed.compile(inputs);
  expect_export_refused(computed, 13, "cambricon");
}

// --- moving_average_min_max_observer ---

// Training mode updates the moving min/max in place (OneFlow's mutable inputs) until
// current_train_step passes stop_update_after_iters; eval mode only reads them.
TEST(QuantizeExport, MovingAverageObserverEager) {
  Tensor x1 = floats({4}, {-1.0, 0.5, 2.0, -3.0}), x2 = floats({4}, {1.0, -0.5, 4.0, 0.0});
  for (std::string scheme : {"symmetric", "affine"}) {
    SCOPED_TRACE(scheme);
    F::QuantizationOptions options{.scheme = scheme};
    Tensor step = Tensor::from_vector<int64_t>({1}, {0});
    Tensor moving_max = Tensor::zeros({1}), moving_min = Tensor::zeros({1});
    F::moving_average_min_max_observer(x1, step, moving_max, moving_min, true, options, 0.9, 5);
    double max1 = scheme == "symmetric" ? 3.0 : 2.0, min1 = scheme == "symmetric" ? 3.0 : -3.0;
    EXPECT_DOUBLE_EQ(moving_max.to_double_vector()[0], max1);  // first step: the batch's values
    EXPECT_DOUBLE_EQ(moving_min.to_double_vector()[0], min1);
    auto [scale, zero_point] =
        F::moving_average_min_max_observer(x2, step, moving_max, moving_min, true, options, 0.9, 5);
    double max2 = max1 * 0.9 + 4.0 * (1 - 0.9f), min2 = scheme == "symmetric" ? max2 : min1 * 0.9 - 0.5 * (1 - 0.9f);
    EXPECT_NEAR(moving_max.to_double_vector()[0], max2, 1e-6);
    EXPECT_NEAR(moving_min.to_double_vector()[0], min2, 1e-6);
    double expected_scale = scheme == "symmetric" ? max2 / 127 : (max2 - min2) / 255;
    EXPECT_NEAR(scale.to_double_vector()[0], expected_scale, 1e-7);
    EXPECT_NEAR(zero_point.to_double_vector()[0], scheme == "symmetric" ? 0.0 : -min2 / expected_scale, 1e-4);
    // Past stop_update_after_iters, and in eval mode, the state stays.
    Tensor late = Tensor::from_vector<int64_t>({1}, {6});
    F::moving_average_min_max_observer(x1, late, moving_max, moving_min, true, options, 0.9, 5);
    F::moving_average_min_max_observer(x1, step, moving_max, moving_min, false, options, 0.9, 5);
    EXPECT_NEAR(moving_max.to_double_vector()[0], max2, 1e-6);
  }
}

TEST(QuantizeExport, MovingAverageObserver) {
  ASSERT_TRUE(onnxruntime_available()) << onnxruntime_missing_message();
  Generator gen(13);
  for (std::string scheme : {"symmetric", "affine"})
    for (bool constant : {true, false}) {
      std::string tag = scheme + (constant ? "_const" : "_input");
      SCOPED_TRACE(tag);
      F::QuantizationOptions options{.scheme = scheme};
      Tensor step = Tensor::from_vector<int64_t>({1}, {100});
      Tensor state_max = floats({1}, {scheme == "symmetric" ? 2.7 : 1.9}), state_min = floats({1}, {-1.3});
      QuantGraph graph([&](const std::vector<Tensor>& in) {
        Tensor moving_max = constant ? state_max : in[1], moving_min = constant ? state_min : in[2];
        auto [scale, zero_point] =
            F::moving_average_min_max_observer(in[0], step, moving_max, moving_min, false, options);
        return std::vector<Tensor>{scale, zero_point, F::fake_quantization(in[0], scale, zero_point, options)};
      });
      Shape shape = random_shape(gen);
      std::vector<Tensor> inputs{rand_uniform(shape, -2, 3, gen)};
      if (!constant) inputs.insert(inputs.end(), {state_max, state_min});
      graph.compile(inputs);

      std::vector<Tensor> eager = graph.run(inputs);
      double hi = state_max.to_double_vector()[0], lo = state_min.to_double_vector()[0];
      double scale = scheme == "symmetric" ? hi / 127 : (hi - lo) / 255;
      double zero_point = scheme == "symmetric" ? 0 : -lo / scale;  // OneFlow leaves it unrounded
      EXPECT_NEAR(eager[0].to_double_vector()[0], scale, 1e-7);
      EXPECT_NEAR(eager[1].to_double_vector()[0], zero_point, 1e-4);
      QParams rounded{{scale}, {std::round(zero_point)}};
      EXPECT_TRUE(close_or_one_quantum(eager[2], floats(shape, fake_quant_reference(inputs[0], rounded, scheme, 8)),
                                       {scale}));
      for (int opset : {10, 11, 13, 17}) {
        // The zero point is also a graph output, so fake_quantization gets it through an
        // Identity, not as a constant, and rounds it with Round.
        if (scheme == "affine" && opset < 11) {
          expect_export_refused(graph, opset, "Round");
          continue;
        }
        expect_export_matches(graph, inputs, opset, "moving_" + tag, {{}, {}, {scale}});
      }
    }
}

TEST(QuantizeExport, MovingAverageObserverTrainingIsRefused) {
  Tensor moving_max = floats({1}, {1.0}), moving_min = floats({1}, {-1.0});
  Tensor step = Tensor::from_vector<int64_t>({1}, {0});
  QuantGraph graph([&](const std::vector<Tensor>& in) {
    auto [scale, zero_point] =
        F::moving_average_min_max_observer(in[0], step, moving_max.clone(), moving_min.clone(), true);
    return std::vector<Tensor>{scale};
  });
  graph.compile({floats({2}, {0.5, -0.25})});
  expect_export_refused(graph, 13, "training=1");
  // Past stop_update_after_iters (a constant step) training mode no longer updates: exportable.
  Tensor late = Tensor::from_vector<int64_t>({1}, {100});
  QuantGraph frozen([&](const std::vector<Tensor>& in) {
    auto [scale, zero_point] = F::moving_average_min_max_observer(in[0], late, moving_max, moving_min, true);
    return std::vector<Tensor>{scale};
  });
  frozen.compile({floats({2}, {0.5, -0.25})});
  ExportOptions options;
  options.opset = 13;
  EXPECT_NO_THROW(convert_to_onnx(frozen, options));
}

// --- fake_quantization ---

TEST(QuantizeExport, FakeQuantization) {
  ASSERT_TRUE(onnxruntime_available()) << onnxruntime_missing_message();
  Generator gen(21);
  for (std::string scheme : {"symmetric", "affine"})
    for (bool per_layer : {true, false})
      for (bool constant : {true, false}) {
        std::string tag = scheme + (per_layer ? "_tensor" : "_channel") + (constant ? "_const" : "_input");
        SCOPED_TRACE(tag);
        Shape shape = random_shape(gen);
        Tensor weight = rand_uniform(shape, -1.0, 2.5, gen);
        F::QuantizationOptions options{.scheme = scheme};
        QuantGraph graph([&](const std::vector<Tensor>& in) {
          Tensor observed = constant ? weight : in[0];
          auto [scale, zero_point] = F::min_max_observer(observed, options, per_layer);
          return std::vector<Tensor>{F::fake_quantization(in[0], scale, zero_point, options)};
        });
        std::vector<Tensor> inputs{constant ? rand_uniform(shape, -1.2, 2.8, gen) : weight};
        graph.compile(inputs);

        QParams params = observe_reference(constant ? weight : inputs[0], scheme, 8, per_layer);
        std::vector<Tensor> eager = graph.run(inputs);
        EXPECT_TRUE(close_or_one_quantum(eager[0], floats(shape, fake_quant_reference(inputs[0], params, scheme, 8)),
                                         params.scale))
            << "eager vs reference";
        for (int opset : {10, 11, 13, 17}) {
          if (!per_layer && opset < 13) {  // a computed affine observer is refused first
            bool round_first = !constant && scheme == "affine" && opset < 11;
            expect_export_refused(graph, opset, round_first ? "Round" : "per-channel QuantizeLinear needs opset 13");
            continue;
          }
          if (!constant && scheme == "affine" && opset < 11) {
            expect_export_refused(graph, opset, "Round");
            continue;
          }
          expect_export_matches(graph, inputs, opset, "fake_" + tag, {params.scale});
        }
      }
}

// Eager computes any 2..8-bit width; ONNX has only the 8-bit ranges, so export refuses others.
TEST(QuantizeExport, FakeQuantizationBitWidthIsRefused) {
  Generator gen(4);
  Tensor x = rand_uniform({3, 4}, -2, 2, gen);
  for (std::string scheme : {"symmetric", "affine"}) {
    F::QuantizationOptions options{.bit = 4, .scheme = scheme};
    auto [scale, zero_point] = F::min_max_observer(x, options);
    QParams params = observe_reference(x, scheme, 4, true);
    EXPECT_NEAR(scale.to_double_vector()[0], params.scale[0], 1e-6);
    Tensor eager = F::fake_quantization(x, scale, zero_point, options);
    EXPECT_TRUE(close_or_one_quantum(eager, floats({3, 4}, fake_quant_reference(x, params, scheme, 4)), params.scale));
    QuantGraph graph([&](const std::vector<Tensor>& in) {
      auto [s, z] = F::min_max_observer(in[0], options);
      return std::vector<Tensor>{F::fake_quantization(in[0], s, z, options)};
    });
    graph.compile({x});
    expect_export_refused(graph, 13, "quantization_bit 4");
  }
  EXPECT_THROW(F::min_max_observer(x, F::QuantizationOptions{.bit = 9}), Error);  // OneFlow: 2..8
  EXPECT_THROW(F::min_max_observer(x, F::QuantizationOptions{.scheme = "odd"}), Error);
  EXPECT_THROW(F::fake_quantization(x, Tensor::zeros({2}), Tensor::zeros({2})), Error);  // 2 scales, 3 rows
}

// OneFlow's kernels also take float64; eager follows, while QuantizeLinear (opset <= 17) takes
// float32 only, so the export refuses a float64 fake_quantization.
TEST(QuantizeExport, Float64EagerAndExportRefusal) {
  Tensor x = Tensor::from_vector<double>({2, 3}, {-1.0, 0.25, 2.0, 0.5, -0.75, 1.5});
  F::QuantizationOptions options;
  options.scheme = "affine";
  auto [scale, zero_point] = F::min_max_observer(x, options, false);
  EXPECT_EQ(scale.dtype(), DType::Float64);
  QParams params = observe_reference(x, "affine", 8, false);
  EXPECT_TRUE(compare_tensors(scale, Tensor::from_vector<double>({2}, params.scale), 1e-12, 0).ok());
  EXPECT_EQ(zero_point.to_double_vector(), params.zero_point);
  Tensor y = F::fake_quantization(x, scale, zero_point, options);
  EXPECT_EQ(y.dtype(), DType::Float64);
  EXPECT_TRUE(compare_tensors(y, Tensor::from_vector<double>({2, 3}, fake_quant_reference(x, params, "affine", 8)),
                              1e-12, 1e-12)
                  .ok());
  QuantGraph graph([&](const std::vector<Tensor>& in) {
    auto [s, z] = F::min_max_observer(in[0], options, false);
    return std::vector<Tensor>{F::fake_quantization(in[0], s, z, options)};
  });
  graph.compile({x});
  expect_export_refused(graph, 13, "takes float32");
}

// A quantization-aware conv: the weight goes through a per-channel symmetric observer and
// fake_quantization, the activation through an eval-mode moving-average observer; exported
// with the default simplification (which folds the constant weight path) and without.
TEST(QuantizeExport, QuantizationAwareConv) {
  ASSERT_TRUE(onnxruntime_available()) << onnxruntime_missing_message();
  Generator gen(5);
  Tensor weight = rand_uniform({4, 3, 3, 3}, -0.5, 0.5, gen);
  Tensor step = Tensor::from_vector<int64_t>({1}, {1000});
  Tensor moving_max = floats({1}, {1.8}), moving_min = floats({1}, {1.8});
  QuantGraph graph([&](const std::vector<Tensor>& in) {
    auto [ws, wz] = F::min_max_observer(weight, {}, false);
    Tensor wq = F::fake_quantization(weight, ws, wz);
    auto [xs, xz] = F::moving_average_min_max_observer(in[0], step, moving_max, moving_min, false);
    Tensor xq = F::fake_quantization(in[0], xs, xz);
    return std::vector<Tensor>{F::relu(F::conv2d(xq, wq, {1, 1}, {1, 1}))};
  });
  std::vector<Tensor> inputs{rand_uniform({2, 3, 8, 8}, -2, 2, gen)};
  graph.compile(inputs);
  for (bool simplify : {false, true})
    for (int opset : {13, 17})
      expect_export_matches(graph, inputs, opset, simplify ? "qat_simple" : "qat", {}, simplify);
}

// --- The runtime's QuantizeLinear / DequantizeLinear on their own ---

// Runs a one-model graph in our runtime and ONNX Runtime; returns ours after comparing.
std::vector<Tensor> run_both(onnx_io::Model model, const std::string& name,
                             const std::map<std::string, Tensor>& feeds) {
  fs::path path =
      fs::temp_directory_path() / ("flowonnx_quant_rt_" + std::to_string(::getpid()) + "_" + name + ".onnx");
  onnx_io::save_model(model, path);
  std::vector<Tensor> ours = InferenceSession(path).run({}, feeds);
  std::vector<Tensor> ort = run_onnxruntime(path, {feeds.begin(), feeds.end()});
  EXPECT_EQ(ours.size(), ort.size());
  for (size_t i = 0; i < std::min(ours.size(), ort.size()); ++i) {
    CompareResult same = compare_tensors(ours[i], ort[i], 0, 0);
    EXPECT_TRUE(same.ok()) << name << " output " << i << ": our runtime vs ONNX Runtime: " << same;
  }
  fs::remove(path);
  return ours;
}

// Rounding ties go to even, results saturate, the zero point may be int8, uint8 or omitted
// (uint8 0); checked against hand-computed values and ONNX Runtime at opset 10 and 13.
TEST(QuantizeRuntime, QuantizeLinearRoundsHalfToEvenAndSaturates) {
  ASSERT_TRUE(onnxruntime_available()) << onnxruntime_missing_message();
  Tensor x = floats({10}, {0.5, 1.5, 2.5, -0.5, -1.5, -2.5, 300, -300, 126.5, -127.5});
  struct Case {
    const char* name;
    Tensor zero_point;  // undefined: omitted
    Values expected;
  };
  std::vector<Case> cases{
      {"int8", Tensor::scalar<int8_t>(0), {0, 2, 2, 0, -2, -2, 127, -128, 126, -128}},
      {"uint8", Tensor::scalar<uint8_t>(128), {128, 130, 130, 128, 126, 126, 255, 0, 254, 0}},
      {"omitted", Tensor(), {0, 2, 2, 0, 0, 0, 255, 0, 126, 0}}};
  for (int64_t opset : {10, 13})
    for (const Case& c : cases) {
      SCOPED_TRACE(std::string(c.name) + " opset " + std::to_string(opset));
      GraphBuilder g(opset);
      g.input("x", DType::Float32, x.shape()).initializer("scale", Tensor::scalar<float>(1.0f));
      std::vector<std::string> inputs{"x", "scale"};
      if (c.zero_point.defined()) {
        g.initializer("zero_point", c.zero_point);
        inputs.push_back("zero_point");
      }
      std::vector<std::string> dequantize_inputs = inputs;
      dequantize_inputs[0] = "q";
      g.node("QuantizeLinear", inputs, {"q"}).node("DequantizeLinear", dequantize_inputs, {"y"});
      g.output("q").output("y");
      std::vector<Tensor> out = run_both(g.build(), std::string(c.name) + std::to_string(opset), {{"x", x}});
      EXPECT_EQ(out[0].dtype(), c.zero_point.defined() ? c.zero_point.dtype() : DType::UInt8);
      EXPECT_EQ(out[0].to_double_vector(), c.expected);
      double zp = c.zero_point.defined() ? c.zero_point.to_double_vector()[0] : 0.0;
      Values dequantized;
      for (double q : c.expected) dequantized.push_back(q - zp);
      EXPECT_EQ(out[1].to_double_vector(), dequantized);
    }
}

// Per-axis scales and zero points along a middle axis (also given negatively), and int32
// DequantizeLinear, against ONNX Runtime; a per-axis scale at opset 10 is refused.
TEST(QuantizeRuntime, PerAxisMatchesOnnxRuntime) {
  ASSERT_TRUE(onnxruntime_available()) << onnxruntime_missing_message();
  Generator gen(17);
  Tensor x = rand_uniform({2, 3, 4}, -3, 3, gen);
  Tensor scale = floats({3}, {0.02, 0.05, 0.1});
  for (int64_t axis : {1, -2})
    for (DType zp_type : {DType::Int8, DType::UInt8}) {
      GraphBuilder g(13);
      Tensor zero_point = floats({3}, {zp_type == DType::Int8 ? -3.0 : 100.0, 0, 7}).to(zp_type);
      g.input("x", DType::Float32, x.shape()).initializer("scale", scale).initializer("zp", zero_point);
      g.node("QuantizeLinear", {"x", "scale", "zp"}, {"q"}, {{"axis", axis}})
          .node("DequantizeLinear", {"q", "scale", "zp"}, {"y"}, {{"axis", axis}});
      g.output("q").output("y");
      run_both(g.build(), "axis" + std::to_string(axis) + std::string(dtype_name(zp_type)), {{"x", x}});
    }
  GraphBuilder wide(13);
  wide.input("x", DType::Int32, Shape{5}).initializer("scale", Tensor::scalar<float>(0.25f));
  wide.node("DequantizeLinear", {"x", "scale"}, {"y"}).output("y");
  std::vector<Tensor> out =
      run_both(wide.build(), "int32", {{"x", Tensor::from_vector<int32_t>({5}, {-400, -1, 0, 3, 1000})}});
  EXPECT_EQ(out[0].to_double_vector(), (Values{-100, -0.25, 0, 0.75, 250}));

  GraphBuilder old(10);
  old.input("x", DType::Float32, x.shape()).initializer("scale", scale);
  old.node("QuantizeLinear", {"x", "scale"}, {"q"}).output("q");
  fs::path path = fs::temp_directory_path() / ("flowonnx_quant_rt_" + std::to_string(::getpid()) + "_old.onnx");
  onnx_io::save_model(old.build(), path);
  EXPECT_THROW(InferenceSession(path).run({}, {{"x", x}}), Error);
  fs::remove(path);
}

}  // namespace
}  // namespace flowonnx::testing
