// Shared helpers for the ONNX file io tests: expected-error checks, a scratch folder, and small
// hand-built ModelProtos to corrupt.
#pragma once

#include <gtest/gtest.h>
#include <onnx/onnx_pb.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <string>

#include "base/error.h"
#include "onnx/model_io.h"

namespace flowonnx::onnx_io::testing {

namespace fs = std::filesystem;

// Runs `body`, expecting an Error with `code` whose message contains `fragment`.
template <typename Body>
void expect_error(Body body, ErrorCode code, const std::string& fragment) {
  try {
    body();
    ADD_FAILURE() << "expected an error containing '" << fragment << "'";
  } catch (const Error& error) {
    EXPECT_EQ(error_code_name(error.code()), std::string(error_code_name(code))) << error.what();
    EXPECT_NE(std::string(error.what()).find(fragment), std::string::npos) << error.what();
  }
}

// A fresh folder under the system temp folder, removed with everything in it at scope exit.
class ScratchDir {
 public:
  ScratchDir() {
    std::random_device entropy;
    path_ = fs::temp_directory_path() /
            ("flowonnx_onnxio_" + std::to_string(entropy()) + std::to_string(entropy()));
    fs::create_directories(path_);
  }
  ~ScratchDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  const fs::path& path() const { return path_; }
  fs::path operator/(const std::string& name) const { return path_ / name; }

 private:
  fs::path path_;
};

inline void write_bytes(const fs::path& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

inline std::string read_bytes(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

inline void set_tensor_type(::onnx::ValueInfoProto* info, const std::string& name, int elem_type,
                            std::initializer_list<int64_t> dims) {
  info->set_name(name);
  auto* tensor_type = info->mutable_type()->mutable_tensor_type();
  tensor_type->set_elem_type(elem_type);
  for (int64_t d : dims) tensor_type->mutable_shape()->add_dim()->set_dim_value(d);
}

// y = Add(x, w) with x, w float32[2]; tests corrupt the initializer "w" or the node.
inline ::onnx::ModelProto add_model() {
  ::onnx::ModelProto model;
  model.set_ir_version(8);
  model.add_opset_import()->set_version(13);
  auto* graph = model.mutable_graph();
  graph->set_name("g");
  set_tensor_type(graph->add_input(), "x", ::onnx::TensorProto::FLOAT, {2});
  set_tensor_type(graph->add_output(), "y", ::onnx::TensorProto::FLOAT, {2});
  auto* w = graph->add_initializer();
  w->set_name("w");
  w->set_data_type(::onnx::TensorProto::FLOAT);
  w->add_dims(2);
  w->add_float_data(1.5f);
  w->add_float_data(-2.0f);
  auto* node = graph->add_node();
  node->set_name("add");
  node->set_op_type("Add");
  node->add_input("x");
  node->add_input("w");
  node->add_output("y");
  return model;
}

inline Model parse_proto(const ::onnx::ModelProto& proto, const fs::path& base_dir = ".") {
  return parse_model(proto.SerializeAsString(), base_dir, "test.onnx");
}

}  // namespace flowonnx::onnx_io::testing
