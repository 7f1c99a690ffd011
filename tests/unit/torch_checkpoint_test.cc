// PyTorch checkpoint files written byte by byte (tests/corrupt/torch_files.h):
// what each format detail must load to. The round trip with files saved by
// torch itself is tests/models/torch_checkpoint_test.cc; hostile files are in
// the corrupt corpus.
#include <gtest/gtest.h>

#include "base/error.h"
#include "corrupt/torch_files.h"
#include "flow/checkpoint.h"
#include "onnx/model_io_test_util.h"

namespace flowonnx {
namespace {

namespace tf = testing::torch_files;
using onnx_io::testing::ScratchDir;
using onnx_io::testing::write_bytes;

// fc.weight [2,3] and fc.bias [2] in one storage of 8 floats: bias at offset 6.
std::vector<tf::PickledTensor> linear_tensors() {
  return {{"fc.weight", "0", "FloatStorage", 8, 0, {2, 3}, {3, 1}},
          {"fc.bias", "0", "FloatStorage", 8, 6, {2}, {1}}};
}
const std::vector<float> kStorage = {1, 2, 3, 4, 5, 6, 7, 8};

void expect_linear(const StateDict &state) {
  ASSERT_EQ(state.size(), 2u);
  EXPECT_EQ(state.at("fc.weight").shape(), (Shape{2, 3}));
  EXPECT_EQ(state.at("fc.weight").to_double_vector(), (std::vector<double>{1, 2, 3, 4, 5, 6}));
  EXPECT_EQ(state.at("fc.bias").to_double_vector(), (std::vector<double>{7, 8}));
}

class TorchFile : public ::testing::Test {
 protected:
  StateDict load_bytes(const std::string &bytes, const std::string &name = "ck.pth") {
    write_bytes(dir_ / name, bytes);
    return load(dir_ / name);
  }
  ScratchDir dir_;
};

TEST_F(TorchFile, ZipSharedStorageWithOffset) {
  expect_linear(load_bytes(
      tf::torch_zip(tf::state_dict_pickle(linear_tensors()), {{"0", tf::floats(kStorage)}})));
}

TEST_F(TorchFile, ZipTopFolderNameVaries) {
  // torch names the folder after the file it saved to
  // (resnet18-f37072fd/data.pkl).
  expect_linear(load_bytes(tf::torch_zip(tf::state_dict_pickle(linear_tensors()),
                                         {{"0", tf::floats(kStorage)}}, "resnet18-f37072fd")));
}

TEST_F(TorchFile, LegacyStream) {
  expect_linear(load_bytes(
      tf::torch_legacy(tf::state_dict_pickle(linear_tensors()), {{"0", tf::floats(kStorage)}}),
      "ck.tar"));
}

TEST_F(TorchFile, NonContiguousViewIsGathered) {
  // A transposed weight: size [3,2], stride [1,3] over 1..6 reads 1 4 / 2 5 /
  // 3 6.
  std::vector<tf::PickledTensor> t = {{"w", "0", "FloatStorage", 6, 0, {3, 2}, {1, 3}}};
  StateDict state =
      load_bytes(tf::torch_zip(tf::state_dict_pickle(t), {{"0", tf::floats({1, 2, 3, 4, 5, 6})}}));
  EXPECT_EQ(state.at("w").to_double_vector(), (std::vector<double>{1, 4, 2, 5, 3, 6}));
}

TEST_F(TorchFile, ParametersWrappersAndDataParallelPrefix) {
  std::vector<tf::PickledTensor> t = linear_tensors();
  for (auto &tensor : t) tensor.key = "module." + tensor.key, tensor.parameter = true;
  for (const char *wrapper : {"state_dict", "model"})
    expect_linear(load_bytes(
        tf::torch_zip(tf::state_dict_pickle(t, wrapper), {{"0", tf::floats(kStorage)}})));
}

TEST_F(TorchFile, DTypesIncludingBFloat16) {
  std::vector<tf::PickledTensor> t = {{"h", "0", "HalfStorage", 1, 0, {1}, {1}},
                                      {"b", "1", "BFloat16Storage", 1, 0, {1}, {1}},
                                      {"n", "2", "LongStorage", 1, 0, {}, {}},
                                      {"m", "3", "BoolStorage", 1, 0, {1}, {1}}};
  std::string half("\x00\x3c", 2), bf16 = "\xc0\x3f", one("\x05\0\0\0\0\0\0\0", 8);
  StateDict state = load_bytes(tf::torch_zip(
      tf::state_dict_pickle(t), {{"0", half}, {"1", bf16}, {"2", one}, {"3", "\x01"}}));
  EXPECT_EQ(state.at("h").dtype(), DType::Float16);
  EXPECT_EQ(state.at("h").to_double_vector(), std::vector<double>{1.0});
  EXPECT_EQ(state.at("b").dtype(), DType::Float32);  // widened exactly
  EXPECT_EQ(state.at("b").to_double_vector(), std::vector<double>{1.5});
  EXPECT_EQ(state.at("n").dtype(), DType::Int64);
  EXPECT_EQ(state.at("n").shape(), Shape{});
  EXPECT_EQ(state.at("n").to_double_vector(), std::vector<double>{5});
  EXPECT_EQ(state.at("m").dtype(), DType::Bool);
}

TEST_F(TorchFile, SafetensorsWithMetadataAndBFloat16) {
  std::string header =
      R"({"__metadata__":{"format":"pt"},"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},)"
      R"("b":{"dtype":"BF16","shape":[],"data_offsets":[8,10]}})";
  StateDict state =
      load_bytes(tf::safetensors(header, tf::floats({0.5f, -2}) + "\xc0\x3f"), "w.bin");
  EXPECT_EQ(state.at("w").to_double_vector(), (std::vector<double>{0.5, -2}));
  EXPECT_EQ(state.at("b").to_double_vector(), std::vector<double>{1.5});
}

TEST_F(TorchFile, WholeModulePickleIsRefusedNamingTheClass) {
  // torch.save(model) pickles the Python class, which only Python can rebuild
  // (and which could run code): the allow-list stops it at the first foreign
  // global.
  std::string pickle = "\x80\x02" + tf::global("torchvision.models.resnet", "ResNet") + ")\x81.";
  try {
    load_bytes(tf::torch_zip(pickle, {}));
    FAIL() << "expected an error";
  } catch (const Error &error) {
    EXPECT_EQ(error.code(), ErrorCode::InvalidModel);
    EXPECT_NE(std::string(error.what()).find("'torchvision.models.resnet.ResNet'"),
              std::string::npos)
        << error.what();
  }
}

}  // namespace
}  // namespace flowonnx
