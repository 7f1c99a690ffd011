// The pickle layout of OneFlow checkpoints (flow.save(..., save_as_external_data=True), OneFlow
// 0.6-0.8 default): `pickled_data` holds {"protocol_version": 1, "data": obj}, where each tensor of
// obj was pickled through Tensor.__getstate__ as {"path": "tensor_<N>"}.
#pragma once

#include <map>
#include <string>
#include <string_view>

namespace flowonnx::checkpoint {

// Unpickles `bytes` (read from `source`) and returns dotted key -> the tensor's relative folder,
// e.g. "model.conv.weight" -> "tensor_3". Nested dicts (including OrderedDict objects) and
// lists are flattened with '.'; non-tensor leaves (ints, strings, dtypes, ...) are skipped.
std::map<std::string, std::string> read_pickled_tensor_paths(std::string_view bytes,
                                                             const std::string& source);

}  // namespace flowonnx::checkpoint
