// Verifies the ONNX Runtime oracle itself: tiny models built directly with protobuf run in
// PyPI's onnxruntime and match values computed naively here; every dtype survives the .npy round
// trip through run_model.py; models ORT refuses surface ORT's own message; compare_tensors counts
// what it should. The oracle is a hard dependency: without it these tests fail (run
// scripts/setup.sh), they never skip.
#include <gtest/gtest.h>
#include <onnx/onnx_pb.h>
#include <sys/wait.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <iostream>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <limits>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "base/error.h"
#include "oracle/ort_oracle.h"
#include "tensor/half.h"
#include "tensor/npy.h"
#include "tensor/tensor.h"

namespace flowonnx {
namespace {

namespace fs = std::filesystem;
namespace oracle = flowonnx::testing;
using Feeds = std::vector<std::pair<std::string, Tensor>>;

// ---- building models with protobuf -----------------------------------------------------------

void add_value(::onnx::ValueInfoProto* value, const std::string& name, int elem_type,
               const Shape& dims) {
  value->set_name(name);
  auto* tensor_type = value->mutable_type()->mutable_tensor_type();
  tensor_type->set_elem_type(elem_type);
  auto* shape = tensor_type->mutable_shape();
  for (int64_t d : dims) shape->add_dim()->set_dim_value(d);
}

void add_input(::onnx::GraphProto* graph, const std::string& name, int elem_type, const Shape& dims) {
  add_value(graph->add_input(), name, elem_type, dims);
}

void add_output(::onnx::GraphProto* graph, const std::string& name, int elem_type, const Shape& dims) {
  add_value(graph->add_output(), name, elem_type, dims);
}

void add_float_initializer(::onnx::GraphProto* graph, const std::string& name, const Shape& dims,
                           const std::vector<float>& values) {
  ::onnx::TensorProto* tensor = graph->add_initializer();
  tensor->set_name(name);
  tensor->set_data_type(::onnx::TensorProto_DataType_FLOAT);
  for (int64_t d : dims) tensor->add_dims(d);
  for (float v : values) tensor->add_float_data(v);
}

::onnx::NodeProto* add_node(::onnx::GraphProto* graph, const std::string& op,
                            const std::vector<std::string>& inputs,
                            const std::vector<std::string>& outputs) {
  ::onnx::NodeProto* node = graph->add_node();
  node->set_op_type(op);
  node->set_name(op + "_" + std::to_string(graph->node_size()));
  for (const auto& in : inputs) node->add_input(in);
  for (const auto& out : outputs) node->add_output(out);
  return node;
}

void set_ints(::onnx::NodeProto* node, const std::string& name, const std::vector<int64_t>& values) {
  ::onnx::AttributeProto* attr = node->add_attribute();
  attr->set_name(name);
  attr->set_type(::onnx::AttributeProto_AttributeType_INTS);
  for (int64_t v : values) attr->add_ints(v);
}

::onnx::ModelProto make_model(const ::onnx::GraphProto& graph, int opset) {
  ::onnx::ModelProto model;
  model.set_ir_version(::onnx::IR_VERSION);
  model.set_producer_name("flowonnx-oracle-test");
  auto* import = model.add_opset_import();
  import->set_domain("");
  import->set_version(opset);
  *model.mutable_graph() = graph;
  return model;
}

// Deterministic values in [-1, 1).
std::vector<float> pseudo_random(size_t count, uint32_t seed) {
  std::vector<float> values(count);
  uint32_t state = seed * 2654435761u + 1;
  for (float& v : values) {
    state = state * 1664525u + 1013904223u;
    v = static_cast<float>(state >> 8) / static_cast<float>(1u << 24) * 2.0f - 1.0f;
  }
  return values;
}

class OracleTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (fs::temp_directory_path() / "flowonnx_oracle_test_XXXXXX").string();
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
  }
  void TearDown() override {
    std::error_code ignored;
    fs::remove_all(dir_, ignored);
  }

  fs::path save(const ::onnx::ModelProto& model, const std::string& name) {
    fs::path path = dir_ / name;
    std::ofstream out(path, std::ios::binary);
    EXPECT_TRUE(model.SerializeToOstream(&out));
    return path;
  }

