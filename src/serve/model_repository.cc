#include "serve/model_repository.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <set>

#include "base/error.h"
#include "base/logging.h"
#include "serve/model_config.h"
#include "serve/serve_error.h"

namespace flowonnx::serve {
namespace fs = std::filesystem;

namespace {

bool is_version_folder(const fs::directory_entry& entry) {
  const std::string name = entry.path().filename().string();
  return entry.is_directory() && !name.empty() && name.size() < 19 &&
         std::all_of(name.begin(), name.end(), [](unsigned char c) { return std::isdigit(c); });
}

SchedulerOptions scheduler_options(const inference::ModelConfig& config,
                                   const RepositoryOptions& defaults) {
  SchedulerOptions options;
  options.max_batch_size = config.max_batch_size();
  options.max_queue_size = defaults.max_queue_size;
  options.queue_timeout = defaults.queue_timeout;
  if (config.has_dynamic_batching()) {
    const inference::ModelDynamicBatching& batching = config.dynamic_batching();
    options.dynamic_batching = true;
    options.max_queue_delay = std::chrono::microseconds(batching.max_queue_delay_microseconds());
    options.preferred_batch_sizes.assign(batching.preferred_batch_size().begin(),
                                         batching.preferred_batch_size().end());
    if (batching.has_default_queue_policy()) {
      const inference::ModelQueuePolicy& policy = batching.default_queue_policy();
      if (policy.max_queue_size() > 0) options.max_queue_size = policy.max_queue_size();
      if (policy.default_timeout_microseconds() > 0)
        options.queue_timeout = std::chrono::microseconds(policy.default_timeout_microseconds());
    }
  }
  return options;
}

}  // namespace

const char* model_state_name(ModelState state) {
  switch (state) {
    case ModelState::kReady:
      return "READY";
    case ModelState::kLoading:
      return "LOADING";
    case ModelState::kUnavailable:
      return "UNAVAILABLE";
  }
  return "UNAVAILABLE";
}

ModelRepository::ModelRepository(fs::path root, RepositoryOptions options)
    : root_(std::move(root)), options_(options) {
  FLOWONNX_REQUIRE(fs::is_directory(root_), "model repository '{}' is not a folder",
                   root_.string());
}

ModelRepository::~ModelRepository() = default;

std::shared_ptr<const LoadedModel> ModelRepository::build(const std::string& name) const {
  const fs::path folder = root_ / name;
  if (!fs::is_directory(folder))
    serve_fail(kBadRequest, "no model folder '{}' in the repository '{}'", name, root_.string());
  const fs::path config_file = folder / "config.pbtxt";
  std::optional<inference::ModelConfig> stated;
  if (fs::exists(config_file)) stated = parse_model_config(config_file);
  const std::string filename = stated && !stated->default_model_filename().empty()
                                   ? stated->default_model_filename()
                                   : "model.onnx";
  std::set<int64_t> available;
  for (const fs::directory_entry& entry : fs::directory_iterator(folder))
    if (is_version_folder(entry) && fs::exists(entry.path() / filename))
      available.insert(std::stoll(entry.path().filename().string()));
  if (available.empty())
    serve_fail(kBadRequest, "model '{}': no version folder with {} in '{}' (expected {}/1/{})",
               name, filename, folder.string(), folder.string(), filename);
  inference::ModelConfig policy_source = stated ? *stated : inference::ModelConfig();
  std::set<int64_t> versions = select_versions(policy_source, available);
  if (versions.empty())
    serve_fail(kBadRequest, "model '{}': version_policy selects none of the versions on disk",
               name);

  auto model = std::make_shared<LoadedModel>();
  model->name = name;
  SessionOptions session_options;
  session_options.intra_op_num_threads = options_.threads_per_instance;
  bool have_config = false;
  for (int64_t number : versions) {
    const fs::path path = folder / std::to_string(number) / filename;
    auto first = std::make_shared<const InferenceSession>(
        path, std::vector<std::string>{"CPUExecutionProvider"}, session_options);
    if (!have_config) {
      if (stated) {
        model->config = *stated;
        complete_model_config(model->config, name, *first, config_file.string());
      } else {
        model->config = derive_model_config(name, *first);
      }
      have_config = true;
    }
    auto version = std::make_shared<ModelVersion>();
    version->version = number;
    version->session = first;
    version->stats = std::make_shared<ModelStats>();
    std::vector<std::shared_ptr<const InferenceSession>> instances{first};
    for (int i = 1; i < instance_count(model->config); ++i)
      instances.push_back(std::make_shared<const InferenceSession>(
          path, std::vector<std::string>{"CPUExecutionProvider"}, session_options));
    version->scheduler = std::make_unique<Scheduler>(
        std::move(instances), scheduler_options(model->config, options_), version->stats);
    model->versions[number] = std::move(version);
  }
  return model;
}

int ModelRepository::load_all() {
  std::vector<std::string> names;
  for (const fs::directory_entry& entry : fs::directory_iterator(root_))
    if (entry.is_directory() && entry.path().filename().string()[0] != '.')
      names.push_back(entry.path().filename().string());
  std::sort(names.begin(), names.end());
  int failed = 0;
  for (const std::string& name : names) {
    try {
      load(name);
      log_info("serve: loaded model '{}'", name);
    } catch (const std::exception& e) {
      ++failed;
      log_warning("serve: model '{}' failed to load: {}", name, e.what());
    }
  }
  return failed;
}

void ModelRepository::load(const std::string& name) {
  if (name.empty() || name.find('/') != std::string::npos || name == "." || name == "..")
    serve_fail(kBadRequest, "'{}' is not a model name", name);
  std::lock_guard<std::mutex> serial(load_mutex_);
  {
    std::lock_guard<std::mutex> lock(mutex_);
    Slot& slot = slots_[name];
    if (!slot.model) slot.state = ModelState::kLoading;
  }
  try {
    std::shared_ptr<const LoadedModel> model = build(name);
    std::lock_guard<std::mutex> lock(mutex_);
    slots_[name] = Slot{ModelState::kReady, "", std::move(model)};
  } catch (const std::exception& e) {
    std::lock_guard<std::mutex> lock(mutex_);
    Slot& slot = slots_[name];
    if (!slot.model) {
      slot.state = ModelState::kUnavailable;
      slot.reason = e.what();
    }
    if (const auto* serve_error = dynamic_cast<const ServeError*>(&e)) throw *serve_error;
    serve_fail(kBadRequest, "failed to load '{}': {}", name, e.what());
  }
}

void ModelRepository::unload(const std::string& name) {
  std::lock_guard<std::mutex> serial(load_mutex_);
  std::shared_ptr<const LoadedModel> old;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = slots_.find(name);
    if (it == slots_.end()) serve_fail(kBadRequest, "unknown model '{}'", name);
    old = std::move(it->second.model);
    it->second = Slot{ModelState::kUnavailable, "unloaded", nullptr};
  }
  // `old` is released here; requests still holding it finish on it.
}

