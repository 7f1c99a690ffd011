#include "base/logging.h"

#include <atomic>
#include <cstdio>

namespace flowonnx {
namespace {
std::atomic<LogLevel> g_level{LogLevel::Warning};
}

void set_log_level(LogLevel level) { g_level = level; }
LogLevel log_level() { return g_level; }

void log_message(LogLevel level, std::string_view message) {
  const char* prefix = level == LogLevel::Warning ? "warning: " : "";
  std::fprintf(stderr, "%s%.*s\n", prefix, static_cast<int>(message.size()), message.data());
}

}  // namespace flowonnx
