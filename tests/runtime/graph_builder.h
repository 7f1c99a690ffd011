// A small helper that builds ONNX-domain IR models in code for runtime tests (the C++ side of
// onnx.helper.make_graph), and the error measure the runtime tests compare outputs with.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "onnx/model_io.h"

namespace flowonnx::testing {

class GraphBuilder {
 public:
  explicit GraphBuilder(int64_t opset = 13) { model_.graph.name = "test"; model_.graph.opset_imports[""] = opset; }

  GraphBuilder& input(const std::string& name, DType dtype, std::vector<ir::Dim> dims) {
    model_.graph.inputs.push_back(name);
    model_.graph.set_type(name, ir::ValueType{dtype, dims});
    return *this;
  }
  GraphBuilder& input(const std::string& name, DType dtype, const Shape& shape) {
    std::vector<ir::Dim> dims;
    for (int64_t d : shape) dims.push_back(ir::Dim::of(d));
    return input(name, dtype, dims);
  }
  GraphBuilder& output(const std::string& name) {
    model_.graph.outputs.push_back(name);
    return *this;
  }
  GraphBuilder& output(const std::string& name, DType dtype, std::vector<ir::Dim> dims) {
    model_.graph.outputs.push_back(name);
    model_.graph.set_type(name, ir::ValueType{dtype, dims});
    return *this;
  }
  GraphBuilder& initializer(const std::string& name, Tensor value) {
    model_.graph.set_initializer(name, std::move(value));
    return *this;
  }
  GraphBuilder& node(const std::string& op_type, std::vector<std::string> inputs,
                     std::vector<std::string> outputs, ir::Attributes attrs = {},
                     const std::string& domain = "") {
    ir::Node n;
    n.name = op_type + "_" + std::to_string(counter_++);
    n.domain = domain;
    n.op_type = op_type;
    n.inputs = std::move(inputs);
    n.outputs = std::move(outputs);
    n.attrs = std::move(attrs);
    model_.graph.add_node(std::move(n));
    return *this;
  }
  onnx_io::Model build() { return std::move(model_); }

 private:
  onnx_io::Model model_;
  int counter_ = 0;
};

// max |actual - expected| / (1 + |expected|): absolute near zero, relative for large values.
inline double max_relative_error(const Tensor& actual, const Tensor& expected) {
  EXPECT_EQ(actual.shape(), expected.shape());
  auto a = actual.to_double_vector(), e = expected.to_double_vector();
  double worst = 0;
  for (size_t i = 0; i < a.size() && i < e.size(); ++i)
    worst = std::max(worst, std::abs(a[i] - e[i]) / (1 + std::abs(e[i])));
  return worst;
}

}  // namespace flowonnx::testing
