// Helpers shared by the verify, vision and CLI tests of the check and the image pipeline.
#pragma once

#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <string>

#include "flow/checkpoint.h"
#include "flow/nn/module.h"
#include "tensor/random.h"

namespace flowonnx::test_util {

namespace fs = std::filesystem;

// A fresh folder under the system temp folder, removed with everything in it at scope exit.
class TempDir {
 public:
  explicit TempDir(const std::string& tag = "verify") {
    path_ = fs::temp_directory_path() / ("flowonnx_" + tag + "_" + std::to_string(::getpid()) +
                                         "_" + std::to_string(counter_++));
    fs::remove_all(path_);
    fs::create_directories(path_);
  }
  ~TempDir() { fs::remove_all(path_); }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const fs::path& path() const { return path_; }

 private:
  static inline int counter_ = 0;
  fs::path path_;
};

// Writes `state` as a checkpoint folder with element `element` of tensor `key` increased by
// `delta`: the test-only way to break an export (flow_weight_dir pointing at it) by one weight.
inline void save_perturbed_checkpoint(StateDict state, const std::string& key, int64_t element,
                                      float delta, const fs::path& folder) {
  Tensor changed = state.at(key).clone();
  changed.data<float>()[element] += delta;
  state[key] = changed;
  save(state, folder);
}

struct CommandResult {
  int exit_code;
  std::string output;  // stdout and stderr together
};

// Runs `command` through the shell and captures what it prints.
inline CommandResult run_command(const std::string& command) {
  FILE* pipe = popen((command + " 2>&1").c_str(), "r");
  std::string output;
  std::array<char, 4096> buffer;
  while (size_t n = fread(buffer.data(), 1, buffer.size(), pipe)) output.append(buffer.data(), n);
  int status = pclose(pipe);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, output};
}

}  // namespace flowonnx::test_util
