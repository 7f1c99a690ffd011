// The ONNX recurrent ops RNN, GRU and LSTM on float32 (graph-free reference loops). Shapes follow
// the ONNX spec; `layout` 0 is sequence-first (X [seq, batch, input], Y [seq, dirs, batch,
// hidden], Y_h/Y_c/initial_h/initial_c [dirs, batch, hidden]), layout 1 is batch-first (X [batch,
// seq, input], Y [batch, seq, dirs, hidden], states [batch, dirs, hidden]).
#pragma once

#include <vector>

#include "tensor/tensor.h"

namespace flowonnx::kernels {

enum class RnnKind { Rnn, Gru, Lstm };
enum class RnnDirection { Forward, Reverse, Bidirectional };
// The activations without alpha/beta parameters.
enum class RnnActivation { Sigmoid, Tanh, Relu, Softsign, Softplus };

struct RnnParams {
  RnnKind kind = RnnKind::Lstm;
  RnnDirection direction = RnnDirection::Forward;
  int64_t hidden_size = 0;
  // Per direction: RNN 1 (f), GRU 2 (f, g), LSTM 3 (f, g, h); forward's then reverse's.
  std::vector<RnnActivation> activations;
  float clip = 0.0f;  // <= 0: no clipping of the gate pre-activations
  bool linear_before_reset = false;  // GRU
  bool input_forget = false;         // LSTM: forget gate = 1 - input gate
  int64_t layout = 0;
};

int64_t rnn_num_gates(RnnKind kind);  // 1, 3, 4
int64_t rnn_num_directions(RnnDirection direction);

// The default activations of `kind` for `directions` directions.
std::vector<RnnActivation> rnn_default_activations(RnnKind kind, int64_t directions);

struct RnnInputs {
  const Tensor* x = nullptr;          // required
  const Tensor* w = nullptr;          // [dirs, gates*hidden, input], required
  const Tensor* r = nullptr;          // [dirs, gates*hidden, hidden], required
  const Tensor* b = nullptr;          // [dirs, 2*gates*hidden] (Wb then Rb), optional
  const Tensor* sequence_lens = nullptr;  // [batch] int32/int64, optional
  const Tensor* initial_h = nullptr;  // optional
  const Tensor* initial_c = nullptr;  // LSTM, optional
  const Tensor* p = nullptr;          // LSTM peepholes [dirs, 3*hidden] (i, o, f), optional
};

// Output shapes for x's shape.
Shape rnn_y_shape(const RnnParams& params, const Shape& x);
Shape rnn_state_shape(const RnnParams& params, const Shape& x);

// Validates the inputs and computes whichever of y, y_h, y_c are non-null (allocated with the
// shapes above, float32). Throws InvalidArgument on bad shapes or dtypes.
void rnn(const RnnParams& params, const RnnInputs& in, Tensor* y, Tensor* y_h, Tensor* y_c);

}  // namespace flowonnx::kernels
