// save_model is atomic: a failure at any step leaves the previous model byte-identical and no
// temporary file behind; a model over protobuf's limit is refused with the external-data hint.
#include <gtest/gtest.h>

#include "onnx/model_io.h"
#include "onnx/model_io_test_util.h"
#include "onnx/model_writer.h"

namespace flowonnx::onnx_io {
namespace {

using namespace testing;

Model small_model(float bias) {
  Model model;
  ir::Graph& g = model.graph;
  g.name = "small";
  g.opset_imports = {{"", 13}};
  g.inputs = {"x"};
  g.set_type("x", ir::ValueType::of(DType::Float32, {1, 1024}));
  g.set_initializer("b",
                    Tensor::full({1, 1024}, bias));  // 4 KiB: external with the default threshold
  g.add_node({"add", "", "Add", {"x", "b"}, {"y"}, {}});
  g.set_type("y", ir::ValueType::of(DType::Float32, {1, 1024}));
  g.outputs = {"y"};
  return model;
}

std::set<std::string> folder_listing(const fs::path& dir) {
  std::set<std::string> names;
  for (const auto& entry : fs::directory_iterator(dir))
    names.insert(entry.path().filename().string());
  return names;
}

TEST(AtomicSave, FailedRenameOfTheDataFileKeepsThePreviousModel) {
  ScratchDir dir;
  save_model(small_model(1.0f), dir / "model.onnx");
  std::string before = read_bytes(dir / "model.onnx");
  // The data file's name is taken by a non-empty folder: the rename fails after both temporary
  // files were written, which is the latest point a save can fail.
  fs::create_directories(dir / "model.onnx.data" / "keep");
  SaveOptions options;
  options.external_data = true;
  expect_error([&] { save_model(small_model(2.0f), dir / "model.onnx", options); },
               ErrorCode::IoError, "model.onnx.data: cannot rename temporary file into place");
  EXPECT_EQ(read_bytes(dir / "model.onnx"), before);
  EXPECT_EQ(folder_listing(dir.path()), (std::set<std::string>{"model.onnx", "model.onnx.data"}));
  EXPECT_EQ(load_model(dir / "model.onnx").graph.initializer("b").to_double_vector()[0], 1.0);
}

TEST(AtomicSave, ModelOverTheLimitIsRefusedAndNothingIsWritten) {
  ScratchDir dir;
  save_model(small_model(1.0f), dir / "model.onnx");
  std::string before = read_bytes(dir / "model.onnx");
  // A 4 KiB limit stands in for protobuf's 2 GiB (allocating 2 GiB in a test is not an option).
  expect_error([&] { save_model_with_limit(small_model(2.0f), dir / "model.onnx", {}, 4000); },
               ErrorCode::InvalidArgument,
               "over protobuf's 2 GiB limit; export with external data (--external-data)");
  EXPECT_EQ(read_bytes(dir / "model.onnx"), before);
  EXPECT_EQ(folder_listing(dir.path()), std::set<std::string>{"model.onnx"});
  // The same limit with external data is fine: the bias goes outside.
  SaveOptions options;
  options.external_data = true;
  save_model_with_limit(small_model(2.0f), dir / "model.onnx", options, 4000);
  EXPECT_EQ(load_model(dir / "model.onnx").graph.initializer("b").to_double_vector()[0], 2.0);
  EXPECT_EQ(folder_listing(dir.path()), (std::set<std::string>{"model.onnx", "model.onnx.data"}));
}

TEST(AtomicSave, InvalidGraphIsRefusedBeforeWriting) {
  ScratchDir dir;
  save_model(small_model(1.0f), dir / "model.onnx");
  std::string before = read_bytes(dir / "model.onnx");
  Model cyclic = small_model(2.0f);
  cyclic.graph.add_node({"loop", "", "Relu", {"z"}, {"w"}, {}});
  cyclic.graph.add_node({"back", "", "Relu", {"w"}, {"z"}, {}});
  expect_error([&] { save_model(cyclic, dir / "model.onnx", {.external_data = true}); },
               ErrorCode::InvalidModel, "cycle");
  EXPECT_EQ(read_bytes(dir / "model.onnx"), before);
  EXPECT_EQ(folder_listing(dir.path()), std::set<std::string>{"model.onnx"});
}

TEST(AtomicSave, MissingFolderIsAnIoError) {
  ScratchDir dir;
  expect_error([&] { save_model(small_model(1.0f), dir / "no" / "such" / "model.onnx"); },
               ErrorCode::IoError, "does not exist");
  EXPECT_TRUE(folder_listing(dir.path()).empty());
}

TEST(AtomicSave, SerializeRefusesOversizedTensorPb) {
  ScratchDir dir;
  write_tensor_pb(dir / "t.pb", Tensor::full({3}, 1.0));
  EXPECT_EQ(folder_listing(dir.path()), std::set<std::string>{"t.pb"});
  expect_error([&] { write_tensor_pb(dir / "missing" / "t.pb", Tensor::full({3}, 1.0)); },
               ErrorCode::IoError, "does not exist");
}

}  // namespace
}  // namespace flowonnx::onnx_io
