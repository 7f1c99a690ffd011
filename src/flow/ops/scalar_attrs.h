// OneFlow's scalar attributes, read the same way by the ops (eager) and their export handlers:
// scalar ops carry {has_int_operand, int_operand, has_float_operand, float_operand}, fill-like
// ops {is_floating_value, floating_value, integral_value}.
#pragma once

#include "ir/attribute.h"

namespace flowonnx::flow {

inline double scalar_operand(const ir::Attributes& attrs) {
  return attrs.get_bool("has_float_operand") ? attrs.get_float("float_operand")
                                             : static_cast<double>(attrs.get_int("int_operand"));
}

inline double fill_value(const ir::Attributes& attrs) {
  return attrs.get_bool("is_floating_value") ? attrs.get_float("floating_value")
                                             : static_cast<double>(attrs.get_int("integral_value"));
}

}  // namespace flowonnx::flow
