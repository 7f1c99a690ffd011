// Export of the reduce family against eager mode and ONNX Runtime, one case per op (the test
// body is in math_ops_export_test.cc, the mechanism in op_export_case.h).
#include <algorithm>
#include <cmath>

#include "export/op_export_case.h"
#include "flow/dispatch.h"

namespace flowonnx::testing {
namespace {

using Ints = std::vector<int64_t>;

BuildFn call(const std::string& op, ir::Attributes attrs = {}) {
  return [op, attrs](const std::vector<Tensor>& in) { return flow::call_op(op, in, attrs); };
}

// x [2, 3, 4] reduced over dims {0, 2}: out [3] (or [1, 3, 1]) from fn(the 8 values).
BuildFn over_dims_0_2(bool keepdims, std::function<double(const std::vector<double>&)> fn) {
  return [keepdims, fn](const std::vector<Tensor>& in) {
    std::vector<double> x = in[0].to_double_vector(), out;
    for (int64_t j = 0; j < 3; ++j) {
      std::vector<double> group;
      for (int64_t i = 0; i < 2; ++i)
        for (int64_t k = 0; k < 4; ++k) group.push_back(x[(i * 3 + j) * 4 + k]);
      out.push_back(fn(group));
    }
    return std::vector<Tensor>{Tensor::from_vector<double>(keepdims ? Shape{1, 3, 1} : Shape{3}, out).to(DType::Float32)};
  };
}

double sum(const std::vector<double>& v) {
  double s = 0;
  for (double x : v) s += x;
  return s;
}

// Index of the first max / min of each row of x [rows, n].
BuildFn arg_last(bool max) {
  return [max](const std::vector<Tensor>& in) {
    std::vector<double> x = in[0].to_double_vector();
    int64_t n = in[0].dim(-1);
    std::vector<int64_t> out;
    for (size_t row = 0; row < x.size(); row += n) {
      auto begin = x.begin() + row, end = begin + n;
      out.push_back((max ? std::max_element(begin, end) : std::min_element(begin, end)) - begin);
    }
    Shape shape(in[0].shape().begin(), in[0].shape().end() - 1);
    return std::vector<Tensor>{Tensor::from_vector<int64_t>(shape, out)};
  };
}

std::vector<OpExportCase> reduce_cases() {
  ir::Attributes dims{{"axis", Ints{0, -1}}, {"keepdims", int64_t{0}}};
  ir::Attributes kept{{"axis", Ints{0, 2}}, {"keepdims", int64_t{1}}};
  return {
      {"reduce_sum", {{{2, 3, 4}}}, call("reduce_sum", dims), over_dims_0_2(false, sum)},
      {"reduce_mean", {{{2, 3, 4}}}, call("reduce_mean", kept),
       over_dims_0_2(true, [](const std::vector<double>& v) { return sum(v) / v.size(); })},
      {"reduce_min", {{{2, 3, 4}}}, call("reduce_min", dims),
       over_dims_0_2(false, [](const std::vector<double>& v) { return *std::min_element(v.begin(), v.end()); })},
      {"reduce_max", {{{2, 3, 4}}}, call("reduce_max", kept),
       over_dims_0_2(true, [](const std::vector<double>& v) { return *std::max_element(v.begin(), v.end()); })},
      {"reduce_prod", {{{2, 3, 4}, DType::Float32, 0.5, 1.5}}, call("reduce_prod", dims),
       over_dims_0_2(false, [](const std::vector<double>& v) {
         double p = 1;
         for (double x : v) p *= x;
         return p;
       })},
      {"argmax", {{{2, 3, 5}}}, call("argmax"), arg_last(true)},
      {"argmin", {{{2, 3, 5}}}, call("argmin"), arg_last(false)},
      {"var", {{{2, 3, 4}}}, call("var", {{"dim", Ints{0, 2}}, {"unbiased", int64_t{1}}, {"keepdim", int64_t{0}}}),
       over_dims_0_2(false, [](const std::vector<double>& v) {
         double mean = sum(v) / v.size(), squares = 0;
         for (double x : v) squares += (x - mean) * (x - mean);
         return squares / (v.size() - 1);
       })},
  };
}

INSTANTIATE_TEST_SUITE_P(ReduceOps, OpExportTest, ::testing::ValuesIn(reduce_cases()), op_case_name);

}  // namespace
}  // namespace flowonnx::testing
