#include "base/temporary_path.h"

#include <pthread.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <mutex>
#include <set>
#include <thread>
#include <utility>

namespace flowonnx {
namespace fs = std::filesystem;

namespace {

struct Registry {
  std::mutex mutex;
  std::multiset<fs::path> paths;
  std::function<void(int)> handler;  // set: a signal calls it instead of exiting
};

Registry& registry() {
  static Registry* instance = new Registry;  // never destroyed: the signal thread may outlive main
  return *instance;
}

}  // namespace

TemporaryPath::TemporaryPath(fs::path path) : path_(std::move(path)) {
  std::lock_guard lock(registry().mutex);
  registry().paths.insert(path_);
}

TemporaryPath::~TemporaryPath() {
  std::error_code ec;
  if (!released_) fs::remove_all(path_, ec);
  std::lock_guard lock(registry().mutex);
  auto found = registry().paths.find(path_);
  if (found != registry().paths.end()) registry().paths.erase(found);
}

void TemporaryPath::release() { released_ = true; }

void set_signal_handler(std::function<void(int)> handler) {
  std::lock_guard lock(registry().mutex);
  registry().handler = std::move(handler);
}

void remove_temporaries_on_signals() {
  sigset_t signals;
  sigemptyset(&signals);
  for (int signal : {SIGINT, SIGTERM, SIGHUP}) sigaddset(&signals, signal);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  // A thread that receives the signal synchronously (sigwait) runs ordinary code, unlike a
  // handler, so it may take the registry's lock and use std::filesystem.
  std::thread([signals] {
    int signal = 0;
    for (;;) {
      if (sigwait(&signals, &signal) != 0) return;
      std::function<void(int)> handler;
      {
        std::lock_guard lock(registry().mutex);
        handler = std::exchange(registry().handler, nullptr);
      }
      if (!handler) break;
      handler(signal);  // a second signal finds no handler and exits below
    }
    // The writers keep running meanwhile: one may add a file to a folder being removed, or
    // create a registered path just after a pass looked for it. Holding the lock stops them at
    // their next registration; passes repeat until two in a row find nothing.
    std::lock_guard lock(registry().mutex);
    size_t removed = 0;
    for (int quiet = 0, round = 0; quiet < 2 && round < 100; ++round) {
      bool found = false;
      for (const fs::path& path : registry().paths) {
        std::error_code ec;
        if (fs::exists(fs::symlink_status(path, ec))) {
          found = true;
          removed += fs::remove_all(path, ec) > 0;
        }
      }
      quiet = found ? 0 : quiet + 1;
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    std::fprintf(stderr, "error: interrupted by %s; %zu temporary file(s) removed\n",
                 strsignal(signal), removed);
    std::fflush(stderr);
    _exit(128 + signal);
  }).detach();
}

}  // namespace flowonnx
