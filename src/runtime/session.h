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
  // Threads used by every CPU kernel (OpenMP, shared with oneDNN) in this session's load and
  // runs, from whatever thread calls run(); other sessions keep their own. 0: the calling
  // thread's OpenMP setting (OMP_NUM_THREADS, else one per core).
  int intra_op_num_threads = 0;
  // Log which providers are used and the plan size.
  bool verbose = false;
  // Session-time graph preparation for the CPU (runtime/optimize/): BatchNormalization folded
  // into Conv, Relu/Clip and residual Add fused into the conv as oneDNN post-ops, weights
  // prepacked once, activations kept in oneDNN's blocked layout between convs.
  bool optimize_graph = true;
  // Winograd for eligible 3x3 stride-1 convs (with optimize_graph): oneDNN's kernels on AVX-512
  // CPUs, our own F(4x4,3x3) / F(2x2,3x3) on AVX2 CPUs where they measured faster than direct
  // (kernels/cpu/winograd_conv.h). It rounds differently from direct convolution;
  // tests/runtime/conv_fusion_test.cc holds it to rtol 1e-4.
  bool winograd = true;
  // CUDAExecutionProvider settings (used when it is requested and a GPU is usable).
  int cuda_device_id = 0;
  // TF32 tensor cores for convolutions and matrix products: faster on Ampere and newer, but
  // results then differ from fp32 by ~1e-3 relative. Off by default.
  bool cuda_allow_tf32 = false;
  // fp16 tensor cores for the same ops (inputs rounded to fp16 inside cuDNN / cuBLASLt; tensors
  // stay fp32 in memory and every other op computes in fp32): ~1e-3 relative, less range than
  // TF32. Wins over cuda_allow_tf32 when both are set. Off by default.
  bool cuda_allow_fp16 = false;
  // Capture each GPU subgraph into a CUDA graph on its second run with given input shapes and
  // replay it afterwards (one launch instead of one per kernel; lower latency at small batch).
  bool cuda_graphs = true;
};

// The providers this build has, as ONNX Runtime's get_available_providers(): CUDA when built
// with it (whether or not a GPU is present), TensorRT never, CPU always.
std::vector<std::string> get_available_providers();
// Empty when the CUDA provider can run on device `device_id` here; else why not ("this build
// has no CUDA provider", "no CUDA device (...)").
std::string cuda_unavailable_reason(int device_id = 0);

// Time spent in one step of the execution plan (one node of the session's optimised graph).
struct NodeTiming {
  std::string node_name;
  std::string op_type;  // "Conv", "FusedConv", ...
  double ms = 0;
  // The implementation the kernel prepared at load ("jit:avx512_core", "brgconv_1x1:avx512_core",
  // "flowonnx:winograd_f43_avx2"; oneDNN's "ref:any" would be its slow reference code), or empty.
  std::string implementation;
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
  // Providers in priority order: each claims the nodes it can run that no earlier provider took,
  // and the CPU provider always takes the rest. Unavailable ones (CUDA without a GPU or without a
  // CUDA build, TensorRT) are skipped with a warning, once per process for CUDA. An unknown
  // provider name is an InvalidArgument error.
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
  // The providers in use, in priority order ("CUDAExecutionProvider", "CPUExecutionProvider").
  std::vector<std::string> get_providers() const;
  // The provider that runs each node of the session's optimised graph (after BatchNormalization
  // folding and conv fusion): {node name, provider name}, the CPU's nodes in execution order,
  // then the GPU's.
  std::vector<std::pair<std::string, std::string>> get_node_providers() const;

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
