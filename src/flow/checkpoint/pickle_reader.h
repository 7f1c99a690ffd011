// A safe reader for Python pickles (protocols 2-5 plus the text opcodes of 0/1 that OneFlow-era
// files can contain). It is a bounded stack machine that only builds plain values: GLOBAL names,
// REDUCE/NEWOBJ calls and BUILD states become opaque objects, so no code is ever run.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace flowonnx::pickle {

enum class ValueKind {
  None,
  Bool,
  Int,
  BigInt,
  Float,
  String,
  Bytes,
  List,
  Tuple,
  Dict,
  Set,
  Global,
  Object
};

const char* value_kind_name(ValueKind kind);

// One unpickled value. Values reference each other by pointer; a Document owns them all, so
// shared and even cyclic references (legal in pickles) cost nothing and free in one sweep.
struct Value {
  ValueKind kind = ValueKind::None;
  bool boolean = false;
  int64_t integer = 0;
  double number = 0;
  // String (UTF-8) and Bytes payload; Global: "module.qualname"; BigInt: its little-endian bytes.
  std::string text;
  // List, Tuple, Set elements; an Object's APPENDS (list subclasses).
  std::vector<Value*> items;
  // Dict entries in insertion order; an Object's SETITEMS (e.g. collections.OrderedDict).
  std::vector<std::pair<Value*, Value*>> entries;
  // Object only: the callable REDUCE/NEWOBJ called (usually a Global), its argument tuple, and the
  // state BUILD set (nullptr when there was no BUILD).
  Value* object_class = nullptr;
  Value* object_args = nullptr;
  Value* object_state = nullptr;

  bool is_string() const { return kind == ValueKind::String; }
  // The value of a string key in a Dict's (or Object's) entries, last one wins; nullptr if absent.
  const Value* find(std::string_view key) const;
};

class Document {
 public:
  const Value& root() const { return *root_; }

 private:
  friend class Machine;
  std::vector<std::unique_ptr<Value>> values_;
  Value* root_ = nullptr;
};

// Runs the pickle in `bytes` up to its STOP opcode. Any malformed input (truncation, unknown or
// unsupported opcode, stack underflow, memo miss) throws InvalidModel naming `source` and the
// byte offset of the offending opcode.
Document parse(std::string_view bytes, const std::string& source);

}  // namespace flowonnx::pickle
