// OneFlow checkpoint folders (flow.save / flow.load), see reference/oneflow_onnx_notes.md §4.
//   legacy:  <dir>/snapshot_done, <dir>/<key>/out (raw little-endian C-order bytes),
//            <dir>/<key>/meta (text proto: shape { dim: .. } data_type: kFloat)
//   pickle:  <dir>/pickled_data (pickle of {"protocol_version": 1, "data": obj}) with tensors
//            stored as tensor_<N>/{out,meta}.
// Nested dicts ({"model": {...}} or nested folders) come back flattened with dotted keys.
// Files are PyTorch checkpoints (checkpoint/torch_checkpoint.h: torch.save's zip and legacy
// formats) or .safetensors, told apart by their first bytes; keys that all start with "module."
// (nn.DataParallel) lose that prefix.
#pragma once

#include <filesystem>

#include "flow/state_dict.h"

namespace flowonnx {

// Detects the format and reads every tensor. Errors (IoError / InvalidModel) name the key and
// the file: missing out, out size vs meta, unknown data_type, unparsable meta or pickle; for
// files also truncation, storages past the end and pickled globals off the allow-list.
StateDict load(const std::filesystem::path& path);

// Writes the legacy format, readable by every OneFlow version. The folder is written under a
// temporary name beside `folder` and renamed into place, so a failure leaves nothing half-written
// and an existing checkpoint is replaced only once the new one is complete.
void save(const StateDict& state_dict, const std::filesystem::path& folder);

}  // namespace flowonnx
