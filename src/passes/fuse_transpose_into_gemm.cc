// Gemm(Transpose(A, perm=[1,0]), B) = Gemm(A, B, transA = !transA); same for B.
#include "ir/rewrite.h"
#include "passes/pass.h"

namespace flowonnx::passes {

bool fuse_transpose_into_gemm(ir::Graph& graph, PassContext& context) {
  bool changed = false;
  for (ir::Node* gemm : graph.topological_order()) {
    if (!is_onnx_node(*gemm) || gemm->op_type != "Gemm" || gemm->inputs.size() < 2) continue;
    for (int side = 0; side < 2; ++side) {
      ir::Node* transpose = producer_of(graph, gemm->inputs[side]);
      if (!transpose || !is_onnx_node(*transpose) || transpose->op_type != "Transpose" ||
          transpose->inputs.size() != 1)
        continue;
      auto rank = rank_of(graph, transpose->inputs[0]);
      std::vector<int64_t> perm = transpose->attrs.has("perm") ? transpose->attrs.get_ints("perm")
                                                               : std::vector<int64_t>{};
      bool swap = perm == std::vector<int64_t>{1, 0} || (perm.empty() && rank && *rank == 2);
      if (!swap) continue;
      const char* attr = side == 0 ? "transA" : "transB";
      int64_t trans = gemm->attrs.has(attr) ? gemm->attrs.get_int(attr) : 0;
      gemm->attrs.set(attr, int64_t{trans ? 0 : 1});
      gemm->inputs[side] = transpose->inputs[0];
      changed = true;
    }
  }
  return changed;
}

}  // namespace flowonnx::passes