  // Y = Relu(MatMul(X, W) + B), X [2,3], W [3,4], B [4].
  fs::path matmul_model() {
    ::onnx::GraphProto graph;
    graph.set_name("matmul_add_relu");
    add_input(&graph, "X", ::onnx::TensorProto_DataType_FLOAT, {2, 3});
    add_float_initializer(&graph, "W", {3, 4}, w_);
    add_float_initializer(&graph, "B", {4}, b_);
    add_node(&graph, "MatMul", {"X", "W"}, {"XW"});
    add_node(&graph, "Add", {"XW", "B"}, {"XWB"});
    add_node(&graph, "Relu", {"XWB"}, {"Y"});
    add_output(&graph, "Y", ::onnx::TensorProto_DataType_FLOAT, {2, 4});
    return save(make_model(graph, 13), "matmul.onnx");
  }

  std::vector<float> matmul_expected(const std::vector<float>& x) const {
    std::vector<float> y(8);
    for (int i = 0; i < 2; ++i)
      for (int j = 0; j < 4; ++j) {
        double sum = b_[j];
        for (int k = 0; k < 3; ++k) sum += double{x[i * 3 + k]} * w_[k * 4 + j];
        y[i * 4 + j] = static_cast<float>(std::max(sum, 0.0));
      }
    return y;
  }

  fs::path dir_;
  std::vector<float> w_ = {0.5f, -1.0f, 2.0f, 0.25f, 1.5f, 0.0f, -0.5f, 1.0f, -2.0f, 3.0f, 0.75f, -0.25f};
  std::vector<float> b_ = {0.1f, -0.2f, 0.3f, -5.0f};
};

TEST(OracleSetup, OnnxRuntimeIsInstalled) {
  ASSERT_TRUE(oracle::onnxruntime_available()) << oracle::onnxruntime_missing_message();
  EXPECT_TRUE(fs::exists(oracle::oracle_dir() / "run_model.py"));
  EXPECT_TRUE(fs::exists(oracle::oracle_dir() / "bench_model.py"));
}

TEST_F(OracleTest, MatMulAddReluMatchesNaive) {
  std::vector<float> x = {1.0f, 2.0f, -3.0f, 0.5f, -0.25f, 4.0f};
  std::vector<std::string> names;
  std::vector<Tensor> out = oracle::run_onnxruntime(
      matmul_model(), {{"X", Tensor::from_vector<float>({2, 3}, x)}}, {}, &names);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(names, std::vector<std::string>{"Y"});
  Tensor expected = Tensor::from_vector<float>({2, 4}, matmul_expected(x));
  oracle::CompareResult cmp = oracle::compare_tensors(out[0], expected, 1e-6, 1e-6);
  EXPECT_TRUE(cmp.ok()) << cmp;
  // Relu zeroed some entries: the expected values are not trivially positive.
  EXPECT_GT(std::count(expected.data<float>(), expected.data<float>() + 8, 0.0f), 0);
}

TEST_F(OracleTest, OptimizationLevelsAndThreadsAgree) {
  fs::path model = matmul_model();
  Feeds feeds = {{"X", Tensor::from_vector<float>({2, 3}, pseudo_random(6, 7))}};
  Tensor expected = Tensor::from_vector<float>({2, 4}, matmul_expected(pseudo_random(6, 7)));
  for (const char* level : {"disabled", "basic", "extended", "all"}) {
    for (int threads : {0, 1, 2}) {
      oracle::OrtOptions options;
      options.optimization = level;
      options.threads = threads;
      std::vector<Tensor> out = oracle::run_onnxruntime(model, feeds, options);
      ASSERT_EQ(out.size(), 1u);
      oracle::CompareResult cmp = oracle::compare_tensors(out[0], expected, 1e-6, 1e-6);
      EXPECT_TRUE(cmp.ok()) << level << " threads " << threads << ": " << cmp;
      if (threads == 0) break;  // thread counts only once per level keeps the test quick
    }
  }
}

