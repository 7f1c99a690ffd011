#include "runtime/type_inference.h"

#include <set>

#include "onnx/model_io.h"
#include "runtime/kernel_registry.h"
#include "runtime/type_inference_data_movement.h"

namespace flowonnx::runtime {

namespace {

using Dims = std::vector<ir::Dim>;

// Ops whose output has input 0's type and shape.
const std::set<std::string>& same_type_ops() {
  static const std::set<std::string> ops = {
      "Relu", "LeakyRelu", "PRelu", "Sigmoid", "HardSigmoid", "HardSwish", "Tanh", "Exp", "Log",
      "Sqrt", "Reciprocal", "Neg", "Abs", "Erf", "Floor", "Ceil", "Round", "Sin", "Cos", "Tan",
      "Asin", "Acos", "Atan", "Sinh", "Cosh", "Asinh", "Acosh", "Atanh", "Softplus", "Softsign",
      "Elu", "Selu", "Celu", "ThresholdedRelu", "Sign", "Clip", "Softmax", "LogSoftmax",
      "Hardmax", "BatchNormalization", "InstanceNormalization", "LRN", "Identity", "Dropout",
      "LayerNormalization", "CumSum", "Shrink", "Mish", "MeanVarianceNormalization"};
  return ops;
}

// Ops that broadcast their inputs; the output dtype is input 0's (or bool for comparisons).
const std::set<std::string>& broadcast_ops() {
  static const std::set<std::string> ops = {"Add", "Sub", "Mul", "Div", "Pow", "Mod", "Max",
                                            "Min", "Sum", "Mean", "And", "Or", "Xor", "Equal",
                                            "Less", "Greater", "LessOrEqual", "GreaterOrEqual",
                                            "BitShift"};
  return ops;
}

const std::set<std::string>& bool_ops() {
  static const std::set<std::string> ops = {"Equal", "Less", "Greater", "LessOrEqual",
                                            "GreaterOrEqual", "And", "Or", "Xor", "Not", "IsNaN",
                                            "IsInf"};
  return ops;
}

const std::set<std::string>& int64_ops() {
  static const std::set<std::string> ops = {"Shape", "Size", "ArgMax", "ArgMin", "NonZero",
                                            "NonMaxSuppression"};
  return ops;
}

// Output dims of Conv / MaxPool / AveragePool (k == kernel dims, from the weights or the
// attribute): batch kept, channels from `channels`, spatial dims computed when static.
std::optional<Dims> window_output_dims(const ir::Node& node, const Dims& x, const ir::Dim& channels,
                                       const std::vector<int64_t>& kernel) {
  const size_t rank = x.size();
  if (rank < 3 || kernel.size() != rank - 2) return std::nullopt;
  auto ints = [&](const char* name, std::vector<int64_t> fallback) {
    return node.attrs.has(name) ? node.attrs.get_ints(name) : fallback;
  };
  const size_t spatial = rank - 2;
  const std::vector<int64_t> strides = ints("strides", std::vector<int64_t>(spatial, 1));
  const std::vector<int64_t> dilations = ints("dilations", std::vector<int64_t>(spatial, 1));
  const std::vector<int64_t> pads = ints("pads", std::vector<int64_t>(2 * spatial, 0));
  const std::string auto_pad =
      node.attrs.has("auto_pad") ? node.attrs.get_string("auto_pad") : "NOTSET";
  const bool ceil_mode = node.attrs.has("ceil_mode") && node.attrs.get_int("ceil_mode") != 0;
  if (strides.size() != spatial || dilations.size() != spatial || pads.size() != 2 * spatial)
    return std::nullopt;
  Dims out = {x[0], channels};
  for (size_t i = 0; i < spatial; ++i) {
    const ir::Dim& in = x[2 + i];
    // Absurd sizes (declared dims and attributes are the file's word) would overflow below.
    constexpr int64_t kLimit = int64_t{1} << 31;
    auto absurd = [&](int64_t v) { return v < -kLimit || v > kLimit; };
    if (!in.is_static() || strides[i] < 1 || dilations[i] < 1 || absurd(strides[i]) ||
        absurd(dilations[i]) || absurd(kernel[i]) || absurd(pads[i]) || absurd(pads[spatial + i]) ||
        in.value > (int64_t{1} << 40)) {
      out.push_back(ir::Dim{});
      continue;
    }
    const int64_t extent = (kernel[i] - 1) * dilations[i] + 1;
    int64_t size = -1;
    if (auto_pad == "SAME_UPPER" || auto_pad == "SAME_LOWER") {
      size = (in.value + strides[i] - 1) / strides[i];
    } else {
      const int64_t padded = auto_pad == "VALID" ? in.value : in.value + pads[i] + pads[spatial + i];
      const int64_t span = padded - extent;
      if (span >= 0) {
        size = (ceil_mode ? (span + strides[i] - 1) / strides[i] : span / strides[i]) + 1;
        if (ceil_mode && (size - 1) * strides[i] >= in.value + pads[i]) --size;
      }
    }
    out.push_back(size >= 0 ? ir::Dim::of(size) : ir::Dim{});
  }
  return out;
}

// Conv and the windowed pools, whose shapes the conv fusions need (residual Add checks).
std::optional<Dims> infer_window_op(const ir::Graph& graph, const ir::Node& node,
                                    const ir::ValueType& x) {
  if (!x.shape) return std::nullopt;
  try {
    if (node.op_type == "Conv") {
      if (node.inputs.size() < 2 || !graph.has_type(node.inputs[1])) return std::nullopt;
      const ir::ValueType& w = graph.type(node.inputs[1]);
      if (!w.shape || w.shape->size() != x.shape->size() || w.shape->empty()) return std::nullopt;
      std::vector<int64_t> kernel;
      for (size_t i = 2; i < w.shape->size(); ++i) {
        if (!(*w.shape)[i].is_static()) return std::nullopt;
        kernel.push_back((*w.shape)[i].value);
      }
      return window_output_dims(node, *x.shape, (*w.shape)[0], kernel);
    }
    if ((node.op_type == "MaxPool" || node.op_type == "AveragePool") &&
        node.attrs.has("kernel_shape") && x.shape->size() >= 3)
      return window_output_dims(node, *x.shape, (*x.shape)[1], node.attrs.get_ints("kernel_shape"));
    if ((node.op_type == "GlobalAveragePool" || node.op_type == "GlobalMaxPool") &&
        x.shape->size() >= 3) {
      Dims out(x.shape->begin(), x.shape->begin() + 2);
      out.resize(x.shape->size(), ir::Dim::of(1));
      return out;
    }
  } catch (const Error&) {
    // malformed attributes: the kernel factory reports them
  }
  return std::nullopt;
}

}  // namespace

void infer_types(ir::Graph& graph) {
  const KernelRegistry& registry = session_kernel_registry();
  for (const ir::Node* node : graph.topological_order()) {
    const TypeRule rule = registry.find_type_rule(node->domain, node->op_type);
    auto type_of = [&](size_t i) -> const ir::ValueType* {
      if (i >= node->inputs.size() || node->inputs[i].empty() || !graph.has_type(node->inputs[i]))
        return nullptr;
      return &graph.type(node->inputs[i]);
    };
    for (size_t k = 0; k < node->outputs.size(); ++k) {
      const std::string& out = node->outputs[k];
      if (out.empty() || graph.has_type(out)) continue;
      const std::string& op = node->op_type;
      std::optional<ir::ValueType> inferred;
      const ir::ValueType* first = type_of(0);
      if (rule) {
        inferred = rule(TypeContext(graph, *node, k));
      } else if (!node->domain.empty() && node->domain != "ai.onnx") {
        // other domains: nothing known
      } else if (k == 0 && same_type_ops().count(op) && first) {
        inferred = *first;
      } else if (k == 0 && broadcast_ops().count(op) && first) {
        std::vector<const ir::ValueType*> inputs;
        for (size_t i = 0; i < node->inputs.size(); ++i) inputs.push_back(type_of(i));
        inferred = ir::ValueType{bool_ops().count(op) ? DType::Bool : first->dtype,
                                 broadcast_dims(inputs)};
      } else if (k == 0 && (bool_ops().count(op))) {
        inferred = ir::ValueType{DType::Bool, first ? first->shape : std::nullopt};
      } else if (k == 0 && int64_ops().count(op)) {
        inferred = ir::ValueType{DType::Int64, std::nullopt};
      } else if (k == 0 && op == "Cast" && node->attrs.has("to")) {
        try {
          inferred = ir::ValueType{onnx_io::dtype_from_onnx(static_cast<int>(node->attrs.get_int("to"))),
                                   first ? first->shape : std::nullopt};
        } catch (const Error&) {
          // unsupported target dtype: the kernel factory reports it
        }
      } else if (k == 0 && op == "Where" && type_of(1)) {
        inferred = ir::ValueType{type_of(1)->dtype,
                                 broadcast_dims({type_of(0), type_of(1), type_of(2)})};
      } else if (k == 0 && op == "ConstantOfShape") {
        DType dtype = DType::Float32;
        if (node->attrs.has("value")) {
          try {
            dtype = node->attrs.get_tensor("value").dtype();
          } catch (const Error&) {
          }
        }
        inferred = ir::ValueType{dtype, std::nullopt};
      } else if (k == 1 && (op == "MaxPool" || op == "TopK")) {
        inferred = ir::ValueType{DType::Int64, first ? first->shape : std::nullopt};
        if (op == "TopK") inferred->shape = std::nullopt;
      } else if (k == 1 && op == "Dropout") {
        inferred = ir::ValueType{DType::Bool, first ? first->shape : std::nullopt};
      } else if (k == 0 && op == "QuantizeLinear") {
        // int8 / uint8 as the zero point; uint8 when it is omitted (an untyped one: unknown).
        bool omitted = node->inputs.size() < 3 || node->inputs[2].empty();
        if (omitted || type_of(2))
          inferred = ir::ValueType{omitted ? DType::UInt8 : type_of(2)->dtype, first ? first->shape : std::nullopt};
      } else if (k == 0 && op == "DequantizeLinear") {
        inferred = ir::ValueType{DType::Float32, first ? first->shape : std::nullopt};
      } else if (auto dims = first ? infer_data_movement_dims(graph, *node, k) : std::nullopt) {
        inferred = ir::ValueType{first->dtype, dims};
      } else if (k == 0 && first && infer_window_op(graph, *node, *first)) {
        inferred = ir::ValueType{first->dtype, infer_window_op(graph, *node, *first)};
      } else if (k == 0 && first) {
        // Most remaining ops (shape and data movement, pools, convs, reductions, matmul) keep
        // the dtype of their first input; the shape is left to run time.
        static const std::set<std::string> other_dtype = {
            "DynamicQuantizeLinear", "CastLike", "EyeLike", "OneHot"};
        if (!other_dtype.count(op)) inferred = ir::ValueType{first->dtype, std::nullopt};
      }
      if (inferred) graph.set_type(out, *inferred);
    }
  }
}

}  // namespace flowonnx::runtime
