// Which nodes the CUDA provider would claim, decided without a GPU: the model is normalised and
// typed as a session does, then each node goes through its CUDA kernel's `supports` and, when
// claimed, its factory (which parses attributes and constant inputs but touches no device). So
// the claim rules of the `cuda` suite are checked on every machine, not only on GPU runs.
#pragma once

#include <gtest/gtest.h>

#include <string>

#include "onnx/import/normalize.h"
#include "onnx/model_io.h"
#include "runtime/type_inference.h"
#if FLOWONNX_WITH_CUDA
#include "runtime/providers/cuda/cuda_kernel.h"
#endif

namespace flowonnx::testing {

// Skips the calling test in a build without the CUDA provider.
#if FLOWONNX_WITH_CUDA
#define SKIP_WITHOUT_CUDA_BUILD() \
  do {                            \
  } while (0)
#else
#define SKIP_WITHOUT_CUDA_BUILD() GTEST_SKIP() << "built without the CUDA provider"
#endif

// True when every node of `op_type` in `model` would run on the GPU (false without such nodes).
inline bool cuda_claims(onnx_io::Model model, const std::string& op_type) {
#if FLOWONNX_WITH_CUDA
  ir::Graph& graph = model.graph;
  onnx_import::normalize_graph(graph);
  runtime::infer_types(graph);
  const int64_t opset = onnx_import::onnx_opset(graph);
  bool found = false;
  for (const auto& node : graph.nodes()) {
    if (node->op_type != op_type) continue;
    found = true;
    const runtime::cuda::CudaKernel* kernel = runtime::cuda::find_cuda_kernel(node->domain, node->op_type);
    if (!kernel || !kernel->supports(*node, graph)) return false;
    EXPECT_TRUE(kernel->create(runtime::KernelInit(*node, opset, graph)) != nullptr) << op_type;
  }
  return found;
#else
  (void)model;
  (void)op_type;
  return false;
#endif
}

}  // namespace flowonnx::testing
