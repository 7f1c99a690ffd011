#include "serve/metrics.h"

#include <fmt/format.h>

#include <functional>

namespace flowonnx::serve {
namespace {

struct Series {
  std::string labels;  // model="m",version="1"
  ModelStatsSnapshot stats;
};

void counter(std::string& out, const char* name, const char* help,
             const std::vector<Series>& series,
             const std::function<uint64_t(const ModelStatsSnapshot&)>& value) {
  out += fmt::format("# HELP {} {}\n# TYPE {} counter\n", name, help, name);
  for (const Series& s : series)
    out += fmt::format("{}{{{}}} {}\n", name, s.labels, value(s.stats));
}

void histogram(std::string& out, const char* name, const char* help,
               const std::vector<Series>& series,
               const std::function<const Histogram&(const ModelStatsSnapshot&)>& pick) {
  out += fmt::format("# HELP {} {}\n# TYPE {} histogram\n", name, help, name);
  for (const Series& s : series) {
    const Histogram& h = pick(s.stats);
    uint64_t cumulative = 0;
    for (size_t i = 0; i < h.counts.size(); ++i) {
      cumulative += h.counts[i];
      std::string le = i < kLatencyBuckets.size() ? fmt::format("{}", kLatencyBuckets[i]) : "+Inf";
      out += fmt::format("{}_bucket{{{},le=\"{}\"}} {}\n", name, s.labels, le, cumulative);
    }
    out += fmt::format("{}_sum{{{}}} {}\n{}_count{{{}}} {}\n", name, s.labels, h.sum_seconds, name,
                       s.labels, cumulative);
  }
}

}  // namespace

std::string prometheus_text(const ModelRepository& repository) {
  std::vector<Series> series;
  for (const auto& model : repository.loaded())
    for (const auto& [number, version] : model->versions)
      series.push_back({fmt::format("model=\"{}\",version=\"{}\"", model->name, number),
                        version->stats->snapshot()});
  std::string out;
  counter(out, "nv_inference_request_success", "Number of successful inference requests", series,
          [](const ModelStatsSnapshot& s) { return s.success.count; });
  counter(out, "nv_inference_request_failure", "Number of failed inference requests", series,
          [](const ModelStatsSnapshot& s) { return s.fail.count; });
  counter(out, "nv_inference_count", "Number of inferences performed (batch elements)", series,
          [](const ModelStatsSnapshot& s) { return s.inference_count; });
  counter(out, "nv_inference_exec_count", "Number of model executions (batches)", series,
          [](const ModelStatsSnapshot& s) { return s.execution_count; });
  counter(out, "nv_inference_request_duration_us", "Cumulative request duration in microseconds",
          series, [](const ModelStatsSnapshot& s) { return (s.success.ns + s.fail.ns) / 1000; });
  counter(out, "nv_inference_queue_duration_us", "Cumulative queue duration in microseconds",
          series, [](const ModelStatsSnapshot& s) { return s.queue.ns / 1000; });
  counter(out, "nv_inference_compute_infer_duration_us",
          "Cumulative model execution duration in microseconds", series,
          [](const ModelStatsSnapshot& s) { return s.compute_infer.ns / 1000; });
  histogram(out, "flowonnx_queue_duration_seconds", "Time requests waited in the queue", series,
            [](const ModelStatsSnapshot& s) -> const Histogram& { return s.queue_histogram; });
  histogram(out, "flowonnx_compute_duration_seconds",
            "Time of each execution: gathering inputs, running, splitting outputs", series,
            [](const ModelStatsSnapshot& s) -> const Histogram& { return s.compute_histogram; });
  histogram(out, "flowonnx_request_duration_seconds", "Time from queueing to the result", series,
            [](const ModelStatsSnapshot& s) -> const Histogram& { return s.request_histogram; });
  out +=
      "# HELP flowonnx_batch_executions Model executions by batch size\n"
      "# TYPE flowonnx_batch_executions counter\n";
  for (const Series& s : series)
    for (const auto& [size, durations] : s.stats.batches)
      out += fmt::format("flowonnx_batch_executions{{{},batch_size=\"{}\"}} {}\n", s.labels, size,
                         durations.compute_infer.count);
  return out;
}

}  // namespace flowonnx::serve
