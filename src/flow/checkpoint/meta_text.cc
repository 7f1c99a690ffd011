// A small protobuf text-format reader: tokens -> a generic field tree -> VariableMeta. Only the
// syntax is general; the meaning is VariableMetaInfo's (shape, data_type, stride).
#include "flow/checkpoint/meta_text.h"

#include <cctype>
#include <charconv>
#include <memory>
#include <optional>
#include <vector>

#include "base/error.h"

namespace flowonnx::checkpoint {
namespace {

// oneflow/core/common/data_type.proto. Entries without a DType are real OneFlow types we cannot
// hold (records, bfloat16, unsigned wider than 8 bits, complex).
struct DataTypeEntry {
  std::string_view name;
  int number;
  std::optional<DType> dtype;
};
constexpr DataTypeEntry kDataTypes[] = {
    {"kInvalidDataType", 0, std::nullopt},
    {"kChar", 1, DType::Int8},
    {"kFloat", 2, DType::Float32},
    {"kDouble", 3, DType::Float64},
    {"kInt8", 4, DType::Int8},
    {"kInt32", 5, DType::Int32},
    {"kInt64", 6, DType::Int64},
    {"kUInt8", 7, DType::UInt8},
    {"kOFRecord", 8, std::nullopt},
    {"kFloat16", 9, DType::Float16},
    {"kTensorBuffer", 10, std::nullopt},
    {"kBFloat16", 11, std::nullopt},
    {"kBool", 12, DType::Bool},
    {"kUInt16", 13, std::nullopt},
    {"kUInt32", 14, std::nullopt},
    {"kUInt64", 15, std::nullopt},
    {"kUInt128", 16, std::nullopt},
    {"kInt16", 17, DType::Int16},
    {"kInt128", 18, std::nullopt},
    {"kComplex32", 19, std::nullopt},
    {"kComplex64", 20, std::nullopt},
    {"kComplex128", 21, std::nullopt},
};

constexpr int kMaxNesting = 16;

struct Message;
struct Field {
  std::string name;
  std::string scalar;                // the token of `name: value`
  std::unique_ptr<Message> message;  // set for `name { ... }`
};
struct Message {
  std::vector<Field> fields;
};

class TextProtoParser {
 public:
  TextProtoParser(std::string_view text, const std::string& context)
      : text_(text), context_(context) {}

  Message parse_all() {
    Message message = parse_fields(0, '\0');
    return message;
  }

 private:
  [[noreturn]] void malformed(const std::string& why) const {
    fail(ErrorCode::InvalidModel, "{}: unparsable meta (text proto) at byte {}: {}", context_, pos_,
         why);
  }

  void skip_space() {
    while (pos_ < text_.size()) {
      char c = text_[pos_];
      if (c == '#') {
        while (pos_ < text_.size() && text_[pos_] != '\n') ++pos_;
      } else if (std::isspace(static_cast<unsigned char>(c))) {
        ++pos_;
      } else {
        return;
      }
    }
  }
  bool at_end() {
    skip_space();
    return pos_ == text_.size();
  }
  char peek() {
    skip_space();
    return pos_ < text_.size() ? text_[pos_] : '\0';
  }
  bool accept(char c) {
    if (peek() != c) return false;
    ++pos_;
    return true;
  }
  static bool is_word_char(char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == '-' ||
           c == '+';
  }
  std::string word() {
    skip_space();
    size_t start = pos_;
    if (pos_ < text_.size() && (text_[pos_] == '"' || text_[pos_] == '\'')) {
      size_t close = text_.find(text_[pos_], pos_ + 1);
      if (close == std::string_view::npos) malformed("unterminated string");
      pos_ = close + 1;
    } else {
      while (pos_ < text_.size() && is_word_char(text_[pos_])) ++pos_;
    }
    if (pos_ == start) {
      if (pos_ == text_.size()) malformed("unexpected end of text");
      malformed(fmt::format("unexpected character '{}'", text_[pos_]));
    }
    return std::string(text_.substr(start, pos_ - start));
  }

