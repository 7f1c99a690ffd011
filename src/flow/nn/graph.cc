#include "flow/nn/graph.h"

#include <fmt/format.h>

#include <map>
#include <mutex>
#include <set>

#include "base/logging.h"
#include "flow/dispatch.h"

namespace flowonnx::nn {
namespace {

int next_instance(const std::string& class_name) {
  static std::mutex mutex;
  static std::map<std::string, int> counters;
  std::lock_guard<std::mutex> lock(mutex);
  return counters[class_name]++;
}

// Builds the IR while build() runs: tensors are known by identity (their TensorImpl), as
// graph inputs, as parameters (named from the module tree) or as op outputs.
class GraphTracer : public flow::Tracer {
 public:
  explicit GraphTracer(ir::Graph& graph) : graph_(graph) {}

  void name_tensor(const Tensor& tensor, const std::string& value) {
    names_[tensor.identity()] = value;
    storages_.insert(tensor.storage_identity());
    keep_alive_.push_back(tensor);
  }

  void add_parameter(const std::string& key, const Tensor& tensor) {
    std::string value = key + "/out";
    name_tensor(tensor, value);
    parameters_[value] = tensor;
  }

  // The value of a tensor; a tensor first seen here (a constant made during build()) becomes an
  // initializer holding a copy of its data.
  std::string value_of(const Tensor& tensor) {
    auto found = names_.find(tensor.identity());
    if (found != names_.end()) {
      auto parameter = parameters_.find(found->second);
      if (parameter != parameters_.end() && !graph_.is_initializer(found->second))
        graph_.set_initializer(found->second, parameter->second);
      return found->second;
    }
    // A view of a traced tensor made outside the framework ops (Tensor::reshape) would be frozen
    // into a constant: refuse it.
    FLOWONNX_REQUIRE(!storages_.count(tensor.storage_identity()),
                     "{}: build() used a {} tensor derived from a traced value without a framework op "
                     "(e.g. Tensor::reshape); use functional::reshape", graph_.name, tensor.describe());
    std::string value = graph_.unique_name(fmt::format("_{}-constant_{}/out", graph_.name, constants_++));
    graph_.set_initializer(value, tensor.clone());
    name_tensor(tensor, value);
    return value;
  }

  void record(const flow::OpSchema& schema, const std::vector<Tensor>& inputs,
              const ir::Attributes& attrs, const std::vector<Tensor>& outputs) override {
    ir::Node node;
    node.name = fmt::format("{}-{}", schema.name, op_count_++);
    node.domain = "flow";
    node.op_type = schema.name;
    node.attrs = attrs;
    for (const Tensor& input : inputs) node.inputs.push_back(value_of(input));
    for (size_t i = 0; i < outputs.size(); ++i) {
      std::string value = fmt::format("{}/{}_0", node.name, schema.outputs[i]);
      graph_.set_type(value, ir::ValueType::of(outputs[i].dtype(), outputs[i].shape()));
      name_tensor(outputs[i], value);
      node.outputs.push_back(value);
    }
    graph_.add_node(std::move(node));
  }

  bool knows(const Tensor& tensor) const { return names_.count(tensor.identity()) != 0; }
  const std::string& name_of(const Tensor& tensor) const { return names_.at(tensor.identity()); }

