#include "tensor/dtype.h"

#include "base/error.h"

namespace flowonnx {

size_t dtype_size(DType dtype) {
  return visit_dtype(dtype, [](auto value) { return sizeof(value); });
}

std::string_view dtype_name(DType dtype) {
  switch (dtype) {
    case DType::Float32: return "float32";
    case DType::Float64: return "float64";
    case DType::Float16: return "float16";
    case DType::Int8: return "int8";
    case DType::Int16: return "int16";
    case DType::Int32: return "int32";
    case DType::Int64: return "int64";
    case DType::UInt8: return "uint8";
    case DType::UInt16: return "uint16";
    case DType::UInt32: return "uint32";
    case DType::UInt64: return "uint64";
    case DType::Bool: return "bool";
  }
  return "unknown";
}

DType dtype_from_name(std::string_view name) {
  for (DType dtype : kAllDTypes)
    if (dtype_name(dtype) == name) return dtype;
  fail(ErrorCode::InvalidArgument, "unknown dtype '{}'", name);
}

bool is_floating(DType dtype) {
  return dtype == DType::Float32 || dtype == DType::Float64 || dtype == DType::Float16;
}

bool is_integer(DType dtype) { return !is_floating(dtype) && dtype != DType::Bool; }

}  // namespace flowonnx
