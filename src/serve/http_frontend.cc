#include "serve/http_frontend.h"

#include <google/protobuf/util/json_util.h>
#include <httplib.h>
#include <sys/socket.h>

#include <charconv>
#include <nlohmann/json.hpp>

#include "base/error.h"
#include "serve/datatype.h"
#include "serve/infer_call.h"
#include "serve/infer_codec.h"
#include "serve/serve_error.h"
#include "serve/server_metadata.h"

namespace flowonnx::serve {

// Debian's libcpp-httplib is built with a listen backlog of 5: a burst of new
// connections (32 clients starting at once) overflows it and the kernel drops
// some, which clients see as reset connections. Once bound, the socket listens
// again with a deep backlog.
class ListeningServer : public httplib::Server {
 public:
  void deepen_backlog() { ::listen(svr_sock_, kListenBacklog); }

 private:
  static constexpr int kListenBacklog = 1024;
};

namespace {

using nlohmann::json;

constexpr const char* kJson = "application/json";

void send_error(httplib::Response& res, int status, const std::string& message) {
  res.status = status;
  res.set_content(json{{"error", message}}.dump(), kJson);
}

// Runs a handler, turning every exception into the protocol's error object.
template <typename Fn>
void guarded(httplib::Response& res, Fn&& fn) {
  try {
    fn();
  } catch (const ServeError& e) {
    send_error(res, e.status(), e.what());
  } catch (const Error& e) {
    send_error(res, e.code() == ErrorCode::InvalidArgument ? kBadRequest : kInternalError,
               e.what());
  } catch (const std::bad_alloc&) {
    send_error(res, kUnavailable, "out of memory for this request");
  } catch (const std::exception& e) {
    send_error(res, kInternalError, e.what());
  }
}

// Capture 1: model name; capture 2 (may be empty): version.
constexpr const char* kModel = R"(/v2/models/([^/]+)(?:/versions/([^/]+))?)";

std::string version_match(const httplib::Request& req) {
  return req.matches.size() > 2 ? req.matches[2].str() : std::string();
}

json tensor_metadata(const std::string& name, inference::DataType type,
                     const google::protobuf::RepeatedField<int64_t>& dims, bool batching) {
  json shape = json::array();
  if (batching) shape.push_back(-1);
  for (int64_t dim : dims) shape.push_back(dim);
  return {{"name", name},
          {"datatype", inference::DataType_Name(type).substr(5)},  // TYPE_FP32 -> FP32
          {"shape", shape}};
}

json model_metadata(const LoadedModel& model, const ModelVersion* only) {
  const inference::ModelConfig& config = model.config;
  json versions = json::array();
  if (only) {
    versions.push_back(std::to_string(only->version));
  } else {
    for (const auto& [number, unused] : model.versions) versions.push_back(std::to_string(number));
  }
  json inputs = json::array(), outputs = json::array();
  for (const inference::ModelInput& input : config.input())
    inputs.push_back(tensor_metadata(input.name(), input.data_type(), input.dims(),
                                     config.max_batch_size() > 0));
  for (const inference::ModelOutput& output : config.output())
    outputs.push_back(tensor_metadata(output.name(), output.data_type(), output.dims(),
                                      config.max_batch_size() > 0));
  return {{"name", model.name},
          {"versions", versions},
          {"platform", config.platform().empty() ? "onnxruntime_onnx" : config.platform()},
          {"inputs", inputs},
          {"outputs", outputs}};
}

std::optional<size_t> header_length_of(const httplib::Request& req) {
  if (!req.has_header("Inference-Header-Content-Length")) return std::nullopt;
  const std::string text = req.get_header_value("Inference-Header-Content-Length");
  size_t value = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size())
    serve_fail(kBadRequest, "Inference-Header-Content-Length '{}' is not a byte count", text);
  return value;
}

void infer(ModelRepository& repository, const httplib::Request& req, httplib::Response& res) {
  InferRequestBody request = parse_infer_request(req.body, header_length_of(req));
  std::vector<std::string> requested;
  for (const RequestedOutput& output : request.outputs) requested.push_back(output.name);
  InferResult result = run_inference(repository, req.matches[1].str(), version_match(req),
                                     std::move(request.inputs), requested);
  std::vector<ResponseTensor> outputs;
  for (size_t i = 0; i < result.outputs.size(); ++i) {
    bool binary = request.outputs.empty() ? request.binary_outputs : request.outputs[i].binary;
    outputs.push_back({result.outputs[i].name, std::move(result.outputs[i].tensor), binary});
  }
  InferResponseBody body =
      build_infer_response(result.model_name, result.version, request.id, outputs);
  if (body.header_length) {
    res.set_header("Inference-Header-Content-Length", std::to_string(*body.header_length));
    res.set_content(std::move(body.body), "application/octet-stream");
  } else {
    res.set_content(std::move(body.body), kJson);
  }
}

json stats_of(const LoadedModel& model, const std::string& version) {
  json list = json::array();
  for (const auto& [number, loaded] : model.versions)
    if (version.empty() || std::to_string(number) == version)
      list.push_back(stats_json(model.name, std::to_string(number), loaded->stats->snapshot()));
  if (list.empty()) ModelRepository::version_of(model, version);  // throws the 404
  return list;
}

}  // namespace

