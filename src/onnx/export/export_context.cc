#include "onnx/export/export_context.h"

#include <fmt/format.h>

namespace flowonnx::exporter {

const Tensor* ExportContext::constant(const std::string& value) const {
  return target_.is_initializer(value) ? &target_.initializer(value) : nullptr;
}

bool ExportContext::same_size(const std::string& a, size_t dim_a, const std::string& b, size_t dim_b) const {
  if (dynamic_dims_ != nullptr) return dynamic_dims_->same_size(a, dim_a, b, dim_b);
  Shape shape_a = shape(a), shape_b = shape(b);
  return dim_a < shape_a.size() && dim_b < shape_b.size() && shape_a[dim_a] == shape_b[dim_b];
}

std::string ExportContext::emit(const std::string& op_type, const std::vector<std::string>& inputs,
                                const ir::Attributes& attrs, std::vector<std::string> outputs) {
  FLOWONNX_CHECK(current_ != nullptr, "emit outside a handler");
  if (outputs.empty()) outputs.push_back(target_.unique_name(fmt::format("{}/{}_{}", current_->name, op_type, emitted_)));
  ir::Node node;
  node.name = emitted_ == 0 ? current_->name : fmt::format("{}/{}_{}", current_->name, op_type, emitted_);
  node.op_type = op_type;
  node.inputs = inputs;
  node.outputs = outputs;
  node.attrs = attrs;
  ++emitted_;
  target_.add_node(std::move(node));
  return outputs[0];
}

std::string ExportContext::add_constant(const std::string& base, Tensor tensor) {
  std::string name = target_.unique_name(base);
  target_.set_initializer(name, std::move(tensor));
  return name;
}

std::string ExportContext::add_int64s(const std::string& base, const std::vector<int64_t>& values) {
  return add_constant(base, Tensor::from_vector<int64_t>({static_cast<int64_t>(values.size())}, values));
}

std::string ExportContext::emit_reduce(const std::string& op_type, const std::string& input,
                                       const std::vector<int64_t>& axes, bool keepdims,
                                       std::vector<std::string> outputs) {
  const int axes_input_from = op_type == "ReduceSum" ? 13 : 18;
  const ir::Attributes keep{{"keepdims", int64_t{keepdims}}};
  if (opset() < axes_input_from) {
    ir::Attributes attrs = keep;
    attrs.set("axes", axes);
    return emit(op_type, {input}, attrs, std::move(outputs));
  }
  const std::string base = current_ ? current_->name + "/axes" : std::string("axes");
  return emit(op_type, {input, add_int64s(base, axes)}, keep, std::move(outputs));
}

}  // namespace flowonnx::exporter
