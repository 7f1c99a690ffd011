// call_op runs a framework op eagerly and, while a Tracer is installed on this thread, records it.
// Every functional op goes through here, so eager mode and tracing cannot drift apart.
#pragma once

#include <string>
#include <vector>

#include "flow/op_schema.h"

namespace flowonnx::flow {

// Receives each op as it runs (nn::Graph::compile installs one to build the IR).
class Tracer {
 public:
  virtual ~Tracer() = default;
  virtual void record(const OpSchema& schema, const std::vector<Tensor>& inputs,
                      const ir::Attributes& attrs, const std::vector<Tensor>& outputs) = 0;
};

// Installs `tracer` for the current thread for the lifetime of the guard (nesting restores).
class TracerGuard {
 public:
  explicit TracerGuard(Tracer* tracer);
  ~TracerGuard();
  TracerGuard(const TracerGuard&) = delete;
  TracerGuard& operator=(const TracerGuard&) = delete;

 private:
  Tracer* previous_;
};
Tracer* current_tracer();

// Fills unset attributes from the schema defaults (an unknown attribute is an Internal error),
// infers and checks output metas, computes, and records to the current tracer.
std::vector<Tensor> call_op(const std::string& name, const std::vector<Tensor>& inputs,
                            const ir::Attributes& attrs = {});

// Shapes only, no compute: the inferred output metas for the given input metas.
std::vector<TensorMeta> infer_op(const std::string& name, const std::vector<TensorMeta>& inputs,
                                 const ir::Attributes& attrs = {});

}  // namespace flowonnx::flow
