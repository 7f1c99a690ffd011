// TensorProto <-> Tensor. Reading accepts raw_data (little-endian), the typed fields (float_data,
// double_data, int32_data — which also carries int8/int16/uint8/bool/float16 bits —, int64_data)
// and external data; the element count is checked against the dims before anything is allocated,
// so a hostile tensor cannot make us allocate more than the bytes it actually carries.
#pragma once

#include <onnx/onnx_pb.h>

#include <string>

#include "tensor/tensor.h"

namespace flowonnx::onnx_io {

class ExternalDataReader;

// `context` ("model.onnx: initializer 'w'") prefixes every error. `external` resolves external
// data; null refuses it. Unsupported element types are NotImplemented; corrupt tensors
// InvalidModel.
Tensor tensor_from_proto(const ::onnx::TensorProto& proto, const std::string& context,
                         ExternalDataReader* external);

// Writes dims, data_type and name; the data goes into raw_data unless `with_data` is false (the
// caller then records external data).
void tensor_to_proto(const Tensor& tensor, const std::string& name, ::onnx::TensorProto* proto,
                     bool with_data = true);

}  // namespace flowonnx::onnx_io
