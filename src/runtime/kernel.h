// What a runtime kernel sees: the node's attributes at load time (KernelInit) and, at run time,
// its input tensors and a way to allocate outputs (KernelContext). A kernel is a factory that
// parses and validates attributes once and returns a ComputeFn; ComputeFns hold no mutable state,
// so one session can run on several threads at once.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "ir/graph.h"
#include "tensor/tensor.h"

namespace flowonnx::runtime {

// Load-time view of a node: attribute getters with defaults that throw InvalidModel naming the
// node, op and attribute when an attribute has the wrong kind.
class KernelInit {
 public:
  KernelInit(const ir::Node& node, int64_t opset, const ir::Graph& graph)
      : node_(node), opset_(opset), graph_(graph) {}

  const ir::Node& node() const { return node_; }
  int64_t opset() const { return opset_; }
  size_t num_inputs() const { return node_.inputs.size(); }
  size_t num_outputs() const { return node_.outputs.size(); }
  bool has_input(size_t i) const { return i < node_.inputs.size() && !node_.inputs[i].empty(); }
  bool has_output(size_t i) const { return i < node_.outputs.size() && !node_.outputs[i].empty(); }
  // The initializer feeding input i, if that input is a constant (nullptr otherwise).
  const Tensor* constant_input(size_t i) const;
  // The graph being planned (value types, for kernels that prepare per-shape state at load).
  const ir::Graph& graph() const { return graph_; }
  // Tells the plan that the kernel keeps what it needs of constant input i in its own form
  // (prepacked weights) and never reads the input at run time: the plan stops feeding it and
  // frees the initializer once every node reading it has absorbed it.
  void absorb_constant_input(size_t i) const;
  bool absorbed(size_t i) const { return i < absorbed_.size() && absorbed_[i]; }
  // Names the implementation the kernel prepared (oneDNN's "brgconv:avx512_core", our
  // "flowonnx:winograd_f43_avx2"), reported by the session's profile; empty when it did not say.
  void set_implementation(std::string name) const { implementation_ = std::move(name); }
  const std::string& implementation() const { return implementation_; }

  bool has_attr(const std::string& name) const { return node_.attrs.has(name); }
  int64_t attr_int(const std::string& name, int64_t fallback) const;
  double attr_float(const std::string& name, double fallback) const;
  std::string attr_string(const std::string& name, const std::string& fallback) const;
  std::vector<int64_t> attr_ints(const std::string& name, std::vector<int64_t> fallback = {}) const;
  std::vector<double> attr_floats(const std::string& name, std::vector<double> fallback = {}) const;
  Tensor attr_tensor(const std::string& name) const;  // undefined Tensor when absent
  // Throws InvalidModel "<op> node '<name>': <message>".
  [[noreturn]] void fail_model(const std::string& message) const;

 private:
  template <typename Fn>
  decltype(auto) typed(const std::string& name, const char* kind, Fn&& fn) const;
  const ir::Node& node_;
  int64_t opset_;
  const ir::Graph& graph_;
  mutable std::vector<bool> absorbed_;
  mutable std::string implementation_;
};

class KernelContext {
 public:
  // `can_overwrite_input(i)` tells whether input i's buffer dies at this step and is read by
  // nothing else here, so an output may take it over (absent: never).
  KernelContext(const std::vector<const Tensor*>& inputs, std::vector<Tensor>& outputs,
                std::vector<bool>& pooled, std::function<Tensor(const Shape&, DType)> allocate,
                std::function<bool(size_t)> can_overwrite_input = nullptr)
      : inputs_(inputs),
        outputs_(outputs),
        pooled_(pooled),
        allocate_(std::move(allocate)),
        can_overwrite_input_(std::move(can_overwrite_input)) {}

  size_t num_inputs() const { return inputs_.size(); }
  // True when input i exists and is not an omitted optional input.
  bool has_input(size_t i) const { return i < inputs_.size() && inputs_[i] != nullptr; }
  // Throws InvalidArgument when input i is absent.
  const Tensor& input(size_t i) const;
  size_t num_outputs() const { return outputs_.size(); }

  // A fresh output buffer (possibly reused from a value whose lifetime ended).
  Tensor& allocate_output(size_t i, const Shape& shape, DType dtype);
  // An output computed elsewhere; may share storage with an input (Reshape, Identity).
  void set_output(size_t i, Tensor tensor);
  // Output `output` takes over input `input`'s buffer (in-place compute) when the plan allows it
  // and the shape and dtype match; else a fresh buffer as allocate_output. The returned tensor
  // holds the input's data when it was taken over.
  Tensor& overwrite_input_or_allocate(size_t input, size_t output, const Shape& shape, DType dtype);

 private:
  const std::vector<const Tensor*>& inputs_;
  std::vector<Tensor>& outputs_;
  std::vector<bool>& pooled_;
  std::function<Tensor(const Shape&, DType)> allocate_;
  std::function<bool(size_t)> can_overwrite_input_;
};

using ComputeFn = std::function<void(KernelContext&)>;
using KernelFactory = std::function<ComputeFn(const KernelInit&)>;

// Reads an int64/int32 tensor (shape data, axes) into a vector; throws naming `what` otherwise.
std::vector<int64_t> tensor_to_int64s(const Tensor& tensor, const char* what);

}  // namespace flowonnx::runtime
