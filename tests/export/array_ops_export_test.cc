// Export of the array family against eager mode and ONNX Runtime, one case per op (the test
// body is in math_ops_export_test.cc, the mechanism in op_export_case.h).
#include "export/op_export_case.h"
#include "flow/dispatch.h"

namespace flowonnx::testing {
namespace {

using Ints = std::vector<int64_t>;
using Values = std::vector<double>;

BuildFn call(const std::string& op, ir::Attributes attrs = {}) {
  return [op, attrs](const std::vector<Tensor>& in) { return flow::call_op(op, in, attrs); };
}

// Reference for ops that only move elements: out[i] = in[source(i)] with the output's shape.
BuildFn moved(Shape out, std::function<int64_t(const Ints& index)> source) {
  return [out, source](const std::vector<Tensor>& in) {
    std::vector<double> values = in[0].to_double_vector(), result(num_elements(out));
    Ints index(out.size());
    for (size_t i = 0; i < result.size(); ++i) {
      for (size_t d = out.size(), rest = i; d-- > 0;) index[d] = static_cast<int64_t>(rest % out[d]), rest /= out[d];
      result[i] = values[source(index)];
    }
    return std::vector<Tensor>{Tensor::from_vector<double>(out, result).to(in[0].dtype())};
  };
}

BuildFn same_values(Shape out) {
  return [out](const std::vector<Tensor>& in) { return std::vector<Tensor>{in[0].clone().reshape(out)}; };
}

std::vector<OpExportCase> array_cases() {
  std::vector<OpExportCase> cases;
  for (const char* op : {"identity", "amp_white_identity", "amp_black_identity", "distribute_split",
                         "distribute_concat", "distribute_clone", "distribute_add"})
    cases.push_back({op, {{{2, 3}}}, call(op), same_values({2, 3})});
  cases.push_back({"flatten", {{{2, 3, 4, 5}}}, call("flatten", {{"start_dim", int64_t{1}}, {"end_dim", int64_t{2}}}),
                   same_values({2, 12, 5})});
  cases.push_back({"reshape", {{{2, 3, 4}}}, call("reshape", {{"shape", Ints{4, -1}}}), same_values({4, 6})});
  cases.push_back({"squeeze", {{{2, 1, 3, 1}}}, call("squeeze", {{"axes", Ints{1, -1}}}), same_values({2, 3})});
  cases.push_back({"expand_dims", {{{2, 3}}}, call("expand_dims", {{"axis", int64_t{-1}}}), same_values({2, 3, 1})});
  cases.push_back({"expand", {{{3, 1}}}, call("expand", {{"expand_shape", Ints{2, -1, 4}}}),
                   moved({2, 3, 4}, [](const Ints& i) { return i[1]; })});
  cases.push_back({"transpose", {{{2, 3, 4}}}, call("transpose", {{"perm", Ints{2, 0, 1}}}),
                   moved({4, 2, 3}, [](const Ints& i) { return (i[1] * 3 + i[2]) * 4 + i[0]; })});
  cases.push_back({"concat", {{{2, 3}}, {{2, 2}}}, call("concat", {{"axis", int64_t{1}}}), nullptr});
  // x[0:2, 1:-1, :] of a [3, 6, 7]
  cases.push_back({"slice", {{{3, 6, 7}}}, call("slice", {{"start", Ints{0, 1, 0}}, {"stop", Ints{2, -1, 7}}, {"step", Ints{1, 1, 1}}}),
                   moved({2, 4, 7}, [](const Ints& i) { return (i[0] * 6 + i[1] + 1) * 7 + i[2]; })});
  // x[-2:, 1::2, ::3]: steps exist from opset 10 (Slice's steps input) and are refused at 9.
  cases.push_back({"slice", {{{3, 6, 7}}}, call("slice", {{"start", Ints{-2, 1, 0}}, {"stop", Ints{3, 6, 7}}, {"step", Ints{1, 2, 3}}}),
                   moved({2, 3, 3}, [](const Ints& i) { return ((i[0] + 1) * 6 + 1 + 2 * i[1]) * 7 + 3 * i[2]; })});
  cases.back().variant = "steps";
  cases.back().min_opset = 10;
  cases.push_back({"narrow", {{{3, 6}}}, call("narrow", {{"dim", int64_t{1}}, {"start", int64_t{2}}, {"length", int64_t{3}}}),
                   moved({3, 3}, [](const Ints& i) { return i[0] * 6 + i[1] + 2; })});
  cases.push_back({"gather", {{{4, 3}}, {{2, 5}, DType::Int64, 0, 3}}, call("gather", {{"axis", int64_t{1}}}), nullptr});
  cases.push_back({"gather_nd", {{{4, 3, 2}}, {{5, 2}, DType::Int32, 0, 3}}, call("gather_nd"), nullptr});
  cases.push_back({"cast", {{{3, 4}, DType::Float32, -5, 5}}, call("cast", {{"dtype", std::string("int32")}}),
                   [](const std::vector<Tensor>& in) {
                     std::vector<double> v = in[0].to_double_vector();
                     for (double& x : v) x = std::trunc(x);
                     return std::vector<Tensor>{Tensor::from_vector<double>({3, 4}, v).to(DType::Int32)};
                   }});
  // constant has no inputs: it is added to x so the graph has one.
  cases.push_back({"constant", {{{2, 3}}},
                   [](const std::vector<Tensor>& in) {
                     Tensor c = flow::call_op("constant", {}, {{"floating_value", 1.5}, {"shape", Ints{2, 3}}})[0];
                     return flow::call_op("broadcast_add", {in[0], c});
                   },
                   [](const std::vector<Tensor>& in) {
                     std::vector<double> v = in[0].to_double_vector();
                     for (double& x : v) x += 1.5;
                     return std::vector<Tensor>{Tensor::from_vector<double>({2, 3}, v).to(DType::Float32)};
                   }});
  cases.push_back({"where", {{{2, 1, 4}, DType::Bool}, {{3, 4}}, {{2, 3, 1}}}, call("where"),
                   [](const std::vector<Tensor>& in) {
                     return std::vector<Tensor>{elementwise_reference(
                         in, DType::Float32, [](const std::vector<double>& v) { return v[0] != 0 ? v[1] : v[2]; })};
                   }});
  return cases;
}

INSTANTIATE_TEST_SUITE_P(ArrayOps, OpExportTest, ::testing::ValuesIn(array_cases()), op_case_name);

}  // namespace
}  // namespace flowonnx::testing
