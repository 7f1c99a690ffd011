// flowonnx bench: times InferenceSession on one model — session creation, per-run latency
// (min / median / p90 over --runs after --warmup), throughput and peak RSS — and with --profile
// the time per node and per op type. The inputs are the same deterministic data
// tests/oracle/bench_model.py feeds ONNX Runtime (float: uniform [-1, 1); int64/int32, e.g. token
// ids: integers in [0, 100)), so the two can be compared side by side (bench/compare_ort.sh). It
// also reports the instruction set oneDNN runs on ("isa": avx512_core, avx2, ...), which
// ONEDNN_MAX_CPU_ISA caps.
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <numeric>

#include "cli_rules.h"
#include "commands.h"
#include "kernels/cpu/blocked_layout.h"
#include "providers.h"
#include "runtime/session.h"

namespace flowonnx::cli {
namespace {

struct BenchOptions {
  std::string model;
  int64_t batch = 1;
  int threads = 0;
  int warmup = 3;
  int runs = 10;
  bool json = false;
  bool profile = false;
  bool no_optimize = false;
  bool no_winograd = false;
  bool check = false;
  std::string providers = "cpu";
  bool tf32 = false;
  bool fp16 = false;
};

// bench_model.py's xorshift32 stream from `seed` (0 -> 0x9e3779b9).
struct XorShift32 {
  explicit XorShift32(uint32_t seed) : state(seed ? seed : 0x9e3779b9u) {}
  uint32_t next() {
    state ^= state << 13;
    state ^= state >> 17;
    state ^= state << 5;
    return state;
  }
  uint32_t state;
};

// bench_model.py's bench_input: float32 inputs hold uniform [-1, 1) (the xorshift32 value mapped
// in double, stored as float32), int64/int32 inputs (token ids, masks) the value modulo 100 —
// bit-identical inputs in both runtimes.
Tensor bench_input(const Shape& shape, DType dtype, uint32_t seed) {
  Tensor tensor(shape, dtype);
  XorShift32 random(seed);
  const int64_t count = tensor.num_elements();
  if (dtype == DType::Int64) {
    int64_t* data = tensor.data<int64_t>();
    for (int64_t i = 0; i < count; ++i) data[i] = random.next() % 100;
  } else if (dtype == DType::Int32) {
    int32_t* data = tensor.data<int32_t>();
    for (int64_t i = 0; i < count; ++i) data[i] = static_cast<int32_t>(random.next() % 100);
  } else {
    float* data = tensor.data<float>();
    for (int64_t i = 0; i < count; ++i)
      data[i] = static_cast<float>((random.next() / 4294967296.0) * 2 - 1);
  }
  return tensor;
}

DType input_dtype(const NodeArg& arg) {
  if (arg.type == "tensor(float)") return DType::Float32;
  if (arg.type == "tensor(int64)") return DType::Int64;
  if (arg.type == "tensor(int32)") return DType::Int32;
  fail(ErrorCode::InvalidArgument, "input '{}' is {}; bench feeds float, int64 and int32 only",
       arg.name, arg.type);
}

Shape input_shape(const NodeArg& arg, int64_t batch) {
  FLOWONNX_REQUIRE(arg.has_shape, "input '{}' ({}) needs a known rank", arg.name, arg.type);
  Shape shape;
  for (size_t i = 0; i < arg.shape.size(); ++i) {
    if (const int64_t* value = std::get_if<int64_t>(&arg.shape[i]); value && *value >= 0) {
      FLOWONNX_REQUIRE(i != 0 || batch == *value || batch == 1,
                       "input '{}' has a fixed batch of {}; --batch {} needs a model exported with "
                       "--dynamic-batch",
                       arg.name, *value, batch);
      shape.push_back(i == 0 && batch != 1 ? batch : *value);
    } else {
      FLOWONNX_REQUIRE(i == 0, "input '{}' has a symbolic dim {}; only the batch may be symbolic",
                       arg.name, i);
      shape.push_back(batch);
    }
  }
  return shape;
}

// Peak resident set size of this process (VmHWM), in MiB.
double peak_rss_mb() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line))
    if (line.rfind("VmHWM:", 0) == 0) return std::stod(line.substr(6)) / 1024.0;
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_maxrss / 1024.0;
}

