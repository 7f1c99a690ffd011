// The server's self-description for GET v2 (and gRPC ServerMetadata): name,
// version and the protocol extensions it implements.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace flowonnx::serve {

inline constexpr const char* kServerName = "flowonnx";
inline constexpr const char* kServerVersion = "0.1.0";
// Triton's names for the extensions, as clients check them.
inline const std::vector<std::string> kServerExtensions = {
    "binary_tensor_data", "model_configuration", "statistics", "model_repository"};

inline nlohmann::json server_metadata() {
  return {{"name", kServerName}, {"version", kServerVersion}, {"extensions", kServerExtensions}};
}

}  // namespace flowonnx::serve
