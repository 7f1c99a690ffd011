// .npy reading and writing. The header is a Python dict literal; we parse the small subset numpy
// writes (strings, True/False, integer tuples) with a bounded tokenizer instead of evaluating it.
#include "tensor/npy.h"

#include <bit>
#include <cctype>
#include <charconv>
#include <cstring>
#include <ostream>
#include <vector>

#include "base/error.h"
#include "base/file_util.h"

namespace flowonnx {
namespace {

static_assert(std::endian::native == std::endian::little,
              "npy io assumes a little-endian host ('=' and native data)");

constexpr std::string_view kMagic = "\x93NUMPY";
constexpr size_t kAlignment = 64;                    // numpy >= 1.9 aligns the data to 64 bytes
constexpr size_t kMaxHeaderBytes = size_t{1} << 20;  // a real header is < 200 bytes
constexpr int kGrowthAxisMaxDigits = 21;             // numpy's spare room after the header dict

// (kind, itemsize) -> DType, the one table both directions use.
struct NpyType {
  char kind;  // 'f' float, 'i' signed, 'u' unsigned, 'b' bool
  int itemsize;
  DType dtype;
};
constexpr NpyType kNpyTypes[] = {
    {'f', 4, DType::Float32}, {'f', 8, DType::Float64}, {'f', 2, DType::Float16},
    {'i', 1, DType::Int8},    {'i', 2, DType::Int16},   {'i', 4, DType::Int32},
    {'i', 8, DType::Int64},   {'u', 1, DType::UInt8},   {'u', 2, DType::UInt16},
    {'u', 4, DType::UInt32},  {'u', 8, DType::UInt64},  {'b', 1, DType::Bool},
};

std::string descr_for(DType dtype) {
  for (const NpyType& type : kNpyTypes) {
    if (type.dtype != dtype) continue;
    char order = type.itemsize == 1 ? '|' : '<';
    return fmt::format("{}{}{}", order, type.kind, type.itemsize);
  }
  fail(ErrorCode::Internal, "npy: no descr for dtype {}", dtype_name(dtype));
}

DType dtype_for_descr(const std::string& descr, const std::string& source) {
  if (descr == "?" || descr == "|?" || descr == "b1") return DType::Bool;
  auto unsupported = [&](std::string_view why) -> DType {
    fail(ErrorCode::InvalidModel, "{}: unsupported npy dtype '{}'{}", source, descr, why);
  };
  if (descr.size() < 3) return unsupported("");
  char order = descr[0];
  char kind = descr[1];
  int itemsize = 0;
  auto [end, ec] = std::from_chars(descr.data() + 2, descr.data() + descr.size(), itemsize);
  if (ec != std::errc() || end != descr.data() + descr.size()) return unsupported("");
  if (order != '<' && order != '>' && order != '|' && order != '=') return unsupported("");
  for (const NpyType& type : kNpyTypes) {
    if (type.kind != kind || type.itemsize != itemsize) continue;
    // Byte order only matters for multi-byte items; '=' is native, which is little-endian here.
    if (order == '>' && itemsize > 1)
      return unsupported(
          " (big-endian data; convert with arr.astype(arr.dtype.newbyteorder('<')))");
    return type.dtype;
  }
  return unsupported(" (flowonnx reads float16/32/64, int8/16/32/64, uint8 and bool)");
}

// Tokens of the header dict literal: punctuation, quoted strings, names, integers.
class HeaderLexer {
 public:
  HeaderLexer(std::string_view text, const std::string& source) : text_(text), source_(source) {}

  enum class Kind { Punct, String, Name, Integer, End };
  struct Token {
    Kind kind;
    std::string text;
    int64_t integer = 0;
  };

  Token next() {
    while (pos_ < text_.size() && is_space(text_[pos_])) ++pos_;
    if (pos_ == text_.size()) return {Kind::End, ""};
    char c = text_[pos_];
    if (c != '\0' && std::strchr("{}():,[]", c))
      return {Kind::Punct, std::string(1, text_[pos_++])};
    if (c == '\'' || c == '"') {
      size_t close = text_.find(c, pos_ + 1);
      if (close == std::string_view::npos) malformed("unterminated string");
      Token token{Kind::String, std::string(text_.substr(pos_ + 1, close - pos_ - 1))};
      pos_ = close + 1;
      return token;
    }
    if (std::isdigit(static_cast<unsigned char>(c)) || c == '-') {
      size_t start = pos_++;
      while (pos_ < text_.size() && std::isdigit(static_cast<unsigned char>(text_[pos_]))) ++pos_;
      Token token{Kind::Integer, std::string(text_.substr(start, pos_ - start))};
      auto [end, ec] = std::from_chars(text_.data() + start, text_.data() + pos_, token.integer);
      if (ec != std::errc() || end != text_.data() + pos_)
        malformed(fmt::format("bad integer '{}'", token.text));
      if (pos_ < text_.size() && text_[pos_] == 'L') ++pos_;  // Python 2 longs: (3L, 4L)
      return token;
    }
    if (std::isalpha(static_cast<unsigned char>(c))) {
      size_t start = pos_;
      while (pos_ < text_.size() && std::isalnum(static_cast<unsigned char>(text_[pos_]))) ++pos_;
      return {Kind::Name, std::string(text_.substr(start, pos_ - start))};
    }
    malformed(fmt::format("unexpected character '{}'", c));
  }