double percentile(std::vector<double> sorted, double q) {
  std::sort(sorted.begin(), sorted.end());
  if (sorted.empty()) return 0;
  const double at = q * static_cast<double>(sorted.size() - 1);
  const size_t low = static_cast<size_t>(at);
  const size_t high = std::min(low + 1, sorted.size() - 1);
  return sorted[low] + (sorted[high] - sorted[low]) * (at - static_cast<double>(low));
}

using Clock = std::chrono::steady_clock;
double ms_since(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

void run_bench(const BenchOptions& options) {
  SessionOptions session_options;
  session_options.intra_op_num_threads = options.threads;
  session_options.optimize_graph = !options.no_optimize;
  session_options.winograd = !options.no_winograd;
  session_options.cuda_allow_tf32 = options.tf32;
  session_options.cuda_allow_fp16 = options.fp16;
  const auto create_start = Clock::now();
  InferenceSession session(options.model, provider_names(options.providers), session_options);
  const double create_ms = ms_since(create_start);

  std::map<std::string, Tensor> feeds;
  nlohmann::json inputs = nlohmann::json::array();
  uint32_t seed = 1234;  // bench_model.py seeds input i with 1234 + i
  for (const NodeArg& arg : session.get_inputs()) {
    const Shape shape = input_shape(arg, options.batch);
    feeds[arg.name] = bench_input(shape, input_dtype(arg), seed++);
    inputs.push_back({{"name", arg.name}, {"shape", shape}, {"type", arg.type}});
  }

  for (int i = 0; i < options.warmup; ++i) session.run({}, feeds);
  std::vector<double> times;
  std::vector<NodeTiming> timings;
  std::map<std::string, double> node_ms, op_ms;
  std::map<std::string, std::string> node_op, node_impl;
  std::vector<std::string> node_order;
  for (int i = 0; i < options.runs; ++i) {
    const auto start = Clock::now();
    if (options.profile)
      session.run_profiled({}, feeds, timings);
    else
      session.run({}, feeds);
    times.push_back(ms_since(start));
    for (const NodeTiming& t : timings) {
      if (!node_ms.count(t.node_name)) node_order.push_back(t.node_name);
      node_ms[t.node_name] += t.ms / options.runs;
      op_ms[t.op_type] += t.ms / options.runs;
      node_op[t.node_name] = t.op_type;
      node_impl[t.node_name] = t.implementation;
    }
    timings.clear();
  }
  const double median = percentile(times, 0.5);
  if (options.check) {
    // The optimised session against the graph as loaded (plain kernels), on the bench input,
    // with export's check tolerance: |a - b| <= atol + rtol * |b|, rtol 1e-4, atol 1e-5.
    SessionOptions plain = session_options;
    plain.optimize_graph = false;
    InferenceSession reference(options.model, {"CPUExecutionProvider"}, plain);
    auto got = session.run({}, feeds), want = reference.run({}, feeds);
    double max_abs = 0, worst_ratio = 0;
    for (size_t i = 0; i < got.size(); ++i) {
      auto a = got[i].to_double_vector(), b = want[i].to_double_vector();
      for (size_t j = 0; j < a.size(); ++j) {
        max_abs = std::max(max_abs, std::abs(a[j] - b[j]));
        worst_ratio = std::max(worst_ratio, std::abs(a[j] - b[j]) / (1e-5 + 1e-4 * std::abs(b[j])));
      }
    }
    fmt::print(
        stderr,
        "check vs unoptimised: max |diff| {:.3g}, worst |diff|/(atol+rtol|ref|) {:.3f} ({})\n",
        max_abs, worst_ratio,
        worst_ratio <= 1 ? "within rtol 1e-4 / atol 1e-5" : "OUTSIDE tolerance");
  }
  nlohmann::json result = {
      {"model", options.model},
      {"batch", options.batch},
      {"threads", options.threads},
      {"warmup", options.warmup},
      {"runs", options.runs},
      {"optimize_graph", session_options.optimize_graph},
      {"winograd", session_options.winograd},
      {"providers", session.get_providers()},
      {"isa", kernels::onednn_isa_name()},
      {"session_create_ms", create_ms},
      {"min_ms", *std::min_element(times.begin(), times.end())},
      {"median_ms", median},
      {"p90_ms", percentile(times, 0.9)},
      {"mean_ms", std::accumulate(times.begin(), times.end(), 0.0) / times.size()},
      {"throughput_per_s", options.batch * 1000.0 / median},
      {"peak_rss_mb", peak_rss_mb()},
      {"inputs", inputs},
  };
  std::vector<std::pair<std::string, double>> by_op(op_ms.begin(), op_ms.end());
  std::sort(by_op.begin(), by_op.end(), [](auto& a, auto& b) { return a.second > b.second; });
  if (options.profile) {
    nlohmann::json ops = nlohmann::json::array(), nodes = nlohmann::json::array();
    for (const auto& [op, ms] : by_op) ops.push_back({{"op_type", op}, {"ms", ms}});
    for (const auto& name : node_order)
      nodes.push_back({{"node", name}, {"op_type", node_op[name]}, {"ms", node_ms[name]},
                       {"implementation", node_impl[name]}});
    result["profile"] = {{"by_op_type", ops}, {"by_node", nodes}};
  }
  if (options.json) {
    fmt::print("{}\n", result.dump());
    return;
  }
  fmt::print("model            {}\n", options.model);
  fmt::print("providers        {}\n", fmt::join(session.get_providers(), ", "));
  fmt::print("oneDNN ISA       {}\n", result["isa"].get<std::string>());
  fmt::print("batch / threads  {} / {}\n", options.batch,
             options.threads ? std::to_string(options.threads) : "default");
  fmt::print("session create   {:.1f} ms\n", create_ms);
  fmt::print(
      "latency          min {:.2f} ms, median {:.2f} ms, p90 {:.2f} ms ({} runs, {} warmup)\n",
      result["min_ms"].get<double>(), median, result["p90_ms"].get<double>(), options.runs,
      options.warmup);
  fmt::print("throughput       {:.1f} /s\n", result["throughput_per_s"].get<double>());
  fmt::print("peak RSS         {:.1f} MiB\n", result["peak_rss_mb"].get<double>());
  if (!options.profile) return;
  double total = 0;
  for (const auto& [op, ms] : by_op) total += ms;
  fmt::print("\nper op type (mean per run):\n");
  for (const auto& [op, ms] : by_op)
    fmt::print("  {:<22} {:8.3f} ms  {:5.1f}%\n", op, ms, total > 0 ? 100 * ms / total : 0);
  fmt::print("\nper node (mean per run, execution order):\n");
  for (const auto& name : node_order)
    fmt::print("  {:<48} {:<18} {:8.3f} ms  {}\n", name, node_op[name], node_ms[name],
               node_impl[name]);
}

}  // namespace

