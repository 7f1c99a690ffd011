// Atomic writes under a real I/O failure: every writer (.npy, .pb, .onnx inline and with external
// data, checkpoint folders, and the CLI's --output) runs in a child process whose files may not grow
// past a limit (RLIMIT_FSIZE), so the kernel itself fails a write midway with EFBIG. The writer must
// throw IoError, the previous file(s) must be byte-for-byte intact, and no temporary may be left.
#include <gtest/gtest.h>
#include <onnx/onnx_pb.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <functional>
#include <map>

#include "flow/checkpoint.h"
#include "onnx/model_io.h"
#include "onnx/model_io_test_util.h"
#include "tensor/npy.h"

namespace flowonnx {
namespace {

namespace fs = std::filesystem;
using onnx_io::testing::read_bytes;
using onnx_io::testing::ScratchDir;
using onnx_io::testing::set_tensor_type;
using onnx_io::testing::write_bytes;

constexpr int64_t kElements = 1 << 18;     // 1 MiB of float32: far past the limit below
constexpr rlim_t kFileSizeLimit = 64 << 10;  // 64 KiB

struct ChildResult {
  bool threw_io_error = false;
  std::string message;  // the Error's message, or what went wrong instead
};

// Runs `write` in a forked child under RLIMIT_FSIZE = kFileSizeLimit (SIGXFSZ ignored, as the CLI
// does, so the write fails with EFBIG instead of killing the process) and reports what it threw.
ChildResult write_under_file_size_limit(const std::function<void()>& write) {
  int pipe_fds[2];
  EXPECT_EQ(pipe(pipe_fds), 0);
  pid_t pid = fork();
  if (pid == 0) {
    close(pipe_fds[0]);
    std::signal(SIGXFSZ, SIG_IGN);
    rlimit limit{kFileSizeLimit, kFileSizeLimit};
    setrlimit(RLIMIT_FSIZE, &limit);
    int status = 3;
    std::string message = "the write succeeded";
    try {
      write();
    } catch (const Error& error) {
      status = error.code() == ErrorCode::IoError ? 0 : 4;
      message = error.what();
    } catch (const std::exception& error) {
      message = std::string("not a flowonnx::Error: ") + error.what();
    }
    [[maybe_unused]] ssize_t written = ::write(pipe_fds[1], message.data(), message.size());
    close(pipe_fds[1]);
    _exit(status);
  }
  close(pipe_fds[1]);
  std::string message;
  char buffer[4096];
  for (ssize_t n; (n = read(pipe_fds[0], buffer, sizeof buffer)) > 0;) message.append(buffer, n);
  close(pipe_fds[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  return {WIFEXITED(status) && WEXITSTATUS(status) == 0, message};
}

// Every file under `folder` (recursively) with its bytes.
std::map<std::string, std::string> snapshot(const fs::path& folder) {
  std::map<std::string, std::string> files;
  for (const auto& entry : fs::recursive_directory_iterator(folder))
    files[fs::relative(entry.path(), folder).string()] =
        entry.is_regular_file() ? read_bytes(entry.path()) : "<folder>";
  return files;
}

// Writes a first version with `write(0)`, then `write(1)` under the limit: it must fail with an
// IoError naming a write failure, and the folder must be exactly as after the first version.
void expect_failed_overwrite_leaves_previous(const std::function<void(float value)>& write,
                                             const fs::path& folder) {
  write(0.f);
  const auto before = snapshot(folder);
  ASSERT_FALSE(before.empty());
  ChildResult child = write_under_file_size_limit([&] { write(1.f); });
  EXPECT_TRUE(child.threw_io_error) << child.message;
  EXPECT_NE(child.message.find("write failed"), std::string::npos) << child.message;
  const auto after = snapshot(folder);
  EXPECT_EQ(after.size(), before.size());  // no temporary left behind
  for (const auto& [name, bytes] : before) {
    ASSERT_TRUE(after.count(name)) << name << " is gone";
    EXPECT_TRUE(after.at(name) == bytes) << name << " changed";
  }
  for (const auto& [name, bytes] : after) EXPECT_TRUE(before.count(name)) << name << " was left";
}

Tensor filled(float value) { return Tensor::full({kElements}, value); }

// y = Add(x, w) over kElements floats, w filled with `value`.
onnx_io::Model big_add_model(float value) {
  ::onnx::ModelProto proto = onnx_io::testing::add_model();
  auto* graph = proto.mutable_graph();
  graph->mutable_input(0)->Clear();
  graph->mutable_output(0)->Clear();
  set_tensor_type(graph->mutable_input(0), "x", ::onnx::TensorProto::FLOAT, {kElements});
  set_tensor_type(graph->mutable_output(0), "y", ::onnx::TensorProto::FLOAT, {kElements});
  auto* w = graph->mutable_initializer(0);
  w->clear_float_data();
  w->set_dims(0, kElements);
  const Tensor data = filled(value);
  w->set_raw_data(std::string(static_cast<const char*>(data.raw_data()), data.nbytes()));
  return onnx_io::testing::parse_proto(proto);
}

TEST(AtomicWrite, NpyKeepsThePreviousFile) {
  ScratchDir dir;
  expect_failed_overwrite_leaves_previous(
      [&](float value) { write_npy(dir / "x.npy", filled(value)); }, dir.path());
}

TEST(AtomicWrite, TensorPbKeepsThePreviousFile) {
  ScratchDir dir;
  expect_failed_overwrite_leaves_previous(
      [&](float value) { onnx_io::write_tensor_pb(dir / "x.pb", filled(value)); }, dir.path());
}

TEST(AtomicWrite, InlineModelKeepsThePreviousFile) {
  ScratchDir dir;
  expect_failed_overwrite_leaves_previous(
      [&](float value) { onnx_io::save_model(big_add_model(value), dir / "model.onnx"); },
      dir.path());
}

TEST(AtomicWrite, ExternalDataModelKeepsBothPreviousFiles) {
  ScratchDir dir;
  onnx_io::SaveOptions options;
  options.external_data = true;
  expect_failed_overwrite_leaves_previous(
      [&](float value) { onnx_io::save_model(big_add_model(value), dir / "model.onnx", options); },
      dir.path());
  EXPECT_TRUE(fs::exists(dir / "model.onnx.data"));
}

TEST(AtomicWrite, CheckpointKeepsThePreviousFolder) {
  ScratchDir dir;
  expect_failed_overwrite_leaves_previous(
      [&](float value) { save(StateDict{{"fc.weight", filled(value)}}, dir / "ck"); }, dir.path());
  EXPECT_TRUE(fs::exists(dir / "ck" / "fc.weight" / "out"));
}

// The CLI under a shell's `ulimit -f`: exit 1 with the error on stderr, the old output intact.
TEST(AtomicWrite, CliOutputKeepsThePreviousFile) {
  ScratchDir dir;
  onnx_io::save_model(big_add_model(1.f), dir / "model.onnx", {.external_data = true});
  write_npy(dir / "x.npy", filled(2.f));
  write_npy(dir / "y.npy", Tensor::zeros({3}));
  const auto before = snapshot(dir.path());
  const std::string command = "ulimit -f 64 && exec " + std::string(FLOWONNX_CLI_PATH) + " run " +
                              (dir / "model.onnx").string() + " --input " +
                              (dir / "x.npy").string() + " --output " + (dir / "y.npy").string() +
                              " >/dev/null 2>" + (dir / "stderr.txt").string();
  int status = std::system(("sh -c '" + command + "'").c_str());
  const std::string err = read_bytes(dir / "stderr.txt");
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 1) << status << ": " << err;
  EXPECT_NE(err.find("error:"), std::string::npos) << err;
  EXPECT_NE(err.find("write failed"), std::string::npos) << err;
  auto after = snapshot(dir.path());
  after.erase("stderr.txt");
  EXPECT_EQ(after.size(), before.size());  // no temporary left behind
  for (const auto& [name, bytes] : before) EXPECT_TRUE(after[name] == bytes) << name << " changed";
}

}  // namespace
}  // namespace flowonnx
