#include "flow/checkpoint/pickle_reader.h"

#include <bit>
#include <charconv>
#include <cstring>
#include <unordered_map>

#include "base/error.h"

namespace flowonnx::pickle {

const char* value_kind_name(ValueKind kind) {
  switch (kind) {
    case ValueKind::None:
      return "None";
    case ValueKind::Bool:
      return "bool";
    case ValueKind::Int:
      return "int";
    case ValueKind::BigInt:
      return "int (beyond 64 bits)";
    case ValueKind::Float:
      return "float";
    case ValueKind::String:
      return "str";
    case ValueKind::Bytes:
      return "bytes";
    case ValueKind::List:
      return "list";
    case ValueKind::Tuple:
      return "tuple";
    case ValueKind::Dict:
      return "dict";
    case ValueKind::Set:
      return "set";
    case ValueKind::Global:
      return "global";
    case ValueKind::Object:
      return "object";
    case ValueKind::PersistentId:
      return "persistent id";
  }
  return "?";
}

const Value* Value::find(std::string_view key) const {
  const Value* found = nullptr;
  for (const auto& [k, v] : entries)
    if (k->is_string() && k->text == key) found = v;
  return found;
}

// The pickle virtual machine: a value stack, a stack of MARK positions and the memo.
class Machine {
 public:
  Machine(std::string_view bytes, const std::string& source, const ParseOptions& options)
      : bytes_(bytes), source_(source), options_(options) {}

  Document run() {
    while (true) {
      if (pos_ >= bytes_.size()) {
        opcode_offset_ = pos_;
        corrupt("unexpected end of data (no STOP opcode)");
      }
      opcode_offset_ = pos_;
      uint8_t opcode = static_cast<uint8_t>(bytes_[pos_++]);
      if (opcode == '.') {  // STOP
        document_.root_ = pop();
        document_.end_offset_ = pos_;
        return std::move(document_);
      }
      step(opcode);
    }
  }

 private:
  [[noreturn]] void corrupt(const std::string& what) const {
    fail(ErrorCode::InvalidModel, "{}: corrupt or unsupported pickle at byte {}: {}", source_,
         opcode_offset_, what);
  }

  // ---- reading the byte stream (every read checked against the end) ----
  std::string_view take(uint64_t count) {
    if (count > bytes_.size() - pos_)
      corrupt(fmt::format("needs {} bytes, only {} bytes left", count, bytes_.size() - pos_));
    std::string_view out = bytes_.substr(pos_, static_cast<size_t>(count));
    pos_ += static_cast<size_t>(count);
    return out;
  }
  uint64_t read_unsigned(size_t width) {
    std::string_view raw = take(width);
    uint64_t value = 0;
    for (size_t i = 0; i < width; ++i)
      value |= static_cast<uint64_t>(static_cast<unsigned char>(raw[i])) << (8 * i);
    return value;
  }
  std::string_view read_line() {
    size_t end = bytes_.find('\n', pos_);
    if (end == std::string_view::npos) corrupt("unterminated text argument");
    std::string_view line = bytes_.substr(pos_, end - pos_);
    pos_ = end + 1;
    return line;
  }
  int64_t parse_decimal(std::string_view text) {
    int64_t value = 0;
    const char* begin = text.data();
    if (!text.empty() && text[0] == '+') ++begin;
    auto [end, ec] = std::from_chars(begin, text.data() + text.size(), value);
    if (ec != std::errc() || end != text.data() + text.size())
      corrupt(fmt::format("bad decimal integer '{}'", text.substr(0, 40)));
    return value;
  }

