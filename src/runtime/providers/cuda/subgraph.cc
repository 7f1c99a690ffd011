#include "runtime/providers/cuda/subgraph.h"

#include <map>
#include <set>

#include "kernels/cuda/cuda_check.h"
#include "runtime/kernel_registry.h"

namespace flowonnx::runtime::cuda {

using flowonnx::cuda::check_cuda;

namespace {

DeviceTensor upload_constant(const Tensor& tensor) {
  size_t bytes = tensor.nbytes();
  void* ptr = nullptr;
  if (cudaMalloc(&ptr, bytes ? bytes : 1) != cudaSuccess) {
    cudaGetLastError();
    fail(ErrorCode::InvalidArgument, "cannot allocate {} bytes on the GPU for a weight ({})", bytes,
         tensor.describe());
  }
  DeviceTensor device{tensor.dtype(), tensor.shape(), std::make_shared<DeviceBlock>(ptr, bytes, nullptr)};
  if (bytes) check_cuda(cudaMemcpy(ptr, tensor.raw_data(), bytes, cudaMemcpyHostToDevice), "uploading a weight");
  return device;
}

// Boundary copies, queued on the run's stream (the run synchronises before returning).
void upload(const Tensor& host, void* device, cudaStream_t stream) {
  if (host.nbytes())
    check_cuda(cudaMemcpyAsync(device, host.raw_data(), host.nbytes(), cudaMemcpyHostToDevice, stream),
               "copying an input to the GPU");
}

void download(const void* device, Tensor& host, cudaStream_t stream) {
  if (host.nbytes())
    check_cuda(cudaMemcpyAsync(host.raw_data(), device, host.nbytes(), cudaMemcpyDeviceToHost, stream),
               "copying an output from the GPU");
}

}  // namespace

CudaSubgraph::CudaSubgraph(ir::Graph body, const CudaKernelOptions& options, int device_id, bool use_cuda_graphs)
    : body_(std::move(body)), options_(options), device_id_(device_id), use_cuda_graphs_(use_cuda_graphs) {
  check_cuda(cudaSetDevice(device_id_), "selecting the device");
  std::map<std::string, int> slots;
  auto slot_for = [&](const std::string& value) {
    auto [it, inserted] = slots.emplace(value, num_slots_);
    if (inserted) ++num_slots_;
    return it->second;
  };
  for (const auto& input : body_.inputs) input_slots_.push_back(slot_for(input));
  for (const auto& [name, tensor] : body_.initializers())
    constants_.emplace_back(slot_for(name), upload_constant(tensor));
  for (ir::Node* node : body_.topological_order()) {
    Step step;
    step.node = node;
    for (const auto& in : node->inputs) step.inputs.push_back(in.empty() ? -1 : slot_for(in));
    for (const auto& out : node->outputs) step.outputs.push_back(out.empty() ? -1 : slot_for(out));
    const CudaKernel* kernel = find_cuda_kernel(node->domain, node->op_type);
    FLOWONNX_CHECK(kernel != nullptr, "no CUDA kernel for {}", node->qualified_type());
    try {
      step.compute = kernel->create(KernelInit(*node, opset_of(body_, node->domain), body_));
    } catch (const Error& error) {
      if (error.code() == ErrorCode::InvalidModel) throw;
      fail(error.code() == ErrorCode::NotImplemented ? ErrorCode::NotImplemented : ErrorCode::InvalidModel,
           "{} node '{}' (CUDA): {}", node->op_type, node->name, error.what());
    }
    steps_.push_back(std::move(step));
  }
  for (const auto& output : body_.outputs) output_slots_.push_back(slot_for(output));

  // Lifetimes as in the CPU plan: a value dies after its last reader; outputs live to the end.
  std::vector<bool> pinned(num_slots_, false);
  for (int slot : output_slots_) pinned[slot] = true;
  std::vector<int> last_use(num_slots_, -1);
  for (size_t i = 0; i < steps_.size(); ++i) {
    for (int slot : steps_[i].outputs)
      if (slot >= 0) last_use[slot] = static_cast<int>(i);
    for (int slot : steps_[i].inputs)
      if (slot >= 0) last_use[slot] = static_cast<int>(i);
  }
  std::vector<bool> constant(num_slots_, false);
  for (const auto& [slot, tensor] : constants_) constant[slot] = true;
  for (int slot = 0; slot < num_slots_; ++slot)
    if (!pinned[slot] && !constant[slot] && last_use[slot] >= 0) steps_[last_use[slot]].release.push_back(slot);
  // The kernels copied what they read on the host; the weights now live on the GPU only.
  std::vector<std::string> names;
  for (const auto& [name, tensor] : body_.initializers()) names.push_back(name);
  for (const auto& name : names) body_.remove_initializer(name);
}

// One input-shape signature captured as a CUDA graph on one RunState's stream and buffers.
struct CudaSubgraph::CapturedGraph {
  cudaGraphExec_t exec = nullptr;
  uint64_t allocator_generation = 0;
  struct Output {
    const void* data;
    Shape shape;
    DType dtype;
  };
  std::vector<void*> inputs;  // where the captured run read its inputs
  // Where it left its outputs. The graph owns none of these blocks: they go back to the state's
  // cache and other runs on that state may use them in between, which is harmless because runs
  // on one state never overlap and the cache never frees a block within one generation.
  std::vector<Output> outputs;
  ~CapturedGraph() {
    if (exec) cudaGraphExecDestroy(exec);
  }
};

// Everything one run needs that is not shared: the stream, handles and allocator, and the
// graphs captured on them. A pool of these lets concurrent runs proceed independently.
struct CudaSubgraph::RunState {
  RunResources resources;
  std::map<Signature, std::unique_ptr<CapturedGraph>> graphs;
  std::map<Signature, int> runs;  // plain runs per signature
  std::set<Signature> not_capturable;
  ~RunState() { graphs.clear(); }  // before the allocator whose addresses they hold
};

CudaSubgraph::~CudaSubgraph() = default;

std::unique_ptr<CudaSubgraph::RunState> CudaSubgraph::take_state() const {
  {
    std::lock_guard<std::mutex> lock(pool_mutex_);
    if (!pool_.empty()) {
      auto state = std::move(pool_.back());
      pool_.pop_back();
      return state;
    }
  }
  return std::make_unique<RunState>();
}

void CudaSubgraph::return_state(std::unique_ptr<RunState> state) const {
  std::lock_guard<std::mutex> lock(pool_mutex_);
  pool_.push_back(std::move(state));
}

void CudaSubgraph::run(KernelContext& context) const {
  check_cuda(cudaSetDevice(device_id_), "selecting the device");
  // The state goes back to the pool however the run ends, after its stream is idle.
  struct Lease {
    const CudaSubgraph& owner;
    std::unique_ptr<RunState> state;
    ~Lease() {
      cudaStreamSynchronize(state->resources.stream);
      owner.return_state(std::move(state));
    }
  } lease{*this, take_state()};
  RunState& state = *lease.state;

  Signature signature;  // per input: dtype, rank, dims
  for (size_t i = 0; i < input_slots_.size(); ++i) {
    const Tensor& input = context.input(i);
    signature.push_back(static_cast<int64_t>(input.dtype()));
    signature.push_back(input.rank());
    signature.insert(signature.end(), input.shape().begin(), input.shape().end());
  }
  if (use_cuda_graphs_) {
    auto found = state.graphs.find(signature);
    if (found != state.graphs.end()) {
      if (found->second->allocator_generation == state.resources.allocator.generation()) {
        replay(context, state, *found->second);
        return;
      }
      state.graphs.erase(found);  // its buffers were freed (out-of-memory recovery)
    }
  }
  // Kernels set themselves up for new shapes on their first run (cuDNN's algorithm search
  // synchronises, which a capture cannot hold), so the second run with a signature is captured.
  bool capture = use_cuda_graphs_ && !state.not_capturable.count(signature) && ++state.runs[signature] >= 2;
  if (capture && execute(context, state, signature, true)) return;
  if (capture) state.not_capturable.insert(signature);
  execute(context, state, signature, false);
}

void CudaSubgraph::replay(KernelContext& context, RunState& state, const CapturedGraph& graph) const {
  cudaStream_t stream = state.resources.stream;
  for (size_t i = 0; i < input_slots_.size(); ++i) {
    upload(context.input(i), graph.inputs[i], stream);
  }
  check_cuda(cudaGraphLaunch(graph.exec, stream), "launching the captured CUDA graph");
  for (size_t i = 0; i < graph.outputs.size(); ++i) {
    const CapturedGraph::Output& device = graph.outputs[i];
    download(device.data, context.allocate_output(i, device.shape, device.dtype), stream);
  }
  check_cuda(cudaStreamSynchronize(stream), "running the CUDA subgraph (graph replay)");
}

bool CudaSubgraph::execute(KernelContext& context, RunState& state, const Signature& signature,
                           bool capture) const {
  RunResources& resources = state.resources;
  cudaStream_t stream = resources.stream;
  std::vector<DeviceTensor> values(num_slots_);
  for (const auto& [slot, tensor] : constants_) values[slot] = tensor;
  auto captured = std::make_unique<CapturedGraph>();
  for (size_t i = 0; i < input_slots_.size(); ++i) {
    const Tensor& host = context.input(i);
    DeviceTensor& device = values[input_slots_[i]];
    device = DeviceTensor{host.dtype(), host.shape(), resources.allocator.allocate(host.nbytes())};
    captured->inputs.push_back(device.raw());
    upload(host, device.raw(), stream);
  }

  // Relaxed mode: a cache miss in the allocator (cudaMalloc) is allowed while capturing.
  if (capture && cudaStreamBeginCapture(stream, cudaStreamCaptureModeRelaxed) != cudaSuccess) {
    cudaGetLastError();
    return false;
  }
  std::vector<const DeviceTensor*> inputs;
  std::vector<DeviceTensor> outputs;
  try {
    for (const Step& step : steps_) {
      inputs.clear();
      for (int slot : step.inputs) inputs.push_back(slot >= 0 && values[slot].defined() ? &values[slot] : nullptr);
      outputs.assign(step.outputs.size(), DeviceTensor{});
      CudaKernelContext kernel_context(inputs, outputs, resources, options_);
      try {
        step.compute(kernel_context);
      } catch (const Error& error) {
        fail(error.code(), "{} node '{}' (CUDA): {}", step.node->op_type, step.node->name, error.what());
      }
      for (size_t i = 0; i < step.outputs.size(); ++i)
        if (step.outputs[i] >= 0) {
          FLOWONNX_CHECK(outputs[i].defined(), "{} node '{}' (CUDA) did not set output {}",
                         step.node->op_type, step.node->name, i);
          values[step.outputs[i]] = std::move(outputs[i]);
        }
      for (int slot : step.release) values[slot] = DeviceTensor{};
    }
  } catch (const Error&) {
    if (!capture) throw;
    cudaGraph_t partial = nullptr;
    cudaStreamEndCapture(stream, &partial);
    if (partial) cudaGraphDestroy(partial);
    cudaGetLastError();
    return false;  // the caller runs it again without capturing, where a real error resurfaces
  }

  if (capture) {
    cudaGraph_t graph = nullptr;
    cudaError_t status = cudaStreamEndCapture(stream, &graph);
    if (status == cudaSuccess) status = cudaGraphInstantiate(&captured->exec, graph, 0);
    if (graph) cudaGraphDestroy(graph);
    if (status != cudaSuccess) {
      cudaGetLastError();
      return false;
    }
    captured->allocator_generation = resources.allocator.generation();
    for (int slot : output_slots_) captured->outputs.push_back({values[slot].raw(), values[slot].shape, values[slot].dtype});
    check_cuda(cudaGraphLaunch(captured->exec, stream), "launching the captured CUDA graph");
  }

  for (size_t i = 0; i < output_slots_.size(); ++i) {
    const DeviceTensor& device = values[output_slots_[i]];
    download(device.raw(), context.allocate_output(i, device.shape, device.dtype), stream);
  }
  check_cuda(cudaStreamSynchronize(stream), "running the CUDA subgraph");
  if (capture) state.graphs[signature] = std::move(captured);
  return true;
}

}  // namespace flowonnx::runtime::cuda