TEST_F(OracleTest, ConvMatchesNaive) {
  // X [1,2,6,5], W [3,2,3,3], B [3], strides [2,1], pads [1,1,1,1], dilations 1.
  const int n = 1, c = 2, h = 6, w = 5, m = 3, kh = 3, kw = 3, sh = 2, sw = 1, ph = 1, pw = 1;
  const int oh = (h + 2 * ph - kh) / sh + 1, ow = (w + 2 * pw - kw) / sw + 1;
  std::vector<float> x = pseudo_random(n * c * h * w, 1);
  std::vector<float> wt = pseudo_random(m * c * kh * kw, 2);
  std::vector<float> b = pseudo_random(m, 3);

  ::onnx::GraphProto graph;
  graph.set_name("conv");
  add_input(&graph, "input", ::onnx::TensorProto_DataType_FLOAT, {n, c, h, w});
  add_float_initializer(&graph, "weight", {m, c, kh, kw}, wt);
  add_float_initializer(&graph, "bias", {m}, b);
  ::onnx::NodeProto* conv = add_node(&graph, "Conv", {"input", "weight", "bias"}, {"output"});
  set_ints(conv, "kernel_shape", {kh, kw});
  set_ints(conv, "strides", {sh, sw});
  set_ints(conv, "pads", {ph, pw, ph, pw});
  add_output(&graph, "output", ::onnx::TensorProto_DataType_FLOAT, {n, m, oh, ow});
  fs::path model = save(make_model(graph, 13), "conv.onnx");

  std::vector<float> expected(n * m * oh * ow);
  for (int oc = 0; oc < m; ++oc)
    for (int oy = 0; oy < oh; ++oy)
      for (int ox = 0; ox < ow; ++ox) {
        double sum = b[oc];
        for (int ic = 0; ic < c; ++ic)
          for (int ky = 0; ky < kh; ++ky)
            for (int kx = 0; kx < kw; ++kx) {
              int iy = oy * sh - ph + ky, ix = ox * sw - pw + kx;
              if (iy < 0 || iy >= h || ix < 0 || ix >= w) continue;
              sum += double{x[(ic * h + iy) * w + ix]} * wt[((oc * c + ic) * kh + ky) * kw + kx];
            }
        expected[(oc * oh + oy) * ow + ox] = static_cast<float>(sum);
      }

  std::vector<Tensor> out =
      oracle::run_onnxruntime(model, {{"input", Tensor::from_vector<float>({n, c, h, w}, x)}});
  ASSERT_EQ(out.size(), 1u);
  oracle::CompareResult cmp = oracle::compare_tensors(
      out[0], Tensor::from_vector<float>({n, m, oh, ow}, expected), 1e-5, 1e-5);
  EXPECT_TRUE(cmp.ok()) << cmp;
  EXPECT_EQ(out[0].shape(), (Shape{1, 3, 3, 5}));
}

// Every flowonnx dtype, a scalar and an empty tensor travel C++ -> .npy -> ORT -> .npy -> C++
// unchanged; outputs come back in the graph's output order (not the input order) with names.
TEST_F(OracleTest, EveryDtypeRoundTripsInOutputOrder) {
  struct Case {
    std::string name;
    int elem_type;
    Tensor value;
  };
  std::vector<Float16> halves;
  for (float f : {1.0f, -2.5f, 65504.0f, 0.000061035156f, std::numeric_limits<float>::infinity()})
    halves.push_back(Float16{float_to_half_bits(f)});
  std::vector<Case> cases = {
      {"f32", ::onnx::TensorProto_DataType_FLOAT,
       Tensor::from_vector<float>({2, 3}, {1.5f, -0.0f, 3e38f, 1e-40f, -7.25f, 0.1f})},
      {"f64_scalar", ::onnx::TensorProto_DataType_DOUBLE, Tensor::scalar<double>(0.1 + 1e-17)},
      {"f16", ::onnx::TensorProto_DataType_FLOAT16, Tensor::from_vector<Float16>({5}, halves)},
      {"i8", ::onnx::TensorProto_DataType_INT8, Tensor::from_vector<int8_t>({3}, {-128, 0, 127})},
      {"i16", ::onnx::TensorProto_DataType_INT16, Tensor::from_vector<int16_t>({2}, {-32768, 32767})},
      {"i32", ::onnx::TensorProto_DataType_INT32,
       Tensor::from_vector<int32_t>({2, 1}, {std::numeric_limits<int32_t>::min(), 42})},
      {"i64", ::onnx::TensorProto_DataType_INT64,
       Tensor::from_vector<int64_t>({3}, {std::numeric_limits<int64_t>::min(), (int64_t{1} << 53) + 1,
                                          std::numeric_limits<int64_t>::max()})},
      {"i64_empty", ::onnx::TensorProto_DataType_INT64, Tensor::zeros({0, 3}, DType::Int64)},
      {"u8", ::onnx::TensorProto_DataType_UINT8, Tensor::from_vector<uint8_t>({4}, {0, 1, 128, 255})},
      {"b", ::onnx::TensorProto_DataType_BOOL, Tensor::from_vector<bool>({2, 2}, {true, false, false, true})},
  };
  ::onnx::GraphProto graph;
  graph.set_name("identities");
  Feeds feeds;
  for (const Case& item : cases) {
    add_input(&graph, item.name, item.elem_type, item.value.shape());
    add_node(&graph, "Identity", {item.name}, {"out_" + item.name});
    feeds.emplace_back(item.name, item.value);
  }
  for (size_t i = cases.size(); i-- > 0;)  // outputs in reverse order
    add_output(&graph, "out_" + cases[i].name, cases[i].elem_type, cases[i].value.shape());
  fs::path model = save(make_model(graph, 13), "identities.onnx");

  std::vector<std::string> names;
  std::vector<Tensor> out = oracle::run_onnxruntime(model, feeds, {}, &names);
  ASSERT_EQ(out.size(), cases.size());
  for (size_t i = 0; i < cases.size(); ++i) {
    const Case& item = cases[cases.size() - 1 - i];
    EXPECT_EQ(names[i], "out_" + item.name);
    ASSERT_EQ(out[i].dtype(), item.value.dtype()) << item.name;
    ASSERT_EQ(out[i].shape(), item.value.shape()) << item.name;
    ASSERT_EQ(out[i].nbytes(), item.value.nbytes()) << item.name;
    EXPECT_EQ(std::memcmp(out[i].raw_data(), item.value.raw_data(), item.value.nbytes()), 0)
        << item.name << ": " << out[i].describe();
  }
}

