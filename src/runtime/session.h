// flowonnx::InferenceSession: ONNX Runtime's Python/C++ session API in C++. Load a model (a path
// or an in-memory onnx_io::Model), normalise its ops, infer types, build an execution plan, then
// run(output_names, feeds) as often as needed, from several threads at once if wanted.
#pragma once

#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <variant>
#include <vector>

#include "onnx/model_io.h"
#include "tensor/tensor.h"

namespace flowonnx {

struct SessionOptions {
  // Threads used by every CPU kernel (OpenMP, shared with oneDNN); 0 keeps the current setting.
  // The setting is process-wide, as the OpenMP runtime is.
  int intra_op_num_threads = 0;
  // Log which providers are used and the plan size.
  bool verbose = false;
  // Session-time graph preparation for the CPU (runtime/optimize/): BatchNormalization folded
  // into Conv, Relu/Clip and residual Add fused into the conv as oneDNN post-ops, weights
  // prepacked once, activations kept in oneDNN's blocked layout between convs.
  bool optimize_graph = true;
  // oneDNN's Winograd for eligible 3x3 stride-1 convs (with optimize_graph) where it has a kernel
  // for the CPU (oneDNN 2.6: AVX-512 only; direct elsewhere). It rounds differently from direct
  // convolution; tests/runtime/conv_fusion_test.cc holds it to rtol 1e-4.
  bool winograd = true;
};

// Time spent in one step of the execution plan (one node of the session's optimised graph).
struct NodeTiming {
  std::string node_name;
  std::string op_type;  // "Conv", "FusedConv", ...
  double ms = 0;
};

// A graph input or output as ONNX Runtime describes it. A dim is its size, its symbol
// ("batch"), or -1 when unknown.
struct NodeArg {
  using DimValue = std::variant<int64_t, std::string>;
  std::string name;
  std::vector<DimValue> shape;
  std::string type;  // "tensor(float)"
  bool has_shape = true;  // false when even the rank is unknown (shape is then empty)
};

namespace runtime {
struct SessionState;
}

class InferenceSession {
 public:
  // Providers are tried in order; unavailable ones (CUDA without a GPU build, TensorRT) are
  // skipped with one warning and the CPU provider always takes the rest. An unknown provider
  // name is an InvalidArgument error.
  explicit InferenceSession(const std::filesystem::path& model_path,
                            const std::vector<std::string>& providers = {"CPUExecutionProvider"},
                            const SessionOptions& options = {});
  explicit InferenceSession(onnx_io::Model model,
                            const std::vector<std::string>& providers = {"CPUExecutionProvider"},
                            const SessionOptions& options = {});
  ~InferenceSession();
  InferenceSession(InferenceSession&&) noexcept;
  InferenceSession& operator=(InferenceSession&&) noexcept;

  // Inputs that must be fed (initializers listed as inputs are optional overrides, not listed).
  const std::vector<NodeArg>& get_inputs() const;
  const std::vector<NodeArg>& get_outputs() const;
  // Overridable initializers (IR v3 style graph inputs that have an initializer).
  const std::vector<NodeArg>& get_overridable_initializers() const;
  std::vector<std::string> get_providers() const;

  // Runs the model. Empty `output_names` = every graph output, in graph order. Feeds are
  // validated (unknown name, missing input, dtype, rank, static dims) with InvalidArgument
  // errors naming the input and expected vs actual. Safe to call concurrently.
  std::vector<Tensor> run(const std::vector<std::string>& output_names,
                          const std::map<std::string, Tensor>& feeds) const;
  // run() that also reports the wall time of every executed node, in execution order.
  std::vector<Tensor> run_profiled(const std::vector<std::string>& output_names,
                                   const std::map<std::string, Tensor>& feeds,
                                   std::vector<NodeTiming>& timings) const;

 private:
  std::vector<Tensor> run_impl(const std::vector<std::string>& output_names,
                               const std::map<std::string, Tensor>& feeds,
                               std::vector<NodeTiming>* timings) const;
  std::unique_ptr<runtime::SessionState> state_;
};

}  // namespace flowonnx
