// flowonnx models: list the model zoo.
#include <fmt/format.h>

#include "commands.h"
#include "models/zoo.h"

namespace flowonnx::cli {

void add_models_command(CLI::App& app) {
  CLI::App* cmd = app.add_subcommand("models", "List the model zoo");
  cmd->callback([] {
    for (const models::ModelInfo& info : models::model_zoo())
      fmt::print("{:<18} input {:<7} {:<16} {}\n", info.name, dtype_name(info.input_dtype),
                 shape_to_string(info.input_shape), info.description);
  });
}

}  // namespace flowonnx::cli
