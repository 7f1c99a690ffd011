#include "runtime/providers/cuda/partition.h"

#include <algorithm>
#include <deque>
#include <map>
#include <set>

#include "runtime/providers/cuda/cuda_kernel.h"

namespace flowonnx::runtime::cuda {

namespace {

bool claimed_by_cuda(const ir::Node& node, const ir::Graph& graph) {
  const CudaKernel* kernel = find_cuda_kernel(node.domain, node.op_type);
  return kernel && kernel->supports(node, graph);
}

// A topological order that stays on one provider as long as it can (Kahn's algorithm with one
// ready queue per provider), so the graph splits into as few runs as possible.
std::vector<ir::Node*> provider_grouped_order(const ir::Graph& graph, const std::set<const ir::Node*>& on_gpu) {
  std::map<std::string, ir::Node*> producer;
  for (const auto& node : graph.nodes())
    for (const auto& out : node->outputs)
      if (!out.empty()) producer[out] = node.get();
  std::map<const ir::Node*, int> waiting;
  std::map<const ir::Node*, std::vector<ir::Node*>> consumers;
  for (const auto& node : graph.nodes()) {
    std::set<const ir::Node*> sources;
    for (const auto& in : node->inputs) {
      auto found = producer.find(in);
      if (!in.empty() && found != producer.end()) sources.insert(found->second);
    }
    waiting[node.get()] = static_cast<int>(sources.size());
    for (const ir::Node* source : sources) consumers[source].push_back(node.get());
  }
  std::deque<ir::Node*> ready[2];  // [0] CPU, [1] CUDA; insertion order within each
  for (const auto& node : graph.nodes())
    if (waiting[node.get()] == 0) ready[on_gpu.count(node.get())].push_back(node.get());
  std::vector<ir::Node*> order;
  int current = ready[1].empty() ? 0 : 1;
  while (!ready[0].empty() || !ready[1].empty()) {
    if (ready[current].empty()) current = 1 - current;
    ir::Node* node = ready[current].front();
    ready[current].pop_front();
    order.push_back(node);
    for (ir::Node* next : consumers[node])
      if (--waiting[next] == 0) ready[on_gpu.count(next)].push_back(next);
  }
  FLOWONNX_CHECK(order.size() == graph.nodes().size(), "graph has a cycle");
  return order;
}

}  // namespace

std::vector<Partition> partition_for_cuda(ir::Graph& graph) {
  std::set<const ir::Node*> on_gpu;
  for (const auto& node : graph.nodes())
    if (claimed_by_cuda(*node, graph)) on_gpu.insert(node.get());
  if (on_gpu.empty()) return {};

  std::vector<std::vector<ir::Node*>> runs;
  bool previous_on_gpu = false;
  for (ir::Node* node : provider_grouped_order(graph, on_gpu)) {
    bool gpu = on_gpu.count(node) != 0;
    if (gpu && !previous_on_gpu) runs.emplace_back();
    if (gpu) runs.back().push_back(node);
    previous_on_gpu = gpu;
  }

  // Readers of every value outside each run decide the run's outputs.
  std::vector<Partition> partitions;
  for (size_t index = 0; index < runs.size(); ++index) {
    const std::vector<ir::Node*>& run = runs[index];
    std::set<const ir::Node*> members(run.begin(), run.end());
    std::set<std::string> produced;
    for (const ir::Node* node : run)
      for (const auto& out : node->outputs)
        if (!out.empty()) produced.insert(out);
    std::set<std::string> read_outside(graph.outputs.begin(), graph.outputs.end());
    for (const auto& node : graph.nodes())
      if (!members.count(node.get()))
        for (const auto& in : node->inputs) read_outside.insert(in);

    Partition partition;
    ir::Graph& body = partition.body;
    body.name = fmt::format("cuda_partition_{}", index);
    body.opset_imports = graph.opset_imports;
    std::set<std::string> seen_inputs;
    for (const ir::Node* node : run) {
      partition.node_names.push_back(node->name);
      for (const auto& in : node->inputs) {
        if (in.empty() || produced.count(in) || seen_inputs.count(in)) continue;
        seen_inputs.insert(in);
        bool overridable = std::find(graph.inputs.begin(), graph.inputs.end(), in) != graph.inputs.end();
        if (graph.is_initializer(in) && !overridable) body.set_initializer(in, graph.initializer(in));
        else body.inputs.push_back(in);
      }
      for (const auto& out : node->outputs)
        if (!out.empty() && read_outside.count(out)) body.outputs.push_back(out);
      body.add_node(*node);
    }
    for (const auto& [name, type] : graph.types())
      if (produced.count(name) || seen_inputs.count(name)) body.set_type(name, type);

    ir::Node call;
    call.name = fmt::format("CudaSubgraph_{}", index);
    call.domain = kCudaDomain;
    call.op_type = kCudaSubgraph;
    call.inputs = body.inputs;
    call.outputs = body.outputs;
    call.attrs.set("partition", static_cast<int64_t>(index));
    graph.insert_node_before(run.front(), std::move(call));
    for (ir::Node* node : run) graph.remove_node(node);
    partitions.push_back(std::move(partition));
  }

  // Initializers no CPU node reads any more now live only in the partitions' bodies.
  std::set<std::string> still_read(graph.outputs.begin(), graph.outputs.end());
  still_read.insert(graph.inputs.begin(), graph.inputs.end());
  for (const auto& node : graph.nodes()) still_read.insert(node->inputs.begin(), node->inputs.end());
  std::vector<std::string> unused;
  for (const auto& [name, tensor] : graph.initializers())
    if (!still_read.count(name)) unused.push_back(name);
  for (const auto& name : unused) graph.remove_initializer(name);
  graph.prune_values();
  return partitions;
}

}  // namespace flowonnx::runtime::cuda
