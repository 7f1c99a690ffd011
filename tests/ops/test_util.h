// Helpers for the kernel tests: seeded random inputs, tolerance comparison that reports the worst
// element, and error assertions that check the code and a message fragment.
#pragma once

#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <string>

#include "base/error.h"
#include "tensor/random.h"
#include "tensor/tensor.h"

namespace flowonnx::testing {

// |actual - expected| <= atol + rtol * |expected| everywhere; on failure names the first bad
// element and how many differ.
inline ::testing::AssertionResult all_close(const Tensor& actual, const Tensor& expected,
                                            double rtol = 1e-5, double atol = 1e-6) {
  if (actual.shape() != expected.shape() || actual.dtype() != expected.dtype())
    return ::testing::AssertionFailure()
           << "got " << actual.describe() << ", expected " << expected.describe();
  const std::vector<double> a = actual.to_double_vector(), e = expected.to_double_vector();
  int64_t bad = 0, first = -1;
  for (size_t i = 0; i < a.size(); ++i) {
    const bool close = std::abs(a[i] - e[i]) <= atol + rtol * std::abs(e[i]) ||
                       (std::isnan(a[i]) && std::isnan(e[i])) || a[i] == e[i];
    if (!close && bad++ == 0) first = static_cast<int64_t>(i);
  }
  if (bad == 0) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure()
         << bad << " of " << a.size() << " elements differ (rtol " << rtol << ", atol " << atol
         << "); first at flat index " << first << ": got " << a[first] << ", expected " << e[first]
         << " (" << actual.describe() << ")";
}

// Exact equality, for integer ops and data movement.
inline ::testing::AssertionResult all_equal(const Tensor& actual, const Tensor& expected) {
  return all_close(actual, expected, 0.0, 0.0);
}

// `body` must throw flowonnx::Error with `code` and a message containing `fragment`.
inline void expect_error(const std::function<void()>& body, ErrorCode code,
                         const std::string& fragment) {
  try {
    body();
  } catch (const Error& error) {
    EXPECT_EQ(error.code(), code) << error.what();
    EXPECT_NE(std::string(error.what()).find(fragment), std::string::npos)
        << "message '" << error.what() << "' lacks '" << fragment << "'";
    return;
  }
  ADD_FAILURE() << "expected flowonnx::Error containing '" << fragment << "', nothing thrown";
}

inline Tensor filled(const Shape& shape, float value) { return Tensor::full(shape, value); }

}  // namespace flowonnx::testing
