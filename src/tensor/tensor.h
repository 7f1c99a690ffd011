// Tensor: a shared handle to a contiguous CPU buffer (64-byte-aligned when allocated here, or
// borrowed memory) with a dtype and a shape. Copying a Tensor copies the handle (like torch /
// ONNX Runtime values); clone() copies the data. Tensors are always contiguous in C order;
// reshape() shares storage, everything else allocates.
#pragma once

#include <cstring>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "base/error.h"
#include "tensor/dtype.h"
#include "tensor/shape.h"

namespace flowonnx {

// Owns one aligned allocation, or borrows memory owned elsewhere. Never resized.
class Storage {
 public:
  static constexpr size_t kAlignment = 64;
  // From this size on the bytes are mapped on their own (base/page_memory.h), so that freeing
  // them (a model's initializers once prepacked, say) returns them to the system.
  static constexpr size_t kMapThreshold = size_t{1} << 20;
  explicit Storage(size_t nbytes);
  // Borrows `nbytes` at `data` (a numpy array fed from Python, say) without copying; `release`
  // runs when the storage goes. The memory must stay valid until then. It need not be 64-byte
  // aligned: kernels use unaligned vector loads and stores.
  Storage(void* data, size_t nbytes, std::function<void()> release);
  ~Storage();
  Storage(const Storage&) = delete;
  Storage& operator=(const Storage&) = delete;
  void* data() { return data_; }
  const void* data() const { return data_; }
  size_t nbytes() const { return nbytes_; }

 private:
  size_t nbytes_;
  bool mapped_;
  void* data_;
  std::function<void()> release_;  // set for borrowed memory
};

struct TensorImpl {
  std::shared_ptr<Storage> storage;
  DType dtype;
  Shape shape;
};

class Tensor {
 public:
  Tensor() = default;  // undefined: defined() is false
  // Allocates uninitialised storage for `shape` (throws for negative or absurd shapes).
  Tensor(const Shape& shape, DType dtype = DType::Float32);

  static Tensor empty(const Shape& shape, DType dtype = DType::Float32) { return Tensor(shape, dtype); }
  static Tensor zeros(const Shape& shape, DType dtype = DType::Float32);
  static Tensor full(const Shape& shape, double value, DType dtype = DType::Float32);
  template <typename T>
  static Tensor from_vector(const Shape& shape, const std::vector<T>& values);
  template <typename T>
  static Tensor scalar(T value) { return from_vector<T>({}, {value}); }
  // A tensor over borrowed C-order memory (see Storage's borrowing constructor).
  static Tensor borrow(void* data, const Shape& shape, DType dtype, std::function<void()> release);

  bool defined() const { return impl_ != nullptr; }
  DType dtype() const { return impl().dtype; }
  const Shape& shape() const { return impl().shape; }
  int rank() const { return static_cast<int>(shape().size()); }
  // Dim by index; negative counts from the end. Throws InvalidArgument when out of range.
  int64_t dim(int index) const;
  int64_t num_elements() const;
  size_t nbytes() const { return static_cast<size_t>(num_elements()) * dtype_size(dtype()); }

  void* raw_data() { return impl().storage->data(); }
  const void* raw_data() const { return impl().storage->data(); }
  // Typed access; throws InvalidArgument when T is not this tensor's dtype.
  template <typename T> T* data();
  template <typename T> const T* data() const;

  // Same storage, new shape with the same element count; one dim may be -1 (inferred).
  Tensor reshape(const Shape& shape) const;
  Tensor clone() const;
  // Element-type conversion (float->int truncates toward zero; any nonzero -> true for bool).
  Tensor to(DType dtype) const;
  // Copies `source` (same shape; any dtype, converted) into this tensor's storage in place.
  void copy_from(const Tensor& source);
  // Every element converted to double, in order; for tests, checks and printing.
  std::vector<double> to_double_vector() const;
  // "float32[1,1000]"
  std::string describe() const;

  // Identity of the underlying handle, used by the tracer to map tensors to graph values.
  const TensorImpl* identity() const { return impl_.get(); }
  const Storage* storage_identity() const { return impl().storage.get(); }
  bool shares_storage_with(const Tensor& other) const {
    return defined() && other.defined() && impl_->storage == other.impl_->storage;
  }

 private:
  const TensorImpl& impl() const;
  TensorImpl& impl();
  std::shared_ptr<TensorImpl> impl_;
};

template <typename T>
Tensor Tensor::from_vector(const Shape& shape, const std::vector<T>& values) {
  Tensor tensor(shape, DTypeOf<T>::value);
  FLOWONNX_REQUIRE(static_cast<int64_t>(values.size()) == tensor.num_elements(),
                   "from_vector: {} values for shape {}", values.size(), shape_to_string(shape));
  T* out = tensor.data<T>();
  for (size_t i = 0; i < values.size(); ++i) out[i] = values[i];  // vector<bool> has no data()
  return tensor;
}

template <typename T>
T* Tensor::data() {
  FLOWONNX_REQUIRE(dtype() == DTypeOf<T>::value, "tensor is {}, accessed as {}",
                   dtype_name(dtype()), dtype_name(DTypeOf<T>::value));
  return static_cast<T*>(raw_data());
}

template <typename T>
const T* Tensor::data() const {
  FLOWONNX_REQUIRE(dtype() == DTypeOf<T>::value, "tensor is {}, accessed as {}",
                   dtype_name(dtype()), dtype_name(DTypeOf<T>::value));
  return static_cast<const T*>(raw_data());
}

}  // namespace flowonnx
