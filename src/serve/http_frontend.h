// The Open Inference Protocol's HTTP/REST endpoints (KServe v2 plus the Triton
// extensions that clients use: model configuration, statistics, model
// repository, binary tensor data) on cpp-httplib. Every error is {"error":
// "..."} with the status ServeError carries.
#pragma once

#include <atomic>
#include <memory>
#include <string>
#include <thread>

#include "serve/model_repository.h"

namespace flowonnx::serve {

class ListeningServer;

struct HttpOptions {
  std::string host = "0.0.0.0";
  int port = 8000;   // 0: any free port (see port())
  int threads = 64;  // connections served at once; each waits for its request's result
  size_t max_request_bytes = size_t{256} << 20;
};

class HttpFrontend {
 public:
  HttpFrontend(ModelRepository& repository, HttpOptions options);
  ~HttpFrontend();
  // Binds the port (a ServeError naming host and port when it is taken) and
  // starts serving.
  void start();
  int port() const { return port_; }
  // Stops accepting; requests being served finish first. Then health/ready
  // reports not ready.
  void stop();
  // While false, v2/health/ready answers 503 (set during shutdown).
  void set_ready(bool ready) { ready_ = ready; }

 private:
  void add_routes();

  ModelRepository& repository_;
  const HttpOptions options_;
  std::unique_ptr<ListeningServer> server_;
  std::thread listener_;
  int port_ = 0;
  std::atomic<bool> ready_{true};
};

}  // namespace flowonnx::serve
