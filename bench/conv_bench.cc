// Micro-benchmarks of the conv paths on ResNet-34's conv shapes (batch 1):
//   BM_Conv2d        kernels::conv2d, the stateless kernel (primitive built and weights
//                    reordered on every call, activations reordered in and out);
//   BM_PreparedConv  kernels::PreparedConv as the runtime uses it: weights prepacked once,
//                    blocked activations in and out, bias + ReLU fused; direct or Winograd
//                    (oneDNN's on AVX-512, ours on AVX2 where winograd_output_tile says so,
//                    else direct);
//   BM_WinogradConv  our AVX2 Winograd kernel alone (winograd_conv.h), F(4x4,3x3) or F(2x2,3x3),
//                    same fusion, on every 3x3 stride-1 shape, to measure winograd_output_tile.
// A second template argument (Copies) cycles through that many copies of the weights, so that
// they come from memory as in a model instead of staying in the L3.
// Args: in channels, out channels, input size, kernel, stride, threads, batch.
//   cmake -S . -B build-bench -DFLOWONNX_BUILD_BENCH=ON && cmake --build build-bench --target
//   conv_bench build-bench/bench/conv_bench --benchmark_filter=PreparedConv
#include <benchmark/benchmark.h>

#include <memory>
#include <vector>

#include "kernels/cpu/blocked_layout.h"
#include "kernels/cpu/conv.h"
#include "kernels/cpu/conv_prepared.h"
#include "kernels/cpu/threading.h"
#include "kernels/cpu/winograd_conv.h"
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
  const int64_t batch = state.range(6);
  ConvCase conv{randn({batch, c, size, size}, gen), randn({o, c, k, k}, gen), randn({o}, gen),
                {}};
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

// Copies > 1: that many convs with their own weights run in turn, so that each finds its weights
// evicted from the caches by the others, as in a whole model (ResNet-50 streams ~100 MB of
// weights per run through a 32 MB L3); Copies = 1 measures them hot.
template <kernels::ConvAlgorithm Algorithm, int Copies = 1>
void BM_PreparedConv(benchmark::State& state) {
  ConvCase conv = make_case(state);
  kernels::ConvPostOps post_ops;
  post_ops.pre.kind = kernels::ConvActivation::Kind::Relu;
  std::vector<std::unique_ptr<kernels::PreparedConv>> convs;
  for (int i = 0; i < Copies; ++i) {
    convs.push_back(std::make_unique<kernels::PreparedConv>(conv.w.clone(), conv.bias, 1,
                                                            post_ops, Algorithm));
    convs.back()->prepare(conv.x.shape(), conv.params);
  }
  Tensor y(convs[0]->output_shape(conv.x.shape(), conv.params));
  state.SetLabel(convs[0]->implementation(conv.x.shape(), conv.params));
  int next = 0;
  for (auto _ : state) {
    convs[next]->run(conv.x, conv.params, nullptr, y);
    next = (next + 1) % Copies;
  }
  set_flops(state, y.shape(), state.range(0), state.range(3));
}

// OutputTile 4: F(4x4,3x3), 2: F(2x2,3x3). Copies as for BM_PreparedConv.
template <int OutputTile, int Copies = 1>
void BM_WinogradConv(benchmark::State& state) {
  ConvCase conv = make_case(state);
  kernels::ConvPostOps post_ops;
  post_ops.pre.kind = kernels::ConvActivation::Kind::Relu;
  std::vector<std::unique_ptr<kernels::WinogradConv>> convs;
  for (int i = 0; i < Copies; ++i)
    convs.push_back(
        std::make_unique<kernels::WinogradConv>(conv.w, conv.bias, post_ops, OutputTile));
  Tensor y(kernels::conv2d_output_shape(conv.x.shape(), conv.w.shape(), conv.params));
  state.SetLabel(convs[0]->implementation());
  // The kernel reads nChw8c; timing does not depend on the values, so x is used as is.
  int next = 0;
  for (auto _ : state) {
    convs[next]->run(conv.x, conv.params, nullptr, y);
    next = (next + 1) % Copies;
  }
  set_flops(state, y.shape(), state.range(0), state.range(3));
}

// ResNet-34's distinct conv shapes: stem, the four stages' 3x3s, their stride-2 entries and the
// 1x1 downsamples; each at 1 and 2 threads, batch 1.
void resnet34_shapes(benchmark::internal::Benchmark* bench) {
  bench->ArgNames({"C", "O", "HW", "k", "s", "threads", "N"});
  for (int64_t threads : {1, 2}) {
    bench->Args({3, 64, 224, 7, 2, threads, 1});
    for (int64_t stage = 0; stage < 4; ++stage) {
      const int64_t channels = 64 << stage, size = 56 >> stage;
      bench->Args({channels, channels, size, 3, 1, threads, 1});
      if (stage > 0) {
        bench->Args({channels / 2, channels, size * 2, 3, 2, threads, 1});
        bench->Args({channels / 2, channels, size * 2, 1, 2, threads, 1});
      }
    }
  }
  bench->Unit(benchmark::kMicrosecond)->UseRealTime();
}

// The 3x3 stride-1 shapes of ResNet-18/34/50 (C = O = 64..512 at 56..7), batch 1, 2 and 8
// (batch 2 puts the 7x7 layer between the 4 tiles that lose and the 32 that win).
void winograd_shapes(benchmark::internal::Benchmark* bench) {
  bench->ArgNames({"C", "O", "HW", "k", "s", "threads", "N"});
  for (int64_t batch : {1, 2, 8})
    for (int64_t threads : {1, 2})
      for (int64_t stage = 0; stage < 4; ++stage)
        bench->Args({64 << stage, 64 << stage, 56 >> stage, 3, 1, threads, batch});
  // CPU time of the whole process (all threads): on a shared, loaded machine it tracks the work
  // done better than real time (run with OMP_WAIT_POLICY=PASSIVE so waiting is not counted).
  bench->Unit(benchmark::kMicrosecond)->UseRealTime()->MeasureProcessCPUTime();
}

BENCHMARK(BM_Conv2d)->Apply(resnet34_shapes);
BENCHMARK_TEMPLATE(BM_PreparedConv, kernels::ConvAlgorithm::Direct)->Apply(resnet34_shapes);
BENCHMARK_TEMPLATE(BM_PreparedConv, kernels::ConvAlgorithm::WinogradWhereAvailable)
    ->Apply(resnet34_shapes);
BENCHMARK_TEMPLATE(BM_PreparedConv, kernels::ConvAlgorithm::Direct)->Apply(winograd_shapes);
BENCHMARK_TEMPLATE(BM_WinogradConv, 4)->Apply(winograd_shapes);
BENCHMARK_TEMPLATE(BM_WinogradConv, 3)->Apply(winograd_shapes);
BENCHMARK_TEMPLATE(BM_WinogradConv, 2)->Apply(winograd_shapes);
BENCHMARK_TEMPLATE(BM_PreparedConv, kernels::ConvAlgorithm::Direct, 12)->Apply(winograd_shapes);
BENCHMARK_TEMPLATE(BM_WinogradConv, 4, 12)->Apply(winograd_shapes);
BENCHMARK_TEMPLATE(BM_WinogradConv, 3, 12)->Apply(winograd_shapes);
BENCHMARK_TEMPLATE(BM_WinogradConv, 2, 12)->Apply(winograd_shapes);

}  // namespace
}  // namespace flowonnx
