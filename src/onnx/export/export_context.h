// What an export handler sees and uses: the flow node's types and constants, the target opset,
// and helpers that emit ONNX nodes and initializers into the target graph.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "ir/graph.h"
#include "onnx/export/dynamic_dims.h"

namespace flowonnx::exporter {

class ExportContext {
 public:
  ExportContext(const ir::Graph& source, ir::Graph& target, int opset, bool dynamic_batch,
                const DynamicDims* dynamic_dims = nullptr)
      : source_(source), target_(target), opset_(opset), dynamic_batch_(dynamic_batch), dynamic_dims_(dynamic_dims) {}

  int opset() const { return opset_; }
  // The dynamic_batch_size option: dim 0 of every input is the batch "N".
  bool dynamic_batch() const { return dynamic_batch_; }
  // Whether a dim of a flow value follows a dynamic axis (the batch included), and whether two
  // dims have the same size for every size of the axes (see DynamicDims).
  bool is_dynamic(const std::string& value, size_t dim) const {
    return dynamic_dims_ != nullptr && dynamic_dims_->is_dynamic(value, dim);
  }
  bool same_size(const std::string& a, size_t dim_a, const std::string& b, size_t dim_b) const;
  // Type of a value of the flow graph (compile-time shapes).
  const ir::ValueType& type(const std::string& value) const { return source_.type(value); }
  Shape shape(const std::string& value) const { return source_.type(value).static_shape(); }
  // The data of a value when it is an initializer (the exporter copies the flow graph's
  // initializers, with flow_weight_dir weights substituted, before any handler runs).
  const Tensor* constant(const std::string& value) const;

  // Emits an ONNX (domain "") node named after the flow node being exported. `outputs` empty:
  // one fresh output. Returns the node's first output.
  std::string emit(const std::string& op_type, const std::vector<std::string>& inputs,
                   const ir::Attributes& attrs = {}, std::vector<std::string> outputs = {});
  // Adds an initializer with a fresh name derived from `base`; returns its name.
  std::string add_constant(const std::string& base, Tensor tensor);
  std::string add_int64s(const std::string& base, const std::vector<int64_t>& values);
  // ReduceX (ReduceMean, ReduceMax, ...) over `axes` in the target opset's form: the axes
  // attribute through opset 17 (ReduceSum: 12), an axes input from 18 (ReduceSum: 13).
  std::string emit_reduce(const std::string& op_type, const std::string& input,
                          const std::vector<int64_t>& axes, bool keepdims,
                          std::vector<std::string> outputs = {});

  void set_current(const ir::Node* node) { current_ = node; emitted_ = 0; }

 private:
  const ir::Graph& source_;
  ir::Graph& target_;
  int opset_;
  bool dynamic_batch_;
  const DynamicDims* dynamic_dims_;
  const ir::Node* current_ = nullptr;
  int emitted_ = 0;
};

// Rewrites one flow node into ONNX nodes whose final outputs carry the flow node's output names.
using ExportHandler = std::function<void(const ir::Node& node, ExportContext& ctx)>;

}  // namespace flowonnx::exporter
