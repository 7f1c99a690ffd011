// Prometheus metrics of every loaded model version, in the text exposition
// format, named as Triton names its counters (nv_inference_request_success,
// nv_inference_count, ...) plus histograms of queue, compute and request
// latency and a counter per executed batch size.
#pragma once

#include <string>

#include "serve/model_repository.h"

namespace flowonnx::serve {

std::string prometheus_text(const ModelRepository& repository);

}  // namespace flowonnx::serve
