// convert_to_onnx: a compiled nn::Graph -> an ONNX model in memory, with the tutorial's options
// (external_data, opset, flow_weight_dir, onnx_model_path, dynamic_batch_size). Every flow
// node is rewritten by the handler of its op family for the target opset and every emitted node
// is validated against libonnx's schema registry. export_onnx_model (src/verify/export.h) adds
// simplification and the atomic write.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "flow/nn/graph.h"
#include "onnx/export/dynamic_dims.h"
#include "onnx/model_io.h"

namespace flowonnx {

// oneflow-onnx's PREFERRED_OPSET is 10, which lacks Range and others. We default to 18: what
// PyTorch's exporter writes by default (dynamo, torch 2.5-2.8), run by ONNX Runtime since 1.14 and
// TensorRT since 10.x; LayerNormalization (17) and every reduction with axes as an input (18) are
// in it. The newest we write is 26, the newest ONNX Runtime 1.31 runs (onnx 1.22 knows 27, and
// the runtime imports it, but no released ONNX Runtime loads such a file). See docs/ops.md.
inline constexpr int kPreferredOpset = 18;
inline constexpr int kMinOpset = 9;
inline constexpr int kMaxOpset = 26;

struct ExportOptions {
  // Store initializers of >= 1 KiB in one "<model file>.data" file beside the model.
  bool external_data = false;
  int opset = 0;  // 0 = kPreferredOpset
  // Read weights from this OneFlow checkpoint folder instead of the modules; initializer
  // "model.conv1.weight/out" is looked up as "model.conv1.weight" (nested {"model": ...}
  // checkpoint), then as "conv1.weight" (flat checkpoint of the model).
  std::string flow_weight_dir;
  // A folder (the model is written as <folder>/model.onnx) or a path ending in ".onnx".
  std::string onnx_model_path = "/tmp";
  // Dim 0 of every graph input and output becomes the symbol "N", and no node bakes the
  // compile-time batch in (Reshape targets keep it symbolic or the export fails).
  bool dynamic_batch_size = false;
  // More symbolic input dims (torch.onnx.export's dynamic_axes), e.g. {"0", 1, "S"} for the
  // sequence of a text encoder. The exporter probes the traced graph with other sizes for them
  // (see onnx/export/dynamic_dims.h): output dims that follow an axis become symbolic, no node
  // bakes such a dim in (Reshape targets keep it with 0 / -1, Slice bounds stay relative), and a
  // node whose traced attributes hold the size fails the export with the node, symbol and dim.
  std::vector<DynamicAxis> dynamic_axes;
  // export_onnx_model simplifies the model before writing it (as oneflow-onnx runs
  // onnx-simplifier), keeping external data when asked; false writes the plain conversion.
  bool simplify = true;
};

// The ONNX model in memory (validated against the opset; not written).
onnx_io::Model convert_to_onnx(const nn::Graph& graph, const ExportOptions& options);

// Every symbolic input dim of an export: dim 0 of each input as "N" with dynamic_batch_size,
// then options.dynamic_axes, with inputs given by position resolved to their names. Throws
// InvalidArgument for a position past the graph's inputs.
std::vector<DynamicAxis> resolve_dynamic_axes(const ir::Graph& graph, const ExportOptions& options);

// Where a model goes for `onnx_model_path` (folder -> folder/model.onnx).
std::filesystem::path resolve_model_path(const std::string& onnx_model_path);

}  // namespace flowonnx
