#include "cli_rules.h"

#include <fmt/format.h>

#include <cstdio>

namespace flowonnx::cli {

CLI::Validator at_least(double minimum) {
  return CLI::Validator(
      [minimum](std::string& text) -> std::string {
        double value = 0;
        if (!CLI::detail::lexical_cast(text, value)) return fmt::format("'{}' is not a number", text);
        if (value < minimum) return fmt::format("must be >= {}, got {}", minimum, text);
        return "";
      },
      fmt::format(">= {}", minimum));
}

CLI::Option* add_threads_option(CLI::App* cmd, int* threads) {
  return cmd->add_option("--threads", *threads, "Threads for the CPU kernels (0: every core)")
      ->check(at_least(0));
}

int report_parse_error(const CLI::App& app, const CLI::ParseError& error, int argc, char** argv) {
  if (error.get_exit_code() == 0) return app.exit(error);  // --help, --version
  std::string message = error.what();
  if (dynamic_cast<const CLI::RequiredError*>(&error) && argc > 1 && argv[1][0] != '-' &&
      app.get_subcommands().empty())
    message = fmt::format("unknown subcommand '{}'", argv[1]);
  std::fprintf(stderr, "error: %s\nRun with --help for more information.\n", message.c_str());
  return 2;
}

}  // namespace flowonnx::cli
