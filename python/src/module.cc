// flowonnx._flowonnx: the C++ library behind the Python package (python/flowonnx), one bind_*
// function per concern.
#include "bindings.h"

NB_MODULE(_flowonnx, m) {
  using namespace flowonnx::python;
  m.doc() = "flowonnx's C++ library; use the flowonnx package, which wraps it.";
  bind_errors(m);
  bind_tensor(m);
  bind_framework(m);
  bind_session(m);
  bind_export(m);
  bind_vision(m);
}
