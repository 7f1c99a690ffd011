// Which dims of a traced graph follow the dynamic axes of an export (torch.onnx.export's
// dynamic_axes; dynamic_batch_size is dim 0 of every input named "N"). The traced graph has
// static shapes only, so each symbol is probed: its input dims get another size and every
// node's shape inference runs again on the probe shapes (the compiled graph's own semantics, as
// nn::Graph::run would compute them). A dim whose size changes in a probe follows that symbol;
// a node whose inference fails in a probe holds a traced size of the symbol, and the export
// fails naming the node, the symbol and the dim, instead of writing a model that is valid for
// the compile-time sizes only. Reshape is probed as it is exported: a target dim equal to a
// dynamic input dim at the same position is kept from the input (ONNX Reshape's 0).
#pragma once

#include <map>
#include <string>
#include <vector>

#include "ir/graph.h"

namespace flowonnx {

// One dim of a graph input made symbolic, as an entry of torch.onnx.export's dynamic_axes.
struct DynamicAxis {
  std::string input;  // the graph input's name (in ExportOptions also its position as text: "0")
  int64_t dim = 0;
  std::string symbol;  // the dim's name in the exported model, e.g. "sequence"
};

}  // namespace flowonnx

namespace flowonnx::exporter {

class DynamicDims {
 public:
  DynamicDims() = default;  // nothing dynamic
  // Throws InvalidArgument for a bad axis and for a node that cannot follow a symbol.
  DynamicDims(const ir::Graph& graph, const std::vector<DynamicAxis>& axes);

  bool any() const { return !symbols_.empty(); }
  // True when the dim's size changes with some symbol.
  bool is_dynamic(const std::string& value, size_t dim) const;
  // True when the two dims have the same size at the compile sizes and in every probe.
  bool same_size(const std::string& a, size_t dim_a, const std::string& b, size_t dim_b) const;
  // The dims of a value for the exported model: a dim that equals one symbol's input dims in
  // every probe gets the symbol's name, another dynamic dim a name derived from the symbols
  // it follows ("N_S_d1"), a static dim its size.
  std::vector<ir::Dim> symbolic_shape(const std::string& value) const;

 private:
  struct Symbol {
    std::string name;
    int64_t compile_size = 0, probe_size = 0;
  };
  std::vector<Symbol> symbols_;
  std::map<std::string, Shape> compile_;             // value -> traced shape
  std::vector<std::map<std::string, Shape>> probes_;  // per symbol: value -> probe shape

  const Shape& compiled(const std::string& value) const;  // Internal error when unknown
  const Shape& probe_shape(size_t probe, const std::string& value) const;
  void infer_probe(const ir::Graph& graph, size_t probe);
};

}  // namespace flowonnx::exporter
