// Element types of tensors, with their sizes and names (numpy-style "float32", ONNX-style
// "tensor(float)" is derived elsewhere). Float16 is stored as raw IEEE binary16 bits.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace flowonnx {

enum class DType {
  Float32, Float64, Float16, Int8, Int16, Int32, Int64, UInt8, UInt16, UInt32, UInt64, Bool
};

// IEEE binary16 bits; arithmetic goes through float (see half.h).
struct Float16 {
  uint16_t bits = 0;
};

inline constexpr DType kAllDTypes[] = {DType::Float32, DType::Float64, DType::Float16,
                                       DType::Int8,    DType::Int16,   DType::Int32,
                                       DType::Int64,   DType::UInt8,   DType::UInt16,
                                       DType::UInt32,  DType::UInt64,  DType::Bool};

size_t dtype_size(DType dtype);
// "float32", "float64", "float16", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32",
// "uint64", "bool".
std::string_view dtype_name(DType dtype);
// Inverse of dtype_name; throws InvalidArgument for an unknown name.
DType dtype_from_name(std::string_view name);
bool is_floating(DType dtype);
// Signed or unsigned integer (not bool).
bool is_integer(DType dtype);

// Maps a C++ element type to its DType at compile time.
template <typename T> struct DTypeOf;
template <> struct DTypeOf<float> { static constexpr DType value = DType::Float32; };
template <> struct DTypeOf<double> { static constexpr DType value = DType::Float64; };
template <> struct DTypeOf<Float16> { static constexpr DType value = DType::Float16; };
template <> struct DTypeOf<int8_t> { static constexpr DType value = DType::Int8; };
template <> struct DTypeOf<int16_t> { static constexpr DType value = DType::Int16; };
template <> struct DTypeOf<int32_t> { static constexpr DType value = DType::Int32; };
template <> struct DTypeOf<int64_t> { static constexpr DType value = DType::Int64; };
template <> struct DTypeOf<uint8_t> { static constexpr DType value = DType::UInt8; };
template <> struct DTypeOf<uint16_t> { static constexpr DType value = DType::UInt16; };
template <> struct DTypeOf<uint32_t> { static constexpr DType value = DType::UInt32; };
template <> struct DTypeOf<uint64_t> { static constexpr DType value = DType::UInt64; };
template <> struct DTypeOf<bool> { static constexpr DType value = DType::Bool; };

// Calls fn(T{}) with T the C++ type of `dtype`; the one switch every dtype-generic loop goes through.
template <typename Fn>
decltype(auto) visit_dtype(DType dtype, Fn&& fn) {
  switch (dtype) {
    case DType::Float32: return fn(float{});
    case DType::Float64: return fn(double{});
    case DType::Float16: return fn(Float16{});
    case DType::Int8: return fn(int8_t{});
    case DType::Int16: return fn(int16_t{});
    case DType::Int32: return fn(int32_t{});
    case DType::Int64: return fn(int64_t{});
    case DType::UInt8: return fn(uint8_t{});
    case DType::UInt16: return fn(uint16_t{});
    case DType::UInt32: return fn(uint32_t{});
    case DType::UInt64: return fn(uint64_t{});
    case DType::Bool: return fn(bool{});
  }
  return fn(float{});
}

}  // namespace flowonnx