// Values ORT computes (not just copies) in int64 and bool come back with their dtypes.
TEST_F(OracleTest, ComputedInt64AndBoolOutputs) {
  ::onnx::GraphProto graph;
  graph.set_name("shape_greater");
  add_input(&graph, "X", ::onnx::TensorProto_DataType_FLOAT, {2, 3, 4});
  add_float_initializer(&graph, "zero", {}, {0.0f});
  add_node(&graph, "Shape", {"X"}, {"shape"});
  add_node(&graph, "Greater", {"X", "zero"}, {"positive"});
  add_output(&graph, "shape", ::onnx::TensorProto_DataType_INT64, {3});
  add_output(&graph, "positive", ::onnx::TensorProto_DataType_BOOL, {2, 3, 4});
  fs::path model = save(make_model(graph, 13), "shape_greater.onnx");

  std::vector<float> x = pseudo_random(24, 11);
  std::vector<Tensor> out =
      oracle::run_onnxruntime(model, {{"X", Tensor::from_vector<float>({2, 3, 4}, x)}});
  ASSERT_EQ(out.size(), 2u);
  EXPECT_TRUE(oracle::compare_tensors(out[0], Tensor::from_vector<int64_t>({3}, {2, 3, 4}), 0, 0).ok());
  std::vector<bool> positive;
  for (float v : x) positive.push_back(v > 0);
  oracle::CompareResult cmp =
      oracle::compare_tensors(out[1], Tensor::from_vector<bool>({2, 3, 4}, positive), 0, 0);
  EXPECT_TRUE(cmp.ok()) << cmp;
}

// The oneflow-onnx bug flowonnx avoids: Range exists only from opset 11, so a model that
// declares opset 10 and uses Range is invalid; ORT refuses it and the oracle reports ORT's words.
TEST_F(OracleTest, RefusedModelThrowsWithOrtMessage) {
  ::onnx::GraphProto graph;
  graph.set_name("range_opset10");
  add_input(&graph, "start", ::onnx::TensorProto_DataType_FLOAT, {});
  add_input(&graph, "limit", ::onnx::TensorProto_DataType_FLOAT, {});
  add_input(&graph, "delta", ::onnx::TensorProto_DataType_FLOAT, {});
  add_node(&graph, "Range", {"start", "limit", "delta"}, {"range"});
  add_output(&graph, "range", ::onnx::TensorProto_DataType_FLOAT, {-1});
  graph.mutable_output(0)->mutable_type()->mutable_tensor_type()->mutable_shape()->mutable_dim(0)
      ->set_dim_param("n");
  fs::path model = save(make_model(graph, 10), "range_opset10.onnx");
  Feeds feeds = {{"start", Tensor::scalar<float>(0)},
                 {"limit", Tensor::scalar<float>(5)},
                 {"delta", Tensor::scalar<float>(1)}};
  try {
    oracle::run_onnxruntime(model, feeds);
    FAIL() << "ONNX Runtime accepted Range at opset 10";
  } catch (const Error& error) {
    std::string message = error.what();
    EXPECT_NE(message.find("Range"), std::string::npos) << message;
    EXPECT_NE(message.find("range_opset10.onnx"), std::string::npos) << message;
    EXPECT_NE(message.find("run_model.py:"), std::string::npos) << message;  // the script's stderr
    std::cout << "ORT's message: " << message << "\n";
  }
  // The same graph at opset 11 is valid and runs.
  std::vector<Tensor> out = oracle::run_onnxruntime(save(make_model(graph, 11), "range11.onnx"), feeds);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_TRUE(oracle::compare_tensors(out[0], Tensor::from_vector<float>({5}, {0, 1, 2, 3, 4}), 0, 0).ok());
}

