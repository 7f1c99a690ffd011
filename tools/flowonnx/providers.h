// The --providers option shared by run / classify / bench: "cpu,cuda" -> ONNX Runtime's names.
#pragma once

#include <string>
#include <vector>

namespace flowonnx::cli {

// Short names cpu, cuda, tensorrt map to CPUExecutionProvider, ...; full names pass through.
std::vector<std::string> provider_names(const std::string& list);

}  // namespace flowonnx::cli
