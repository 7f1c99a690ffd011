// The one list of passes. Adding a pass: write its file, declare it in pass.h, add a line here,
// add a golden test in tests/passes/.
#include "passes/pass.h"

#include <fmt/format.h>

#include "base/error.h"

namespace flowonnx::passes {

void PassContext::note(const std::string& message) {
  if (!seen_.insert(message).second) return;
  notes.push_back(message);
  if (note_sink) note_sink(message);
}

const std::vector<PassInfo>& all_passes() {
  static const std::vector<PassInfo> passes = {
      {"infer_shapes", "infer value types and shapes (libonnx, then ours), keeping symbolic dims", infer_shapes, false},
      {"fold_constants", "evaluate deterministic nodes whose inputs are all constant with the CPU kernels", fold_constants, false},
      {"fold_shapes", "replace Shape/Size of static dims (and Gather/Slice of them) by constants", fold_shapes, false},
      {"eliminate_deadend", "remove nodes whose outputs nothing uses", eliminate_deadend, true},
      {"eliminate_identity", "remove Identity nodes", eliminate_identity, true},
      {"eliminate_nop_dropout", "remove inference-mode Dropout whose mask is unused", eliminate_nop_dropout, true},
      {"eliminate_nop_transpose", "remove Transpose with the identity permutation", eliminate_nop_transpose, true},
      {"eliminate_nop_pad", "remove Pad whose pads are all zero", eliminate_nop_pad, true},
      {"eliminate_nop_reshape", "remove Reshape to the input's own static shape", eliminate_nop_reshape, true},
      {"eliminate_nop_cast", "remove Cast to the input's own dtype", eliminate_nop_cast, true},
      {"eliminate_unused_initializer", "remove initializers nothing reads", eliminate_unused_initializer, true},
      {"eliminate_duplicate_initializer", "merge initializers with equal dtype, shape and data", eliminate_duplicate_initializer, true},
      {"eliminate_common_subexpression", "merge nodes with the same op, inputs and attributes", eliminate_common_subexpression, true},
      {"extract_constant_to_initializer", "turn Constant nodes into initializers", extract_constant_to_initializer, true},
      {"fuse_bn_into_conv", "fold inference BatchNormalization into the preceding Conv (computed in double)", fuse_bn_into_conv, true},
      {"fuse_add_bias_into_conv", "fold a per-channel constant Add into the Conv bias", fuse_add_bias_into_conv, true},
      {"fuse_pad_into_conv", "fold a constant zero Pad of spatial dims into Conv pads", fuse_pad_into_conv, true},
      {"fuse_pad_into_pool", "fold a constant Pad into MaxPool (-inf) / AveragePool (0) pads", fuse_pad_into_pool, true},
      {"fuse_consecutive_transposes", "compose Transpose(Transpose(x)) into one", fuse_consecutive_transposes, true},
      {"fuse_transpose_into_gemm", "fold a 2-D Transpose of a Gemm input into transA/transB", fuse_transpose_into_gemm, true},
      {"fuse_matmul_add_bias_into_gemm", "turn 2-D MatMul (or Gemm without C) + Add(bias) into Gemm", fuse_matmul_add_bias_into_gemm, true},
      {"fuse_consecutive_squeezes", "merge Squeeze(Squeeze(x)) into one", fuse_consecutive_squeezes, true},
      {"fuse_consecutive_unsqueezes", "merge Unsqueeze(Unsqueeze(x)) into one", fuse_consecutive_unsqueezes, true},
      {"fuse_consecutive_concats", "inline a single-use Concat into a Concat on the same axis", fuse_consecutive_concats, true},
      {"fuse_consecutive_slices", "merge Slice(Slice(x)) on disjoint axes into one", fuse_consecutive_slices, true},
  };
  return passes;
}

const PassInfo& find_pass(const std::string& name) {
  std::vector<std::string> names;
  for (const PassInfo& pass : all_passes()) {
    if (name == pass.name) return pass;
    names.push_back(pass.name);
  }
  fail(ErrorCode::InvalidArgument, "unknown pass '{}' (known passes: {})", name, fmt::join(names, ", "));
}

}  // namespace flowonnx::passes
