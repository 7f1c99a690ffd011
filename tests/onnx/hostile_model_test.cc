// Corrupt and hostile .onnx bytes: every one is refused with a flowonnx::Error that names the
// problem (or, for harmless bit flips, parsed) — never a crash, never an unbounded allocation.
#include <gtest/gtest.h>

#include "onnx/model_io.h"
#include "onnx/model_io_test_util.h"

namespace flowonnx::onnx_io {
namespace {

using namespace testing;

const fs::path kConvModel =
    "/usr/share/libonnx-testdata/data/node/test_conv_with_strides_padding/model.onnx";

std::string real_model_bytes() {
  if (fs::exists(kConvModel)) return read_bytes(kConvModel);
  return add_model().SerializeAsString();
}

TEST(HostileModel, EmptyFileIsNotAModel) {
  ScratchDir dir;
  write_bytes(dir / "empty.onnx", "");
  expect_error([&] { load_model(dir / "empty.onnx"); }, ErrorCode::InvalidModel,
               "empty.onnx: not an ONNX model (it has no graph)");
}

TEST(HostileModel, MissingFileIsAnIoError) {
  expect_error([] { load_model("/nonexistent/model.onnx"); }, ErrorCode::IoError,
               "/nonexistent/model.onnx");
}

TEST(HostileModel, RandomBytesAreRefused) {
  std::mt19937 rng(7);
  std::string bytes(4096, '\0');
  for (char& c : bytes) c = static_cast<char>(rng());
  expect_error([&] { parse_model(bytes, ".", "random.onnx"); }, ErrorCode::InvalidModel,
               "random.onnx: not a valid ONNX model (protobuf parse failed)");
}

TEST(HostileModel, TruncatedModelIsRefused) {
  std::string bytes = real_model_bytes();
  expect_error([&] { parse_model(bytes.substr(0, bytes.size() / 2), ".", "half.onnx"); },
               ErrorCode::InvalidModel, "half.onnx");
  // Every prefix: an error or (for prefixes ending between fields) a smaller model, never a crash.
  int refused = 0;
  for (size_t n = 0; n < bytes.size(); ++n) {
    try {
      parse_model(bytes.substr(0, n), ".", "prefix.onnx");
    } catch (const Error&) {
      ++refused;
    }
  }
  EXPECT_GT(refused, static_cast<int>(bytes.size() / 2));
}

TEST(HostileModel, BitFlipsNeverCrash) {
  std::string bytes = real_model_bytes();
  int refused = 0, parsed = 0;
  for (size_t position = 0; position < bytes.size(); ++position)
    for (uint8_t mask : {0x01, 0x08, 0x40, 0x80}) {
      std::string flipped = bytes;
      flipped[position] = static_cast<char>(flipped[position] ^ mask);
      try {
        Model model = parse_model(flipped, ".", "flipped.onnx");
        ++parsed;
      } catch (const Error&) {
        ++refused;
      }
    }
  EXPECT_GT(refused, 0);
  EXPECT_GT(parsed, 0);
}

TEST(HostileModel, NegativeDimsAreRefused) {
  ::onnx::ModelProto proto = add_model();
  proto.mutable_graph()->mutable_initializer(0)->set_dims(0, -2);
  expect_error([&] { parse_proto(proto); }, ErrorCode::InvalidModel,
               "test.onnx: initializer 'w': bad dims");
  expect_error([&] { parse_proto(proto); }, ErrorCode::InvalidModel, "negative dim");
}

TEST(HostileModel, HugeElementCountIsRefusedBeforeAllocation) {
  ::onnx::ModelProto proto = add_model();
  auto* w = proto.mutable_graph()->mutable_initializer(0);
  w->clear_dims();
  w->add_dims(int64_t{1} << 20);
  w->add_dims(int64_t{1} << 20);  // 2^40 float32 elements = 4 TiB
  expect_error([&] { parse_proto(proto); }, ErrorCode::InvalidModel, "initializer 'w': bad dims");
  // Within the element limit but without the bytes: refused by the size check, not allocated.
  w->clear_dims();
  w->add_dims(int64_t{1} << 34);
  w->clear_float_data();
  w->set_raw_data("abcd");
  expect_error([&] { parse_proto(proto); }, ErrorCode::InvalidModel, "raw_data has 4 bytes");
  w->clear_raw_data();
  expect_error([&] { parse_proto(proto); }, ErrorCode::InvalidModel, "has no data for dims");
}

TEST(HostileModel, DataSizeMustMatchDims) {
  ::onnx::ModelProto proto = add_model();
  auto* w = proto.mutable_graph()->mutable_initializer(0);
  w->clear_float_data();
  w->set_raw_data(std::string(12, '\0'));
  expect_error([&] { parse_proto(proto); }, ErrorCode::InvalidModel,
               "initializer 'w': raw_data has 12 bytes, but dims [2] of float32 need 8");
  w->clear_raw_data();
  w->add_float_data(1.0f);
  expect_error([&] { parse_proto(proto); }, ErrorCode::InvalidModel,
               "float_data has 1 values, but dims [2] need 2");
  w->clear_float_data();
  w->add_int64_data(1);
  w->add_int64_data(2);
  expect_error([&] { parse_proto(proto); }, ErrorCode::InvalidModel,
               "FLOAT tensor stores its data in int64_data");
  w->add_float_data(1.0f);
  expect_error([&] { parse_proto(proto); }, ErrorCode::InvalidModel, "holds data in both");
}

TEST(HostileModel, UnsupportedTensorTypesAreNotImplemented) {
  ::onnx::ModelProto proto = add_model();
  auto* w = proto.mutable_graph()->mutable_initializer(0);
  w->clear_float_data();
  w->set_data_type(::onnx::TensorProto::STRING);
  w->add_string_data("a");
  w->add_string_data("b");
  expect_error([&] { parse_proto(proto); }, ErrorCode::NotImplemented,
               "initializer 'w': element type STRING is not supported");
  w->clear_string_data();
  w->set_data_type(::onnx::TensorProto::BFLOAT16);
  expect_error([&] { parse_proto(proto); }, ErrorCode::NotImplemented, "BFLOAT16");
  w->set_data_type(12345);
  expect_error([&] { parse_proto(proto); }, ErrorCode::InvalidModel,
               "data_type 12345 is not an ONNX element type");
}

TEST(HostileModel, AttributeTypeMismatchIsRefused) {
  ::onnx::ModelProto proto = add_model();
  auto* attr = proto.mutable_graph()->mutable_node(0)->add_attribute();
  attr->set_name("axis");
  attr->set_type(::onnx::AttributeProto::INT);
  attr->add_floats(1.0f);
  expect_error(
      [&] { parse_proto(proto); }, ErrorCode::InvalidModel,
      "test.onnx: node 'add' (Add) attribute 'axis': is declared INT but holds a FLOATS value");
  attr->clear_floats();
  attr->set_i(3);
  EXPECT_EQ(parse_proto(proto).graph.nodes()[0]->attrs.get_int("axis"), 3);
  attr->set_f(2.0f);  // two fields filled
  expect_error([&] { parse_proto(proto); }, ErrorCode::InvalidModel,
               "declared INT but holds a FLOAT value");
}

TEST(HostileModel, UntypedAttributeTakesItsOnlyField) {
  ::onnx::ModelProto proto = add_model();
  auto* attr = proto.mutable_graph()->mutable_node(0)->add_attribute();
  attr->set_name("scales");
  attr->add_floats(0.5f);
  EXPECT_EQ(parse_proto(proto).graph.nodes()[0]->attrs.get_floats("scales"),
            std::vector<double>{0.5});
  attr->clear_floats();
  expect_error([&] { parse_proto(proto); }, ErrorCode::InvalidModel,
               "attribute 'scales': has no type");
}

TEST(HostileModel, GraphAttributesAreReadAndBrokenOnesNamed) {
  ::onnx::ModelProto proto = add_model();
  auto* attr = proto.mutable_graph()->mutable_node(0)->add_attribute();
  attr->set_name("body");
  attr->set_type(::onnx::AttributeProto::GRAPH);
  *attr->mutable_g() = proto.graph();
  attr->mutable_g()->set_name("inner");
  onnx_io::Model model = parse_proto(proto);  // a subgraph is a graph like any other
  EXPECT_EQ(model.graph.nodes()[0]->attrs.get_graph("body")->name, "inner");
  attr->mutable_g()->mutable_node(0)->clear_op_type();
  expect_error([&] { parse_proto(proto); }, ErrorCode::InvalidModel,
               "node 'add' (Add) attribute 'body' (subgraph 'inner'): node 0 has no op_type");
  attr->clear_g();
  expect_error([&] { parse_proto(proto); }, ErrorCode::InvalidModel,
               "is declared GRAPH but holds no graph");
  attr->set_type(::onnx::AttributeProto::SPARSE_TENSOR);
  attr->mutable_sparse_tensor();
  expect_error([&] { parse_proto(proto); }, ErrorCode::NotImplemented,
               "SPARSE_TENSOR attributes are not supported");
}

TEST(HostileModel, StructuralProblemsNameTheirPlace) {
  ::onnx::ModelProto proto = add_model();
  *proto.mutable_graph()->add_initializer() = proto.graph().initializer(0);
  expect_error([&] { parse_proto(proto); }, ErrorCode::InvalidModel,
               "initializer 'w': is defined twice");
  proto = add_model();
  proto.mutable_graph()->mutable_node(0)->clear_op_type();
  expect_error([&] { parse_proto(proto); }, ErrorCode::InvalidModel, "node 0 has no op_type");
  proto = add_model();
  proto.mutable_graph()->mutable_input(0)->mutable_type()->mutable_sequence_type();
  expect_error([&] { parse_proto(proto); }, ErrorCode::NotImplemented, "value 'x' is not a tensor");
  proto = add_model();
  proto.mutable_graph()->mutable_input(0)->mutable_type()->mutable_tensor_type()->set_elem_type(
      ::onnx::TensorProto::STRING);
  expect_error([&] { parse_proto(proto); }, ErrorCode::NotImplemented, "value 'x'");
}

TEST(HostileModel, BadTensorPbFiles) {
  ScratchDir dir;
  write_bytes(dir / "junk.pb", std::string("\xff\xff\xff\xff\xff", 5));
  expect_error([&] { read_tensor_pb(dir / "junk.pb"); }, ErrorCode::InvalidModel,
               "junk.pb: not a valid TensorProto");
  ::onnx::TensorProto tensor;
  tensor.set_name("t");
  tensor.set_data_type(::onnx::TensorProto::INT64);
  tensor.add_dims(3);
  tensor.add_int64_data(1);
  write_bytes(dir / "short.pb", tensor.SerializeAsString());
  expect_error([&] { read_tensor_pb(dir / "short.pb"); }, ErrorCode::InvalidModel,
               "short.pb: tensor 't': int64_data has 1 values");
}

}  // namespace
}  // namespace flowonnx::onnx_io