void add_bench_command(CLI::App& app) {
  auto options = std::make_shared<BenchOptions>();
  CLI::App* cmd = app.add_subcommand("bench",
                                     "Time a model in the runtime (latency, throughput, "
                                     "session creation, peak RSS, per-op profile)");
  cmd->add_option("model", options->model, "MODEL.onnx")->required();
  cmd->add_option("--batch", options->batch,
                  "Batch size (a fixed-batch model allows only its own)")
      ->check(at_least(1));
  add_threads_option(cmd, &options->threads);
  cmd->add_option("--warmup", options->warmup, "Untimed runs first")->check(at_least(0));
  cmd->add_option("--runs", options->runs, "Timed runs")->check(at_least(1));
  cmd->add_flag("--json", options->json, "Print one JSON object");
  cmd->add_flag("--profile", options->profile, "Time per node and per op type");
  cmd->add_flag("--no-optimize", options->no_optimize,
                "Run the graph as loaded (no conv fusion, prepacking or blocked layout)");
  cmd->add_flag("--no-winograd", options->no_winograd, "Direct convolution only");
  cmd->add_option("--providers", options->providers, "Execution providers in order: cpu, cuda, tensorrt")
      ->capture_default_str();
  cmd->add_flag("--tf32", options->tf32, "CUDA: allow TF32 tensor cores for convs and matrix products");
  cmd->add_flag("--fp16", options->fp16, "CUDA: allow fp16 tensor cores for convs and matrix products")
      ->excludes("--tf32");
  cmd->add_flag("--check", options->check,
                "Also compare the outputs with an unoptimised session (printed on stderr)");
  cmd->callback([options] { run_bench(*options); });
}

}  // namespace flowonnx::cli
