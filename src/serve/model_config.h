// A served model's configuration: Triton's config.pbtxt (protobuf text format,
// parsed against model_config.proto) checked against the ONNX model, or, when
// the file is absent, one derived from the model as Triton's auto-complete
// does.
#pragma once

#include <cstdint>
#include <filesystem>
#include <set>
#include <string>
#include <vector>

#include "model_config.pb.h"
#include "runtime/session.h"

namespace flowonnx::serve {

// max_batch_size of a derived config when every input and output has a variable
// first dim.
inline constexpr int kDerivedMaxBatchSize = 8;

// Parses `file`; a syntax error or a wrong field type is a flowonnx::Error
// naming the file, line and column. Fields of Triton's ModelConfig that
// model_config.proto lacks are skipped.
inference::ModelConfig parse_model_config(const std::filesystem::path& file);

// Fills what `config` leaves out from the session's model (name, platform,
// inputs, outputs, instance_group) and checks what it states: every input and
// output named exists with that data_type and compatible dims, and
// max_batch_size > 0 only when every input and every served output has a
// variable first dim. Errors name `source` (the config file, or "derived
// config").
void complete_model_config(inference::ModelConfig& config, const std::string& model_name,
                           const InferenceSession& session, const std::string& source);

// The config for a model folder without config.pbtxt.
inference::ModelConfig derive_model_config(const std::string& model_name,
                                           const InferenceSession& session);

// The versions to load from those present on disk, by the config's
// version_policy (Triton's default: the latest one).
std::set<int64_t> select_versions(const inference::ModelConfig& config,
                                  const std::set<int64_t>& available);

// Instances to create (the sum of the instance_group counts; at least 1).
int instance_count(const inference::ModelConfig& config);

}  // namespace flowonnx::serve