  // ---- values and stacks ----
  Value* make(ValueKind kind) {
    document_.values_.push_back(std::make_unique<Value>());
    document_.values_.back()->kind = kind;
    return document_.values_.back().get();
  }
  Value* make_int(int64_t integer) {
    Value* value = make(ValueKind::Int);
    value->integer = integer;
    return value;
  }
  Value* make_text(ValueKind kind, std::string_view text) {
    Value* value = make(kind);
    value->text = std::string(text);
    return value;
  }
  size_t mark_base() const { return marks_.empty() ? 0 : marks_.back(); }
  void push(Value* value) { stack_.push_back(value); }
  Value* pop() {
    if (stack_.size() <= mark_base()) corrupt("stack underflow");
    Value* value = stack_.back();
    stack_.pop_back();
    return value;
  }
  Value* top() {
    if (stack_.size() <= mark_base()) corrupt("stack underflow");
    return stack_.back();
  }
  std::vector<Value*> pop_mark() {
    if (marks_.empty()) corrupt("no MARK on the stack");
    size_t base = marks_.back();
    marks_.pop_back();
    std::vector<Value*> items(stack_.begin() + static_cast<std::ptrdiff_t>(base), stack_.end());
    stack_.resize(base);
    return items;
  }
  Value* sequence(ValueKind kind, std::vector<Value*> items) {
    Value* value = make(kind);
    value->items = std::move(items);
    return value;
  }
  void add_entries(Value* target, const std::vector<Value*>& flat) {
    if (flat.size() % 2) corrupt("odd number of items for SETITEMS");
    if (target->kind != ValueKind::Dict && target->kind != ValueKind::Object)
      corrupt(fmt::format("SETITEM on a {}", value_kind_name(target->kind)));
    for (size_t i = 0; i < flat.size(); i += 2) target->entries.emplace_back(flat[i], flat[i + 1]);
  }
  void add_items(Value* target, const std::vector<Value*>& items, ValueKind expected) {
    if (target->kind != expected && target->kind != ValueKind::Object)
      corrupt(fmt::format("cannot add items to a {}", value_kind_name(target->kind)));
    target->items.insert(target->items.end(), items.begin(), items.end());
  }
  Value* make_object(Value* callable, Value* args) {
    Value* object = make(ValueKind::Object);
    object->object_class = callable;
    object->object_args = args;
    return object;
  }
  void memo_put(uint64_t index) { memo_[index] = top(); }
  void memo_get(uint64_t index) {
    auto it = memo_.find(index);
    if (it == memo_.end()) corrupt(fmt::format("memo key {} was never stored", index));
    push(it->second);
  }
  Value* make_long(std::string_view raw) {  // little-endian two's complement
    if (raw.size() > 8) return make_text(ValueKind::BigInt, raw);
    uint64_t bits = 0;
    for (size_t i = 0; i < raw.size(); ++i)
      bits |= static_cast<uint64_t>(static_cast<unsigned char>(raw[i])) << (8 * i);
    if (!raw.empty() && raw.size() < 8 && (static_cast<unsigned char>(raw.back()) & 0x80))
      bits |= ~uint64_t{0} << (8 * raw.size());  // sign-extend
    return make_int(static_cast<int64_t>(bits));
  }

  Value* make_global(std::string name) {
    if (options_.allowed_globals && !options_.allowed_globals->count(name))
      fail(ErrorCode::InvalidModel,
           "{}: the pickle asks for the global '{}' (byte {}), which is not on the allow-list of "
           "this format; refusing to load it (it could run code in Python)",
           source_, name.substr(0, 200), opcode_offset_);
    return make_text(ValueKind::Global, name);
  }
  void push_persistent_id(Value* id) {
    if (!options_.persistent_ids)
      corrupt("persistent ids (PERSID/BINPERSID) are not supported; is this a torch file?");
    Value* value = make(ValueKind::PersistentId);
    value->items.push_back(id);
    push(value);
  }

  void step(uint8_t opcode);

