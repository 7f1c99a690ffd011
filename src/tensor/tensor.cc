#include "tensor/tensor.h"

#include <cmath>
#include <cstdlib>
#include <limits>
#include <new>

#include "base/page_memory.h"
#include "tensor/half.h"

namespace flowonnx {

Storage::Storage(size_t nbytes) : nbytes_(nbytes), mapped_(nbytes >= kMapThreshold) {
  // aligned_alloc needs a size that is a multiple of the alignment, and non-zero.
  const size_t rounded = (nbytes + kAlignment - 1) / kAlignment * kAlignment;
  data_ = mapped_ ? map_pages(nbytes, kAlignment)
                  : std::aligned_alloc(kAlignment, rounded == 0 ? kAlignment : rounded);
  if (data_ == nullptr)
    fail(ErrorCode::InvalidArgument, "cannot allocate {} bytes for a tensor", nbytes);
}

// release_ is never empty for borrowed memory (the destructor frees data_ otherwise).
Storage::Storage(void* data, size_t nbytes, std::function<void()> release)
    : nbytes_(nbytes),
      mapped_(false),
      data_(data),
      release_(release ? std::move(release) : std::function<void()>([] {})) {}

Storage::~Storage() {
  if (release_)
    release_();
  else if (mapped_)
    unmap_pages(data_, nbytes_);
  else
    std::free(data_);
}

Tensor::Tensor(const Shape& shape, DType dtype) {
  int64_t count = flowonnx::num_elements(shape);  // validates
  impl_ = std::make_shared<TensorImpl>();
  impl_->storage = std::make_shared<Storage>(static_cast<size_t>(count) * dtype_size(dtype));
  impl_->dtype = dtype;
  impl_->shape = shape;
}

Tensor Tensor::borrow(void* data, const Shape& shape, DType dtype, std::function<void()> release) {
  int64_t count = flowonnx::num_elements(shape);  // validates
  Tensor tensor;
  tensor.impl_ = std::make_shared<TensorImpl>();
  tensor.impl_->storage = std::make_shared<Storage>(
      data, static_cast<size_t>(count) * dtype_size(dtype), std::move(release));
  tensor.impl_->dtype = dtype;
  tensor.impl_->shape = shape;
  return tensor;
}

const TensorImpl& Tensor::impl() const {
  FLOWONNX_REQUIRE(impl_ != nullptr, "use of an undefined tensor");
  return *impl_;
}

TensorImpl& Tensor::impl() {
  FLOWONNX_REQUIRE(impl_ != nullptr, "use of an undefined tensor");
  return *impl_;
}

Tensor Tensor::zeros(const Shape& shape, DType dtype) {
  Tensor tensor(shape, dtype);
  std::memset(tensor.raw_data(), 0, tensor.nbytes());
  return tensor;
}

namespace {

// Floating point -> integer. C++ leaves NaN and out-of-range values undefined (UBSan:
// float-cast-overflow) and ONNX's Cast leaves them unspecified: NaN gives 0, the rest saturates.
template <typename Out, typename In>
Out float_to_integer(In value) {
  if (std::isnan(value)) return 0;
  if (value <= static_cast<In>(std::numeric_limits<Out>::lowest())) return std::numeric_limits<Out>::lowest();
  if (value >= static_cast<In>(std::numeric_limits<Out>::max())) return std::numeric_limits<Out>::max();
  return static_cast<Out>(value);
}

template <typename T>
T from_double(double value) {
  if constexpr (std::is_same_v<T, Float16>) return Float16{float_to_half_bits(static_cast<float>(value))};
  else if constexpr (std::is_same_v<T, bool>) return value != 0.0;
  else if constexpr (std::is_integral_v<T>) return float_to_integer<T>(value);
  else return static_cast<T>(value);
}

template <typename T>
double to_double(T value) {
  if constexpr (std::is_same_v<T, Float16>) return half_bits_to_float(value.bits);
  else return static_cast<double>(value);
}

// Converts count elements from `in` (type In) to `out` (type Out). Float16 goes through float,
// everything else through a direct cast, so int64 values above 2^53 survive int64->int64.
template <typename In, typename Out>
void convert_elements(const In* in, Out* out, int64_t count) {
  for (int64_t i = 0; i < count; ++i) {
    if constexpr (std::is_same_v<In, Out>) out[i] = in[i];
    else if constexpr (std::is_same_v<In, Float16> || std::is_same_v<Out, Float16> ||
                       std::is_same_v<Out, bool>)
      out[i] = from_double<Out>(to_double(in[i]));
    else if constexpr (std::is_floating_point_v<In> && std::is_integral_v<Out>)
      out[i] = float_to_integer<Out>(in[i]);
    else out[i] = static_cast<Out>(in[i]);
  }
}

}  // namespace

Tensor Tensor::full(const Shape& shape, double value, DType dtype) {
  Tensor tensor(shape, dtype);
  int64_t count = tensor.num_elements();
  visit_dtype(dtype, [&](auto zero) {
    using T = decltype(zero);
    T element = from_double<T>(value);
    T* out = static_cast<T*>(tensor.raw_data());
    for (int64_t i = 0; i < count; ++i) out[i] = element;
  });
  return tensor;
}

int64_t Tensor::dim(int index) const {
  int r = rank();
  FLOWONNX_REQUIRE(index >= -r && index < r, "dim {} out of range for tensor of rank {}", index, r);
  return shape()[index < 0 ? index + r : index];
}

int64_t Tensor::num_elements() const { return flowonnx::num_elements(shape()); }

Tensor Tensor::reshape(const Shape& new_shape) const {
  Shape resolved = resolve_reshape(shape(), new_shape);
  Tensor result;
  result.impl_ = std::make_shared<TensorImpl>(TensorImpl{impl().storage, dtype(), resolved});
  return result;
}

Tensor Tensor::clone() const {
  Tensor copy(shape(), dtype());
  std::memcpy(copy.raw_data(), raw_data(), nbytes());
  return copy;
}

void Tensor::copy_from(const Tensor& source) {
  FLOWONNX_REQUIRE(source.shape() == shape(), "copy_from: shape {} into {}",
                   shape_to_string(source.shape()), shape_to_string(shape()));
  int64_t count = num_elements();
  visit_dtype(source.dtype(), [&](auto in_zero) {
    using In = decltype(in_zero);
    visit_dtype(dtype(), [&](auto out_zero) {
      using Out = decltype(out_zero);
      convert_elements(static_cast<const In*>(source.raw_data()), static_cast<Out*>(raw_data()), count);
    });
  });
}

Tensor Tensor::to(DType target) const {
  if (target == dtype()) return clone();
  Tensor result(shape(), target);
  result.copy_from(*this);
  return result;
}

std::vector<double> Tensor::to_double_vector() const {
  std::vector<double> values(static_cast<size_t>(num_elements()));
  visit_dtype(dtype(), [&](auto zero) {
    using T = decltype(zero);
    const T* in = static_cast<const T*>(raw_data());
    for (size_t i = 0; i < values.size(); ++i) values[i] = to_double(in[i]);
  });
  return values;
}

std::string Tensor::describe() const {
  if (!defined()) return "undefined";
  return std::string(dtype_name(dtype())) + shape_to_string(shape());
}

}  // namespace flowonnx
