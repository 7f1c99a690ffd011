#include "serve/scheduler.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cstring>
#include <exception>
#include <future>

#include "serve/serve_error.h"

namespace flowonnx::serve {

using Clock = std::chrono::steady_clock;

struct Scheduler::Pending {
  std::map<std::string, Tensor> inputs;
  int64_t rows = 1;       // batch-dim size (1 for a model without batching)
  std::string signature;  // requests with the same one can share a batch
  Clock::time_point arrived;
  Clock::time_point started;
  std::promise<std::vector<Tensor>> result;
};

namespace {

uint64_t elapsed_ns(Clock::time_point from, Clock::time_point to) {
  return static_cast<uint64_t>(
      std::chrono::duration_cast<std::chrono::nanoseconds>(to - from).count());
}

// Input names, dtypes and every dim after the batch dim.
std::string batch_signature(const std::map<std::string, Tensor>& inputs) {
  std::string signature;
  for (const auto& [name, tensor] : inputs) {
    Shape rest(tensor.shape().begin() + (tensor.rank() > 0 ? 1 : 0), tensor.shape().end());
    signature += fmt::format("{}:{}:[{}];", name, dtype_name(tensor.dtype()), fmt::join(rest, ","));
  }
  return signature;
}

// The tensors of `parts` (same dtype, same dims after the first) joined along
// dim 0.
Tensor concat_rows(const std::vector<const Tensor*>& parts) {
  Shape shape = parts.front()->shape();
  shape[0] = 0;
  for (const Tensor* part : parts) shape[0] += part->dim(0);
  Tensor joined(shape, parts.front()->dtype());
  auto* out = static_cast<char*>(joined.raw_data());
  for (const Tensor* part : parts) {
    std::memcpy(out, part->raw_data(), part->nbytes());
    out += part->nbytes();
  }
  return joined;
}

// Rows [begin, begin + count) of `tensor`, copied.
Tensor slice_rows(const Tensor& tensor, int64_t begin, int64_t count) {
  Shape shape = tensor.shape();
  const size_t row_bytes = shape[0] == 0 ? 0 : tensor.nbytes() / static_cast<size_t>(shape[0]);
  shape[0] = count;
  Tensor slice(shape, tensor.dtype());
  std::memcpy(slice.raw_data(), static_cast<const char*>(tensor.raw_data()) + begin * row_bytes,
              static_cast<size_t>(count) * row_bytes);
  return slice;
}

}  // namespace

Scheduler::Scheduler(std::vector<std::shared_ptr<const InferenceSession>> instances,
                     SchedulerOptions options, std::shared_ptr<ModelStats> stats)
    : options_(std::move(options)), stats_(std::move(stats)), instances_(std::move(instances)) {
  for (const auto& session : instances_)
    workers_.emplace_back([this, session] { worker_loop(*session); });
}

Scheduler::~Scheduler() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  for (std::thread& worker : workers_) worker.join();
}

std::vector<Tensor> Scheduler::infer(std::map<std::string, Tensor> inputs) {
  auto pending = std::make_shared<Pending>();
  if (options_.max_batch_size > 0) {
    // The HTTP/gRPC layers check shapes against the config; this guards direct
    // callers.
    for (const auto& [name, tensor] : inputs)
      if (tensor.rank() == 0 || tensor.dim(0) < 1 || tensor.dim(0) > options_.max_batch_size)
        serve_fail(kBadRequest, "input '{}': batch size (first dim of {}) must be in [1, {}]", name,
                   tensor.describe(), options_.max_batch_size);
    pending->rows = inputs.begin()->second.dim(0);
    for (const auto& [name, tensor] : inputs)
      if (tensor.dim(0) != pending->rows)
        serve_fail(kBadRequest, "inputs disagree on the batch size: '{}' has {}, '{}' has {}",
                   inputs.begin()->first, pending->rows, name, tensor.dim(0));
  }
  pending->signature = batch_signature(inputs);
  pending->inputs = std::move(inputs);
  pending->arrived = Clock::now();
  std::future<std::vector<Tensor>> result = pending->result.get_future();
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (stopping_) serve_fail(kUnavailable, "the model is being unloaded");
    if (options_.max_queue_size > 0 && queue_.size() >= options_.max_queue_size)
      serve_fail(kUnavailable, "the model's queue is full ({} requests waiting)", queue_.size());
    queue_.push_back(pending);
  }
  wake_.notify_all();
  bool ok = false;
  try {
    std::vector<Tensor> outputs = result.get();
    ok = true;
    stats_->record_request(true, elapsed_ns(pending->arrived, Clock::now()),
                           elapsed_ns(pending->arrived, pending->started));
    return outputs;
  } catch (...) {
    if (!ok) stats_->record_request(false, elapsed_ns(pending->arrived, Clock::now()), 0);
    throw;
  }
}

