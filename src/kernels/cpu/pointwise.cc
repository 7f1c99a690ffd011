#include "kernels/cpu/pointwise.h"

#include <algorithm>

#include "kernels/cpu/broadcast_loop.h"
#include "kernels/cpu/threading.h"

namespace flowonnx::kernels {

void pointwise(const char* op, const std::vector<Tensor>& inputs, Tensor& y, const PointwiseFn& fn) {
  std::vector<Shape> shapes;
  for (const Tensor& input : inputs) shapes.push_back(input.shape());
  Shape out = shapes.empty() ? y.shape() : broadcast_all(shapes, op);
  FLOWONNX_REQUIRE(out == y.shape(), "{}: output is {} but the inputs broadcast to {}", op,
                   y.describe(), shape_to_string(out));
  // Inputs as contiguous doubles, addressed through broadcast strides.
  std::vector<std::vector<double>> values;
  std::vector<std::vector<int64_t>> strides;
  for (const Tensor& input : inputs) {
    values.push_back(input.to_double_vector());
    strides.push_back(broadcast_strides(input.shape(), out));
  }
  const int64_t count = num_elements(out);
  Tensor result(out, DType::Float64);
  double* result_data = result.data<double>();
  const size_t rank = out.size(), arity = inputs.size();
  const int threads = threads_for(count, 8);  // an index walk and a call per element
#pragma omp parallel num_threads(threads) if (threads > 1)
  {
    std::vector<double> args(arity);
    std::vector<int64_t> offsets(arity);
#pragma omp for
    for (int64_t i = 0; i < count; ++i) {
      std::fill(offsets.begin(), offsets.end(), 0);
      int64_t rest = i;
      for (size_t d = rank; d-- > 0;) {
        int64_t index = rest % out[d];
        rest /= out[d];
        for (size_t k = 0; k < arity; ++k) offsets[k] += index * strides[k][d];
      }
      for (size_t k = 0; k < arity; ++k) args[k] = values[k][offsets[k]];
      result_data[i] = fn(args.data());
    }
  }
  y.copy_from(result);
}

}  // namespace flowonnx::kernels