 private:
  ir::Graph& graph_;
  std::map<const TensorImpl*, std::string> names_;
  std::map<std::string, Tensor> parameters_;
  std::set<const Storage*> storages_;
  std::vector<Tensor> keep_alive_;  // identities must not be reused while tracing
  int op_count_ = 0;
  int constants_ = 0;
};

// Renames value `from` to `to` everywhere in the graph.
void rename_value(ir::Graph& graph, const std::string& from, const std::string& to) {
  for (const auto& node : graph.nodes()) {
    for (auto& name : node->inputs)
      if (name == from) name = to;
    for (auto& name : node->outputs)
      if (name == from) name = to;
  }
  graph.set_type(to, graph.type(from));
  graph.prune_values();
}

// A traced reshape holds the sizes it saw. Run on inputs whose sizes differ from the traced ones
// (a dynamic-batch check runs other batch sizes), a target dim that kept the traced input's dim in
// place follows the current input instead, as the exported Reshape does with its 0 entries.
ir::Attributes replayed_attrs(const ir::Graph& graph, const ir::Node& node, const Tensor& input) {
  if (node.op_type != "reshape") return node.attrs;
  const ir::ValueType& traced = graph.type(node.inputs.at(0));
  if (!traced.is_static() || traced.static_shape() == input.shape()) return node.attrs;
  const Shape traced_shape = traced.static_shape();
  std::vector<int64_t> target = node.attrs.get_ints("shape");
  for (size_t d = 0; d < target.size() && d < traced_shape.size() &&
                     d < static_cast<size_t>(input.rank());
       ++d)
    if (target[d] == traced_shape[d]) target[d] = input.shape()[d];
  ir::Attributes attrs = node.attrs;
  attrs.set("shape", target);
  return attrs;
}

}  // namespace

Graph::Graph(const std::string& class_name, GraphOptions options)
    : name_(fmt::format("{}_{}", class_name, next_instance(class_name))), options_(std::move(options)) {}

StateDict Graph::state_dict() const {
  StateDict dict;
  for (const auto& [prefix, module] : modules_)
    for (const auto& [key, tensor] : module->state_dict()) dict.emplace(prefix + "." + key, tensor);
  return dict;
}

void Graph::compile(const std::vector<Tensor>& sample_inputs) {
  FLOWONNX_REQUIRE(!sample_inputs.empty(), "{}: compile needs at least one sample input", name_);
  FLOWONNX_REQUIRE(options_.input_names.empty() || options_.input_names.size() == sample_inputs.size(),
                   "{}: {} input names for {} inputs", name_, options_.input_names.size(), sample_inputs.size());
  auto graph = std::make_unique<ir::Graph>();
  graph->name = name_;
  graph->opset_imports["flow"] = 1;
  GraphTracer tracer(*graph);

  for (size_t i = 0; i < sample_inputs.size(); ++i) {
    const Tensor& input = sample_inputs[i];
    FLOWONNX_REQUIRE(input.defined(), "{}: sample input {} is undefined", name_, i);
    std::string value = options_.input_names.empty() ? fmt::format("_{}-input_{}/out", name_, i)
                                                     : options_.input_names[i];
    FLOWONNX_REQUIRE(!tracer.knows(input), "{}: sample input {} is passed twice", name_, i);
    tracer.name_tensor(input, value);
    graph->inputs.push_back(value);
    graph->set_type(value, ir::ValueType::of(input.dtype(), input.shape()));
  }
  for (const auto& [key, tensor] : state_dict()) tracer.add_parameter(key, tensor);

  std::vector<bool> modes;
  for (const auto& [prefix, module] : modules_) {
    modes.push_back(module->is_training());
    if (module->is_training())
      log_warning("{}: module '{}' is in training mode; tracing it in eval mode", name_, prefix);
    module->eval();
  }
  std::vector<Tensor> outputs;
  {
    flow::TracerGuard guard(&tracer);
    try {
      outputs = build(sample_inputs);
    } catch (...) {
      for (size_t i = 0; i < modules_.size(); ++i) modules_[i].second->train(modes[i]);
      throw;
    }
  }
  for (size_t i = 0; i < modules_.size(); ++i) modules_[i].second->train(modes[i]);

  FLOWONNX_REQUIRE(!outputs.empty(), "{}: build() returned no outputs", name_);
  FLOWONNX_REQUIRE(options_.output_names.empty() || options_.output_names.size() == outputs.size(),
                   "{}: {} output names for {} outputs", name_, options_.output_names.size(), outputs.size());
  auto producers = graph->producers();
  for (size_t i = 0; i < outputs.size(); ++i) {
    std::string wanted = options_.output_names.empty() ? fmt::format("_{}-output_{}/out", name_, i)
                                                       : options_.output_names[i];
    std::string value = tracer.value_of(outputs[i]);
    bool is_node_output = producers.count(value) != 0;
    bool already_output = std::find(graph->outputs.begin(), graph->outputs.end(), value) != graph->outputs.end();
    if (is_node_output && !already_output) {
      rename_value(*graph, value, wanted);  // the op's output takes the tutorial's name
    } else {
      // An input, a parameter or a repeated output: an identity op gives it its own name.
      ir::Node identity{fmt::format("identity-output-{}", i), "flow", "identity", {value}, {wanted}, {}};
      graph->set_type(wanted, graph->type(value));
      graph->add_node(std::move(identity));
    }
    graph->outputs.push_back(wanted);
  }
  graph->verify();
  compiled_ = std::move(graph);
}

const ir::Graph& Graph::ir_graph() const {
  FLOWONNX_REQUIRE(compiled_ != nullptr, "{}: graph is not compiled; call compile() first", name_);
  return *compiled_;
}

std::vector<Tensor> Graph::run(const std::vector<Tensor>& inputs) const {
  const ir::Graph& graph = ir_graph();
  FLOWONNX_REQUIRE(inputs.size() == graph.inputs.size(), "{}: expected {} inputs, got {}", name_,
                   graph.inputs.size(), inputs.size());
  std::map<std::string, Tensor> values(graph.initializers().begin(), graph.initializers().end());
  for (size_t i = 0; i < inputs.size(); ++i) {
    const ir::ValueType& expected = graph.type(graph.inputs[i]);
    FLOWONNX_REQUIRE(inputs[i].dtype() == expected.dtype && inputs[i].rank() == static_cast<int>(expected.shape->size()),
                     "{}: input {} ('{}') must be {} (any sizes), got {}", name_, i, graph.inputs[i],
                     expected.to_string(), inputs[i].describe());
    values[graph.inputs[i]] = inputs[i];
  }
  for (const ir::Node* node : graph.topological_order()) {
    std::vector<Tensor> node_inputs;
    for (const auto& in : node->inputs) node_inputs.push_back(values.at(in));
    std::vector<Tensor> node_outputs = flow::call_op(
        node->op_type, node_inputs,
        node_inputs.empty() ? node->attrs : replayed_attrs(graph, *node, node_inputs[0]));
    for (size_t i = 0; i < node->outputs.size(); ++i) values[node->outputs[i]] = node_outputs[i];
  }
  std::vector<Tensor> outputs;
  for (const auto& out : graph.outputs) outputs.push_back(values.at(out));
  return outputs;
}

}  // namespace flowonnx::nn
