// save_model with external data: one `<model>.data` file beside the model, 4096-aligned offsets,
// and loading gives the same tensors; the reader refuses locations that leave the model's folder.
#include <gtest/gtest.h>

#include <cstring>

#include "onnx/model_io.h"
#include "onnx/model_io_test_util.h"

namespace flowonnx::onnx_io {
namespace {

using namespace testing;

Model weights_model() {
  Model model;
  ir::Graph& g = model.graph;
  g.name = "weights";
  g.opset_imports = {{"", 13}};
  g.inputs = {"x"};
  g.set_type("x", ir::ValueType::of(DType::Float32, {4, 256}));
  auto filled = [](const Shape& shape, DType dtype, int seed) {
    Tensor t(shape, dtype);
    auto* bytes = static_cast<uint8_t*>(t.raw_data());
    for (size_t i = 0; i < t.nbytes(); ++i)
      bytes[i] = dtype == DType::Bool ? i % 2 : static_cast<uint8_t>(i * 13 + seed);
    if (dtype == DType::Float32)
      for (int64_t i = 0; i < t.num_elements(); ++i)
        t.data<float>()[i] = static_cast<float>(i % 17) * 0.5f;
    return t;
  };
  g.set_initializer("a.weight", filled({256, 256}, DType::Float32, 1));  // 256 KiB
  g.set_initializer("b.weight",
                    filled({256, 3}, DType::Float32, 2));       // 3 KiB, not a multiple of 4096
  g.set_initializer("c.bias", filled({3}, DType::Float32, 3));  // 12 bytes: stays inline
  g.set_initializer("d.mask", filled({5000}, DType::Bool, 4));
  g.set_initializer("e.half", filled({1000}, DType::Float16, 5));
  g.add_node({"mm1", "", "MatMul", {"x", "a.weight"}, {"h"}, {}});
  g.set_type("h", ir::ValueType::of(DType::Float32, {4, 256}));
  g.add_node({"mm2", "", "MatMul", {"h", "b.weight"}, {"h2"}, {}});
  g.set_type("h2", ir::ValueType::of(DType::Float32, {4, 3}));
  g.add_node({"add", "", "Add", {"h2", "c.bias"}, {"y"}, {}});
  g.set_type("y", ir::ValueType::of(DType::Float32, {4, 3}));
  g.outputs = {"y"};
  return model;
}

::onnx::ModelProto read_proto(const fs::path& path) {
  ::onnx::ModelProto proto;
  EXPECT_TRUE(proto.ParseFromString(read_bytes(path)));
  return proto;
}

std::map<std::string, std::string> external_keys(const ::onnx::TensorProto& tensor) {
  std::map<std::string, std::string> keys;
  for (const auto& entry : tensor.external_data()) keys[entry.key()] = entry.value();
  return keys;
}

TEST(ExternalData, SaveWritesOneAlignedDataFileAndLoadsBack) {
  ScratchDir dir;
  Model model = weights_model();
  SaveOptions options;
  options.external_data = true;
  options.external_threshold = 1024;
  save_model(model, dir / "model.onnx", options);

  ASSERT_TRUE(fs::exists(dir / "model.onnx.data"));
  EXPECT_LT(fs::file_size(dir / "model.onnx"), 2000u);  // the weights are not inline
  ::onnx::ModelProto proto = read_proto(dir / "model.onnx");
  int external = 0;
  uint64_t data_end = 0;
  for (const auto& tensor : proto.graph().initializer()) {
    const Tensor& original = model.graph.initializer(tensor.name());
    if (original.nbytes() < options.external_threshold) {
      EXPECT_NE(tensor.data_location(), ::onnx::TensorProto::EXTERNAL) << tensor.name();
      EXPECT_EQ(tensor.raw_data().size(), original.nbytes());
      continue;
    }
    ++external;
    ASSERT_EQ(tensor.data_location(), ::onnx::TensorProto::EXTERNAL) << tensor.name();
    EXPECT_FALSE(tensor.has_raw_data());
    auto keys = external_keys(tensor);
    EXPECT_EQ(keys["location"], "model.onnx.data");
    uint64_t offset = std::stoull(keys["offset"]);
    EXPECT_EQ(offset % 4096, 0u) << tensor.name();
    EXPECT_EQ(std::stoull(keys["length"]), original.nbytes());
    data_end = std::max(data_end, offset + original.nbytes());
  }
  EXPECT_EQ(external, 4);
  EXPECT_EQ(fs::file_size(dir / "model.onnx.data"), data_end);

  Model back = load_model(dir / "model.onnx");
  EXPECT_EQ(back.graph.to_text(), model.graph.to_text());
  for (const auto& [name, tensor] : model.graph.initializers()) {
    const Tensor& loaded = back.graph.initializer(name);
    ASSERT_EQ(loaded.dtype(), tensor.dtype()) << name;
    ASSERT_EQ(loaded.shape(), tensor.shape()) << name;
    EXPECT_EQ(0, std::memcmp(loaded.raw_data(), tensor.raw_data(), tensor.nbytes())) << name;
  }
  check_model_with_onnx(dir / "model.onnx");
}

TEST(ExternalData, ThresholdDecidesWhatGoesOutside) {
  ScratchDir dir;
  SaveOptions options;
  options.external_data = true;
  options.external_threshold = 1 << 20;  // nothing is that big: no data file at all
  save_model(weights_model(), dir / "m.onnx", options);
  EXPECT_FALSE(fs::exists(dir / "m.onnx.data"));
  options.external_threshold = 0;  // everything, even the 12-byte bias
  save_model(weights_model(), dir / "m.onnx", options);
  ::onnx::ModelProto proto = read_proto(dir / "m.onnx");
  for (const auto& tensor : proto.graph().initializer())
    EXPECT_EQ(tensor.data_location(), ::onnx::TensorProto::EXTERNAL) << tensor.name();
  EXPECT_EQ(load_model(dir / "m.onnx").graph.initializer("c.bias").to_double_vector(),
            weights_model().graph.initializer("c.bias").to_double_vector());
}

// A model whose initializer "w" (float32[2]) lives at `location` with the given keys.
::onnx::ModelProto external_model(const std::string& location, const std::string& offset = "",
                                  const std::string& length = "") {
  ::onnx::ModelProto proto = add_model();
  auto* w = proto.mutable_graph()->mutable_initializer(0);
  w->clear_float_data();
  w->set_data_location(::onnx::TensorProto::EXTERNAL);
  auto add_key = [&](const char* key, const std::string& value) {
    auto* entry = w->add_external_data();
    entry->set_key(key);
    entry->set_value(value);
  };
  add_key("location", location);
  if (!offset.empty()) add_key("offset", offset);
  if (!length.empty()) add_key("length", length);
  return proto;
}

class ExternalDataHostile : public ::testing::Test {
 protected:
  void SetUp() override {
    fs::create_directories(model_dir());
    fs::create_directories(root_ / "outside");
    float values[2] = {3.0f, 4.0f};
    std::string bytes(reinterpret_cast<const char*>(values), sizeof(values));
    write_bytes(model_dir() / "w.bin", bytes + bytes);  // 16 bytes
    write_bytes(root_ / "outside" / "secret.bin", bytes);
  }
  fs::path model_dir() const { return root_ / "model"; }
  Model parse(const ::onnx::ModelProto& proto) { return parse_proto(proto, model_dir()); }

