// Numeric ops of the ai.onnx.ml domain, following the ONNX reference:
//   ArrayFeatureExtractor(X, Y): X[..., Y] with the indices flattened (a 1-D X gives [1, k]).
//   Binarizer(X): 1 where X > threshold, else 0, in X's dtype.
//   TreeEnsemble (ai.onnx.ml 5): trees of comparison nodes (<=, <, >=, >, ==, !=, set
//     membership; NaN goes where nodes_missing_value_tracks_true says) whose leaves add a weight
//     to one target; weights aggregate by average, sum, min or max, then post_transform as the
//     ONNX spec numbers it (1 SOFTMAX, 2 LOGISTIC, 3 SOFTMAX_ZERO; ONNX Runtime 1.31 swaps 1 and
//     2 and skips them for a single target, the reference ignores the attribute; PROBIT is
//     refused).
// String inputs (LabelEncoder, the string ArrayFeatureExtractor) are not supported: the runtime's
// tensors hold fixed-size elements only.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <memory>

#include "runtime/providers/cpu/cpu_kernels.h"

namespace flowonnx::runtime::cpu {

namespace {

constexpr const char* kMlDomain = "ai.onnx.ml";

ComputeFn make_array_feature_extractor(const KernelInit&) {
  return [](KernelContext& ctx) {
    const Tensor& x = ctx.input(0);
    std::vector<int64_t> index = tensor_to_int64s(ctx.input(1).reshape({-1}),
                                                  "ArrayFeatureExtractor input 1 (Y)");
    FLOWONNX_REQUIRE(x.rank() >= 1, "ArrayFeatureExtractor: input 0 (X) {} must have a rank",
                     x.describe());
    const int64_t last = x.shape().back();
    for (int64_t i : index)
      FLOWONNX_REQUIRE(i >= 0 && i < last,
                       "ArrayFeatureExtractor: input 1 (Y) index {} is outside [0, {}) of X {}", i,
                       last, x.describe());
    Shape out = x.rank() == 1 ? Shape{1} : Shape(x.shape().begin(), x.shape().end() - 1);
    out.push_back(static_cast<int64_t>(index.size()));
    Tensor& y = ctx.allocate_output(0, out, x.dtype());
    const size_t element = dtype_size(x.dtype());
    const int64_t rows = last == 0 ? 0 : x.num_elements() / last;
    const char* in = static_cast<const char*>(x.raw_data());
    char* o = static_cast<char*>(y.raw_data());
    for (int64_t r = 0; r < rows; ++r)
      for (size_t k = 0; k < index.size(); ++k, o += element)
        std::memcpy(o, in + (r * last + index[k]) * element, element);
  };
}

ComputeFn make_binarizer(const KernelInit& init) {
  const double threshold = init.attr_float("threshold", 0.0);
  return [threshold](KernelContext& ctx) {
    const Tensor& x = ctx.input(0);
    FLOWONNX_REQUIRE(x.dtype() == DType::Float32 || x.dtype() == DType::Float64 ||
                         x.dtype() == DType::Int32 || x.dtype() == DType::Int64,
                     "Binarizer: input 0 (X) must be float, double, int32 or int64, got {}",
                     x.describe());
    std::vector<double> values = x.to_double_vector();
    for (double& v : values) v = v > threshold ? 1.0 : 0.0;
    ctx.allocate_output(0, x.shape(), x.dtype())
        .copy_from(Tensor::from_vector<double>(x.shape(), values));
  };
}

// ---- TreeEnsemble ----

enum class Compare { Leq, Lt, Gte, Gt, Eq, Neq, Member };
enum class Aggregate { Average, Sum, Min, Max };
enum class PostTransform { None, Softmax, Logistic, SoftmaxZero, Probit };

struct TreeNode {
  Compare mode;
  double split;
  std::vector<double> members;  // Member only
  int64_t feature;
  bool missing_true;
  int64_t next[2];  // false, true: a node or a leaf index
  bool leaf[2];
};

struct Forest {
  std::vector<TreeNode> nodes;
  std::vector<double> leaf_weights;
  std::vector<int64_t> leaf_targets;
  std::vector<std::pair<int64_t, bool>> roots;  // index, is a leaf
  int64_t targets = 0;
  Aggregate aggregate = Aggregate::Sum;
  PostTransform post = PostTransform::None;
};

bool goes_true(const TreeNode& n, double x) {
  if (std::isnan(x) && n.missing_true) return true;
  switch (n.mode) {
    case Compare::Leq: return x <= n.split;
    case Compare::Lt: return x < n.split;
    case Compare::Gte: return x >= n.split;
    case Compare::Gt: return x > n.split;
    case Compare::Eq: return x == n.split;
    case Compare::Neq: return x != n.split;
    case Compare::Member:
      return std::find(n.members.begin(), n.members.end(), x) != n.members.end();
  }
  return false;
}

std::vector<double> tensor_doubles(const KernelInit& init, const std::string& name) {
  Tensor t = init.attr_tensor(name);
  if (!t.defined()) init.fail_model("needs the tensor attribute " + name);
  return t.to_double_vector();
}

Forest parse_forest(const KernelInit& init) {
  Forest f;
  const std::vector<double> splits = tensor_doubles(init, "nodes_splits");
  const std::vector<double> modes = tensor_doubles(init, "nodes_modes");
  const std::vector<int64_t> features = init.attr_ints("nodes_featureids");
  const std::vector<int64_t> true_ids = init.attr_ints("nodes_truenodeids");
  const std::vector<int64_t> false_ids = init.attr_ints("nodes_falsenodeids");
  const std::vector<int64_t> true_leafs = init.attr_ints("nodes_trueleafs");
  const std::vector<int64_t> false_leafs = init.attr_ints("nodes_falseleafs");
  const std::vector<int64_t> missing = init.attr_ints("nodes_missing_value_tracks_true");
  f.leaf_weights = tensor_doubles(init, "leaf_weights");
  f.leaf_targets = init.attr_ints("leaf_targetids");
  f.targets = init.attr_int("n_targets", 0);
  const size_t count = splits.size();
  if (modes.size() != count || features.size() != count || true_ids.size() != count ||
      false_ids.size() != count || true_leafs.size() != count || false_leafs.size() != count ||
      (!missing.empty() && missing.size() != count))
    init.fail_model("the nodes_* attributes must all have one value per node");
  if (f.leaf_targets.size() != f.leaf_weights.size())
    init.fail_model("leaf_targetids and leaf_weights differ in length");
  if (f.targets <= 0) init.fail_model("n_targets must be positive");
  for (int64_t t : f.leaf_targets)
    if (t < 0 || t >= f.targets) init.fail_model("leaf_targetids holds a target outside n_targets");
  std::vector<double> membership;
  if (init.has_attr("membership_values")) membership = tensor_doubles(init, "membership_values");
  size_t member_at = 0;
  for (size_t i = 0; i < count; ++i) {
    TreeNode n;
    const int64_t mode = static_cast<int64_t>(modes[i]);
    if (mode < 0 || mode > 6) init.fail_model("nodes_modes holds an unknown mode");
    n.mode = static_cast<Compare>(mode);
    n.split = splits[i];
    n.feature = features[i];
    if (n.feature < 0) init.fail_model("nodes_featureids holds a negative feature");
    n.missing_true = !missing.empty() && missing[i] != 0;
    n.leaf[0] = false_leafs[i] != 0;
    n.leaf[1] = true_leafs[i] != 0;
    n.next[0] = false_ids[i];
    n.next[1] = true_ids[i];
    for (int b = 0; b < 2; ++b) {
      const size_t limit = n.leaf[b] ? f.leaf_weights.size() : count;
      if (n.next[b] < 0 || static_cast<size_t>(n.next[b]) >= limit)
        init.fail_model("a node's true/false child is outside the nodes or leaves");
    }
    if (n.mode == Compare::Member) {
      // Each set-membership node takes the next NaN-terminated run of membership_values.
      while (member_at < membership.size() && !std::isnan(membership[member_at]))
        n.members.push_back(membership[member_at++]);
      if (member_at >= membership.size())
        init.fail_model("membership_values has fewer NaN-terminated sets than member nodes");
      ++member_at;
    }
    f.nodes.push_back(std::move(n));
  }
  for (int64_t root : init.attr_ints("tree_roots")) {
    if (root < 0 || static_cast<size_t>(root) >= count)
      init.fail_model("tree_roots holds a node outside the nodes");
    const TreeNode& n = f.nodes[root];
    // A tree that is a single leaf: both branches name the same leaf.
    const bool is_leaf = n.leaf[0] && n.leaf[1] && n.next[0] == n.next[1];
    f.roots.push_back({is_leaf ? n.next[0] : root, is_leaf});
  }
  const int64_t aggregate = init.attr_int("aggregate_function", 1);
  if (aggregate < 0 || aggregate > 3) init.fail_model("aggregate_function must be 0..3");
  f.aggregate = static_cast<Aggregate>(aggregate);
  const int64_t post = init.attr_int("post_transform", 0);
  if (post < 0 || post > 3)
    init.fail_model("post_transform must be NONE, SOFTMAX, LOGISTIC or SOFTMAX_ZERO (0..3)");
  f.post = static_cast<PostTransform>(post);
  return f;
}

void post_transform(PostTransform post, double* row, int64_t n) {
  if (post == PostTransform::Logistic) {
    for (int64_t i = 0; i < n; ++i) row[i] = 1.0 / (1.0 + std::exp(-row[i]));
  } else if (post == PostTransform::Softmax || post == PostTransform::SoftmaxZero) {
    // SOFTMAX_ZERO leaves exact zeros at zero and normalises the rest.
    const bool keep_zero = post == PostTransform::SoftmaxZero;
    double top = -std::numeric_limits<double>::infinity();
    for (int64_t i = 0; i < n; ++i)
      if (!keep_zero || row[i] != 0) top = std::max(top, row[i]);
    double sum = 0;
    for (int64_t i = 0; i < n; ++i) {
      row[i] = keep_zero && row[i] == 0 ? 0.0 : std::exp(row[i] - top);
      sum += row[i];
    }
    // An all-zero row under SOFTMAX_ZERO is 0 / 0: NaN, as ONNX Runtime computes it.
    for (int64_t i = 0; i < n; ++i) row[i] /= sum;
  }
}

ComputeFn make_tree_ensemble(const KernelInit& init) {
  auto forest = std::make_shared<const Forest>(parse_forest(init));
  return [forest](KernelContext& ctx) {
    const Forest& f = *forest;
    const Tensor& x = ctx.input(0);
    FLOWONNX_REQUIRE((x.dtype() == DType::Float32 || x.dtype() == DType::Float64) && x.rank() == 2,
                     "TreeEnsemble: input 0 (X) must be float or double [N, F], got {}",
                     x.describe());
    const int64_t rows = x.shape()[0], features = x.shape()[1];
    for (const TreeNode& n : f.nodes)
      FLOWONNX_REQUIRE(n.feature < features,
                       "TreeEnsemble: a node reads feature {} of input 0 (X) {}", n.feature,
                       x.describe());
    const std::vector<double> in = x.to_double_vector();
    std::vector<double> out(static_cast<size_t>(rows * f.targets));
    std::vector<bool> reached(static_cast<size_t>(f.targets));
    for (int64_t r = 0; r < rows; ++r) {
      double* row = out.data() + r * f.targets;
      std::fill(row, row + f.targets, 0.0);
      std::fill(reached.begin(), reached.end(), false);
      for (const auto& [root, root_is_leaf] : f.roots) {
        int64_t at = root;
        bool is_leaf = root_is_leaf;
        size_t steps = 0;
        while (!is_leaf) {
          // A path visiting more nodes than there are has run into a cycle.
          FLOWONNX_REQUIRE(++steps <= f.nodes.size(),
                           "TreeEnsemble: the tree from root {} has a cycle", root);
          const TreeNode& n = f.nodes[at];
          const int branch = goes_true(n, in[r * features + n.feature]) ? 1 : 0;
          is_leaf = n.leaf[branch];
          at = n.next[branch];
        }
        const int64_t t = f.leaf_targets[at];
        const double weight = f.leaf_weights[at];
        // A target no leaf reaches stays 0 for every aggregate, as ONNX Runtime computes (the
        // ONNX reference leaves MIN / MAX at the float limits there).
        double& target = row[t];
        switch (f.aggregate) {
          case Aggregate::Sum: target += weight; break;
          case Aggregate::Average: target += weight / static_cast<double>(f.roots.size()); break;
          case Aggregate::Min: target = reached[t] ? std::min(target, weight) : weight; break;
          case Aggregate::Max: target = reached[t] ? std::max(target, weight) : weight; break;
        }
        reached[t] = true;
      }
      post_transform(f.post, row, f.targets);
    }
    ctx.allocate_output(0, {rows, f.targets}, x.dtype())
        .copy_from(Tensor::from_vector<double>({rows, f.targets}, out));
  };
}

}  // namespace

void register_ml_kernels(KernelRegistry& r) {
  r.add(kMlDomain, "ArrayFeatureExtractor", make_array_feature_extractor, rules::input_dtype_only());
  r.add(kMlDomain, "Binarizer", make_binarizer, rules::same_as_input());
  r.add(kMlDomain, "TreeEnsemble", make_tree_ensemble, rules::input_dtype_only());
}

}  // namespace flowonnx::runtime::cpu
