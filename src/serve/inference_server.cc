#include "serve/inference_server.h"

#include <httplib.h>

#include "serve/metrics.h"
#include "serve/serve_error.h"

namespace flowonnx::serve {

InferenceServer::InferenceServer(ServerOptions options)
    : options_(std::move(options)),
      repository_(
          std::make_unique<ModelRepository>(options_.model_repository, options_.repository)) {
  failed_models_ = repository_->load_all();
  http_ = std::make_unique<HttpFrontend>(*repository_, options_.http);
}

InferenceServer::~InferenceServer() { stop(); }

void InferenceServer::start() {
  http_->start();
  if (options_.grpc_port >= 0) {
    GrpcOptions grpc_options;
    grpc_options.host = options_.http.host;
    grpc_options.port = options_.grpc_port;
    grpc_options.max_message_bytes = options_.http.max_request_bytes;
    grpc_ = std::make_unique<GrpcFrontend>(*repository_, grpc_options);
    try {
      grpc_->start();
    } catch (...) {
      http_->stop();
      throw;
    }
  }
  if (options_.metrics_port < 0) return;
  metrics_ = std::make_unique<httplib::Server>();
  metrics_->Get("/metrics", [this](const httplib::Request&, httplib::Response& res) {
    res.set_content(prometheus_text(*repository_), "text/plain; version=0.0.4");
  });
  if (options_.metrics_port == 0) {
    metrics_port_ = metrics_->bind_to_any_port(options_.http.host);
  } else if (metrics_->bind_to_port(options_.http.host, options_.metrics_port)) {
    metrics_port_ = options_.metrics_port;
  }
  if (metrics_port_ < 0) {
    http_->stop();
    serve_fail(kInternalError, "cannot listen on {}:{} for metrics (in use, or not allowed)",
               options_.http.host, options_.metrics_port);
  }
  metrics_listener_ = std::thread([this] { metrics_->listen_after_bind(); });
}

void InferenceServer::stop() {
  if (http_) http_->stop();
  if (grpc_) grpc_->stop();
  if (metrics_listener_.joinable()) {
    metrics_->stop();
    metrics_listener_.join();
  }
}

}  // namespace flowonnx::serve
