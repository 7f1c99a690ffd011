// Training-style losses that exported models and the ONNX tests carry: NegativeLogLikelihoodLoss
// and SoftmaxCrossEntropyLoss (log-softmax over the class axis, then the same NLL), both with
// reduction none/sum/mean, optional class weights and ignore_index.
#include "kernels/cpu/loss.h"

#include "runtime/providers/cpu/cpu_kernels.h"

namespace flowonnx::runtime::cpu {

namespace {

kernels::NllLossParams parse_nll_params(const KernelInit& init) {
  kernels::NllLossParams params;
  try {
    params.reduction = kernels::parse_loss_reduction(init.attr_string("reduction", "mean"));
  } catch (const Error& error) {
    init.fail_model(error.what());
  }
  if (init.has_attr("ignore_index")) params.ignore_index = init.attr_int("ignore_index", 0);
  return params;
}

ComputeFn make_nll_loss(const KernelInit& init) {
  const kernels::NllLossParams params = parse_nll_params(init);
  return [params](KernelContext& ctx) {
    const Tensor& input = ctx.input(0);
    const Tensor& target = ctx.input(1);
    const Tensor weight = ctx.has_input(2) ? ctx.input(2) : Tensor();
    Tensor& y =
        ctx.allocate_output(0, kernels::nll_loss_shape(target, params.reduction), input.dtype());
    kernels::nll_loss(input, target, weight, params, y);
  };
}

ComputeFn make_softmax_cross_entropy(const KernelInit& init) {
  const kernels::NllLossParams params = parse_nll_params(init);
  const bool want_log_prob = init.has_output(1);
  return [params, want_log_prob](KernelContext& ctx) {
    const Tensor& scores = ctx.input(0);
    const Tensor& labels = ctx.input(1);
    const Tensor weight = ctx.has_input(2) ? ctx.input(2) : Tensor();
    Tensor log_prob = want_log_prob ? ctx.allocate_output(1, scores.shape(), scores.dtype())
                                    : Tensor(scores.shape(), scores.dtype());
    kernels::log_softmax_axis1(scores, log_prob);
    Tensor& y =
        ctx.allocate_output(0, kernels::nll_loss_shape(labels, params.reduction), scores.dtype());
    kernels::nll_loss(log_prob, labels, weight, params, y);
  };
}

// The loss: input 0's dtype; the target's shape for reduction none, else a scalar.
std::optional<ir::ValueType> loss_type(const TypeContext& ctx) {
  const ir::ValueType* input = ctx.input(0);
  if (!input) return std::nullopt;
  const ir::Node& node = ctx.node();
  bool none = false;
  try {
    none = node.attrs.has("reduction") && node.attrs.get_string("reduction") == "none";
  } catch (const Error&) {
    return std::nullopt;  // a malformed attribute: the kernel factory reports it
  }
  if (!none) return ir::ValueType{input->dtype, std::vector<ir::Dim>{}};
  const ir::ValueType* target = ctx.input(1);
  return ir::ValueType{input->dtype, target ? target->shape : std::nullopt};
}

}  // namespace

void register_loss_kernels(KernelRegistry& r) {
  r.add("", "NegativeLogLikelihoodLoss", make_nll_loss, loss_type);
  r.add("", "SoftmaxCrossEntropyLoss", make_softmax_cross_entropy,
        rules::per_output({loss_type, rules::same_as_input(0)}));
}

}  // namespace flowonnx::runtime::cpu
