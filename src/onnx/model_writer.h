// Model -> ModelProto and the atomic writer behind save_model / serialize_model. Private to
// src/onnx; tests use save_model_with_limit to simulate models over protobuf's 2 GiB limit.
#pragma once

#include <cstdint>
#include <filesystem>

#include "onnx/model_io.h"

namespace flowonnx::onnx_io {

// The largest message protobuf will serialise or parse (2 GiB - 1 bytes).
inline constexpr uint64_t kProtobufLimit = (uint64_t{1} << 31) - 1;

// ai.onnx opset written when the graph names none (the newest ONNX 1.12 knows).
inline constexpr int64_t kDefaultOpset = 17;

// save_model with the inline size limit as a parameter (save_model passes kProtobufLimit).
void save_model_with_limit(const Model& model, const std::filesystem::path& path,
                           const SaveOptions& options, uint64_t inline_limit);

}  // namespace flowonnx::onnx_io
