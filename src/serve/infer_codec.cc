#include "serve/infer_codec.h"

#include <fmt/format.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <nlohmann/json.hpp>

#include "serve/datatype.h"
#include "serve/serve_error.h"
#include "tensor/half.h"

namespace flowonnx::serve {
namespace {

using nlohmann::json;

// Appends the scalars of a flat or nested JSON array, in row-major order.
void flatten(const json& value, std::vector<const json*>& out, const std::string& what,
             int depth = 0) {
  if (depth > 32) serve_fail(kBadRequest, "{}: 'data' is nested too deeply", what);
  if (value.is_array()) {
    for (const json& item : value) flatten(item, out, what, depth + 1);
  } else {
    out.push_back(&value);
  }
}

template <typename T>
T element_from_json(const json& value, const std::string& what, size_t index) {
  auto bad = [&](const char* expected) {
    serve_fail(kBadRequest, "{}: data[{}] is {}, expected {}", what, index, value.dump(), expected);
  };
  if constexpr (std::is_same_v<T, bool>) {
    if (!value.is_boolean()) bad("true or false");
    return value.get<bool>();
  } else if constexpr (std::is_same_v<T, Float16>) {
    if (!value.is_number()) bad("a number");
    return Float16{float_to_half_bits(value.get<float>())};
  } else if constexpr (std::is_floating_point_v<T>) {
    if (!value.is_number()) bad("a number");
    return value.get<T>();
  } else {
    if (!value.is_number_integer()) bad("an integer");
    if (value.is_number_unsigned()) {
      uint64_t v = value.get<uint64_t>();
      if (v > static_cast<uint64_t>(std::numeric_limits<T>::max())) bad("a value in range");
      return static_cast<T>(v);
    }
    int64_t v = value.get<int64_t>();
    if constexpr (std::is_signed_v<T>) {
      if (v < std::numeric_limits<T>::min() || v > std::numeric_limits<T>::max())
        bad("a value in range");
    } else {
      if (v < 0 || static_cast<uint64_t>(v) > std::numeric_limits<T>::max())
        bad("a value in range");
    }
    return static_cast<T>(v);
  }
}

Shape parse_shape(const json& input, const std::string& what) {
  const json* shape = input.contains("shape") ? &input["shape"] : nullptr;
  if (!shape || !shape->is_array())
    serve_fail(kBadRequest, "{}: 'shape' must be an array of dims", what);
  Shape dims;
  for (const json& dim : *shape) {
    if (!dim.is_number_integer() || dim.get<int64_t>() < 0)
      serve_fail(kBadRequest, "{}: shape {} must hold non-negative integers", what, shape->dump());
    dims.push_back(dim.get<int64_t>());
  }
  // Guard the element count against overflow before anything is allocated.
  int64_t count = 1;
  for (int64_t dim : dims) {
    if (dim != 0 && count > std::numeric_limits<int64_t>::max() / 8 / dim)
      serve_fail(kBadRequest, "{}: shape {} is too large", what, shape->dump());
    count *= dim;
  }
  return dims;
}

std::string string_field(const json& object, const char* key, const std::string& what) {
  if (!object.contains(key) || !object[key].is_string())
    serve_fail(kBadRequest, "{}: '{}' must be a string", what, key);
  return object[key].get<std::string>();
}

bool bool_parameter(const json& object, const char* key, const std::string& what) {
  if (!object.contains("parameters")) return false;
  const json& parameters = object["parameters"];
  if (!parameters.is_object()) serve_fail(kBadRequest, "{}: 'parameters' must be an object", what);
  if (!parameters.contains(key)) return false;
  if (!parameters[key].is_boolean())
    serve_fail(kBadRequest, "{}: parameter '{}' must be true or false", what, key);
  return parameters[key].get<bool>();
}

std::optional<size_t> binary_size_parameter(const json& input, const std::string& what) {
  if (!input.contains("parameters") || !input["parameters"].is_object() ||
      !input["parameters"].contains("binary_data_size"))
    return std::nullopt;
  const json& size = input["parameters"]["binary_data_size"];
  if (!size.is_number_unsigned())
    serve_fail(kBadRequest, "{}: binary_data_size must be a non-negative integer", what);
  return size.get<size_t>();
}

Tensor tensor_from_json_data(const json& data, DType dtype, const Shape& shape,
                             const std::string& what) {
  std::vector<const json*> values;
  flatten(data, values, what);
  Tensor tensor(shape, dtype);
  if (static_cast<int64_t>(values.size()) != tensor.num_elements())
    serve_fail(kBadRequest, "{}: 'data' has {} elements but shape [{}] needs {}", what,
               values.size(), fmt::join(shape, ","), tensor.num_elements());
  visit_dtype(dtype, [&](auto type_tag) {
    using T = decltype(type_tag);
    T* out = tensor.data<T>();
    for (size_t i = 0; i < values.size(); ++i) out[i] = element_from_json<T>(*values[i], what, i);
  });
  return tensor;
}

json tensor_to_json_data(const Tensor& tensor) {
  json data = json::array();
  visit_dtype(tensor.dtype(), [&](auto type_tag) {
    using T = decltype(type_tag);
    const T* values = tensor.data<T>();
    for (int64_t i = 0; i < tensor.num_elements(); ++i) {
      if constexpr (std::is_same_v<T, Float16>) {
        data.push_back(half_bits_to_float(values[i].bits));
      } else if constexpr (std::is_floating_point_v<T>) {
        // JSON has no NaN or infinity; nlohmann writes them as null, which
        // clients reject less badly than invalid JSON. Binary outputs carry
        // them exactly.
        data.push_back(values[i]);
      } else {
        data.push_back(values[i]);
      }
    }
  });
  return data;
}

}  // namespace

InferRequestBody parse_infer_request(const std::string& body, std::optional<size_t> header_length) {
  if (header_length && *header_length > body.size())
    serve_fail(kBadRequest, "Inference-Header-Content-Length is {} but the body has only {} bytes",
               *header_length, body.size());
  const size_t json_size = header_length ? *header_length : body.size();
  json request = json::parse(body.begin(), body.begin() + static_cast<std::ptrdiff_t>(json_size),
                             nullptr, /*allow_exceptions=*/false);
  if (request.is_discarded())
    serve_fail(kBadRequest, "the request body is not valid JSON{}",
               header_length ? " (in its first Inference-Header-Content-Length bytes)" : "");
  if (!request.is_object()) serve_fail(kBadRequest, "the request must be a JSON object");
  InferRequestBody parsed;
  if (request.contains("id")) {
    if (!request["id"].is_string()) serve_fail(kBadRequest, "'id' must be a string");
    parsed.id = request["id"].get<std::string>();
  }
  parsed.binary_outputs = bool_parameter(request, "binary_data_output", "the request");
  if (!request.contains("inputs") || !request["inputs"].is_array())
    serve_fail(kBadRequest, "the request needs an 'inputs' array");
  size_t binary_offset = json_size;
  for (const json& input : request["inputs"]) {
    if (!input.is_object()) serve_fail(kBadRequest, "each of 'inputs' must be an object");
    std::string name = string_field(input, "name", "an input");
    const std::string what = "input '" + name + "'";
    DType dtype = dtype_from_protocol(string_field(input, "datatype", what), what);
    Shape shape = parse_shape(input, what);
    std::optional<size_t> binary_size = binary_size_parameter(input, what);
    Tensor tensor;
    if (binary_size) {
      if (input.contains("data"))
        serve_fail(kBadRequest, "{}: has both 'data' and binary_data_size", what);
      tensor = Tensor(shape, dtype);
      if (*binary_size != tensor.nbytes())
        serve_fail(kBadRequest, "{}: binary_data_size is {} bytes but {} [{}] needs {}", what,
                   *binary_size, protocol_datatype(dtype), fmt::join(shape, ","), tensor.nbytes());
      if (body.size() - binary_offset < *binary_size)
        serve_fail(kBadRequest, "{}: binary_data_size {} runs past the end of the body", what,
                   *binary_size);
      if (*binary_size > 0)
        std::memcpy(tensor.raw_data(), body.data() + binary_offset, *binary_size);
      binary_offset += *binary_size;
    } else {
      if (!input.contains("data"))
        serve_fail(kBadRequest, "{}: needs 'data' or a binary_data_size parameter", what);
      tensor = tensor_from_json_data(input["data"], dtype, shape, what);
    }
    for (const auto& [seen, unused] : parsed.inputs)
      if (seen == name) serve_fail(kBadRequest, "{} is given twice", what);
    parsed.inputs.emplace_back(name, std::move(tensor));
  }
  if (binary_offset != body.size())
    serve_fail(kBadRequest,
               "the body has {} bytes of binary data after the JSON but the inputs' "
               "binary_data_size add up to {}",
               body.size() - json_size, binary_offset - json_size);
  if (request.contains("outputs")) {
    if (!request["outputs"].is_array()) serve_fail(kBadRequest, "'outputs' must be an array");
    for (const json& output : request["outputs"]) {
      if (!output.is_object()) serve_fail(kBadRequest, "each of 'outputs' must be an object");
      RequestedOutput requested;
      requested.name = string_field(output, "name", "an output");
      requested.binary = bool_parameter(output, "binary_data", "output '" + requested.name + "'") ||
                         (!output.contains("parameters") && parsed.binary_outputs);
      parsed.outputs.push_back(requested);
    }
  }
  return parsed;
}

InferResponseBody build_infer_response(const std::string& model_name, const std::string& version,
                                       const std::string& id,
                                       const std::vector<ResponseTensor>& outputs) {
  json response = {{"model_name", model_name}, {"model_version", version}};
  if (!id.empty()) response["id"] = id;
  json list = json::array();
  std::string binary;
  for (const ResponseTensor& output : outputs) {
    json entry = {{"name", output.name},
                  {"datatype", protocol_datatype(output.tensor.dtype())},
                  {"shape", output.tensor.shape()}};
    if (output.binary) {
      entry["parameters"] = {{"binary_data_size", output.tensor.nbytes()}};
      binary.append(static_cast<const char*>(output.tensor.raw_data()), output.tensor.nbytes());
    } else {
      entry["data"] = tensor_to_json_data(output.tensor);
    }
    list.push_back(std::move(entry));
  }
  response["outputs"] = std::move(list);
  InferResponseBody result;
  result.body = response.dump();
  bool any_binary = false;
  for (const ResponseTensor& output : outputs) any_binary = any_binary || output.binary;
  if (any_binary) {
    result.header_length = result.body.size();
    result.body += binary;
  }
  return result;
}

}  // namespace flowonnx::serve