  std::string_view bytes_;
  const std::string& source_;
  const ParseOptions& options_;
  size_t pos_ = 0;
  size_t opcode_offset_ = 0;
  std::vector<Value*> stack_;
  std::vector<size_t> marks_;
  std::unordered_map<uint64_t, Value*> memo_;
  Document document_;
};

void Machine::step(uint8_t opcode) {
  switch (opcode) {
    // framing and stack manipulation
    case 0x80: {  // PROTO
      uint64_t protocol = read_unsigned(1);
      if (protocol > 5) corrupt(fmt::format("pickle protocol {} (supported: up to 5)", protocol));
      return;
    }
    case 0x95: {  // FRAME: a buffering hint; its length must still fit in the data
      uint64_t length = read_unsigned(8);
      if (length > bytes_.size() - pos_)
        corrupt(fmt::format("frame of {} bytes past the end", length));
      return;
    }
    case '(':
      marks_.push_back(stack_.size());
      return;  // MARK
    case '0':  // POP (of an item, or of an empty MARK)
      if (stack_.size() > mark_base())
        stack_.pop_back();
      else
        pop_mark();
      return;
    case '1':
      pop_mark();
      return;  // POP_MARK
    case '2':
      push(top());
      return;  // DUP

    // scalars
    case 'N':
      push(make(ValueKind::None));
      return;
    case 0x88:
    case 0x89: {  // NEWTRUE, NEWFALSE
      Value* value = make(ValueKind::Bool);
      value->boolean = opcode == 0x88;
      push(value);
      return;
    }
    case 'J':
      push(make_int(static_cast<int32_t>(read_unsigned(4))));
      return;  // BININT
    case 'K':
      push(make_int(static_cast<int64_t>(read_unsigned(1))));
      return;  // BININT1
    case 'M':
      push(make_int(static_cast<int64_t>(read_unsigned(2))));
      return;  // BININT2
    case 0x8a:
      push(make_long(take(read_unsigned(1))));
      return;     // LONG1
    case 0x8b: {  // LONG4
      int32_t length = static_cast<int32_t>(read_unsigned(4));
      if (length < 0) corrupt("negative LONG4 length");
      push(make_long(take(static_cast<uint64_t>(length))));
      return;
    }
    case 'I': {  // INT (text): "00"/"01" are protocol 0's False/True
      std::string_view line = read_line();
      if (line == "00" || line == "01") {
        Value* value = make(ValueKind::Bool);
        value->boolean = line == "01";
        push(value);
      } else {
        push(make_int(parse_decimal(line)));
      }
      return;
    }
    case 'L': {  // LONG (text), optional trailing 'L'
      std::string_view line = read_line();
      if (!line.empty() && line.back() == 'L') line.remove_suffix(1);
      push(make_int(parse_decimal(line)));
      return;
    }
    case 'F': {  // FLOAT (text)
      std::string_view line = read_line();
      Value* value = make(ValueKind::Float);
      auto [end, ec] = std::from_chars(line.data(), line.data() + line.size(), value->number);
      if (ec != std::errc() || end != line.data() + line.size()) corrupt("bad FLOAT text");
      push(value);
      return;
    }
    case 'G': {  // BINFLOAT: big-endian IEEE double
      std::string_view raw = take(8);
      uint64_t bits = 0;
      for (char c : raw) bits = (bits << 8) | static_cast<unsigned char>(c);
      Value* value = make(ValueKind::Float);
      value->number = std::bit_cast<double>(bits);
      push(value);
      return;
    }

    // strings and bytes (payloads are kept as raw bytes)
    case 0x8c:
      push(make_text(ValueKind::String, take(read_unsigned(1))));
      return;  // SHORT_BINUNICODE
    case 'X':
      push(make_text(ValueKind::String, take(read_unsigned(4))));
      return;  // BINUNICODE
    case 0x8d:
      push(make_text(ValueKind::String, take(read_unsigned(8))));
      return;  // BINUNICODE8
    case 'U':
      push(make_text(ValueKind::String, take(read_unsigned(1))));
      return;    // SHORT_BINSTRING
    case 'T': {  // BINSTRING
      int32_t length = static_cast<int32_t>(read_unsigned(4));
      if (length < 0) corrupt("negative BINSTRING length");
      push(make_text(ValueKind::String, take(static_cast<uint64_t>(length))));
      return;
    }
    case 'C':
      push(make_text(ValueKind::Bytes, take(read_unsigned(1))));
      return;  // SHORT_BINBYTES
    case 'B':
      push(make_text(ValueKind::Bytes, take(read_unsigned(4))));
      return;   // BINBYTES
    case 0x8e:  // BINBYTES8
    case 0x96:
      push(make_text(ValueKind::Bytes, take(read_unsigned(8))));
      return;  // BYTEARRAY8

    // containers
    case '}':
      push(make(ValueKind::Dict));
      return;  // EMPTY_DICT
    case ']':
      push(make(ValueKind::List));
      return;  // EMPTY_LIST
    case ')':
      push(make(ValueKind::Tuple));
      return;  // EMPTY_TUPLE
    case 0x8f:
      push(make(ValueKind::Set));
      return;    // EMPTY_SET
    case 'd': {  // DICT
      std::vector<Value*> flat = pop_mark();
      Value* dict = make(ValueKind::Dict);
      add_entries(dict, flat);
      push(dict);
      return;
    }
    case 'l':
      push(sequence(ValueKind::List, pop_mark()));
      return;  // LIST
    case 't':
      push(sequence(ValueKind::Tuple, pop_mark()));
      return;  // TUPLE
    case 0x91:
      push(sequence(ValueKind::Set, pop_mark()));
      return;   // FROZENSET
    case 0x85:  // TUPLE1..TUPLE3
    case 0x86:
    case 0x87: {
      size_t count = opcode - 0x84u;
      std::vector<Value*> items(count);
      for (size_t i = count; i-- > 0;) items[i] = pop();
      push(sequence(ValueKind::Tuple, std::move(items)));
      return;
    }
    case 's': {  // SETITEM
      Value* value = pop();
      Value* key = pop();
      add_entries(top(), {key, value});
      return;
    }
    case 'u': {  // SETITEMS
      std::vector<Value*> flat = pop_mark();
      add_entries(top(), flat);
      return;
    }
    case 'a': {  // APPEND
      Value* value = pop();
      add_items(top(), {value}, ValueKind::List);
      return;
    }
    case 'e': {  // APPENDS
      std::vector<Value*> items = pop_mark();
      add_items(top(), items, ValueKind::List);
      return;
    }
    case 0x90: {  // ADDITEMS
      std::vector<Value*> items = pop_mark();
      add_items(top(), items, ValueKind::Set);
      return;
    }

    // classes and objects: recorded, never resolved or called
    case 'c': {  // GLOBAL "module\nname\n"
      std::string module(read_line());
      std::string name(read_line());
      push(make_global(module + "." + name));
      return;
    }
    case 0x93: {  // STACK_GLOBAL
      Value* name = pop();
      Value* module = pop();
      if (!name->is_string() || !module->is_string()) corrupt("STACK_GLOBAL needs two strings");
      push(make_global(module->text + "." + name->text));
      return;
    }
    case 'R':     // REDUCE: callable(*args)
    case 0x81: {  // NEWOBJ: cls.__new__(cls, *args)
      Value* args = pop();
      Value* callable = pop();
      push(make_object(callable, args));
      return;
    }
    case 0x92: {  // NEWOBJ_EX: cls.__new__(cls, *args, **kwargs)
      pop();      // kwargs
      Value* args = pop();
      Value* callable = pop();
      push(make_object(callable, args));
      return;
    }
    case 'b': {  // BUILD
      Value* state = pop();
      Value* target = top();
      if (target->kind != ValueKind::Object)
        corrupt(fmt::format("BUILD on a {}", value_kind_name(target->kind)));
      target->object_state = state;
      return;
    }

    // memo
    case 0x94:
      memo_put(memo_.size());
      return;  // MEMOIZE
    case 'q':
      memo_put(read_unsigned(1));
      return;  // BINPUT
    case 'r':
      memo_put(read_unsigned(4));
      return;  // LONG_BINPUT
    case 'h':
      memo_get(read_unsigned(1));
      return;  // BINGET
    case 'j':
      memo_get(read_unsigned(4));
      return;    // LONG_BINGET
    case 'p': {  // PUT (text)
      int64_t index = parse_decimal(read_line());
      if (index < 0) corrupt("negative memo key");
      memo_put(static_cast<uint64_t>(index));
      return;
    }
    case 'g': {  // GET (text)
      int64_t index = parse_decimal(read_line());
      if (index < 0) corrupt("negative memo key");
      memo_get(static_cast<uint64_t>(index));
      return;
    }

    case 'P':  // PERSID (text)
      push_persistent_id(make_text(ValueKind::String, read_line()));
      return;
    case 'Q':  // BINPERSID
      push_persistent_id(pop());
      return;
    case 0x82:
    case 0x83:
    case 0x84:
      corrupt("extension registry codes (EXT1/EXT2/EXT4) are not supported");
    case 0x97:
    case 0x98:
      corrupt("out-of-band buffers (protocol 5) are not supported");
    default:
      corrupt(fmt::format("unsupported opcode 0x{:02x}", opcode));
  }
}

Document parse(std::string_view bytes, const std::string& source, const ParseOptions& options) {
  return Machine(bytes, source, options).run();
}

}  // namespace flowonnx::pickle
