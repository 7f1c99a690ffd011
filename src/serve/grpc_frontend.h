// The Open Inference Protocol's gRPC endpoint (Triton's GRPCInferenceService, grpc_service.proto)
// on Debian's gRPC++: the same calls as the HTTP/REST endpoint, sharing its repository, batching
// and statistics. Errors are gRPC statuses: INVALID_ARGUMENT, NOT_FOUND, UNAVAILABLE, INTERNAL.
#pragma once

#include <atomic>
#include <memory>
#include <string>

#include "serve/model_repository.h"

namespace grpc {
class Server;
}

namespace flowonnx::serve {

class GrpcService;

struct GrpcOptions {
  std::string host = "0.0.0.0";
  int port = 8001;  // 0: any free port (see port())
  size_t max_message_bytes = size_t{256} << 20;
};

class GrpcFrontend {
 public:
  GrpcFrontend(ModelRepository& repository, GrpcOptions options);
  ~GrpcFrontend();
  // Binds the port (a ServeError naming host and port when that fails) and starts serving.
  void start();
  int port() const { return port_; }
  // Stops accepting calls; calls in flight finish first.
  void stop();

 private:
  const GrpcOptions options_;
  std::unique_ptr<GrpcService> service_;
  std::unique_ptr<grpc::Server> server_;
  int port_ = 0;
};

}  // namespace flowonnx::serve
