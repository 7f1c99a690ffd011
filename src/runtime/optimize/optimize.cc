#include "runtime/optimize/optimize.h"

#include <fmt/format.h>

#include "ir/fold_batch_norm.h"
#include "ir/rewrite.h"
#include "runtime/kernel_registry.h"
#include "runtime/optimize/blocked_layout.h"
#include "runtime/optimize/fuse_conv.h"
#include "runtime/optimize/fuse_gelu.h"
#include "runtime/optimize/fuse_layer_norm.h"
#include "runtime/optimize/fuse_matmul.h"

namespace flowonnx::runtime {

std::string CpuGraphReport::to_string() const {
  return fmt::format(
      "{} BatchNormalization folded, {} FusedConv, {} Sigmoid/SiLU/HardSwish into FusedConv, {} "
      "layout reorders, {} LayerNormalization, {} Gelu, {} FusedMatMul",
      folded_batch_norms, fused_convs, conv_activations, layout_reorders, layer_norms, gelus,
      fused_matmuls);
}

CpuGraphReport optimize_for_cpu(ir::Graph& graph, const CpuGraphOptions& options) {
  CpuGraphReport report;
  fuse_graph(graph, options, report);
  prepare_for_cpu(graph, options, report);
  return report;
}

void fuse_graph(ir::Graph& graph, const CpuGraphOptions& options, CpuGraphReport& report) {
  if (!options.fuse) return;
  report.folded_batch_norms = ir::fold_batch_norms_into_convs(graph);
  report.fused_convs = fuse_conv_post_ops(graph);
  report.layer_norms = fuse_layer_norm(graph);
}

void prepare_for_cpu(ir::Graph& graph, const CpuGraphOptions& options, CpuGraphReport& report) {
  if (!options.fuse) return;
  report.conv_activations = fuse_conv_cpu_activations(graph);
  report.gelus = fuse_gelu(graph);
  report.fused_matmuls = fuse_matmul(graph);
  for (const auto& node : graph.nodes())
    if (node->domain == kInternalDomain && node->op_type == kFusedConv)
      node->attrs.set("winograd", int64_t{options.winograd ? 1 : 0});
  report.layout_reorders = plan_blocked_layout(graph);
}

}  // namespace flowonnx::runtime
