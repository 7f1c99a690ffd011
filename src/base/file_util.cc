#include "base/file_util.h"

#include <fstream>
#include <random>
#include <sstream>
#include <system_error>

#include "base/error.h"
#include "base/temporary_path.h"

namespace flowonnx {
namespace fs = std::filesystem;

std::string read_file(const fs::path& path) {
  std::error_code ec;
  if (fs::is_directory(path, ec)) fail(ErrorCode::IoError, "{}: is a directory, expected a file", path.string());
  std::ifstream in(path, std::ios::binary);
  if (!in) fail(ErrorCode::IoError, "{}: cannot open file for reading", path.string());
  std::ostringstream buffer;
  buffer << in.rdbuf();
  if (in.bad()) fail(ErrorCode::IoError, "{}: read error", path.string());
  return std::move(buffer).str();
}

void write_file_atomically(const fs::path& path, const std::function<void(std::ostream&)>& write) {
  fs::path folder = path.has_parent_path() ? path.parent_path() : fs::path(".");
  std::error_code ec;
  if (!fs::is_directory(folder, ec))
    fail(ErrorCode::IoError, "{}: folder {} does not exist", path.string(), folder.string());
  std::random_device entropy;
  TemporaryPath temporary(folder /
                          fmt::format(".{}.tmp{:08x}", path.filename().string(), entropy()));
  {
    std::ofstream out(temporary.path(), std::ios::binary | std::ios::trunc);
    if (!out)
      fail(ErrorCode::IoError, "{}: cannot create temporary file {}", path.string(),
           temporary.path().string());
    write(out);
    out.flush();
    if (!out) fail(ErrorCode::IoError, "{}: write failed (disk full?)", path.string());
  }
  fs::rename(temporary.path(), path, ec);
  if (ec) fail(ErrorCode::IoError, "{}: cannot rename temporary file: {}", path.string(), ec.message());
  temporary.release();
}

std::vector<std::filesystem::path> nearby_paths_named(const std::string& name) {
  namespace fs = std::filesystem;
  std::vector<fs::path> paths;
  auto add_ancestors = [&](fs::path dir) {
    for (int depth = 0; depth < 6 && !dir.empty(); ++depth) {
      paths.push_back(dir / name);
      if (dir == dir.parent_path()) break;
      dir = dir.parent_path();
    }
  };
  std::error_code ec;
  fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (!ec) add_ancestors(exe.parent_path());
  fs::path cwd = fs::current_path(ec);
  if (!ec) add_ancestors(cwd);
  return paths;
}

}  // namespace flowonnx
