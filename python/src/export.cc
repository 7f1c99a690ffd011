// ONNX export and its check (oneflow_onnx.oneflow2onnx.util) and the simplifier (onnxsim) for
// Python; flowonnx/onnx.py and flowonnx/_simplify.py give them their original signatures.
// Reports are returned as text for Python to print, so they interleave with Python's own output.
#include <nanobind/stl/map.h>
#include <nanobind/stl/optional.h>
#include <nanobind/stl/string.h>
#include <nanobind/stl/tuple.h>
#include <nanobind/stl/vector.h>

#include <filesystem>
#include <sstream>

#include "bindings.h"
#include "onnx/model_io.h"
#include "passes/equivalence_check.h"
#include "passes/simplify.h"
#include "verify/check.h"
#include "verify/export.h"

namespace flowonnx::python {
namespace {

ExportOptions export_options(bool external_data, std::optional<int> opset,
                             std::optional<std::string> flow_weight_dir,
                             const std::string& onnx_model_path, bool dynamic_batch_size) {
  ExportOptions options;
  options.external_data = external_data;
  options.opset = opset.value_or(0);
  options.flow_weight_dir = flow_weight_dir.value_or("");
  options.onnx_model_path = onnx_model_path;
  options.dynamic_batch_size = dynamic_batch_size;
  return options;
}

// The report of convert_to_onnx_and_check, as Python sees it.
struct PyCheckReport {
  CheckReport report;
  std::string text;  // the printed table (and outliers when asked)
};

onnx_io::Model model_from(nb::handle path_or_bytes) {
  if (PyBytes_Check(path_or_bytes.ptr())) {
    std::string_view bytes(PyBytes_AS_STRING(path_or_bytes.ptr()),
                           PyBytes_GET_SIZE(path_or_bytes.ptr()));
    return onnx_io::parse_model(bytes, std::filesystem::current_path(), "<model bytes>");
  }
  return onnx_io::load_model(nb::cast<std::string>(nb::str(path_or_bytes)));
}

}  // namespace

void bind_export(nb::module_& m) {
  m.def(
      "export_onnx_model",
      [](const nn::Graph& graph, bool external_data, std::optional<int> opset,
         std::optional<std::string> flow_weight_dir, const std::string& onnx_model_path,
         bool dynamic_batch_size, bool simplify) {
        ExportOptions options = export_options(external_data, opset, flow_weight_dir,
                                               onnx_model_path, dynamic_batch_size);
        options.simplify = simplify;
        return export_onnx_model(graph, options).string();
      },
      "graph"_a, "external_data"_a, "opset"_a.none(), "flow_weight_dir"_a.none(),
      "onnx_model_path"_a, "dynamic_batch_size"_a, "simplify"_a);

  nb::class_<PyCheckReport>(m, "CheckReport", "What convert_to_onnx_and_check found.")
      .def_prop_ro("passed", [](const PyCheckReport& r) { return r.report.passed(); })
      .def_prop_ro("max_abs_err", [](const PyCheckReport& r) { return r.report.max_abs_err(); })
      .def_prop_ro("verdict", [](const PyCheckReport& r) { return r.report.verdict(); })
      .def_prop_ro("model_path",
                   [](const PyCheckReport& r) { return r.report.model_path.string(); })
      .def_prop_ro("opset", [](const PyCheckReport& r) { return r.report.opset; })
      .def_prop_ro("dynamic_batch", [](const PyCheckReport& r) { return r.report.dynamic_batch; })
      .def_prop_ro("batches",
                   [](const PyCheckReport& r) {
                     std::vector<int64_t> batches;
                     for (const CheckRun& run : r.report.runs) batches.push_back(run.batch);
                     return batches;
                   })
      .def_ro("text", &PyCheckReport::text)
      .def("__repr__",
           [](const PyCheckReport& r) { return "CheckReport(" + r.report.verdict() + ")"; });

  m.def(
      "convert_to_onnx_and_check",
      [](const nn::Graph& graph, bool external_data, std::optional<int> opset,
         std::optional<std::string> flow_weight_dir, const std::string& onnx_model_path,
         bool dynamic_batch_size, bool print_outlier, double rtol, double atol,
         std::vector<std::string> providers, std::optional<std::pair<double, double>> input_range) {
        ExportOptions options = export_options(external_data, opset, flow_weight_dir,
                                               onnx_model_path, dynamic_batch_size);
        std::ostringstream text;
        CheckOptions check;
        check.rtol = rtol;
        check.atol = atol;
        check.providers = std::move(providers);
        if (input_range) {
          check.inputs.low = input_range->first;
          check.inputs.high = input_range->second;
        }
        check.print_report = true;
        check.print_outlier = print_outlier;
        check.out = &text;
        PyCheckReport result;
        {
          nb::gil_scoped_release release;  // the graph's build() is not called: it is compiled
          result.report = convert_to_onnx_and_check(graph, options, check);
        }
        result.text = text.str();
        return result;
      },
      "graph"_a, "external_data"_a, "opset"_a.none(), "flow_weight_dir"_a.none(),
      "onnx_model_path"_a, "dynamic_batch_size"_a, "print_outlier"_a, "rtol"_a, "atol"_a,
      "providers"_a, "input_range"_a.none());

  m.def(
      "simplify",
      [](nb::handle path_or_bytes, int check_n, bool skip_fuse_bn, bool skip_constant_folding,
         std::map<std::string, std::vector<int64_t>> overwrite_input_shapes,
         int64_t tensor_size_threshold) {
        onnx_io::Model model = model_from(path_or_bytes);
        passes::SimplifyOptions options;
        options.skip_fuse_bn = skip_fuse_bn;
        options.skip_constant_folding = skip_constant_folding;
        options.overwrite_input_shapes = std::move(overwrite_input_shapes);
        if (tensor_size_threshold > 0) options.tensor_size_threshold = tensor_size_threshold;
        std::vector<std::string> notes;
        options.note_sink = [&notes](const std::string& note) { notes.push_back(note); };
        bool check_ok = true;
        std::string message;
        std::string bytes;
        {
          nb::gil_scoped_release release;
          onnx_io::Model original = passes::clone_model(model);
          passes::simplify(model, options);
          if (check_n > 0) {
            passes::EquivalenceOptions equivalence;
            equivalence.runs = check_n;
            passes::EquivalenceResult result =
                passes::check_equivalence(original, model, equivalence);
            check_ok = result.ok;
            message = result.message;
          }
          bytes = onnx_io::serialize_model(model);
        }
        return std::make_tuple(nb::bytes(bytes.data(), bytes.size()), check_ok, message);
      },
      "model"_a, "check_n"_a, "skip_fuse_bn"_a, "skip_constant_folding"_a,
      "overwrite_input_shapes"_a, "tensor_size_threshold"_a);
}

}  // namespace flowonnx::python