std::shared_ptr<const LoadedModel> ModelRepository::find(const std::string& name) const {
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = slots_.find(name);
  if (it == slots_.end()) serve_fail(kNotFound, "unknown model '{}'", name);
  if (!it->second.model)
    serve_fail(kUnavailable, "model '{}' is not ready ({})", name,
               it->second.reason.empty() ? model_state_name(it->second.state) : it->second.reason);
  return it->second.model;
}

std::shared_ptr<ModelVersion> ModelRepository::version_of(const LoadedModel& model,
                                                          const std::string& version) {
  if (version.empty()) return model.versions.rbegin()->second;
  int64_t number = -1;
  if (!version.empty() && version.size() < 19 &&
      std::all_of(version.begin(), version.end(), [](unsigned char c) { return std::isdigit(c); }))
    number = std::stoll(version);
  auto it = model.versions.find(number);
  if (it == model.versions.end()) {
    std::vector<std::string> loaded;
    for (const auto& [n, unused] : model.versions) loaded.push_back(std::to_string(n));
    serve_fail(kNotFound, "model '{}' has no version '{}' loaded (loaded: {})", model.name, version,
               fmt::join(loaded, ", "));
  }
  return it->second;
}

std::vector<RepositoryEntry> ModelRepository::index() const {
  std::set<std::string> names;
  for (const fs::directory_entry& entry : fs::directory_iterator(root_))
    if (entry.is_directory() && entry.path().filename().string()[0] != '.')
      names.insert(entry.path().filename().string());
  std::lock_guard<std::mutex> lock(mutex_);
  for (const auto& [name, unused] : slots_) names.insert(name);
  std::vector<RepositoryEntry> entries;
  for (const std::string& name : names) {
    auto it = slots_.find(name);
    if (it == slots_.end()) {
      entries.push_back({name, "", ModelState::kUnavailable, "not loaded"});
    } else if (!it->second.model) {
      entries.push_back({name, "", it->second.state, it->second.reason});
    } else {
      for (const auto& [number, unused] : it->second.model->versions)
        entries.push_back({name, std::to_string(number), ModelState::kReady, ""});
    }
  }
  return entries;
}

std::vector<std::shared_ptr<const LoadedModel>> ModelRepository::loaded() const {
  std::lock_guard<std::mutex> lock(mutex_);
  std::vector<std::shared_ptr<const LoadedModel>> models;
  for (const auto& [name, slot] : slots_)
    if (slot.model) models.push_back(slot.model);
  return models;
}

bool ModelRepository::all_ready() const {
  std::lock_guard<std::mutex> lock(mutex_);
  for (const auto& [name, slot] : slots_)
    if (!slot.model && slot.reason != "unloaded") return false;
  return true;
}

}  // namespace flowonnx::serve
