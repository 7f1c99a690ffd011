// Temporary files and folders that writers create next to their targets (then rename into place)
// are registered here while they exist, so a process stopped by SIGINT, SIGTERM or SIGHUP removes
// them before it exits: without this, an interrupted `flowonnx export` left a hidden 35 MB
// `.k.onnx.tmpXXXXXXXX` behind. The CLI calls remove_temporaries_on_signals() first thing.
#pragma once

#include <filesystem>
#include <functional>

namespace flowonnx {

class TemporaryPath {
 public:
  // Registers `path` (a file or folder the caller is about to create).
  explicit TemporaryPath(std::filesystem::path path);
  // Removes the path (recursively) unless it was released, and unregisters it.
  ~TemporaryPath();
  TemporaryPath(const TemporaryPath&) = delete;
  TemporaryPath& operator=(const TemporaryPath&) = delete;

  const std::filesystem::path& path() const { return path_; }
  // The path was renamed into place: nothing to remove any more.
  void release();

 private:
  std::filesystem::path path_;
  bool released_ = false;
};

// Blocks SIGINT, SIGTERM and SIGHUP in the calling thread (and so in every thread it starts
// afterwards: call it before any other thread exists) and starts a thread that waits for them.
// On one, it removes every registered temporary path, says so on stderr and exits with
// 128 + the signal number, as a shell reports a process killed by it.
void remove_temporaries_on_signals();

// For a command that stops gracefully on a signal (`flowonnx serve`): while a handler is set, the
// signal thread calls it with the signal instead of exiting (after removing the temporaries), and
// keeps waiting, so a second signal still exits. Only one thread may wait for a signal, or the
// kernel picks either at random; an empty function restores exiting.
void set_signal_handler(std::function<void(int)> handler);

}  // namespace flowonnx
