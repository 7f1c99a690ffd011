// Framework ops by name. Ops are added by explicit register_*_ops() calls from one list
// (op_list.cc) so nothing depends on static initialisers the linker may drop.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "flow/op_schema.h"

namespace flowonnx::flow {

class OpRegistry {
 public:
  // The registry with every framework op registered.
  static const OpRegistry& global();

  void add(OpSchema schema);  // throws Internal on a duplicate name
  // Throws NotImplemented naming the op when it is unknown.
  const OpSchema& get(const std::string& name) const;
  bool contains(const std::string& name) const { return schemas_.count(name) != 0; }
  std::vector<std::string> names() const;

 private:
  std::map<std::string, OpSchema> schemas_;
};

// One function per op family file in src/flow/ops/.
void register_nn_ops(OpRegistry& registry);
void register_math_ops(OpRegistry& registry);
void register_array_ops(OpRegistry& registry);
void register_reduce_ops(OpRegistry& registry);
void register_cumsum_ops(OpRegistry& registry);
void register_quantize_ops(OpRegistry& registry);
// math_elementwise_ops.cc: the element-wise half of the math family (called by register_math_ops).
void register_math_elementwise_ops(OpRegistry& registry);

}  // namespace flowonnx::flow
