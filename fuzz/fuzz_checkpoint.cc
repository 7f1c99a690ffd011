// libFuzzer entry point: see run_checkpoint in fuzz_inputs.h for what it feeds and what it expects.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "base/logging.h"
#include "fuzz_inputs.h"

// Warnings about the input (e.g. a checkpoint without snapshot_done) would flood the output.
extern "C" int LLVMFuzzerInitialize(int*, char***) {
  flowonnx::set_log_level(flowonnx::LogLevel::Silent);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  flowonnx::fuzz::run_checkpoint(std::string_view(reinterpret_cast<const char*>(data), size));
  return 0;
}
