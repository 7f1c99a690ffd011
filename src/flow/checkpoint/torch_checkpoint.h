// PyTorch checkpoints (torch.save), read without running any Python:
//   zip (torch >= 1.6 default): <archive>/data.pkl, the pickled object whose tensors refer to
//       storages by persistent id, and <archive>/data/<key>, each storage's raw little-endian bytes
//       (the top folder's name varies with the file name it was saved under);
//   legacy (_use_new_zipfile_serialization=False, and every file before torch 1.6): the pickles of
//       the magic number, the protocol version (1001) and sys_info, then the object pickle, then
//       the pickled list of storage keys, then for each key an int64 element count and the bytes.
// The pickles go through the safe pickle VM with an allow-list of globals (torch's tensor and
// parameter rebuild functions, the storage types, collections.OrderedDict): anything else, e.g. a
// whole nn.Module saved with torch.save(model), is refused naming the global.
#pragma once

#include <string>
#include <string_view>

#include "flow/state_dict.h"

namespace flowonnx::checkpoint {

bool is_torch_legacy(std::string_view bytes);

// Reads a torch zip or legacy file (see is_zip / is_torch_legacy) into a flat state dict:
// {"state_dict": ...} and {"model": ...} wrappers are unwrapped, nested dicts join their keys with
// '.', and non-tensor leaves (epoch counters, strings) are skipped. Errors name `source`, the key
// and the storage: off-allow-list globals, truncation, storages or views past their end,
// unknown storage types.
StateDict read_torch_checkpoint(std::string_view bytes, const std::string& source);

}  // namespace flowonnx::checkpoint
