// Text featurisation: TfIdfVectorizer over integer token ids (kernels/cpu/tfidf.h). String
// tokens (pool_strings) need a string element type, which tensors do not have.
#include "kernels/cpu/tfidf.h"
#include "runtime/providers/cpu/cpu_kernels.h"

namespace flowonnx::runtime::cpu {

namespace {

ComputeFn make_tfidf(const KernelInit& init) {
  if (init.has_attr("pool_strings")) init.fail_model("pool_strings (string tokens) is not supported");
  const std::string mode_name = init.attr_string("mode", "");
  kernels::TfIdfMode mode = kernels::TfIdfMode::TF;
  if (mode_name == "IDF") mode = kernels::TfIdfMode::IDF;
  else if (mode_name == "TFIDF") mode = kernels::TfIdfMode::TFIDF;
  else if (mode_name != "TF") init.fail_model("mode must be TF, IDF or TFIDF, got '" + mode_name + "'");
  std::vector<float> weights;
  for (double w : init.attr_floats("weights")) weights.push_back(static_cast<float>(w));
  kernels::TfIdfParams params;
  try {
    params = kernels::make_tfidf_params(init.attr_int("min_gram_length", 1), init.attr_int("max_gram_length", 1),
                                        init.attr_int("max_skip_count", 0), mode, init.attr_ints("ngram_counts"),
                                        init.attr_ints("ngram_indexes"), init.attr_ints("pool_int64s"), weights);
  } catch (const Error& error) {
    init.fail_model(error.what());
  }
  return [params](KernelContext& ctx) {
    const Tensor& x = ctx.input(0);
    Shape out = x.rank() == 2 ? Shape{x.shape()[0], params.columns} : Shape{params.columns};
    kernels::tfidf_vectorize(x, params, ctx.allocate_output(0, out, DType::Float32));
  };
}

}  // namespace

void register_text_kernels(KernelRegistry& r) {
  r.add("", "TfIdfVectorizer", make_tfidf, rules::dtype_only(DType::Float32));
}

}  // namespace flowonnx::runtime::cpu
