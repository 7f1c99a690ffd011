// Winograd F(4x4,3x3), F(3x3,3x3) and F(2x2,3x3) on AVX2+FMA (one template, F = winograd::F43,
// F33 or F23). The output is cut into 4x4 (3x3, 2x2) tiles, each reading a 6x6 (5x5, 4x4) input
// patch. Work items (a chunk of tiles x a range of output panels, see run()) each do, with
// P = 36 (25, 16) points:
//   1. input transform  V[t][a][c] = (B^T d_t,c B)[a]          a < P points, t < chunk tiles
//   2. P GEMMs          M[t][a][o] = sum_c V[t][a][c] U[a][c][o]
//   3. output transform y_t,o = A^T M[t][.][o] A, then bias, pre activation, sum, post activation
// V and M keep a tile's points together (not a point's tiles): the transforms then touch one
// small region per tile instead of 36 far apart (this halved their cost); the GEMMs just read
// rows with a larger stride. Channels are the vector lanes everywhere (8 per ymm, as nChw8c).
#include "kernels/cpu/winograd_conv.h"

#include <immintrin.h>
#include <omp.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <cstring>

#include "base/error.h"
#include "kernels/cpu/vector_math.h"
#include "kernels/cpu/winograd_transforms.h"

namespace flowonnx::kernels {

namespace {

constexpr int64_t kLanes = 8;             // channels per ymm = the nChw8c block
constexpr int64_t kPanel = 16;            // output channels per GEMM panel (2 ymm)
constexpr int64_t kGemmTiles = 6;         // tiles per micro-kernel call: 6 x 2 = 12 accumulators
constexpr int64_t kMinChunk = 36;         // fewer tiles per chunk would stream U too often
constexpr int64_t kChunkBytes = 1 << 20;  // V + M of one chunk: within L2

// U layout: for point a and panel p (output channels 16p.., width 16, or 8 for a last odd 8),
// a row of `width` floats per input channel c: U + a*C*O + 16p*C + c*width + k.
int64_t panel_width(int64_t out_channels, int64_t panel) {
  return std::min(kPanel, out_channels - panel * kPanel);
}

// Floats from one tile's points in V (or M) to the next tile's: P rows of `channels` plus one
// cache line. Without that line the stride is a multiple of 4 KiB in ResNets (16 * 256 * 4
// bytes...), so the 6 rows a GEMM block reads at once, and the M rows it stores, all fall into
// one L1 set (and alias each other's addresses): the line made ResNet-34 4% faster at 1 thread
// and 3-4% at 2 (in-process A/B; ResNet-18/50 2 threads 1-2%).
template <typename F>
int64_t tile_stride(int64_t channels) {
  return F::kPoints * channels + 16;
}

// A share of the U block the caller reads next, pulled into the cache while this one computes:
// one 64-byte line every `every` channels, from `next` on, `step` floats apart. U comes from
// memory in a model (it does not stay in the L3 between runs), and this overlaps the next
// block's misses with this block's arithmetic.
struct Prefetch {
  const float* next = nullptr;
  int64_t every = 1, step = 16;
};

// M[t][0..Width*8) = sum_c V[t][c] * U[c][0..Width*8) for Tiles rows of V (stride v_stride).
template <int Tiles, int Width>
void gemm_block(const float* v, int64_t v_stride, const float* u, int64_t channels, float* m,
                int64_t m_stride, Prefetch prefetch) {
  // Fully unrolled so that GCC keeps the accumulators in registers (a rolled loop over the
  // array spills them to the stack on every channel: 2.5x slower).
  __m256 acc[Tiles][Width];
#pragma GCC unroll 8
  for (int t = 0; t < Tiles; ++t)
#pragma GCC unroll 2
    for (int w = 0; w < Width; ++w) acc[t][w] = _mm256_setzero_ps();
  int64_t countdown = 0;
  for (int64_t c = 0; c < channels; ++c) {
    if (prefetch.next && countdown-- == 0) {
      _mm_prefetch(reinterpret_cast<const char*>(prefetch.next), _MM_HINT_T0);
      prefetch.next += prefetch.step;
      countdown = prefetch.every - 1;
    }
    __m256 col[Width];
#pragma GCC unroll 2
    for (int w = 0; w < Width; ++w) col[w] = _mm256_loadu_ps(u + c * Width * kLanes + w * kLanes);
#pragma GCC unroll 8
    for (int t = 0; t < Tiles; ++t) {
      const __m256 row = _mm256_broadcast_ss(v + t * v_stride + c);
#pragma GCC unroll 2
      for (int w = 0; w < Width; ++w) acc[t][w] = _mm256_fmadd_ps(row, col[w], acc[t][w]);
    }
  }
#pragma GCC unroll 8
  for (int t = 0; t < Tiles; ++t)
#pragma GCC unroll 2
    for (int w = 0; w < Width; ++w) _mm256_storeu_ps(m + t * m_stride + w * kLanes, acc[t][w]);
}

// One block of `rows` (< kGemmTiles) rows.
template <int Width>
void gemm_rest(int64_t rows, const float* v, int64_t v_stride, const float* u, int64_t channels,
               float* m, int64_t m_stride, Prefetch next) {
  switch (rows) {
    case 1:
      return gemm_block<1, Width>(v, v_stride, u, channels, m, m_stride, next);
    case 2:
      return gemm_block<2, Width>(v, v_stride, u, channels, m, m_stride, next);
    case 3:
      return gemm_block<3, Width>(v, v_stride, u, channels, m, m_stride, next);
    case 4:
      return gemm_block<4, Width>(v, v_stride, u, channels, m, m_stride, next);
    case 5:
      return gemm_block<5, Width>(v, v_stride, u, channels, m, m_stride, next);
    default:
      return;
  }
}

// All `tiles` rows, prefetching the U block at `next` (see Prefetch). A remainder of 1 or
// 2 rows after full blocks is merged with the last full block into two blocks of 3-4 rows: a
// 1-row block loads U once per 2 FMAs instead of once per 6 (the 49-tile layers split into
// chunks of 25 and 24 tiles have one).
template <int Width>
void gemm_rows(int64_t tiles, const float* v, int64_t v_stride, const float* u, int64_t channels,
               float* m, int64_t m_stride, const float* next) {
  const int64_t rest = tiles % kGemmTiles;
  const int64_t merged = tiles > kGemmTiles && rest > 0 && rest < 3 ? kGemmTiles + rest : rest;
  const int64_t first = merged > kGemmTiles ? merged / 2 : merged;
  const int64_t blocks = (tiles - merged) / kGemmTiles + (first > 0) + (merged - first > 0);
  // Row block b prefetches lines b, b + blocks, b + 2 blocks... of `next`, evenly over its
  // channels, so the next U block streams in at a steady rate while this one computes (all of
  // it from the first row block, as a burst, was 1.5-3% slower end to end: in-process A/B on
  // ResNet-18/34/50, 2 threads; _MM_HINT_T1 instead of T0 made no difference).
  int64_t block = 0;
  auto share = [&] {
    Prefetch p;
    p.next = next ? next + block++ * 16 : nullptr;
    p.every = blocks * 2 / Width;  // U has Width / 2 lines per channel
    p.step = blocks * 16;
    return p;
  };
  int64_t t = 0;
  for (; t + merged < tiles; t += kGemmTiles)
    gemm_block<kGemmTiles, Width>(v + t * v_stride, v_stride, u, channels, m + t * m_stride,
                                  m_stride, share());
  gemm_rest<Width>(first, v + t * v_stride, v_stride, u, channels, m + t * m_stride, m_stride,
                   share());
  t += first;
  gemm_rest<Width>(merged - first, v + t * v_stride, v_stride, u, channels, m + t * m_stride,
                   m_stride, share());
}

__m256 activate(__m256 value, const ConvActivation& activation) {
  switch (activation.kind) {
    case ConvActivation::Kind::None:
      return value;
    case ConvActivation::Kind::Relu:
      return _mm256_max_ps(value, _mm256_setzero_ps());
    case ConvActivation::Kind::Clip:
      return _mm256_min_ps(_mm256_max_ps(value, _mm256_set1_ps(activation.min)),
                           _mm256_set1_ps(activation.max));
    case ConvActivation::Kind::Sigmoid:
      return vec::sigmoid_ps(value);
    case ConvActivation::Kind::Swish:
      return _mm256_mul_ps(value, vec::sigmoid_ps(value));
    case ConvActivation::Kind::HardSwish: {
      const __m256 gate = _mm256_fmadd_ps(value, _mm256_set1_ps(1.0f / 6), _mm256_set1_ps(0.5f));
      return _mm256_mul_ps(
          value, _mm256_min_ps(_mm256_max_ps(gate, _mm256_setzero_ps()), _mm256_set1_ps(1.0f)));
    }
  }
  return value;
}

// Per-thread scratch for V and M, grown on demand and kept: no allocation in the steady state.
// Each OpenMP thread (the caller and the workers of its team) has its own. Returns nullptr when
// the allocation fails (it runs inside a parallel region, which an exception must not leave).
float* thread_scratch(size_t floats) {
  struct Free {
    void operator()(float* p) const { std::free(p); }
  };
  thread_local std::unique_ptr<float, Free> buffer;
  thread_local size_t capacity = 0;
  if (capacity < floats) {
    const size_t bytes = (floats * sizeof(float) + 63) / 64 * 64;
    buffer.reset(static_cast<float*>(std::aligned_alloc(64, bytes)));
    capacity = buffer ? floats : 0;
  }
  return buffer.get();
}

// The geometry of one run.
struct Geometry {
  int64_t batch, in_blocks, out_blocks, height, width, out_h, out_w;
  int64_t pad_top, pad_left, tiles_h, tiles_w;
  int64_t tiles_per_image() const { return tiles_h * tiles_w; }
};

// Phase 1 for tile `tile` (global index) and input channel block `block`: writes the P points
// to v[local * tile_stride + a * C + 8 block]. Input outside the image (padding) reads as zero.
template <typename F>
void transform_input(const Geometry& g, const float* x, int64_t tile, int64_t block, float* v,
                     int64_t local, int64_t channels) {
  const int64_t n = tile / g.tiles_per_image(), rest = tile % g.tiles_per_image();
  const int64_t top = rest / g.tiles_w * F::kTile - g.pad_top;
  const int64_t left = rest % g.tiles_w * F::kTile - g.pad_left;
  const float* plane = x + (n * g.in_blocks + block) * g.height * g.width * kLanes;
  constexpr int alpha = F::kAlpha;
  alignas(32) __m256 patch[F::kPoints];
  if (top >= 0 && left >= 0 && top + alpha <= g.height && left + alpha <= g.width) {
    const float* corner = plane + (top * g.width + left) * kLanes;  // interior: no checks
    for (int i = 0; i < alpha; ++i)
      for (int j = 0; j < alpha; ++j)
        patch[i * alpha + j] = _mm256_loadu_ps(corner + (i * g.width + j) * kLanes);
  } else {
    for (int i = 0; i < alpha; ++i) {
      const int64_t row = top + i;
      const bool row_inside = row >= 0 && row < g.height;
      for (int j = 0; j < alpha; ++j) {
        const int64_t column = left + j;
        patch[i * alpha + j] = row_inside && column >= 0 && column < g.width
                                   ? _mm256_loadu_ps(plane + (row * g.width + column) * kLanes)
                                   : _mm256_setzero_ps();
      }
    }
  }
  alignas(32) __m256 points[F::kPoints];
  winograd::input_tile<F>(patch, points);
  float* out = v + local * tile_stride<F>(channels) + block * kLanes;
  for (int a = 0; a < F::kPoints; ++a) _mm256_storeu_ps(out + a * channels, points[a]);
}

struct Epilogue {
  const float* bias;
  const ConvPostOps* post_ops;
  const float* sum;  // nullptr without residual
};

// Phase 3 for tile `tile` and output channel block `block`, reading
// m[local * tile_stride + a * O + 8 block]; only the part of the tile inside the output is
// written.
template <typename F>
void transform_output(const Geometry& g, const float* m, int64_t tile, int64_t block, int64_t local,
                      int64_t out_channels, const Epilogue& e, float* y) {
  constexpr int side = F::kTile;
  const float* in = m + local * tile_stride<F>(out_channels) + block * kLanes;
  alignas(32) __m256 points[F::kPoints];
  for (int a = 0; a < F::kPoints; ++a) points[a] = _mm256_loadu_ps(in + a * out_channels);
  alignas(32) __m256 result[side * side];
  winograd::output_tile<F>(points, result);

  const int64_t n = tile / g.tiles_per_image(), rest = tile % g.tiles_per_image();
  const int64_t top = rest / g.tiles_w * side, left = rest % g.tiles_w * side;
  const int64_t plane = (n * g.out_blocks + block) * g.out_h * g.out_w * kLanes;
  const __m256 bias = _mm256_loadu_ps(e.bias + block * kLanes);
  const int rows = static_cast<int>(std::min<int64_t>(side, g.out_h - top));
  const int columns = static_cast<int>(std::min<int64_t>(side, g.out_w - left));
  for (int i = 0; i < rows; ++i)
    for (int j = 0; j < columns; ++j) {
      const int64_t offset = plane + ((top + i) * g.out_w + left + j) * kLanes;
      __m256 value = activate(_mm256_add_ps(result[i * side + j], bias), e.post_ops->pre);
      if (e.sum) value = _mm256_add_ps(value, _mm256_loadu_ps(e.sum + offset));
      _mm256_storeu_ps(y + offset, activate(value, e.post_ops->post));
    }
}

// One work item: the tiles [start, start + count) and the output panels [first, last). Runs the
// three phases serially: input transform of all input channels into v, the P GEMMs for its
// panels into m, the output transform of its panels' channel blocks. Phases 1 and 3 go
// block-major, so consecutive steps walk along one plane of x or y (tile-major touches 8+
// planes per tile: 1.5x slower at 56x56x64).
struct WorkItem {
  int64_t start, count, first, last;
};

template <typename F>
void run_item(const Geometry& g, const float* x, const float* u, const Epilogue& epilogue, float* y,
              const WorkItem& w, float* v, float* m) {
  constexpr int64_t kPoints = F::kPoints;
  const int64_t C = g.in_blocks * kLanes, O = g.out_blocks * kLanes;
  for (int64_t block = 0; block < g.in_blocks; ++block)
    for (int64_t t = 0; t < w.count; ++t) transform_input<F>(g, x, w.start + t, block, v, t, C);
  for (int a = 0; a < kPoints; ++a)
    for (int64_t panel = w.first; panel < w.last; ++panel) {
      const float* panel_u = u + a * C * O + panel * kPanel * C;
      // The U block of the next step: the next panel, or the first one of the next point.
      // (Prefetching past the end of U for the last block is harmless: prefetches never fault.)
      const float* next = panel + 1 < w.last ? panel_u + kPanel * C
                          : a + 1 < kPoints  ? u + (a + 1) * C * O + w.first * kPanel * C
                                             : nullptr;
      const float* va = v + a * C;
      float* ma = m + a * O + panel * kPanel;
      if (panel_width(O, panel) == kPanel)
        gemm_rows<2>(w.count, va, tile_stride<F>(C), panel_u, C, ma, tile_stride<F>(O), next);
      else
        gemm_rows<1>(w.count, va, tile_stride<F>(C), panel_u, C, ma, tile_stride<F>(O), next);
    }
  const int64_t last_block = std::min(g.out_blocks, w.last * (kPanel / kLanes));
  for (int64_t block = w.first * (kPanel / kLanes); block < last_block; ++block)
    for (int64_t t = 0; t < w.count; ++t)
      transform_output<F>(g, m, w.start + t, block, t, O, epilogue, y);
}

// U = G g G^T for every (output, input) channel pair, in the layout above.
template <typename F>
void transform_weights(const float* g, int64_t C, int64_t O, float* transformed) {
  constexpr int64_t kPoints = F::kPoints;
  // Staged per (panel, 16 input channels) and written as P contiguous runs: the P points of one
  // filter lie C*O floats apart (a power of two in ResNets), so writing them directly hit one
  // cache set P times: +0.4 s instead of +0.2 s of session creation for ResNet-34.
  const int64_t panels = (O + kPanel - 1) / kPanel;
  constexpr int64_t kChannelStep = 16;
#pragma omp parallel for schedule(static)
  for (int64_t panel = 0; panel < panels; ++panel) {
    const int64_t width = panel_width(O, panel);
    alignas(64) float staged[kPoints * kChannelStep * kPanel];  // <= 36 KiB
    double u[kPoints];
    for (int64_t c0 = 0; c0 < C; c0 += kChannelStep) {
      const int64_t step = std::min(kChannelStep, C - c0);
      for (int64_t c = 0; c < step; ++c)
        for (int64_t k = 0; k < width; ++k) {
          winograd::filter_tile<F>(g + ((panel * kPanel + k) * C + c0 + c) * 9, u);
          for (int a = 0; a < kPoints; ++a)
            staged[(a * kChannelStep + c) * width + k] = static_cast<float>(u[a]);
        }
      for (int a = 0; a < kPoints; ++a)
        std::memcpy(transformed + a * C * O + panel * kPanel * C + c0 * width,
                    staged + a * kChannelStep * width, step * width * sizeof(float));
    }
  }
}

// Phases 1-3 over the whole batch; g has everything but the tile counts.
template <typename F>
void run_tiles(Geometry g, const Tensor& x, const float* weights, const Epilogue& epilogue,
               float* dst) {
  constexpr int64_t kPoints = F::kPoints;
  g.tiles_h = (g.out_h + F::kTile - 1) / F::kTile;
  g.tiles_w = (g.out_w + F::kTile - 1) / F::kTile;
  const int64_t C = g.in_blocks * kLanes, O = g.out_blocks * kLanes;
  const int64_t total = g.batch * g.tiles_per_image();
  const int64_t per_tile_bytes = kPoints * (C + O) * static_cast<int64_t>(sizeof(float));
  const int64_t threads = std::max(1, omp_get_max_threads());
  const int64_t panels = (O + kPanel - 1) / kPanel;
  // The work is split into independent items (no barriers: a phase-by-phase split with 3
  // barriers per chunk ran 2x slower than direct on a loaded machine), handed out statically in
  // order: thread 0 takes the first tiles (the top of the image), thread 1 the next, in every
  // conv alike, so a conv mostly reads the rows of its input that the same thread (core) wrote
  // as the previous conv's output, from its own L2. Handing items out dynamically (first come,
  // first served) was 2.5-3% slower for ResNet-18/34 at 2 threads (in-process A/B; ResNet-50,
  // whose 3x3 convs sit between oneDNN's 1x1 ones, a tie).
  // Many tiles: chunks of tiles, each with V + M within kChunkBytes but at least kMinChunk
  // tiles (each chunk streams all of U: 10 chunks of 13 tiles made 14x14x256 at batch 8 1.4x
  // slower), 2 per thread when possible. Few tiles (small images, deep layers): one chunk per
  // kMinChunk tiles; with fewer chunks than threads, the output panels are split into one group
  // per thread too, so each streams only its share of U (the input transform is then repeated
  // per group). Each repeat costs: in ResNet-34 at 2 threads (in-process A/B, alternating runs),
  // 2 groups per thread instead of 1 was 8% slower, and splitting the 49-tile layers' panels
  // instead of their 2 chunks another 7%.
  int64_t chunks, groups;
  if (total >= threads * kMinChunk) {
    const int64_t wanted = (total * per_tile_bytes + kChunkBytes - 1) / kChunkBytes;
    chunks = std::clamp(std::max(wanted, 2 * threads), threads, total / kMinChunk);
    groups = 1;
  } else {
    chunks = (total + kMinChunk - 1) / kMinChunk;
    groups = chunks >= threads ? 1 : std::min(threads, panels);
  }
  const int64_t chunk = (total + chunks - 1) / chunks;
  const int64_t group_panels = (panels + groups - 1) / groups;
  const size_t scratch_floats =
      static_cast<size_t>(chunk * (tile_stride<F>(C) + tile_stride<F>(O)));
  std::atomic<bool> out_of_memory = false;
  const float* src = x.data<float>();
#pragma omp parallel for schedule(static)
  for (int64_t index = 0; index < chunks * groups; ++index) {
    const int64_t start = index / groups * chunk, group = index % groups;
    const WorkItem item{start, std::min(chunk, total - start), group * group_panels,
                        std::min(panels, (group + 1) * group_panels)};
    if (item.count <= 0 || item.first >= item.last) continue;
    float* v = thread_scratch(scratch_floats);  // of the thread running the item
    if (!v) {
      out_of_memory = true;
      continue;
    }
    run_item<F>(g, src, weights, epilogue, dst, item, v, v + chunk * tile_stride<F>(C));
  }
  FLOWONNX_CHECK(!out_of_memory, "winograd conv: cannot allocate {} bytes of scratch for input {}",
                 scratch_floats * sizeof(float), x.describe());
}

// Calls fn.template operator()<F>() with the variant of this output tile (4, 3 or 2).
template <typename Fn>
void with_variant(int output_tile, Fn&& fn) {
  switch (output_tile) {
    case 4:
      return fn.template operator()<winograd::F43>();
    case 3:
      return fn.template operator()<winograd::F33>();
    default:
      return fn.template operator()<winograd::F23>();
  }
}

}  // namespace

bool WinogradConv::supports(const Shape& weights, int64_t groups, const Conv2dParams& params) {
  return weights.size() == 4 && weights[2] == 3 && weights[3] == 3 && groups == 1 &&
         weights[0] % kLanes == 0 && weights[1] % kLanes == 0 &&
         params.strides == (std::array<int64_t, 2>{1, 1}) &&
         params.dilations == (std::array<int64_t, 2>{1, 1}) && params.pads_begin[0] >= 0 &&
         params.pads_begin[1] >= 0 && params.pads_end[0] >= 0 && params.pads_end[1] >= 0;
}

WinogradConv::WinogradConv(const Tensor& weights, const Tensor& bias, ConvPostOps post_ops,
                           int output_tile)
    : output_tile_(output_tile), post_ops_(post_ops) {
  FLOWONNX_REQUIRE(
      weights.dtype() == DType::Float32 && supports(weights.shape(), 1, Conv2dParams{}),
      "winograd conv: weight {} must be float32 [O,C,3,3] with O and C multiples of {}",
      weights.describe(), kLanes);
  FLOWONNX_REQUIRE(output_tile >= 2 && output_tile <= 4,
                   "winograd conv: output tile {} is not 4, 3 or 2 (F(4x4,3x3), F(3x3,3x3), "
                   "F(2x2,3x3))",
                   output_tile);
  out_channels_ = weights.shape()[0];
  in_channels_ = weights.shape()[1];
  FLOWONNX_REQUIRE(
      !bias.defined() || (bias.dtype() == DType::Float32 && bias.shape() == Shape{out_channels_}),
      "winograd conv: bias {} must be float32 [{}]", bias.describe(), out_channels_);
  bias_ = std::make_unique<float[]>(out_channels_);
  for (int64_t o = 0; o < out_channels_; ++o)
    bias_[o] = bias.defined() ? bias.data<float>()[o] : 0.f;

  const int64_t C = in_channels_, O = out_channels_;
  with_variant(output_tile, [&]<typename F>() {
    transformed_ = std::make_unique<HugePageBuffer>(F::kPoints * C * O);
    transform_weights<F>(weights.data<float>(), C, O, transformed_->data());
  });
}

const char* WinogradConv::implementation() const {
  const char* name = nullptr;
  with_variant(output_tile_, [&]<typename F>() { name = F::kImplementation; });
  return name;
}

void WinogradConv::run(const Tensor& x, const Conv2dParams& params, const Tensor* sum,
                       Tensor& y) const {
  const Shape& xs = x.shape();
  FLOWONNX_REQUIRE(x.dtype() == DType::Float32 && x.rank() == 4 && xs[1] == in_channels_,
                   "winograd conv: input {} must be float32 [N,{},H,W]", x.describe(),
                   in_channels_);
  FLOWONNX_REQUIRE(supports({out_channels_, in_channels_, 3, 3}, params.groups, params),
                   "winograd conv: needs stride 1, dilation 1, groups 1, non-negative pads");
  Geometry g{};
  g.batch = xs[0];
  g.in_blocks = in_channels_ / kLanes;
  g.out_blocks = out_channels_ / kLanes;
  g.height = xs[2];
  g.width = xs[3];
  g.out_h = g.height + params.pads_begin[0] + params.pads_end[0] - 2;
  g.out_w = g.width + params.pads_begin[1] + params.pads_end[1] - 2;
  const Shape out = {g.batch, out_channels_, g.out_h, g.out_w};
  FLOWONNX_REQUIRE(g.out_h >= 1 && g.out_w >= 1 && y.dtype() == DType::Float32 && y.shape() == out,
                   "winograd conv: output {} must be float32 {} for input {}", y.describe(),
                   shape_to_string(out), x.describe());
  FLOWONNX_REQUIRE(post_ops_.with_sum == (sum != nullptr),
                   "winograd conv: the residual input is {}", sum ? "unexpected" : "missing");
  if (sum)
    FLOWONNX_REQUIRE(sum->shape() == out && sum->dtype() == DType::Float32,
                     "winograd conv: residual {} must be float32 {}", sum->describe(),
                     shape_to_string(out));
  if (y.num_elements() == 0) return;
  g.pad_top = params.pads_begin[0];
  g.pad_left = params.pads_begin[1];
  const Epilogue epilogue{bias_.get(), &post_ops_, sum ? sum->data<float>() : nullptr};
  with_variant(output_tile_, [&]<typename F>() {
    run_tiles<F>(g, x, transformed_->data(), epilogue, y.data<float>());
  });
}

// Rule: F(4x4,3x3) when the run has at least 32 of its tiles (N * ceil(outH/4) * ceil(outW/4)),
// else F(3x3,3x3) from 16 of its tiles, else F(2x2,3x3) where it still saves a third of the
// direct conv's multiplications (16 per tile vs 9 per output pixel), else direct. U is streamed
// from memory once per run (a model's weights do not stay in the caches between runs): F(4,3)'s
// is 4x the weights, F(3,3)'s 25/9x, F(2,3)'s 16/9x, so with few tiles a smaller U wins although
// it multiplies more per output (2.25, 2.8 and 4 per output for F(4,3), F(3,3), F(2,3)).
// Measured with bench/conv_bench (BM_WinogradConv<tile, 12> vs BM_PreparedConv<Direct, 12>:
// 12 convs in turn so that the weights are cold, as in a model; bias + ReLU fused; median of 3)
// on the 2-core AMD EPYC (Zen 4, AVX2 only); effective GFLOP/s (direct conv's FLOPs / time):
//   C=O  HW  N  tiles(4x4)   1 thread: direct F(2,3) F(4,3)   2 threads: direct F(2,3) F(4,3)
//   64   56  1   196                    75    137    204                 99    236    401
//   128  28  1    49                    70    147    223                139    282    345
//   256  14  1    16                    65    143    163                127    226    251
//   512   7  1     4                    53     89     75                106    149    103
// and, F(3,3) added later (another day: microseconds per conv, 1 / 2 threads):
//   C=O  HW  N  tiles 4x4/3x3/2x2   F(4,3)       F(3,3)       F(2,3)
//   128  28  1    49 / 100 / 196    826 / 436   1123 / 569   1355 / 677
//   256  14  1    16 /  25 /  49   1171 / 715   1105 / 590   1233 / 662
//   512   7  1     4 /   9 /  16   2691 / 1591  2187 / 1416  1902 / 1069
//   256  14  2    32 /  50 /  98   2024 / 1122  2009 / 1088  3312 / 1987
//   512   7  2     8 /  18 /  32   3004 / 1816  3080 / 1747  3521 / 2689
// In whole models (in-process A/B, alternating runs) F(3,3) instead of F(2,3) at 14x14 (batch 1)
// made ResNet-34 3-4% faster at 2 threads and 1 thread. F(4,3) there was a tie with F(2,3) but
// made the session 55 MiB larger; F(3,3) costs ResNet-34 25 MiB more than F(2,3).
int winograd_output_tile(int64_t batch, int64_t in_channels, int64_t out_channels, int64_t out_h,
                         int64_t out_w) {
  auto tiles = [&](int64_t side) {
    return batch * ((out_h + side - 1) / side) * ((out_w + side - 1) / side);
  };
  if (tiles(4) >= 32) return 4;
  if (tiles(3) >= 16) return 3;
  if (3 * winograd::F23::kPoints * tiles(2) <= 2 * 9 * batch * out_h * out_w) return 2;
  return 0;
}

}  // namespace flowonnx::kernels
