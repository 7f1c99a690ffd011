// flowonnx infer: eager forward pass of a zoo model on a tensor file (or a seeded random input),
// printing the output and its top-k classes, optionally saving the output. Input files follow the
// same rule as `run` (read_inputs): the one input is named "input", and a file of another dtype
// is refused, not cast.
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <chrono>
#include <numeric>

#include "cli_rules.h"
#include "commands.h"
#include "flow/checkpoint.h"
#include "kernels/cpu/threading.h"
#include "models/zoo.h"
#include "output_paths.h"
#include "tensor/random.h"
#include "tensor_files.h"

namespace flowonnx::cli {
namespace {

struct InferOptions {
  std::string model, weights, output, input_shape;
  std::vector<std::string> inputs;  // [input=]FILE: at most one, as the zoo models take one input
  uint64_t seed = 0;
  int threads = 0;
  int top = 5;
};

// Indices of the k largest values of each row of a [N, C] tensor, largest first.
std::vector<std::vector<int64_t>> top_k(const Tensor& logits, int k) {
  std::vector<double> values = logits.to_double_vector();
  int64_t rows = logits.dim(0), cols = logits.num_elements() / std::max<int64_t>(rows, 1);
  std::vector<std::vector<int64_t>> result;
  for (int64_t r = 0; r < rows; ++r) {
    std::vector<int64_t> index(cols);
    std::iota(index.begin(), index.end(), 0);
    int64_t take = std::min<int64_t>(k, cols);
    std::partial_sort(index.begin(), index.begin() + take, index.end(), [&](int64_t a, int64_t b) {
      return values[r * cols + a] > values[r * cols + b];
    });
    index.resize(take);
    result.push_back(index);
  }
  return result;
}

void run_infer(const InferOptions& options) {
  if (!options.output.empty()) {
    check_output_path("--output", options.output, OutputKind::kFile);
    check_tensor_file_name("--output", options.output);
  }
  if (options.threads > 0) kernels::set_num_threads(options.threads);
  const models::ModelInfo& info = models::find_model(options.model);
  Tensor input;  // read first: a bad file is reported before the model is built
  if (!options.inputs.empty()) {
    const int rank = static_cast<int>(info.input_shape.size());
    input = read_inputs(options.inputs, {{"input", info.input_dtype, rank}}).at("input");
  } else {
    Shape shape = options.input_shape.empty() ? info.input_shape : parse_shape(options.input_shape);
    Generator gen(options.seed);
    input = models::sample_input(info, shape, gen);  // token ids for text models
  }
  auto model = models::create_seeded_model(options.model, options.seed);
  if (!options.weights.empty()) {
    model->load_state_dict(load(options.weights));
  } else {
    fmt::print(stderr, "note: no --weights given; using seeded random weights (seed {})\n",
               options.seed);
  }
  model->eval();

  auto start = std::chrono::steady_clock::now();
  Tensor output = model->forward(input);
  double ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  fmt::print("{}: input {} -> output {} in {:.1f} ms\n", options.model, input.describe(),
             output.describe(), ms);
  if (output.rank() == 2) {
    auto best = top_k(output, options.top);
    for (size_t row = 0; row < best.size(); ++row)
      fmt::print("top-{} [{}]: {}\n", options.top, row, fmt::join(best[row], " "));
  }
  if (!options.output.empty()) {
    write_tensor_file(options.output, output);
    fmt::print("wrote {}\n", options.output);
  }
}

}  // namespace

void add_infer_command(CLI::App& app) {
  CLI::App* cmd = app.add_subcommand("infer", "Eager forward pass of a zoo model");
  auto options = std::make_shared<InferOptions>();
  cmd->add_option("--model", options->model, "Model name (see `flowonnx models`)")->required();
  cmd->add_option("--weights", options->weights,
                  "Checkpoint: OneFlow folder, PyTorch .pth/.pt or .safetensors "
                  "(default: seeded weights)");
  cmd->add_option("--seed", options->seed,
                  "Seed for weights (without --weights) and the random input")
      ->capture_default_str();
  CLI::Option* input = cmd->add_option(
      "--input", options->inputs,
      "[input=]FILE (.npy or .pb) of the model's dtype (default: a seeded random input)");
  cmd->add_option("--input-shape", options->input_shape,
                  "Shape of the random input, e.g. 1,3,224,224")
      ->excludes(input);
  cmd->add_option("--output", options->output, "Write the output to this .npy or .pb");
  add_threads_option(cmd, &options->threads);
  cmd->add_option("--top", options->top, "How many top classes to print")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  cmd->callback([options] { run_infer(*options); });
}

}  // namespace flowonnx::cli
