// float <-> IEEE binary16 conversion (round to nearest even; NaN, Inf and subnormals kept).
#pragma once

#include <cstdint>

namespace flowonnx {

float half_bits_to_float(uint16_t bits);
uint16_t float_to_half_bits(float value);

}  // namespace flowonnx
