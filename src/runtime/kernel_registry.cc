#include "runtime/kernel_registry.h"

#include "runtime/providers/cpu/cpu_kernels.h"

namespace flowonnx::runtime {

std::string canonical_domain(const std::string& domain) {
  return domain == "ai.onnx" ? std::string() : domain;
}

int64_t opset_of(const ir::Graph& graph, const std::string& domain) {
  auto found = graph.opset_imports.find(canonical_domain(domain));
  if (found == graph.opset_imports.end() && domain.empty())
    found = graph.opset_imports.find("ai.onnx");
  return found == graph.opset_imports.end() ? 0 : found->second;
}

void KernelRegistry::add(const std::string& domain, const std::string& op_type,
                         KernelFactory factory, TypeRule infer) {
  auto [it, inserted] = entries_.emplace(std::make_pair(canonical_domain(domain), op_type),
                                         Entry{std::move(factory), std::move(infer)});
  FLOWONNX_CHECK(inserted, "kernel {}.{} registered twice", domain, op_type);
}

KernelFactory KernelRegistry::find(const std::string& domain, const std::string& op_type) const {
  auto found = entries_.find({canonical_domain(domain), op_type});
  return found == entries_.end() ? nullptr : found->second.factory;
}

TypeRule KernelRegistry::find_type_rule(const std::string& domain,
                                        const std::string& op_type) const {
  auto found = entries_.find({canonical_domain(domain), op_type});
  return found == entries_.end() ? nullptr : found->second.infer;
}

std::vector<std::pair<std::string, std::string>> KernelRegistry::keys() const {
  std::vector<std::pair<std::string, std::string>> result;
  for (const auto& [key, entry] : entries_) result.push_back(key);
  return result;
}

const KernelRegistry& cpu_kernel_registry() {
  static const KernelRegistry registry = [] {
    KernelRegistry built;
    cpu::register_cpu_kernels(built);
    return built;
  }();
  return registry;
}

const KernelRegistry& session_kernel_registry() {
  static const KernelRegistry registry = [] {
    KernelRegistry built;
    cpu::register_cpu_kernels(built);
    cpu::register_fused_kernels(built);
    cpu::register_fused_math_kernels(built);
    return built;
  }();
  return registry;
}

}  // namespace flowonnx::runtime
