// The models of a Triton-layout repository folder
// (DIR/<model>/<version>/model.onnx, optional DIR/<model>/config.pbtxt),
// loaded, replaced and unloaded while requests are served. A request holds a
// shared_ptr to the version it runs on, so unloading or replacing a model never
// drops a request in flight: the old version's scheduler drains and goes away
// with its last request. Each model loads outside the lock, so loading one
// model never stalls requests for another.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "model_config.pb.h"
#include "runtime/session.h"
#include "serve/model_stats.h"
#include "serve/scheduler.h"

namespace flowonnx::serve {

struct RepositoryOptions {
  // intra_op_num_threads of every instance's session (0: the OpenMP default).
  int threads_per_instance = 0;
  // Queue bound and timeout when a config does not set default_queue_policy.
  size_t max_queue_size = 1024;
  std::chrono::microseconds queue_timeout{0};
};

struct ModelVersion {
  int64_t version = 0;
  std::shared_ptr<const InferenceSession> session;  // instance 0, for metadata
  std::shared_ptr<ModelStats> stats;
  std::unique_ptr<Scheduler> scheduler;
};

struct LoadedModel {
  std::string name;
  inference::ModelConfig config;
  std::map<int64_t, std::shared_ptr<ModelVersion>> versions;
};

enum class ModelState { kReady, kUnavailable, kLoading };
const char* model_state_name(ModelState state);

struct RepositoryEntry {
  std::string name;
  std::string version;  // empty when not loaded
  ModelState state = ModelState::kUnavailable;
  std::string reason;  // why unavailable ("unloaded", the load error)
};

class ModelRepository {
 public:
  ModelRepository(std::filesystem::path root, RepositoryOptions options);
  ~ModelRepository();

  // Loads every model folder; one that fails stays UNAVAILABLE with its error
  // as the reason (logged), the others are served. Returns the number that
  // failed.
  int load_all();
  // (Re)loads `name` from disk: the new versions replace the old ones only once
  // they are ready. Throws ServeError 400 with the reason when it fails (the
  // old ones stay).
  void load(const std::string& name);
  // Unloads `name`; requests already running finish. ServeError 400 for an
  // unknown model.
  void unload(const std::string& name);

  // The model for a request; ServeError 404 (unknown) or 503 (not ready).
  std::shared_ptr<const LoadedModel> find(const std::string& name) const;
  // `version` empty: the highest loaded one.
  static std::shared_ptr<ModelVersion> version_of(const LoadedModel& model,
                                                  const std::string& version);

  // Every model folder on disk and every model loaded, as the repository index
  // lists them.
  std::vector<RepositoryEntry> index() const;
  // Every loaded model, for statistics and metrics.
  std::vector<std::shared_ptr<const LoadedModel>> loaded() const;
  // True when every model folder found at startup loaded.
  bool all_ready() const;

 private:
  struct Slot {
    ModelState state = ModelState::kUnavailable;
    std::string reason;
    std::shared_ptr<const LoadedModel> model;
  };
  std::shared_ptr<const LoadedModel> build(const std::string& name) const;

  const std::filesystem::path root_;
  const RepositoryOptions options_;
  mutable std::mutex mutex_;
  std::map<std::string, Slot> slots_;
  std::mutex load_mutex_;  // one load or unload at a time
};

}  // namespace flowonnx::serve
