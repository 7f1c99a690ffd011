// MatMul(A[M,K], B[K,N]) + C becomes Gemm(A, B, C) when both operands are known to be 2-D and C
// broadcasts to [M,N] without growing it (each dim of C is 1 or the output's). Batched MatMul
// stays (Gemm is 2-D only). A Gemm without C followed by Add(C) (how linear layers without a
// fused bias are often exported) takes C the same way, with beta = 1.
#include "ir/rewrite.h"
#include "passes/pass.h"

namespace flowonnx::passes {

namespace {

bool dim_fits(const ir::Dim& c, const ir::Dim& out) {
  return (c.is_static() && c.value == 1) || (c.is_static() && out.is_static() && c.value == out.value) ||
         (!c.symbol.empty() && c == out);
}

}  // namespace

bool fuse_matmul_add_bias_into_gemm(ir::Graph& graph, PassContext& context) {
  static const std::set<DType> gemm_types = {DType::Float32, DType::Float64, DType::Float16};
  bool changed = false;
  for (ir::Node* add : graph.topological_order()) {
    if (!is_onnx_node(*add) || add->op_type != "Add" || add->inputs.size() != 2) continue;
    ir::UseMap uses(graph);
    for (int side = 0; side < 2; ++side) {
      ir::Node* matmul = producer_of(graph, add->inputs[side]);
      const std::string& bias = add->inputs[1 - side];
      if (!matmul || !is_onnx_node(*matmul) || matmul->outputs.size() != 1 ||
          uses.count(matmul->outputs[0]) != 1 || matmul->inputs.size() != 2)
        continue;
      bool is_gemm = matmul->op_type == "Gemm";
      if (!is_gemm && matmul->op_type != "MatMul") continue;
      auto a = dims_of(graph, matmul->inputs[0]), b = dims_of(graph, matmul->inputs[1]);
      auto c = dims_of(graph, bias);
      if (!a || !b || !c || a->size() != 2 || b->size() != 2 || c->size() > 2) continue;
      if (!gemm_types.count(graph.type(bias).dtype) ||
          graph.type(bias).dtype != graph.type(matmul->inputs[0]).dtype)
        continue;
      auto flag = [&](const char* name) {
        return is_gemm && matmul->attrs.has(name) && matmul->attrs.get_int(name) != 0;
      };
      std::vector<ir::Dim> out = {(*a)[flag("transA") ? 1 : 0], (*b)[flag("transB") ? 0 : 1]};
      bool fits = true;
      for (size_t i = 0; i < c->size(); ++i) fits &= dim_fits((*c)[i], out[2 - c->size() + i]);
      if (!fits) continue;
      ir::Node gemm;
      gemm.name = matmul->name.empty() ? add->outputs[0] + "/Gemm" : matmul->name + (is_gemm ? "" : "/Gemm");
      gemm.op_type = "Gemm";
      gemm.inputs = {matmul->inputs[0], matmul->inputs[1], bias};
      if (is_gemm) {
        gemm.attrs = matmul->attrs;
        gemm.attrs.set("beta", 1.0);
      }
      gemm.outputs = {add->outputs[0]};
      graph.insert_node_before(add, std::move(gemm));
      graph.remove_node(add);
      graph.remove_node(matmul);
      changed = true;
      break;
    }
  }
  return changed;
}

}  // namespace flowonnx::passes
