#include <gtest/gtest.h>

#include <cmath>

#include "tensor/half.h"
#include "tensor/random.h"
#include "tensor/tensor.h"

namespace flowonnx {
namespace {

TEST(TensorTest, StorageIs64ByteAligned) {
  for (int64_t n : {1, 3, 17, 1000}) {
    Tensor t({n});
    EXPECT_EQ(reinterpret_cast<uintptr_t>(t.raw_data()) % 64, 0u);
  }
}

TEST(TensorTest, DTypeSizesAndNames) {
  EXPECT_EQ(dtype_size(DType::Float32), 4u);
  EXPECT_EQ(dtype_size(DType::Float16), 2u);
  EXPECT_EQ(dtype_size(DType::Int64), 8u);
  EXPECT_EQ(dtype_size(DType::Bool), 1u);
  for (DType dtype : kAllDTypes) EXPECT_EQ(dtype_from_name(dtype_name(dtype)), dtype);
  EXPECT_THROW(dtype_from_name("complex64"), Error);
}

TEST(TensorTest, ReshapeSharesStorageAndInfersMinusOne) {
  Tensor t = Tensor::from_vector<float>({2, 3}, {1, 2, 3, 4, 5, 6});
  Tensor r = t.reshape({3, -1});
  EXPECT_EQ(r.shape(), (Shape{3, 2}));
  EXPECT_TRUE(r.shares_storage_with(t));
  r.data<float>()[0] = 42;
  EXPECT_EQ(t.data<float>()[0], 42);
  try {
    t.reshape({4, -1});
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::InvalidArgument);
    EXPECT_NE(std::string(e.what()).find("[2,3]"), std::string::npos);
  }
}

TEST(TensorTest, RefusesNegativeAndAbsurdShapesBeforeAllocating) {
  EXPECT_THROW(Tensor({-1, 3}), Error);
  EXPECT_THROW(Tensor({int64_t{1} << 20, int64_t{1} << 20}), Error);
}

TEST(TensorTest, TypedAccessChecksDType) {
  Tensor t({2}, DType::Int64);
  EXPECT_THROW(t.data<float>(), Error);
  EXPECT_NO_THROW(t.data<int64_t>());
}

TEST(TensorTest, ConversionsBetweenEveryDType) {
  Tensor source = Tensor::from_vector<float>({5}, {-2.75f, 0.0f, 1.5f, 3.0f, 100.25f});
  for (DType dtype : kAllDTypes) {
    Tensor converted = source.to(dtype);
    EXPECT_EQ(converted.dtype(), dtype);
    std::vector<double> values = converted.to_double_vector();
    if (dtype == DType::Bool) {
      EXPECT_EQ(values, (std::vector<double>{1, 0, 1, 1, 1}));
    } else if (!is_floating(dtype) && dtype_name(dtype)[0] == 'u') {
      // Negative values are out of range for unsigned types: Tensor::to saturates them to 0.
      EXPECT_EQ(values, (std::vector<double>{0, 0, 1, 3, 100}));
    } else if (is_floating(dtype)) {
      EXPECT_EQ(values, (std::vector<double>{-2.75, 0.0, 1.5, 3.0, 100.25}));
    } else {
      EXPECT_EQ(values, (std::vector<double>{-2, 0, 1, 3, 100}));  // truncation toward zero
    }
  }
  Tensor big = Tensor::from_vector<int64_t>({1}, {(int64_t{1} << 60) + 1});
  EXPECT_EQ(big.to(DType::Int64).data<int64_t>()[0], (int64_t{1} << 60) + 1);
}

TEST(TensorTest, HalfConversionRoundTripsAndRounds) {
  for (float v : {0.0f, -0.0f, 1.0f, -2.5f, 65504.0f, 6.103515625e-05f, 5.9604644775390625e-08f})
    EXPECT_EQ(half_bits_to_float(float_to_half_bits(v)), v) << v;
  EXPECT_EQ(float_to_half_bits(1.0f), 0x3c00);
  EXPECT_EQ(float_to_half_bits(65536.0f), 0x7c00);  // overflow -> inf
  EXPECT_TRUE(std::isnan(half_bits_to_float(float_to_half_bits(NAN))));
  // 1 + 2^-11 is halfway between 1 and the next half; ties go to even (1.0).
  EXPECT_EQ(float_to_half_bits(1.0f + 1.0f / 2048), 0x3c00);
  EXPECT_EQ(float_to_half_bits(1.0f + 3.0f / 2048), 0x3c02);
}

TEST(RandomTest, SeededAndDistributedAsAsked) {
  Generator a(7), b(7), c(8);
  Tensor x = randn({10000}, a), y = randn({10000}, b), z = randn({10000}, c);
  EXPECT_EQ(x.to_double_vector(), y.to_double_vector());
  EXPECT_NE(x.to_double_vector(), z.to_double_vector());
  double sum = 0, sum_sq = 0;
  for (double v : x.to_double_vector()) {
    sum += v;
    sum_sq += v * v;
  }
  EXPECT_NEAR(sum / 10000, 0.0, 0.05);
  EXPECT_NEAR(sum_sq / 10000, 1.0, 0.05);
  Tensor u = rand_uniform({1000}, -1, 1, a);
  for (double v : u.to_double_vector()) EXPECT_TRUE(v >= -1 && v < 1);
}

TEST(RandomTest, KaimingNormalFanOutHasTorchStd) {
  Generator gen(3);
  Tensor w({64, 32, 3, 3});
  kaiming_normal_(w, FanMode::FanOut, 0, gen);
  double sum_sq = 0;
  for (double v : w.to_double_vector()) sum_sq += v * v;
  double std = std::sqrt(sum_sq / w.num_elements());
  EXPECT_NEAR(std, std::sqrt(2.0 / (64 * 9)), 0.002);
}

}  // namespace
}  // namespace flowonnx
