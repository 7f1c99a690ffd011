#include "runtime/session.h"

#include <mutex>
#include <optional>
#include <set>

#include "base/logging.h"
#include "ir/subgraph.h"
#include "kernels/cpu/threading.h"
#include "onnx/import/normalize.h"
#include "onnx/opset_check.h"
#include "runtime/execution_plan.h"
#include "runtime/graph_checks.h"
#include "runtime/optimize/optimize.h"
#include "runtime/type_inference.h"
#if FLOWONNX_WITH_CUDA
#include "runtime/providers/cuda/cuda_provider.h"
#endif

namespace flowonnx {

namespace runtime {

struct SessionState {
  onnx_io::Model model;
  std::unique_ptr<ExecutionPlan> plan;
  std::vector<NodeArg> inputs, outputs, overridable;
  std::vector<std::string> providers;
  std::vector<std::pair<std::string, std::string>> node_providers;
  std::map<std::string, size_t> required_inputs;  // name -> index in inputs
  std::set<std::string> overridable_names;
  std::vector<int> output_slots;
  // SessionOptions::intra_op_num_threads: set on the calling thread for each run (0: its own).
  int num_threads = 0;
};

}  // namespace runtime

namespace {

NodeArg make_node_arg(const ir::Graph& graph, const std::string& name) {
  NodeArg arg;
  arg.name = name;
  if (!graph.has_type(name)) {
    arg.type = "tensor(undefined)";
    arg.has_shape = false;
    return arg;
  }
  const ir::ValueType& type = graph.type(name);
  arg.type = onnx_io::onnx_type_string(type.dtype);
  arg.has_shape = type.shape.has_value();
  if (type.shape)
    for (const ir::Dim& dim : *type.shape) {
      if (dim.is_static()) arg.shape.emplace_back(dim.value);
      else if (!dim.symbol.empty()) arg.shape.emplace_back(dim.symbol);
      else arg.shape.emplace_back(int64_t{-1});
    }
  return arg;
}

constexpr const char* kCpu = "CPUExecutionProvider";
constexpr const char* kCuda = "CUDAExecutionProvider";
constexpr const char* kTensorrt = "TensorrtExecutionProvider";

// The requested providers that can run here, in order, CPU always included.
std::vector<std::string> select_providers(const std::vector<std::string>& requested, int cuda_device) {
  static const std::set<std::string> known = {kCpu, kCuda, kTensorrt};
  std::vector<std::string> selected, skipped;
  for (const auto& name : requested) {
    FLOWONNX_REQUIRE(known.count(name), "unknown execution provider '{}' (known: "
                     "CPUExecutionProvider, CUDAExecutionProvider, TensorrtExecutionProvider)", name);
    if (std::find(selected.begin(), selected.end(), name) != selected.end()) continue;
    if (name == kCuda) {
      std::string why = cuda_unavailable_reason(cuda_device);
      if (why.empty()) {
        selected.push_back(name);
      } else {
        static std::once_flag warned;
        std::call_once(warned, [&why] {
          log_warning("CUDAExecutionProvider is not usable here ({}); using CPUExecutionProvider", why);
        });
      }
    } else if (name == kTensorrt) {
      skipped.push_back(name);
    } else {
      selected.push_back(name);
    }
  }
  if (!skipped.empty())
    log_warning("execution providers not available in this build, skipped: {}; using "
                "CPUExecutionProvider", fmt::join(skipped, ", "));
  if (std::find(selected.begin(), selected.end(), kCpu) == selected.end()) selected.push_back(kCpu);
  return selected;
}

#if FLOWONNX_WITH_CUDA
runtime::cuda::CudaProviderOptions cuda_options(const SessionOptions& options) {
  runtime::cuda::CudaProviderOptions cuda;
  cuda.device_id = options.cuda_device_id;
  cuda.kernels.math = options.cuda_allow_fp16   ? flowonnx::cuda::MathMode::Fp16
                      : options.cuda_allow_tf32 ? flowonnx::cuda::MathMode::Tf32
                                                : flowonnx::cuda::MathMode::Fp32;
  cuda.cuda_graphs = options.cuda_graphs;
  return cuda;
}
#endif

std::string dims_text(const std::vector<ir::Dim>& dims) {
  std::vector<std::string> parts;
  for (const auto& dim : dims) parts.push_back(dim.to_string());
  return "[" + fmt::format("{}", fmt::join(parts, ",")) + "]";
}

// Feed checks against the declared input type: dtype, rank, static dims.
void validate_feed(const ir::Graph& graph, const std::string& name, const Tensor& tensor) {
  FLOWONNX_REQUIRE(tensor.defined(), "input '{}': the feed is an undefined tensor", name);
  if (!graph.has_type(name)) return;
  const ir::ValueType& type = graph.type(name);
  FLOWONNX_REQUIRE(tensor.dtype() == type.dtype, "input '{}': expected dtype {} ({}), got {}", name,
                   dtype_name(type.dtype), onnx_io::onnx_type_string(type.dtype),
                   tensor.describe());
  if (!type.shape) return;
  const auto& dims = *type.shape;
  FLOWONNX_REQUIRE(static_cast<int>(dims.size()) == tensor.rank(),
                   "input '{}': expected rank {} (shape {}), got rank {} ({})", name, dims.size(),
                   dims_text(dims), tensor.rank(), tensor.describe());
  for (size_t i = 0; i < dims.size(); ++i)
    FLOWONNX_REQUIRE(!dims[i].is_static() || dims[i].value == tensor.shape()[i],
                     "input '{}': dim {} must be {} (expected shape {}), got {}", name, i,
                     dims[i].value, dims_text(dims), tensor.describe());
}

}  // namespace

std::vector<std::string> get_available_providers() {
#if FLOWONNX_WITH_CUDA
  return {kCuda, kCpu};
#else
  return {kCpu};
#endif
}

std::string cuda_unavailable_reason(int device_id) {
#if FLOWONNX_WITH_CUDA
  return runtime::cuda::unavailable_reason(device_id);
#else
  (void)device_id;
  return "this build has no CUDA provider (configure with the CUDA toolkit and cuDNN installed)";
#endif
}

InferenceSession::InferenceSession(const std::filesystem::path& model_path,
                                   const std::vector<std::string>& providers,
                                   const SessionOptions& options)
    : InferenceSession(onnx_io::load_model(model_path), providers, options) {}

InferenceSession::InferenceSession(onnx_io::Model model, const std::vector<std::string>& providers,
                                   const SessionOptions& options)
    : state_(std::make_unique<runtime::SessionState>()) {
  FLOWONNX_REQUIRE(options.intra_op_num_threads >= 0, "intra_op_num_threads must be >= 0, got {}",
                   options.intra_op_num_threads);
  // oneDNN fixes a primitive's thread count when it is created (here, for prepacked weights), so
  // loading runs under the session's count too; its primitive cache keys on that count.
  kernels::ScopedNumThreads scoped_threads(options.intra_op_num_threads);
  state_->num_threads = options.intra_op_num_threads;
  state_->providers = select_providers(providers, options.cuda_device_id);

  state_->model = std::move(model);
  ir::Graph& graph = state_->model.graph;
  const runtime::KernelRegistry& registry = runtime::cpu_kernel_registry();
  runtime::check_graph_structure(graph);
  exporter::check_ops_exist_at_opset(graph, static_cast<int>(onnx_import::onnx_opset(graph)));
  onnx_import::normalize_graph(graph);
  runtime::check_supported_ops(graph, registry);
  // Outer-scope reads of If/Loop/Scan subgraphs become the nodes' implicit inputs for the
  // rewrites and the plan (ordering, liveness, renames: ir/subgraph.h).
  ir::attach_implicit_inputs(graph);
  runtime::infer_types(graph);
  // The rewrites keep every graph input and output (names, types), so the descriptions below hold.
  runtime::CpuGraphOptions graph_options;
  graph_options.fuse = options.optimize_graph;
  graph_options.winograd = options.winograd;
  runtime::CpuGraphReport report;
  runtime::fuse_graph(graph, graph_options, report);
  std::vector<std::string> on_gpu;
  std::optional<runtime::KernelRegistry> with_gpu_subgraphs;  // the CPU kernels + CudaSubgraph
#if FLOWONNX_WITH_CUDA
  // Providers before the CPU in the list claim nodes; after it, the CPU has taken them all.
  if (state_->providers.front() == kCuda) {
    runtime::cuda::CudaAssignment assignment = runtime::cuda::assign_nodes_to_cuda(graph, cuda_options(options));
    on_gpu = assignment.node_names;
    with_gpu_subgraphs = runtime::cuda::registry_with_subgraphs(runtime::session_kernel_registry(),
                                                                assignment.subgraphs);
    if (options.verbose)
      log_info("session: CUDA ({}) runs {} nodes in {} subgraphs",
               runtime::cuda::device_description(options.cuda_device_id), assignment.node_names.size(),
               assignment.subgraphs.size());
  }
#endif
  runtime::prepare_for_cpu(graph, graph_options, report);
  if (options.verbose) log_info("session: {}", report.to_string());
  for (const ir::Node* node : graph.topological_order()) {
    if (node->domain == "flowonnx.cuda") continue;
    state_->node_providers.emplace_back(node->name, kCpu);
  }
  for (const auto& name : on_gpu) state_->node_providers.emplace_back(name, kCuda);
  // The rewrites may have renamed values subgraphs read: the subgraphs follow, so the kernels
  // find each outer value under the name their node's implicit input has.
  ir::detach_implicit_inputs(graph);
  ir::attach_implicit_inputs(graph);
  state_->plan = std::make_unique<runtime::ExecutionPlan>(
      graph, with_gpu_subgraphs ? *with_gpu_subgraphs : runtime::session_kernel_registry());

  for (const auto& name : graph.inputs) {
    if (graph.is_initializer(name)) {
      state_->overridable.push_back(make_node_arg(graph, name));
      state_->overridable_names.insert(name);
    } else {
      state_->required_inputs[name] = state_->inputs.size();
      state_->inputs.push_back(make_node_arg(graph, name));
    }
  }
  for (const auto& name : graph.outputs) {
    state_->outputs.push_back(make_node_arg(graph, name));
    state_->output_slots.push_back(state_->plan->slot_of(name));
  }
  if (options.verbose)
    log_info("session: {} nodes, {} inputs, {} outputs, providers {}", state_->plan->num_steps(),
             state_->inputs.size(), state_->outputs.size(), fmt::join(state_->providers, ","));
}

InferenceSession::~InferenceSession() = default;
InferenceSession::InferenceSession(InferenceSession&&) noexcept = default;
InferenceSession& InferenceSession::operator=(InferenceSession&&) noexcept = default;

const std::vector<NodeArg>& InferenceSession::get_inputs() const { return state_->inputs; }
const std::vector<NodeArg>& InferenceSession::get_outputs() const { return state_->outputs; }
const std::vector<NodeArg>& InferenceSession::get_overridable_initializers() const {
  return state_->overridable;
}
std::vector<std::string> InferenceSession::get_providers() const { return state_->providers; }
std::vector<std::pair<std::string, std::string>> InferenceSession::get_node_providers() const {
  return state_->node_providers;
}

std::vector<Tensor> InferenceSession::run(const std::vector<std::string>& output_names,
                                          const std::map<std::string, Tensor>& feeds) const {
  return run_impl(output_names, feeds, nullptr);
}

std::vector<Tensor> InferenceSession::run_profiled(const std::vector<std::string>& output_names,
                                                   const std::map<std::string, Tensor>& feeds,
                                                   std::vector<NodeTiming>& timings) const {
  return run_impl(output_names, feeds, &timings);
}

std::vector<Tensor> InferenceSession::run_impl(const std::vector<std::string>& output_names,
                                               const std::map<std::string, Tensor>& feeds,
                                               std::vector<NodeTiming>* timings) const {
  // The calling thread's OpenMP count is what every parallel region of this run reads (ours and
  // oneDNN's), and it is that thread's alone: set for this run, restored after.
  kernels::ScopedNumThreads scoped_threads(state_->num_threads);
  const ir::Graph& graph = state_->model.graph;
  const runtime::ExecutionPlan& plan = *state_->plan;
  std::vector<Tensor> values(plan.num_slots());
  for (const auto& [name, tensor] : feeds) {
    if (!state_->required_inputs.count(name) && !state_->overridable_names.count(name)) {
      std::vector<std::string> names;
      for (const auto& arg : state_->inputs) names.push_back(arg.name);
      fail(ErrorCode::InvalidArgument, "unknown input name '{}' (the model's inputs: {})", name,
           fmt::join(names, ", "));
    }
    validate_feed(graph, name, tensor);
    values[plan.slot_of(name)] = tensor;
  }
  for (const auto& arg : state_->inputs)
    FLOWONNX_REQUIRE(feeds.count(arg.name), "missing feed for input '{}' ({} {})", arg.name,
                     arg.type, graph.has_type(arg.name) ? graph.type(arg.name).to_string() : "?");

  std::vector<int> wanted;
  if (output_names.empty()) {
    wanted = state_->output_slots;
  } else {
    for (const auto& name : output_names) {
      auto found = std::find(graph.outputs.begin(), graph.outputs.end(), name);
      if (found == graph.outputs.end())
        fail(ErrorCode::InvalidArgument, "unknown output name '{}' (the model's outputs: {})",
             name, fmt::join(graph.outputs, ", "));
      wanted.push_back(state_->output_slots[found - graph.outputs.begin()]);
    }
  }
  if (!timings) return plan.execute(std::move(values), wanted);
  std::vector<double> step_ms;
  std::vector<Tensor> result = plan.execute(std::move(values), wanted, &step_ms);
  timings->clear();
  for (size_t i = 0; i < step_ms.size(); ++i)
    timings->push_back({plan.step(i).node->name, plan.step(i).node->op_type, step_ms[i],
                        plan.step(i).implementation});
  return result;
}

}  // namespace flowonnx
