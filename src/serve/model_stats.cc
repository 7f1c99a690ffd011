#include "serve/model_stats.h"

#include <chrono>

namespace flowonnx::serve {
namespace {

nlohmann::json duration_json(const Duration& duration) {
  return {{"count", duration.count}, {"ns", duration.ns}};
}

uint64_t now_ms() {
  return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                   std::chrono::system_clock::now().time_since_epoch())
                                   .count());
}

}  // namespace

void Histogram::add(uint64_t elapsed_ns) {
  double seconds = static_cast<double>(elapsed_ns) * 1e-9;
  size_t bucket = 0;
  while (bucket < kLatencyBuckets.size() && seconds > kLatencyBuckets[bucket]) ++bucket;
  ++counts[bucket];
  sum_seconds += seconds;
}

void ModelStats::record_request(bool ok, uint64_t total_ns, uint64_t queue_ns) {
  std::lock_guard<std::mutex> lock(mutex_);
  (ok ? stats_.success : stats_.fail).add(total_ns);
  stats_.request_histogram.add(total_ns);
  if (ok) {
    stats_.queue.add(queue_ns);
    stats_.queue_histogram.add(queue_ns);
  }
}

void ModelStats::record_execution(int64_t batch_size, uint64_t input_ns, uint64_t infer_ns,
                                  uint64_t output_ns) {
  std::lock_guard<std::mutex> lock(mutex_);
  stats_.last_inference_ms = now_ms();
  stats_.inference_count += static_cast<uint64_t>(batch_size);
  ++stats_.execution_count;
  stats_.compute_input.add(input_ns);
  stats_.compute_infer.add(infer_ns);
  stats_.compute_output.add(output_ns);
  stats_.compute_histogram.add(input_ns + infer_ns + output_ns);
  BatchDurations& batch = stats_.batches[batch_size];
  batch.compute_input.add(input_ns);
  batch.compute_infer.add(infer_ns);
  batch.compute_output.add(output_ns);
}

ModelStatsSnapshot ModelStats::snapshot() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return stats_;
}

nlohmann::json stats_json(const std::string& name, const std::string& version,
                          const ModelStatsSnapshot& stats) {
  nlohmann::json batches = nlohmann::json::array();
  for (const auto& [size, durations] : stats.batches)
    batches.push_back({{"batch_size", size},
                       {"compute_input", duration_json(durations.compute_input)},
                       {"compute_infer", duration_json(durations.compute_infer)},
                       {"compute_output", duration_json(durations.compute_output)}});
  return {{"name", name},
          {"version", version},
          {"last_inference", stats.last_inference_ms},
          {"inference_count", stats.inference_count},
          {"execution_count", stats.execution_count},
          {"inference_stats",
           {{"success", duration_json(stats.success)},
            {"fail", duration_json(stats.fail)},
            {"queue", duration_json(stats.queue)},
            {"compute_input", duration_json(stats.compute_input)},
            {"compute_infer", duration_json(stats.compute_infer)},
            {"compute_output", duration_json(stats.compute_output)},
            {"cache_hit", duration_json({})},
            {"cache_miss", duration_json({})}}},
          {"batch_stats", batches}};
}

}  // namespace flowonnx::serve
