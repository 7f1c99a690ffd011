// Reading images as the tutorial's cv2.imread(path, cv2.IMREAD_COLOR) does: OpenCV's decoders,
// 8-bit, 3 channels in BGR order (grey images are expanded, alpha is dropped, EXIF orientation
// is applied), with errors that name the file instead of an empty matrix.
#pragma once

#include <filesystem>
#include <opencv2/core.hpp>
#include <string>

namespace flowonnx::vision {

// Throws IoError when the file is missing or unreadable and InvalidArgument when OpenCV cannot
// decode it (not an image, truncated header, unsupported format); both name the file.
cv::Mat read_image(const std::filesystem::path& path);

// A file shipped in the repository's data/ folder (cat.jpg, imagenet_classes.txt), found in
// $FLOWONNX_DATA_DIR, then in the source tree flowonnx was built from, then in a data/ folder
// above the running executable or the current directory. Throws IoError naming the places tried.
std::filesystem::path builtin_asset(const std::string& name);

}  // namespace flowonnx::vision
