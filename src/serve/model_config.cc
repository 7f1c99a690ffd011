#include "serve/model_config.h"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <google/protobuf/io/tokenizer.h>
#include <google/protobuf/text_format.h>

#include <algorithm>

#include "base/error.h"
#include "base/file_util.h"
#include "serve/datatype.h"
#include "tensor/dtype.h"

namespace flowonnx::serve {
namespace {

// Keeps the first error the text-format parser reports, with its 1-based line
// and column.
class FirstErrorCollector : public google::protobuf::io::ErrorCollector {
 public:
  void AddError(int line, google::protobuf::io::ColumnNumber column,
                const std::string& message) override {
    if (!message_.empty()) return;
    message_ = fmt::format("{}:{}: {}", line + 1, column + 1, message);
  }
  const std::string& message() const { return message_; }

 private:
  std::string message_;
};

// The ONNX runtime's description of a dim: its size, or -1 when symbolic or
// unknown.
int64_t dim_size(const NodeArg::DimValue& dim) {
  const int64_t* size = std::get_if<int64_t>(&dim);
  return size ? *size : -1;
}

std::vector<int64_t> dims_of(const NodeArg& arg) {
  std::vector<int64_t> dims;
  for (const NodeArg::DimValue& dim : arg.shape) dims.push_back(dim_size(dim));
  return dims;
}

DType dtype_of(const NodeArg& arg, const std::string& source) {
  // NodeArg::type is ONNX Runtime's "tensor(float)".
  static const std::pair<const char*, DType> kNames[] = {
      {"tensor(float)", DType::Float32},   {"tensor(double)", DType::Float64},
      {"tensor(float16)", DType::Float16}, {"tensor(int8)", DType::Int8},
      {"tensor(int16)", DType::Int16},     {"tensor(int32)", DType::Int32},
      {"tensor(int64)", DType::Int64},     {"tensor(uint8)", DType::UInt8},
      {"tensor(uint16)", DType::UInt16},   {"tensor(uint32)", DType::UInt32},
      {"tensor(uint64)", DType::UInt64},   {"tensor(bool)", DType::Bool}};
  for (const auto& [name, dtype] : kNames)
    if (arg.type == name) return dtype;
  fail(ErrorCode::InvalidArgument, "{}: '{}' has type {}, which flowonnx serve cannot carry",
       source, arg.name, arg.type);
}

const NodeArg* find_arg(const std::vector<NodeArg>& args, const std::string& name) {
  for (const NodeArg& arg : args)
    if (arg.name == name) return &arg;
  return nullptr;
}

std::string names_of(const std::vector<NodeArg>& args) {
  std::vector<std::string> names;
  for (const NodeArg& arg : args) names.push_back(arg.name);
  return fmt::format("{}", fmt::join(names, ", "));
}

// Checks one config tensor (dims without the batch dim when batching) against
// the model's.
void check_dims(const std::string& source, const char* kind, const std::string& name,
                const std::vector<int64_t>& config_dims, const NodeArg& arg, bool batching) {
  std::vector<int64_t> model_dims = dims_of(arg);
  if (!arg.has_shape) return;  // rank unknown: the session validates each request
  if (batching) {
    FLOWONNX_REQUIRE(!model_dims.empty() && model_dims[0] == -1,
                     "{}: max_batch_size > 0 needs a variable first dim on {} '{}', but the "
                     "model's shape is [{}] (set max_batch_size: 0, or export with a "
                     "dynamic "
                     "batch dim)",
                     source, kind, name, fmt::join(model_dims, ","));
    model_dims.erase(model_dims.begin());
  }
  bool same_rank = config_dims.size() == model_dims.size();
  bool compatible = same_rank;
  for (size_t i = 0; compatible && i < model_dims.size(); ++i)
    compatible = config_dims[i] == -1 || model_dims[i] == -1 || config_dims[i] == model_dims[i];
  FLOWONNX_REQUIRE(compatible, "{}: {} '{}' has dims [{}] but the model's are [{}]{}", source, kind,
                   name, fmt::join(config_dims, ","), fmt::join(model_dims, ","),
                   batching ? " (without the batch dim, as max_batch_size > 0)" : "");
}

template <typename ConfigTensor>
void fill_from_model(ConfigTensor* tensor, const NodeArg& arg, bool batching,
                     const std::string& source) {
  tensor->set_name(arg.name);
  tensor->set_data_type(config_datatype(dtype_of(arg, source)));
  std::vector<int64_t> dims = dims_of(arg);
  for (size_t i = batching ? 1 : 0; i < dims.size(); ++i) tensor->add_dims(dims[i]);
}

bool first_dim_variable(const NodeArg& arg) {
  return arg.has_shape && !arg.shape.empty() && dim_size(arg.shape[0]) == -1;
}

}  // namespace

inference::ModelConfig parse_model_config(const std::filesystem::path& file) {
  const std::string text = read_file(file);
  inference::ModelConfig config;
  google::protobuf::TextFormat::Parser parser;
  FirstErrorCollector errors;
  parser.RecordErrorsTo(&errors);
  // Triton's ModelConfig has many more fields (optimization, model_warmup,
  // ...); a config written for Triton must still load, so fields this server
  // does not use are skipped.
  parser.AllowUnknownField(true);
  if (!parser.ParseFromString(text, &config))
    fail(ErrorCode::InvalidArgument, "{}:{}", file.string(),
         errors.message().empty() ? std::string("0:0: cannot parse") : errors.message());
  return config;
}

void complete_model_config(inference::ModelConfig& config, const std::string& model_name,
                           const InferenceSession& session, const std::string& source) {
  if (config.name().empty()) config.set_name(model_name);
  FLOWONNX_REQUIRE(config.name() == model_name,
                   "{}: name '{}' differs from the model's folder name '{}'", source, config.name(),
                   model_name);
  if (config.platform().empty() && config.backend().empty())
    config.set_platform("onnxruntime_onnx");
  FLOWONNX_REQUIRE(config.platform().empty() || config.platform() == "onnxruntime_onnx",
                   "{}: platform '{}' is not served by flowonnx (only onnxruntime_onnx)", source,
                   config.platform());
  FLOWONNX_REQUIRE(config.backend().empty() || config.backend() == "onnxruntime",
                   "{}: backend '{}' is not served by flowonnx (only onnxruntime)", source,
                   config.backend());
  FLOWONNX_REQUIRE(config.max_batch_size() >= 0, "{}: max_batch_size must be >= 0, got {}", source,
                   config.max_batch_size());
  const bool batching = config.max_batch_size() > 0;

  const std::vector<NodeArg>& inputs = session.get_inputs();
  const std::vector<NodeArg>& outputs = session.get_outputs();
  if (config.input_size() == 0) {
    for (const NodeArg& arg : inputs) fill_from_model(config.add_input(), arg, batching, source);
  }
  for (const inference::ModelInput& input : config.input()) {
    const NodeArg* arg = find_arg(inputs, input.name());
    FLOWONNX_REQUIRE(arg, "{}: input '{}' is not an input of the model (its inputs: {})", source,
                     input.name(), names_of(inputs));
    DType want = dtype_of(*arg, source);
    FLOWONNX_REQUIRE(
        dtype_from_config(input.data_type(), source + ": input '" + input.name() + "'") == want,
        "{}: input '{}' has data_type {} but the model's is {}", source, input.name(),
        inference::DataType_Name(input.data_type()),
        inference::DataType_Name(config_datatype(want)));
    check_dims(source, "input", input.name(),
               std::vector<int64_t>(input.dims().begin(), input.dims().end()), *arg, batching);
  }
  for (const NodeArg& arg : inputs) {
    bool listed =
        std::any_of(config.input().begin(), config.input().end(),
                    [&](const inference::ModelInput& in) { return in.name() == arg.name; });
    FLOWONNX_REQUIRE(listed, "{}: the model's input '{}' is missing from the config", source,
                     arg.name);
  }
  if (config.output_size() == 0) {
    for (const NodeArg& arg : outputs) fill_from_model(config.add_output(), arg, batching, source);
  }
  for (const inference::ModelOutput& output : config.output()) {
    const NodeArg* arg = find_arg(outputs, output.name());
    FLOWONNX_REQUIRE(arg, "{}: output '{}' is not an output of the model (its outputs: {})", source,
                     output.name(), names_of(outputs));
    DType want = dtype_of(*arg, source);
    FLOWONNX_REQUIRE(
        dtype_from_config(output.data_type(), source + ": output '" + output.name() + "'") == want,
        "{}: output '{}' has data_type {} but the model's is {}", source, output.name(),
        inference::DataType_Name(output.data_type()),
        inference::DataType_Name(config_datatype(want)));
    check_dims(source, "output", output.name(),
               std::vector<int64_t>(output.dims().begin(), output.dims().end()), *arg, batching);
  }
  if (config.instance_group_size() == 0) {
    inference::ModelInstanceGroup* group = config.add_instance_group();
    group->set_count(1);
    group->set_kind(inference::ModelInstanceGroup::KIND_CPU);
  }
  for (const inference::ModelInstanceGroup& group : config.instance_group()) {
    FLOWONNX_REQUIRE(group.count() >= 0, "{}: instance_group count must be >= 0, got {}", source,
                     group.count());
    FLOWONNX_REQUIRE(group.kind() != inference::ModelInstanceGroup::KIND_GPU,
                     "{}: instance_group kind KIND_GPU is not served (flowonnx "
                     "serve runs on the "
                     "CPU)",
                     source);
  }
  if (config.has_dynamic_batching()) {
    FLOWONNX_REQUIRE(batching, "{}: dynamic_batching needs max_batch_size > 0", source);
    for (int size : config.dynamic_batching().preferred_batch_size())
      FLOWONNX_REQUIRE(size >= 1 && size <= config.max_batch_size(),
                       "{}: preferred_batch_size {} is outside [1, max_batch_size {}]", source,
                       size, config.max_batch_size());
  }
}

inference::ModelConfig derive_model_config(const std::string& model_name,
                                           const InferenceSession& session) {
  inference::ModelConfig config;
  config.set_name(model_name);
  bool batchable =
      std::all_of(session.get_inputs().begin(), session.get_inputs().end(), first_dim_variable) &&
      std::all_of(session.get_outputs().begin(), session.get_outputs().end(), first_dim_variable);
  if (batchable) {
    config.set_max_batch_size(kDerivedMaxBatchSize);
    config.mutable_dynamic_batching();  // on, with no queue delay
  }
  complete_model_config(config, model_name, session, "derived config of '" + model_name + "'");
  return config;
}

std::set<int64_t> select_versions(const inference::ModelConfig& config,
                                  const std::set<int64_t>& available) {
  const inference::ModelVersionPolicy& policy = config.version_policy();
  if (policy.has_all()) return available;
  if (policy.has_specific()) {
    std::set<int64_t> chosen;
    for (int64_t version : policy.specific().versions())
      if (available.count(version)) chosen.insert(version);
    return chosen;
  }
  uint32_t count = policy.has_latest() ? std::max<uint32_t>(policy.latest().num_versions(), 1) : 1;
  std::set<int64_t> chosen;
  for (auto it = available.rbegin(); it != available.rend() && chosen.size() < count; ++it)
    chosen.insert(*it);
  return chosen;
}

int instance_count(const inference::ModelConfig& config) {
  int count = 0;
  for (const inference::ModelInstanceGroup& group : config.instance_group())
    count += std::max(group.count(), 1);
  return std::max(count, 1);
}

}  // namespace flowonnx::serve
