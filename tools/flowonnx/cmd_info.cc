// flowonnx info: what a model is — inputs and outputs with shapes, opsets, producer, an op
// histogram, parameter count and bytes, and the multiply-add work of Conv/Gemm/MatMul (as MACs,
// and as FLOPs = 2 x MACs, both named so nobody has to guess which one a number is); on request
// the initializers, and the graph as a Graphviz picture (--dot).
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <nlohmann/json.hpp>

#include "base/file_util.h"
#include "commands.h"
#include "graph_dot.h"
#include "onnx/model_io.h"
#include "output_paths.h"

namespace flowonnx::cli {
namespace {

std::string dims_text(const ir::ValueType& type) {
  if (!type.shape) return "?";
  std::vector<std::string> dims;
  for (const ir::Dim& d : *type.shape) dims.push_back(d.to_string());
  return "[" + fmt::format("{}", fmt::join(dims, ",")) + "]";
}

// Static dims of a value, with symbolic dims counted as 1 (FLOPs are reported per batch item
// when the batch is symbolic); empty when the shape is unknown.
std::vector<int64_t> dims_or_one(const ir::Graph& graph, const std::string& value) {
  if (!graph.has_type(value) || !graph.type(value).shape) return {};
  std::vector<int64_t> dims;
  for (const ir::Dim& d : *graph.type(value).shape) dims.push_back(d.is_static() ? d.value : 1);
  return dims;
}

int64_t product(const std::vector<int64_t>& dims, size_t from = 0, size_t to = SIZE_MAX) {
  int64_t p = 1;
  for (size_t i = from; i < std::min(to, dims.size()); ++i) p *= dims[i];
  return p;
}

// Floating-point operations (2 per multiply-add) of one node, or -1 when shapes are unknown.
int64_t node_flops(const ir::Graph& graph, const ir::Node& node) {
  if (node.op_type == "Conv" && node.inputs.size() >= 2) {
    auto weight = dims_or_one(graph, node.inputs[1]), out = dims_or_one(graph, node.outputs[0]);
    if (weight.size() < 3 || out.size() < 3) return -1;
    return 2 * product(out) * product(weight, 1);  // out elements x (C/group x kernel) each
  }
  if ((node.op_type == "MatMul" || node.op_type == "Gemm") && node.inputs.size() >= 2) {
    auto a = dims_or_one(graph, node.inputs[0]), out = dims_or_one(graph, node.outputs[0]);
    if (a.empty() || out.empty()) return -1;
    int64_t k = node.op_type == "Gemm" && node.attrs.has("transA") && node.attrs.get_int("transA")
                    ? a[0]
                    : a.back();
    return 2 * product(out) * k;
  }
  return 0;
}

struct InfoOptions {
  std::string path, dot;
  bool json = false, initializers = false;
};

void show_info(const InfoOptions& options) {
  const std::string& path = options.path;
  const bool json = options.json;
  if (!options.dot.empty()) check_output_path("--dot", options.dot, OutputKind::kFile);
  onnx_io::Model model = onnx_io::load_model(path);
  const ir::Graph& graph = model.graph;
  onnx_io::infer_shapes_with_onnx(model);

  std::map<std::string, int> histogram;
  int64_t flops = 0;
  bool flops_complete = true;
  for (const auto& node : graph.nodes()) {
    ++histogram[(node->domain.empty() ? "" : node->domain + ".") + node->op_type];
    int64_t f = node_flops(graph, *node);
    if (f < 0)
      flops_complete = false;
    else
      flops += f;
  }
  int64_t parameters = 0, parameter_bytes = 0;
  for (const auto& [name, tensor] : graph.initializers()) {
    parameters += tensor.num_elements();
    parameter_bytes += static_cast<int64_t>(tensor.nbytes());
  }
  auto describe = [&](const std::vector<std::string>& names) {
    nlohmann::json list = nlohmann::json::array();
    for (const auto& name : names) {
      const ir::ValueType& type = graph.type(name);
      list.push_back({{"name", name},
                      {"type", onnx_io::onnx_type_string(type.dtype)},
                      {"shape", dims_text(type)}});
    }
    return list;
  };
  nlohmann::json opsets = nlohmann::json::object();
  for (const auto& [domain, version] : graph.opset_imports)
    opsets[domain.empty() ? "ai.onnx" : domain] = version;

  nlohmann::json info = {{"path", path},
                         {"ir_version", model.ir_version},
                         {"producer", model.producer_name + " " + model.producer_version},
                         {"graph", graph.name},
                         {"opsets", opsets},
                         {"inputs", describe(graph.inputs)},
                         {"outputs", describe(graph.outputs)},
                         {"nodes", graph.nodes().size()},
                         {"ops", histogram},
                         {"parameters", parameters},
                         {"parameter_bytes", parameter_bytes},
                         {"macs", flops / 2},
                         {"flops", flops},
                         {"flops_complete", flops_complete}};
  if (options.initializers) {
    nlohmann::json list = nlohmann::json::array();
    for (const auto& [name, tensor] : graph.initializers())
      list.push_back({{"name", name},
                      {"type", onnx_io::onnx_type_string(tensor.dtype())},
                      {"shape", tensor.shape()},
                      {"bytes", tensor.nbytes()}});
    info["initializers"] = list;
  }
  if (!options.dot.empty()) {
    const std::string dot = graph_to_dot(graph);
    write_file_atomically(options.dot, [&](std::ostream& out) { out << dot; });
    info["dot"] = options.dot;
  }
  if (json) {
    fmt::print("{}\n", info.dump(2));
    return;
  }
  fmt::print("model     {}\nproducer  {} (IR {})\ngraph     {}\nopsets    {}\n", path,
             info["producer"].get<std::string>(), model.ir_version, graph.name, opsets.dump());
  for (const char* side : {"inputs", "outputs"})
    for (const auto& arg : info[side])
      fmt::print("{:<9} {} {} {}\n", side, arg["name"].get<std::string>(),
                 arg["type"].get<std::string>(), arg["shape"].get<std::string>());
  fmt::print("params    {} ({:.1f} MB)\n", parameters, parameter_bytes / 1e6);
  fmt::print(
      "compute   {:.3f} G MACs (multiply-adds) = {:.3f} GFLOPs (2 per MAC) per run; "
      "Conv/Gemm/MatMul only, symbolic dims as 1{}\n",
      flops / 2e9, flops / 1e9, flops_complete ? "" : "; some shapes unknown, not counted");
  fmt::print("nodes     {}\n", graph.nodes().size());
  for (const auto& [op, count] : histogram) fmt::print("  {:<24} {}\n", op, count);
  if (options.initializers)
    for (const auto& item : info["initializers"])
      fmt::print("init      {} {} {} ({} bytes)\n", item["name"].get<std::string>(),
                 item["type"].get<std::string>(), item["shape"].dump(),
                 item["bytes"].get<int64_t>());
  if (!options.dot.empty())
    fmt::print("wrote the graph to {} (draw it: dot -Tsvg {} -o graph.svg)\n", options.dot,
               options.dot);
}

}  // namespace

void add_info_command(CLI::App& app) {
  CLI::App* cmd = app.add_subcommand("info", "Describe an ONNX model");
  auto options = std::make_shared<InfoOptions>();
  cmd->add_option("model", options->path, "Model file (.onnx)")->required();
  cmd->add_flag("--json", options->json, "Print one JSON object");
  cmd->add_flag("--initializers", options->initializers,
                "Also list every initializer (name, type, shape, bytes)");
  cmd->add_option("--dot", options->dot, "Write the graph as Graphviz dot to FILE");
  cmd->callback([options] { show_info(*options); });
}

}  // namespace flowonnx::cli
