// export_onnx_model, the tutorial's entry point (oneflow_onnx.oneflow2onnx.util): convert a
// compiled graph to ONNX, simplify it (unless options.simplify is false) and write it atomically
// to onnx_model_path, with external data when asked.
#pragma once

#include <filesystem>

#include "onnx/export/exporter.h"

namespace flowonnx {

// Converts, simplifies and writes; returns the path of the written .onnx file.
std::filesystem::path export_onnx_model(const nn::Graph& graph, const ExportOptions& options);

}  // namespace flowonnx