  // Fields up to `close` ('}' or '>'), or to the end of the text when close is '\0'.
  Message parse_fields(int depth, char close) {
    if (depth > kMaxNesting) malformed("messages nested too deeply");
    Message message;
    while (true) {
      if (close == '\0' ? at_end() : accept(close)) return message;
      if (close != '\0' && at_end()) malformed(fmt::format("missing '{}'", close));
      std::string name = word();
      if (!std::isalpha(static_cast<unsigned char>(name[0])) && name[0] != '_')
        malformed(fmt::format("expected a field name, found '{}'", name));
      bool colon = accept(':');
      char open = peek();
      if (open == '{' || open == '<') {
        ++pos_;
        Field field{name, "",
                    std::make_unique<Message>(parse_fields(depth + 1, open == '{' ? '}' : '>'))};
        message.fields.push_back(std::move(field));
      } else if (!colon) {
        malformed(fmt::format("expected ':' or '{{' after '{}'", name));
      } else if (accept('[')) {  // repeated scalars: dim: [1, 2, 3]
        if (!accept(']')) {
          do message.fields.push_back(Field{name, word(), nullptr});
          while (accept(','));
          if (!accept(']')) malformed("expected ']'");
        }
      } else {
        message.fields.push_back(Field{name, word(), nullptr});
      }
      if (!accept(',')) accept(';');  // optional field separators
    }
  }

  std::string_view text_;
  const std::string& context_;
  size_t pos_ = 0;
};

int64_t parse_integer(const Field& field, const std::string& context) {
  int64_t value = 0;
  const std::string& text = field.scalar;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (field.message || ec != std::errc() || end != text.data() + text.size())
    fail(ErrorCode::InvalidModel, "{}: meta field '{}' must be an integer, found '{}'", context,
         field.name, text);
  return value;
}

Shape parse_dims(const Field& field, const std::string& context) {
  if (!field.message)
    fail(ErrorCode::InvalidModel, "{}: meta field '{}' must be a message {{ dim: .. }}", context,
         field.name);
  Shape dims;
  for (const Field& dim : field.message->fields) {
    if (dim.name != "dim") continue;
    int64_t value = parse_integer(dim, context);
    if (value < 0) fail(ErrorCode::InvalidModel, "{}: negative dim {} in meta", context, value);
    dims.push_back(value);
  }
  return dims;
}

DType parse_data_type(const Field& field, const std::string& context) {
  if (field.message)
    fail(ErrorCode::InvalidModel, "{}: meta data_type must be an enum value", context);
  const DataTypeEntry* found = nullptr;
  for (const DataTypeEntry& entry : kDataTypes)
    if (entry.name == field.scalar || std::to_string(entry.number) == field.scalar) found = &entry;
  if (!found)
    fail(ErrorCode::InvalidModel, "{}: unknown data_type '{}' in meta", context, field.scalar);
  if (!found->dtype)
    fail(ErrorCode::InvalidModel, "{}: data_type {} ({}) is not supported by flowonnx", context,
         found->name, found->number);
  return *found->dtype;
}

}  // namespace

VariableMeta parse_variable_meta(std::string_view text, const std::string& key,
                                 const std::string& source) {
  std::string context = fmt::format("{}: tensor '{}'", source, key);
  Message message = TextProtoParser(text, context).parse_all();
  VariableMeta meta;
  bool have_data_type = false;
  std::optional<Shape> stride;
  for (const Field& field : message.fields) {
    if (field.name == "shape") {
      meta.shape = parse_dims(field, context);
    } else if (field.name == "data_type") {
      meta.dtype = parse_data_type(field, context);
      have_data_type = true;
    } else if (field.name == "stride") {
      stride = parse_dims(field, context);
    }
  }
  if (!have_data_type) fail(ErrorCode::InvalidModel, "{}: meta has no data_type", context);
  try {
    num_elements(meta.shape);
  } catch (const Error& error) {
    fail(ErrorCode::InvalidModel, "{}: bad shape in meta: {}", context, error.what());
  }
  if (stride && !stride->empty()) {
    // Dims of size 1 may carry any stride; every other stride must match C order.
    std::vector<int64_t> expected = contiguous_strides(meta.shape);
    bool contiguous = stride->size() == meta.shape.size();
    for (size_t i = 0; contiguous && i < expected.size(); ++i)
      contiguous = meta.shape[i] == 1 || (*stride)[i] == expected[i];
    if (!contiguous)
      fail(ErrorCode::InvalidModel, "{}: meta stride {} is not C-contiguous for shape {}", context,
           shape_to_string(*stride), shape_to_string(meta.shape));
  }
  return meta;
}

std::string format_variable_meta(const Shape& shape, DType dtype) {
  std::string_view name;
  for (const DataTypeEntry& entry : kDataTypes)
    if (entry.dtype == dtype && name.empty() && entry.name != "kChar") name = entry.name;
  FLOWONNX_CHECK(!name.empty(), "no OneFlow data_type for {}", dtype_name(dtype));
  std::string text = "shape {\n";
  for (int64_t dim : shape) text += fmt::format("  dim: {}\n", dim);
  return text + fmt::format("}}\ndata_type: {}\n", name);
}

}  // namespace flowonnx::checkpoint
