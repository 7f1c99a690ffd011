// Tensors across the boundary: flowonnx.Tensor (our Tensor handle, exported through
// __array_interface__, the buffer-free numpy path, and DLPack) and the conversions the rest of
// the bindings use. Nothing is copied where the memory layout allows it.
#include <Python.h>
#include <nanobind/ndarray.h>
#include <nanobind/stl/string.h>
#include <nanobind/stl/vector.h>

#include <memory>

#include "bindings.h"
#include "tensor/random.h"

namespace flowonnx::python {
namespace {

// The dtype of a buffer-protocol format string ("f", "<f", "=q", "?"), or false when it has
// none of ours (or a foreign byte order).
bool dtype_of_format(const char* format, Py_ssize_t itemsize, DType& dtype) {
  if (format == nullptr) format = "B";
  if (*format == '@' || *format == '=' || *format == '<') ++format;
  if (format[0] == '\0' || format[1] != '\0') return false;
  switch (format[0]) {
    case 'f': dtype = DType::Float32; break;
    case 'd': dtype = DType::Float64; break;
    case 'e': dtype = DType::Float16; break;
    case 'b': dtype = DType::Int8; break;
    case 'B': dtype = DType::UInt8; break;
    case '?': dtype = DType::Bool; break;
    case 'h': dtype = DType::Int16; break;
    case 'i':
    case 'l':
    case 'q':
      if (itemsize == 4)
        dtype = DType::Int32;
      else if (itemsize == 8)
        dtype = DType::Int64;
      else
        return false;
      break;
    default: return false;
  }
  return static_cast<Py_ssize_t>(dtype_size(dtype)) == itemsize;
}

// A Py_buffer released (under the GIL) when the last tensor over it goes.
struct BufferHold {
  Py_buffer view{};
  ~BufferHold() {
    nb::gil_scoped_acquire gil;
    PyBuffer_Release(&view);
  }
};

bool c_contiguous(const Py_buffer& view) {
  if (view.strides == nullptr) return true;
  Py_ssize_t expected = view.itemsize;
  for (int i = view.ndim - 1; i >= 0; --i) {
    if (view.shape[i] != 1 && view.strides[i] != expected) return false;
    expected *= view.shape[i];
  }
  return true;
}

nb::module_& numpy() {
  static auto* module = new nb::module_(nb::module_::import_("numpy"));
  return *module;
}

// Borrows a buffer-protocol object when it is C-contiguous, aligned and of one of our dtypes.
// Returns an undefined tensor when it cannot (the caller then copies through numpy).
Tensor borrow_buffer(nb::handle object, const char* what) {
  auto hold = std::make_shared<BufferHold>();
  if (PyObject_GetBuffer(object.ptr(), &hold->view, PyBUF_RECORDS_RO) != 0) {
    PyErr_Clear();
    hold->view.obj = nullptr;  // nothing to release
    return {};
  }
  const Py_buffer& view = hold->view;
  DType dtype;
  if (!dtype_of_format(view.format, view.itemsize, dtype)) {
    nb::object numpy_dtype = numpy().attr("asarray")(object).attr("dtype");
    throw nb::type_error(nb::str("{}: dtype {} is not supported (float32, float64, float16, int8, "
                                 "int16, int32, int64, uint8, bool)")
                             .format(what, numpy_dtype)
                             .c_str());
  }
  if (!c_contiguous(view) ||
      reinterpret_cast<uintptr_t>(view.buf) % static_cast<uintptr_t>(view.itemsize) != 0)
    return {};
  Shape shape(view.shape, view.shape + view.ndim);
  return Tensor::borrow(view.buf, shape, dtype, [hold] {});
}

// Dims of an export, as DLPack and __array_interface__ want them.
std::vector<size_t> sizes_of(const Tensor& tensor) {
  return std::vector<size_t>(tensor.shape().begin(), tensor.shape().end());
}

nb::dlpack::dtype dlpack_dtype(DType dtype) {
  using code = nb::dlpack::dtype_code;
  auto make = [](code c, DType d) {
    return nb::dlpack::dtype{static_cast<uint8_t>(c), static_cast<uint8_t>(8 * dtype_size(d)), 1};
  };
  switch (dtype) {
    case DType::Float32:
    case DType::Float64:
    case DType::Float16: return make(code::Float, dtype);
    case DType::Int8:
    case DType::Int16:
    case DType::Int32:
    case DType::Int64: return make(code::Int, dtype);
    case DType::UInt8: return make(code::UInt, dtype);
    case DType::Bool: return make(code::Bool, dtype);
  }
  return make(code::Float, DType::Float32);
}

// An owner object that keeps a Tensor handle (and so its storage) alive.
nb::capsule tensor_owner(const Tensor& tensor) {
  return nb::capsule(new Tensor(tensor), [](void* p) noexcept { delete static_cast<Tensor*>(p); });
}

template <typename Framework>
nb::object export_array(const Tensor& tensor) {
  std::vector<size_t> sizes = sizes_of(tensor);
  nb::ndarray<Framework> array(const_cast<void*>(tensor.raw_data()), sizes.size(), sizes.data(),
                               tensor_owner(tensor), nullptr, dlpack_dtype(tensor.dtype()));
  return array.cast();
}

Shape shape_from_args(nb::args args) {
  // randn(1, 3, 224, 224) or randn((1, 3, 224, 224)), as flow.randn takes both.
  nb::handle dims = args;
  if (args.size() == 1 && !PyLong_Check(args[0].ptr())) dims = args[0];
  Shape shape;
  for (nb::handle dim : dims) shape.push_back(nb::cast<int64_t>(dim));
  return shape;
}

}  // namespace

Tensor as_tensor(nb::handle object, const char* what) {
  if (nb::isinstance<Tensor>(object)) return nb::cast<Tensor>(object);
  if (PyObject_CheckBuffer(object.ptr())) {
    Tensor borrowed = borrow_buffer(object, what);
    if (borrowed.defined()) return borrowed;
  }
  nb::object array;
  if (!PyObject_CheckBuffer(object.ptr()) && nb::hasattr(object, "__dlpack__"))
    array = numpy().attr("from_dlpack")(object);  // DLPack-only producers (torch, jax, ...)
  else
    array = nb::borrow(object);
  array = numpy().attr("require")(array, nb::none(), "CA");  // C-contiguous and aligned
  Tensor borrowed = borrow_buffer(array, what);
  if (!borrowed.defined())
    throw nb::type_error(nb::str("{}: cannot read a {} as a tensor")
                             .format(what, nb::type_name(object.type()))
                             .c_str());
  return borrowed;
}

bool borrows_memory(nb::handle object) {
  if (nb::isinstance<Tensor>(object) || !PyObject_CheckBuffer(object.ptr())) return false;
  return borrow_buffer(object, "tensor").defined();
}

nb::object to_numpy(const Tensor& tensor) { return export_array<nb::numpy>(tensor); }

void bind_tensor(nb::module_& m) {
  nb::class_<Tensor>(m, "Tensor",
                     "A flowonnx tensor: a shared handle to C-order CPU memory with a dtype and "
                     "a shape. numpy.asarray(t), t.numpy() and DLPack consumers see the same "
                     "memory.")
      .def(nb::new_([](nb::handle data) { return as_tensor(data).clone(); }), "data"_a,
           "A tensor holding a copy of `data` (anything numpy.asarray accepts).")
      .def_prop_ro("shape",
                   [](const Tensor& t) {
                     nb::list dims;
                     for (int64_t d : t.shape()) dims.append(d);
                     return nb::tuple(dims);
                   })
      .def_prop_ro(
          "dtype",
          [](const Tensor& t) { return numpy().attr("dtype")(std::string(dtype_name(t.dtype()))); })
      .def_prop_ro("ndim", &Tensor::rank)
      .def(
          "size",
          [](const Tensor& t) {
            nb::list dims;
            for (int64_t d : t.shape()) dims.append(d);
            return nb::tuple(dims);
          },
          "The shape, as flow.Tensor.size().")
      .def("numel", &Tensor::num_elements)
      .def("numpy", &to_numpy, "A numpy array over the same memory (no copy).")
      .def("clone", &Tensor::clone)
      .def(
          "__array__",
          [](const Tensor& t, nb::handle dtype, nb::handle copy) {
            nb::object array = to_numpy(t);
            if (!dtype.is_none()) array = array.attr("astype")(dtype, "copy"_a = false);
            if (!copy.is_none() && nb::cast<bool>(copy)) array = array.attr("copy")();
            return array;
          },
          "dtype"_a = nb::none(), "copy"_a = nb::none())
      .def("__dlpack__",
           [](const Tensor& t, nb::kwargs) {
             // An unversioned "dltensor" capsule: consumers that ask for max_version accept it.
             return export_array<nb::no_framework>(t);
           })
      .def("__dlpack_device__", [](const Tensor&) { return nb::make_tuple(1, 0); })  // kDLCPU
      .def_prop_ro("__array_interface__",
                   [](const Tensor& t) {
                     nb::dict interface;
                     nb::list dims;
                     for (int64_t d : t.shape()) dims.append(d);
                     interface["shape"] = nb::tuple(dims);
                     interface["typestr"] =
                         numpy().attr("dtype")(std::string(dtype_name(t.dtype()))).attr("str");
                     interface["data"] =
                         nb::make_tuple(reinterpret_cast<uintptr_t>(t.raw_data()), false);
                     interface["version"] = 3;
                     return interface;
                   })
      .def("__len__", [](const Tensor& t) { return t.rank() == 0 ? 0 : t.dim(0); })
      .def("__repr__", [](const Tensor& t) { return "flowonnx.Tensor(" + t.describe() + ")"; });

  m.def(
      "as_tensor", [](nb::handle data) { return as_tensor(data); }, "data"_a,
      "`data` as a tensor without copying where the layout allows (C-contiguous, aligned, one "
      "of flowonnx's dtypes), else a contiguous copy.");
  m.def(
      "from_dlpack", [](nb::handle data) { return as_tensor(data); }, "data"_a);
  m.def("_borrows_memory", &borrows_memory, "data"_a,
        "True when as_tensor(data) shares data's memory (for the tests).");
  m.def(
      "randn",
      [](nb::args args, const std::string& dtype) {
        return randn(shape_from_args(args), default_generator(), dtype_from_name(dtype));
      },
      "args"_a, "dtype"_a = "float32",
      "N(0, 1) samples of the given shape, from the seed of manual_seed.");
  m.def("manual_seed", &manual_seed, "seed"_a);
}

}  // namespace flowonnx::python
