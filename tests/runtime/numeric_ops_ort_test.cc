// The quantized, signal and statistics ops against ONNX Runtime on random shapes and values
// (quantize.cc, quantized_math.cc, signal.cc, linalg.cc, moments.cc, text.cc, BatchNormalization
// training mode), plus hostile inputs that must give clear errors.
#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <random>

#include "kernels/cpu/linalg.h"
#include "oracle/ort_oracle.h"
#include "runtime/graph_builder.h"
#include "runtime/session.h"
#include "tensor/random.h"

namespace flowonnx {
namespace {

namespace fs = std::filesystem;
using testing::GraphBuilder;
using Ints = std::vector<int64_t>;

// Saves `model`, runs it in flowonnx and ONNX Runtime with `feeds`, compares every output.
void expect_same_as_onnxruntime(onnx_io::Model model, const std::string& name,
                                const std::map<std::string, Tensor>& feeds, double rtol = 1e-5,
                                double atol = 1e-5) {
  ASSERT_TRUE(testing::onnxruntime_available()) << testing::onnxruntime_missing_message();
  fs::path dir = fs::temp_directory_path() / ("flowonnx_numeric_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  fs::path path = dir / (name + ".onnx");
  onnx_io::save_model(model, path);
  InferenceSession session(path, {"CPUExecutionProvider"});
  std::vector<Tensor> expected =
      testing::run_onnxruntime(path, std::vector<std::pair<std::string, Tensor>>(feeds.begin(), feeds.end()));
  std::vector<Tensor> got = session.run({}, feeds);
  ASSERT_EQ(got.size(), expected.size()) << name;
  for (size_t i = 0; i < got.size(); ++i) {
    auto result = testing::compare_tensors(got[i], expected[i], rtol, atol);
    EXPECT_TRUE(result.ok()) << name << " output " << i << ": " << result;
  }
  fs::remove(path);
}

std::mt19937_64& rng() {
  static std::mt19937_64 engine(1234);
  return engine;
}

Tensor random_8bit(const Shape& shape, DType dtype) {
  Tensor t(shape, dtype);
  std::uniform_int_distribution<int> dist(dtype == DType::UInt8 ? 0 : -128, dtype == DType::UInt8 ? 255 : 127);
  for (int64_t i = 0; i < t.num_elements(); ++i) {
    if (dtype == DType::UInt8) t.data<uint8_t>()[i] = static_cast<uint8_t>(dist(rng()));
    else t.data<int8_t>()[i] = static_cast<int8_t>(dist(rng()));
  }
  return t;
}

std::vector<ir::Dim> dims(const Shape& shape) {
  std::vector<ir::Dim> d;
  for (int64_t v : shape) d.push_back(ir::Dim::of(v));
  return d;
}

TEST(NumericOpsOrt, MatMulIntegerWithZeroPoints) {
  for (DType a_type : {DType::UInt8, DType::Int8})
    for (const auto& [as, bs] : std::vector<std::pair<Shape, Shape>>{{{3, 5}, {5, 4}}, {{2, 3, 7}, {7, 6}},
                                                                       {{2, 1, 4, 3}, {3, 3, 5}}}) {
      const int64_t N = bs.back();
      GraphBuilder g(13);
      g.input("a", a_type, as).input("b", DType::UInt8, bs)
          .initializer("azp", random_8bit({}, a_type))
          // ORT takes a per-column B zero point only for a 2-D B.
          .initializer("bzp", bs.size() == 2 ? random_8bit({N}, DType::UInt8) : random_8bit({}, DType::UInt8))
          .node("MatMulInteger", {"a", "b", "azp", "bzp"}, {"y"}).output("y");
      expect_same_as_onnxruntime(g.build(), "matmulinteger",
                                 {{"a", random_8bit(as, a_type)}, {"b", random_8bit(bs, DType::UInt8)}});
    }
}

TEST(NumericOpsOrt, QLinearMatMulPerTensorAndPerColumn) {
  for (bool per_column : {false, true}) {
    const int64_t N = 6;
    GraphBuilder g(10);
    g.input("a", DType::UInt8, {2, 4, 9}).input("b", DType::UInt8, {9, N})
        .initializer("as", Tensor::scalar<float>(0.02f)).initializer("azp", Tensor::scalar<uint8_t>(113))
        .initializer("bs", per_column ? rand_uniform({N}, 0.005, 0.02) : Tensor::scalar<float>(0.01f))
        .initializer("bzp", per_column ? random_8bit({N}, DType::UInt8) : Tensor::scalar<uint8_t>(98))
        .initializer("ys", Tensor::scalar<float>(0.3f)).initializer("yzp", Tensor::scalar<uint8_t>(120))
        .node("QLinearMatMul", {"a", "as", "azp", "b", "bs", "bzp", "ys", "yzp"}, {"y"}).output("y");
    expect_same_as_onnxruntime(g.build(), "qlinearmatmul",
                               {{"a", random_8bit({2, 4, 9}, DType::UInt8)}, {"b", random_8bit({9, N}, DType::UInt8)}},
                               0, 1);  // ties may round apart by one step
  }
}

TEST(NumericOpsOrt, ConvIntegerAndQLinearConv) {
  const Shape xs{2, 4, 9, 8}, ws{6, 2, 3, 3};
  ir::Attributes attrs{{"group", int64_t{2}}, {"pads", Ints{1, 0, 1, 2}}, {"strides", Ints{2, 1}},
                       {"dilations", Ints{1, 2}}};
  {
    GraphBuilder g(10);
    g.input("x", DType::UInt8, xs).initializer("w", random_8bit(ws, DType::UInt8))
        .initializer("xzp", Tensor::scalar<uint8_t>(7)).initializer("wzp", Tensor::scalar<uint8_t>(130))
        .node("ConvInteger", {"x", "w", "xzp", "wzp"}, {"y"}, attrs).output("y");
    expect_same_as_onnxruntime(g.build(), "convinteger", {{"x", random_8bit(xs, DType::UInt8)}});
  }
  for (DType w_type : {DType::UInt8, DType::Int8}) {
    GraphBuilder g(10);
    Tensor wzp = w_type == DType::Int8 ? Tensor::zeros({6}, DType::Int8) : Tensor::scalar<uint8_t>(128);
    g.input("x", DType::UInt8, xs).initializer("w", random_8bit(ws, w_type))
        .initializer("xs", Tensor::scalar<float>(0.05f)).initializer("xzp", Tensor::scalar<uint8_t>(10))
        .initializer("ws", w_type == DType::Int8 ? rand_uniform({6}, 0.002, 0.01) : Tensor::scalar<float>(0.004f))
        .initializer("wzp", wzp)
        .initializer("ys", Tensor::scalar<float>(0.2f)).initializer("yzp", Tensor::scalar<uint8_t>(100))
        .initializer("bias", Tensor::from_vector<int32_t>({6}, {100, -200, 300, 0, 5000, -7}))
        .node("QLinearConv", {"x", "xs", "xzp", "w", "ws", "wzp", "ys", "yzp", "bias"}, {"y"}, attrs).output("y");
    expect_same_as_onnxruntime(g.build(), "qlinearconv", {{"x", random_8bit(xs, DType::UInt8)}}, 0, 1);
  }
}

TEST(NumericOpsOrt, DynamicQuantizeLinear) {
  for (const Shape& shape : {Shape{3, 7}, Shape{2, 3, 5}}) {
    GraphBuilder g(11);
    g.input("x", DType::Float32, shape).node("DynamicQuantizeLinear", {"x"}, {"y", "s", "zp"})
        .output("y").output("s").output("zp");
    Tensor x = randn(shape);
    x.data<float>()[0] = 3.0f;  // a range not symmetric about 0
    expect_same_as_onnxruntime(g.build(), "dynamicquantizelinear", {{"x", x}}, 1e-6, 0);
  }
}

TEST(NumericOpsOrt, WindowsDftAndMelWeights) {
  for (const char* op : {"HannWindow", "HammingWindow", "BlackmanWindow"})
    for (int64_t periodic : {0, 1}) {
      GraphBuilder g(17);
      g.initializer("n", Tensor::scalar<int64_t>(11))
          .node(op, {"n"}, {"y"}, {{"periodic", periodic}, {"output_datatype", int64_t{11}}}).output("y");
      expect_same_as_onnxruntime(g.build(), op, {}, 1e-6, 1e-7);
    }
  for (int64_t onesided : {0, 1})
    for (int64_t axis : {1, 2}) {
      GraphBuilder g(17);
      g.input("x", DType::Float32, {2, 6, 5, 1}).initializer("len", Tensor::scalar<int64_t>(8))
          .node("DFT", {"x", "len"}, {"y"}, {{"onesided", onesided}, {"axis", axis}}).output("y");
      expect_same_as_onnxruntime(g.build(), "dft", {{"x", randn({2, 6, 5, 1})}}, 1e-4, 1e-4);
    }
  {
    GraphBuilder g(17);
    g.input("x", DType::Float32, {3, 7, 2})
        .node("DFT", {"x"}, {"y"}, {{"inverse", int64_t{1}}}).output("y");
    expect_same_as_onnxruntime(g.build(), "idft", {{"x", randn({3, 7, 2})}}, 1e-4, 1e-5);
  }
  for (bool with_window : {false, true}) {
    GraphBuilder g(17);
    g.input("x", DType::Float32, {2, 40, 1}).initializer("step", Tensor::scalar<int64_t>(6))
        .initializer("window", rand_uniform({16}, 0.0, 1.0)).initializer("len", Tensor::scalar<int64_t>(16))
        .node("STFT", {"x", "step", with_window ? "window" : "", with_window ? "" : "len"}, {"y"}).output("y");
    expect_same_as_onnxruntime(g.build(), "stft", {{"x", randn({2, 40, 1})}}, 1e-4, 1e-4);
  }
  {
    GraphBuilder g(17);
    g.initializer("bins", Tensor::scalar<int64_t>(10)).initializer("dft", Tensor::scalar<int64_t>(64))
        .initializer("rate", Tensor::scalar<int64_t>(16000)).initializer("lo", Tensor::scalar<float>(50.f))
        .initializer("hi", Tensor::scalar<float>(7000.f))
        .node("MelWeightMatrix", {"bins", "dft", "rate", "lo", "hi"}, {"y"}).output("y");
    expect_same_as_onnxruntime(g.build(), "melweightmatrix", {}, 1e-6, 1e-6);
  }
}

TEST(NumericOpsOrt, DetMvnAndTrainingBatchNorm) {
  {
    GraphBuilder g(11);
    g.input("x", DType::Float32, {3, 2, 4, 4}).node("Det", {"x"}, {"y"}).output("y");
    expect_same_as_onnxruntime(g.build(), "det", {{"x", randn({3, 2, 4, 4})}}, 1e-4, 1e-5);
  }
  for (const Ints& axes : {Ints{0, 2, 3}, Ints{1, -1}}) {
    GraphBuilder g(13);
    g.input("x", DType::Float32, {2, 3, 4, 5}).node("MeanVarianceNormalization", {"x"}, {"y"}, {{"axes", axes}})
        .output("y");
    expect_same_as_onnxruntime(g.build(), "mvn", {{"x", randn({2, 3, 4, 5})}}, 1e-4, 1e-5);
  }
  {
    GraphBuilder g(15);
    g.input("x", DType::Float32, {4, 3, 5, 2}).initializer("s", randn({3})).initializer("b", randn({3}))
        .initializer("m", randn({3})).initializer("v", rand_uniform({3}, 0.5, 2.0))
        .node("BatchNormalization", {"x", "s", "b", "m", "v"}, {"y", "rm", "rv"},
              {{"training_mode", int64_t{1}}, {"momentum", 0.8}, {"epsilon", 1e-3}})
        .output("y").output("rm").output("rv");
    expect_same_as_onnxruntime(g.build(), "bn_training", {{"x", randn({4, 3, 5, 2})}}, 1e-4, 1e-5);
  }
}

TEST(NumericOpsOrt, TfIdfVectorizerModes) {
  for (const char* mode : {"TF", "IDF", "TFIDF"}) {
    GraphBuilder g(9);
    g.input("x", DType::Int64, {2, 12})
        .node("TfIdfVectorizer", {"x"}, {"y"},
              {{"mode", std::string(mode)}, {"min_gram_length", int64_t{1}}, {"max_gram_length", int64_t{3}},
               {"max_skip_count", int64_t{2}}, {"ngram_counts", Ints{0, 4, 8}},
               {"ngram_indexes", Ints{7, 1, 2, 3, 4, 5, 6, 0}},  // 4 unigrams, 2 bigrams, 2 trigrams
               {"pool_int64s", Ints{2, 3, 5, 4, 5, 6, 7, 8, 6, 7, 2, 3, 5, 5}},
               {"weights", std::vector<double>{0.5, 1, 2, 1.5, 1, 3, 0.25, 2}}})
        .output("y");
    Tensor x({2, 12}, DType::Int64);
    std::uniform_int_distribution<int64_t> dist(2, 8);
    for (int64_t i = 0; i < x.num_elements(); ++i) x.data<int64_t>()[i] = dist(rng());
    expect_same_as_onnxruntime(g.build(), std::string("tfidf_") + mode, {{"x", x}});
  }
}

// ---- hostile input -------------------------------------------------------------------------

void expect_run_error(onnx_io::Model model, const std::map<std::string, Tensor>& feeds, const std::string& fragment) {
  try {
    InferenceSession session(std::move(model), {"CPUExecutionProvider"});
    session.run({}, feeds);
    ADD_FAILURE() << "no error; expected one containing '" << fragment << "'";
  } catch (const Error& error) {
    EXPECT_NE(std::string(error.what()).find(fragment), std::string::npos) << error.what();
  }
}

TEST(NumericOpsErrors, HostileInputsGiveClearErrors) {
  {
    GraphBuilder g(10);  // zero point of a different dtype than the operand
    g.input("a", DType::UInt8, {2, 3}).input("b", DType::UInt8, {3, 2})
        .initializer("bzp", Tensor::from_vector<int8_t>({2}, {1, 2}))
        .node("MatMulInteger", {"a", "b", "", "bzp"}, {"y"}).output("y");
    expect_run_error(g.build(), {{"a", random_8bit({2, 3}, DType::UInt8)}, {"b", random_8bit({3, 2}, DType::UInt8)}},
                     "zero point");
  }
  {
    GraphBuilder g(10);  // per-channel zero point of the wrong length
    g.input("x", DType::UInt8, {1, 2, 4, 4}).initializer("w", random_8bit({3, 2, 2, 2}, DType::UInt8))
        .initializer("wzp", Tensor::from_vector<uint8_t>({2}, {1, 2}))
        .node("ConvInteger", {"x", "w", "", "wzp"}, {"y"}).output("y");
    expect_run_error(g.build(), {{"x", random_8bit({1, 2, 4, 4}, DType::UInt8)}}, "1 or 3 values");
  }
  {
    GraphBuilder g(17);  // a huge window
    g.initializer("n", Tensor::scalar<int64_t>(int64_t{1} << 40)).node("HannWindow", {"n"}, {"y"}).output("y");
    expect_run_error(g.build(), {}, "size must be in");
  }
  {
    GraphBuilder g(17);  // DFT along the complex dim
    g.input("x", DType::Float32, {2, 4, 1}).node("DFT", {"x"}, {"y"}, {{"axis", int64_t{2}}}).output("y");
    expect_run_error(g.build(), {{"x", randn({2, 4, 1})}}, "axis 2 out of range");
  }
  {
    GraphBuilder g(11);  // Det of a non-square matrix
    g.input("x", DType::Float32, {2, 3}).node("Det", {"x"}, {"y"}).output("y");
    expect_run_error(g.build(), {{"x", randn({2, 3})}}, "[.., M, M]");
  }
  {
    GraphBuilder g(9);  // a pool that does not split into n-grams
    g.input("x", DType::Int64, Shape{4})
        .node("TfIdfVectorizer", {"x"}, {"y"},
              {{"mode", std::string("TF")}, {"max_gram_length", int64_t{2}}, {"ngram_counts", Ints{0, 1}},
               {"ngram_indexes", Ints{0, 1}}, {"pool_int64s", Ints{1, 2, 3, 4}}})
        .output("y");
    expect_run_error(g.build(), {{"x", Tensor::from_vector<int64_t>({4}, {1, 2, 3, 4})}}, "does not split");
  }
  {
    GraphBuilder g(11);  // DynamicQuantizeLinear of a NaN
    g.input("x", DType::Float32, Shape{2}).node("DynamicQuantizeLinear", {"x"}, {"y", "s", "zp"}).output("y");
    expect_run_error(g.build(), {{"x", Tensor::from_vector<float>({2}, {1.0f, std::nanf("")})}}, "non-finite");
  }
}

TEST(NumericOpsKernels, DeterminantMatchesLeibnizExpansion) {
  for (int64_t m : {1, 2, 3, 5}) {
    Tensor x = randn({4, m, m}, default_generator(), DType::Float64), lu({4}, DType::Float64), ref({4}, DType::Float64);
    kernels::determinant(x, lu);
    kernels::determinant_reference(x, ref);
    EXPECT_LT(testing::max_relative_error(lu, ref), 1e-12) << m;
  }
  Tensor singular = Tensor::from_vector<float>({2, 2}, {1, 2, 2, 4}), y({}, DType::Float32);
  kernels::determinant(singular, y);
  EXPECT_EQ(y.data<float>()[0], 0.0f);
}

}  // namespace
}  // namespace flowonnx
