// The one error type of the serving layer: a message for the client and the
// HTTP status that the Open Inference Protocol gives it (400 bad request, 404
// unknown model or version, 413 body too large, 503 not ready or queue full,
// 500 a failure inside the server). Library errors (flowonnx::Error) crossing
// into a handler map to a status by their code (http_status.cc).
#pragma once

#include <fmt/format.h>

#include <stdexcept>
#include <string>

namespace flowonnx::serve {

class ServeError : public std::runtime_error {
 public:
  ServeError(int status, const std::string& message)
      : std::runtime_error(message), status_(status) {}
  int status() const { return status_; }

 private:
  int status_;
};

template <typename... Args>
[[noreturn]] void serve_fail(int status, fmt::format_string<Args...> format, Args&&... args) {
  throw ServeError(status, fmt::format(format, std::forward<Args>(args)...));
}

inline constexpr int kBadRequest = 400;
inline constexpr int kNotFound = 404;
inline constexpr int kPayloadTooLarge = 413;
inline constexpr int kInternalError = 500;
inline constexpr int kUnavailable = 503;

}  // namespace flowonnx::serve
