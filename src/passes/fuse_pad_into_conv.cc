// Pad(x, constant 0, spatial dims only) -> Conv becomes Conv with larger pads.
#include "passes/pad_fusion.h"

namespace flowonnx::passes {

bool fuse_pad_into_conv(ir::Graph& graph, PassContext& context) {
  return fuse_pad_into_window_op(
      graph, {"Conv"}, [](const ir::Node&, double value) { return value == 0; },
      [](ir::Node&) {});
}

}  // namespace flowonnx::passes
