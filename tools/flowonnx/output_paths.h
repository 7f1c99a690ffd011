// The one rule for every path a subcommand writes (docs/cli.md, "Output paths"): the folder that
// will hold the output must already exist; a writer creates only what its option names (the file,
// or the folder of `init -o`, `export -o DIR`, `demo --work-dir`, `run --save-inputs`), never the
// folders above it. So a typo cannot scatter folders, and a refused command leaves nothing behind.
// Checked before any work starts, so `export` fails in milliseconds rather than after compiling.
#pragma once

#include <filesystem>
#include <string>

namespace flowonnx::cli {

enum class OutputKind { kFile, kFolder };

// Refuses (Error InvalidArgument, exit 1) with a message that starts with `option` and the path:
// an empty path, a parent folder that does not exist ("folder no/such does not exist"), a parent
// that is a file ("x.npy is a file, not a folder"), and a target of the other kind ("is a folder,
// not a file" / "is a file, not a folder").
void check_output_path(const std::string& option, const std::filesystem::path& path,
                       OutputKind kind);

// check_output_path(kFolder), then creates the folder when it is missing.
void create_output_folder(const std::string& option, const std::filesystem::path& path);

// What `export -o PATH` writes: PATH itself when it ends in ".onnx", else PATH/model.onnx in the
// folder PATH (created by the export). A name with another extension that is not an existing
// folder ("weird.txt") is refused rather than guessed: end it with "/" to mean a folder.
std::filesystem::path export_model_path(const std::string& option, const std::string& path);

}  // namespace flowonnx::cli
