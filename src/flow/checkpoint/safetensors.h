// The safetensors format (Hugging Face): an 8-byte little-endian header length N, N bytes of JSON
// {"name": {"dtype": "F32", "shape": [..], "data_offsets": [begin, end]}, "__metadata__": {..}},
// then the tensors' raw little-endian C-order bytes, offsets relative to the end of the header.
#pragma once

#include <string>
#include <string_view>

#include "flow/state_dict.h"

namespace flowonnx::checkpoint {

// A header length of at least 2 and a header that opens with '{'.
bool is_safetensors(std::string_view bytes);

// Every tensor of the file. BF16 is widened to float32 (flowonnx has no bfloat16). Errors name
// `source` and the tensor: unknown dtype, shape vs byte range, ranges past the end or overlapping
// the header, unparsable JSON.
StateDict read_safetensors(std::string_view bytes, const std::string& source);

}  // namespace flowonnx::checkpoint
