// Micro-benchmarks of the conv paths on ResNet-34's conv shapes (batch 1):
//   BM_Conv2d        kernels::conv2d, the stateless kernel (primitive built and weights
//                    reordered on every call, activations reordered in and out);
//   BM_PreparedConv  kernels::PreparedConv as the runtime uses it: weights prepacked once,
//                    blocked activations in and out, bias + ReLU fused; direct or Winograd
//                    (where oneDNN has a kernel for this CPU, else the same direct kernel).
// Args: in channels, out channels, input size, kernel, stride, threads.
//   cmake -S . -B build-bench -DFLOWONNX_BUILD_BENCH=ON && cmake --build build-bench --target
//   conv_bench build-bench/bench/conv_bench --benchmark_filter=PreparedConv
#include <benchmark/benchmark.h>

#include "kernels/cpu/blocked_layout.h"
#include "kernels/cpu/conv.h"
#include "kernels/cpu/conv_prepared.h"
#include "kernels/cpu/threading.h"
#include "tensor/random.h"

namespace flowonnx {
namespace {

struct ConvCase {
  Tensor x, w, bias;
  kernels::Conv2dParams params;
};

ConvCase make_case(const benchmark::State& state) {
  const int64_t c = state.range(0), o = state.range(1), size = state.range(2), k = state.range(3),
                stride = state.range(4);
  kernels::set_num_threads(static_cast<int>(state.range(5)));
  Generator gen(1);
  ConvCase conv{randn({1, c, size, size}, gen), randn({o, c, k, k}, gen), randn({o}, gen), {}};
  conv.params.strides = {stride, stride};
  conv.params.pads_begin = {k / 2, k / 2};
  conv.params.pads_end = {k / 2, k / 2};
  return conv;
}

void set_flops(benchmark::State& state, const Shape& y, int64_t c, int64_t k) {
  const double flops = 2.0 * static_cast<double>(num_elements(y)) * static_cast<double>(c * k * k);
  state.counters["GFLOP/s"] = benchmark::Counter(
      flops, benchmark::Counter::kIsIterationInvariantRate, benchmark::Counter::kIs1000);
}

void BM_Conv2d(benchmark::State& state) {
  ConvCase conv = make_case(state);
  Tensor y(kernels::conv2d_output_shape(conv.x.shape(), conv.w.shape(), conv.params));
  for (auto _ : state) kernels::conv2d(conv.x, conv.w, conv.bias, conv.params, y);
  set_flops(state, y.shape(), state.range(0), state.range(3));
}

template <kernels::ConvAlgorithm Algorithm>
void BM_PreparedConv(benchmark::State& state) {
  ConvCase conv = make_case(state);
  kernels::ConvPostOps post_ops;
  post_ops.pre.kind = kernels::ConvActivation::Kind::Relu;
  kernels::PreparedConv prepared(conv.w, conv.bias, 1, post_ops, Algorithm);
  Tensor y(prepared.output_shape(conv.x.shape(), conv.params));
  prepared.prepare(conv.x.shape(), conv.params);
  state.SetLabel(prepared.implementation(conv.x.shape(), conv.params));
  for (auto _ : state) prepared.run(conv.x, conv.params, nullptr, y);
  set_flops(state, y.shape(), state.range(0), state.range(3));
}

// ResNet-34's distinct conv shapes: stem, the four stages' 3x3s, their stride-2 entries and the
// 1x1 downsamples; each at 1 and 2 threads.
void resnet34_shapes(benchmark::internal::Benchmark* bench) {
  bench->ArgNames({"C", "O", "HW", "k", "s", "threads"});
  for (int64_t threads : {1, 2}) {
    bench->Args({3, 64, 224, 7, 2, threads});
    for (int64_t stage = 0; stage < 4; ++stage) {
      const int64_t channels = 64 << stage, size = 56 >> stage;
      bench->Args({channels, channels, size, 3, 1, threads});
      if (stage > 0) {
        bench->Args({channels / 2, channels, size * 2, 3, 2, threads});
        bench->Args({channels / 2, channels, size * 2, 1, 2, threads});
      }
    }
  }
  bench->Unit(benchmark::kMicrosecond)->UseRealTime();
}

BENCHMARK(BM_Conv2d)->Apply(resnet34_shapes);
BENCHMARK_TEMPLATE(BM_PreparedConv, kernels::ConvAlgorithm::Direct)->Apply(resnet34_shapes);
BENCHMARK_TEMPLATE(BM_PreparedConv, kernels::ConvAlgorithm::WinogradWhereAvailable)
    ->Apply(resnet34_shapes);

}  // namespace
}  // namespace flowonnx
