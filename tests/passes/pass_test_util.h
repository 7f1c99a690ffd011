// Helpers for pass tests: build a small ONNX graph (runtime/graph_builder.h), run one pass with
// the verifier after it, compare the text dump with a golden one, and prove the rewritten model
// computes what the original did on random inputs in our runtime.
#pragma once

#include <gtest/gtest.h>

#include <string>

#include "passes/equivalence_check.h"
#include "passes/pass_manager.h"
#include "passes/simplify.h"
#include "runtime/graph_builder.h"
#include "tensor/random.h"

namespace flowonnx::testing {

// Runs `passes` to a fixed point with the verifier after every pass; returns the rewritten copy.
inline onnx_io::Model run_passes(const onnx_io::Model& model, const std::vector<std::string>& names,
                                 passes::PassContext* context_out = nullptr) {
  onnx_io::Model copy = passes::clone_model(model);
  passes::PassManagerOptions options;
  options.verify_after_each = true;
  passes::PassManager manager(options);
  manager.add(names);
  passes::PassContext context;
  manager.run(copy.graph, context);
  copy.graph.prune_values();
  if (context_out) *context_out = context;
  return copy;
}

// Golden text check plus numeric equivalence on 3 random inputs (rtol 1e-4, atol 1e-5).
inline void expect_pass_result(const onnx_io::Model& model, const std::vector<std::string>& names,
                               const std::string& golden) {
  onnx_io::Model rewritten = run_passes(model, names);
  EXPECT_EQ(rewritten.graph.to_text(), golden) << "before:\n" << model.graph.to_text();
  passes::EquivalenceOptions options;
  options.runs = 3;
  options.seed = 7;
  passes::EquivalenceResult result = passes::check_equivalence(model, rewritten, options);
  EXPECT_TRUE(result.ok) << result.message;
}

inline Tensor random_tensor(const Shape& shape, uint64_t seed, double low = -1, double high = 1) {
  Generator gen(seed);
  Tensor t = Tensor::zeros(shape);
  uniform_(t, low, high, gen);
  return t;
}

}  // namespace flowonnx::testing
