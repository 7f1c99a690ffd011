#include "serve/grpc_frontend.h"

#include <fmt/ranges.h>
#include <grpcpp/grpcpp.h>

#include <algorithm>
#include <cstring>
#include <limits>

#include "base/error.h"
#include "grpc_service.grpc.pb.h"
#include "serve/datatype.h"
#include "serve/infer_call.h"
#include "serve/serve_error.h"
#include "serve/server_metadata.h"

namespace flowonnx::serve {
namespace {

grpc::Status status_of(int http_status, const std::string& message) {
  switch (http_status) {
    case kBadRequest:
      return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, message);
    case kNotFound:
      return grpc::Status(grpc::StatusCode::NOT_FOUND, message);
    case kPayloadTooLarge:
      return grpc::Status(grpc::StatusCode::RESOURCE_EXHAUSTED, message);
    case kUnavailable:
      return grpc::Status(grpc::StatusCode::UNAVAILABLE, message);
    default:
      return grpc::Status(grpc::StatusCode::INTERNAL, message);
  }
}

// Runs a call, turning every exception into a gRPC status.
template <typename Fn>
grpc::Status guarded(Fn&& fn) {
  try {
    fn();
    return grpc::Status::OK;
  } catch (const ServeError& e) {
    return status_of(e.status(), e.what());
  } catch (const Error& e) {
    return status_of(e.code() == ErrorCode::InvalidArgument ? kBadRequest : kInternalError,
                     e.what());
  } catch (const std::bad_alloc&) {
    return status_of(kUnavailable, "out of memory for this request");
  } catch (const std::exception& e) {
    return status_of(kInternalError, e.what());
  }
}

void fill_tensor_metadata(inference::ModelMetadataResponse::TensorMetadata* out,
                          const std::string& name, inference::DataType type,
                          const google::protobuf::RepeatedField<int64_t>& dims, bool batching) {
  out->set_name(name);
  out->set_datatype(inference::DataType_Name(type).substr(5));  // TYPE_FP32 -> FP32
  if (batching) out->add_shape(-1);
  for (int64_t dim : dims) out->add_shape(dim);
}

// The tensor of one input: its bytes from raw_input_contents[raw_index] when the request uses
// them, else from the typed `contents` field.
Tensor input_tensor(const inference::ModelInferRequest& request, int index) {
  const auto& input = request.inputs(index);
  const std::string what = "input '" + input.name() + "'";
  DType dtype = dtype_from_protocol(input.datatype(), what);
  Shape shape;
  for (int64_t dim : input.shape()) {
    if (dim < 0) serve_fail(kBadRequest, "{}: shape must hold non-negative dims", what);
    shape.push_back(dim);
  }
  Tensor tensor(shape, dtype);
  if (request.raw_input_contents_size() > 0) {
    if (index >= request.raw_input_contents_size())
      serve_fail(kBadRequest, "{}: raw_input_contents has {} entries for {} inputs", what,
                 request.raw_input_contents_size(), request.inputs_size());
    const std::string& raw = request.raw_input_contents(index);
    if (raw.size() != tensor.nbytes())
      serve_fail(kBadRequest, "{}: raw_input_contents[{}] has {} bytes but {} [{}] needs {}", what,
                 index, raw.size(), input.datatype(), fmt::join(shape, ","), tensor.nbytes());
    if (!raw.empty()) std::memcpy(tensor.raw_data(), raw.data(), raw.size());
    return tensor;
  }
  const inference::InferTensorContents& contents = input.contents();
  auto copy = [&](const auto& values, auto type_tag) {
    using T = decltype(type_tag);
    if (static_cast<int64_t>(values.size()) != tensor.num_elements())
      serve_fail(kBadRequest, "{}: contents has {} values but shape [{}] needs {}", what,
                 values.size(), fmt::join(shape, ","), tensor.num_elements());
    T* out = tensor.data<T>();
    for (int i = 0; i < values.size(); ++i) out[i] = static_cast<T>(values[i]);
  };
  switch (dtype) {
    case DType::Float32:
      copy(contents.fp32_contents(), float{});
      break;
    case DType::Float64:
      copy(contents.fp64_contents(), double{});
      break;
    case DType::Int64:
      copy(contents.int64_contents(), int64_t{});
      break;
    case DType::Int32:
      copy(contents.int_contents(), int32_t{});
      break;
    case DType::Int16:
      copy(contents.int_contents(), int16_t{});
      break;
    case DType::Int8:
      copy(contents.int_contents(), int8_t{});
      break;
    case DType::UInt64:
      copy(contents.uint64_contents(), uint64_t{});
      break;
    case DType::UInt32:
      copy(contents.uint_contents(), uint32_t{});
      break;
    case DType::UInt16:
      copy(contents.uint_contents(), uint16_t{});
      break;
    case DType::UInt8:
      copy(contents.uint_contents(), uint8_t{});
      break;
    case DType::Bool:
      copy(contents.bool_contents(), bool{});
      break;
    default:
      serve_fail(kBadRequest, "{}: {} needs raw_input_contents", what, input.datatype());
  }
  return tensor;
}

void fill_duration(inference::StatisticDuration* out, const Duration& duration) {
  out->set_count(duration.count);
  out->set_ns(duration.ns);
}

}  // namespace

