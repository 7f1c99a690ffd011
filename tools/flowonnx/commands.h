// One function per subcommand file; main.cc wires them into one CLI11 app.
#pragma once

#include <CLI/CLI.hpp>

#include <stdexcept>

namespace flowonnx::cli {

void add_models_command(CLI::App& app);
void add_ops_command(CLI::App& app);
void add_init_command(CLI::App& app);
void add_infer_command(CLI::App& app);
void add_export_command(CLI::App& app);
void add_simplify_command(CLI::App& app);
void add_optimize_command(CLI::App& app);
void add_bench_command(CLI::App& app);
void add_classify_command(CLI::App& app);
void add_demo_command(CLI::App& app);
void add_run_command(CLI::App& app);
void add_info_command(CLI::App& app);
void add_serve_command(CLI::App& app);

// Thrown by a subcommand whose numerical check failed after it printed the report; main() prints
// the one-line verdict (what()) and exits with 3.
class CheckFailed : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace flowonnx::cli