TEST_F(OracleTest, RunFailuresThrow) {
  fs::path model = matmul_model();
  // Wrong input shape: ORT's own validation message.
  EXPECT_THROW(oracle::run_onnxruntime(model, {{"X", Tensor::zeros({3, 3})}}), Error);
  // Wrong dtype.
  EXPECT_THROW(oracle::run_onnxruntime(model, {{"X", Tensor::zeros({2, 3}, DType::Float64)}}), Error);
  // Unknown input name: run_model.py lists the real ones.
  try {
    oracle::run_onnxruntime(model, {{"nope", Tensor::zeros({2, 3})}});
    FAIL() << "unknown input accepted";
  } catch (const Error& error) {
    EXPECT_NE(std::string(error.what()).find("inputs: X"), std::string::npos) << error.what();
  }
  // Missing model file.
  EXPECT_THROW(oracle::run_onnxruntime(dir_ / "missing.onnx", {}), Error);
  // Not a model at all.
  { std::ofstream(dir_ / "garbage.onnx") << "not a protobuf"; }
  EXPECT_THROW(oracle::run_onnxruntime(dir_ / "garbage.onnx", {}), Error);
}

TEST_F(OracleTest, TemporaryFoldersAreRemoved) {
  fs::path model = matmul_model();
  fs::path private_tmp = dir_ / "tmp";
  fs::create_directories(private_tmp);
  const char* old = std::getenv("TMPDIR");
  std::string saved = old ? old : "";
  ::setenv("TMPDIR", private_tmp.c_str(), 1);
  oracle::run_onnxruntime(model, {{"X", Tensor::zeros({2, 3})}});
  EXPECT_THROW(oracle::run_onnxruntime(model, {{"X", Tensor::zeros({5})}}), Error);
  if (old)
    ::setenv("TMPDIR", saved.c_str(), 1);
  else
    ::unsetenv("TMPDIR");
  // (ORT's telemetry could leave mat-debug-<pid>.log and .ses here; the scripts disable it.)
  for (const auto& entry : fs::directory_iterator(private_tmp))
    ADD_FAILURE() << "left behind: " << entry.path();
}

// run_model.py reads .npy format 2.0 and 3.0 headers too (numpy writes them for huge headers).
TEST_F(OracleTest, RunModelReadsNpyVersion2And3) {
  ASSERT_TRUE(oracle::onnxruntime_available()) << oracle::onnxruntime_missing_message();
  fs::path model = matmul_model();
  std::vector<float> x = pseudo_random(6, 5);
  for (int version : {2, 3}) {
    std::string dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }";
    size_t total = (12 + dict.size() + 1 + 63) / 64 * 64;
    std::string header = dict + std::string(total - 12 - dict.size() - 1, ' ') + "\n";
    std::string bytes = "\x93NUMPY";
    bytes += static_cast<char>(version);
    bytes += '\0';
    uint32_t len = static_cast<uint32_t>(header.size());
    for (int i = 0; i < 4; ++i) bytes += static_cast<char>((len >> (8 * i)) & 0xff);
    bytes += header;
    bytes.append(reinterpret_cast<const char*>(x.data()), x.size() * sizeof(float));
    fs::path in = dir_ / ("x_v" + std::to_string(version) + ".npy");
    { std::ofstream(in, std::ios::binary) << bytes; }
    fs::path out = dir_ / ("out_v" + std::to_string(version));
    std::string command = "'" + oracle::oracle_python() + "' '" +
                          (oracle::oracle_dir() / "run_model.py").string() + "' '" +
                          model.string() + "' '" + out.string() + "' 'X=" + in.string() + "'";
    ASSERT_EQ(std::system(command.c_str()), 0) << command;
    Tensor y = read_npy(out / "0.npy");
    oracle::CompareResult cmp = oracle::compare_tensors(
        y, Tensor::from_vector<float>({2, 4}, matmul_expected(x)), 1e-6, 1e-6);
    EXPECT_TRUE(cmp.ok()) << "version " << version << ": " << cmp;
  }
}

