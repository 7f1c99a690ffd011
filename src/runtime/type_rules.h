// Static type rules: how an op's output dtypes and shapes follow from its inputs' types, for the
// runtime's type inference (type_inference.cc). Each op registers its rule next to its kernel
// (KernelRegistry::add); the common rules are here. A rule returns nullopt when it cannot tell;
// it never throws for bad input (the kernel factory and the kernel report that).
#pragma once

#include <functional>
#include <optional>
#include <vector>

#include "ir/graph.h"

namespace flowonnx::runtime {

// One node's view for its rule: the output being typed and the types known so far.
class TypeContext {
 public:
  TypeContext(const ir::Graph& graph, const ir::Node& node, size_t output)
      : graph_(graph), node_(node), output_(output) {}
  const ir::Graph& graph() const { return graph_; }
  const ir::Node& node() const { return node_; }
  size_t output() const { return output_; }
  // nullptr when input i is absent, omitted or has no type yet.
  const ir::ValueType* input(size_t i) const;
  size_t num_inputs() const { return node_.inputs.size(); }

 private:
  const ir::Graph& graph_;
  const ir::Node& node_;
  size_t output_;
};

using TypeRule = std::function<std::optional<ir::ValueType>(const TypeContext&)>;

namespace rules {

// Output 0 has input `i`'s dtype and shape (unary math, activations, normalisations).
TypeRule same_as_input(size_t i = 0);
// Output 0 has input `dtype_input`'s dtype and the numpy broadcast of every input's shape (Add,
// Max, Sum; Where with dtype_input 1).
TypeRule broadcast(size_t dtype_input = 0);
// Output 0 is `dtype` with the inputs' broadcast shape (comparisons, logical ops: Bool).
TypeRule broadcast_as(DType dtype);
// Output 0 is `dtype` with input 0's shape (IsNaN, Not: Bool).
TypeRule elementwise_as(DType dtype);
// Output 0 is `dtype`, shape left to run time (Shape, NonZero: Int64).
TypeRule dtype_only(DType dtype);
// Output 0 has input 0's dtype, shape left to run time; the rule of ops registered without one.
TypeRule input_dtype_only();
// Output 0 has input i's dtype, shape left to run time (OneHot: the values' dtype).
TypeRule dtype_of_input(size_t i);
// One rule per output; outputs past the list stay untyped.
TypeRule per_output(std::vector<TypeRule> outputs);

}  // namespace rules

// Numpy broadcasting of the types' dims; an unknown dim against a 1 or itself stays unknown.
// nullopt when any type or rank is unknown.
std::optional<std::vector<ir::Dim>> broadcast_dims(const std::vector<const ir::ValueType*>& types);

}  // namespace flowonnx::runtime