  ScratchDir root_;
};

TEST_F(ExternalDataHostile, ValidRangesLoad) {
  EXPECT_EQ(parse(external_model("w.bin", "8", "8")).graph.initializer("w").to_double_vector(),
            (std::vector<double>{3, 4}));
  write_bytes(model_dir() / "exact.bin", read_bytes(model_dir() / "w.bin").substr(0, 8));
  EXPECT_EQ(parse(external_model("exact.bin")).graph.initializer("w").to_double_vector(),
            (std::vector<double>{3, 4}));  // no offset / length: the whole file
  fs::create_directories(model_dir() / "sub");
  write_bytes(model_dir() / "sub" / "w.bin", read_bytes(model_dir() / "exact.bin"));
  EXPECT_NO_THROW(parse(external_model("sub/w.bin")));
  EXPECT_NO_THROW(parse(external_model("./sub/w.bin")));
  // A symlink that stays inside the folder is fine.
  fs::create_symlink(model_dir() / "exact.bin", model_dir() / "inside_link.bin");
  EXPECT_NO_THROW(parse(external_model("inside_link.bin")));
}

TEST_F(ExternalDataHostile, DotDotIsRefused) {
  expect_error([&] { parse(external_model("../outside/secret.bin")); }, ErrorCode::InvalidModel,
               "initializer 'w': external data location '../outside/secret.bin' contains '..'");
  expect_error([&] { parse(external_model("sub/../../outside/secret.bin")); },
               ErrorCode::InvalidModel, "'..'");
  expect_error([&] { parse(external_model("../x")); }, ErrorCode::InvalidModel, "'../x'");
}

TEST_F(ExternalDataHostile, AbsolutePathIsRefused) {
  std::string absolute = (root_.path() / "outside" / "secret.bin").string();
  expect_error([&] { parse(external_model(absolute)); }, ErrorCode::InvalidModel,
               "'" + absolute + "' is an absolute path");
  expect_error([&] { parse(external_model("/etc/passwd")); }, ErrorCode::InvalidModel,
               "absolute path");
}

TEST_F(ExternalDataHostile, SymlinkEscapeIsRefused) {
  fs::create_symlink(root_.path() / "outside" / "secret.bin", model_dir() / "link.bin");
  expect_error([&] { parse(external_model("link.bin")); }, ErrorCode::InvalidModel,
               "initializer 'w': external data location 'link.bin' resolves to");
  fs::create_directory_symlink(root_.path() / "outside", model_dir() / "linkdir");
  expect_error([&] { parse(external_model("linkdir/secret.bin")); }, ErrorCode::InvalidModel,
               "outside the model's folder");
}

TEST_F(ExternalDataHostile, RangesPastTheEndAreRefused) {
  expect_error([&] { parse(external_model("w.bin", "12", "8")); }, ErrorCode::InvalidModel,
               "offset 12 + length 8 is past the end of 'w.bin' (file size 16 bytes)");
  expect_error([&] { parse(external_model("w.bin", "17")); }, ErrorCode::InvalidModel,
               "offset 17 is past the end of 'w.bin' (file size 16 bytes)");
  expect_error([&] { parse(external_model("w.bin", "8", "18446744073709551615")); },
               ErrorCode::InvalidModel, "past the end");
  expect_error([&] { parse(external_model("w.bin", "-1")); }, ErrorCode::InvalidModel,
               "offset '-1' is not a non-negative integer");
  expect_error([&] { parse(external_model("w.bin", "0", "4")); }, ErrorCode::InvalidModel,
               "holds 4 bytes, but dims [2] of float32 need 8");
  expect_error([&] { parse(external_model("missing.bin")); }, ErrorCode::InvalidModel,
               "'missing.bin' not found");
  expect_error([&] { parse(external_model("")); }, ErrorCode::InvalidModel, "has no 'location'");
  expect_error([&] { parse(external_model(".")); }, ErrorCode::InvalidModel, "not a regular file");
}

}  // namespace
}  // namespace flowonnx::onnx_io