TEST_F(OracleTest, BenchScriptPrintsJson) {
  ASSERT_TRUE(oracle::onnxruntime_available()) << oracle::onnxruntime_missing_message();
  fs::path model = matmul_model();
  // With an explicit shape, and with the shape taken from the model (static here).
  for (const char* input : {" --input X=2x3", ""}) {
    std::string command = "'" + oracle::oracle_python() + "' '" +
                          (oracle::oracle_dir() / "bench_model.py").string() + "' '" +
                          model.string() + "'" + input + " --threads 1 --warmup 1 --runs 3 2>&1";
    FILE* pipe = ::popen(command.c_str(), "r");
    ASSERT_NE(pipe, nullptr);
    std::string output;
    char buffer[256];
    while (size_t n = std::fread(buffer, 1, sizeof buffer, pipe)) output.append(buffer, n);
    int status = ::pclose(pipe);
    ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << command << "\n" << output;
    for (const char* key : {"\"session_create_ms\":", "\"median_ms\":", "\"min_ms\":", "\"runs\":3"})
      EXPECT_NE(output.find(key), std::string::npos) << key << " missing from " << output;
  }
}

// ONNX's own reference outputs (Debian libonnx-testdata): ORT through the oracle reproduces them.
// Float tensors only, which is what these cases use.
Tensor float_tensor_from_pb(const fs::path& file) {
  ::onnx::TensorProto proto;
  std::ifstream in(file, std::ios::binary);
  EXPECT_TRUE(proto.ParseFromIstream(&in)) << file;
  EXPECT_EQ(proto.data_type(), ::onnx::TensorProto_DataType_FLOAT) << file;
  Shape shape(proto.dims().begin(), proto.dims().end());
  Tensor tensor = Tensor::zeros(shape);
  if (!proto.raw_data().empty()) {
    EXPECT_EQ(proto.raw_data().size(), tensor.nbytes()) << file;
    std::memcpy(tensor.raw_data(), proto.raw_data().data(),
                std::min(tensor.nbytes(), proto.raw_data().size()));
  } else {
    EXPECT_EQ(proto.float_data_size(), tensor.num_elements()) << file;
    for (int i = 0; i < std::min<int64_t>(proto.float_data_size(), tensor.num_elements()); ++i)
      tensor.data<float>()[i] = proto.float_data(i);
  }
  return tensor;
}

TEST(OracleConformance, ReproducesOnnxReferenceOutputs) {
  const fs::path root = "/usr/share/libonnx-testdata/data/node";
  ASSERT_TRUE(fs::is_directory(root)) << root << " missing: install Debian's libonnx-testdata";
  for (const char* name : {"test_relu", "test_matmul_2d", "test_conv_with_strides_padding",
                           "test_gemm_default_matrix_bias", "test_softmax_axis_1",
                           "test_maxpool_2d_pads", "test_averagepool_2d_pads"}) {
    SCOPED_TRACE(name);
    const fs::path dir = root / name;
    ::onnx::ModelProto model;
    {
      std::ifstream in(dir / "model.onnx", std::ios::binary);
      ASSERT_TRUE(model.ParseFromIstream(&in));
    }
    Feeds feeds;
    for (int i = 0; i < model.graph().input_size(); ++i)
      feeds.emplace_back(model.graph().input(i).name(),
                         float_tensor_from_pb(dir / "test_data_set_0" / fmt::format("input_{}.pb", i)));
    std::vector<Tensor> out = oracle::run_onnxruntime(dir / "model.onnx", feeds);
    ASSERT_EQ(static_cast<int>(out.size()), model.graph().output_size());
    for (size_t i = 0; i < out.size(); ++i) {
      Tensor expected = float_tensor_from_pb(dir / "test_data_set_0" / fmt::format("output_{}.pb", i));
      oracle::CompareResult cmp = oracle::compare_tensors(out[i], expected, 1e-5, 1e-5);
      EXPECT_TRUE(cmp.ok()) << "output " << i << ": " << cmp;
    }
  }
}

