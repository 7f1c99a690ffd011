// Transformer ops: Attention (opset 23/24), RotaryEmbedding (opset 23) and TensorScatter (opset
// 24, the KV cache update). Attention's forms (3-d [B, S, heads * size] or 4-d
// [B, heads, S, size] tensors, a KV cache concatenated in, boolean or additive masks shorter than
// the keys, float16) are brought here to the one float32 4-d form of kernels/cpu/attention.h.
#include "kernels/cpu/attention.h"

#include <cmath>
#include <cstring>
#include <limits>
#include <string>

#include "kernels/cpu/layout.h"
#include "kernels/cpu/rotary_embedding.h"
#include "runtime/providers/cpu/cpu_kernels.h"

namespace flowonnx::runtime::cpu {

namespace {

struct AttentionAttrs {
  int64_t q_heads = 0, kv_heads = 0;  // 0: absent (4-d inputs)
  bool has_scale = false;
  kernels::AttentionParams params;
  bool want_present_key = false, want_present_value = false, want_scores = false;
  bool pad_short_mask = true;  // opset 24; opset 23 broadcasts a last dim of 1 instead
};

bool is_float_kind(DType dtype) { return dtype == DType::Float32 || dtype == DType::Float16; }

Tensor as_float32(const Tensor& t) {
  return t.dtype() == DType::Float32 ? t : t.to(DType::Float32);
}

// [B, S, heads * size] -> [B, heads, S, size].
Tensor split_heads(const Tensor& x, int64_t heads, const char* what) {
  const Shape& s = x.shape();
  FLOWONNX_REQUIRE(heads > 0 && s[2] % heads == 0,
                   "Attention: {} {} has a hidden size that is not a multiple of its {} heads",
                   what, x.describe(), heads);
  Tensor y({s[0], heads, s[1], s[2] / heads}, DType::Float32);
  kernels::transpose(x.reshape({s[0], s[1], heads, s[2] / heads}), {0, 2, 1, 3}, y);
  return y;
}

// [B, heads, S, size] -> [B, S, heads * size].
Tensor merge_heads(const Tensor& x) {
  const Shape& s = x.shape();
  Tensor y({s[0], s[2], s[1], s[3]}, DType::Float32);
  kernels::transpose(x, {0, 2, 1, 3}, y);
  return y.reshape({s[0], s[2], s[1] * s[3]});
}

// The mask as an additive float32 bias of rank 4 whose last dim is `total` keys: true -> 0,
// false -> -inf. A shorter mask: opset 24 pads it with -inf (false); opset 23 only broadcasts a
// last dim of 1.
Tensor mask_to_bias(const Tensor& mask, int64_t total, bool pad_short) {
  FLOWONNX_REQUIRE(mask.rank() >= 1 && mask.rank() <= 4,
                   "Attention: attn_mask {} must have rank 1 to 4", mask.describe());
  FLOWONNX_REQUIRE(mask.dtype() == DType::Bool || is_float_kind(mask.dtype()),
                   "Attention: attn_mask must be bool or float32/float16, got {}", mask.describe());
  const int64_t width = mask.shape().back();
  FLOWONNX_REQUIRE(width <= total, "Attention: attn_mask {} has more than the {} keys (past + new)",
                   mask.describe(), total);
  const bool broadcast = !pad_short && width == 1;
  FLOWONNX_REQUIRE(
      pad_short || broadcast || width == total,
      "Attention: attn_mask {} must cover the {} keys (past + new) or broadcast from 1 "
      "at opset 23 (opset 24 pads shorter masks)",
      mask.describe(), total);
  Shape shape(4 - mask.rank(), 1);
  shape.insert(shape.end(), mask.shape().begin(), mask.shape().end());
  const float minus_infinity = -std::numeric_limits<float>::infinity();
  Tensor values = mask.dtype() == DType::Bool ? Tensor() : as_float32(mask);
  if (width == total && values.defined()) return values.reshape(shape);
  const int64_t rows = mask.num_elements() / std::max<int64_t>(width, 1);
  shape.back() = total;
  Tensor bias = Tensor::full(shape, minus_infinity, DType::Float32);
  float* out = bias.data<float>();
  auto value = [&](int64_t at) {
    return values.defined() ? values.data<float>()[at]
                            : (mask.data<bool>()[at] ? 0.0f : minus_infinity);
  };
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t t = 0; t < (broadcast ? total : width); ++t)
      out[r * total + t] = value(broadcast ? r : r * width + t);
  return bias;
}

// present = concat(past, new) along the sequence; `new_kv` already 4-d float32.
Tensor with_past(const Tensor& past, const Tensor& new_kv, const char* what) {
  FLOWONNX_REQUIRE(past.rank() == 4 && is_float_kind(past.dtype()),
                   "Attention: {} must be 4-d float32/float16, got {}", what, past.describe());
  const Shape& p = past.shape();
  const Shape& n = new_kv.shape();
  FLOWONNX_REQUIRE(p[0] == n[0] && p[1] == n[1] && p[3] == n[3],
                   "Attention: {} {} does not match the new keys/values [{}, {}, *, {}]", what,
                   past.describe(), n[0], n[1], n[3]);
  Tensor present({p[0], p[1], p[2] + n[2], p[3]}, DType::Float32);
  kernels::concat({as_float32(past), new_kv}, 2, present);
  return present;
}

void emit(KernelContext& ctx, size_t index, const Tensor& value, DType dtype) {
  ctx.allocate_output(index, value.shape(), dtype).copy_from(value);
}

ComputeFn make_attention(const KernelInit& init) {
  AttentionAttrs a;
  a.q_heads = init.attr_int("q_num_heads", 0);
  a.kv_heads = init.attr_int("kv_num_heads", 0);
  if (a.q_heads < 0 || a.kv_heads < 0)
    init.fail_model("q_num_heads and kv_num_heads must be positive");
  a.has_scale = init.has_attr("scale");
  a.params.scale = init.attr_float("scale", 1.0);
  a.params.is_causal = init.attr_int("is_causal", 0) != 0;
  a.params.softcap = init.attr_float("softcap", 0.0);
  if (a.params.softcap < 0) init.fail_model("softcap must be >= 0");
  const int64_t mode = init.attr_int("qk_matmul_output_mode", 0);
  if (mode < 0 || mode > 3) init.fail_model("qk_matmul_output_mode must be 0, 1, 2 or 3");
  a.params.scores_mode = static_cast<kernels::AttentionScores>(mode);
  // Softmax runs in float32 whatever softmax_precision asks; it must still name a float type.
  const int64_t precision = init.attr_int("softmax_precision", 1);
  if (precision != 1 && precision != 10 && precision != 11 && precision != 16)
    init.fail_model("softmax_precision must be a float type (1, 10, 11 or 16)");
  if (init.has_input(4) != init.has_input(5))
    init.fail_model("past_key and past_value must be given together");
  a.want_present_key = init.has_output(1);
  a.want_present_value = init.has_output(2);
  a.want_scores = init.has_output(3);
  a.pad_short_mask = init.opset() >= 24;
  return [a](KernelContext& ctx) {
    const Tensor& q_in = ctx.input(0);
    const Tensor& k_in = ctx.input(1);
    const Tensor& v_in = ctx.input(2);
    for (const Tensor* t : {&q_in, &k_in, &v_in})
      FLOWONNX_REQUIRE(is_float_kind(t->dtype()) && (t->rank() == 3 || t->rank() == 4) &&
                           t->rank() == q_in.rank(),
                       "Attention: Q, K and V must all be 3-d or all 4-d float32/float16, got Q "
                       "{}, K {}, V {}",
                       q_in.describe(), k_in.describe(), v_in.describe());
    const bool three_d = q_in.rank() == 3;
    Tensor q = as_float32(q_in), k = as_float32(k_in), v = as_float32(v_in);
    if (three_d) {
      FLOWONNX_REQUIRE(a.q_heads > 0 && a.kv_heads > 0,
                       "Attention: 3-d inputs need the q_num_heads and kv_num_heads attributes");
      q = split_heads(q, a.q_heads, "Q");
      k = split_heads(k, a.kv_heads, "K");
      v = split_heads(v, a.kv_heads, "V");
    }
    int64_t past_length = 0;
    if (ctx.has_input(4)) {
      past_length = ctx.input(4).rank() == 4 ? ctx.input(4).shape()[2] : 0;
      k = with_past(ctx.input(4), k, "past_key");
      v = with_past(ctx.input(5), v, "past_value");
    }
    if (a.want_present_key) emit(ctx, 1, k, k_in.dtype());
    if (a.want_present_value) emit(ctx, 2, v, v_in.dtype());

    kernels::AttentionParams params = a.params;
    params.past_length = past_length;
    if (!a.has_scale) params.scale = 1.0 / std::sqrt(static_cast<double>(q.shape()[3]));
    const int64_t total = k.shape()[2];
    Tensor bias = ctx.has_input(3) ? mask_to_bias(ctx.input(3), total, a.pad_short_mask) : Tensor();
    std::vector<int64_t> kv_lengths;
    if (ctx.has_input(6)) {
      const Tensor& lengths = ctx.input(6);
      FLOWONNX_REQUIRE(lengths.dtype() == DType::Int64 && lengths.rank() == 1 &&
                           lengths.shape()[0] == q.shape()[0],
                       "Attention: nonpad_kv_seqlen must be int64 [batch = {}], got {}",
                       q.shape()[0], lengths.describe());
      kv_lengths.assign(lengths.data<int64_t>(), lengths.data<int64_t>() + lengths.num_elements());
    }
    const Shape& qs = q.shape();
    // float32 results go straight into the outputs; others through a float32 buffer.
    const bool float32 = q_in.dtype() == DType::Float32;
    const Shape y_shape = {qs[0], qs[1], qs[2], v.shape()[3]},
                s_shape = {qs[0], qs[1], qs[2], total};
    Tensor y = float32 && !three_d ? ctx.allocate_output(0, y_shape, DType::Float32)
                                   : Tensor(y_shape, DType::Float32);
    Tensor scores;
    if (a.want_scores)
      scores = float32 ? ctx.allocate_output(3, s_shape, DType::Float32) : Tensor(s_shape);
    kernels::attention(q, k, v, bias, kv_lengths, params, y, a.want_scores ? &scores : nullptr);
    if (three_d || !float32) emit(ctx, 0, three_d ? merge_heads(y) : y, q_in.dtype());
    if (a.want_scores && !float32) emit(ctx, 3, scores, q_in.dtype());
  };
}

// RotaryEmbedding: input [B, H, S, D] or [B, S, H * D] (num_heads given), float32 or float16.
ComputeFn make_rotary_embedding(const KernelInit& init) {
  const int64_t num_heads = init.attr_int("num_heads", 0);
  const int64_t rotary_dim = init.attr_int("rotary_embedding_dim", 0);
  const bool interleaved = init.attr_int("interleaved", 0) != 0;
  if (num_heads < 0 || rotary_dim < 0)
    init.fail_model("num_heads and rotary_embedding_dim must not be negative");
  return [=](KernelContext& ctx) {
    const Tensor& x_in = ctx.input(0);
    FLOWONNX_REQUIRE(is_float_kind(x_in.dtype()) && (x_in.rank() == 3 || x_in.rank() == 4),
                     "RotaryEmbedding: input must be 3-d or 4-d float32/float16, got {}",
                     x_in.describe());
    Tensor x = as_float32(x_in);
    kernels::RotaryParams params;
    params.interleaved = interleaved;
    params.sequence_major = x.rank() == 3;
    if (x.rank() == 3) {
      const Shape& s = x.shape();
      FLOWONNX_REQUIRE(num_heads > 0 && s[2] % num_heads == 0,
                       "RotaryEmbedding: 3-d input {} needs num_heads dividing its hidden size "
                       "(num_heads = {})",
                       x_in.describe(), num_heads);
      x = x.reshape({s[0], s[1], num_heads, s[2] / num_heads});
    }
    params.rotary_dim = rotary_dim == 0 ? x.shape()[3] : rotary_dim;
    std::vector<int64_t> positions;
    if (ctx.has_input(3)) {
      const Tensor& ids = ctx.input(3);
      FLOWONNX_REQUIRE(ids.dtype() == DType::Int64 && ids.rank() == 2,
                       "RotaryEmbedding: position_ids must be int64 [batch, sequence], got {}",
                       ids.describe());
      positions.assign(ids.data<int64_t>(), ids.data<int64_t>() + ids.num_elements());
    }
    Tensor y(x.shape(), DType::Float32);
    kernels::rotary_embedding(x, as_float32(ctx.input(1)), as_float32(ctx.input(2)), positions,
                              params, y);
    emit(ctx, 0, y.reshape(x_in.shape()), x_in.dtype());
  };
}

// TensorScatter: present = past with update's `sequence` slices written along `axis` at
// write_indices[b] (per batch entry; default 0), wrapping around in mode "circular".
ComputeFn make_tensor_scatter(const KernelInit& init) {
  const int64_t axis_attr = init.attr_int("axis", -2);
  const std::string mode = init.attr_string("mode", "linear");
  if (mode != "linear" && mode != "circular") init.fail_model("mode must be linear or circular");
  const bool circular = mode == "circular";
  return [=](KernelContext& ctx) {
    const Tensor& past = ctx.input(0);
    const Tensor& update = ctx.input(1);
    const int64_t rank = past.rank();
    const int64_t axis = axis_attr < 0 ? axis_attr + rank : axis_attr;
    FLOWONNX_REQUIRE(axis >= 1 && axis < rank,
                     "TensorScatter: axis {} must name a dim after the batch of {}", axis_attr,
                     past.describe());
    FLOWONNX_REQUIRE(update.dtype() == past.dtype() && update.rank() == rank,
                     "TensorScatter: update {} does not match past_cache {}", update.describe(),
                     past.describe());
    for (int64_t d = 0; d < rank; ++d)
      FLOWONNX_REQUIRE(
          d == axis ? update.shape()[d] <= past.shape()[d] : update.shape()[d] == past.shape()[d],
          "TensorScatter: update {} does not fit past_cache {} (axis {})", update.describe(),
          past.describe(), axis);
    const int64_t batch = past.shape()[0], capacity = past.shape()[axis],
                  length = update.shape()[axis];
    std::vector<int64_t> starts(batch, 0);
    if (ctx.has_input(2)) {
      starts = tensor_to_int64s(ctx.input(2), "write_indices");
      FLOWONNX_REQUIRE(static_cast<int64_t>(starts.size()) == batch,
                       "TensorScatter: write_indices has {} values for a batch of {}",
                       starts.size(), batch);
    }
    for (int64_t start : starts)
      FLOWONNX_REQUIRE(start >= 0 && (circular || start + length <= capacity),
                       "TensorScatter: write index {} + {} new entries outside the {} of {}", start,
                       length, capacity, past.describe());
    Tensor& present = ctx.allocate_output(0, past.shape(), past.dtype());
    std::memcpy(present.raw_data(), past.raw_data(), past.nbytes());
    // Each (prefix, position) owns a contiguous run of `inner` elements.
    int64_t inner = dtype_size(past.dtype());
    for (int64_t d = axis + 1; d < rank; ++d) inner *= past.shape()[d];
    int64_t prefixes = 1;
    for (int64_t d = 0; d < axis; ++d) prefixes *= past.shape()[d];
    const int64_t per_batch = prefixes / std::max<int64_t>(batch, 1);
    const char* src = static_cast<const char*>(update.raw_data());
    char* dst = static_cast<char*>(present.raw_data());
    for (int64_t p = 0; p < prefixes; ++p)
      for (int64_t s = 0; s < length; ++s) {
        const int64_t at = (starts[p / per_batch] + s) % capacity;
        std::memcpy(dst + (p * capacity + at) * inner, src + (p * length + s) * inner, inner);
      }
  };
}

}  // namespace

void register_attention_kernels(KernelRegistry& r) {
  r.add("", "Attention", make_attention,
        rules::per_output({rules::dtype_of_input(0), rules::dtype_of_input(1),
                           rules::dtype_of_input(2), rules::dtype_of_input(0)}));
  r.add("", "RotaryEmbedding", make_rotary_embedding, rules::same_as_input());
  r.add("", "TensorScatter", make_tensor_scatter, rules::same_as_input());
}

}  // namespace flowonnx::runtime::cpu
