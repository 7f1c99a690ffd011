// Counters of one served model version, as Triton's statistics extension
// reports them (GET v2/models/M/stats) and the Prometheus metrics expose them:
// requests that succeeded or failed with their durations, the time requests
// waited in the queue and the time spent gathering inputs, running the model
// and splitting outputs, per executed batch size.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <vector>

namespace flowonnx::serve {

struct Duration {
  uint64_t count = 0;
  uint64_t ns = 0;
  void add(uint64_t elapsed_ns) {
    ++count;
    ns += elapsed_ns;
  }
};

// Upper bounds, in seconds, of the latency histograms' buckets (Prometheus
// `le`).
inline const std::vector<double> kLatencyBuckets = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
                                                    0.05,   0.1,   0.25,   0.5,   1.0,  2.5};

struct Histogram {
  std::vector<uint64_t> counts = std::vector<uint64_t>(kLatencyBuckets.size() + 1);  // last: +Inf
  double sum_seconds = 0;
  void add(uint64_t elapsed_ns);
};

struct BatchDurations {
  Duration compute_input, compute_infer, compute_output;
};

// A consistent copy of the counters.
struct ModelStatsSnapshot {
  uint64_t last_inference_ms = 0;  // since the epoch; 0: never
  uint64_t inference_count = 0;    // batch elements inferred (rows), as Triton counts
  uint64_t execution_count = 0;    // model executions (one per batch)
  Duration success, fail, queue, compute_input, compute_infer, compute_output;
  Histogram queue_histogram, compute_histogram, request_histogram;
  std::map<int64_t, BatchDurations> batches;  // by executed batch size
};

class ModelStats {
 public:
  // A request finished: `ok`, after `total_ns` from arrival, of which
  // `queue_ns` waiting.
  void record_request(bool ok, uint64_t total_ns, uint64_t queue_ns);
  // One execution of `batch_size` rows (the sum of its requests' batch sizes).
  void record_execution(int64_t batch_size, uint64_t input_ns, uint64_t infer_ns,
                        uint64_t output_ns);
  ModelStatsSnapshot snapshot() const;

 private:
  mutable std::mutex mutex_;
  ModelStatsSnapshot stats_;
};

// Triton's JSON for one model version in the "model_stats" list.
nlohmann::json stats_json(const std::string& name, const std::string& version,
                          const ModelStatsSnapshot& stats);

}  // namespace flowonnx::serve
