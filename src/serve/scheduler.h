// Runs the requests of one model version on its instances (one InferenceSession
// and one worker thread each). With dynamic batching, a worker that takes a
// request from the queue also takes the queued requests that can share its
// batch (same inputs, dtypes and non-batch dims), up to max_batch_size, waiting
// at most max_queue_delay after the first one arrived for more (or stopping
// early at a preferred batch size); the merged batch runs once and each request
// gets its rows of the outputs back. Without it, each request runs alone.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "runtime/session.h"
#include "serve/model_stats.h"
#include "tensor/tensor.h"

namespace flowonnx::serve {

struct SchedulerOptions {
  // > 0: inputs and outputs carry a batch dim first, and requests may be merged
  // along it.
  int max_batch_size = 0;
  bool dynamic_batching = false;
  std::chrono::microseconds max_queue_delay{0};
  std::vector<int> preferred_batch_sizes;
  // Requests waiting at most; one more is refused with 503. 0: no bound.
  size_t max_queue_size = 0;
  // A request still queued after this long fails with 503 instead of running.
  // 0: no limit.
  std::chrono::microseconds queue_timeout{0};
};

class Scheduler {
 public:
  Scheduler(std::vector<std::shared_ptr<const InferenceSession>> instances,
            SchedulerOptions options, std::shared_ptr<ModelStats> stats);
  // Stops taking requests, runs what is queued, joins the workers.
  ~Scheduler();
  Scheduler(const Scheduler&) = delete;
  Scheduler& operator=(const Scheduler&) = delete;

  // Runs one request (a tensor for every model input) and returns every model
  // output, in the model's order. Blocks until done. Throws ServeError (queue
  // full, timed out, model cannot be batched) or the session's flowonnx::Error.
  std::vector<Tensor> infer(std::map<std::string, Tensor> inputs);

 private:
  struct Pending;
  using Batch = std::vector<std::shared_ptr<Pending>>;

  void worker_loop(const InferenceSession& session);
  Batch take_batch(std::unique_lock<std::mutex>& lock);
  void execute(const InferenceSession& session, Batch& batch);
  bool is_preferred(int64_t rows) const;

  const SchedulerOptions options_;
  const std::shared_ptr<ModelStats> stats_;
  std::vector<std::shared_ptr<const InferenceSession>> instances_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<std::shared_ptr<Pending>> queue_;
  bool stopping_ = false;
  std::vector<std::thread> workers_;
};

}  // namespace flowonnx::serve
