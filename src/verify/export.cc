#include "verify/export.h"

#include "passes/simplify.h"

namespace flowonnx {
namespace fs = std::filesystem;

fs::path export_onnx_model(const nn::Graph& graph, const ExportOptions& options) {
  onnx_io::Model model = convert_to_onnx(graph, options);
  if (options.simplify) passes::simplify(model);
  fs::path path = resolve_model_path(options.onnx_model_path);
  std::error_code ec;
  if (path.has_parent_path() && !fs::exists(path.parent_path(), ec)) fs::create_directories(path.parent_path(), ec);
  if (ec) fail(ErrorCode::IoError, "export: cannot create folder {}: {}", path.parent_path().string(), ec.message());
  onnx_io::SaveOptions save;
  save.external_data = options.external_data;
  onnx_io::save_model(model, path, save);
  return path;
}

}  // namespace flowonnx
