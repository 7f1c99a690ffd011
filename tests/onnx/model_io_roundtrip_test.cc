// IR -> ModelProto -> IR keeps every node, attribute kind, type and initializer byte, and what we
// write passes libonnx's checker and strict shape inference.
#include <gtest/gtest.h>

#include <cstring>

#include "onnx/model_io.h"
#include "onnx/model_io_test_util.h"
#include "tensor/half.h"

namespace flowonnx::onnx_io {
namespace {

using namespace testing;
using ir::Dim;
using ir::ValueType;

// Deterministic bytes for any dtype (bools stay 0/1).
Tensor patterned(const Shape& shape, DType dtype, int seed) {
  Tensor tensor(shape, dtype);
  auto* bytes = static_cast<uint8_t*>(tensor.raw_data());
  for (size_t i = 0; i < tensor.nbytes(); ++i)
    bytes[i] = dtype == DType::Bool ? (i + seed) % 3 == 0 : static_cast<uint8_t>(i * 37 + seed);
  if (dtype ==
      DType::Float32) {  // real numbers, not NaN patterns: the checker does not care, we do
    float* values = tensor.data<float>();
    for (int64_t i = 0; i < tensor.num_elements(); ++i)
      values[i] = 0.01f * static_cast<float>((i * 7 + seed) % 50) - 0.2f;
  }
  return tensor;
}

// x:f32[N,3,8,8] -> Conv(stride 2, pad 1) -> Relu -> Flatten -> Gemm -> y:f32[N,10], plus a
// Constant (floats), a ConstantOfShape (float16 tensor attribute), a custom-domain node with a
// strings attribute, and unused initializers of every other dtype.
Model cnn_model() {
  Model model;
  ir::Graph& g = model.graph;
  g.name = "TinyCnn";
  g.opset_imports = {{"", 17}, {"com.example", 1}};
  g.inputs = {"x"};
  g.set_type("x", ValueType{DType::Float32,
                            std::vector<Dim>{Dim::named("N"), Dim::of(3), Dim::of(8), Dim::of(8)}});
  g.set_initializer("conv.weight", patterned({4, 3, 3, 3}, DType::Float32, 1));
  g.set_initializer("conv.bias", patterned({4}, DType::Float32, 2));
  g.set_initializer("fc.weight", patterned({10, 64}, DType::Float32, 3));
  g.set_initializer("fc.bias", patterned({10}, DType::Float32, 4));
  g.set_initializer("shape", Tensor::from_vector<int64_t>({2}, {2, 3}));
  g.set_initializer("extra.f16", patterned({5}, DType::Float16, 5));
  g.set_initializer("extra.bool", patterned({7}, DType::Bool, 6));
  g.set_initializer("extra.f64", patterned({2, 2}, DType::Float64, 7));
  g.set_initializer("extra.i8", patterned({3}, DType::Int8, 8));
  g.set_initializer("extra.u8", patterned({3}, DType::UInt8, 9));
  g.set_initializer("extra.i16", patterned({3}, DType::Int16, 10));
  g.set_initializer("extra.i32", patterned({3}, DType::Int32, 11));
  g.set_initializer("extra.scalar", Tensor::scalar<float>(2.5f));
  g.set_initializer("extra.empty", Tensor({0, 4}, DType::Float32));

  auto typed = [&](const std::string& value, DType dtype, std::vector<Dim> dims) {
    g.set_type(value, ValueType{dtype, std::move(dims)});
  };
  g.add_node({"conv1",
              "",
              "Conv",
              {"x", "conv.weight", "conv.bias"},
              {"conv_out"},
              {{"kernel_shape", std::vector<int64_t>{3, 3}},
               {"strides", std::vector<int64_t>{2, 2}},
               {"pads", std::vector<int64_t>{1, 1, 1, 1}},
               {"dilations", std::vector<int64_t>{1, 1}},
               {"group", int64_t{1}},
               {"auto_pad", std::string("NOTSET")}}});
  typed("conv_out", DType::Float32, {Dim::named("N"), Dim::of(4), Dim::of(4), Dim::of(4)});
  g.add_node({"relu1", "", "Relu", {"conv_out"}, {"relu_out"}, {}});
  typed("relu_out", DType::Float32, {Dim::named("N"), Dim::of(4), Dim::of(4), Dim::of(4)});
  g.add_node({"flatten", "", "Flatten", {"relu_out"}, {"flat"}, {{"axis", int64_t{1}}}});
  typed("flat", DType::Float32, {Dim::named("N"), Dim::of(64)});
  g.add_node({"fc",
              "",
              "Gemm",
              {"flat", "fc.weight", "fc.bias"},
              {"y"},
              {{"alpha", 0.5}, {"beta", 1.25}, {"transB", int64_t{1}}}});
  typed("y", DType::Float32, {Dim::named("N"), Dim::of(10)});

  g.add_node({"consts",
              "",
              "Constant",
              {},
              {"c"},
              {{"value_floats", std::vector<double>{0.5, -0.25, 3.0}}}});
  typed("c", DType::Float32, {Dim::of(3)});
  g.add_node({"fill",
              "",
              "ConstantOfShape",
              {"shape"},
              {"filled"},
              {{"value", Tensor::from_vector<Float16>({1}, {Float16{float_to_half_bits(1.5f)}})}}});
  typed("filled", DType::Float16, {Dim::of(2), Dim::of(3)});
  g.add_node({"tag",
              "com.example",
              "Tag",
              {"x", ""},
              {"tagged"},
              {{"labels", std::vector<std::string>{"cat", "dog", ""}},
               {"note", std::string("hi")},
               {"scale", 0.125},
               {"empty_ints", std::vector<int64_t>{}}}});
  // Rank unknown; not a graph output, where ONNX 1.12's checker insists on a shape.
  g.set_type("tagged", ValueType{DType::Float32, std::nullopt});
  g.outputs = {"y", "c", "filled"};
  g.verify();
  model.metadata = {{"source", "unit test"}};
  model.doc_string = "round trip";
  return model;
}

void expect_same_tensor(const Tensor& a, const Tensor& b, const std::string& what) {
  ASSERT_EQ(a.dtype(), b.dtype()) << what;
  ASSERT_EQ(a.shape(), b.shape()) << what;
  EXPECT_EQ(0, a.nbytes() ? std::memcmp(a.raw_data(), b.raw_data(), a.nbytes()) : 0) << what;
}

void expect_same_graph(const ir::Graph& a, const ir::Graph& b) {
  EXPECT_EQ(a.to_text(), b.to_text());
  EXPECT_EQ(a.name, b.name);
  EXPECT_EQ(a.inputs, b.inputs);
  EXPECT_EQ(a.outputs, b.outputs);
  EXPECT_EQ(a.opset_imports, b.opset_imports);
  EXPECT_EQ(a.types(), b.types());
  ASSERT_EQ(a.initializers().size(), b.initializers().size());
  for (const auto& [name, tensor] : a.initializers()) {
    ASSERT_TRUE(b.is_initializer(name)) << name;
    expect_same_tensor(tensor, b.initializer(name), name);
  }
  ASSERT_EQ(a.nodes().size(), b.nodes().size());
  for (size_t i = 0; i < a.nodes().size(); ++i) {
    const ir::Node& x = *a.nodes()[i];
    const ir::Node& y = *b.nodes()[i];
    EXPECT_EQ(x.name, y.name);
    EXPECT_EQ(x.domain, y.domain);
    EXPECT_EQ(x.inputs, y.inputs);
    EXPECT_EQ(x.outputs, y.outputs);
    ASSERT_EQ(x.attrs.values().size(), y.attrs.values().size()) << x.name;
    for (const auto& [key, value] : x.attrs) {
      const ir::AttrValue& other = y.attrs.get(key);
      ASSERT_EQ(value.index(), other.index()) << x.name << "." << key;
      if (const Tensor* tensor = std::get_if<Tensor>(&value))
        expect_same_tensor(*tensor, std::get<Tensor>(other), x.name + "." + key);
      else
        EXPECT_EQ(ir::attr_to_string(value), ir::attr_to_string(other)) << x.name << "." << key;
    }
  }
}

TEST(ModelIoRoundTrip, SerializeThenParseGivesTheSameGraph) {
  Model model = cnn_model();
  Model back = parse_model(serialize_model(model), ".", "roundtrip.onnx");
  expect_same_graph(model.graph, back.graph);
  EXPECT_EQ(back.ir_version, 8);
  EXPECT_EQ(back.producer_name, "flowonnx");
  EXPECT_EQ(back.metadata, model.metadata);
  EXPECT_EQ(back.doc_string, "round trip");
  EXPECT_TRUE(back.overridable_initializers.empty());
  // Serialising again gives the same bytes: nothing is lost or reordered.
  EXPECT_EQ(serialize_model(back), serialize_model(model));
}

TEST(ModelIoRoundTrip, SavedModelPassesTheOnnxChecker) {
  ScratchDir dir;
  Model model = cnn_model();
  save_model(model, dir / "model.onnx");
  check_model_with_onnx(dir / "model.onnx");
  expect_same_graph(model.graph, load_model(dir / "model.onnx").graph);
}

TEST(ModelIoRoundTrip, CheckerRejectsABrokenModel) {
  ScratchDir dir;
  Model model = cnn_model();
  model.graph.nodes()[0]->attrs.set("kernel_size",
                                    std::vector<int64_t>{3, 3});  // no such Conv attribute
  save_model(model, dir / "bad.onnx");
  expect_error([&] { check_model_with_onnx(dir / "bad.onnx"); }, ErrorCode::InvalidModel,
               "kernel_size");
  // A declared type that contradicts inference fails the strict shape inference.
  Model mistyped = cnn_model();
  mistyped.graph.set_type(
      "flat", ValueType{DType::Float32, std::vector<Dim>{Dim::named("N"), Dim::of(63)}});
  save_model(mistyped, dir / "mistyped.onnx");
  expect_error([&] { check_model_with_onnx(dir / "mistyped.onnx"); }, ErrorCode::InvalidModel,
               "ONNX checker");
}

TEST(ModelIoRoundTrip, FloatAttributesAreStoredAsFloat32) {
  Model model = cnn_model();
  model.graph.nodes()[3]->attrs.set("alpha", 1e-5);
  Model back = parse_model(serialize_model(model), ".", "m.onnx");
  EXPECT_EQ(back.graph.nodes()[3]->attrs.get_float("alpha"), static_cast<double>(1e-5f));
}

TEST(ModelIoRoundTrip, InitializerListedAsInputIsOverridable) {
  ::onnx::ModelProto proto = add_model();
  set_tensor_type(proto.mutable_graph()->add_input(), "w", ::onnx::TensorProto::FLOAT, {2});
  Model model = parse_proto(proto);
  EXPECT_EQ(model.graph.inputs, std::vector<std::string>{"x"});
  EXPECT_TRUE(model.graph.is_initializer("w"));
  EXPECT_EQ(model.overridable_initializers, std::set<std::string>{"w"});
  EXPECT_EQ(model.graph.initializer("w").to_double_vector(), (std::vector<double>{1.5, -2.0}));
  Model back = parse_model(serialize_model(model), ".", "m.onnx");
  EXPECT_EQ(back.overridable_initializers, std::set<std::string>{"w"});
  EXPECT_EQ(back.graph.inputs, std::vector<std::string>{"x"});
}

TEST(ModelIoRoundTrip, TypedDataFieldsAreRead) {
  ::onnx::ModelProto proto = add_model();
  auto* graph = proto.mutable_graph();
  auto add = [&](const std::string& name, int type, int64_t n) {
    auto* t = graph->add_initializer();
    t->set_name(name);
    t->set_data_type(type);
    t->add_dims(n);
    return t;
  };
  auto* f16 = add("f16", ::onnx::TensorProto::FLOAT16, 2);
  f16->add_int32_data(float_to_half_bits(1.0f));
  f16->add_int32_data(float_to_half_bits(-0.5f));
  auto* b = add("b", ::onnx::TensorProto::BOOL, 3);
  for (int v : {1, 0, 5}) b->add_int32_data(v);
  auto* i8 = add("i8", ::onnx::TensorProto::INT8, 2);
  for (int v : {-7, 100}) i8->add_int32_data(v);
  auto* u8 = add("u8", ::onnx::TensorProto::UINT8, 2);
  for (int v : {0, 255}) u8->add_int32_data(v);
  auto* i64 = add("i64", ::onnx::TensorProto::INT64, 2);
  for (int64_t v : {int64_t{1} << 40, int64_t{-3}}) i64->add_int64_data(v);
  auto* f64 = add("f64", ::onnx::TensorProto::DOUBLE, 1);
  f64->add_double_data(0.1);
  auto* raw_bool = add("raw_bool", ::onnx::TensorProto::BOOL, 2);
  raw_bool->set_raw_data(std::string("\x00\x07", 2));  // any nonzero byte is true, stored as 1

  ir::Graph g = parse_proto(proto).graph;
  EXPECT_EQ(g.initializer("f16").to_double_vector(), (std::vector<double>{1.0, -0.5}));
  EXPECT_EQ(g.initializer("b").to_double_vector(), (std::vector<double>{1, 0, 1}));
  EXPECT_EQ(g.initializer("i8").to_double_vector(), (std::vector<double>{-7, 100}));
  EXPECT_EQ(g.initializer("u8").to_double_vector(), (std::vector<double>{0, 255}));
  EXPECT_EQ(g.initializer("i64").data<int64_t>()[0], int64_t{1} << 40);
  EXPECT_EQ(g.initializer("f64").to_double_vector(), std::vector<double>{0.1});
  EXPECT_EQ(static_cast<const uint8_t*>(g.initializer("raw_bool").raw_data())[1], 1);
}

TEST(ModelIoRoundTrip, ValueTypesKeepSymbolsUnknownDimsAndUnknownRank) {
  ::onnx::ModelProto proto = add_model();
  auto* graph = proto.mutable_graph();
  auto* x = graph->mutable_input(0)->mutable_type()->mutable_tensor_type()->mutable_shape();
  x->clear_dim();
  x->add_dim()->set_dim_param("batch");
  x->add_dim();  // neither value nor param
  graph->mutable_output(0)->mutable_type()->mutable_tensor_type()->clear_shape();
  graph->mutable_node(0)->clear_name();
  graph->mutable_node(0)->set_domain("ai.onnx");
  proto.mutable_opset_import(0)->set_domain("ai.onnx");
  ir::Graph g = parse_proto(proto).graph;
  EXPECT_EQ(g.type("x").to_string(), "f32[batch,?]");
  EXPECT_EQ(g.type("y").to_string(), "f32[*]");
  EXPECT_EQ(g.nodes()[0]->name, "node_0_Add");
  EXPECT_EQ(g.nodes()[0]->domain, "");
  EXPECT_EQ(g.opset_imports, (std::map<std::string, int64_t>{{"", 13}}));
}

TEST(ModelIoRoundTrip, TensorPbFilesRoundTrip) {
  ScratchDir dir;
  for (DType dtype : kAllDTypes) {
    Tensor tensor = patterned({2, 3}, dtype, 3);
    write_tensor_pb(dir / "t.pb", tensor, "t");
    expect_same_tensor(tensor, read_tensor_pb(dir / "t.pb"), std::string(dtype_name(dtype)));
  }
  write_tensor_pb(dir / "s.pb", Tensor::scalar<int64_t>(42));
  EXPECT_EQ(read_tensor_pb(dir / "s.pb").to_double_vector(), std::vector<double>{42});
  EXPECT_TRUE(read_tensor_pb(dir / "s.pb").shape().empty());
}

}  // namespace
}  // namespace flowonnx::onnx_io
