// `flowonnx serve` as a library: a model repository behind the HTTP/REST
// endpoint and the Prometheus metrics endpoint. Tests run it in-process on
// ephemeral ports (port 0).
#pragma once

#include <filesystem>
#include <memory>

#include "serve/grpc_frontend.h"
#include "serve/http_frontend.h"
#include "serve/model_repository.h"

namespace httplib {
class Server;
}

namespace flowonnx::serve {

struct ServerOptions {
  std::filesystem::path model_repository;
  HttpOptions http;
  int grpc_port = 8001;     // 0: any free port; -1: no gRPC endpoint
  int metrics_port = 8002;  // 0: any free port; -1: no metrics endpoint
  RepositoryOptions repository;
};

class InferenceServer {
 public:
  // Loads every model of the repository (failures are logged and leave the
  // model unavailable).
  explicit InferenceServer(ServerOptions options);
  ~InferenceServer();
  // Binds the ports and starts serving; throws when a port cannot be bound.
  void start();
  int http_port() const { return http_->port(); }
  int grpc_port() const { return grpc_ ? grpc_->port() : -1; }
  int metrics_port() const { return metrics_port_; }
  int failed_models() const { return failed_models_; }
  ModelRepository& repository() { return *repository_; }
  // Graceful: stops accepting connections, lets the requests in flight finish,
  // then returns.
  void stop();

 private:
  const ServerOptions options_;
  std::unique_ptr<ModelRepository> repository_;
  std::unique_ptr<HttpFrontend> http_;
  std::unique_ptr<GrpcFrontend> grpc_;
  std::unique_ptr<httplib::Server> metrics_;
  std::thread metrics_listener_;
  int metrics_port_ = -1;
  int failed_models_ = 0;
};

}  // namespace flowonnx::serve
