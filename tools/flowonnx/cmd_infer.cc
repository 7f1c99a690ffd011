// flowonnx infer: eager forward pass of a zoo model on a .npy input (or a seeded random one),
// printing the output and its top-k classes, optionally saving the output as .npy.
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
#include "tensor/npy.h"
#include "tensor/random.h"

namespace flowonnx::cli {
namespace {

struct InferOptions {
  std::string model, weights, input, output, input_shape;
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
  if (options.threads > 0) kernels::set_num_threads(options.threads);
  const models::ModelInfo& info = models::find_model(options.model);
  auto model = models::create_seeded_model(options.model, options.seed);
  if (!options.weights.empty()) {
    model->load_state_dict(load(options.weights));
  } else {
    fmt::print(stderr, "note: no --weights given; using seeded random weights (seed {})\n", options.seed);
  }
  model->eval();

  Tensor input;
  if (!options.input.empty()) {
    input = read_npy(options.input);
    if (input.dtype() != info.input_dtype) input = input.to(info.input_dtype);
  } else {
    Shape shape = options.input_shape.empty() ? info.input_shape : parse_shape(options.input_shape);
    Generator gen(options.seed);
    input = models::sample_input(info, shape, gen);  // token ids for text models
  }

  auto start = std::chrono::steady_clock::now();
  Tensor output = model->forward(input);
  double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  fmt::print("{}: input {} -> output {} in {:.1f} ms\n", options.model, input.describe(),
             output.describe(), ms);
  if (output.rank() == 2) {
    auto best = top_k(output, options.top);
    for (size_t row = 0; row < best.size(); ++row)
      fmt::print("top-{} [{}]: {}\n", options.top, row, fmt::join(best[row], " "));
  }
  if (!options.output.empty()) {
    write_npy(options.output, output);
    fmt::print("wrote {}\n", options.output);
  }
}

}  // namespace

void add_infer_command(CLI::App& app) {
  CLI::App* cmd = app.add_subcommand("infer", "Eager forward pass of a zoo model");
  auto options = std::make_shared<InferOptions>();
  cmd->add_option("--model", options->model, "Model name (see `flowonnx models`)")->required();
  cmd->add_option("--weights", options->weights, "Checkpoint: OneFlow folder, PyTorch .pth/.pt or .safetensors (default: seeded weights)");
  cmd->add_option("--seed", options->seed, "Seed for weights (without --weights) and the random input")
      ->capture_default_str();
  cmd->add_option("--input", options->input, "Input .npy (default: seeded random input of --input-shape)");
  cmd->add_option("--input-shape", options->input_shape, "Shape of the random input, e.g. 1,3,224,224");
  cmd->add_option("--output", options->output, "Write the output to this .npy");
  add_threads_option(cmd, &options->threads);
  cmd->add_option("--top", options->top, "How many top classes to print")->capture_default_str()->check(CLI::PositiveNumber);
  cmd->callback([options] { run_infer(*options); });
}

}  // namespace flowonnx::cli
