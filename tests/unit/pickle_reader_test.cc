#include "flow/checkpoint/pickle_reader.h"

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>

#include "base/error.h"
#include "base/file_util.h"

namespace flowonnx::pickle {
namespace {

// Byte strings with embedded NULs: "\x80\x02" "N" "."_b (split literals so a hex escape never
// swallows the next character).
std::string operator""_b(const char* text, size_t size) { return std::string(text, size); }

const std::filesystem::path kFixtures =
    std::filesystem::path(FLOWONNX_SOURCE_DIR) / "tests/unit/data/checkpoints";

template <typename Body>
void expect_error(Body body, const std::string& fragment) {
  try {
    body();
    FAIL() << "expected an error containing '" << fragment << "'";
  } catch (const Error& error) {
    EXPECT_EQ(error.code(), ErrorCode::InvalidModel) << error.what();
    EXPECT_NE(std::string(error.what()).find(fragment), std::string::npos) << error.what();
  }
}

const Value& item(const Value& value, size_t index) {
  EXPECT_LT(index, value.items.size());
  return *value.items.at(index);
}

// Hand-assembled pickles read best one opcode per line, with its comment.
// clang-format off
TEST(PickleReader, Scalars) {
  // A protocol 2 tuple of every scalar opcode, wrapped in a list built with MARK ... LIST.
  std::string bytes =
      "\x80\x02" "("
      "J" "\xfe\xff\xff\xff"  // BININT -2
      "K" "\xc8"              // BININT1 200
      "M" "\x34\x12"          // BININT2 0x1234
      "\x8a\x01" "\xff"       // LONG1 -1
      "\x8a\x08" "\x00\x00\x00\x00\x00\x00\x00\x80"  // LONG1 INT64_MIN
      "\x8a\x09" "\x00\x00\x00\x00\x00\x00\x00\x00\x01"  // LONG1 2^64: beyond 64 bits
      "\x8a\x00"              // LONG1 0
      "I" "-42\n"             // INT (text)
      "I" "01\n"              // protocol 0 True
      "L" "12345678901L\n"    // LONG (text)
      "G" "\x3f\xf8\x00\x00\x00\x00\x00\x00"  // BINFLOAT 1.5
      "F" "0.25\n"            // FLOAT (text)
      "N" "\x88" "\x89"       // None True False
      "l" "."_b;
  Document document = parse(bytes, "<test>");
  const Value& list = document.root();
  ASSERT_EQ(ValueKind::List, list.kind);
  ASSERT_EQ(15u, list.items.size());
  EXPECT_EQ(-2, item(list, 0).integer);
  EXPECT_EQ(200, item(list, 1).integer);
  EXPECT_EQ(0x1234, item(list, 2).integer);
  EXPECT_EQ(-1, item(list, 3).integer);
  EXPECT_EQ(INT64_MIN, item(list, 4).integer);
  EXPECT_EQ(ValueKind::BigInt, item(list, 5).kind);
  EXPECT_EQ(0, item(list, 6).integer);
  EXPECT_EQ(-42, item(list, 7).integer);
  EXPECT_EQ(ValueKind::Bool, item(list, 8).kind);
  EXPECT_TRUE(item(list, 8).boolean);
  EXPECT_EQ(12345678901, item(list, 9).integer);
  EXPECT_EQ(1.5, item(list, 10).number);
  EXPECT_EQ(0.25, item(list, 11).number);
  EXPECT_EQ(ValueKind::None, item(list, 12).kind);
  EXPECT_TRUE(item(list, 13).boolean);
  EXPECT_FALSE(item(list, 14).boolean);
}

TEST(PickleReader, StringsAndBytes) {
  std::string bytes =
      "\x80\x04" "\x95\x2d\x00\x00\x00\x00\x00\x00\x00"  // FRAME
      "("
      "\x8c\x02" "hi"                                     // SHORT_BINUNICODE
      "X\x03\x00\x00\x00" "abc"                           // BINUNICODE
      "\x8d\x01\x00\x00\x00\x00\x00\x00\x00" "z"          // BINUNICODE8
      "U\x02" "py"                                        // SHORT_BINSTRING
      "T\x01\x00\x00\x00" "q"                             // BINSTRING
      "C\x02" "\x00\x01"                                  // SHORT_BINBYTES
      "B\x01\x00\x00\x00" "\xff"                          // BINBYTES
      "t" "."_b;
  Document document = parse(bytes, "<test>");
  const Value& tuple = document.root();
  ASSERT_EQ(ValueKind::Tuple, tuple.kind);
  ASSERT_EQ(7u, tuple.items.size());
  const char* expected[] = {"hi", "abc", "z", "py", "q"};
  for (size_t i = 0; i < 5; ++i) {
    EXPECT_TRUE(item(tuple, i).is_string());
    EXPECT_EQ(expected[i], item(tuple, i).text);
  }
  EXPECT_EQ(ValueKind::Bytes, item(tuple, 5).kind);
  EXPECT_EQ("\x00\x01"_b, item(tuple, 5).text);
  EXPECT_EQ("\xff"_b, item(tuple, 6).text);
}

TEST(PickleReader, ContainersMemoAndStackOps) {
  std::string bytes =
      "\x80\x04" "}" "\x94"                   // EMPTY_DICT, MEMOIZE -> 0
      "("                                     // MARK for SETITEMS
      "\x8c\x01" "a" "]" "(" "K\x01" "K\x02" "e"   // "a": [1, 2]      (APPENDS)
      "\x8c\x01" "b" "K\x07" "\x85"           // "b": (7,)         (TUPLE1)
      "\x8c\x01" "c" "K\x01" "K\x02" "\x86"   // "c": (1, 2)       (TUPLE2)
      "\x8c\x01" "d" "N" "N" "N" "\x87"       // "d": (None,)*3    (TUPLE3)
      "\x8c\x01" "e" "\x8f" "(" "K\x05" "\x90"  // "e": {5}        (EMPTY_SET, ADDITEMS)
      "\x8c\x01" "f" "(" "K\x06" "\x91"       // "f": frozenset({6})
      "\x8c\x01" "g" "]" "K\x09" "a"          // "g": [9]          (APPEND)
      "\x8c\x01" "h" "K\x03" "2" "0"          // "h": 3            (DUP, POP)
      "\x8c\x01" "i" "(" "K\x01" "1" "h\x00"  // "i": the dict     (POP_MARK, BINGET)
      "u"                                     // SETITEMS
      "\x8c\x01" "j" "(" "K\x01" "K\x02" "d" "q\x05" "s"  // "j": {1: 2}  (DICT, BINPUT, SETITEM)
      "\x8c\x01" "k" "h\x05" "s"              // "k": memo 5 again
      "\x8c\x01" "l" "}" "r\x06\x00\x00\x00" "j\x06\x00\x00\x00" "0" "p7\n" "0" "g7\n" "s"
      "."_b;
  Document document = parse(bytes, "<test>");
  const Value& dict = document.root();
  ASSERT_EQ(ValueKind::Dict, dict.kind);
  ASSERT_EQ(12u, dict.entries.size());
  ASSERT_NE(nullptr, dict.find("a"));
  EXPECT_EQ(2u, dict.find("a")->items.size());
  EXPECT_EQ(7, item(*dict.find("b"), 0).integer);
  EXPECT_EQ(2, item(*dict.find("c"), 1).integer);
  EXPECT_EQ(3u, dict.find("d")->items.size());
  EXPECT_EQ(ValueKind::Set, dict.find("e")->kind);
  EXPECT_EQ(5, item(*dict.find("e"), 0).integer);
  EXPECT_EQ(6, item(*dict.find("f"), 0).integer);
  EXPECT_EQ(9, item(*dict.find("g"), 0).integer);
  EXPECT_EQ(3, dict.find("h")->integer);
  EXPECT_EQ(&dict, dict.find("i"));  // a self reference through the memo
  EXPECT_EQ(dict.find("j"), dict.find("k"));
  EXPECT_EQ(ValueKind::Dict, dict.find("l")->kind);
  EXPECT_EQ(nullptr, dict.find("zz"));
}

TEST(PickleReader, GlobalsAndObjectsAreOnlyRecorded) {
  std::string bytes =
      "\x80\x04" "("
      "c" "os\nsystem\n" "\x8c\x06" "rm -rf" "\x85" "R"    // REDUCE: recorded, never called
      "\x8c\x08" "mymodule" "\x8c\x03" "Cls" "\x93" ")" "\x81"  // STACK_GLOBAL, NEWOBJ
      "}" "\x8c\x04" "path" "\x8c\x08" "tensor_0" "s" "b"  // BUILD
      "c" "m\nK\n" ")" "}" "\x92"                          // NEWOBJ_EX
      "l" "."_b;
  Document document = parse(bytes, "<test>");
  const Value& list = document.root();
  ASSERT_EQ(3u, list.items.size());
  const Value& call = item(list, 0);
  EXPECT_EQ(ValueKind::Object, call.kind);
  EXPECT_EQ("os.system", call.object_class->text);
  EXPECT_EQ("rm -rf", item(*call.object_args, 0).text);
  const Value& object = item(list, 1);
  EXPECT_EQ("mymodule.Cls", object.object_class->text);
  ASSERT_NE(nullptr, object.object_state);
  EXPECT_EQ("tensor_0", object.object_state->find("path")->text);
  EXPECT_EQ("m.K", item(list, 2).object_class->text);
}

// clang-format on

TEST(PickleReader, ReadsTheCheckpointFixtures) {
  for (const char* name :
       {"pickle_nested_p2", "pickle_nested_p4", "pickle_flat_p2", "pickle_flat_p4"}) {
    SCOPED_TRACE(name);
    std::string bytes = read_file(kFixtures / name / "pickled_data");
    Document document = parse(bytes, name);
    const Value& root = document.root();
    ASSERT_EQ(ValueKind::Dict, root.kind);
    ASSERT_NE(nullptr, root.find("protocol_version"));
    EXPECT_EQ(1, root.find("protocol_version")->integer);
    ASSERT_NE(nullptr, root.find("data"));
  }
}

// clang-format off
TEST(PickleReader, RefusesMalformedInput) {
  expect_error([] { parse("", "f.pkl"); }, "f.pkl: corrupt or unsupported pickle at byte 0");
  expect_error([] { parse("\x80\x02" "N"_b, "f.pkl"); }, "no STOP opcode");
  expect_error([] { parse("\x80\x02" "."_b, "f.pkl"); }, "at byte 2: stack underflow");
  expect_error([] { parse("\x80\x02" "(" "."_b, "f.pkl"); }, "stack underflow");
  expect_error([] { parse("\x80\x02" "h\x03" "."_b, "f.pkl"); }, "memo key 3 was never stored");
  expect_error([] { parse("\x80\x02" "N" "\xff" "."_b, "f.pkl"); },
               "at byte 3: unsupported opcode 0xff");
  expect_error([] { parse("\x80\x06" "N."_b, "f.pkl"); }, "pickle protocol 6");
  expect_error([] { parse("\x80\x02" "X\xff\xff\xff\x7f" "ab."_b, "f.pkl"); },
               "needs 2147483647 bytes, only 3 bytes left");
  expect_error([] { parse("\x80\x02" "\x8d\xff\xff\xff\xff\xff\xff\xff\xff" "."_b, "f.pkl"); },
               "bytes left");
  expect_error([] { parse("\x80\x02" "N" "K\x01" "Q" "."_b, "f.pkl"); }, "persistent ids");
  expect_error([] { parse("\x80\x02" "K\x01" "K\x02" "K\x03" "s" "."_b, "f.pkl"); },
               "SETITEM on a int");
  expect_error([] { parse("\x80\x02" "N" "}" "b" "."_b, "f.pkl"); }, "BUILD on a None");
  expect_error([] { parse("\x80\x02" "u" "."_b, "f.pkl"); }, "no MARK");
  expect_error([] { parse("\x80\x02" "c" "os" "."_b, "f.pkl"); }, "unterminated text");
  expect_error([] { parse("\x80\x02" "I" "12x\n" "."_b, "f.pkl"); }, "bad decimal integer");
  expect_error([] { parse("\x80\x04" "\x95\xff\x00\x00\x00\x00\x00\x00\x00" "N."_b, "f.pkl"); },
               "frame of 255 bytes past the end");
}

// clang-format on

// Torch files: persistent ids become values, and globals off the allow-list are refused at once.
TEST(PickleReader, PersistentIdsAndAllowedGlobals) {
  const std::set<std::string, std::less<>> allowed = {"collections.OrderedDict"};
  ParseOptions options{&allowed, /*persistent_ids=*/true};
  Document document = parse("\x80\x02" "X\x01\x00\x00\x00" "7" "\x85" "Q" "."_b, "f.pkl", options);
  ASSERT_EQ(ValueKind::PersistentId, document.root().kind);
  ASSERT_EQ(1u, document.root().items.size());
  EXPECT_EQ("7", document.root().items[0]->items[0]->text);
  EXPECT_EQ(document.end_offset(), 11u);
  EXPECT_EQ(ValueKind::Global,
            parse("\x80\x02" "ccollections\nOrderedDict\n" "."_b, "f.pkl", options).root().kind);
  expect_error([&] { parse("\x80\x02" "cos\nsystem\n" "."_b, "f.pkl", options); },
               "f.pkl: the pickle asks for the global 'os.system' (byte 2), which is not on the "
               "allow-list");
  expect_error(
      [&] { parse("\x80\x02" "X\x02\x00\x00\x00" "os" "X\x06\x00\x00\x00" "system" "\x93" "."_b, "f.pkl", options); },
      "'os.system'");
}

// Every truncation and every single-bit flip of a real checkpoint pickle either parses or throws
// flowonnx::Error; nothing crashes, hangs or throws anything else.
TEST(PickleReader, SurvivesTruncationAndBitFlips) {
  for (const char* name : {"pickle_nested_p2", "pickle_flat_p4"}) {
    std::string bytes = read_file(kFixtures / name / "pickled_data");
    for (size_t size = 0; size < bytes.size(); ++size)
      EXPECT_THROW(parse(std::string_view(bytes).substr(0, size), name), Error) << size;
    for (size_t i = 0; i < bytes.size(); ++i) {
      for (int bit = 0; bit < 8; ++bit) {
        std::string flipped = bytes;
        flipped[i] = static_cast<char>(flipped[i] ^ (1 << bit));
        try {
          parse(flipped, name);
        } catch (const Error&) {
        }
      }
    }
  }
}

}  // namespace
}  // namespace flowonnx::pickle
