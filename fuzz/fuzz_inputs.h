// One function per fuzz target: feed one input to the reader the target fuzzes. Each returns
// normally when the reader loads the input or refuses it with flowonnx::Error (the expected
// outcomes); anything else escapes. The fuzz_*.cc targets call them, and
// tests/corrupt/fuzz_regressions_test.cc replays the seed corpus and every crash input through them
// in the ordinary (non-fuzzing) build.
#pragma once

#include <onnx/onnx_pb.h>

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <variant>

#include "base/error.h"
#include "flow/checkpoint.h"
#include "flow/checkpoint/pickle_layout.h"
#include "flow/checkpoint/pickle_reader.h"
#include "fuzz_util.h"
#include "onnx/external_data.h"
#include "onnx/model_io.h"
#include "onnx/tensor_proto.h"
#include "runtime/session.h"
#include "tensor/npy.h"

namespace flowonnx::fuzz {

// .npy bytes -> parse_npy (read_npy, `flowonnx run --input x.npy`). A tensor that loads must
// round-trip: writer and reader agree on every accepted header.
inline void run_npy(std::string_view bytes) {
  try {
    Tensor tensor = parse_npy(bytes, "<fuzz>");
    (void)parse_npy(serialize_npy(tensor), "<fuzz round trip>");
  } catch (const Error&) {
  }
}

// pickled_data bytes -> the safe pickle VM, then the OneFlow pickle layout walk.
inline void run_pickle(std::string_view bytes) {
  try {
    (void)pickle::parse(bytes, "<fuzz>");
  } catch (const Error&) {
  }
  try {
    (void)checkpoint::read_pickled_tensor_paths(bytes, "<fuzz>");
  } catch (const Error&) {
  }
}

// Checkpoint folders -> flowonnx::load. The input is split at kFileSeparator into files written to
// a scratch folder; the first part selects the layout:
//   "P" pickle:  pickled_data, tensor_0/meta, tensor_0/out, tensor_1/meta, tensor_1/out, ...
//   else legacy: a/meta, a/out, b/meta, b/out, ... (plus snapshot_done when the part is "S")
//   "F" file:    one checkpoint file (PyTorch zip or legacy torch.save, safetensors)
// so mutations reach the meta text parser, the out-size checks and the pickle walk together.
inline void run_checkpoint(std::string_view bytes) {
  constexpr size_t kMaxFiles = 9;
  auto parts = split_files(bytes, kMaxFiles);
  auto dir = fresh_dir("ck");
  std::string_view mode = parts[0];
  if (mode == "F") {  // a checkpoint file: PyTorch zip or legacy, or safetensors
    const std::filesystem::path file = dir.parent_path() / "ck.file";
    write_bytes(file, parts.size() > 1 ? parts[1] : std::string_view());
    try {
      (void)load(file);
    } catch (const Error&) {
    }
    return;
  }
  if (mode == "P") {
    if (parts.size() > 1) write_bytes(dir / "pickled_data", parts[1]);
    for (size_t i = 2; i < parts.size(); ++i)
      write_bytes(dir / ("tensor_" + std::to_string((i - 2) / 2)) / ((i - 2) % 2 ? "out" : "meta"),
                  parts[i]);
  } else {
    if (mode == "S") write_bytes(dir / "snapshot_done", "");
    for (size_t i = 1; i < parts.size(); ++i)
      write_bytes(dir / std::string(1, static_cast<char>('a' + (i - 1) / 2)) /
                      ((i - 1) % 2 ? "out" : "meta"),
                  parts[i]);
  }
  try {
    (void)load(dir);
  } catch (const Error&) {
  }
}

// TensorProto bytes -> tensor_from_proto (initializers, Constant values, backend-test .pb files):
// raw_data and the typed fields, dims vs data size, and external data resolved against a scratch
// folder holding the 256-byte file
// "w.bin" (escaping it must be refused); then again with external data refused.
inline void run_tensor_proto(std::string_view bytes) {
  static const std::filesystem::path dir = [] {
    auto path = fresh_dir("tp");
    std::string blob(256, '\0');
    for (size_t i = 0; i < blob.size(); ++i) blob[i] = static_cast<char>(i);
    write_bytes(path / "w.bin", blob);
    return path;
  }();
  ::onnx::TensorProto proto;
  if (!proto.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) return;
  try {
    onnx_io::ExternalDataReader external(dir);
    (void)onnx_io::tensor_from_proto(proto, "<fuzz>", &external);
  } catch (const Error&) {
  }
  try {
    (void)onnx_io::tensor_from_proto(proto, "<fuzz>", nullptr);
  } catch (const Error&) {
  }
}

// Zero feeds for every input of `session`, or false when an input is not small (kMaxElements),
// static and of a known type.
inline bool zero_feeds(const InferenceSession& session, std::map<std::string, Tensor>& feeds) {
  constexpr int64_t kMaxElements = 4096;
  for (const NodeArg& input : session.get_inputs()) {
    if (!input.has_shape) return false;
    Shape shape;
    int64_t elements = 1;
    for (const auto& dim : input.shape) {
      const int64_t* size = std::get_if<int64_t>(&dim);
      if (!size || *size < 0) return false;
      shape.push_back(*size);
      elements *= *size;
      if (elements > kMaxElements) return false;
    }
    bool known = false;
    for (DType dtype : kAllDTypes)
      if (onnx_io::onnx_type_string(dtype) == input.type) {
        feeds.emplace(input.name, Tensor::zeros(shape, dtype));
        known = true;
      }
    if (!known) return false;
  }
  return true;
}

// .onnx bytes -> parse_model -> InferenceSession (op normalisation, type inference, graph checks,
// planning); a session whose inputs are all small and static also runs once on zeros.
inline void run_model_load(std::string_view bytes) {
  static const std::filesystem::path dir = fresh_dir("model");
  try {
    SessionOptions options;
    options.intra_op_num_threads = 1;
    InferenceSession session(onnx_io::parse_model(bytes, dir, "<fuzz>"), {"CPUExecutionProvider"},
                             options);
    std::map<std::string, Tensor> feeds;
    if (zero_feeds(session, feeds)) (void)session.run({}, feeds);
  } catch (const Error&) {
  }
}

}  // namespace flowonnx::fuzz
