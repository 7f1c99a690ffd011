// Node attributes shared by framework ops (domain "flow") and ONNX nodes: int, float, string,
// tensor, lists of those scalars, and subgraphs (If/Loop/Scan bodies: GRAPH and GRAPHS). Booleans
// are ints (0/1), as in ONNX. A subgraph is held by shared_ptr: copying a node shares its body
// (passes copy nodes to rewrite them; a body is only ever rewritten by the code owning the node).
#pragma once

#include <map>
#include <memory>
#include <string>
#include <variant>
#include <vector>

#include "tensor/tensor.h"

namespace flowonnx::ir {

class Graph;
using GraphPtr = std::shared_ptr<Graph>;

using AttrValue = std::variant<int64_t, double, std::string, Tensor, std::vector<int64_t>,
                               std::vector<double>, std::vector<std::string>, GraphPtr, std::vector<GraphPtr>>;

// "int", "float", "string", "tensor", "ints", "floats", "strings", "graph", "graphs".
const char* attr_kind_name(const AttrValue& value);
// Short text for dumps and error messages: 3, 1e-05, "NCHW", [1,1], float32[3], graph(body)
std::string attr_to_string(const AttrValue& value);

// An ordered name -> value map with typed getters that throw InvalidArgument naming the
// attribute and the expected vs actual kind.
class Attributes {
 public:
  Attributes() = default;
  Attributes(std::initializer_list<std::pair<const std::string, AttrValue>> values)
      : values_(values) {}

  bool has(const std::string& name) const { return values_.count(name) != 0; }
  void set(const std::string& name, AttrValue value) { values_[name] = std::move(value); }
  const AttrValue& get(const std::string& name) const;

  int64_t get_int(const std::string& name) const;
  double get_float(const std::string& name) const;  // an int attribute is accepted too
  const std::string& get_string(const std::string& name) const;
  const Tensor& get_tensor(const std::string& name) const;
  const std::vector<int64_t>& get_ints(const std::string& name) const;
  const std::vector<double>& get_floats(const std::string& name) const;
  bool get_bool(const std::string& name) const { return get_int(name) != 0; }
  const GraphPtr& get_graph(const std::string& name) const;

  const std::map<std::string, AttrValue>& values() const { return values_; }
  auto begin() const { return values_.begin(); }
  auto end() const { return values_.end(); }

 private:
  std::map<std::string, AttrValue> values_;
};

}  // namespace flowonnx::ir
