#include "vision/image.h"

#include <unistd.h>

#include <cstdlib>
#include <opencv2/imgcodecs.hpp>
#include <vector>

#include "base/error.h"
#include "base/file_util.h"
#include "vision/jpeg_check.h"

namespace flowonnx::vision {
namespace fs = std::filesystem;

cv::Mat read_image(const fs::path& path) {
  std::error_code ec;
  if (!fs::exists(path, ec)) fail(ErrorCode::IoError, "image {}: no such file", path.string());
  if (fs::is_directory(path, ec))
    fail(ErrorCode::IoError, "image {}: is a folder, not an image file", path.string());
  const std::string bytes = read_file(path);
  if (looks_like_jpeg(bytes)) check_jpeg_intact(path, bytes);  // imread only warns
  cv::Mat image;
  try {
    image = cv::imread(path.string(), cv::IMREAD_COLOR);
  } catch (const cv::Exception& e) {
    fail(ErrorCode::InvalidArgument, "image {}: OpenCV cannot decode it: {}", path.string(),
         e.what());
  }
  if (image.empty())
    fail(ErrorCode::InvalidArgument,
         "image {}: OpenCV cannot decode it (not an image, corrupt, or a format it was built "
         "without)",
         path.string());
  FLOWONNX_CHECK(image.type() == CV_8UC3, "imread(IMREAD_COLOR) gave type {}", image.type());
  return image;
}

fs::path builtin_asset(const std::string& name) {
  std::vector<fs::path> folders;
  if (const char* env = std::getenv("FLOWONNX_DATA_DIR")) folders.emplace_back(env);
#ifdef FLOWONNX_SOURCE_DATA_DIR
  folders.emplace_back(FLOWONNX_SOURCE_DATA_DIR);
#endif
  for (fs::path& folder : nearby_paths_named("data")) folders.push_back(std::move(folder));
  std::error_code ec;
  std::string tried;
  for (const fs::path& folder : folders) {
    fs::path candidate = folder / name;
    if (fs::is_regular_file(candidate, ec)) return candidate;
    if (tried.size() < 2000) tried += "\n  " + candidate.string();
  }
  fail(ErrorCode::IoError,
       "built-in asset {} not found (set FLOWONNX_DATA_DIR or pass the file); tried:{}", name,
       tried);
}

}  // namespace flowonnx::vision
