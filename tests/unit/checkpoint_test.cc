#include "flow/checkpoint.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <fstream>

#include "base/error.h"
#include "base/file_util.h"

namespace flowonnx {
namespace {

namespace fs = std::filesystem;

std::string operator""_b(const char* text, size_t size) { return std::string(text, size); }

const fs::path kFixtures = fs::path(FLOWONNX_SOURCE_DIR) / "tests/unit/data/checkpoints";

template <typename Body>
void expect_error(Body body, ErrorCode code, std::initializer_list<std::string> fragments) {
  try {
    body();
    FAIL() << "expected an error";
  } catch (const Error& error) {
    EXPECT_EQ(error_code_name(error.code()), std::string(error_code_name(code))) << error.what();
    for (const std::string& fragment : fragments)
      EXPECT_NE(std::string(error.what()).find(fragment), std::string::npos)
          << "'" << fragment << "' not in: " << error.what();
  }
}

void write_text(const fs::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
}

void expect_same(const Tensor& a, const Tensor& b) {
  ASSERT_EQ(a.dtype(), b.dtype());
  ASSERT_EQ(a.shape(), b.shape());
  EXPECT_EQ(0, std::memcmp(a.raw_data(), b.raw_data(), a.nbytes()));
}

std::vector<std::string> keys_of(const StateDict& state_dict) {
  std::vector<std::string> keys;
  for (const auto& [key, tensor] : state_dict) keys.push_back(key);
  return keys;
}

// A fresh folder per test, removed afterwards.
class CheckpointTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = fs::temp_directory_path() /
           fmt::format("flowonnx_checkpoint_{}_{}", ::getpid(), info->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  // A writable copy of a fixture checkpoint.
  fs::path copy_fixture(const std::string& name) {
    fs::path copy = dir_ / name;
    fs::copy(kFixtures / name, copy, fs::copy_options::recursive);
    return copy;
  }
  size_t entries_in_dir() const {
    return static_cast<size_t>(
        std::distance(fs::directory_iterator(dir_), fs::directory_iterator()));
  }

  fs::path dir_;
};

StateDict sample_state_dict() {
  StateDict state_dict;
  state_dict["conv.weight"] = Tensor::from_vector<float>({2, 1, 3}, {0.5f, -1, 2, 3.25f, 4, -0.0f});
  state_dict["conv.bias"] = Tensor::from_vector<double>({2}, {1e-300, -2.5});
  state_dict["bn.num_batches_tracked"] = Tensor::scalar<int64_t>(123456789012345);
  state_dict["scale"] = Tensor::scalar<float>(0.75f);
  state_dict["codes"] = Tensor::from_vector<int8_t>({3}, {-128, 0, 127});
  state_dict["pixels"] = Tensor::from_vector<uint8_t>({2}, {0, 255});
  state_dict["mask"] = Tensor::from_vector<bool>({2, 2}, {true, false, false, true});
  state_dict["half"] =
      Tensor::from_vector<Float16>({3}, {Float16{0x3C00}, Float16{0x7E00}, Float16{0x8001}});
  state_dict["short"] = Tensor::from_vector<int16_t>({2}, {-300, 300});
  state_dict["int"] = Tensor::from_vector<int32_t>({1}, {-70000});
  state_dict["empty"] = Tensor(Shape{0, 4}, DType::Float32);
  return state_dict;
}

TEST_F(CheckpointTest, SaveLoadRoundTrip) {
  StateDict original = sample_state_dict();
  fs::path folder = dir_ / "ckpt";
  save(original, folder);
  EXPECT_TRUE(fs::exists(folder / "snapshot_done"));
  EXPECT_EQ("shape {\n  dim: 2\n  dim: 1\n  dim: 3\n}\ndata_type: kFloat\n",
            read_file(folder / "conv.weight" / "meta"));
  EXPECT_EQ("shape {\n}\ndata_type: kFloat\n", read_file(folder / "scale" / "meta"));
  EXPECT_EQ("shape {\n  dim: 3\n}\ndata_type: kFloat16\n", read_file(folder / "half" / "meta"));
  EXPECT_EQ("shape {\n  dim: 2\n  dim: 2\n}\ndata_type: kBool\n",
            read_file(folder / "mask" / "meta"));
  EXPECT_EQ(24u, fs::file_size(folder / "conv.weight" / "out"));
  EXPECT_EQ(1u, entries_in_dir()) << "no temporary folder may be left beside the checkpoint";

  StateDict loaded = load(folder);
  ASSERT_EQ(keys_of(original), keys_of(loaded));
  for (const auto& [key, tensor] : original) {
    SCOPED_TRACE(key);
    expect_same(tensor, loaded.at(key));
  }
}

TEST_F(CheckpointTest, LoadsPickleFixtures) {
  for (const char* name : {"pickle_nested_p2", "pickle_nested_p4"}) {
    SCOPED_TRACE(name);
    StateDict loaded = load(kFixtures / name);
    ASSERT_EQ(std::vector<std::string>({"model.conv.bias", "model.conv.weight"}), keys_of(loaded));
    EXPECT_EQ(Shape({2, 1, 1, 3}), loaded.at("model.conv.weight").shape());
    EXPECT_EQ(std::vector<double>({0, 0.5, 1, 1.5, 2, 2.5}),
              loaded.at("model.conv.weight").to_double_vector());
    EXPECT_EQ(std::vector<double>({-1, 1}), loaded.at("model.conv.bias").to_double_vector());
  }
  for (const char* name : {"pickle_flat_p2", "pickle_flat_p4"}) {
    SCOPED_TRACE(name);
    StateDict loaded = load(kFixtures / name);
    ASSERT_EQ(std::vector<std::string>(
                  {"bn.num_batches_tracked", "codes", "fc.bias", "fc.weight", "mask", "pixels"}),
              keys_of(loaded));
    EXPECT_EQ(DType::Float64, loaded.at("fc.weight").dtype());
    EXPECT_EQ(std::vector<double>({1, 2, 3, 4}), loaded.at("fc.weight").to_double_vector());
    EXPECT_EQ(DType::Float16, loaded.at("fc.bias").dtype());
    EXPECT_EQ(0x3C00, loaded.at("fc.bias").data<Float16>()[0].bits);
    EXPECT_EQ(0xC000, loaded.at("fc.bias").data<Float16>()[1].bits);
    EXPECT_EQ(Shape{}, loaded.at("bn.num_batches_tracked").shape());
    EXPECT_EQ(7, loaded.at("bn.num_batches_tracked").data<int64_t>()[0]);
    EXPECT_EQ(std::vector<double>({1, 0, 1}), loaded.at("mask").to_double_vector());
    EXPECT_EQ(std::vector<double>({-3, 4}), loaded.at("codes").to_double_vector());
    EXPECT_EQ(std::vector<double>({0, 255}), loaded.at("pixels").to_double_vector());
  }
}

TEST_F(CheckpointTest, LoadsLegacyFixtureWithNestedFolder) {
  StateDict loaded = load(kFixtures / "legacy_nested");
  ASSERT_EQ(std::vector<std::string>({"fc.weight", "model.conv1.weight"}), keys_of(loaded));
  EXPECT_EQ(Shape({2, 3}), loaded.at("fc.weight").shape());
  EXPECT_EQ(std::vector<double>({1, 2, 3, 4, 5, 6}), loaded.at("fc.weight").to_double_vector());
  EXPECT_EQ(DType::Int64, loaded.at("model.conv1.weight").dtype());
  EXPECT_EQ(std::vector<double>({-5, 9}), loaded.at("model.conv1.weight").to_double_vector());
}

TEST_F(CheckpointTest, LegacyWithoutSnapshotDone) {
  fs::path folder = copy_fixture("legacy_nested");
  fs::remove(folder / "snapshot_done");
  EXPECT_EQ(2u, load(folder).size()) << "tensors found: the missing marker is tolerated";
  fs::create_directory(dir_ / "empty");
  expect_error([&] { load(dir_ / "empty"); }, ErrorCode::InvalidModel,
               {"not a OneFlow checkpoint"});
  write_text(dir_ / "empty" / "snapshot_done", "");
  EXPECT_TRUE(load(dir_ / "empty").empty()) << "an empty checkpoint is valid";
  expect_error([&] { load(dir_ / "missing"); }, ErrorCode::IoError, {"does not exist"});
  write_text(dir_ / "file", "x");
  expect_error([&] { load(dir_ / "file"); }, ErrorCode::InvalidModel, {"not a checkpoint file"});
}

TEST_F(CheckpointTest, LegacyErrorsNameKeyAndFile) {
  fs::path folder = copy_fixture("legacy_nested");
  fs::path tensor = folder / "fc.weight";
  std::string meta = read_file(tensor / "meta");
  std::string out = read_file(tensor / "out");
  auto load_it = [&] { load(folder); };

  fs::remove(tensor / "out");
  expect_error(load_it, ErrorCode::IoError,
               {"fc.weight", "missing out file", (tensor / "out").string()});
  write_text(tensor / "out", out.substr(0, 20));
  expect_error(load_it, ErrorCode::InvalidModel,
               {"fc.weight", (tensor / "out").string(),
                "out has 20 bytes but meta says float32 [2,3] (24 bytes)"});
  write_text(tensor / "out", out + "xx");
  expect_error(load_it, ErrorCode::InvalidModel, {"out has 26 bytes"});
  write_text(tensor / "out", out);

  fs::remove(tensor / "meta");
  expect_error(load_it, ErrorCode::InvalidModel, {"fc.weight", "missing meta file"});
  const std::pair<std::string, std::string> bad_metas[] = {
      {"shape { dim: 2 dim: 3 } data_type: kFoo", "unknown data_type 'kFoo'"},
      {"shape { dim: 2 dim: 3 } data_type: 99", "unknown data_type '99'"},
      {"shape { dim: 2 dim: 3 } data_type: kBFloat16", "data_type kBFloat16 (11) is not supported"},
      {"shape { dim: 2 dim: 3 } data_type: kTensorBuffer", "kTensorBuffer"},
      {"shape { dim: 2 dim: 3 }", "meta has no data_type"},
      {"shape { dim: 2 dim: -3 } data_type: kFloat", "negative dim -3"},
      {"shape { dim: 2 dim: x } data_type: kFloat", "must be an integer"},
      {"shape { dim: 2 dim: 3 data_type: kFloat", "missing '}'"},
      {"\x01\x02garbage", "unparsable meta"},
      {"hello world", "expected ':' or '{' after 'hello'"},
      {"shape { dim: 100000000 dim: 100000000 } data_type: kFloat", "more than 2^36 elements"},
      {"shape { dim: 2 dim: 3 } stride { dim: 1 dim: 2 } data_type: kFloat", "not C-contiguous"},
  };
  for (const auto& [text, fragment] : bad_metas) {
    SCOPED_TRACE(text);
    write_text(tensor / "meta", text);
    expect_error(load_it, ErrorCode::InvalidModel,
                 {"fc.weight", (tensor / "meta").string(), fragment});
  }
  // Accepted spellings: stride in C order, `shape: <...>`, list syntax, numeric enum, comments.
  for (std::string text :
       {"shape { dim: 2 dim: 3 } stride { dim: 3 dim: 1 } data_type: kFloat",
        "shape: < dim: [2, 3] >\ndata_type: 2  # float\n",
        "# saved by hand\n  data_type :kFloat shape{dim:2;dim:3}",
        "shape { dim: 2 dim: 3 } data_type: kFloat unknown_field: 5 other { a: 1 }"}) {
    SCOPED_TRACE(text);
    write_text(tensor / "meta", text);
    EXPECT_EQ(Shape({2, 3}), load(folder).at("fc.weight").shape());
  }
}

TEST_F(CheckpointTest, LegacyRefusesSymlinkEscape) {
  fs::path folder = copy_fixture("legacy_nested");
  fs::path outside = dir_ / "outside_out";
  fs::copy_file(folder / "fc.weight" / "out", outside);
  fs::remove(folder / "fc.weight" / "out");
  fs::create_symlink(outside, folder / "fc.weight" / "out");
  expect_error([&] { load(folder); }, ErrorCode::InvalidModel,
               {"fc.weight", "outside the checkpoint"});
  fs::remove(folder / "fc.weight" / "out");
  fs::copy_file(outside, folder / "fc.weight" / "out");
  // Links back to the folder itself must neither loop nor explode (2 links: 2^depth paths).
  fs::create_directory_symlink(folder, folder / "model" / "up1");
  fs::create_directory_symlink(folder, folder / "model" / "up2");
  expect_error([&] { load(folder); }, ErrorCode::InvalidModel, {"reached twice"});
}

// {"protocol_version": version, "data": {"w": <Tensor object with state {"path": path}>}}.
std::string tensor_pickle(const std::string& path, int version = 1) {
  auto text = [](const std::string& s) {
    return std::string("\x8c") + static_cast<char>(s.size()) + s;
  };
  return std::string("\x80\x02}(") + text("protocol_version") + "K" + static_cast<char>(version) +
         text("data") + "}" + text("w") + "c" + "oneflow._oneflow_internal\nTensor\n" + ")" +
         "\x81" + "}" + text("path") + text(path) + "s" + "b" + "s" + "u" + ".";
}

TEST_F(CheckpointTest, PickleErrors) {
  fs::path folder = copy_fixture("pickle_nested_p2");
  fs::path pickled = folder / "pickled_data";
  std::string bytes = read_file(pickled);

  // The hand-built pickle itself is fine.
  write_text(pickled, tensor_pickle("tensor_0"));
  EXPECT_EQ(std::vector<std::string>{"w"}, keys_of(load(folder)));

  for (const std::string& path : {std::string("../pickle_nested_p4/tensor_0"), std::string("/etc"),
                                  std::string("tensor_0/../../x"), std::string("")}) {
    SCOPED_TRACE(path);
    write_text(pickled, tensor_pickle(path));
    expect_error([&] { load(folder); }, ErrorCode::InvalidModel,
                 {"'w'", "not a plain path inside"});
  }
  fs::create_directory_symlink(kFixtures / "pickle_nested_p4" / "tensor_0", folder / "link");
  write_text(pickled, tensor_pickle("link"));
  expect_error([&] { load(folder); }, ErrorCode::InvalidModel, {"'w'", "outside the checkpoint"});

  write_text(pickled, tensor_pickle("tensor_9"));
  expect_error([&] { load(folder); }, ErrorCode::IoError, {"'w'", "tensor_9"});
  write_text(pickled, tensor_pickle("tensor_0", 2));
  expect_error([&] { load(folder); }, ErrorCode::NotImplemented, {"protocol_version 2"});
  write_text(pickled,
             "\x80\x02]q\x00h\x00"
             "a."_b);  // a list that contains itself
  expect_error([&] { load(folder); }, ErrorCode::InvalidModel, {"expected a dict"});
  // {"protocol_version": 1, "data": L} with L = [L]: a cycle.
  write_text(pickled,
             "\x80\x02}(\x8c\x10protocol_versionK\x01\x8c\x04"
             "data]q\x00h\x00"
             "au."_b);
  expect_error([&] { load(folder); }, ErrorCode::InvalidModel, {"nested deeper"});

  // Truncated anywhere: always an error, never a crash.
  for (size_t size = 0; size < bytes.size(); ++size) {
    write_text(pickled, bytes.substr(0, size));
    expect_error([&] { load(folder); }, ErrorCode::InvalidModel, {pickled.string()});
  }
  // Bit flips: either still loads or throws flowonnx::Error.
  for (size_t i = 0; i < bytes.size(); ++i) {
    std::string flipped = bytes;
    flipped[i] = static_cast<char>(flipped[i] ^ (1 << (i % 8)));
    write_text(pickled, flipped);
    try {
      load(folder);
    } catch (const Error&) {
    }
  }
}

TEST_F(CheckpointTest, SaveReplacesAtomically) {
  fs::path folder = dir_ / "ckpt";
  StateDict first = {{"a", Tensor::from_vector<float>({2}, {1, 2})},
                     {"b", Tensor::scalar<int64_t>(3)}};
  StateDict second = {{"c", Tensor::from_vector<float>({1}, {9})}};
  save(first, folder);
  save(second, folder / "");  // a trailing slash names the same folder
  EXPECT_EQ(std::vector<std::string>{"c"}, keys_of(load(folder)));
  EXPECT_EQ(1u, entries_in_dir());

  // A failing save leaves the previous checkpoint as it was, and no temporary folder.
  for (const char* bad_key : {"a/b", "", "..", ".hidden", "snapshot_done", "pickled_data"}) {
    SCOPED_TRACE(bad_key);
    StateDict bad = {{"ok", Tensor::scalar<float>(1)}, {bad_key, Tensor::scalar<float>(2)}};
    expect_error([&] { save(bad, folder); }, ErrorCode::InvalidArgument, {"save:"});
    EXPECT_EQ(std::vector<std::string>{"c"}, keys_of(load(folder)));
    EXPECT_EQ(1u, entries_in_dir());
  }
  StateDict undefined = {{"x", Tensor()}};
  expect_error([&] { save(undefined, folder); }, ErrorCode::InvalidArgument, {"'x' is undefined"});

  // Folders that are not checkpoints are never replaced.
  fs::create_directory(dir_ / "photos");
  write_text(dir_ / "photos" / "cat.jpg", "meow");
  expect_error([&] { save(second, dir_ / "photos"); }, ErrorCode::IoError,
               {"not a OneFlow checkpoint"});
  EXPECT_EQ("meow", read_file(dir_ / "photos" / "cat.jpg"));
  expect_error([&] { save(second, dir_ / "photos" / "cat.jpg"); }, ErrorCode::IoError,
               {"not a folder"});
  expect_error([&] { save(second, dir_ / "no" / "such"); }, ErrorCode::IoError, {"does not exist"});
  // Replacing a pickle-layout checkpoint with a legacy one is fine.
  fs::path pickled = copy_fixture("pickle_flat_p4");
  save(second, pickled);
  EXPECT_FALSE(fs::exists(pickled / "pickled_data"));
  EXPECT_EQ(std::vector<std::string>{"c"}, keys_of(load(pickled)));
}

}  // namespace
}  // namespace flowonnx