// ---- compare_tensors -------------------------------------------------------------------------

TEST(CompareTensors, ToleranceAndCounts) {
  Tensor expected = Tensor::from_vector<float>({2, 2}, {1.0f, 100.0f, 0.0f, -3.0f});
  Tensor close = Tensor::from_vector<float>({2, 2}, {1.0005f, 100.05f, 0.0005f, -3.001f});
  oracle::CompareResult ok = oracle::compare_tensors(close, expected, 1e-3, 1e-3);
  EXPECT_TRUE(ok.ok()) << ok;
  EXPECT_NEAR(ok.max_abs, 0.05, 1e-4);
  EXPECT_TRUE(ok.worst.empty());

  Tensor off = Tensor::from_vector<float>({2, 2}, {1.0f, 101.0f, 0.5f, -3.0f});
  oracle::CompareResult bad = oracle::compare_tensors(off, expected, 1e-3, 1e-3);
  EXPECT_EQ(bad.mismatches, 2);
  EXPECT_NEAR(bad.max_abs, 1.0, 1e-6);
  EXPECT_NEAR(bad.max_rel, 0.01, 1e-6);  // the zero expectation does not count in max_rel
  // Worst = largest excess over the tolerance: [0, 1] exceeds by 1 - 0.101, [1, 0] by 0.5 - 0.001.
  EXPECT_NE(bad.worst.find("[0, 1]"), std::string::npos) << bad.worst;
  EXPECT_NE(oracle::to_string(bad).find("2 mismatches"), std::string::npos);
}

TEST(CompareTensors, ShapeAndDtypeMustAgree) {
  Tensor a = Tensor::zeros({2, 3});
  oracle::CompareResult shape = oracle::compare_tensors(a, Tensor::zeros({3, 2}), 1, 1);
  EXPECT_EQ(shape.mismatches, 6);
  EXPECT_NE(shape.worst.find("shape differs"), std::string::npos) << shape.worst;
  oracle::CompareResult dtype = oracle::compare_tensors(a, Tensor::zeros({2, 3}, DType::Float64), 1, 1);
  EXPECT_FALSE(dtype.ok());
  EXPECT_NE(dtype.worst.find("dtype differs"), std::string::npos) << dtype.worst;
  EXPECT_EQ(oracle::compare_tensors(a, Tensor::zeros({0}), 1, 1).mismatches, 1);
  EXPECT_FALSE(oracle::compare_tensors(Tensor(), a, 1, 1).ok());
}

TEST(CompareTensors, NanAndInfinity) {
  const float nan = std::numeric_limits<float>::quiet_NaN();
  const float inf = std::numeric_limits<float>::infinity();
  Tensor expected = Tensor::from_vector<float>({4}, {nan, inf, -inf, 1.0f});
  EXPECT_TRUE(oracle::compare_tensors(expected.clone(), expected, 0, 0).ok());
  Tensor actual = Tensor::from_vector<float>({4}, {0.0f, inf, inf, nan});
  oracle::CompareResult cmp = oracle::compare_tensors(actual, expected, 1, 1);
  EXPECT_EQ(cmp.mismatches, 3);
  EXPECT_TRUE(std::isinf(cmp.max_abs));
}

TEST(CompareTensors, IntegersCompareExactly) {
  const int64_t big = (int64_t{1} << 53) + 1;
  Tensor expected = Tensor::from_vector<int64_t>({2}, {big, 7});
  // big and big - 1 are the same double; the comparison must still see them differ.
  oracle::CompareResult cmp =
      oracle::compare_tensors(Tensor::from_vector<int64_t>({2}, {big - 1, 7}), expected, 0, 0);
  EXPECT_EQ(cmp.mismatches, 1);
  EXPECT_EQ(oracle::compare_tensors(Tensor::from_vector<int64_t>({2}, {big, 8}), expected, 0, 1).mismatches, 0);
  EXPECT_EQ(oracle::compare_tensors(Tensor::from_vector<bool>({2}, {true, false}),
                                    Tensor::from_vector<bool>({2}, {true, true}), 0, 0)
                .mismatches,
            1);
}

}  // namespace
}  // namespace flowonnx
