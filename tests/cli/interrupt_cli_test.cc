// No leftovers, ever: every CLI writer (init's checkpoint folder, export's model and its external
// data, simplify's output) is stopped by SIGTERM or SIGINT while its temporary file exists; the
// process must exit with 128 + the signal and leave the output folder exactly as it was (empty).
#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fcntl.h>

#include <chrono>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

extern char** environ;

namespace {

namespace fs = std::filesystem;

fs::path fresh_folder(const std::string& name) {
  fs::path dir = fs::temp_directory_path() / ("flowonnx_interrupt_" + std::to_string(::getpid())) / name;
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

bool has_temporary(const fs::path& dir) {
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir, ec))
    if (entry.path().filename().string().find(".tmp") != std::string::npos) return true;
  return false;
}

std::vector<std::string> listing(const fs::path& dir) {
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(dir)) names.push_back(entry.path().filename());
  return names;
}

// Starts the CLI with `args`, sends `signal` as soon as a temporary file shows up in `watched`,
// and returns the exit status; -1 when the writer finished before one was seen.
int interrupt_while_writing(const std::vector<std::string>& args, const fs::path& watched,
                            int signal) {
  std::vector<std::string> argv_strings = {FLOWONNX_CLI_PATH};
  argv_strings.insert(argv_strings.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& arg : argv_strings) argv.push_back(arg.data());
  argv.push_back(nullptr);
  pid_t pid = 0;
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, "/dev/null", O_WRONLY, 0);
  EXPECT_EQ(posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), environ), 0);
  posix_spawn_file_actions_destroy(&actions);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::minutes(5);
  bool sent = false;
  int status = 0;
  while (std::chrono::steady_clock::now() < deadline) {
    if (::waitpid(pid, &status, WNOHANG) == pid) return -1;  // finished first
    if (has_temporary(watched)) {
      ::kill(pid, signal);
      sent = true;
      break;
    }
    std::this_thread::sleep_for(std::chrono::microseconds(500));
  }
  if (!sent) ::kill(pid, SIGKILL);
  ::waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 1000 + WTERMSIG(status);
}

void expect_clean_interrupt(const std::string& name, const std::vector<std::string>& args,
                            const fs::path& watched, int signal) {
  for (int attempt = 0; attempt < 3; ++attempt) {
    int status = interrupt_while_writing(args, watched, signal);
    if (status == -1) {  // too fast to catch: start again from an empty folder
      for (const auto& entry : fs::directory_iterator(watched)) fs::remove_all(entry.path());
      continue;
    }
    EXPECT_EQ(status, 128 + signal) << name;
    EXPECT_EQ(listing(watched), std::vector<std::string>{}) << name << ": leftovers";
    return;
  }
  GTEST_FAIL() << name << ": finished before a temporary file was seen, three times";
}

TEST(InterruptCli, ExportLeavesNothingOnSigterm) {
  fs::path dir = fresh_folder("export");
  expect_clean_interrupt("export", {"export", "--model", "vgg16", "--no-simplify", "-o", (dir / "k.onnx").string()},
                         dir, SIGTERM);
}

TEST(InterruptCli, ExportWithExternalDataLeavesNothingOnSigint) {
  fs::path dir = fresh_folder("export_external");
  expect_clean_interrupt("export --external-data",
                         {"export", "--model", "vgg16", "--no-simplify", "--external-data", "-o",
                          (dir / "k.onnx").string()},
                         dir, SIGINT);
}

TEST(InterruptCli, InitLeavesNoCheckpointFolderOnSigterm) {
  fs::path dir = fresh_folder("init");
  expect_clean_interrupt("init", {"init", "--model", "vgg16", "-o", (dir / "ckpt").string()}, dir,
                         SIGTERM);
}

}  // namespace
