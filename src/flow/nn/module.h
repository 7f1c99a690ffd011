// nn::Module: parameters, buffers and child modules with dotted names, train/eval mode and
// state-dict loading, as torch.nn.Module / oneflow.nn.Module. Parameters are Tensor handles;
// load_state_dict copies into them in place, so handles held elsewhere stay valid.
#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "flow/state_dict.h"
#include "tensor/tensor.h"

namespace flowonnx::nn {

using NamedTensors = std::vector<std::pair<std::string, Tensor>>;

class Module {
 public:
  virtual ~Module() = default;
  virtual Tensor forward(const Tensor& x) = 0;
  Tensor operator()(const Tensor& x) { return forward(x); }
  // "Conv2d", "ResNet", ...
  virtual std::string type_name() const = 0;

  // Registration order, recursing into children after a module's own tensors (PyTorch order).
  NamedTensors named_parameters() const;
  NamedTensors named_buffers() const;
  std::vector<std::pair<std::string, std::shared_ptr<Module>>> named_children() const { return children_; }
  // Parameters and buffers by dotted name (e.g. "layer1.0.bn1.running_mean").
  StateDict state_dict() const;

  // Copies every tensor of `state_dict` into the matching parameter/buffer (dtype converted).
  // Throws InvalidArgument listing every missing key, unexpected key (strict only) and shape
  // mismatch (always). A dict whose keys all share one extra leading component ({"model": ...}
  // saved from a graph) is unwrapped first. `num_batches_tracked` may be absent: it does not
  // affect inference and older OneFlow checkpoints lack it.
  void load_state_dict(const StateDict& state_dict, bool strict = true);

  void train(bool mode = true);
  void eval() { train(false); }
  bool is_training() const { return training_; }

 protected:
  // Return the registered handle (shares storage with what the module keeps).
  Tensor register_parameter(const std::string& name, Tensor tensor);
  Tensor register_buffer(const std::string& name, Tensor tensor);
  template <typename M>
  std::shared_ptr<M> register_module(const std::string& name, std::shared_ptr<M> module) {
    children_.emplace_back(name, module);
    return module;
  }

 private:
  void collect(const std::string& prefix, bool parameters, NamedTensors& out) const;

  NamedTensors parameters_;
  NamedTensors buffers_;
  std::vector<std::pair<std::string, std::shared_ptr<Module>>> children_;
  bool training_ = true;
};

}  // namespace flowonnx::nn
