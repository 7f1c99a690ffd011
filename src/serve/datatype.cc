#include "serve/datatype.h"

#include <array>
#include <utility>

#include "base/error.h"
#include "serve/serve_error.h"

namespace flowonnx::serve {
namespace {

struct TypeNames {
  DType dtype;
  const char* protocol;
  inference::DataType config;
};

constexpr std::array<TypeNames, 12> kTypes = {{
    {DType::Bool, "BOOL", inference::TYPE_BOOL},
    {DType::UInt8, "UINT8", inference::TYPE_UINT8},
    {DType::UInt16, "UINT16", inference::TYPE_UINT16},
    {DType::UInt32, "UINT32", inference::TYPE_UINT32},
    {DType::UInt64, "UINT64", inference::TYPE_UINT64},
    {DType::Int8, "INT8", inference::TYPE_INT8},
    {DType::Int16, "INT16", inference::TYPE_INT16},
    {DType::Int32, "INT32", inference::TYPE_INT32},
    {DType::Int64, "INT64", inference::TYPE_INT64},
    {DType::Float16, "FP16", inference::TYPE_FP16},
    {DType::Float32, "FP32", inference::TYPE_FP32},
    {DType::Float64, "FP64", inference::TYPE_FP64},
}};

}  // namespace

std::string protocol_datatype(DType dtype) {
  for (const TypeNames& names : kTypes)
    if (names.dtype == dtype) return names.protocol;
  fail(ErrorCode::Internal, "no protocol datatype for {}", dtype_name(dtype));
}

DType dtype_from_protocol(const std::string& datatype, const std::string& what) {
  for (const TypeNames& names : kTypes)
    if (datatype == names.protocol) return names.dtype;
  serve_fail(kBadRequest,
             "{}: unsupported datatype '{}' (supported: BOOL, UINT8..UINT64, "
             "INT8..INT64, FP16, "
             "FP32, FP64)",
             what, datatype);
}

inference::DataType config_datatype(DType dtype) {
  for (const TypeNames& names : kTypes)
    if (names.dtype == dtype) return names.config;
  fail(ErrorCode::Internal, "no config data_type for {}", dtype_name(dtype));
}

DType dtype_from_config(inference::DataType datatype, const std::string& what) {
  for (const TypeNames& names : kTypes)
    if (datatype == names.config) return names.dtype;
  fail(ErrorCode::InvalidArgument, "{}: data_type {} is not supported by flowonnx", what,
       inference::DataType_Name(datatype));
}

}  // namespace flowonnx::serve
