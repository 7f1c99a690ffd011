// gpu_bench: times a zoo model on the CUDA execution provider (or the CPU one) and prints one JSON
// line per batch size, with the field names bench/torch_resnet50.py uses, so bench/gpu_check.sh
// can put flowonnx and PyTorch side by side. It links no OpenCV and no CLI, so it runs on a GPU
// machine that has only the libraries scripts/gpu_bundle.sh carries.
//
//   gpu_bench [--model resnet50] [--batch 1,32] [--providers cuda,cpu|cpu] [--warmup 10]
//             [--runs 50] [--tf32] [--fp16] [--no-cuda-graphs] [--onnx PATH | --export-dir DIR]
//
// Without --onnx the model is built from the zoo (seeded weights with trained-like batch norms,
// eval mode) and exported with a dynamic batch to a temporary folder (or to --export-dir, kept
// there so a second run can take it with --onnx DIR/model.onnx).
#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "base/error.h"
#include "flow/nn/graph.h"
#include "models/zoo.h"
#include "runtime/session.h"
#include "verify/export.h"

namespace flowonnx {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

struct Options {
  std::string model = "resnet50";
  bool model_given = false;  // with --onnx, --model names the zoo model the file holds
  std::vector<int64_t> batches = {1, 32};
  std::vector<std::string> providers = {"CUDAExecutionProvider", "CPUExecutionProvider"};
  int warmup = 10, runs = 50;
  bool tf32 = false;
  bool fp16 = false;
  bool cuda_graphs = true;
  std::string onnx;        // a model file to time instead of exporting the zoo model
  std::string export_dir;  // export into (and keep) this folder instead of a temporary one
};

std::vector<std::string> split(const std::string& text) {
  std::vector<std::string> parts;
  std::stringstream stream(text);
  for (std::string part; std::getline(stream, part, ',');)
    if (!part.empty()) parts.push_back(part);
  return parts;
}

constexpr const char* kUsage =
    "usage: gpu_bench [--model resnet50] [--batch 1,32] [--providers cuda,cpu|cpu] [--warmup 10] "
    "[--runs 50] [--tf32] [--fp16] [--no-cuda-graphs] [--onnx PATH | --export-dir DIR]";

int64_t parse_int(const std::string& flag, const std::string& text) {
  size_t used = 0;
  int64_t value = 0;
  try {
    value = std::stoll(text, &used);
  } catch (const std::exception&) {  // not a number: `used` stays 0
  }
  FLOWONNX_REQUIRE(used > 0 && used == text.size(), "{}: '{}' is not an integer", flag, text);
  return value;
}

Options parse(int argc, char** argv) {
  Options options;
  for (int i = 1; i < argc; ++i) {
    const std::string flag = argv[i];
    auto value = [&]() -> std::string {
      FLOWONNX_REQUIRE(i + 1 < argc, "{} needs a value; {}", flag, kUsage);
      return argv[++i];
    };
    if (flag == "--model") {
      options.model = value();
      options.model_given = true;
    } else if (flag == "--onnx") {
      options.onnx = value();
    } else if (flag == "--export-dir") {
      options.export_dir = value();
    } else if (flag == "--warmup" || flag == "--runs") {
      (flag == "--runs" ? options.runs : options.warmup) = static_cast<int>(parse_int(flag, value()));
    } else if (flag == "--tf32") {
      options.tf32 = true;
    } else if (flag == "--fp16") {
      options.fp16 = true;
    } else if (flag == "--no-cuda-graphs") {
      options.cuda_graphs = false;
    } else if (flag == "--batch") {
      options.batches.clear();
      for (const std::string& b : split(value())) options.batches.push_back(parse_int(flag, b));
    } else if (flag == "--providers") {
      options.providers.clear();
      for (const std::string& p : split(value())) {
        FLOWONNX_REQUIRE(p == "cuda" || p == "cpu", "--providers: '{}' is not cuda or cpu", p);
        options.providers.push_back(p == "cuda" ? "CUDAExecutionProvider" : "CPUExecutionProvider");
      }
    } else {
      fail(ErrorCode::InvalidArgument, "unknown argument '{}'; {}", flag, kUsage);
    }
  }
  FLOWONNX_REQUIRE(!options.batches.empty() && !options.providers.empty(), "--batch and --providers need values");
  FLOWONNX_REQUIRE(options.runs >= 1 && options.warmup >= 0, "--runs must be >= 1 and --warmup >= 0");
  for (int64_t b : options.batches) FLOWONNX_REQUIRE(b >= 1, "--batch: {} is not >= 1", b);
  return options;
}

// Exports the zoo model with a dynamic batch into `dir`; returns the model file.
fs::path export_zoo_model(const std::string& name, const fs::path& dir) {
  const models::ModelInfo& info = models::find_model(name);
  auto model = models::create_seeded_model(name, /*seed=*/0);
  model->eval();
  nn::ModuleGraph graph(info.graph_name, model);
  Generator gen(0);
  graph.compile({models::sample_input(info, info.input_shape, gen)});
  ExportOptions options;
  options.onnx_model_path = dir.string();
  options.dynamic_batch_size = true;
  return export_onnx_model(graph, options);
}

double percentile(std::vector<double> values, double q) {
  std::sort(values.begin(), values.end());
  const double at = q * static_cast<double>(values.size() - 1);
  const size_t low = static_cast<size_t>(at), high = std::min(low + 1, values.size() - 1);
  return values[low] + (values[high] - values[low]) * (at - static_cast<double>(low));
}

double ms_since(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

// The session's inputs at `batch`: symbolic dims (only the batch may be one) take the batch;
// values are seeded (N(0,1) floats or token ids, as the zoo's sample_input makes them).
std::map<std::string, Tensor> make_feeds(const InferenceSession& session, const std::string& model,
                                         int64_t batch) {
  models::ModelInfo info;  // a plain float image model unless the zoo knows the name
  if (!model.empty()) info = models::find_model(model);
  Generator gen(1234);
  std::map<std::string, Tensor> feeds;
  for (const NodeArg& arg : session.get_inputs()) {
    Shape shape;
    for (const NodeArg::DimValue& dim : arg.shape) {
      const int64_t* fixed = std::get_if<int64_t>(&dim);
      shape.push_back(fixed && *fixed >= 0 && !(shape.empty() && *fixed == 1) ? *fixed : batch);
    }
    feeds[arg.name] = models::sample_input(info, shape, gen);
  }
  return feeds;
}

// A temporary folder for the exported model, removed on every exit path.
struct ScratchDir {
  fs::path path = fs::temp_directory_path() / fmt::format("flowonnx_gpu_bench_{}", ::getpid());
  ScratchDir() {
    fs::remove_all(path);
    fs::create_directories(path);
  }
  ~ScratchDir() {
    std::error_code ignored;
    fs::remove_all(path, ignored);
  }
};

void bench(const Options& options) {
  const std::string reason = cuda_unavailable_reason();
  const std::string device = reason.empty() ? "cuda" : "cpu: " + reason;
  ScratchDir scratch;
  const fs::path export_dir = options.export_dir.empty() ? scratch.path : fs::path(options.export_dir);
  const fs::path model_path =
      options.onnx.empty() ? export_zoo_model(options.model, export_dir) : fs::path(options.onnx);
  SessionOptions session_options;
  session_options.cuda_allow_tf32 = options.tf32;
  session_options.cuda_allow_fp16 = options.fp16;
  session_options.cuda_graphs = options.cuda_graphs;
  const auto create_start = Clock::now();
  InferenceSession session(model_path, options.providers, session_options);
  const double create_ms = ms_since(create_start);
  // The zoo model whose inputs to make (empty: a plain float model given by --onnx alone).
  const std::string zoo_name = options.onnx.empty() || options.model_given ? options.model : "";
  int on_gpu = 0, on_cpu = 0;
  for (const auto& [node, provider] : session.get_node_providers())
    ++(provider == "CUDAExecutionProvider" ? on_gpu : on_cpu);

  for (int64_t batch : options.batches) {
    const auto feeds = make_feeds(session, zoo_name, batch);
    for (int i = 0; i < options.warmup; ++i) session.run({}, feeds);
    std::vector<double> times;
    for (int i = 0; i < options.runs; ++i) {
      const auto start = Clock::now();
      session.run({}, feeds);  // returns host tensors, so the GPU work is finished
      times.push_back(ms_since(start));
    }
    const double median = percentile(times, 0.5);
    nlohmann::ordered_json line = {
        {"impl", std::string(options.fp16 ? "flowonnx-fp16" : options.tf32 ? "flowonnx-tf32" : "flowonnx") +
                     (options.cuda_graphs ? "" : "-nographs")},
        {"model", zoo_name.empty() ? options.onnx : zoo_name},
        {"batch", batch},
        {"providers", session.get_providers()},
        {"nodes_on_gpu", on_gpu},
        {"nodes_on_cpu", on_cpu},
        {"session_create_ms", create_ms},
        {"min_ms", *std::min_element(times.begin(), times.end())},
        {"median_ms", median},
        {"p90_ms", percentile(times, 0.9)},
        {"throughput_per_s", static_cast<double>(batch) * 1000.0 / median},
        {"tf32", options.tf32},
        {"fp16", options.fp16},
        {"cuda_graphs", options.cuda_graphs},
        {"device", device},
    };
    std::cout << line.dump() << std::endl;
  }
}

}  // namespace
}  // namespace flowonnx

int main(int argc, char** argv) {
  try {
    flowonnx::bench(flowonnx::parse(argc, argv));
    return 0;
  } catch (const std::exception& error) {
    std::cerr << "gpu_bench: " << error.what() << "\n";
    return 1;
  }
}
