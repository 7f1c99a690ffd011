// The ONNX backend node tests (Debian libonnx-testdata, ONNX 1.12): one gtest per test folder.
// Tests in cpu.txt must pass; every other folder is listed in skipped.txt with a one-line reason
// and reported as skipped. Outputs are compared like upstream's runner: rtol 1e-3, atol 1e-7,
// NaN equal to NaN, dtype and shape exact.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>

#include "onnx/model_io.h"
#include "runtime/kernel_registry.h"
#include "runtime/session.h"

namespace flowonnx {
namespace {

namespace fs = std::filesystem;

const fs::path kDataDir = "/usr/share/libonnx-testdata/data/node";
const fs::path kListDir = fs::path(FLOWONNX_SOURCE_DIR) / "tests" / "onnx_node";

std::vector<std::string> test_dirs() {
  std::vector<std::string> names;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(kDataDir, ec))
    if (entry.is_directory()) names.push_back(entry.path().filename().string());
  std::sort(names.begin(), names.end());
  return names;
}

// name -> reason ("" for the allowlist). Blank lines and '#' comments are ignored.
std::map<std::string, std::string> read_list(const std::string& file, bool with_reason) {
  std::map<std::string, std::string> entries;
  std::ifstream in(kListDir / file);
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    size_t tab = line.find('\t');
    std::string name = line.substr(0, tab);
    entries[name] = with_reason && tab != std::string::npos ? line.substr(tab + 1) : "";
  }
  return entries;
}

const std::map<std::string, std::string>& allowlist() {
  static const auto list = read_list("cpu.txt", false);
  return list;
}
const std::map<std::string, std::string>& skiplist() {
  static const auto list = read_list("skipped.txt", true);
  return list;
}

void expect_matches(const Tensor& actual, const Tensor& expected, const std::string& what) {
  ASSERT_EQ(actual.dtype(), expected.dtype()) << what;
  ASSERT_EQ(actual.shape(), expected.shape()) << what;
  std::vector<double> a = actual.to_double_vector(), e = expected.to_double_vector();
  size_t bad = 0;
  std::string first;
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::isnan(a[i]) && std::isnan(e[i])) continue;
    if (a[i] == e[i]) continue;  // also equal infinities
    if (std::abs(a[i] - e[i]) <= 1e-7 + 1e-3 * std::abs(e[i])) continue;
    if (bad++ == 0) first = "index " + std::to_string(i) + ": " + std::to_string(a[i]) + " vs " + std::to_string(e[i]);
  }
  EXPECT_EQ(bad, 0u) << what << ": " << bad << " of " << a.size() << " values differ, first at " << first;
}

void run_node_test(const std::string& name) {
  const fs::path dir = kDataDir / name;
  InferenceSession session(dir / "model.onnx");
  const fs::path data = dir / "test_data_set_0";
  std::map<std::string, Tensor> feeds;
  const auto& inputs = session.get_inputs();
  for (size_t k = 0; k < inputs.size(); ++k) {
    fs::path file = data / ("input_" + std::to_string(k) + ".pb");
    if (fs::exists(file)) feeds[inputs[k].name] = onnx_io::read_tensor_pb(file);
  }
  std::vector<Tensor> outputs = session.run({}, feeds);
  for (size_t k = 0; k < outputs.size(); ++k) {
    fs::path file = data / ("output_" + std::to_string(k) + ".pb");
    ASSERT_TRUE(fs::exists(file)) << file;
    expect_matches(outputs[k], onnx_io::read_tensor_pb(file), "output " + std::to_string(k));
  }
}

class NodeTest : public ::testing::TestWithParam<std::string> {};

TEST_P(NodeTest, Run) {
  const std::string& name = GetParam();
  auto skipped = skiplist().find(name);
  if (skipped != skiplist().end() && !allowlist().count(name)) GTEST_SKIP() << skipped->second;
  try {
    run_node_test(name);
  } catch (const Error& error) {
    FAIL() << error_code_name(error.code()) << ": " << error.what();
  }
}

INSTANTIATE_TEST_SUITE_P(Onnx, NodeTest, ::testing::ValuesIn(test_dirs()),
                         [](const ::testing::TestParamInfo<std::string>& info) { return info.param; });

TEST(NodeTestLists, EveryFolderIsInExactlyOneList) {
  std::vector<std::string> dirs = test_dirs();
  ASSERT_FALSE(dirs.empty()) << "no test data at " << kDataDir << " (apt-get install libonnx-testdata)";
  std::set<std::string> known(dirs.begin(), dirs.end());
  for (const auto& name : dirs) {
    int lists = int(allowlist().count(name)) + int(skiplist().count(name));
    EXPECT_EQ(lists, 1) << name << " is in " << lists << " of cpu.txt / skipped.txt";
  }
  for (const auto& [name, reason] : allowlist()) EXPECT_TRUE(known.count(name)) << "cpu.txt: unknown test " << name;
  for (const auto& [name, reason] : skiplist()) {
    EXPECT_TRUE(known.count(name)) << "skipped.txt: unknown test " << name;
    EXPECT_FALSE(reason.empty()) << "skipped.txt: " << name << " has no reason";
  }
}

}  // namespace
}  // namespace flowonnx

namespace flowonnx {
namespace {

// Completeness: every op the CPU provider claims is exercised by at least one passing node test
// (ops without any upstream node test are listed here with their own unit tests instead).
TEST(NodeTestLists, EveryClaimedOpPassesANodeTest) {
  const std::set<std::string> without_node_test = {"LpPool"};  // tested in runtime_tests
  std::set<std::string> covered;
  for (const auto& [name, reason] : allowlist()) {
    onnx_io::Model model = onnx_io::load_model(kDataDir / name / "model.onnx");
    for (const auto& node : model.graph.nodes()) covered.insert(node->op_type);
  }
  for (const auto& [domain, op] : runtime::cpu_kernel_registry().keys())
    EXPECT_TRUE(covered.count(op) || without_node_test.count(op)) << op << " has no passing node test";
}

}  // namespace
}  // namespace flowonnx
