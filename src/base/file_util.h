// File helpers shared by every reader and writer: whole-file reads with clear IoErrors, and atomic
// writes (temporary file in the target folder, then rename) so a failure never leaves half a file.
#pragma once

#include <filesystem>
#include <functional>
#include <iosfwd>
#include <string>
#include <vector>

namespace flowonnx {

// Reads the whole file; throws IoError naming the path when it is missing or unreadable.
std::string read_file(const std::filesystem::path& path);

// Writes by calling `write` on a stream for a temporary file next to `path`, then renames it over
// `path`. If `write` throws, the temporary file is removed and `path` is untouched.
void write_file_atomically(const std::filesystem::path& path,
                           const std::function<void(std::ostream&)>& write);

// `<dir>/<name>` for the folder of the running executable, the working directory and up to five
// parents of each, in that order: where a build tree or an installed binary finds the project's
// data/ or .venv/ without being told.
std::vector<std::filesystem::path> nearby_paths_named(const std::string& name);

}  // namespace flowonnx
