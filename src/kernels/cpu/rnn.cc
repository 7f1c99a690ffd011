#include "kernels/cpu/rnn.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "base/error.h"

namespace flowonnx::kernels {

namespace {

float activate(RnnActivation a, float v) {
  switch (a) {
    case RnnActivation::Sigmoid: return 1.0f / (1.0f + std::exp(-v));
    case RnnActivation::Tanh: return std::tanh(v);
    case RnnActivation::Relu: return v > 0.0f ? v : 0.0f;
    case RnnActivation::Softsign: return v / (1.0f + std::fabs(v));
    case RnnActivation::Softplus: return std::log1p(std::exp(v));
  }
  return v;
}

float dot(const float* a, const float* b, int64_t n) {
  float sum = 0.0f;
  for (int64_t k = 0; k < n; ++k) sum += a[k] * b[k];
  return sum;
}

const char* kind_name(RnnKind kind) {
  return kind == RnnKind::Rnn ? "RNN" : kind == RnnKind::Gru ? "GRU" : "LSTM";
}

void require_float(const Tensor* t, const char* op, const char* what, const Shape& shape) {
  if (!t) return;
  FLOWONNX_REQUIRE(t->dtype() == DType::Float32, "{}: {} must be float32, got {}", op, what,
                   t->describe());
  FLOWONNX_REQUIRE(t->shape() == shape, "{}: {} must have shape {}, got {}", op, what,
                   shape_to_string(shape), t->describe());
}

}  // namespace

int64_t rnn_num_gates(RnnKind kind) {
  return kind == RnnKind::Rnn ? 1 : kind == RnnKind::Gru ? 3 : 4;
}

int64_t rnn_num_directions(RnnDirection direction) {
  return direction == RnnDirection::Bidirectional ? 2 : 1;
}

std::vector<RnnActivation> rnn_default_activations(RnnKind kind, int64_t directions) {
  std::vector<RnnActivation> one;
  if (kind == RnnKind::Rnn) one = {RnnActivation::Tanh};
  else if (kind == RnnKind::Gru) one = {RnnActivation::Sigmoid, RnnActivation::Tanh};
  else one = {RnnActivation::Sigmoid, RnnActivation::Tanh, RnnActivation::Tanh};
  std::vector<RnnActivation> all;
  for (int64_t d = 0; d < directions; ++d) all.insert(all.end(), one.begin(), one.end());
  return all;
}

Shape rnn_y_shape(const RnnParams& params, const Shape& x) {
  FLOWONNX_REQUIRE(x.size() == 3, "{}: X must be 3-d, got {}", kind_name(params.kind),
                   shape_to_string(x));
  const int64_t dirs = rnn_num_directions(params.direction);
  if (params.layout == 0) return {x[0], dirs, x[1], params.hidden_size};
  return {x[0], x[1], dirs, params.hidden_size};
}

Shape rnn_state_shape(const RnnParams& params, const Shape& x) {
  FLOWONNX_REQUIRE(x.size() == 3, "{}: X must be 3-d, got {}", kind_name(params.kind),
                   shape_to_string(x));
  const int64_t dirs = rnn_num_directions(params.direction);
  if (params.layout == 0) return {dirs, x[1], params.hidden_size};
  return {x[0], dirs, params.hidden_size};
}

void rnn(const RnnParams& params, const RnnInputs& in, Tensor* y, Tensor* y_h, Tensor* y_c) {
  const char* op = kind_name(params.kind);
  FLOWONNX_REQUIRE(in.x && in.w && in.r, "{}: X, W and R are required", op);
  const Tensor& x = *in.x;
  FLOWONNX_REQUIRE(x.dtype() == DType::Float32 && x.rank() == 3,
                   "{}: X must be 3-d float32, got {}", op, x.describe());
  const bool batch_first = params.layout != 0;
  const int64_t seq = batch_first ? x.dim(1) : x.dim(0);
  const int64_t batch = batch_first ? x.dim(0) : x.dim(1);
  const int64_t input = x.dim(2);
  const int64_t H = params.hidden_size;
  const int64_t G = rnn_num_gates(params.kind);
  const int64_t dirs = rnn_num_directions(params.direction);
  const size_t acts_per_dir = params.kind == RnnKind::Rnn ? 1 : params.kind == RnnKind::Gru ? 2 : 3;
  FLOWONNX_REQUIRE(H > 0, "{}: hidden_size must be positive, got {}", op, H);
  FLOWONNX_REQUIRE(params.activations.size() == acts_per_dir * dirs,
                   "{}: expected {} activations, got {}", op, acts_per_dir * dirs,
                   params.activations.size());
  require_float(in.w, op, "W", {dirs, G * H, input});
  require_float(in.r, op, "R", {dirs, G * H, H});
  require_float(in.b, op, "B", {dirs, 2 * G * H});
  const Shape state_shape = rnn_state_shape(params, x.shape());
  require_float(in.initial_h, op, "initial_h", state_shape);
  if (params.kind == RnnKind::Lstm) {
    require_float(in.initial_c, op, "initial_c", state_shape);
    require_float(in.p, op, "P", {dirs, 3 * H});
  }
  std::vector<int64_t> lens(static_cast<size_t>(batch), seq);
  if (in.sequence_lens) {
    const Tensor& sl = *in.sequence_lens;
    FLOWONNX_REQUIRE((sl.dtype() == DType::Int32 || sl.dtype() == DType::Int64) &&
                         sl.num_elements() == batch,
                     "{}: sequence_lens must be int32/int64 of {} elements, got {}", op, batch,
                     sl.describe());
    for (int64_t b = 0; b < batch; ++b) {
      lens[b] = sl.dtype() == DType::Int64 ? sl.data<int64_t>()[b] : sl.data<int32_t>()[b];
      FLOWONNX_REQUIRE(lens[b] >= 0 && lens[b] <= seq, "{}: sequence_lens[{}] = {} outside [0, {}]",
                       op, b, lens[b], seq);
    }
  }

  auto x_at = [&](int64_t t, int64_t b) {
    return x.data<float>() + (batch_first ? (b * seq + t) : (t * batch + b)) * input;
  };
  auto y_offset = [&](int64_t t, int64_t d, int64_t b) {
    return (batch_first ? ((b * seq + t) * dirs + d) : ((t * dirs + d) * batch + b)) * H;
  };
  auto state_offset = [&](int64_t d, int64_t b) {
    return (batch_first ? (b * dirs + d) : (d * batch + b)) * H;
  };
  if (y) std::fill_n(y->data<float>(), y->num_elements(), 0.0f);
  const float clip = params.clip;
  auto clipped = [clip](float v) { return clip > 0.0f ? std::clamp(v, -clip, clip) : v; };

  const std::vector<float> zeros(static_cast<size_t>(2 * G * H), 0.0f);
  std::vector<float> h(H), c(H), gx(G * H), gh(G * H), rh(H);
  for (int64_t d = 0; d < dirs; ++d) {
    const bool reverse = params.direction == RnnDirection::Reverse || d == 1;
    const float* W = in.w->data<float>() + d * G * H * input;
    const float* R = in.r->data<float>() + d * G * H * H;
    const float* Wb = in.b ? in.b->data<float>() + d * 2 * G * H : zeros.data();
    const float* Rb = Wb + G * H;
    const float* P = in.p ? in.p->data<float>() + d * 3 * H : zeros.data();
    const RnnActivation f = params.activations[d * acts_per_dir];
    const RnnActivation g = acts_per_dir > 1 ? params.activations[d * acts_per_dir + 1] : f;
    const RnnActivation hact = acts_per_dir > 2 ? params.activations[d * acts_per_dir + 2] : f;
    for (int64_t b = 0; b < batch; ++b) {
      if (in.initial_h) std::copy_n(in.initial_h->data<float>() + state_offset(d, b), H, h.begin());
      else std::fill(h.begin(), h.end(), 0.0f);
      if (in.initial_c) std::copy_n(in.initial_c->data<float>() + state_offset(d, b), H, c.begin());
      else std::fill(c.begin(), c.end(), 0.0f);
      const int64_t len = lens[b];
      for (int64_t s = 0; s < len; ++s) {
        const int64_t t = reverse ? len - 1 - s : s;
        const float* xt = x_at(t, b);
        for (int64_t j = 0; j < G * H; ++j) gx[j] = dot(xt, W + j * input, input) + Wb[j];
        switch (params.kind) {
          case RnnKind::Rnn:
            for (int64_t j = 0; j < H; ++j) gh[j] = dot(h.data(), R + j * H, H) + Rb[j];
            for (int64_t j = 0; j < H; ++j) h[j] = activate(f, clipped(gx[j] + gh[j]));
            break;
          case RnnKind::Gru: {
            // gates z, r, h
            for (int64_t j = 0; j < 2 * H; ++j) gh[j] = dot(h.data(), R + j * H, H) + Rb[j];
            for (int64_t j = 0; j < 2 * H; ++j) gh[j] = activate(f, clipped(gx[j] + gh[j]));
            const float* z = gh.data();
            const float* r = gh.data() + H;
            const float* Rh = R + 2 * H * H;
            float* hh = gh.data() + 2 * H;
            if (params.linear_before_reset) {
              for (int64_t j = 0; j < H; ++j)
                hh[j] = gx[2 * H + j] + r[j] * (dot(h.data(), Rh + j * H, H) + Rb[2 * H + j]);
            } else {
              for (int64_t j = 0; j < H; ++j) rh[j] = r[j] * h[j];
              for (int64_t j = 0; j < H; ++j)
                hh[j] = gx[2 * H + j] + dot(rh.data(), Rh + j * H, H) + Rb[2 * H + j];
            }
            for (int64_t j = 0; j < H; ++j) {
              const float ht = activate(g, clipped(hh[j]));
              h[j] = (1.0f - z[j]) * ht + z[j] * h[j];
            }
            break;
          }
          case RnnKind::Lstm: {
            // gates i, o, f, c; peepholes i, o, f
            for (int64_t j = 0; j < G * H; ++j) gx[j] += dot(h.data(), R + j * H, H) + Rb[j];
            for (int64_t j = 0; j < H; ++j) {
              const float i_gate = activate(f, clipped(gx[j] + P[j] * c[j]));
              const float f_gate = params.input_forget
                                       ? 1.0f - i_gate
                                       : activate(f, clipped(gx[2 * H + j] + P[2 * H + j] * c[j]));
              const float c_cand = activate(g, clipped(gx[3 * H + j]));
              c[j] = f_gate * c[j] + i_gate * c_cand;
              const float o_gate = activate(f, clipped(gx[H + j] + P[H + j] * c[j]));
              h[j] = o_gate * activate(hact, c[j]);
            }
            break;
          }
        }
        if (y) std::copy_n(h.begin(), H, y->data<float>() + y_offset(t, d, b));
      }
      if (y_h) std::copy_n(h.begin(), H, y_h->data<float>() + state_offset(d, b));
      if (y_c) std::copy_n(c.begin(), H, y_c->data<float>() + state_offset(d, b));
    }
  }
}

}  // namespace flowonnx::kernels
