// A safe reader for Python pickles (protocols 2-5 plus the text opcodes of 0/1 that OneFlow-era
// files can contain). It is a bounded stack machine that only builds plain values: GLOBAL names,
// REDUCE/NEWOBJ calls and BUILD states become opaque objects, so no code is ever run.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <set>
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
  Object,
  PersistentId
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
  // List, Tuple, Set elements; an Object's APPENDS (list subclasses); a PersistentId's one item,
  // the id (torch files: ('storage', storage_type, key, location, numel[, view])).
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
  // The byte just past the STOP opcode: files holding several pickles in a row (torch's legacy
  // format) go on from there.
  size_t end_offset() const { return end_offset_; }
  // Every value made, in creation order (to scan for, e.g., all persistent ids).
  const std::vector<std::unique_ptr<Value>>& values() const { return values_; }

 private:
  friend class Machine;
  std::vector<std::unique_ptr<Value>> values_;
  Value* root_ = nullptr;
  size_t end_offset_ = 0;
};

struct ParseOptions {
  // When set, a GLOBAL naming anything else ("module.qualname") is refused at once, naming it:
  // for files whose producer is known (torch checkpoints), so anything unexpected is an error
  // rather than an opaque object. Unset: every global is recorded (never resolved or called).
  const std::set<std::string, std::less<>>* allowed_globals = nullptr;
  // BINPERSID/PERSID become PersistentId values (torch's storage references); when false they
  // are refused as unsupported.
  bool persistent_ids = false;
};

// Runs the pickle in `bytes` up to its STOP opcode. Any malformed input (truncation, unknown or
// unsupported opcode, stack underflow, memo miss) throws InvalidModel naming `source` and the
// byte offset of the offending opcode.
Document parse(std::string_view bytes, const std::string& source, const ParseOptions& options = {});

}  // namespace flowonnx::pickle
