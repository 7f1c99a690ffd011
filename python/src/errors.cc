// flowonnx::Error -> Python exceptions. The classes are defined in Python (flowonnx/_errors.py,
// so that they can derive from both flowonnx.Error and the matching builtin, as ValueError for an
// invalid argument) and handed over once at import through _set_error_types.
#include <array>

#include "base/error.h"
#include "bindings.h"

namespace flowonnx::python {
namespace {

// Indexed by ErrorCode; empty until _set_error_types ran (then RuntimeError is raised).
std::array<nb::object, 5>& error_types() {
  static auto* types = new std::array<nb::object, 5>();  // never destroyed: outlives the module
  return *types;
}

}  // namespace

void bind_errors(nb::module_& m) {
  m.def(
      "_set_error_types",
      [](nb::dict types) {
        for (ErrorCode code : {ErrorCode::InvalidArgument, ErrorCode::InvalidModel,
                               ErrorCode::NotImplemented, ErrorCode::IoError, ErrorCode::Internal})
          error_types()[static_cast<size_t>(code)] =
              nb::borrow(types[nb::str(error_code_name(code))]);
      },
      "types"_a = nb::dict(), "Registers the Python class raised for each flowonnx error code.");
  nb::register_exception_translator([](const std::exception_ptr& error, void*) {
    try {
      std::rethrow_exception(error);
    } catch (const Error& e) {
      const nb::object& type = error_types()[static_cast<size_t>(e.code())];
      PyErr_SetString(type.is_valid() ? type.ptr() : PyExc_RuntimeError, e.what());
    }
  });
}

}  // namespace flowonnx::python
