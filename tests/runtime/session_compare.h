// Helpers of the session-time rewrite tests (runtime/optimize/): run a model through an
// optimised session and an unoptimised one (optimize_graph = false, the plain kernels) on the
// same random inputs, and count the ops the rewrites leave.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "onnx/import/normalize.h"
#include "runtime/graph_builder.h"
#include "runtime/optimize/optimize.h"
#include "runtime/session.h"
#include "runtime/type_inference.h"
#include "tensor/random.h"

namespace flowonnx::testing {

// Static dims, the first one symbolic ("N") when `symbolic_batch`.
inline std::vector<ir::Dim> dims_of(const Shape& shape, bool symbolic_batch) {
  std::vector<ir::Dim> dims;
  for (int64_t d : shape) dims.push_back(ir::Dim::of(d));
  if (symbolic_batch) dims[0] = ir::Dim::named("N");
  return dims;
}

// Runs `model` optimised and not, feeding randn of each shape to its first input; returns the
// worst max_relative_error over every output.
inline double compare_sessions(const std::function<onnx_io::Model()>& model,
                               const std::vector<Shape>& input_shapes,
                               SessionOptions optimised = {}) {
  SessionOptions plain;
  plain.optimize_graph = false;
  InferenceSession fast(model(), {"CPUExecutionProvider"}, optimised);
  InferenceSession reference(model(), {"CPUExecutionProvider"}, plain);
  Generator gen(7);
  double worst = 0;
  for (const Shape& shape : input_shapes) {
    std::map<std::string, Tensor> feeds = {{fast.get_inputs()[0].name, randn(shape, gen)}};
    auto got = fast.run({}, feeds);
    auto want = reference.run({}, feeds);
    EXPECT_EQ(got.size(), want.size());
    for (size_t i = 0; i < got.size() && i < want.size(); ++i)
      worst = std::max(worst, max_relative_error(got[i], want[i]));
  }
  return worst;
}

// Counts the nodes per op type after the session-time rewrites, on the graph as the session
// prepares it (normalised, typed).
inline std::map<std::string, int> optimised_ops(const std::function<onnx_io::Model()>& make) {
  InferenceSession probe(make(), {"CPUExecutionProvider"});  // validates that it loads and runs
  onnx_io::Model model = make();
  ir::Graph& graph = model.graph;
  onnx_import::normalize_graph(graph);
  runtime::infer_types(graph);
  runtime::optimize_for_cpu(graph, {});
  graph.verify();
  std::map<std::string, int> counts;
  for (const auto& node : graph.nodes()) ++counts[node->op_type];
  return counts;
}

}  // namespace flowonnx::testing
