// The runtime tests' check for a refused model or feed: the body throws a flowonnx::Error with the
// expected code whose message names every given piece (node, op, input, expected vs actual).
#pragma once

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "base/error.h"

namespace flowonnx::testing {

template <typename Body>
void expect_error(Body&& body, ErrorCode code, const std::vector<std::string>& parts) {
  try {
    body();
    FAIL() << "no error thrown";
  } catch (const Error& error) {
    EXPECT_EQ(error.code(), code) << error.what();
    for (const auto& part : parts)
      EXPECT_NE(std::string(error.what()).find(part), std::string::npos)
          << "'" << part << "' not in: " << error.what();
  }
}

}  // namespace flowonnx::testing
