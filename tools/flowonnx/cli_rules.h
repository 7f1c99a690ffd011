// The CLI's rule book (docs/cli.md) in one place: how parse errors are reported (an `error:` line,
// exit 2), numeric limits written as people write them ("must be >= 1, got 0", never CLI11's
// 300-digit ranges), and the options every computing subcommand shares (--threads).
#pragma once

#include <CLI/CLI.hpp>

#include <string>

namespace flowonnx::cli {

// A number option's lower bound: "--runs must be >= 1, got 0" (a usage error, exit 2).
CLI::Validator at_least(double minimum);

// --threads N (N >= 0; 0 = every core) on a subcommand that computes.
CLI::Option* add_threads_option(CLI::App* cmd, int* threads);

// Prints a parse error as "error: ..." (plus where to find help) and returns the exit code: 0 for
// --help and --version, else 2. Names an unknown subcommand instead of CLI11's "A subcommand is
// required".
int report_parse_error(const CLI::App& app, const CLI::ParseError& error, int argc, char** argv);

}  // namespace flowonnx::cli
