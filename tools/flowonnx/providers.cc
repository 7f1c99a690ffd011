#include "providers.h"

namespace flowonnx::cli {

std::vector<std::string> provider_names(const std::string& list) {
  std::vector<std::string> names;
  size_t start = 0;
  while (start <= list.size()) {
    size_t comma = list.find(',', start);
    std::string item = list.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    if (item == "cpu") item = "CPUExecutionProvider";
    else if (item == "cuda") item = "CUDAExecutionProvider";
    else if (item == "tensorrt") item = "TensorrtExecutionProvider";
    if (!item.empty()) names.push_back(item);
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return names;
}

}  // namespace flowonnx::cli