bool Scheduler::is_preferred(int64_t rows) const {
  return std::find(options_.preferred_batch_sizes.begin(), options_.preferred_batch_sizes.end(),
                   rows) != options_.preferred_batch_sizes.end();
}

Scheduler::Batch Scheduler::take_batch(std::unique_lock<std::mutex>& lock) {
  Batch batch{queue_.front()};
  queue_.pop_front();
  int64_t rows = batch.front()->rows;
  if (!options_.dynamic_batching || options_.max_batch_size <= 0) return batch;
  const Clock::time_point deadline = batch.front()->arrived + options_.max_queue_delay;
  const std::string& signature = batch.front()->signature;
  while (true) {
    for (auto it = queue_.begin(); it != queue_.end() && rows < options_.max_batch_size;) {
      if ((*it)->signature == signature && rows + (*it)->rows <= options_.max_batch_size) {
        rows += (*it)->rows;
        batch.push_back(*it);
        it = queue_.erase(it);
      } else {
        ++it;
      }
    }
    if (rows >= options_.max_batch_size || is_preferred(rows) || stopping_) break;
    if (Clock::now() >= deadline) break;
    wake_.wait_until(lock, deadline);
  }
  return batch;
}

void Scheduler::worker_loop(const InferenceSession& session) {
  std::unique_lock<std::mutex> lock(mutex_);
  while (true) {
    wake_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
    if (queue_.empty()) return;  // stopping, and everything queued has run
    Batch batch = take_batch(lock);
    lock.unlock();
    execute(session, batch);
    lock.lock();
  }
}

void Scheduler::execute(const InferenceSession& session, Batch& batch) {
  const Clock::time_point start = Clock::now();
  // Requests that waited past the queue timeout fail instead of running.
  if (options_.queue_timeout.count() > 0) {
    Batch live;
    for (auto& pending : batch) {
      if (start - pending->arrived > options_.queue_timeout) {
        pending->started = start;
        pending->result.set_exception(std::make_exception_ptr(ServeError(
            kUnavailable, fmt::format("the request waited longer than the queue timeout of {} us",
                                      options_.queue_timeout.count()))));
      } else {
        live.push_back(std::move(pending));
      }
    }
    batch.swap(live);
    if (batch.empty()) return;
  }
  int64_t rows = 0;
  for (auto& pending : batch) {
    pending->started = start;
    rows += pending->rows;
  }
  try {
    std::map<std::string, Tensor> feeds;
    if (batch.size() == 1) {
      feeds = std::move(batch.front()->inputs);
    } else {
      for (const auto& [name, first] : batch.front()->inputs) {
        std::vector<const Tensor*> parts;
        for (const auto& pending : batch) parts.push_back(&pending->inputs.at(name));
        feeds[name] = concat_rows(parts);
      }
    }
    const Clock::time_point gathered = Clock::now();
    std::vector<Tensor> outputs = session.run({}, feeds);
    const Clock::time_point ran = Clock::now();
    if (batch.size() == 1) {
      batch.front()->result.set_value(std::move(outputs));
    } else {
      for (size_t k = 0; k < outputs.size(); ++k)
        if (outputs[k].rank() == 0 || outputs[k].dim(0) != rows)
          serve_fail(kInternalError,
                     "output '{}' is {} for a batch of {}: its first dim is "
                     "not the batch dim, so "
                     "the model cannot be batched (set max_batch_size: 0 in "
                     "config.pbtxt)",
                     session.get_outputs().at(k).name, outputs[k].describe(), rows);
      int64_t begin = 0;
      for (auto& pending : batch) {
        std::vector<Tensor> mine;
        for (const Tensor& output : outputs)
          mine.push_back(slice_rows(output, begin, pending->rows));
        begin += pending->rows;
        pending->result.set_value(std::move(mine));
      }
    }
    stats_->record_execution(options_.max_batch_size > 0 ? rows : 1, elapsed_ns(start, gathered),
                             elapsed_ns(gathered, ran), elapsed_ns(ran, Clock::now()));
  } catch (...) {
    std::exception_ptr error = std::current_exception();
    for (auto& pending : batch) {
      try {
        pending->result.set_exception(error);
      } catch (const std::future_error&) {
        // this request already has its result (a later one failed while
        // splitting)
      }
    }
  }
}

}  // namespace flowonnx::serve