  Token expect_punct(char c) {
    Token token = next();
    if (token.kind != Kind::Punct || token.text[0] != c)
      malformed(fmt::format("expected '{}', found '{}'", c, token.text));
    return token;
  }

  [[noreturn]] void malformed(const std::string& why) const {
    fail(ErrorCode::InvalidModel, "{}: malformed npy header ({}): {}", source_, why,
         std::string(text_.substr(0, 200)));
  }

 private:
  static bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }
  std::string_view text_;
  const std::string& source_;
  size_t pos_ = 0;
};

struct NpyHeader {
  std::string descr;
  bool fortran_order = false;
  Shape shape;
};

Shape parse_shape_tuple(HeaderLexer& lexer) {
  using Kind = HeaderLexer::Kind;
  lexer.expect_punct('(');
  Shape shape;
  while (true) {
    HeaderLexer::Token token = lexer.next();
    if (token.kind == Kind::Punct && token.text == ")") break;
    if (token.kind != Kind::Integer) lexer.malformed("shape must be a tuple of integers");
    if (token.integer < 0) lexer.malformed(fmt::format("negative dim {}", token.integer));
    if (shape.size() >= 64) lexer.malformed("more than 64 dims");
    shape.push_back(token.integer);
    token = lexer.next();
    if (token.kind == Kind::Punct && token.text == ")") break;
    if (token.kind != Kind::Punct || token.text != ",") lexer.malformed("expected ',' in shape");
  }
  return shape;
}

NpyHeader parse_header(std::string_view text, const std::string& source) {
  using Kind = HeaderLexer::Kind;
  HeaderLexer lexer(text, source);
  lexer.expect_punct('{');
  NpyHeader header;
  bool seen_descr = false, seen_order = false, seen_shape = false;
  while (true) {
    HeaderLexer::Token key = lexer.next();
    if (key.kind == Kind::Punct && key.text == "}") break;
    if (key.kind != Kind::String) lexer.malformed("dict keys must be strings");
    lexer.expect_punct(':');
    if (key.text == "descr") {
      HeaderLexer::Token value = lexer.next();
      if (value.kind != Kind::String)
        fail(ErrorCode::InvalidModel, "{}: unsupported npy dtype (structured or non-string descr)",
             source);
      header.descr = value.text;
      seen_descr = true;
    } else if (key.text == "fortran_order") {
      HeaderLexer::Token value = lexer.next();
      if (value.kind != Kind::Name || (value.text != "True" && value.text != "False"))
        lexer.malformed("fortran_order must be True or False");
      header.fortran_order = value.text == "True";
      seen_order = true;
    } else if (key.text == "shape") {
      header.shape = parse_shape_tuple(lexer);
      seen_shape = true;
    } else {
      lexer.malformed(fmt::format("unexpected key '{}'", key.text));
    }
    HeaderLexer::Token separator = lexer.next();
    if (separator.kind == Kind::Punct && separator.text == "}") break;
    if (separator.kind != Kind::Punct || separator.text != ",") lexer.malformed("expected ','");
  }
  if (lexer.next().kind != Kind::End) lexer.malformed("text after the dict");
  if (!seen_descr || !seen_order || !seen_shape)
    lexer.malformed("the dict needs 'descr', 'fortran_order' and 'shape'");
  return header;
}

uint32_t read_little_endian(std::string_view bytes, size_t offset, size_t width) {
  uint32_t value = 0;
  for (size_t i = 0; i < width; ++i)
    value |= static_cast<uint32_t>(static_cast<unsigned char>(bytes[offset + i])) << (8 * i);
  return value;
}

std::string shape_literal(const Shape& shape) {
  if (shape.empty()) return "()";
  if (shape.size() == 1) return fmt::format("({},)", shape[0]);
  std::string text = "(";
  for (size_t i = 0; i < shape.size(); ++i) text += fmt::format("{}{}", i ? ", " : "", shape[i]);
  return text + ")";
}

}  // namespace