class GrpcService final : public inference::GRPCInferenceService::Service {
 public:
  explicit GrpcService(ModelRepository& repository) : repository_(repository) {}

  grpc::Status ServerLive(grpc::ServerContext*, const inference::ServerLiveRequest*,
                          inference::ServerLiveResponse* response) override {
    response->set_live(true);
    return grpc::Status::OK;
  }
  grpc::Status ServerReady(grpc::ServerContext*, const inference::ServerReadyRequest*,
                           inference::ServerReadyResponse* response) override {
    response->set_ready(repository_.all_ready());
    return grpc::Status::OK;
  }
  grpc::Status ModelReady(grpc::ServerContext*, const inference::ModelReadyRequest* request,
                          inference::ModelReadyResponse* response) override {
    try {
      ModelRepository::version_of(*repository_.find(request->name()), request->version());
      response->set_ready(true);
    } catch (const ServeError&) {
      response->set_ready(false);
    }
    return grpc::Status::OK;
  }
  grpc::Status ServerMetadata(grpc::ServerContext*, const inference::ServerMetadataRequest*,
                              inference::ServerMetadataResponse* response) override {
    response->set_name(kServerName);
    response->set_version(kServerVersion);
    for (const std::string& extension : kServerExtensions) response->add_extensions(extension);
    return grpc::Status::OK;
  }
  grpc::Status ModelMetadata(grpc::ServerContext*, const inference::ModelMetadataRequest* request,
                             inference::ModelMetadataResponse* response) override {
    return guarded([&] {
      auto model = repository_.find(request->name());
      response->set_name(model->name);
      if (request->version().empty()) {
        for (const auto& [number, unused] : model->versions)
          response->add_versions(std::to_string(number));
      } else {
        response->add_versions(
            std::to_string(ModelRepository::version_of(*model, request->version())->version));
      }
      const inference::ModelConfig& config = model->config;
      response->set_platform(config.platform().empty() ? "onnxruntime_onnx" : config.platform());
      const bool batching = config.max_batch_size() > 0;
      for (const auto& input : config.input())
        fill_tensor_metadata(response->add_inputs(), input.name(), input.data_type(), input.dims(),
                             batching);
      for (const auto& output : config.output())
        fill_tensor_metadata(response->add_outputs(), output.name(), output.data_type(),
                             output.dims(), batching);
    });
  }
  grpc::Status ModelInfer(grpc::ServerContext*, const inference::ModelInferRequest* request,
                          inference::ModelInferResponse* response) override {
    return guarded([&] {
      std::vector<std::pair<std::string, Tensor>> inputs;
      for (int i = 0; i < request->inputs_size(); ++i) {
        for (const auto& [seen, unused] : inputs)
          if (seen == request->inputs(i).name())
            serve_fail(kBadRequest, "input '{}' is given twice", seen);
        inputs.emplace_back(request->inputs(i).name(), input_tensor(*request, i));
      }
      std::vector<std::string> requested;
      for (const auto& output : request->outputs()) requested.push_back(output.name());
      InferResult result = run_inference(repository_, request->model_name(),
                                         request->model_version(), std::move(inputs), requested);
      response->set_model_name(result.model_name);
      response->set_model_version(result.version);
      response->set_id(request->id());
      for (const InferOutput& output : result.outputs) {
        auto* tensor = response->add_outputs();
        tensor->set_name(output.name);
        tensor->set_datatype(protocol_datatype(output.tensor.dtype()));
        for (int64_t dim : output.tensor.shape()) tensor->add_shape(dim);
        response->add_raw_output_contents(static_cast<const char*>(output.tensor.raw_data()),
                                          output.tensor.nbytes());
      }
    });
  }
  grpc::Status ModelConfig(grpc::ServerContext*, const inference::ModelConfigRequest* request,
                           inference::ModelConfigResponse* response) override {
    return guarded([&] {
      auto model = repository_.find(request->name());
      ModelRepository::version_of(*model, request->version());
      *response->mutable_config() = model->config;
    });
  }
  grpc::Status ModelStatistics(grpc::ServerContext*,
                               const inference::ModelStatisticsRequest* request,
                               inference::ModelStatisticsResponse* response) override {
    return guarded([&] {
      std::vector<std::shared_ptr<const LoadedModel>> models;
      if (request->name().empty()) {
        models = repository_.loaded();
      } else {
        models.push_back(repository_.find(request->name()));
        if (!request->version().empty())
          ModelRepository::version_of(*models.front(), request->version());
      }
      for (const auto& model : models)
        for (const auto& [number, version] : model->versions) {
          if (!request->version().empty() && std::to_string(number) != request->version()) continue;
          const ModelStatsSnapshot stats = version->stats->snapshot();
          auto* out = response->add_model_stats();
          out->set_name(model->name);
          out->set_version(std::to_string(number));
          out->set_last_inference(stats.last_inference_ms);
          out->set_inference_count(stats.inference_count);
          out->set_execution_count(stats.execution_count);
          auto* infer = out->mutable_inference_stats();
          fill_duration(infer->mutable_success(), stats.success);
          fill_duration(infer->mutable_fail(), stats.fail);
          fill_duration(infer->mutable_queue(), stats.queue);
          fill_duration(infer->mutable_compute_input(), stats.compute_input);
          fill_duration(infer->mutable_compute_infer(), stats.compute_infer);
          fill_duration(infer->mutable_compute_output(), stats.compute_output);
          for (const auto& [size, durations] : stats.batches) {
            auto* batch = out->add_batch_stats();
            batch->set_batch_size(static_cast<uint64_t>(size));
            fill_duration(batch->mutable_compute_input(), durations.compute_input);
            fill_duration(batch->mutable_compute_infer(), durations.compute_infer);
            fill_duration(batch->mutable_compute_output(), durations.compute_output);
          }
        }
    });
  }
  grpc::Status RepositoryIndex(grpc::ServerContext*,
                               const inference::RepositoryIndexRequest* request,
                               inference::RepositoryIndexResponse* response) override {
    return guarded([&] {
      for (const RepositoryEntry& entry : repository_.index()) {
        if (request->ready() && entry.state != ModelState::kReady) continue;
        auto* model = response->add_models();
        model->set_name(entry.name);
        model->set_version(entry.version);
        model->set_state(model_state_name(entry.state));
        model->set_reason(entry.reason);
      }
    });
  }
  grpc::Status RepositoryModelLoad(grpc::ServerContext*,
                                   const inference::RepositoryModelLoadRequest* request,
                                   inference::RepositoryModelLoadResponse*) override {
    return guarded([&] { repository_.load(request->model_name()); });
  }
  grpc::Status RepositoryModelUnload(grpc::ServerContext*,
                                     const inference::RepositoryModelUnloadRequest* request,
                                     inference::RepositoryModelUnloadResponse*) override {
    return guarded([&] { repository_.unload(request->model_name()); });
  }

 private:
  ModelRepository& repository_;
};

GrpcFrontend::GrpcFrontend(ModelRepository& repository, GrpcOptions options)
    : options_(std::move(options)), service_(std::make_unique<GrpcService>(repository)) {}

GrpcFrontend::~GrpcFrontend() { stop(); }

void GrpcFrontend::start() {
  grpc::ServerBuilder builder;
  const std::string address = options_.host + ":" + std::to_string(options_.port);
  builder.AddListeningPort(address, grpc::InsecureServerCredentials(), &port_);
  builder.SetMaxReceiveMessageSize(static_cast<int>(
      std::min<size_t>(options_.max_message_bytes, std::numeric_limits<int>::max())));
  builder.SetMaxSendMessageSize(std::numeric_limits<int>::max());
  builder.RegisterService(service_.get());
  server_ = builder.BuildAndStart();
  if (!server_ || port_ == 0)
    serve_fail(kInternalError, "cannot listen on {} for gRPC (in use, or not allowed)", address);
}

void GrpcFrontend::stop() {
  if (!server_) return;
  // Graceful: no new calls; those in flight get up to a minute to finish.
  server_->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(60));
  server_->Wait();
  server_.reset();
}

}  // namespace flowonnx::serve
