#include "passes/equivalence_check.h"

#include <cmath>

#include "passes/simplify.h"
#include "runtime/session.h"
#include "tensor/random.h"

namespace flowonnx::passes {

namespace {

Shape feed_shape(const NodeArg& arg, const std::map<std::string, int64_t>& dim_values) {
  Shape shape;
  for (const auto& dim : arg.shape) {
    if (const int64_t* value = std::get_if<int64_t>(&dim)) {
      shape.push_back(*value >= 0 ? *value : 1);
    } else {
      auto found = dim_values.find(std::get<std::string>(dim));
      shape.push_back(found == dim_values.end() ? 1 : found->second);
    }
  }
  return shape;
}

DType feed_dtype(const NodeArg& arg) {
  for (DType dtype : kAllDTypes)
    if (onnx_io::onnx_type_string(dtype) == arg.type) return dtype;
  fail(ErrorCode::NotImplemented, "check: input '{}' has type {}, which cannot be fed", arg.name, arg.type);
}

}  // namespace

EquivalenceResult check_equivalence(const onnx_io::Model& original, const onnx_io::Model& rewritten,
                                    const EquivalenceOptions& options) {
  // The runtime's own graph rewrites (conv fusion, Winograd) are off: the check compares the
  // two models, not two differently-rounded executions of them.
  SessionOptions session_options;
  session_options.optimize_graph = false;
  const std::vector<std::string> cpu = {"CPUExecutionProvider"};
  InferenceSession before(clone_model(original), cpu, session_options);
  InferenceSession after(clone_model(rewritten), cpu, session_options);
  Generator gen(options.seed);
  EquivalenceResult result;
  for (int run = 0; run < options.runs; ++run) {
    std::map<std::string, Tensor> feeds;
    for (const NodeArg& arg : before.get_inputs()) {
      DType dtype = feed_dtype(arg);
      Tensor tensor = Tensor::zeros(feed_shape(arg, options.dim_values), dtype);
      if (is_floating(dtype)) uniform_(tensor, 0.0, 1.0, gen);
      feeds[arg.name] = tensor;
    }
    std::vector<Tensor> expected = before.run({}, feeds);
    std::vector<Tensor> actual = after.run({}, feeds);
    const auto& outputs = before.get_outputs();
    FLOWONNX_REQUIRE(expected.size() == actual.size(), "check: {} outputs before, {} after",
                     expected.size(), actual.size());
    for (size_t i = 0; i < expected.size(); ++i) {
      const std::string& name = outputs[i].name;
      if (expected[i].shape() != actual[i].shape() || expected[i].dtype() != actual[i].dtype()) {
        result.ok = false;
        result.message = fmt::format("output '{}' changed (run {}): {} before, {} after", name, run,
                                     expected[i].describe(), actual[i].describe());
        return result;
      }
      std::vector<double> e = expected[i].to_double_vector(), a = actual[i].to_double_vector();
      for (size_t k = 0; k < e.size(); ++k) {
        if (std::isnan(e[k]) && std::isnan(a[k])) continue;
        double diff = std::fabs(a[k] - e[k]);
        if (!std::isnan(diff)) result.max_abs = std::max(result.max_abs, diff);
        if (!(diff <= options.atol + options.rtol * std::fabs(e[k])) && result.ok) {
          result.ok = false;
          result.message = fmt::format("output '{}' changed (run {}): element {} was {}, now {} "
                                       "(rtol {}, atol {})", name, run, k, e[k], a[k], options.rtol,
                                       options.atol);
        }
      }
    }
  }
  return result;
}

}  // namespace flowonnx::passes
