// InferenceSession with ONNX Runtime's Python API: get_inputs()/get_outputs() as NodeArgs,
// run(output_names, input_feed) -> list of numpy arrays. Feeds are borrowed, not copied, where
// their layout allows (tensor.cc); outputs are handed to numpy without a copy. run() releases the
// GIL, so threads sharing one session run in parallel. flowonnx/_session.py adds the
// keyword-compatible constructor (sess_options, providers, provider_options).
#include <nanobind/stl/map.h>
#include <nanobind/stl/pair.h>
#include <nanobind/stl/string.h>
#include <nanobind/stl/vector.h>

#include <filesystem>

#include "bindings.h"
#include "onnx/model_io.h"
#include "runtime/session.h"

namespace flowonnx::python {
namespace {

// The session (its run() applies intra_op_num_threads on whichever Python thread calls, as
// ONNX Runtime's sessions do).
struct PySession {
  InferenceSession session;
};

nb::list shape_of(const NodeArg& arg) {
  nb::list dims;
  for (const NodeArg::DimValue& dim : arg.shape) {
    if (const auto* symbol = std::get_if<std::string>(&dim))
      dims.append(nb::str(symbol->c_str()));
    else if (std::get<int64_t>(dim) < 0)
      dims.append(nb::none());  // unknown, as ONNX Runtime reports it
    else
      dims.append(std::get<int64_t>(dim));
  }
  return dims;
}

SessionOptions options_from(int intra_op_num_threads, bool optimize_graph, bool verbose) {
  SessionOptions options;
  options.intra_op_num_threads = intra_op_num_threads;
  options.optimize_graph = optimize_graph;
  options.verbose = verbose;
  return options;
}

std::vector<std::string> output_names_of(nb::handle names) {
  std::vector<std::string> out;
  if (names.is_none()) return out;
  for (nb::handle name : names) out.push_back(nb::cast<std::string>(name));
  return out;
}

nb::list run(const PySession& py_session, nb::handle output_names, nb::handle input_feed) {
  const InferenceSession& session = py_session.session;
  if (!PyDict_Check(input_feed.ptr()))
    throw nb::type_error("run(): input_feed must be a dict of input name -> array");
  std::vector<std::string> names = output_names_of(output_names);
  std::map<std::string, Tensor> feeds;
  for (auto [key, value] : nb::borrow<nb::dict>(input_feed)) {
    std::string name = nb::cast<std::string>(key);
    feeds.emplace(name, as_tensor(value, name.c_str()));
  }
  std::vector<Tensor> outputs;
  {
    nb::gil_scoped_release release;
    outputs = session.run(names, feeds);
  }
  nb::list result;
  for (Tensor& output : outputs) {
    // An output that is a view of a feed (an Identity model) is copied: numpy arrays returned
    // by run() must never alias the caller's inputs, as ONNX Runtime's never do.
    for (const auto& [name, feed] : feeds)
      if (output.shares_storage_with(feed)) {
        output = output.clone();
        break;
      }
    result.append(to_numpy(output));
  }
  return result;
}

}  // namespace

void bind_session(nb::module_& m) {
  nb::class_<NodeArg>(m, "NodeArg", "A graph input or output, as onnxruntime.NodeArg.")
      .def_ro("name", &NodeArg::name)
      .def_prop_ro("shape", &shape_of, "Dims: ints, symbol strings ('N'), None when unknown.")
      .def_ro("type", &NodeArg::type, "'tensor(float)', ...")
      .def("__repr__", [](const NodeArg& arg) {
        return nb::str("NodeArg(name='{}', type='{}', shape={})")
            .format(arg.name, arg.type, shape_of(arg));
      });

  nb::class_<PySession>(m, "_InferenceSession")
      .def(
          "__init__",
          [](PySession* self, nb::handle path_or_bytes, const std::vector<std::string>& providers,
             int intra_op_num_threads, bool optimize_graph, bool verbose) {
            SessionOptions options = options_from(intra_op_num_threads, optimize_graph, verbose);
            if (PyBytes_Check(path_or_bytes.ptr())) {
              std::string_view bytes(PyBytes_AS_STRING(path_or_bytes.ptr()),
                                     PyBytes_GET_SIZE(path_or_bytes.ptr()));
              onnx_io::Model model =
                  onnx_io::parse_model(bytes, std::filesystem::current_path(), "<model bytes>");
              new (self) PySession{InferenceSession(std::move(model), providers, options)};
              return;
            }
            std::filesystem::path path = nb::cast<std::string>(nb::str(path_or_bytes));
            new (self) PySession{InferenceSession(path, providers, options)};
          },
          "path_or_bytes"_a, "providers"_a, "intra_op_num_threads"_a, "optimize_graph"_a,
          "verbose"_a)
      .def("get_inputs", [](const PySession& s) { return s.session.get_inputs(); })
      .def("get_outputs", [](const PySession& s) { return s.session.get_outputs(); })
      .def("get_overridable_initializers",
           [](const PySession& s) { return s.session.get_overridable_initializers(); })
      .def("get_providers", [](const PySession& s) { return s.session.get_providers(); })
      .def(
          "run",
          [](const PySession& session, nb::handle output_names, nb::handle input_feed,
             nb::handle run_options) { return run(session, output_names, input_feed); },
          "output_names"_a.none(), "input_feed"_a, "run_options"_a = nb::none(),
          "Runs the model: output_names None (every output) or a list; input_feed a dict of "
          "input name -> array. Returns a list of numpy arrays. Releases the GIL.");

  m.def("get_available_providers", &get_available_providers);
}

}  // namespace flowonnx::python
