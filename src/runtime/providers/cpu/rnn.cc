// The recurrent ops RNN, GRU and LSTM (float32; activations without alpha/beta parameters).
#include <variant>

#include "kernels/cpu/rnn.h"
#include "runtime/providers/cpu/cpu_kernels.h"

namespace flowonnx::runtime::cpu {

namespace {

using kernels::RnnActivation;
using kernels::RnnKind;

template <RnnKind Kind>
ComputeFn make_rnn(const KernelInit& init) {
  kernels::RnnParams params;
  params.kind = Kind;
  const std::string direction = init.attr_string("direction", "forward");
  if (direction == "forward") params.direction = kernels::RnnDirection::Forward;
  else if (direction == "reverse") params.direction = kernels::RnnDirection::Reverse;
  else if (direction == "bidirectional") params.direction = kernels::RnnDirection::Bidirectional;
  else
    init.fail_model("direction must be forward, reverse or bidirectional, got '" + direction +
                    "'");
  const int64_t dirs = kernels::rnn_num_directions(params.direction);
  params.hidden_size = init.attr_int("hidden_size", 0);  // 0: taken from R at run time
  if (params.hidden_size < 0) init.fail_model("hidden_size must be positive");
  params.layout = init.attr_int("layout", 0);
  if (params.layout != 0 && params.layout != 1) init.fail_model("layout must be 0 or 1");
  params.clip = init.has_attr("clip") ? static_cast<float>(init.attr_float("clip", 0.0)) : 0.0f;
  if (init.has_attr("clip") && params.clip <= 0.0f) init.fail_model("clip must be positive");
  params.linear_before_reset = init.attr_int("linear_before_reset", 0) != 0;
  params.input_forget = init.attr_int("input_forget", 0) != 0;
  const std::string op = init.node().op_type;
  const std::string node_name = init.node().name;
  if (init.has_attr("activation_alpha") || init.has_attr("activation_beta"))
    fail(ErrorCode::NotImplemented,
         "{} node '{}': activation_alpha / activation_beta are not supported", op, node_name);
  if (init.has_attr("activations")) {
    const size_t per_dir = Kind == RnnKind::Rnn ? 1 : Kind == RnnKind::Gru ? 2 : 3;
    const auto* names =
        std::get_if<std::vector<std::string>>(&init.node().attrs.get("activations"));
    if (!names) init.fail_model("activations must be a list of strings");
    for (const std::string& name : *names) {
      if (name == "Sigmoid") params.activations.push_back(RnnActivation::Sigmoid);
      else if (name == "Tanh") params.activations.push_back(RnnActivation::Tanh);
      else if (name == "Relu") params.activations.push_back(RnnActivation::Relu);
      else if (name == "Softsign") params.activations.push_back(RnnActivation::Softsign);
      else if (name == "Softplus") params.activations.push_back(RnnActivation::Softplus);
      else
        fail(ErrorCode::NotImplemented, "{} node '{}': activation '{}' is not supported", op,
             node_name, name);
    }
    if (params.activations.size() != per_dir * dirs)
      init.fail_model("expected " + std::to_string(per_dir * dirs) + " activations, got " +
                      std::to_string(params.activations.size()));
  } else {
    params.activations = kernels::rnn_default_activations(Kind, dirs);
  }
  const bool want_y = init.has_output(0), want_h = init.has_output(1);
  const bool want_c = Kind == RnnKind::Lstm && init.has_output(2);
  return [params, want_y, want_h, want_c](KernelContext& ctx) {
    kernels::RnnInputs in;
    in.x = &ctx.input(0);
    in.w = &ctx.input(1);
    in.r = &ctx.input(2);
    auto optional = [&](size_t i) { return ctx.has_input(i) ? &ctx.input(i) : nullptr; };
    in.b = optional(3);
    in.sequence_lens = optional(4);
    in.initial_h = optional(5);
    if (Kind == RnnKind::Lstm) {
      in.initial_c = optional(6);
      in.p = optional(7);
    }
    kernels::RnnParams p = params;
    if (p.hidden_size == 0) {
      FLOWONNX_REQUIRE(in.r->rank() == 3, "RNN: R must be 3-d, got {}", in.r->describe());
      p.hidden_size = in.r->dim(2);
    }
    const Shape& xs = in.x->shape();
    Tensor* y =
        want_y ? &ctx.allocate_output(0, kernels::rnn_y_shape(p, xs), DType::Float32) : nullptr;
    const Shape state = kernels::rnn_state_shape(p, xs);
    Tensor* y_h = want_h ? &ctx.allocate_output(1, state, DType::Float32) : nullptr;
    Tensor* y_c = want_c ? &ctx.allocate_output(2, state, DType::Float32) : nullptr;
    kernels::rnn(p, in, y, y_h, y_c);
  };
}

}  // namespace

void register_rnn_kernels(KernelRegistry& r) {
  r.add("", "RNN", make_rnn<RnnKind::Rnn>);
  r.add("", "GRU", make_rnn<RnnKind::Gru>);
  r.add("", "LSTM", make_rnn<RnnKind::Lstm>);
}

}  // namespace flowonnx::runtime::cpu
