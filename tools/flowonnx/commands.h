// One function per subcommand file; main.cc wires them into one CLI11 app.
#pragma once

#include <CLI/CLI.hpp>

namespace flowonnx::cli {

void add_models_command(CLI::App& app);
void add_init_command(CLI::App& app);
void add_infer_command(CLI::App& app);
void add_export_command(CLI::App& app);

}  // namespace flowonnx::cli
