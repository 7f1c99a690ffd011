#include "tensor/npy.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <fstream>

#include "base/error.h"

namespace flowonnx {
namespace {

namespace fs = std::filesystem;

// Builds the bytes of an npy file: magic, version, little-endian header length, header, data.
std::string npy_bytes(int major, const std::string& header, const std::string& data = "") {
  std::string out = "\x93NUMPY";
  out += static_cast<char>(major);
  out += '\0';
  size_t width = major == 1 ? 2 : 4;
  for (size_t i = 0; i < width; ++i) out += static_cast<char>((header.size() >> (8 * i)) & 0xFF);
  return out + header + data;
}

template <typename T>
std::string raw(const std::vector<T>& values) {
  std::string bytes(values.size() * sizeof(T), '\0');
  if (!values.empty()) std::memcpy(bytes.data(), values.data(), bytes.size());
  return bytes;
}

// Runs `body`, expecting an Error with `code` whose message contains `fragment`.
template <typename Body>
void expect_error(Body body, ErrorCode code, const std::string& fragment) {
  try {
    body();
    FAIL() << "expected an error containing '" << fragment << "'";
  } catch (const Error& error) {
    EXPECT_EQ(error.code(), code) << error.what();
    EXPECT_NE(std::string(error.what()).find(fragment), std::string::npos) << error.what();
  }
}

void expect_same(const Tensor& a, const Tensor& b) {
  ASSERT_EQ(a.dtype(), b.dtype());
  ASSERT_EQ(a.shape(), b.shape());
  ASSERT_EQ(a.nbytes(), b.nbytes());
  EXPECT_EQ(0, std::memcmp(a.raw_data(), b.raw_data(), a.nbytes()));
}

Tensor iota(const Shape& shape, DType dtype) {
  Tensor tensor(shape, dtype);
  auto* bytes = static_cast<uint8_t*>(tensor.raw_data());
  for (size_t i = 0; i < tensor.nbytes(); ++i) bytes[i] = static_cast<uint8_t>(i * 37 + 11);
  if (dtype == DType::Bool)
    for (size_t i = 0; i < tensor.nbytes(); ++i) bytes[i] = i % 3 == 0;
  return tensor;
}

TEST(Npy, RoundTripEveryDtypeAndShape) {
  const Shape shapes[] = {{}, {0}, {5}, {2, 3}, {2, 0, 4}, {1, 2, 3, 4}};
  for (DType dtype : kAllDTypes) {
    for (const Shape& shape : shapes) {
      SCOPED_TRACE(std::string(dtype_name(dtype)) + shape_to_string(shape));
      Tensor tensor = iota(shape, dtype);
      std::string bytes = serialize_npy(tensor);
      EXPECT_EQ(0u, (bytes.size() - tensor.nbytes()) % 64) << "data must start 64-byte aligned";
      EXPECT_EQ('\n', bytes[bytes.size() - tensor.nbytes() - 1]);
      expect_same(tensor, parse_npy(bytes, "<memory>"));
    }
  }
}

TEST(Npy, Float16BitPatternsSurvive) {
  // +0, -0, 1, -2, smallest subnormal, max, inf, -inf, a quiet NaN, a NaN with payload.
  std::vector<Float16> values;
  for (uint16_t bits :
       {0x0000, 0x8000, 0x3C00, 0xC000, 0x0001, 0x7BFF, 0x7C00, 0xFC00, 0x7E00, 0x7C01})
    values.push_back(Float16{bits});
  Tensor tensor = Tensor::from_vector<Float16>({10}, values);
  Tensor back = parse_npy(serialize_npy(tensor), "<memory>");
  for (size_t i = 0; i < values.size(); ++i)
    EXPECT_EQ(values[i].bits, back.data<Float16>()[i].bits);
}

TEST(Npy, WritesExactlyWhatNumpyWrites) {
  // np.save of np.arange(6, dtype='<f4').reshape(2, 3) with numpy 1.26: the dict, 20 spaces of
  // growth room (21 - len('2')), padding to 64 bytes, '\n'.
  std::string dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }";
  std::string header = dict + std::string(20, ' ');
  header += std::string(118 - header.size() - 1, ' ') + "\n";
  std::vector<float> values = {0, 1, 2, 3, 4, 5};
  std::string expected = npy_bytes(1, header, raw(values));
  ASSERT_EQ(128u + 24u, expected.size());
  Tensor tensor = Tensor::from_vector<float>({2, 3}, values);
  EXPECT_EQ(expected, serialize_npy(tensor));
  expect_same(tensor, parse_npy(expected, "<memory>"));