Tensor parse_npy(std::string_view bytes, const std::string& source) {
  if (bytes.size() < kMagic.size() + 2 || bytes.substr(0, kMagic.size()) != kMagic)
    fail(ErrorCode::InvalidModel, "{}: not an npy file (bad magic)", source);
  int major = static_cast<unsigned char>(bytes[6]);
  int minor = static_cast<unsigned char>(bytes[7]);
  if (minor != 0 || major < 1 || major > 3)
    fail(ErrorCode::InvalidModel,
         "{}: unsupported npy format version {}.{} (supported: 1.0, 2.0, 3.0)", source, major,
         minor);
  size_t length_width = major == 1 ? 2 : 4;
  size_t header_start = 8 + length_width;
  if (bytes.size() < header_start)
    fail(ErrorCode::InvalidModel, "{}: truncated npy header", source);
  size_t header_length = read_little_endian(bytes, 8, length_width);
  if (header_length > kMaxHeaderBytes)
    fail(ErrorCode::InvalidModel, "{}: npy header too long ({} bytes)", source, header_length);
  if (bytes.size() - header_start < header_length)
    fail(ErrorCode::InvalidModel, "{}: truncated npy header (expected {} bytes, got {})", source,
         header_length, bytes.size() - header_start);
  NpyHeader header = parse_header(bytes.substr(header_start, header_length), source);

  if (header.fortran_order)
    fail(ErrorCode::InvalidModel,
         "{}: Fortran-order arrays are not supported; save with np.ascontiguousarray", source);
  DType dtype = dtype_for_descr(header.descr, source);
  int64_t count = 0;
  try {
    count = num_elements(header.shape);
  } catch (const Error& error) {
    fail(ErrorCode::InvalidModel, "{}: bad npy shape: {}", source, error.what());
  }
  size_t expected = static_cast<size_t>(count) * dtype_size(dtype);
  size_t actual = bytes.size() - header_start - header_length;
  if (actual != expected)
    fail(ErrorCode::InvalidModel, "{}: {} npy data: {} {} expects {} bytes, got {}", source,
         actual < expected ? "truncated" : "extra bytes after the", dtype_name(dtype),
         shape_to_string(header.shape), expected, actual);

  Tensor tensor(header.shape, dtype);
  if (expected)
    std::memcpy(tensor.raw_data(), bytes.data() + header_start + header_length, expected);
  if (dtype == DType::Bool) {  // bytes other than 0/1 are not valid C++ bools
    auto* data = static_cast<uint8_t*>(tensor.raw_data());
    for (size_t i = 0; i < expected; ++i) data[i] = data[i] != 0;
  }
  return tensor;
}

Tensor read_npy(const std::filesystem::path& path) {
  return parse_npy(read_file(path), path.string());
}

std::string serialize_npy(const Tensor& tensor) {
  FLOWONNX_REQUIRE(tensor.defined(), "serialize_npy: undefined tensor");
  // Byte for byte what numpy >= 1.23 writes: sorted keys, spare room after the dict for the
  // first dim to grow, spaces up to the 64-byte boundary, '\n'.
  std::string dict = fmt::format("{{'descr': '{}', 'fortran_order': False, 'shape': {}, }}",
                                 descr_for(tensor.dtype()), shape_literal(tensor.shape()));
  if (!tensor.shape().empty())
    dict.append(kGrowthAxisMaxDigits - std::to_string(tensor.shape()[0]).size(), ' ');
  int major = 1;
  size_t header_length = 0;
  for (; major <= 2; ++major) {
    size_t prefix = kMagic.size() + 2 + (major == 1 ? 2 : 4);
    size_t unpadded = dict.size() + 1;  // + '\n'
    header_length = unpadded + (kAlignment - (prefix + unpadded) % kAlignment);
    if (major == 2 || header_length <= 0xFFFF) break;
  }
  std::string out(kMagic);
  out += static_cast<char>(major);
  out += '\0';
  for (size_t i = 0; i < (major == 1 ? 2u : 4u); ++i)
    out += static_cast<char>((header_length >> (8 * i)) & 0xFF);
  out += dict;
  out.append(header_length - dict.size() - 1, ' ');
  out += '\n';
  out.append(static_cast<const char*>(tensor.raw_data()), tensor.nbytes());
  return out;
}

void write_npy(const std::filesystem::path& path, const Tensor& tensor) {
  std::string bytes = serialize_npy(tensor);
  write_file_atomically(path, [&](std::ostream& out) {
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  });
}

}  // namespace flowonnx
