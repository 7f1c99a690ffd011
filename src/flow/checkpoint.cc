// Format detection and the two folder layouts. Policies (see also checkpoint.h):
//  - a folder with `pickled_data` is the pickle layout; anything else is the legacy layout;
//  - legacy: OneFlow's loader requires `snapshot_done`; we accept its absence (with a warning)
//    when tensor folders are found, since copies and archives sometimes lose the empty marker,
//    and refuse a folder with neither marker nor tensors as "not a OneFlow checkpoint";
//  - legacy: a sub-folder holding `out` or `meta` is a tensor (both files are then required);
//    any other sub-folder is a nested dict whose name joins the key with '.'; names starting
//    with '.' (editor and temporary folders) are skipped;
//  - save refuses to replace an existing folder unless it is empty or a checkpoint itself.
#include "flow/checkpoint.h"

#include <algorithm>
#include <random>
#include <set>
#include <system_error>
#include <vector>

#include "base/error.h"
#include "base/file_util.h"
#include "base/logging.h"
#include "base/temporary_path.h"
#include "flow/checkpoint/pickle_layout.h"
#include "flow/checkpoint/safetensors.h"
#include "flow/checkpoint/tensor_folder.h"
#include "flow/checkpoint/torch_checkpoint.h"
#include "flow/checkpoint/zip_archive.h"

