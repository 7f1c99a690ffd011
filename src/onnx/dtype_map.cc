// ONNX TensorProto.DataType <-> DType.
#include <onnx/onnx_pb.h>

#include "onnx/model_io.h"

namespace flowonnx::onnx_io {

DType dtype_from_onnx(int onnx_type) {
  using P = ::onnx::TensorProto;
  switch (onnx_type) {
    case P::FLOAT: return DType::Float32;
    case P::DOUBLE: return DType::Float64;
    case P::FLOAT16: return DType::Float16;
    case P::INT8: return DType::Int8;
    case P::INT16: return DType::Int16;
    case P::INT32: return DType::Int32;
    case P::INT64: return DType::Int64;
    case P::UINT8: return DType::UInt8;
    case P::UINT16: return DType::UInt16;
    case P::UINT32: return DType::UInt32;
    case P::UINT64: return DType::UInt64;
    case P::BOOL: return DType::Bool;
    default: break;
  }
  const char* name = P::DataType_IsValid(onnx_type)
                         ? P::DataType_Name(static_cast<P::DataType>(onnx_type)).c_str()
                         : "invalid";
  fail(ErrorCode::NotImplemented, "ONNX element type {} ({}) is not supported", onnx_type, name);
}

int dtype_to_onnx(DType dtype) {
  using P = ::onnx::TensorProto;
  switch (dtype) {
    case DType::Float32: return P::FLOAT;
    case DType::Float64: return P::DOUBLE;
    case DType::Float16: return P::FLOAT16;
    case DType::Int8: return P::INT8;
    case DType::Int16: return P::INT16;
    case DType::Int32: return P::INT32;
    case DType::Int64: return P::INT64;
    case DType::UInt8: return P::UINT8;
    case DType::UInt16: return P::UINT16;
    case DType::UInt32: return P::UINT32;
    case DType::UInt64: return P::UINT64;
    case DType::Bool: return P::BOOL;
  }
  return P::UNDEFINED;
}

std::string onnx_type_string(DType dtype) {
  switch (dtype) {
    case DType::Float32: return "tensor(float)";
    case DType::Float64: return "tensor(double)";
    case DType::Float16: return "tensor(float16)";
    case DType::Int8: return "tensor(int8)";
    case DType::Int16: return "tensor(int16)";
    case DType::Int32: return "tensor(int32)";
    case DType::Int64: return "tensor(int64)";
    case DType::UInt8: return "tensor(uint8)";
    case DType::UInt16: return "tensor(uint16)";
    case DType::UInt32: return "tensor(uint32)";
    case DType::UInt64: return "tensor(uint64)";
    case DType::Bool: return "tensor(bool)";
  }
  return "tensor(undefined)";
}

}  // namespace flowonnx::onnx_io
