// flowonnx: the command-line front end. Exit codes (DESIGN.md §5): 0 success, 1 error,
// 2 usage error, 3 numerical check failed. Errors go to stderr as "error: ...".
#include <csignal>
#include <cstdio>
#include <exception>

#include "base/error.h"
#include "base/temporary_path.h"
#include "cli_rules.h"
#include "commands.h"

int main(int argc, char** argv) {
  // Before any thread starts: SIGINT/SIGTERM/SIGHUP then remove every writer's temporary files.
  flowonnx::remove_temporaries_on_signals();
  // Over a file-size limit (ulimit -f) the kernel would kill us with SIGXFSZ mid-write, leaving the
  // temporary file behind; ignored, the write fails with EFBIG and the atomic writer cleans up.
  std::signal(SIGXFSZ, SIG_IGN);
  CLI::App app{"flowonnx: build models, export them to ONNX, check, simplify and run them"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "flowonnx 0.1.0");
  flowonnx::cli::add_models_command(app);
  flowonnx::cli::add_ops_command(app);
  flowonnx::cli::add_init_command(app);
  flowonnx::cli::add_infer_command(app);
  flowonnx::cli::add_export_command(app);
  flowonnx::cli::add_simplify_command(app);
  flowonnx::cli::add_optimize_command(app);
  flowonnx::cli::add_bench_command(app);
  flowonnx::cli::add_classify_command(app);
  flowonnx::cli::add_demo_command(app);
  flowonnx::cli::add_run_command(app);
  flowonnx::cli::add_info_command(app);
  flowonnx::cli::add_serve_command(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return flowonnx::cli::report_parse_error(app, e, argc, argv);
  } catch (const flowonnx::cli::CheckFailed& e) {
    std::fprintf(stderr, "%s\n", e.what());
    return 3;
  } catch (const flowonnx::Error& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return 1;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return 1;
  }
  return 0;
}
