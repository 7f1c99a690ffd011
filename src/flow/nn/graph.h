// nn::Graph: a static graph built from eager modules, as oneflow.nn.Graph. Subclass it, register
// the modules it uses, implement build(); compile(sample_inputs) runs build() once under a
// tracer and records every framework op into a "flow"-domain IR graph whose parameters are
// named initializers. Names follow the tutorial: inputs "_<Name>_<k>-input_<i>/out", outputs
// "_<Name>_<k>-output_<i>/out", initializers "model.conv1.weight/out" (k counts instances of
// the same graph class name in this process).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "flow/nn/module.h"
#include "ir/graph.h"

namespace flowonnx::nn {

struct GraphOptions {
  // Override the tutorial names of graph inputs / outputs (empty = keep them).
  std::vector<std::string> input_names;
  std::vector<std::string> output_names;
};

class Graph {
 public:
  explicit Graph(const std::string& class_name, GraphOptions options = {});
  virtual ~Graph() = default;
  Graph(const Graph&) = delete;
  Graph& operator=(const Graph&) = delete;

  virtual std::vector<Tensor> build(const std::vector<Tensor>& inputs) = 0;

  // Traces build() on the sample inputs with every registered module in eval mode (dropout
  // gone, batch norm on running statistics); modules get their previous mode back afterwards.
  void compile(const std::vector<Tensor>& sample_inputs);
  bool is_compiled() const { return compiled_ != nullptr; }
  // The traced flow-domain graph; throws InvalidArgument before compile().
  const ir::Graph& ir_graph() const;

  // Runs the compiled graph (not build()) on new inputs; same dtypes and ranks as the samples,
  // any sizes the ops accept.
  std::vector<Tensor> run(const std::vector<Tensor>& inputs) const;

  // "ResNet34Graph_0"
  const std::string& name() const { return name_; }
  // Parameters and buffers of the registered modules, "model.conv1.weight" style.
  StateDict state_dict() const;

 protected:
  template <typename M>
  std::shared_ptr<M> register_module(const std::string& name, std::shared_ptr<M> module) {
    modules_.emplace_back(name, module);
    return module;
  }

 private:
  std::string name_;
  GraphOptions options_;
  std::vector<std::pair<std::string, std::shared_ptr<Module>>> modules_;
  std::unique_ptr<ir::Graph> compiled_;
};

// The tutorial's graph class for any one-input module: registers it as "model" and returns
// model(x) from build(), e.g. ModuleGraph("ResNet34Graph", resnet34()).
class ModuleGraph : public Graph {
 public:
  ModuleGraph(const std::string& class_name, std::shared_ptr<Module> model, GraphOptions options = {})
      : Graph(class_name, std::move(options)), model(register_module("model", std::move(model))) {}
  std::vector<Tensor> build(const std::vector<Tensor>& inputs) override {
    FLOWONNX_REQUIRE(inputs.size() == 1, "{}: expected 1 input, got {}", name(), inputs.size());
    return {model->forward(inputs[0])};
  }
  std::shared_ptr<Module> model;
};

}  // namespace flowonnx::nn
