#include "output_paths.h"

#include <system_error>

#include "base/error.h"

namespace flowonnx::cli {
namespace fs = std::filesystem;

namespace {

// The nearest existing ancestor that is not a folder, if any ("x.npy" for "x.npy/a/m.onnx").
fs::path file_among_parents(const fs::path& folder) {
  std::error_code ec;
  for (fs::path p = folder; !p.empty(); p = p.parent_path()) {
    if (fs::exists(p, ec) && !fs::is_directory(p, ec)) return p;
    if (p == p.parent_path()) break;
  }
  return {};
}

}  // namespace

void check_output_path(const std::string& option, const fs::path& path, OutputKind kind) {
  if (path.empty()) fail(ErrorCode::InvalidArgument, "{}: the path is empty", option);
  const std::string text = path.string();
  fs::path target = path.lexically_normal();
  if (target.filename().empty()) target = target.parent_path();  // "out/" names the folder "out"
  if (kind == OutputKind::kFile && path.filename().empty())
    fail(ErrorCode::InvalidArgument, "{} {}: ends with '/', expected a file name", option, text);
  fs::path parent = target.has_parent_path() ? target.parent_path() : fs::path(".");
  std::error_code ec;
  if (!fs::is_directory(parent, ec)) {
    fs::path blocker = file_among_parents(parent);
    if (!blocker.empty())
      fail(ErrorCode::InvalidArgument, "{} {}: {} is a file, not a folder", option, text,
           blocker.string());
    fail(ErrorCode::InvalidArgument, "{} {}: folder {} does not exist (create it first)", option,
         text, parent.string());
  }
  if (!fs::exists(target, ec)) return;
  bool is_folder = fs::is_directory(target, ec);
  if (kind == OutputKind::kFile && is_folder)
    fail(ErrorCode::InvalidArgument, "{} {}: is a folder, not a file", option, text);
  if (kind == OutputKind::kFolder && !is_folder)
    fail(ErrorCode::InvalidArgument, "{} {}: is a file, not a folder", option, text);
}

void create_output_folder(const std::string& option, const fs::path& path) {
  check_output_path(option, path, OutputKind::kFolder);
  std::error_code ec;
  fs::create_directory(path, ec);
  if (ec)
    fail(ErrorCode::IoError, "{} {}: cannot create the folder: {}", option, path.string(),
         ec.message());
}

fs::path export_model_path(const std::string& option, const std::string& text) {
  fs::path path(text);
  std::error_code ec;
  if (path.extension() == ".onnx") {  // "m.onnx" is a file even if a folder has that name
    check_output_path(option, path, OutputKind::kFile);
    return path;
  }
  // "out/", an existing folder, or a name without extension ("out", ".", "..", ".cache").
  bool names_folder =
      path.filename().empty() || fs::is_directory(path, ec) || path.extension().empty();
  if (!names_folder)
    fail(ErrorCode::InvalidArgument,
         "{} {}: expected a .onnx file or a folder (write {}/ to mean a folder)", option, text,
         text);
  check_output_path(option, path, OutputKind::kFolder);
  return path / "model.onnx";
}

}  // namespace flowonnx::cli
