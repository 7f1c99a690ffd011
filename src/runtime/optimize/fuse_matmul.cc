#include "runtime/optimize/fuse_matmul.h"

#include <algorithm>
#include <optional>

#include "ir/rewrite.h"
#include "runtime/kernel_registry.h"
#include "runtime/optimize/fuse_gelu.h"

namespace flowonnx::runtime {

namespace {

// True for a Transpose that swaps the last two of its rank >= 2 dims and nothing else.
bool swaps_last_two(const ir::Node& transpose, const ir::Graph& graph) {
  if (!is_onnx_op(transpose, "Transpose") || transpose.inputs.size() != 1 ||
      transpose.outputs.size() != 1)
    return false;
  std::vector<int64_t> perm;
  if (transpose.attrs.has("perm")) {
    perm = transpose.attrs.get_ints("perm");
  } else {  // no perm: all dims reversed, a swap of the last two only at rank 2
    const std::optional<int64_t> rank = rank_of(graph, transpose.inputs[0]);
    if (rank != 2) return false;
    perm = {1, 0};
  }
  const int64_t rank = static_cast<int64_t>(perm.size());
  if (rank < 2) return false;
  for (int64_t d = 0; d + 2 < rank; ++d)
    if (perm[d] != d) return false;
  return perm[rank - 2] == rank - 1 && perm[rank - 1] == rank - 2;
}

}  // namespace

int fuse_matmul(ir::Graph& graph) {
  std::vector<ir::Node*> matmuls;
  for (ir::Node* node : graph.topological_order())
    if (is_onnx_op(*node, "MatMul") && node->inputs.size() == 2 && node->outputs.size() == 1)
      matmuls.push_back(node);
  const auto producers = graph.producers();
  int fused = 0;
  for (ir::Node* matmul : matmuls) {
    if (!graph.has_type(matmul->inputs[0]) || graph.type(matmul->inputs[0]).dtype != DType::Float32)
      continue;
    const std::optional<int64_t> a_rank = rank_of(graph, matmul->inputs[0]);
    std::optional<int64_t> b_rank = rank_of(graph, matmul->inputs[1]);
    ir::Node node;
    node.name = matmul->name;
    node.domain = kInternalDomain;
    node.op_type = kFusedMatMul;
    node.inputs = {matmul->inputs[0], matmul->inputs[1], ""};
    node.outputs = matmul->outputs;
    node.attrs.set("trans_b", int64_t{0});
    node.attrs.set("alpha", 1.0);
    std::vector<ir::Node*> absorbed;
    std::vector<std::string> constants;

    // B = Transpose(K) read only here -> K with trans_b.
    if (auto found = producers.find(matmul->inputs[1]); found != producers.end()) {
      ir::Node* transpose = const_cast<ir::Node*>(found->second);
      if (swaps_last_two(*transpose, graph) && sole_consumer(graph, matmul->inputs[1]) == matmul &&
          matmul->inputs[0] != matmul->inputs[1]) {
        node.inputs[1] = transpose->inputs[0];
        node.attrs.set("trans_b", int64_t{1});
        absorbed.push_back(transpose);
        b_rank = static_cast<int64_t>(
            transpose->attrs.has("perm") ? transpose->attrs.get_ints("perm").size() : 2);
      }
    }
    // The product's rank when both operands' ranks are known (numpy matmul of rank >= 2).
    const std::optional<int64_t> product_rank = a_rank && b_rank && *a_rank >= 2 && *b_rank >= 2
                                                    ? std::optional(std::max(*a_rank, *b_rank))
                                                    : std::nullopt;
    // N, the product's last dim: B's (K's when transposed) last (first) dim when static.
    std::optional<int64_t> columns;
    if (b_rank && *b_rank >= 2)
      columns = static_dim_of(graph, node.inputs[1],
                              node.attrs.get_int("trans_b") ? *b_rank - 2 : *b_rank - 1);

    // Then, while the chain is linear: Mul by a scalar, Add of a bias, a Gelu (at most one of
    // each, in this order).
    bool with_alpha = false, with_bias = false;
    while (ir::Node* next = sole_consumer(graph, node.outputs[0])) {
      if (next->domain == kInternalDomain && next->op_type == kGelu && next->inputs.size() == 1 &&
          next->outputs.size() == 1) {
        node.attrs.set("activation", std::string("Gelu"));
        node.outputs = next->outputs;
        absorbed.push_back(next);
        break;
      }
      const std::string other = other_operand(*next, node.outputs[0]);
      const Tensor* constant = fixed_constant(graph, other);
      if (!constant || constant->dtype() != DType::Float32) break;
      // With B of rank >= 2 the product has rank >= 1, so a rank-1 constant keeps its shape.
      const bool keeps_rank = constant->rank() == 0 ||
                              (constant->rank() == 1 && b_rank && *b_rank >= 2) ||
                              (product_rank && constant->rank() <= *product_rank);
      if (!keeps_rank) break;
      if (is_onnx_op(*next, "Mul") && !with_alpha && !with_bias && constant->num_elements() == 1) {
        node.attrs.set("alpha", static_cast<double>(constant->data<float>()[0]));
        with_alpha = true;
      } else if (is_onnx_op(*next, "Add") && !with_bias && columns &&
                 constant->num_elements() == *columns && constant->rank() >= 1 &&
                 constant->shape().back() == *columns) {
        node.inputs[2] = other;
        with_bias = true;
      } else {
        break;
      }
      constants.push_back(other);
      node.outputs = next->outputs;
      absorbed.push_back(next);
    }
    if (absorbed.empty()) continue;  // a plain MatMul stays a MatMul
    if (!with_bias) node.inputs.resize(2);
    graph.insert_node_before(matmul, std::move(node));
    graph.remove_node(matmul);
    for (ir::Node* done : absorbed) graph.remove_node(done);
    for (const std::string& constant : constants) drop_if_unused(graph, constant);
    ++fused;
  }
  if (fused) graph.prune_values();
  return fused;
}

}  // namespace flowonnx::runtime
