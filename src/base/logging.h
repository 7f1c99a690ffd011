// Minimal leveled logging to stderr. Warnings are for things the user should know but that do not
// stop the work (a skipped provider, a fallback); errors are thrown, never only logged.
#pragma once

#include <fmt/format.h>

#include <string_view>

namespace flowonnx {

enum class LogLevel { Debug = 0, Info = 1, Warning = 2, Silent = 3 };

void set_log_level(LogLevel level);
LogLevel log_level();
void log_message(LogLevel level, std::string_view message);

template <typename... Args>
void log_warning(fmt::format_string<Args...> format, Args&&... args) {
  if (log_level() <= LogLevel::Warning)
    log_message(LogLevel::Warning, fmt::format(format, std::forward<Args>(args)...));
}

template <typename... Args>
void log_info(fmt::format_string<Args...> format, Args&&... args) {
  if (log_level() <= LogLevel::Info)
    log_message(LogLevel::Info, fmt::format(format, std::forward<Args>(args)...));
}

}  // namespace flowonnx
