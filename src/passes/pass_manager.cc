#include "passes/pass_manager.h"

#include <fmt/format.h>

#include <cstdio>

#include "base/error.h"
#include "base/logging.h"
#include "ir/subgraph.h"

namespace flowonnx::passes {

PassManager& PassManager::add(const std::string& name) {
  passes_.push_back(&find_pass(name));
  return *this;
}

PassManager& PassManager::add(const std::vector<std::string>& names) {
  for (const auto& name : names) add(name);
  return *this;
}

PassRunReport PassManager::run(ir::Graph& graph, PassContext& context) const {
  // Subgraphs' reads of this graph's values are explicit inputs while the passes run, so every
  // pass sees them as uses (dead code, unused initializers, renames, CSE); the subgraphs follow
  // any rename when they are detached again, however the run ends.
  ir::attach_implicit_inputs(graph);
  struct Detach {
    ir::Graph& graph;
    bool done = false;
    void now() { done = true, ir::detach_implicit_inputs(graph); }
    ~Detach() {
      try {
        if (!done) ir::detach_implicit_inputs(graph);
      } catch (const Error&) {
        // already unwinding from the pass's own error, which says more
      }
    }
  } detach{graph};
  PassRunReport report;
  auto dump = options_.dump ? options_.dump
                            : [](const std::string& text) { std::fputs(text.c_str(), stdout); };
  for (const std::string& name : options_.print_after)
    if (name != "all") find_pass(name);  // an unknown name is a usage error, not a silent no-op
  for (report.iterations = 1;; ++report.iterations) {
    bool changed = false;
    for (const PassInfo* pass : passes_) {
      bool pass_changed = false;
      try {
        pass_changed = pass->run(graph, context);
      } catch (const Error& error) {
        throw Error(error.code(), fmt::format("pass {}: {}", pass->name, error.what()));
      }
      if (pass_changed) {
        ++report.changes[pass->name];
        changed = true;
        graph.prune_values();
      }
      if (options_.verify_after_each) {
        try {
          graph.verify();
        } catch (const Error& error) {
          fail(ErrorCode::Internal, "graph invalid after pass {}: {}", pass->name, error.what());
        }
      }
      if (options_.print_after.count(pass->name) || options_.print_after.count("all"))
        dump(fmt::format("--- after {} (iteration {}{}) ---\n{}", pass->name, report.iterations,
                         pass_changed ? "" : ", unchanged", graph.to_text()));
    }
    if (!changed) break;
    if (report.iterations >= options_.max_iterations) {
      report.reached_fixed_point = false;
      log_warning("passes did not reach a fixed point after {} iterations; stopping there (the "
                  "model is valid, maybe not fully simplified)",
                  options_.max_iterations);
      break;
    }
  }
  detach.now();
  return report;
}

}  // namespace flowonnx::passes
