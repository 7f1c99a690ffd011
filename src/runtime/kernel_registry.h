// What the runtime knows about each op, keyed by (domain, op_type): the kernel factory (which
// parses and validates the attributes) and the static type rule, registered together by one call
// in the op family's file (providers/cpu/<family>.cc). Registration is by explicit calls from one
// list (providers/cpu/cpu_kernels.cc), never by static initialisers, so what the runtime supports
// is readable in one place and a completeness test can walk it.
#pragma once

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "runtime/kernel.h"
#include "runtime/type_rules.h"

namespace flowonnx::runtime {

// The domain of ops that only the runtime's own rewrites create (never read from a model file).
inline const std::string kInternalDomain = "flowonnx.cpu";

class KernelRegistry {
 public:
  // domain "" is ai.onnx. Registering the same key twice is an Internal error. `infer` gives the
  // static type of each output (type_rules.h); without one, output 0 takes input 0's dtype with an
  // unknown shape and other outputs stay untyped.
  void add(const std::string& domain, const std::string& op_type, KernelFactory factory,
           TypeRule infer = nullptr);
  // nullptr when no kernel claims the op.
  KernelFactory find(const std::string& domain, const std::string& op_type) const;
  // The op's static type rule; nullptr when the op is unknown or registered without one.
  TypeRule find_type_rule(const std::string& domain, const std::string& op_type) const;
  std::vector<std::pair<std::string, std::string>> keys() const;

 private:
  struct Entry {
    KernelFactory factory;
    TypeRule infer;
  };
  std::map<std::pair<std::string, std::string>, Entry> entries_;
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
