// The eager framework for Python: modules of the model zoo (callable on tensors, with
// state_dict / load_state_dict / train / eval), nn.Graph subclassed in Python (flowonnx/nn.py
// drives the C++ graph below), and OneFlow checkpoint folders (flow.load / flow.save).
#include <nanobind/stl/filesystem.h>
#include <nanobind/stl/pair.h>
#include <nanobind/stl/shared_ptr.h>
#include <nanobind/stl/string.h>
#include <nanobind/stl/vector.h>

#include "bindings.h"
#include "flow/checkpoint.h"
#include "flow/nn/graph.h"
#include "flow/nn/module.h"
#include "models/zoo.h"

namespace flowonnx::python {
namespace {

// A state dict as Python sees it: a dict of name -> Tensor, in key order.
nb::dict to_python(const StateDict& state) {
  nb::dict out;
  for (const auto& [name, tensor] : state) out[nb::str(name.c_str())] = nb::cast(tensor);
  return out;
}

StateDict from_python(nb::handle mapping) {
  StateDict state;
  for (nb::handle key : nb::iter(mapping)) {
    std::string name = nb::cast<std::string>(key);
    state[name] = as_tensor(mapping[key], name.c_str());
  }
  return state;
}

// nn::Graph whose build() is a Python callable, handed in for the one trace compile() runs (so
// the C++ object holds no reference to its Python owner: no cycle the GC cannot see).
class PythonGraph : public nn::Graph {
 public:
  PythonGraph(const std::string& class_name, nn::GraphOptions options)
      : nn::Graph(class_name, std::move(options)) {}

  void add_module(const std::string& name, std::shared_ptr<nn::Module> module) {
    register_module(name, std::move(module));
  }

  void compile_with(nb::handle build, const std::vector<Tensor>& samples) {
    build_ = build;
    try {
      compile(samples);
    } catch (...) {
      build_ = nb::handle();
      throw;
    }
    build_ = nb::handle();
  }

  std::vector<Tensor> build(const std::vector<Tensor>& inputs) override {
    FLOWONNX_CHECK(build_.is_valid(), "{}: build() called outside compile()", name());
    nb::list args;
    for (const Tensor& input : inputs) args.append(nb::cast(input));
    nb::object result = build_(*nb::tuple(args));
    std::vector<Tensor> outputs;
    if (nb::isinstance<nb::tuple>(result) || nb::isinstance<nb::list>(result)) {
      for (nb::handle item : result) outputs.push_back(as_tensor(item, "build() output"));
    } else {
      outputs.push_back(as_tensor(result, "build() output"));
    }
    return outputs;
  }

 private:
  nb::handle build_;
};

// Eager forward without the GIL (the tracer of a graph being compiled is thread-local, so a
// trace still records only its own thread's ops).
Tensor forward(nn::Module& module, nb::handle x) {
  Tensor input = as_tensor(x, "input");
  nb::gil_scoped_release release;
  return module.forward(input);
}

}  // namespace

void bind_framework(nb::module_& m) {
  nb::class_<nn::Module>(m, "Module", "An eager module (a model of the zoo or one of its layers).")
      .def("forward", &forward, "x"_a)
      .def("__call__", &forward, "x"_a)
      .def(
          "state_dict", [](const nn::Module& module) { return to_python(module.state_dict()); },
          "Parameters and buffers by dotted name.")
      .def(
          "load_state_dict",
          [](nn::Module& module, nb::handle state, bool strict) {
            module.load_state_dict(from_python(state), strict);
          },
          "state_dict"_a, "strict"_a = true)
      .def(
          "train",
          [](nb::handle self, bool mode) {
            nb::cast<nn::Module&>(self).train(mode);
            return self;
          },
          "mode"_a = true)
      .def("eval",
           [](nb::handle self) {
             nb::cast<nn::Module&>(self).eval();
             return self;
           })
      .def_prop_ro("training", &nn::Module::is_training)
      .def("named_parameters", &nn::Module::named_parameters)
      .def("named_buffers", &nn::Module::named_buffers)
      .def("named_children", &nn::Module::named_children)
      .def("parameters",
           [](const nn::Module& module) {
             std::vector<Tensor> out;
             for (auto& [name, tensor] : module.named_parameters()) out.push_back(tensor);
             return out;
           })
      .def_prop_ro("type_name", &nn::Module::type_name)
      .def("__repr__", [](const nn::Module& module) { return module.type_name() + "()"; });

  nb::class_<nn::Graph>(m, "_GraphBase");
  nb::class_<PythonGraph, nn::Graph>(m, "_Graph")
      .def(
          "__init__",
          [](PythonGraph* self, const std::string& class_name, std::vector<std::string> input_names,
             std::vector<std::string> output_names) {
            new (self) PythonGraph(class_name, {std::move(input_names), std::move(output_names)});
          },
          "class_name"_a, "input_names"_a, "output_names"_a)
      .def("add_module", &PythonGraph::add_module, "name"_a, "module"_a)
      .def("compile", &PythonGraph::compile_with, "build"_a, "samples"_a)
      .def_prop_ro("is_compiled", &PythonGraph::is_compiled)
      .def_prop_ro("name", &PythonGraph::name)
      .def(
          "run",
          [](const PythonGraph& graph, const std::vector<Tensor>& inputs) {
            nb::gil_scoped_release release;
            return graph.run(inputs);
          },
          "inputs"_a)
      .def("state_dict", [](const PythonGraph& graph) { return to_python(graph.state_dict()); });

  m.def(
      "load", [](const std::filesystem::path& folder) { return to_python(load(folder)); }, "path"_a,
      "Reads a checkpoint into a dict of name -> Tensor: a OneFlow checkpoint folder (flow.load), "
      "or a PyTorch file (torch.save, zip or legacy; no code is run) or .safetensors, told "
      "apart by content.");
  m.def(
      "save",
      [](nb::handle state, const std::filesystem::path& folder) {
        save(from_python(state), folder);
      },
      "state_dict"_a, "path"_a, "Writes a OneFlow checkpoint folder (flow.save), atomically.");

  m.def("model_names", [] {
    std::vector<std::string> names;
    for (const models::ModelInfo& info : models::model_zoo()) names.push_back(info.name);
    return names;
  });
  m.def(
      "model_info",
      [](const std::string& name) {
        const models::ModelInfo& info = models::find_model(name);
        nb::dict out;
        out["name"] = info.name;
        out["description"] = info.description;
        out["input_shape"] =
            nb::cast(std::vector<int64_t>(info.input_shape.begin(), info.input_shape.end()));
        out["graph_name"] = info.graph_name;
        out["input_dtype"] = std::string(dtype_name(info.input_dtype));
        return out;
      },
      "name"_a);
  m.def("create_model", &models::create_model, "name"_a, "seed"_a = 0,
        "A zoo model with weights initialised from `seed` (the architecture's own init).");
  m.def("create_seeded_model", &models::create_seeded_model, "name"_a, "seed"_a,
        "A zoo model with seeded stand-ins for trained weights (batch norms spread like a "
        "trained net's), as `flowonnx init` writes.");
}

}  // namespace flowonnx::python
