// Control flow: If, Loop and Scan. Each subgraph is planned once at load (SubgraphBody: the
// kernel's own copy, types inferred, one ExecutionPlan) and run by that plan on every branch
// taken or iteration; values of enclosing scopes reach it as the node's implicit inputs
// (ir/subgraph.h), so the enclosing plan keeps them alive while the node can run.
//   If (1+):   cond (one bool) picks then_branch or else_branch; both must give the node's
//              output count, with the same dtypes where both are known.
//   Loop (1+): inputs M (optional int64 trip count), cond (optional bool), N loop-carried
//              initial values; body (iteration_num, cond, N carried) -> (cond, N carried,
//              K scan outputs); outputs: N final values, K scan outputs stacked along a new axis
//              0. A negative M runs no iteration (as ONNX Runtime); neither M nor cond would never
//              end and is refused at load; stacked scan outputs past half the physical memory
//              stop the run with an error (at the first iteration when M alone says so).
//   Scan (9+): N initial states, M scan inputs (num_scan_inputs) sliced along scan_input_axes in
//              scan_input_directions; body (N states, M slices) -> (N states, K slices); outputs
//              N final states and K outputs stacked along scan_output_axes in
//              scan_output_directions. Scan 8 has a batch axis 0 and an optional sequence_lens
//              input first; each batch entry runs as a Scan 9 along axis 1.
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <limits>

#include <fmt/format.h>

#include "ir/subgraph.h"
#include "runtime/providers/cpu/cpu_kernels.h"
#include "runtime/subgraph_body.h"

