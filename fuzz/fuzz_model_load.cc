// libFuzzer entry point: see run_model_load in fuzz_inputs.h for what it feeds and what it expects.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "base/logging.h"
#include "fuzz_inputs.h"

// A few bytes of model can ask for a huge tensor (ConstantOfShape, Expand, Tile, Pad from an
// initializer). flowonnx refuses an allocation the system cannot satisfy with an Error ("cannot
// allocate N bytes for a tensor"); here tensors over 1 GiB count as unsatisfiable, so the fuzzer
// checks that path instead of reporting an out-of-memory (operator new still reports: only tensors
// are expected to be huge).
extern "C" const char* __asan_default_options() {
  return "allocator_may_return_null=1:max_allocation_size_mb=1024";
}

// Warnings about the input (e.g. a checkpoint without snapshot_done) would flood the output.
extern "C" int LLVMFuzzerInitialize(int*, char***) {
  flowonnx::set_log_level(flowonnx::LogLevel::Silent);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  flowonnx::fuzz::run_model_load(std::string_view(reinterpret_cast<const char*>(data), size));
  return 0;
}