HttpFrontend::HttpFrontend(ModelRepository& repository, HttpOptions options)
    : repository_(repository),
      options_(std::move(options)),
      server_(std::make_unique<ListeningServer>()) {
  const int threads = options_.threads;
  server_->new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
  server_->set_payload_max_length(options_.max_request_bytes);
  server_->set_keep_alive_max_count(1000);
  server_->set_tcp_nodelay(true);
  const size_t max_bytes = options_.max_request_bytes;
  server_->set_error_handler([max_bytes](const httplib::Request& req, httplib::Response& res) {
    if (!res.body.empty()) return;  // an error our handlers already described
    std::string message = fmt::format("{} {}: HTTP {}", req.method, req.path, res.status);
    if (res.status == 404) message = fmt::format("no endpoint {} {}", req.method, req.path);
    if (res.status == kPayloadTooLarge)
      message = fmt::format("the request body is over the limit of {} bytes", max_bytes);
    send_error(res, res.status, message);
  });
  add_routes();
}

HttpFrontend::~HttpFrontend() { stop(); }

void HttpFrontend::add_routes() {
  httplib::Server& s = *server_;
  ModelRepository& repo = repository_;
  s.Get("/v2/health/live",
        [](const httplib::Request&, httplib::Response& res) { res.status = 200; });
  s.Get("/v2/health/ready", [this](const httplib::Request&, httplib::Response& res) {
    if (ready_ && repository_.all_ready()) {
      res.status = 200;
    } else {
      send_error(
          res, kUnavailable,
          ready_ ? "a model of the repository failed to load" : "the server is shutting down");
    }
  });
  s.Get("/v2", [](const httplib::Request&, httplib::Response& res) {
    res.set_content(server_metadata().dump(), kJson);
  });
  // Before the model routes, which would take "stats" for a model name.
  s.Get("/v2/models/stats", [&repo](const httplib::Request&, httplib::Response& res) {
    guarded(res, [&] {
      json list = json::array();
      for (const auto& model : repo.loaded())
        for (json& entry : stats_of(*model, "")) list.push_back(std::move(entry));
      res.set_content(json{{"model_stats", list}}.dump(), kJson);
    });
  });
  s.Get(kModel, [&repo](const httplib::Request& req, httplib::Response& res) {
    guarded(res, [&] {
      auto model = repo.find(req.matches[1].str());
      const std::string version = version_match(req);
      auto only = version.empty() ? nullptr : ModelRepository::version_of(*model, version);
      res.set_content(model_metadata(*model, only.get()).dump(), kJson);
    });
  });
  s.Get(std::string(kModel) + "/ready",
        [&repo](const httplib::Request& req, httplib::Response& res) {
          guarded(res, [&] {
            ModelRepository::version_of(*repo.find(req.matches[1].str()), version_match(req));
            res.status = 200;
          });
        });
  s.Get(std::string(kModel) + "/config",
        [&repo](const httplib::Request& req, httplib::Response& res) {
          guarded(res, [&] {
            auto model = repo.find(req.matches[1].str());
            ModelRepository::version_of(*model, version_match(req));
            std::string text;
            google::protobuf::util::JsonPrintOptions options;
            options.preserve_proto_field_names = true;
            options.always_print_primitive_fields = true;
            if (!google::protobuf::util::MessageToJsonString(model->config, &text, options).ok())
              serve_fail(kInternalError, "cannot write the config of '{}' as JSON", model->name);
            res.set_content(text, kJson);
          });
        });
  s.Post(std::string(kModel) + "/infer",
         [&repo](const httplib::Request& req, httplib::Response& res) {
           guarded(res, [&] { infer(repo, req, res); });
         });
  s.Get(std::string(kModel) + "/stats", [&repo](const httplib::Request& req,
                                                httplib::Response& res) {
    guarded(res, [&] {
      auto model = repo.find(req.matches[1].str());
      res.set_content(json{{"model_stats", stats_of(*model, version_match(req))}}.dump(), kJson);
    });
  });
  s.Post("/v2/repository/index", [&repo](const httplib::Request& req, httplib::Response& res) {
    guarded(res, [&] {
      bool ready_only = false;
      if (!req.body.empty()) {
        json body = json::parse(req.body, nullptr, false);
        if (body.is_discarded() || !body.is_object())
          serve_fail(kBadRequest, "the repository index request must be a JSON object");
        if (body.contains("ready")) {
          if (!body["ready"].is_boolean()) serve_fail(kBadRequest, "'ready' must be true or false");
          ready_only = body["ready"].get<bool>();
        }
      }
      json list = json::array();
      for (const RepositoryEntry& entry : repo.index()) {
        if (ready_only && entry.state != ModelState::kReady) continue;
        json item = {{"name", entry.name}, {"state", model_state_name(entry.state)}};
        if (!entry.version.empty()) item["version"] = entry.version;
        if (!entry.reason.empty()) item["reason"] = entry.reason;
        list.push_back(std::move(item));
      }
      res.set_content(list.dump(), kJson);
    });
  });
  s.Post(R"(/v2/repository/models/([^/]+)/load)",
         [&repo](const httplib::Request& req, httplib::Response& res) {
           guarded(res, [&] {
             repo.load(req.matches[1].str());
             res.set_content("{}", kJson);
           });
         });
  s.Post(R"(/v2/repository/models/([^/]+)/unload)",
         [&repo](const httplib::Request& req, httplib::Response& res) {
           guarded(res, [&] {
             repo.unload(req.matches[1].str());
             res.set_content("{}", kJson);
           });
         });
}

void HttpFrontend::start() {
  if (options_.port == 0) {
    port_ = server_->bind_to_any_port(options_.host);
    if (port_ < 0) serve_fail(kInternalError, "cannot bind any port on {}", options_.host);
  } else {
    if (!server_->bind_to_port(options_.host, options_.port))
      serve_fail(kInternalError, "cannot listen on {}:{} (in use, or not allowed)", options_.host,
                 options_.port);
    port_ = options_.port;
  }
  server_->deepen_backlog();
  listener_ = std::thread([this] { server_->listen_after_bind(); });
}

void HttpFrontend::stop() {
  ready_ = false;
  if (listener_.joinable()) {
    server_->stop();
    listener_.join();  // returns once the connection threads have finished their
                       // requests
  }
}

}  // namespace flowonnx::serve
