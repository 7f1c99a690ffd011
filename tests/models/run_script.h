// Runs a helper script of the model tests (Debian's python3 with torch, or the .venv's python)
// through the shell and fails loudly: the script's own output comes with the error.
#pragma once

#include <cstdio>
#include <stdexcept>
#include <string>

namespace flowonnx::testing {

// Runs `command` (stderr folded into stdout); throws "<what> failed: <command>\n<output>" when
// it exits non-zero.
inline void run_script(const std::string& command, const std::string& what) {
  const std::string shell = command + " 2>&1";
  FILE* pipe = ::popen(shell.c_str(), "r");
  if (!pipe) throw std::runtime_error("cannot run " + command);
  std::string log;
  char buffer[4096];
  while (size_t n = std::fread(buffer, 1, sizeof buffer, pipe)) log.append(buffer, n);
  if (::pclose(pipe) != 0) throw std::runtime_error(what + " failed: " + command + "\n" + log);
}

}  // namespace flowonnx::testing
