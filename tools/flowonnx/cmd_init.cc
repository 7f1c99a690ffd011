// flowonnx init: write a OneFlow checkpoint folder with seeded weights (our stand-in for
// downloading pretrained weights, which this project cannot do): FlowVision's initialisation
// with batch-norm statistics set like a trained net's.
#include <fmt/format.h>

#include "commands.h"
#include "flow/checkpoint.h"
#include "models/zoo.h"
#include "output_paths.h"

namespace flowonnx::cli {

void add_init_command(CLI::App& app) {
  CLI::App* cmd = app.add_subcommand("init", "Write a OneFlow checkpoint folder with seeded weights");
  struct Options {
    std::string model, output;
    uint64_t seed = 0;
  };
  auto options = std::make_shared<Options>();
  cmd->add_option("--model", options->model, "Model name (see `flowonnx models`)")->required();
  cmd->add_option("--seed", options->seed, "Seed of the weight initialisation")->capture_default_str();
  cmd->add_option("-o,--output", options->output, "Checkpoint folder to write")->required();
  cmd->callback([options] {
    check_output_path("-o", options->output, OutputKind::kFolder);
    auto model = models::create_seeded_model(options->model, options->seed);
    StateDict state = model->state_dict();
    size_t bytes = 0;
    for (const auto& [key, tensor] : state) bytes += tensor.nbytes();
    save(state, options->output);
    fmt::print("wrote {} tensors ({:.1f} MB) of {} (seed {}) to {}\n", state.size(), bytes / 1e6,
               options->model, options->seed, options->output);
  });
}

}  // namespace flowonnx::cli