namespace flowonnx::runtime::cpu {

namespace {

using OptType = std::optional<ir::ValueType>;

bool scalar_bool(const Tensor& t, const char* what) {
  FLOWONNX_REQUIRE(t.dtype() == DType::Bool && t.num_elements() == 1,
                   "{} must be one bool, got {}", what, t.describe());
  return *static_cast<const uint8_t*>(t.raw_data()) != 0;
}

// Half the physical memory: the bound on what stacked scan outputs may grow to before the run is
// stopped with an error (rather than the process being killed part way; the stacking copies them
// once more).
uint64_t memory_limit_bytes() {
  const long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGE_SIZE);
  return pages > 0 && page > 0 ? static_cast<uint64_t>(pages) * static_cast<uint64_t>(page) / 2
                               : uint64_t{1} << 35;
}

// A value's type with the shape forgotten (loop-carried values may change shape per iteration).
OptType dtype_of(const ir::ValueType* type) {
  if (!type) return std::nullopt;
  return ir::ValueType{type->dtype, std::nullopt};
}

OptType scalar_type(DType dtype) { return ir::ValueType{dtype, std::vector<ir::Dim>{}}; }

// Joins the per-iteration slices of one output along a new axis `axis` (in reverse order when
// `reverse`): out[..., t, ...] = slices[t].
Tensor stack(const std::vector<Tensor>& slices, int64_t axis, bool reverse, const char* what) {
  const Tensor& first = slices.front();
  for (const Tensor& s : slices)
    FLOWONNX_REQUIRE(s.dtype() == first.dtype() && s.shape() == first.shape(),
                     "{}: every iteration must give the same shape and dtype, got {} and {}",
                     what, first.describe(), s.describe());
  const int64_t rank = first.rank() + 1;
  FLOWONNX_REQUIRE(axis >= -rank && axis < rank, "{}: axis {} out of range for rank {}", what,
                   axis, rank);
  if (axis < 0) axis += rank;
  Shape shape = first.shape();
  const int64_t count = static_cast<int64_t>(slices.size());
  shape.insert(shape.begin() + axis, count);
  Tensor out(shape, first.dtype());
  int64_t outer = 1;
  for (int64_t d = 0; d < axis; ++d) outer *= first.shape()[d];
  const size_t inner = first.nbytes() / static_cast<size_t>(std::max<int64_t>(outer, 1));
  auto* dst = static_cast<char*>(out.raw_data());
  for (int64_t t = 0; t < count; ++t) {
    const auto* src = static_cast<const char*>(slices[reverse ? count - 1 - t : t].raw_data());
    for (int64_t o = 0; o < outer; ++o)
      if (inner) std::memcpy(dst + (o * count + t) * inner, src + o * inner, inner);
  }
  return out;
}

// Slice t of `x` along `axis` (that axis removed).
Tensor slice_at(const Tensor& x, int64_t axis, int64_t t) {
  Shape shape = x.shape();
  const int64_t length = shape[axis];
  shape.erase(shape.begin() + axis);
  Tensor out(shape, x.dtype());
  int64_t outer = 1;
  for (int64_t d = 0; d < axis; ++d) outer *= x.shape()[d];
  const size_t inner = out.nbytes() / static_cast<size_t>(std::max<int64_t>(outer, 1));
  const auto* src = static_cast<const char*>(x.raw_data());
  auto* dst = static_cast<char*>(out.raw_data());
  for (int64_t o = 0; o < outer; ++o)
    if (inner) std::memcpy(dst + o * inner, src + (o * length + t) * inner, inner);
  return out;
}

// ---- If -------------------------------------------------------------------------------------

std::optional<ir::ValueType> if_type(const TypeContext& ctx) {
  const ir::Node& node = ctx.node();
  try {
    const ir::ValueType* types[2] = {nullptr, nullptr};
    int b = 0;
    for (const char* attr : {"then_branch", "else_branch"}) {
      ir::Graph& branch = *node.attrs.get_graph(attr);
      infer_subgraph_types(ctx.graph(), node, branch);
      types[b++] = subgraph_output_type(branch, ctx.output());
    }
    if (!types[0] || !types[1] || types[0]->dtype != types[1]->dtype) return std::nullopt;
    if (*types[0] == *types[1]) return *types[0];
    return ir::ValueType{types[0]->dtype, std::nullopt};
  } catch (const Error&) {
    return std::nullopt;  // the kernel factory reports it
  }
}

ComputeFn make_if(const KernelInit& init) {
  auto then_body = std::make_shared<SubgraphBody>(init, "then_branch");
  auto else_body = std::make_shared<SubgraphBody>(init, "else_branch");
  const size_t outputs = init.num_outputs();
  for (const auto* body : {then_body.get(), else_body.get()})
    if (body->num_outputs() != outputs)
      init.fail_model(fmt::format("{} '{}' has {} outputs, the node has {}",
                                  body == then_body.get() ? "then_branch" : "else_branch",
                                  body->graph().name, body->num_outputs(), outputs));
  for (size_t i = 0; i < outputs; ++i) {
    const ir::ValueType* a = subgraph_output_type(then_body->graph(), i);
    const ir::ValueType* b = subgraph_output_type(else_body->graph(), i);
    if (a && b && a->dtype != b->dtype)
      init.fail_model(fmt::format("output {}: then_branch gives {} but else_branch gives {}", i,
                                  dtype_name(a->dtype), dtype_name(b->dtype)));
  }
  return [then_body, else_body](KernelContext& ctx) {
    const SubgraphBody& body = scalar_bool(ctx.input(0), "If condition") ? *then_body : *else_body;
    std::vector<Tensor> results = body.run({}, ctx);
    for (size_t i = 0; i < results.size(); ++i) ctx.set_output(i, std::move(results[i]));
  };
}

// ---- Loop -----------------------------------------------------------------------------------

std::optional<ir::ValueType> loop_type(const TypeContext& ctx) {
  const ir::Node& node = ctx.node();
  try {
    const size_t carried = node.num_explicit_inputs() >= 2 ? node.num_explicit_inputs() - 2 : 0;
    std::vector<OptType> inputs = {scalar_type(DType::Int64), scalar_type(DType::Bool)};
    for (size_t k = 0; k < carried; ++k) inputs.push_back(dtype_of(ctx.input(2 + k)));
    ir::Graph& body = *node.attrs.get_graph("body");
    infer_subgraph_types(ctx.graph(), node, body, inputs);
    const ir::ValueType* out = subgraph_output_type(body, 1 + ctx.output());
    if (!out) return ctx.output() < carried ? dtype_of(ctx.input(2 + ctx.output())) : std::nullopt;
    if (ctx.output() < carried) return ir::ValueType{out->dtype, std::nullopt};
    ir::ValueType stacked{out->dtype, std::nullopt};
    if (out->shape) {
      stacked.shape.emplace(1, ir::Dim{});
      stacked.shape->insert(stacked.shape->end(), out->shape->begin(), out->shape->end());
    }
    return stacked;
  } catch (const Error&) {
    return std::nullopt;
  }
}

ComputeFn make_loop(const KernelInit& init) {
  const size_t explicit_inputs = init.node().num_explicit_inputs();
  if (explicit_inputs < 2)
    init.fail_model(fmt::format("needs inputs M and cond (either may be empty), got {} inputs",
                                explicit_inputs));
  const size_t carried = explicit_inputs - 2;
  const bool has_trip_count = init.has_input(0), has_cond = init.has_input(1);
  if (!has_trip_count && !has_cond)
    init.fail_model("has neither a trip count M nor a condition: the loop would never end");
  std::vector<OptType> input_types = {scalar_type(DType::Int64), scalar_type(DType::Bool)};
  for (size_t k = 0; k < carried; ++k) {
    const std::string& name = init.node().inputs[2 + k];
    input_types.push_back(!name.empty() && init.graph().has_type(name)
                              ? dtype_of(&init.graph().type(name))
                              : std::nullopt);
  }
  auto body = std::make_shared<SubgraphBody>(init, "body", input_types);
  if (body->num_inputs() != 2 + carried)
    init.fail_model(fmt::format("body '{}' has {} inputs, expected 2 + {} loop-carried = {}",
                                body->graph().name, body->num_inputs(), carried, 2 + carried));
  if (body->num_outputs() < 1 + carried)
    init.fail_model(fmt::format("body '{}' has {} outputs, expected at least 1 + {} loop-carried",
                                body->graph().name, body->num_outputs(), carried));
  const size_t scans = body->num_outputs() - 1 - carried;
  if (init.num_outputs() != carried + scans)
    init.fail_model(fmt::format("has {} outputs, its body gives {} loop-carried + {} scan outputs",
                                init.num_outputs(), carried, scans));
  // The stacked shape of a scan output when the loop runs no iteration: [0] + the body's static
  // per-iteration shape when known, else [0].
  std::vector<Tensor> empty_scans;
  for (size_t k = 0; k < scans; ++k) {
    const ir::ValueType* type = subgraph_output_type(body->graph(), 1 + carried + k);
    Shape shape = {0};
    if (type && type->is_static())
      for (int64_t d : type->static_shape()) shape.push_back(d);
    empty_scans.emplace_back(shape, type ? type->dtype : DType::Float32);
  }
  const uint64_t limit = memory_limit_bytes();
  const bool read_iteration = body->input_is_read(0), read_cond = body->input_is_read(1);

  return [=](KernelContext& ctx) {
    int64_t trip_count = std::numeric_limits<int64_t>::max();
    if (has_trip_count) {
      const Tensor& m = ctx.input(0);
      FLOWONNX_REQUIRE(m.dtype() == DType::Int64 && m.num_elements() == 1,
                       "trip count M must be one int64, got {}", m.describe());
      trip_count = *m.data<int64_t>();
    }
    bool cond = has_cond ? scalar_bool(ctx.input(1), "condition cond") : true;
    std::vector<Tensor> state(carried);
    for (size_t k = 0; k < carried; ++k) state[k] = ctx.input(2 + k);
    std::vector<std::vector<Tensor>> scan_slices(scans);
    uint64_t scan_bytes = 0;
    std::vector<Tensor> feeds(2 + carried);
    // The body's condition input is the condition that let the iteration run: the node's input,
    // then the body's previous output (no tensor made per iteration); the iteration number is
    // made only when the body reads it.
    if (read_cond) feeds[1] = has_cond ? ctx.input(1) : Tensor::scalar<bool>(true);
    int64_t i = 0;
    for (; i < trip_count && cond; ++i) {
      if (read_iteration) feeds[0] = Tensor::scalar<int64_t>(i);
      for (size_t k = 0; k < carried; ++k) feeds[2 + k] = std::move(state[k]);
      std::vector<Tensor> out = body->run(feeds, ctx);
      if (has_cond) {
        cond = scalar_bool(out[0], "the body's condition output");
        if (read_cond) feeds[1] = std::move(out[0]);
      }
      for (size_t k = 0; k < carried; ++k) state[k] = std::move(out[1 + k]);
      uint64_t iteration_bytes = 0;
      for (size_t k = 0; k < scans; ++k) {
        iteration_bytes += out[1 + carried + k].nbytes();
        scan_slices[k].push_back(std::move(out[1 + carried + k]));
      }
      scan_bytes += iteration_bytes;
      // Refuse before memory runs out: at once when the trip count alone says the stacked
      // outputs cannot fit, else as soon as they have grown past physical memory.
      const bool bounded = !has_cond;
      if (scans && (scan_bytes > limit ||
                    (bounded && i == 0 && iteration_bytes > 0 &&
                     static_cast<uint64_t>(trip_count) > limit / iteration_bytes)))
        fail(ErrorCode::InvalidArgument,
             "scan outputs of {} bytes per iteration over {} iterations exceed half this "
             "machine's memory ({:.1f} GiB)",
             iteration_bytes, bounded ? trip_count : i + 1,
             static_cast<double>(limit) / (uint64_t{1} << 30));
    }
    for (size_t k = 0; k < carried; ++k) ctx.set_output(k, std::move(state[k]));
    for (size_t k = 0; k < scans; ++k)
      ctx.set_output(carried + k, scan_slices[k].empty()
                                      ? empty_scans[k]
                                      : stack(scan_slices[k], 0, false, "Loop scan output"));
  };
}

// ---- Scan -----------------------------------------------------------------------------------

struct ScanAttrs {
  size_t states = 0, scan_inputs = 0, scan_outputs = 0;
  std::vector<int64_t> in_axes, in_dirs, out_axes, out_dirs;
};

// States, scan inputs and outputs as the node gives them (after sequence_lens for Scan 8).
std::vector<Tensor> run_scan(const SubgraphBody& body, const ScanAttrs& a,
                             const std::vector<Tensor>& states_in,
                             const std::vector<Tensor>& scans_in, const KernelContext& ctx) {
  int64_t length = -1;
  std::vector<int64_t> axes(a.scan_inputs);
  for (size_t j = 0; j < a.scan_inputs; ++j) {
    const Tensor& x = scans_in[j];
    int64_t axis = a.in_axes[j];
    FLOWONNX_REQUIRE(axis >= -x.rank() && axis < x.rank(),
                     "scan input {}: axis {} out of range for {}", j, axis, x.describe());
    axes[j] = axis < 0 ? axis + x.rank() : axis;
    const int64_t n = x.shape()[axes[j]];
    FLOWONNX_REQUIRE(length < 0 || n == length,
                     "scan input {} has {} entries along axis {}, scan input 0 has {}", j, n,
                     axes[j], length);
    length = n;
  }
  std::vector<Tensor> state = states_in;
  std::vector<std::vector<Tensor>> slices(a.scan_outputs);
  std::vector<Tensor> feeds(a.states + a.scan_inputs);
  for (int64_t t = 0; t < length; ++t) {
    for (size_t k = 0; k < a.states; ++k) feeds[k] = std::move(state[k]);
    for (size_t j = 0; j < a.scan_inputs; ++j)
      feeds[a.states + j] = slice_at(scans_in[j], axes[j], a.in_dirs[j] ? length - 1 - t : t);
    std::vector<Tensor> out = body.run(feeds, ctx);
    for (size_t k = 0; k < a.states; ++k) state[k] = std::move(out[k]);
    for (size_t k = 0; k < a.scan_outputs; ++k) slices[k].push_back(std::move(out[a.states + k]));
  }
  std::vector<Tensor> results = std::move(state);
  for (size_t k = 0; k < a.scan_outputs; ++k) {
    if (slices[k].empty()) {
      const ir::ValueType* type = subgraph_output_type(body.graph(), a.states + k);
      results.emplace_back(Shape{0}, type ? type->dtype : DType::Float32);
    } else {
      results.push_back(stack(slices[k], a.out_axes[k], a.out_dirs[k] != 0, "Scan output"));
    }
  }
  return results;
}

std::optional<ir::ValueType> scan_type(const TypeContext& ctx) {
  const ir::Node& node = ctx.node();
  try {
    ir::Graph& body = *node.attrs.get_graph("body");
    infer_subgraph_types(ctx.graph(), node, body);
    const ir::ValueType* out = subgraph_output_type(body, ctx.output());
    if (!out) return std::nullopt;
    return ir::ValueType{out->dtype, std::nullopt};
  } catch (const Error&) {
    return std::nullopt;
  }
}

ComputeFn make_scan(const KernelInit& init) {
  const bool batched = init.opset() < 9;  // Scan 8: batch axis 0, sequence_lens first
  const size_t first = batched ? 1 : 0;
  const size_t inputs = init.node().num_explicit_inputs();
  const int64_t num_scan_inputs = init.attr_int("num_scan_inputs", -1);
  if (num_scan_inputs < 1 || static_cast<size_t>(num_scan_inputs) + first > inputs)
    init.fail_model(fmt::format("num_scan_inputs must be in [1, {}], got {}", inputs - first,
                                num_scan_inputs));
  ScanAttrs a;
  a.scan_inputs = static_cast<size_t>(num_scan_inputs);
  a.states = inputs - first - a.scan_inputs;
  auto body = std::make_shared<SubgraphBody>(init, "body");
  if (body->num_inputs() != a.states + a.scan_inputs)
    init.fail_model(fmt::format("body '{}' has {} inputs, expected {} states + {} scan inputs",
                                body->graph().name, body->num_inputs(), a.states, a.scan_inputs));
  if (body->num_outputs() < a.states || init.num_outputs() != body->num_outputs())
    init.fail_model(fmt::format("body '{}' has {} outputs; the node has {} outputs and {} states",
                                body->graph().name, body->num_outputs(), init.num_outputs(),
                                a.states));
  a.scan_outputs = body->num_outputs() - a.states;
  auto list = [&](const char* name, size_t count, const char* key) {
    std::vector<int64_t> values = init.attr_ints(name, std::vector<int64_t>(count, 0));
    if (values.size() != count)
      init.fail_model(fmt::format("{} has {} entries, expected one per {} ({})", name,
                                  values.size(), key, count));
    return values;
  };
  if (batched) {
    a.in_axes.assign(a.scan_inputs, 0);
    a.out_axes.assign(a.scan_outputs, 0);
    a.in_dirs = list("directions", a.scan_inputs, "scan input");
    a.out_dirs.assign(a.scan_outputs, 0);
  } else {
    a.in_axes = list("scan_input_axes", a.scan_inputs, "scan input");
    a.in_dirs = list("scan_input_directions", a.scan_inputs, "scan input");
    a.out_axes = list("scan_output_axes", a.scan_outputs, "scan output");
    a.out_dirs = list("scan_output_directions", a.scan_outputs, "scan output");
  }
  return [=](KernelContext& ctx) {
    std::vector<Tensor> states, scans;
    for (size_t k = 0; k < a.states; ++k) states.push_back(ctx.input(first + k));
    for (size_t j = 0; j < a.scan_inputs; ++j) scans.push_back(ctx.input(first + a.states + j));
    if (!batched) {
      std::vector<Tensor> results = run_scan(*body, a, states, scans, ctx);
      for (size_t i = 0; i < results.size(); ++i) ctx.set_output(i, std::move(results[i]));
      return;
    }
    // Scan 8: every state and scan input has the batch axis 0; each entry scans on its own.
    FLOWONNX_REQUIRE(!ctx.has_input(0), "Scan 8 with sequence_lens is not supported");
    int64_t batch = -1;
    for (const Tensor& t : states.empty() ? scans : states) {
      FLOWONNX_REQUIRE(t.rank() >= 1 && (batch < 0 || t.shape()[0] == batch),
                       "Scan 8 inputs must share the batch axis 0, got {}", t.describe());
      batch = t.shape()[0];
    }
    for (const Tensor& t : scans)
      FLOWONNX_REQUIRE(t.rank() >= 2 && t.shape()[0] == batch,
                       "Scan 8 scan inputs need axes [batch, sequence, ...], got {}", t.describe());
    std::vector<std::vector<Tensor>> per_output(a.states + a.scan_outputs);
    for (int64_t b = 0; b < batch; ++b) {
      std::vector<Tensor> s, x;
      for (const Tensor& t : states) s.push_back(slice_at(t, 0, b));
      for (const Tensor& t : scans) x.push_back(slice_at(t, 0, b));
      std::vector<Tensor> results = run_scan(*body, a, s, x, ctx);
      for (size_t i = 0; i < results.size(); ++i) per_output[i].push_back(std::move(results[i]));
    }
    for (size_t i = 0; i < per_output.size(); ++i)
      ctx.set_output(i, stack(per_output[i], 0, false, "Scan 8 output"));
  };
}

}  // namespace

void register_control_flow_kernels(KernelRegistry& registry) {
  registry.add("", "If", make_if, if_type);
  registry.add("", "Loop", make_loop, loop_type);
  registry.add("", "Scan", make_scan, scan_type);
}

}  // namespace flowonnx::runtime::cpu
