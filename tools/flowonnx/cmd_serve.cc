// flowonnx serve: serve a Triton-layout model repository over the Open Inference Protocol
// (KServe v2 HTTP/REST and gRPC) with dynamic batching and Prometheus metrics, until SIGTERM or
// SIGINT, then shut down gracefully (stop accepting, finish the requests in flight, exit 0).
#include <fmt/format.h>
#include <pthread.h>

#include <csignal>
#include <cstdio>
#include <future>

#include "base/temporary_path.h"
#include "cli_rules.h"
#include "commands.h"
#include "serve/inference_server.h"

namespace flowonnx::cli {
namespace {

struct ServeOptions {
  std::string repository;
  std::string host = "0.0.0.0";
  int http_port = 8000;
  int grpc_port = 8001;
  int metrics_port = 8002;
  int threads = 0;
  int http_threads = 64;
  int64_t max_request_mb = 256;
  int64_t max_queue_size = 1024;
  int64_t queue_timeout_ms = 0;
  bool strict = false;
};

void serve(const ServeOptions& options) {
  // main() blocked SIGINT/SIGTERM/SIGHUP in every thread and waits for them in one thread
  // (base/temporary_path); a second waiter here would race it for each signal, so the server
  // asks that thread to hand the first signal over instead of exiting.
  std::promise<int> signalled;
  set_signal_handler([&signalled](int signal) { signalled.set_value(signal); });
  struct HandOverEnds {  // on every way out, so the handler never outlives `signalled`
    ~HandOverEnds() { set_signal_handler({}); }
  } hand_over_ends;

  serve::ServerOptions server_options;
  server_options.model_repository = options.repository;
  server_options.http.host = options.host;
  server_options.http.port = options.http_port;
  server_options.http.threads = options.http_threads;
  server_options.http.max_request_bytes = static_cast<size_t>(options.max_request_mb) << 20;
  server_options.grpc_port = options.grpc_port;
  server_options.metrics_port = options.metrics_port;
  server_options.repository.threads_per_instance = options.threads;
  server_options.repository.max_queue_size = static_cast<size_t>(options.max_queue_size);
  server_options.repository.queue_timeout = std::chrono::milliseconds(options.queue_timeout_ms);
  serve::InferenceServer server(server_options);
  if (options.strict && server.failed_models() > 0)
    throw std::runtime_error(
        fmt::format("{} model(s) failed to load (--strict)", server.failed_models()));
  server.start();
  std::fprintf(stderr, "flowonnx serve: HTTP on %s:%d", options.host.c_str(), server.http_port());
  if (server.grpc_port() >= 0)
    std::fprintf(stderr, ", gRPC on %s:%d", options.host.c_str(), server.grpc_port());
  if (server.metrics_port() >= 0)
    std::fprintf(stderr, ", metrics on %s:%d/metrics", options.host.c_str(), server.metrics_port());
  std::fprintf(stderr, "\n");
  std::fflush(stderr);
  const int received = signalled.get_future().get();
  std::fprintf(stderr, "flowonnx serve: %s, finishing the requests in flight\n",
               received == SIGTERM ? "SIGTERM" : received == SIGINT ? "SIGINT" : "SIGHUP");
  server.stop();
  std::fprintf(stderr, "flowonnx serve: stopped\n");
}

}  // namespace

void add_serve_command(CLI::App& app) {
  CLI::App* cmd = app.add_subcommand("serve",
                                     "Serve a Triton-layout model repository over "
                                     "the Open Inference Protocol (HTTP, gRPC)");
  auto options = std::make_shared<ServeOptions>();
  cmd->add_option("--model-repository", options->repository,
                  "Folder of models: DIR/<model>/<version>/model.onnx [+ "
                  "DIR/<model>/config.pbtxt]")
      ->required()
      ->check(CLI::ExistingDirectory);
  cmd->add_option("--host", options->host, "Address to listen on (127.0.0.1: this machine only)")
      ->capture_default_str();
  cmd->add_option("--http-port", options->http_port, "HTTP/REST port (0: any free port)")
      ->capture_default_str()
      ->check(CLI::Range(0, 65535));
  cmd->add_option("--grpc-port", options->grpc_port, "gRPC port (0: any free port, -1: none)")
      ->capture_default_str()
      ->check(CLI::Range(-1, 65535));
  cmd->add_option("--metrics-port", options->metrics_port,
                  "Prometheus metrics port (0: any free port, -1: none)")
      ->capture_default_str()
      ->check(CLI::Range(-1, 65535));
  add_threads_option(cmd, &options->threads)
      ->description("Threads of each model instance's session (0: one per core)");
  cmd->add_option("--http-threads", options->http_threads,
                  "Connections served at once (each waits for its request's result)")
      ->capture_default_str()
      ->check(at_least(1));
  cmd->add_option("--max-request-mb", options->max_request_mb,
                  "Largest request body in MiB; larger ones get 413")
      ->capture_default_str()
      ->check(at_least(1));
  cmd->add_option("--max-queue-size", options->max_queue_size,
                  "Requests that may wait per model version; more get 503 (0: "
                  "unbounded; a "
                  "config's default_queue_policy wins)")
      ->capture_default_str()
      ->check(at_least(0));
  cmd->add_option("--queue-timeout-ms", options->queue_timeout_ms,
                  "A request waiting longer in the queue gets 503 (0: no limit)")
      ->capture_default_str()
      ->check(at_least(0));
  cmd->add_flag("--strict", options->strict, "Exit with an error when any model fails to load");
  cmd->callback([options] { serve(*options); });
}

}  // namespace flowonnx::cli
