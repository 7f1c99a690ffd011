// Kernels keyed by (domain, op_type). Registration is by explicit calls from one list
// (providers/cpu/cpu_kernels.cc), never by static initialisers, so what the runtime supports is
// readable in one place and a completeness test can walk it.
#pragma once

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "runtime/kernel.h"

namespace flowonnx::runtime {

class KernelRegistry {
 public:
  // domain "" is ai.onnx. Registering the same key twice is an Internal error.
  void add(const std::string& domain, const std::string& op_type, KernelFactory factory);
  // nullptr when no kernel claims the op.
  KernelFactory find(const std::string& domain, const std::string& op_type) const;
  std::vector<std::pair<std::string, std::string>> keys() const;

 private:
  std::map<std::pair<std::string, std::string>, KernelFactory> factories_;
};

// "ai.onnx" and "" both mean the default domain.
std::string canonical_domain(const std::string& domain);
// The graph's opset for `domain` (0 when it imports none), what a kernel's KernelInit carries.
int64_t opset_of(const ir::Graph& graph, const std::string& domain);

// The CPU execution provider's kernels, built once on first use (thread-safe).
const KernelRegistry& cpu_kernel_registry();
// The CPU kernels plus the runtime-internal ops that session-time rewrites create; what the
// execution plan is built from.
const KernelRegistry& session_kernel_registry();

}  // namespace flowonnx::runtime
