#include "runtime/kernel.h"

namespace flowonnx::runtime {

const Tensor* KernelInit::constant_input(size_t i) const {
  if (!has_input(i) || !graph_.is_initializer(node_.inputs[i])) return nullptr;
  return &graph_.initializer(node_.inputs[i]);
}

void KernelInit::absorb_constant_input(size_t i) const {
  FLOWONNX_CHECK(constant_input(i) != nullptr, "{} node '{}': input {} is not a constant",
                 node_.op_type, node_.name, i);
  if (absorbed_.size() <= i) absorbed_.resize(i + 1, false);
  absorbed_[i] = true;
}

void KernelInit::fail_model(const std::string& message) const {
  fail(ErrorCode::InvalidModel, "{} node '{}': {}", node_.op_type, node_.name, message);
}

template <typename Fn>
decltype(auto) KernelInit::typed(const std::string& name, const char* kind, Fn&& fn) const {
  try {
    return fn();
  } catch (const Error& error) {
    fail_model(fmt::format("attribute '{}' must be {} ({})", name, kind, error.what()));
  }
}

int64_t KernelInit::attr_int(const std::string& name, int64_t fallback) const {
  if (!has_attr(name)) return fallback;
  return typed(name, "an int", [&] { return node_.attrs.get_int(name); });
}

double KernelInit::attr_float(const std::string& name, double fallback) const {
  if (!has_attr(name)) return fallback;
  return typed(name, "a float", [&] { return node_.attrs.get_float(name); });
}

std::string KernelInit::attr_string(const std::string& name, const std::string& fallback) const {
  if (!has_attr(name)) return fallback;
  return typed(name, "a string", [&] { return node_.attrs.get_string(name); });
}

std::vector<int64_t> KernelInit::attr_ints(const std::string& name,
                                           std::vector<int64_t> fallback) const {
  if (!has_attr(name)) return fallback;
  return typed(name, "a list of ints", [&] { return node_.attrs.get_ints(name); });
}

std::vector<double> KernelInit::attr_floats(const std::string& name,
                                            std::vector<double> fallback) const {
  if (!has_attr(name)) return fallback;
  return typed(name, "a list of floats", [&] { return node_.attrs.get_floats(name); });
}

Tensor KernelInit::attr_tensor(const std::string& name) const {
  if (!has_attr(name)) return Tensor();
  return typed(name, "a tensor", [&] { return node_.attrs.get_tensor(name); });
}

const Tensor& KernelContext::input(size_t i) const {
  FLOWONNX_REQUIRE(has_input(i), "required input {} is missing", i);
  return *inputs_[i];
}

Tensor& KernelContext::allocate_output(size_t i, const Shape& shape, DType dtype) {
  FLOWONNX_CHECK(i < outputs_.size(), "output {} of {}", i, outputs_.size());
  outputs_[i] = allocate_(shape, dtype);
  pooled_[i] = true;
  return outputs_[i];
}

void KernelContext::set_output(size_t i, Tensor tensor) {
  FLOWONNX_CHECK(i < outputs_.size(), "output {} of {}", i, outputs_.size());
  outputs_[i] = std::move(tensor);
  pooled_[i] = false;
}

Tensor& KernelContext::overwrite_input_or_allocate(size_t input, size_t output, const Shape& shape,
                                                   DType dtype) {
  if (can_overwrite_input_ && has_input(input) && inputs_[input]->shape() == shape &&
      inputs_[input]->dtype() == dtype && can_overwrite_input_(input)) {
    FLOWONNX_CHECK(output < outputs_.size(), "output {} of {}", output, outputs_.size());
    outputs_[output] = *inputs_[input];
    pooled_[output] = true;
    return outputs_[output];
  }
  return allocate_output(output, shape, dtype);
}

std::vector<int64_t> tensor_to_int64s(const Tensor& tensor, const char* what) {
  FLOWONNX_REQUIRE(tensor.dtype() == DType::Int64 || tensor.dtype() == DType::Int32,
                   "{} must be int64 or int32, got {}", what, tensor.describe());
  std::vector<int64_t> values(static_cast<size_t>(tensor.num_elements()));
  if (tensor.dtype() == DType::Int64) {
    const int64_t* data = tensor.data<int64_t>();
    values.assign(data, data + values.size());
  } else {
    const int32_t* data = tensor.data<int32_t>();
    values.assign(data, data + values.size());
  }
  return values;
}

}  // namespace flowonnx::runtime
