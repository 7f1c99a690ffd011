// Signal ops of opset 17 (kernels/cpu/signal.h):
//   HannWindow / HammingWindow / BlackmanWindow(size) -> [size] of output_datatype (default
//     float), periodic (default 1) or symmetric;
//   DFT(input [batch, n.., 1 or 2], dft_length?) along `axis` (default 1), inverse, onesided;
//     output [.., bins, .., 2] of the input's dtype;
//   STFT(signal [batch, length, 1 or 2], frame_step, window? [L], frame_length?) -> [batch,
//     frames, bins, 2], frames of the windowed signal each through the DFT (onesided default 1);
//   MelWeightMatrix(num_mel_bins, dft_length, sample_rate, lower_edge_hertz, upper_edge_hertz)
//     -> [dft_length / 2 + 1, num_mel_bins] of output_datatype.
#include <fmt/format.h>

#include "kernels/cpu/signal.h"
#include "onnx/model_io.h"
#include "runtime/providers/cpu/cpu_kernels.h"

namespace flowonnx::runtime::cpu {

namespace {

std::string where_of(const KernelInit& init) {
  return fmt::format("{} node '{}'", init.node().op_type, init.node().name);
}

// A scalar (or 1-element) integer input.
int64_t scalar_int(const Tensor& t, const std::string& what) {
  std::vector<int64_t> values = tensor_to_int64s(t, what.c_str());
  FLOWONNX_REQUIRE(values.size() == 1, "{} must be a scalar, got {}", what, t.describe());
  return values[0];
}

double scalar_float(const Tensor& t, const std::string& what) {
  FLOWONNX_REQUIRE(t.num_elements() == 1, "{} must be a scalar, got {}", what, t.describe());
  return t.to_double_vector()[0];
}

DType output_datatype(const KernelInit& init) {
  const int64_t code = init.attr_int("output_datatype", 1);
  try {
    return onnx_io::dtype_from_onnx(static_cast<int>(code));
  } catch (const Error& error) {
    init.fail_model(fmt::format("output_datatype {}: {}", code, error.what()));
  }
}

Tensor from_doubles(const std::vector<double>& values, const Shape& shape, DType dtype) {
  Tensor t(shape, DType::Float64);
  std::copy(values.begin(), values.end(), t.data<double>());
  return t.to(dtype);
}

// The window sizes we accept: far beyond any audio frame, far below an allocation failure.
constexpr int64_t kMaxWindow = int64_t{1} << 26;

struct CosineSum {
  double a0, a1, a2;
};

template <CosineSum (*Coefficients)()>
ComputeFn make_window(const KernelInit& init) {
  const DType dtype = output_datatype(init);
  const bool periodic = init.attr_int("periodic", 1) != 0;
  const std::string where = where_of(init);
  return [=](KernelContext& ctx) {
    const int64_t size = scalar_int(ctx.input(0), where + " size");
    FLOWONNX_REQUIRE(size >= 0 && size <= kMaxWindow, "{}: size must be in [0, {}], got {}", where, kMaxWindow,
                     size);
    const CosineSum c = Coefficients();
    ctx.set_output(0, from_doubles(kernels::cosine_window(size, periodic, c.a0, c.a1, c.a2), {size}, dtype));
  };
}

CosineSum hann() { return {0.5, 0.5, 0.0}; }
CosineSum hamming() { return {25.0 / 46.0, 21.0 / 46.0, 0.0}; }
CosineSum blackman() { return {0.42, 0.5, 0.08}; }

ComputeFn make_dft(const KernelInit& init) {
  const int64_t axis = init.attr_int("axis", 1);
  const bool inverse = init.attr_int("inverse", 0) != 0;
  const bool onesided = init.attr_int("onesided", 0) != 0;
  if (inverse && onesided) init.fail_model("inverse with onesided is not defined (the input would be half a spectrum)");
  const std::string where = where_of(init);
  return [=](KernelContext& ctx) {
    const Tensor& x = ctx.input(0);
    const int64_t rank = x.rank();
    FLOWONNX_REQUIRE(is_floating(x.dtype()) && rank >= 2 && (x.shape().back() == 1 || x.shape().back() == 2),
                     "{}: input must be float of shape [batch, n.., 1 or 2], got {}", where, x.describe());
    FLOWONNX_REQUIRE(axis >= -rank && axis < rank - 1 && axis != -1, "{}: axis {} out of range for input {}",
                     where, axis, x.describe());
    const int64_t a = axis < 0 ? axis + rank : axis;
    const int64_t length_in = x.shape()[a];
    const int64_t length = ctx.has_input(1) ? scalar_int(ctx.input(1), where + " dft_length") : length_in;
    FLOWONNX_REQUIRE(length >= 1 && length <= kMaxWindow, "{}: dft_length must be in [1, {}], got {}", where,
                     kMaxWindow, length);
    int64_t outer = 1, inner = 1;
    for (int64_t d = 0; d < a; ++d) outer *= x.shape()[d];
    for (int64_t d = a + 1; d < rank - 1; ++d) inner *= x.shape()[d];
    // Complex float64 [outer, n, inner, 2]; a real input gets zero imaginary parts.
    Tensor source = x.to(DType::Float64);
    Tensor complex({outer, length_in, inner, 2}, DType::Float64);
    const double* in = source.data<double>();
    double* c = complex.data<double>();
    const bool real = x.shape().back() == 1;
    for (int64_t i = 0; i < outer * length_in * inner; ++i) {
      c[2 * i] = real ? in[i] : in[2 * i];
      c[2 * i + 1] = real ? 0.0 : in[2 * i + 1];
    }
    const int64_t bins = onesided ? length / 2 + 1 : length;
    Tensor result({outer, bins, inner, 2}, DType::Float64);
    kernels::dft(complex, length, inverse, onesided, result);
    Shape out = x.shape();
    out[a] = bins;
    out.back() = 2;
    ctx.set_output(0, result.reshape(out).to(x.dtype()));
  };
}

ComputeFn make_stft(const KernelInit& init) {
  const bool onesided = init.attr_int("onesided", 1) != 0;
  const std::string where = where_of(init);
  return [=](KernelContext& ctx) {
    const Tensor& x = ctx.input(0);
    FLOWONNX_REQUIRE(is_floating(x.dtype()) && x.rank() == 3 && (x.shape()[2] == 1 || x.shape()[2] == 2),
                     "{}: signal must be float [batch, length, 1 or 2], got {}", where, x.describe());
    const int64_t batch = x.shape()[0], length = x.shape()[1];
    const int64_t step = scalar_int(ctx.input(1), where + " frame_step");
    const Tensor* window = ctx.has_input(2) ? &ctx.input(2) : nullptr;
    FLOWONNX_REQUIRE(!window || window->rank() == 1, "{}: window must be 1-D, got {}", where, window->describe());
    int64_t frame = window ? window->shape()[0] : 0;
    if (ctx.has_input(3)) {
      const int64_t given = scalar_int(ctx.input(3), where + " frame_length");
      FLOWONNX_REQUIRE(!window || given == frame, "{}: frame_length {} but window {}", where, given,
                       window->describe());
      frame = given;
    }
    FLOWONNX_REQUIRE(frame >= 1 && frame <= length && step >= 1, "{}: need 1 <= frame_length ({}) <= signal length "
                     "({}) and frame_step ({}) >= 1", where, frame, length, step);
    const int64_t frames = (length - frame) / step + 1;
    FLOWONNX_REQUIRE(batch * frames <= kMaxWindow / frame, "{}: {} frames of {} samples is too many", where,
                     batch * frames, frame);
    const bool real = x.shape()[2] == 1;
    FLOWONNX_REQUIRE(!(onesided && !real), "{}: onesided needs a real signal, got {}", where, x.describe());
    const std::vector<double> w = window ? window->to_double_vector() : std::vector<double>(frame, 1.0);
    const Tensor source = x.to(DType::Float64);
    const double* in = source.data<double>();
    Tensor framed({batch * frames, frame, 1, 2}, DType::Float64);
    double* f = framed.data<double>();
    for (int64_t b = 0; b < batch; ++b)
      for (int64_t s = 0; s < frames; ++s)
        for (int64_t n = 0; n < frame; ++n) {
          const double* v = in + (b * length + s * step + n) * (real ? 1 : 2);
          double* out = f + ((b * frames + s) * frame + n) * 2;
          out[0] = v[0] * w[n];
          out[1] = real ? 0.0 : v[1] * w[n];
        }
    const int64_t bins = onesided ? frame / 2 + 1 : frame;
    Tensor result({batch * frames, bins, 1, 2}, DType::Float64);
    kernels::dft(framed, frame, false, onesided, result);
    ctx.set_output(0, result.reshape({batch, frames, bins, 2}).to(x.dtype()));
  };
}

ComputeFn make_mel_weight_matrix(const KernelInit& init) {
  const DType dtype = output_datatype(init);
  const std::string where = where_of(init);
  return [=](KernelContext& ctx) {
    const int64_t bins = scalar_int(ctx.input(0), where + " num_mel_bins");
    const int64_t dft_length = scalar_int(ctx.input(1), where + " dft_length");
    const int64_t sample_rate = scalar_int(ctx.input(2), where + " sample_rate");
    FLOWONNX_REQUIRE(bins <= kMaxWindow && dft_length <= kMaxWindow && (dft_length / 2 + 1) * bins <= kMaxWindow,
                     "{}: {} mel bins of a {}-point DFT is too large", where, bins, dft_length);
    std::vector<double> w = kernels::mel_weight_matrix(bins, dft_length, sample_rate,
                                                       scalar_float(ctx.input(3), where + " lower_edge_hertz"),
                                                       scalar_float(ctx.input(4), where + " upper_edge_hertz"));
    ctx.set_output(0, from_doubles(w, {dft_length / 2 + 1, bins}, dtype));
  };
}

// Output 0 has the dtype named by output_datatype (default float).
std::optional<ir::ValueType> output_datatype_rule(const TypeContext& ctx) {
  const ir::Node& node = ctx.node();
  int64_t code = 1;
  if (node.attrs.has("output_datatype")) {
    try {
      code = node.attrs.get_int("output_datatype");
      return ir::ValueType{onnx_io::dtype_from_onnx(static_cast<int>(code)), std::nullopt};
    } catch (const Error&) {
      return std::nullopt;  // the kernel factory reports it
    }
  }
  return ir::ValueType{onnx_io::dtype_from_onnx(static_cast<int>(code)), std::nullopt};
}

}  // namespace

void register_signal_kernels(KernelRegistry& r) {
  r.add("", "HannWindow", make_window<hann>, output_datatype_rule);
  r.add("", "HammingWindow", make_window<hamming>, output_datatype_rule);
  r.add("", "BlackmanWindow", make_window<blackman>, output_datatype_rule);
  r.add("", "DFT", make_dft, rules::input_dtype_only());
  r.add("", "STFT", make_stft, rules::input_dtype_only());
  r.add("", "MelWeightMatrix", make_mel_weight_matrix, output_datatype_rule);
}

}  // namespace flowonnx::runtime::cpu