namespace flowonnx {
namespace fs = std::filesystem;
namespace {

constexpr const char* kSnapshotDone = "snapshot_done";
constexpr const char* kPickledData = "pickled_data";
constexpr int kMaxFolderDepth = 32;  // nested dicts; also stops symlink loops

bool path_exists(const fs::path& path) {
  std::error_code ec;
  return fs::exists(path, ec);
}

StateDict load_pickle_layout(const fs::path& folder) {
  fs::path pickle_path = folder / kPickledData;
  std::map<std::string, std::string> paths =
      checkpoint::read_pickled_tensor_paths(read_file(pickle_path), pickle_path.string());
  StateDict state_dict;
  for (const auto& [key, relative] : paths) {
    fs::path tensor_folder = checkpoint::resolve_inside(folder, relative, key);
    state_dict.emplace(key, checkpoint::read_tensor_folder(folder, tensor_folder, key));
  }
  return state_dict;
}

// `visited` holds the real path of every folder walked, so symlinks cannot make the walk loop or
// blow up (two links to the parent would otherwise mean 2^depth visits).
void load_legacy_folder(const fs::path& root, const fs::path& folder, const std::string& prefix,
                        int depth, std::set<fs::path>& visited, StateDict& state_dict) {
  if (depth > kMaxFolderDepth)
    fail(ErrorCode::InvalidModel, "{}: folders nested deeper than {} levels", folder.string(),
         kMaxFolderDepth);
  std::error_code ec;
  if (!visited.insert(fs::weakly_canonical(folder, ec)).second)
    fail(ErrorCode::InvalidModel, "{}: folder reached twice through symbolic links",
         folder.string());
  std::vector<fs::path> children;
  for (fs::directory_iterator it(folder, ec), end; !ec && it != end; it.increment(ec))
    if (std::error_code entry_ec; it->is_directory(entry_ec)) children.push_back(it->path());
  if (ec) fail(ErrorCode::IoError, "{}: cannot list folder: {}", folder.string(), ec.message());
  std::sort(children.begin(), children.end());
  for (const fs::path& child : children) {
    std::string name = child.filename().string();
    if (name.empty() || name[0] == '.') continue;
    std::string key = prefix.empty() ? name : prefix + "." + name;
    if (path_exists(child / "out") || path_exists(child / "meta")) {
      if (state_dict.count(key))
        fail(ErrorCode::InvalidModel, "{}: two tensors flatten to the key '{}'", child.string(),
             key);
      state_dict.emplace(key, checkpoint::read_tensor_folder(root, child, key));
    } else {
      load_legacy_folder(root, child, key, depth + 1, visited, state_dict);
    }
  }
}

StateDict load_legacy_layout(const fs::path& folder) {
  StateDict state_dict;
  std::set<fs::path> visited;
  load_legacy_folder(folder, folder, "", 0, visited, state_dict);
  if (!path_exists(folder / kSnapshotDone)) {
    if (state_dict.empty())
      fail(ErrorCode::InvalidModel,
           "{}: not a OneFlow checkpoint: no pickled_data, no snapshot_done and no <key>/out "
           "tensor folders",
           folder.string());
    log_warning("{}: no snapshot_done marker; loading the {} tensor folders found anyway",
                folder.string(), state_dict.size());
  }
  return state_dict;
}

void validate_for_save(const StateDict& state_dict) {
  for (const auto& [key, tensor] : state_dict) {
    FLOWONNX_REQUIRE(!key.empty() && key != "." && key != "..", "save: invalid key '{}'", key);
    FLOWONNX_REQUIRE(key.find('/') == std::string::npos && key.find('\\') == std::string::npos,
                     "save: key '{}' contains a path separator", key);
    FLOWONNX_REQUIRE(key[0] != '.', "save: key '{}' starts with '.', which loaders skip", key);
    FLOWONNX_REQUIRE(key != kSnapshotDone && key != kPickledData,
                     "save: key '{}' collides with a checkpoint marker file", key);
    FLOWONNX_REQUIRE(std::none_of(key.begin(), key.end(),
                                  [](char c) { return static_cast<unsigned char>(c) < 0x20; }),
                     "save: key '{}' contains a control character", key);
    FLOWONNX_REQUIRE(tensor.defined(), "save: tensor '{}' is undefined", key);
  }
}

// An existing target may be replaced only when it is clearly ours to replace.
void check_replaceable(const fs::path& target) {
  std::error_code ec;
  if (!fs::exists(fs::symlink_status(target, ec))) return;
  if (!fs::is_directory(target, ec))
    fail(ErrorCode::IoError, "{}: exists and is not a folder; refusing to replace it",
         target.string());
  if (fs::is_empty(target, ec) || path_exists(target / kSnapshotDone) ||
      path_exists(target / kPickledData))
    return;
  fail(ErrorCode::IoError, "{}: exists and is not a OneFlow checkpoint; refusing to replace it",
       target.string());
}

fs::path sibling_name(const fs::path& target, std::string_view tag) {
  std::random_device entropy;
  return target.parent_path() /
         fmt::format(".{}.{}{:08x}", target.filename().string(), tag, entropy());
}

// nn.DataParallel / DistributedDataParallel save every key as "module.<key>".
StateDict strip_data_parallel_prefix(StateDict state_dict) {
  constexpr std::string_view kPrefix = "module.";
  for (const auto& [key, tensor] : state_dict)
    if (!key.starts_with(kPrefix)) return state_dict;
  StateDict stripped;
  for (auto& [key, tensor] : state_dict) stripped.emplace(key.substr(kPrefix.size()), tensor);
  return stripped;
}

// A checkpoint file: the format comes from its first bytes, never from its extension.
StateDict load_file(const fs::path& path) {
  const std::string bytes = read_file(path);
  const std::string source = path.string();
  if (checkpoint::is_zip(bytes) || checkpoint::is_torch_legacy(bytes))
    return strip_data_parallel_prefix(checkpoint::read_torch_checkpoint(bytes, source));
  if (checkpoint::is_safetensors(bytes))
    return strip_data_parallel_prefix(checkpoint::read_safetensors(bytes, source));
  fail(ErrorCode::InvalidModel,
       "{}: not a checkpoint file flowonnx reads (a PyTorch torch.save file, zip or legacy, or "
       ".safetensors; its first bytes match none); OneFlow checkpoints are folders",
       source);
}

}  // namespace

StateDict load(const fs::path& folder) {
  std::error_code ec;
  if (!fs::exists(folder, ec))
    fail(ErrorCode::IoError, "{}: checkpoint folder does not exist", folder.string());
  if (!fs::is_directory(folder, ec)) return load_file(folder);
  if (path_exists(folder / kPickledData)) return load_pickle_layout(folder);
  return load_legacy_layout(folder);
}

void save(const StateDict& state_dict, const fs::path& folder) {
  validate_for_save(state_dict);
  fs::path target = folder.lexically_normal();
  if (target.filename().empty()) target = target.parent_path();  // "ckpt/" -> "ckpt"
  if (target.empty() || target.filename() == "." || target.filename() == "..")
    fail(ErrorCode::InvalidArgument, "save: '{}' does not name a folder to create",
         folder.string());
  if (!target.has_parent_path()) target = fs::path(".") / target;
  std::error_code ec;
  if (!fs::is_directory(target.parent_path(), ec))
    fail(ErrorCode::IoError, "{}: parent folder {} does not exist", target.string(),
         target.parent_path().string());
  check_replaceable(target);

  TemporaryPath temporary_guard(sibling_name(target, "tmp"));
  const fs::path& temporary = temporary_guard.path();
  if (!fs::create_directory(temporary, ec) || ec)
    fail(ErrorCode::IoError, "{}: cannot create temporary folder {}: {}", target.string(),
         temporary.string(), ec.message());
  for (const auto& [key, tensor] : state_dict) {
    fs::path tensor_folder = temporary / key;
    if (!fs::create_directory(tensor_folder, ec) || ec)
      fail(ErrorCode::IoError, "{}: cannot create folder: {}", tensor_folder.string(),
           ec.message());
    checkpoint::write_tensor_folder(tensor_folder, tensor);
  }
  write_file_atomically(temporary / kSnapshotDone, [](std::ostream&) {});  // written last

  if (!fs::exists(fs::symlink_status(target, ec))) {
    fs::rename(temporary, target, ec);
    if (ec)
      fail(ErrorCode::IoError, "{}: cannot move the new checkpoint in place: {}", target.string(),
           ec.message());
    temporary_guard.release();
    return;
  }
  fs::path old = sibling_name(target, "old");
  fs::rename(target, old, ec);
  if (ec)
    fail(ErrorCode::IoError, "{}: cannot move the old checkpoint aside: {}", target.string(),
         ec.message());
  fs::rename(temporary, target, ec);
  if (ec) {
    std::error_code restore_ec;
    fs::rename(old, target, restore_ec);
    fail(ErrorCode::IoError, "{}: cannot move the new checkpoint in place: {}", target.string(),
         ec.message());
  }
  temporary_guard.release();
  fs::remove_all(old, ec);
  if (ec)
    log_warning("{}: could not delete the previous checkpoint at {}: {}", target.string(),
                old.string(), ec.message());
}

}  // namespace flowonnx
