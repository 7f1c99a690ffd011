// flowonnx::Error, the one exception type the library throws, and the FLOWONNX_CHECK family.
// Every message carries its context (file, key, op, expected vs actual) so the user can act on it.
#pragma once

#include <fmt/format.h>

#include <stdexcept>
#include <string>

namespace flowonnx {

enum class ErrorCode { InvalidArgument, InvalidModel, NotImplemented, IoError, Internal };

const char* error_code_name(ErrorCode code);

class Error : public std::runtime_error {
 public:
  Error(ErrorCode code, const std::string& message) : std::runtime_error(message), code_(code) {}
  ErrorCode code() const { return code_; }

 private:
  ErrorCode code_;
};

// Throws Error(code, fmt::format(format, args...)).
template <typename... Args>
[[noreturn]] void fail(ErrorCode code, fmt::format_string<Args...> format, Args&&... args) {
  throw Error(code, fmt::format(format, std::forward<Args>(args)...));
}

}  // namespace flowonnx

// Guards an internal invariant: a failure is a bug in flowonnx, reported as ErrorCode::Internal.
#define FLOWONNX_CHECK(cond, ...)                                                               \
  do {                                                                                          \
    if (!(cond))                                                                                \
      throw ::flowonnx::Error(::flowonnx::ErrorCode::Internal,                                  \
                              ::fmt::format("internal check failed at {}:{}: {}: {}", __FILE__, \
                                            __LINE__, #cond, ::fmt::format(__VA_ARGS__)));      \
  } while (0)

// Validates user input: a failure throws ErrorCode::InvalidArgument with the formatted message.
#define FLOWONNX_REQUIRE(cond, ...)                                                   \
  do {                                                                                \
    if (!(cond))                                                                      \
      throw ::flowonnx::Error(::flowonnx::ErrorCode::InvalidArgument,                 \
                              ::fmt::format(__VA_ARGS__));                            \
  } while (0)
