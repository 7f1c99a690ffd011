// The fuse_bn_into_conv pass: ir/fold_batch_norm.h has the rewrite, shared with the runtime.
#include "ir/fold_batch_norm.h"
#include "passes/pass.h"

namespace flowonnx::passes {

bool fuse_bn_into_conv(ir::Graph& graph, PassContext&) {
  return ir::fold_batch_norms_into_convs(graph) > 0;
}

}  // namespace flowonnx::passes