  // A 0-d int64 and a 1-d bool, as numpy writes them.
  std::string scalar_dict = "{'descr': '<i8', 'fortran_order': False, 'shape': (), }";
  std::string scalar_header = scalar_dict + std::string(118 - scalar_dict.size() - 1, ' ') + "\n";
  Tensor scalar = parse_npy(npy_bytes(1, scalar_header, raw<int64_t>({-7})), "<memory>");
  EXPECT_EQ(Shape{}, scalar.shape());
  EXPECT_EQ(-7, scalar.data<int64_t>()[0]);
  EXPECT_EQ(npy_bytes(1, scalar_header, raw<int64_t>({-7})), serialize_npy(scalar));
  Tensor flags =
      parse_npy(serialize_npy(Tensor::from_vector<bool>({3}, {true, false, true})), "<memory>");
  EXPECT_NE(serialize_npy(flags).find("'descr': '|b1'"), std::string::npos);
  EXPECT_NE(serialize_npy(flags).find("'shape': (3,)"), std::string::npos);
}

TEST(Npy, ParsesOtherHeaderSpellings) {
  std::string data = raw<int32_t>({1, 2, 3, 4, 5});
  // Old numpy (16-byte alignment, no growth room), key order changed, Python 2 longs, v2 and v3
  // length fields, double quotes, no trailing comma.
  const std::pair<int, std::string> headers[] = {
      {1, "{'descr': '<i4', 'fortran_order': False, 'shape': (5,), }          \n"},
      {1, "{'shape': (5L,), 'fortran_order': False, 'descr': '<i4'}\n"},
      {2, "{ \"descr\" : \"<i4\" ,'fortran_order':False,'shape':( 5 , ) }  \n"},
      {3, "{'descr': '=i4', 'fortran_order': False, 'shape': (5,)}\n"},
  };
  for (const auto& [major, header] : headers) {
    SCOPED_TRACE(header);
    Tensor tensor = parse_npy(npy_bytes(major, header, data), "<memory>");
    EXPECT_EQ(Shape{5}, tensor.shape());
    EXPECT_EQ(5, tensor.data<int32_t>()[4]);
  }
  // Single-byte types in any byte-order spelling.
  for (std::string descr : {"|i1", "<i1", ">i1", "|u1", "<u1", "|b1", "?"}) {
    SCOPED_TRACE(descr);
    std::string header = "{'descr': '" + descr + "', 'fortran_order': False, 'shape': (2,), }\n";
    Tensor tensor = parse_npy(npy_bytes(1, header, std::string("\x01\x02", 2)), "<memory>");
    EXPECT_EQ(1u, dtype_size(tensor.dtype()));
  }
  // Bool bytes other than 0/1 are normalised.
  Tensor flags = parse_npy(npy_bytes(1, "{'descr': '|b1', 'fortran_order': False, 'shape': (2,)}\n",
                                     std::string("\x00\x05", 2)),
                           "<memory>");
  EXPECT_EQ(std::vector<double>({0, 1}), flags.to_double_vector());
}

TEST(Npy, RefusesBadFiles) {
  auto header = [](const std::string& descr, const std::string& order, const std::string& shape) {
    return "{'descr': '" + descr + "', 'fortran_order': " + order + ", 'shape': " + shape + ", }\n";
  };
  std::string six_floats = raw<float>({0, 1, 2, 3, 4, 5});
  auto parse = [](const std::string& bytes) {
    return [bytes] { parse_npy(bytes, "weights.npy"); };
  };
  const ErrorCode bad = ErrorCode::InvalidModel;

  expect_error(parse("PK\x03\x04 not numpy"), bad, "weights.npy: not an npy file (bad magic)");
  expect_error(parse(""), bad, "bad magic");
  expect_error(parse(npy_bytes(4, header("<f4", "False", "(6,)"), six_floats)), bad, "version 4.0");
  expect_error(parse(npy_bytes(1, header("<f4", "True", "(2, 3)"), six_floats)), bad,
               "Fortran-order arrays are not supported; save with np.ascontiguousarray");
  expect_error(parse(npy_bytes(1, header("<c8", "False", "(3,)"), six_floats)), bad, "'<c8'");
  expect_error(parse(npy_bytes(1, header(">f4", "False", "(6,)"), six_floats)), bad, "big-endian");
  expect_error(parse(npy_bytes(1, header("<U3", "False", "(2,)"), six_floats)), bad, "'<U3'");
  expect_error(
      parse(npy_bytes(1, "{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (6,)}\n",
                      six_floats)),
      bad, "unsupported npy dtype");
  expect_error(parse(npy_bytes(1, header("<f4", "False", "(2, 4)"), six_floats)), bad,
               "truncated npy data: float32 [2,4] expects 32 bytes, got 24");
  expect_error(parse(npy_bytes(1, header("<f4", "False", "(5,)"), six_floats)), bad,
               "extra bytes after the npy data: float32 [5] expects 20 bytes, got 24");
  expect_error(parse(npy_bytes(1, header("<f4", "False", "(-1,)"), six_floats)), bad,
               "negative dim");
  expect_error(parse(npy_bytes(1, header("<f4", "False", "(100000000, 100000000)"), six_floats)),
               bad, "more than 2^36 elements");
  expect_error(parse(npy_bytes(1, header("<f4", "False", "(99999999999999999999,)"), six_floats)),
               bad, "bad integer");
  expect_error(parse(npy_bytes(1, "{'descr': '<f4', 'shape': (6,)}\n", six_floats)), bad,
               "needs 'descr', 'fortran_order' and 'shape'");
  expect_error(
      parse(npy_bytes(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (6,), 'x': 1}\n",
                      six_floats)),
      bad, "unexpected key 'x'");
  expect_error(parse(npy_bytes(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (6,)} junk\n",
                               six_floats)),
               bad, "malformed npy header");
  expect_error(parse(npy_bytes(1, "{'descr': '<f4\n", six_floats)), bad, "unterminated string");
  // The header length field points past the end of the file.
  std::string truncated = npy_bytes(1, header("<f4", "False", "(6,)"));
  truncated.resize(truncated.size() - 10);
  expect_error(parse(truncated), bad, "truncated npy header");
  std::string huge = "\x93NUMPY\x02";
  huge += std::string("\0\xff\xff\xff\x7f", 5);
  expect_error(parse(huge), bad, "header too long");
}

TEST(Npy, WriteAndReadFile) {
  fs::path folder = fs::temp_directory_path() / ("flowonnx_npy_test_" + std::to_string(::getpid()));
  fs::create_directories(folder);
  Tensor tensor = iota({3, 4}, DType::Float64);
  write_npy(folder / "x.npy", tensor);
  expect_same(tensor, read_npy(folder / "x.npy"));
  // Exactly one file: no temporary left behind.
  EXPECT_EQ(1, std::distance(fs::directory_iterator(folder), fs::directory_iterator()));
  expect_error([&] { read_npy(folder / "missing.npy"); }, ErrorCode::IoError, "missing.npy");
  { std::ofstream(folder / "bad.npy") << "garbage"; }
  expect_error([&] { read_npy(folder / "bad.npy"); }, ErrorCode::InvalidModel,
               "bad.npy: not an npy file");
  expect_error([&] { write_npy(folder / "no_such_dir" / "y.npy", tensor); }, ErrorCode::IoError,
               "y.npy");
  fs::remove_all(folder);
}

}  // namespace
}  // namespace flowonnx
