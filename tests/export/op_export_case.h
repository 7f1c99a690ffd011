// The table-driven export test shared by tests/export/{math,array,reduce}_ops_export_test.cc:
// one case per framework op (the gtest case name is the op name, which the op's export handler
// registration names in its `tests` string). A case builds the op on seeded random inputs and
// checks, in order:
//   1. the traced graph really contains the op (a case cannot test something else by mistake);
//   2. eager output vs an independent reference (a formula written here, or a hand-computed
//      value) when the case has one;
//   3. the export at the lowest opset of each mapping the handler declares and at 17 passes
//      libonnx's checker and matches ONNX Runtime (rtol 1e-4, atol 1e-5) on every output;
//   4. an op whose first mapping starts above opset 9 is refused one opset earlier.
// The test body is defined once (math_ops_export_test.cc); each family file instantiates it.
#pragma once

#include <gtest/gtest.h>

#include <functional>
#include <ostream>
#include <string>
#include <vector>

#include "tensor/tensor.h"

namespace flowonnx::testing {

// A random input: floats uniform in [low, high); integers uniform in [low, high); bool 0/1.
struct InputSpec {
  Shape shape;
  DType dtype = DType::Float32;
  double low = -2.0, high = 2.0;
};

using BuildFn = std::function<std::vector<Tensor>(const std::vector<Tensor>& inputs)>;

struct OpExportCase {
  OpExportCase(std::string op, std::vector<InputSpec> inputs, BuildFn build, BuildFn reference = nullptr)
      : op(std::move(op)), inputs(std::move(inputs)), build(std::move(build)), reference(std::move(reference)) {}

  std::string op;  // the framework op under test, also the gtest case name
  std::vector<InputSpec> inputs;
  BuildFn build;      // runs the op (through functional wrappers or call_op)
  BuildFn reference;  // optional: expected outputs computed without the framework op
  double reference_tolerance = 1e-5;
  // A second case of the same op (gtest name "<op>_<variant>") for a form that needs a later
  // opset than the op's first mapping: it is exported from min_opset on and must be refused
  // one opset earlier.
  std::string variant;
  int min_opset = 0;
};

// gtest prints the case by its op name instead of its bytes.
inline void PrintTo(const OpExportCase& c, std::ostream* out) { *out << c.op << (c.variant.empty() ? "" : "_") << c.variant; }

class OpExportTest : public ::testing::TestWithParam<OpExportCase> {};

inline std::string op_case_name(const ::testing::TestParamInfo<OpExportCase>& info) {
  return info.param.variant.empty() ? info.param.op : info.param.op + "_" + info.param.variant;
}

// Reference helpers: the expected output of an element-wise function on (broadcast) inputs,
// computed in double with numpy broadcasting, in `dtype`.
Tensor elementwise_reference(const std::vector<Tensor>& inputs, DType dtype,
                             const std::function<double(const std::vector<double>&)>& fn);

}  // namespace flowonnx::testing
