#include "kernels/cpu/einsum.h"

#include <algorithm>
#include <array>
#include <cctype>

#include "kernels/cpu/kernel_checks.h"
#include "kernels/cpu/matmul.h"
#include "kernels/cpu/strided_copy.h"

namespace flowonnx::kernels {

namespace {

constexpr const char* kEinsum = "Einsum";
// Labels 0..51 are the letters; the ellipsis' axes get 52, 53, ... (right-aligned across operands).
constexpr int kLetters = 52;

// Uppercase first, so label order is ASCII order (numpy's order for the implicit output).
int letter_label(char c) { return c >= 'a' ? c - 'a' + 26 : c - 'A'; }
char label_letter(int label) {
  return static_cast<char>(label < 26 ? 'A' + label : 'a' + label - 26);
}

struct Term {
  std::vector<int> labels;  // one per axis of the operand, ellipsis axes expanded
};

struct Plan {
  std::vector<Term> inputs;
  std::vector<int> output;     // labels of the output axes
  std::vector<int> summed;     // labels summed over
  std::vector<int64_t> sizes;  // per label (-1: unused)
};

// Parses one term ("ab...c") into letters with the ellipsis position; -1 marks the ellipsis.
std::vector<int> parse_term(const std::string& equation, const std::string& term) {
  std::vector<int> out;
  bool ellipsis = false;
  for (size_t i = 0; i < term.size(); ++i) {
    const char c = term[i];
    if (c == '.') {
      FLOWONNX_REQUIRE(term.compare(i, 3, "...") == 0 && !ellipsis,
                       "{}: equation '{}': term '{}' has a '.' that is not one '...'", kEinsum,
                       equation, term);
      ellipsis = true;
      out.push_back(-1);
      i += 2;
      continue;
    }
    // ASCII letters only (std::isalpha follows the locale; a label indexes a 52-entry table).
    FLOWONNX_REQUIRE((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'),
                     "{}: equation '{}': term '{}' has '{}', expected letters and '...'", kEinsum,
                     equation, term, c);
    out.push_back(letter_label(c));
  }
  return out;
}

Plan make_plan(const std::string& raw, const std::vector<const Tensor*>& inputs) {
  std::string eq;
  for (char c : raw)
    if (!std::isspace(static_cast<unsigned char>(c))) eq.push_back(c);
  FLOWONNX_REQUIRE(!inputs.empty(), "{}: equation '{}' needs at least one input", kEinsum, raw);
  const size_t arrow = eq.find("->");
  FLOWONNX_REQUIRE(arrow == std::string::npos || eq.find("->", arrow + 1) == std::string::npos,
                   "{}: equation '{}' has more than one '->'", kEinsum, raw);
  const std::string lhs = eq.substr(0, arrow);
  std::vector<std::string> terms;
  for (size_t start = 0;;) {
    const size_t comma = lhs.find(',', start);
    terms.push_back(lhs.substr(start, comma - start));
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  FLOWONNX_REQUIRE(terms.size() == inputs.size(),
                   "{}: equation '{}' has {} operand terms for {} inputs", kEinsum, raw,
                   terms.size(), inputs.size());
  const DType dtype = inputs[0]->dtype();
  Plan plan;
  plan.sizes.assign(kLetters, -1);
  std::vector<std::vector<int>> parsed;
  int64_t ellipsis_rank = 0;
  for (size_t i = 0; i < terms.size(); ++i) {
    const Tensor& x = *inputs[i];
    detail::require_defined(kEinsum, "input", x);
    FLOWONNX_REQUIRE(x.dtype() == dtype, "{}: input {} {} must have input 0's dtype {}", kEinsum, i,
                     x.describe(), dtype_name(dtype));
    parsed.push_back(parse_term(raw, terms[i]));
    const bool has_ellipsis = std::count(parsed[i].begin(), parsed[i].end(), -1) > 0;
    const int64_t letters = static_cast<int64_t>(parsed[i].size()) - (has_ellipsis ? 1 : 0);
    FLOWONNX_REQUIRE(has_ellipsis ? x.rank() >= letters : x.rank() == letters,
                     "{}: equation '{}': term '{}' names {} axes but input {} is {}", kEinsum, raw,
                     terms[i], letters, i, x.describe());
    if (has_ellipsis) ellipsis_rank = std::max(ellipsis_rank, x.rank() - letters);
  }
  plan.sizes.resize(kLetters + ellipsis_rank, 1);
  std::vector<int> counts(plan.sizes.size(), 0);
  for (size_t i = 0; i < terms.size(); ++i) {
    const Tensor& x = *inputs[i];
    Term term;
    for (int label : parsed[i]) {
      if (label >= 0) {
        term.labels.push_back(label);
        continue;
      }
      const int64_t e = x.rank() - static_cast<int64_t>(parsed[i].size()) + 1;
      for (int64_t k = ellipsis_rank - e; k < ellipsis_rank; ++k)
        term.labels.push_back(kLetters + static_cast<int>(k));
    }
    for (size_t axis = 0; axis < term.labels.size(); ++axis) {
      const int label = term.labels[axis];
      const int64_t dim = x.shape()[axis];
      int64_t& size = plan.sizes[label];
      if (label >= kLetters) {  // ellipsis axes broadcast
        FLOWONNX_REQUIRE(size == 1 || dim == 1 || size == dim,
                         "{}: equation '{}': the '...' axes of input {} {} do not broadcast with "
                         "the other inputs'",
                         kEinsum, raw, i, x.describe());
        if (dim != 1) size = dim;
      } else {
        FLOWONNX_REQUIRE(size == -1 || size == dim,
                         "{}: equation '{}': axis '{}' is {} in input {} {} but {} elsewhere",
                         kEinsum, raw, label_letter(label), dim, i, x.describe(), size);
        size = dim;
      }
      ++counts[label];  // every occurrence: "ii" sums i (numpy's implicit output)
    }
    plan.inputs.push_back(std::move(term));
  }
  std::vector<bool> in_output(plan.sizes.size(), false);
  if (arrow != std::string::npos) {
    const std::string rhs = eq.substr(arrow + 2);
    for (int label : parse_term(raw, rhs)) {
      if (label < 0) {
        for (int k = 0; k < ellipsis_rank; ++k) plan.output.push_back(kLetters + k);
        continue;
      }
      FLOWONNX_REQUIRE(plan.sizes[label] >= 0 && !in_output[label],
                       "{}: equation '{}': output '{}' names a letter absent from the inputs or "
                       "twice",
                       kEinsum, raw, rhs);
      plan.output.push_back(label);
      in_output[label] = true;
    }
  } else {
    for (int k = 0; k < ellipsis_rank; ++k) plan.output.push_back(kLetters + k);
    std::vector<int> once;
    for (int label = 0; label < kLetters; ++label)
      if (counts[label] == 1) once.push_back(label);
    plan.output.insert(plan.output.end(), once.begin(), once.end());
  }
  for (int label : plan.output) in_output[label] = true;
  for (size_t label = 0; label < plan.sizes.size(); ++label)
    if (!in_output[label] && (label >= kLetters || plan.sizes[label] >= 0))
      plan.summed.push_back(static_cast<int>(label));
  return plan;
}

// strides[i][label]: how far operand i moves when the label advances by one (0 if absent
// or broadcast; the sum over a repeated label's axes, which walks the diagonal).
std::vector<std::vector<int64_t>> label_strides(const Plan& plan,
                                                const std::vector<const Tensor*>& inputs) {
  std::vector<std::vector<int64_t>> strides(inputs.size(),
                                            std::vector<int64_t>(plan.sizes.size(), 0));
  for (size_t i = 0; i < inputs.size(); ++i) {
    const Shape& shape = inputs[i]->shape();
    int64_t stride = 1;
    for (size_t axis = shape.size(); axis-- > 0;) {
      if (shape[axis] != 1) strides[i][plan.inputs[i].labels[axis]] += stride;
      stride *= shape[axis];
    }
  }
  return strides;
}

bool has_label(const Term& term, int label) {
  return std::find(term.labels.begin(), term.labels.end(), label) != term.labels.end();
}

// Two float32 operands whose every summed label appears in both: gather each into
// [batch, M, K] / [batch, K, N] (diagonals and broadcasts fall out of the label strides), one
// batched matmul, and a gather into the output's label order. False when the case does not fit.
bool einsum_as_matmul(const Plan& plan, const std::vector<const Tensor*>& inputs, Tensor& y) {
  if (inputs.size() != 2 || inputs[0]->dtype() != DType::Float32) return false;
  std::vector<int> batch, m, n, k;
  for (int label : plan.output) {
    const bool in_a = has_label(plan.inputs[0], label), in_b = has_label(plan.inputs[1], label);
    (in_a && in_b ? batch : in_a ? m : n).push_back(label);
  }
  for (int label : plan.summed) {
    const bool in_a = has_label(plan.inputs[0], label), in_b = has_label(plan.inputs[1], label);
    if (!in_a && !in_b) continue;  // an ellipsis axis no operand has: size 1
    if (!(in_a && in_b)) return false;
    k.push_back(label);
  }
  const auto strides = label_strides(plan, inputs);
  auto extent = [&](const std::vector<int>& labels) {
    int64_t e = 1;
    for (int label : labels) e *= plan.sizes[label];
    return e;
  };
  const int64_t nb = extent(batch), nm = extent(m), nn = extent(n), nk = extent(k);
  auto gather = [&](size_t operand, std::vector<std::vector<int>> groups, Shape shape) {
    Tensor out(shape, DType::Float32);
    Shape dims;
    std::vector<int64_t> walk;
    for (const auto& group : groups)
      for (int label : group) {
        dims.push_back(plan.sizes[label]);
        walk.push_back(strides[operand][label]);
      }
    if (dims.empty()) {  // strided_gather needs a dim
      dims.push_back(1);
      walk.push_back(0);
    }
    if (out.num_elements() > 0)
      detail::strided_gather(inputs[operand]->raw_data(), sizeof(float), dims, walk,
                             out.raw_data());
    return out;
  };
  const Tensor a = gather(0, {batch, m, k}, {nb, nm, nk});
  const Tensor b = gather(1, {batch, k, n}, {nb, nk, nn});
  Tensor product({nb, nm, nn}, DType::Float32);
  if (product.num_elements() > 0) {
    if (nk == 0)
      std::fill_n(product.data<float>(), product.num_elements(), 0.0f);
    else
      matmul(a, b, {}, product);
  }
  // The product holds labels batch, m, n in that order; walk it in the output's order.
  std::vector<int> order = batch;
  order.insert(order.end(), m.begin(), m.end());
  order.insert(order.end(), n.begin(), n.end());
  std::vector<int64_t> product_stride(plan.sizes.size(), 0);
  int64_t stride = 1;
  for (size_t d = order.size(); d-- > 0;) {
    product_stride[order[d]] = stride;
    stride *= plan.sizes[order[d]];
  }
  Shape dims;
  std::vector<int64_t> walk;
  for (int label : plan.output) {
    dims.push_back(plan.sizes[label]);
    walk.push_back(product_stride[label]);
  }
  if (dims.empty()) {
    dims.push_back(1);
    walk.push_back(0);
  }
  if (y.num_elements() > 0)
    detail::strided_gather(product.raw_data(), sizeof(float), dims, walk, y.raw_data());
  return true;
}

template <typename T, typename Acc>
void einsum_typed(const Plan& plan, const std::vector<const Tensor*>& inputs, Tensor& y) {
  const size_t n_in = inputs.size();
  const auto strides = label_strides(plan, inputs);
  std::vector<const T*> data(n_in);
  for (size_t i = 0; i < n_in; ++i) data[i] = inputs[i]->data<T>();
  auto total = [&](const std::vector<int>& labels) {
    double n = 1;
    for (int label : labels) n *= static_cast<double>(plan.sizes[label]);
    return n;
  };
  // The naive loop visits every combination of labels; refuse what would run for hours.
  FLOWONNX_REQUIRE(total(plan.output) * total(plan.summed) * static_cast<double>(n_in) <=
                       static_cast<double>(int64_t{1} << 34),
                   "{}: {} outputs x {} summed terms is too much work for one node", kEinsum,
                   total(plan.output), total(plan.summed));
  const auto out_count = static_cast<int64_t>(total(plan.output));
  const auto sum_count = static_cast<int64_t>(total(plan.summed));
  T* out = y.data<T>();
  std::vector<int64_t> out_pos(plan.output.size(), 0), sum_pos(plan.summed.size(), 0);
  std::vector<int64_t> base(n_in, 0), at(n_in, 0);
  // Odometer step over `labels` (last fastest), moving every operand's offset in `offsets`.
  auto advance = [&](const std::vector<int>& labels, std::vector<int64_t>& pos,
                     std::vector<int64_t>& offsets) {
    for (size_t d = labels.size(); d-- > 0;) {
      const int label = labels[d];
      if (++pos[d] < plan.sizes[label]) {
        for (size_t i = 0; i < n_in; ++i) offsets[i] += strides[i][label];
        return;
      }
      for (size_t i = 0; i < n_in; ++i) offsets[i] -= strides[i][label] * (pos[d] - 1);
      pos[d] = 0;
    }
  };
  for (int64_t o = 0; o < out_count; ++o) {
    Acc acc = 0;
    at = base;
    std::fill(sum_pos.begin(), sum_pos.end(), 0);
    for (int64_t s = 0; s < sum_count; ++s) {
      Acc product = 1;
      for (size_t i = 0; i < n_in; ++i) product *= static_cast<Acc>(data[i][at[i]]);
      acc += product;
      advance(plan.summed, sum_pos, at);
    }
    out[o] = static_cast<T>(acc);
    advance(plan.output, out_pos, base);
  }
}

}  // namespace

Shape einsum_output_shape(const std::string& equation, const std::vector<const Tensor*>& inputs) {
  const Plan plan = make_plan(equation, inputs);
  Shape shape;
  for (int label : plan.output) shape.push_back(plan.sizes[label]);
  return shape;
}

void einsum(const std::string& equation, const std::vector<const Tensor*>& inputs, Tensor& y) {
  const Plan plan = make_plan(equation, inputs);
  Shape shape;
  for (int label : plan.output) shape.push_back(plan.sizes[label]);
  detail::require_output(kEinsum, y, shape, inputs[0]->dtype(), {});
  if (einsum_as_matmul(plan, inputs, y)) return;
  einsum_reference(equation, inputs, y);
}

void einsum_reference(const std::string& equation, const std::vector<const Tensor*>& inputs,
                      Tensor& y) {
  const Plan plan = make_plan(equation, inputs);
  Shape shape;
  for (int label : plan.output) shape.push_back(plan.sizes[label]);
  detail::require_output(kEinsum, y, shape, inputs[0]->dtype(), {});
  switch (inputs[0]->dtype()) {
    case DType::Float32:
      return einsum_typed<float, double>(plan, inputs, y);
    case DType::Float64:
      return einsum_typed<double, double>(plan, inputs, y);
    case DType::Int32:
      return einsum_typed<int32_t, int64_t>(plan, inputs, y);
    case DType::Int64:
      return einsum_typed<int64_t, int64_t>(plan, inputs, y);
    default:
      fail(ErrorCode::InvalidArgument, "{}: input 0 {} must be float32, float64, int32 or int64",
           kEinsum, inputs[0]->describe());
  }
}

}  // namespace flowonnx::kernels
