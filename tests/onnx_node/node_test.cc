// The ONNX backend node tests of two releases, one gtest per test folder: Debian's
// libonnx-testdata (ONNX 1.12, cpu.txt / skipped.txt) and the pinned PyPI onnx wheel's (1.22,
// cpu_onnx122.txt / skipped_onnx122.txt). Tests in the allowlist must pass; every other folder is
// listed in the skip list with a one-line reason and reported as skipped. Outputs are compared
// like upstream's runner: rtol 1e-3, atol 1e-7, NaN equal to NaN, dtype and shape exact.
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

const fs::path kListDir = fs::path(FLOWONNX_SOURCE_DIR) / "tests" / "onnx_node";

// One release's node tests: where its folders are and the lists that say which
// must pass.
struct NodeTestSet {
  std::string name;
  fs::path data_dir;
  std::string allow_file, skip_file;
};

// The pinned PyPI onnx wheel of .venv ships its release's node tests as files.
fs::path wheel_node_dir() {
  const fs::path lib = fs::path(FLOWONNX_SOURCE_DIR) / ".venv" / "lib";
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(lib, ec)) {
    fs::path dir = entry.path() / "site-packages" / "onnx" / "backend" / "test" / "data" / "node";
    if (fs::is_directory(dir)) return dir;
  }
  return lib / "python3" / "site-packages" / "onnx" / "backend" / "test" / "data" / "node";
}

const NodeTestSet& debian_set() {  // Debian's libonnx-testdata: ONNX 1.12, opsets up to 17
  static const NodeTestSet set{"onnx 1.12", "/usr/share/libonnx-testdata/data/node", "cpu.txt",
                               "skipped.txt"};
  return set;
}
const NodeTestSet& wheel_set() {  // onnx 1.22 from PyPI: opsets up to its newest
  static const NodeTestSet set{"onnx 1.22", wheel_node_dir(), "cpu_onnx122.txt",
                               "skipped_onnx122.txt"};
  return set;
}

std::vector<std::string> test_dirs(const NodeTestSet& set) {
  std::vector<std::string> names;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(set.data_dir, ec))
    if (entry.is_directory()) names.push_back(entry.path().filename().string());
  std::sort(names.begin(), names.end());
  return names;
}

// name -> reason ("" for the allowlist). Blank lines and '#' comments are
// ignored.
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

struct Lists {
  std::map<std::string, std::string> allow, skip;
};
const Lists& lists_of(const NodeTestSet& set) {
  static std::map<std::string, Lists> cache;
  auto it = cache.find(set.name);
  if (it == cache.end())
    it = cache
             .emplace(set.name,
                      Lists{read_list(set.allow_file, false), read_list(set.skip_file, true)})
             .first;
  return it->second;
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
    if (bad++ == 0)
      first = "index " + std::to_string(i) + ": " + std::to_string(a[i]) + " vs " +
              std::to_string(e[i]);
  }
  EXPECT_EQ(bad, 0u) << what << ": " << bad << " of " << a.size() << " values differ, first at "
                     << first;
}

void run_node_test(const NodeTestSet& set, const std::string& name) {
  const fs::path dir = set.data_dir / name;
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

void run_listed(const NodeTestSet& set, const std::string& name) {
  const Lists& lists = lists_of(set);
  auto skipped = lists.skip.find(name);
  if (skipped != lists.skip.end() && !lists.allow.count(name)) GTEST_SKIP() << skipped->second;
  try {
    run_node_test(set, name);
  } catch (const Error& error) {
    FAIL() << error_code_name(error.code()) << ": " << error.what();
  }
}

std::string param_name(const ::testing::TestParamInfo<std::string>& info) { return info.param; }

class NodeTest : public ::testing::TestWithParam<std::string> {};
TEST_P(NodeTest, Run) { run_listed(debian_set(), GetParam()); }
INSTANTIATE_TEST_SUITE_P(Onnx, NodeTest, ::testing::ValuesIn(test_dirs(debian_set())), param_name);

class NodeTest122 : public ::testing::TestWithParam<std::string> {};
TEST_P(NodeTest122, Run) { run_listed(wheel_set(), GetParam()); }
INSTANTIATE_TEST_SUITE_P(Onnx122, NodeTest122, ::testing::ValuesIn(test_dirs(wheel_set())),
                         param_name);

void expect_lists_cover(const NodeTestSet& set, const char* install_hint) {
  std::vector<std::string> dirs = test_dirs(set);
  ASSERT_FALSE(dirs.empty()) << "no test data at " << set.data_dir << " (" << install_hint << ")";
  const Lists& lists = lists_of(set);
  std::set<std::string> known(dirs.begin(), dirs.end());
  for (const auto& name : dirs) {
    int count = int(lists.allow.count(name)) + int(lists.skip.count(name));
    EXPECT_EQ(count, 1) << name << " is in " << count << " of " << set.allow_file << " / "
                        << set.skip_file;
  }
  for (const auto& [name, reason] : lists.allow)
    EXPECT_TRUE(known.count(name)) << set.allow_file << ": unknown test " << name;
  for (const auto& [name, reason] : lists.skip) {
    EXPECT_TRUE(known.count(name)) << set.skip_file << ": unknown test " << name;
    EXPECT_FALSE(reason.empty()) << set.skip_file << ": " << name << " has no reason";
  }
}

TEST(NodeTestLists, EveryFolderIsInExactlyOneList) {
  expect_lists_cover(debian_set(), "apt-get install libonnx-testdata");
  expect_lists_cover(wheel_set(), "scripts/setup.sh installs onnx into .venv");
}

// Completeness: every op the CPU provider claims is exercised by at least one passing node test
// of either release.
TEST(NodeTestLists, EveryClaimedOpPassesANodeTest) {
  std::set<std::string> covered;
  for (const NodeTestSet* set : {&debian_set(), &wheel_set()}) {
    for (const auto& [name, reason] : lists_of(*set).allow) {
      onnx_io::Model model = onnx_io::load_model(set->data_dir / name / "model.onnx");
      for (const auto& node : model.graph.nodes()) covered.insert(node->op_type);
    }
  }
  for (const auto& [domain, op] : runtime::cpu_kernel_registry().keys())
    EXPECT_TRUE(covered.count(op)) << op << " has no passing node test";
}

}  // namespace
}  // namespace flowonnx
