// Saving a rewritten model the way its input was stored: with external data when the input had
// any (same 1 KiB threshold), inline otherwise — simplify never undoes external data.
#pragma once

#include <filesystem>

#include "onnx/model_io.h"

namespace flowonnx::passes {

// True when the .onnx file at `path` stores any tensor as external data.
bool uses_external_data(const std::filesystem::path& path);
// Atomic (save_model).
void save_like_input(const onnx_io::Model& model, const std::filesystem::path& input,
                     const std::filesystem::path& output);

}  // namespace flowonnx::passes
