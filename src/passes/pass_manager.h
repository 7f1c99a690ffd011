// Runs a list of named passes over a graph to a fixed point: the whole list is repeated until no
// pass changes the graph, or until the iteration cap (a warning says so). Optionally verifies the
// graph after every pass (tests do) and dumps its text after chosen passes (--print-after).
#pragma once

#include <functional>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "passes/pass.h"

namespace flowonnx::passes {

struct PassManagerOptions {
  int max_iterations = 50;  // onnxsim's default fixed-point cap
  bool verify_after_each = false;
  // Pass names after which the graph text is dumped; "all" dumps after every pass.
  std::set<std::string> print_after;
  // Where dumps go; defaults to stdout.
  std::function<void(const std::string&)> dump;
};

struct PassRunReport {
  int iterations = 0;
  bool reached_fixed_point = true;
  std::map<std::string, int> changes;  // pass name -> runs that changed the graph
};

class PassManager {
 public:
  explicit PassManager(PassManagerOptions options = {}) : options_(std::move(options)) {}

  // Adds a pass by name (InvalidArgument for an unknown name).
  PassManager& add(const std::string& name);
  PassManager& add(const std::vector<std::string>& names);
  const std::vector<const PassInfo*>& passes() const { return passes_; }

  PassRunReport run(ir::Graph& graph, PassContext& context) const;

 private:
  PassManagerOptions options_;
  std::vector<const PassInfo*> passes_;
};

}  // namespace flowonnx::passes
