#include "onnx/tensor_proto.h"

#include <bit>
#include <cstring>
#include <vector>

#include "onnx/external_data.h"
#include "onnx/model_io.h"

namespace flowonnx::onnx_io {

static_assert(std::endian::native == std::endian::little,
              "raw_data is little-endian and is copied as is");

namespace {

using P = ::onnx::TensorProto;

// The enum name of a data_type that DataType_IsValid accepted.
std::string onnx_type_name(int onnx_type) {
  return P::DataType_Name(static_cast<P::DataType>(onnx_type));
}

// The data fields a TensorProto may fill; exactly one may hold data.
struct DataField {
  const char* name;
  int size;
};

std::vector<DataField> filled_fields(const P& proto) {
  std::vector<DataField> fields = {
      {"raw_data", proto.has_raw_data() ? 1 : 0}, {"float_data", proto.float_data_size()},
      {"int32_data", proto.int32_data_size()},    {"int64_data", proto.int64_data_size()},
      {"double_data", proto.double_data_size()},  {"uint64_data", proto.uint64_data_size()},
      {"string_data", proto.string_data_size()},
  };
  std::erase_if(fields, [](const DataField& f) { return f.size == 0; });
  return fields;
}

// The typed field that carries `dtype` when raw_data is not used (onnx.proto's comments).
const char* typed_field_name(DType dtype) {
  switch (dtype) {
    case DType::Float32:
      return "float_data";
    case DType::Float64:
      return "double_data";
    case DType::Int64:
      return "int64_data";
    case DType::UInt32:
    case DType::UInt64:
      return "uint64_data";
    default:
      return "int32_data";  // int8, int16, int32, uint8, uint16, bool, float16 (as bits)
  }
}

template <typename T, typename Source>
T convert_element(Source value) {
  if constexpr (std::is_same_v<T, Float16>)
    return Float16{static_cast<uint16_t>(value)};
  else if constexpr (std::is_same_v<T, bool>)
    return value != 0;
  else
    return static_cast<T>(value);
}

// Copies a typed repeated field into `tensor` (sizes already checked).
template <typename Field>
void copy_typed_field(const Field& field, Tensor& tensor) {
  visit_dtype(tensor.dtype(), [&](auto zero) {
    using T = decltype(zero);
    T* out = static_cast<T*>(tensor.raw_data());
    for (int i = 0; i < field.size(); ++i) out[i] = convert_element<T>(field.Get(i));
  });
}

}  // namespace

Tensor tensor_from_proto(const P& proto, const std::string& context, ExternalDataReader* external) {
  int onnx_type = proto.data_type();
  if (!P::DataType_IsValid(onnx_type) || onnx_type == P::UNDEFINED)
    fail(ErrorCode::InvalidModel, "{}: data_type {} is not an ONNX element type", context,
         onnx_type);
  DType dtype;
  try {
    dtype = dtype_from_onnx(onnx_type);
  } catch (const Error&) {
    fail(ErrorCode::NotImplemented, "{}: element type {} is not supported", context,
         onnx_type_name(onnx_type));
  }
  if (proto.has_segment())
    fail(ErrorCode::NotImplemented, "{}: segmented tensors are not supported", context);

  Shape shape(proto.dims().begin(), proto.dims().end());
  int64_t count = 0;
  try {
    count = num_elements(shape);  // refuses negative dims and absurd counts: nothing allocated yet
  } catch (const Error& error) {
    fail(ErrorCode::InvalidModel, "{}: bad dims: {}", context, error.what());
  }
  const uint64_t nbytes = static_cast<uint64_t>(count) * dtype_size(dtype);

  if (proto.data_location() == P::EXTERNAL) {
    if (!external) fail(ErrorCode::InvalidModel, "{}: external data is not allowed here", context);
    auto fields = filled_fields(proto);
    if (!fields.empty())
      fail(ErrorCode::InvalidModel, "{}: external tensor also holds {}", context, fields[0].name);
    ExternalDataReader::Span span = external->locate(proto, context);
    if (span.length != nbytes)
      fail(ErrorCode::InvalidModel,
           "{}: external data '{}' holds {} bytes, but dims {} of {} need {}", context,
           span.location, span.length, shape_to_string(shape), dtype_name(dtype), nbytes);
    Tensor tensor(shape, dtype);
    external->read(span, tensor.raw_data(), context);
    if (dtype == DType::Bool) {
      auto* bytes = static_cast<uint8_t*>(tensor.raw_data());
      for (uint64_t i = 0; i < nbytes; ++i) bytes[i] = bytes[i] != 0;
    }
    return tensor;
  }

  auto fields = filled_fields(proto);
  if (fields.size() > 1)
    fail(ErrorCode::InvalidModel, "{}: holds data in both {} and {}", context, fields[0].name,
         fields[1].name);
  if (fields.empty()) {
    if (count != 0)
      fail(ErrorCode::InvalidModel, "{}: has no data for dims {} ({} elements)", context,
           shape_to_string(shape), count);
    return Tensor(shape, dtype);
  }

  const DataField& field = fields[0];
  if (field.name == std::string("raw_data")) {
    if (proto.raw_data().size() != nbytes)
      fail(ErrorCode::InvalidModel, "{}: raw_data has {} bytes, but dims {} of {} need {}", context,
           proto.raw_data().size(), shape_to_string(shape), dtype_name(dtype), nbytes);
    Tensor tensor(shape, dtype);
    if (nbytes) std::memcpy(tensor.raw_data(), proto.raw_data().data(), nbytes);
    if (dtype == DType::Bool) {
      auto* bytes = static_cast<uint8_t*>(tensor.raw_data());
      for (uint64_t i = 0; i < nbytes; ++i) bytes[i] = bytes[i] != 0;  // only 0/1 are valid bools
    }
    return tensor;
  }

  if (field.name != std::string(typed_field_name(dtype)))
    fail(ErrorCode::InvalidModel, "{}: {} tensor stores its data in {} (expected {} or raw_data)",
         context, onnx_type_name(onnx_type), field.name, typed_field_name(dtype));
  if (field.size != count)
    fail(ErrorCode::InvalidModel, "{}: {} has {} values, but dims {} need {}", context, field.name,
         field.size, shape_to_string(shape), count);
  Tensor tensor(shape, dtype);
  switch (dtype) {
    case DType::Float32:
      copy_typed_field(proto.float_data(), tensor);
      break;
    case DType::Float64:
      copy_typed_field(proto.double_data(), tensor);
      break;
    case DType::Int64:
      copy_typed_field(proto.int64_data(), tensor);
      break;
    case DType::UInt32:
    case DType::UInt64:
      copy_typed_field(proto.uint64_data(), tensor);
      break;
    default:
      copy_typed_field(proto.int32_data(), tensor);
      break;
  }
  return tensor;
}

void tensor_to_proto(const Tensor& tensor, const std::string& name, P* proto, bool with_data) {
  FLOWONNX_REQUIRE(tensor.defined(), "tensor '{}' is undefined", name);
  proto->set_name(name);
  proto->set_data_type(dtype_to_onnx(tensor.dtype()));
  for (int64_t dim : tensor.shape()) proto->add_dims(dim);
  if (with_data) proto->set_raw_data(static_cast<const char*>(tensor.raw_data()), tensor.nbytes());
}

}  // namespace flowonnx::onnx_io
