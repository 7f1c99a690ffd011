// Tensor element types as the Open Inference Protocol names them ("FP32",
// "INT64", "BOOL") and as Triton's model configuration does (TYPE_FP32), mapped
// to flowonnx's DType.
#pragma once

#include <string>

#include "model_config.pb.h"
#include "tensor/dtype.h"

namespace flowonnx::serve {

// "FP32", "FP64", "FP16", "INT8".."INT64", "UINT8".."UINT64", "BOOL".
std::string protocol_datatype(DType dtype);
// Inverse of protocol_datatype; a ServeError 400 naming `what` for BYTES, BF16
// or an unknown name.
DType dtype_from_protocol(const std::string& datatype, const std::string& what);

inference::DataType config_datatype(DType dtype);
// Inverse of config_datatype; a flowonnx::Error naming `what` for TYPE_STRING,
// TYPE_BF16, ...
DType dtype_from_config(inference::DataType datatype, const std::string& what);

}  // namespace flowonnx::serve
