// Image classification with an ONNX model, the tutorial's last step: find the image input
// ([N, 3, H, W] float), preprocess the images for it, run the session, and take the top-k of the
// first output.
#pragma once

#include <opencv2/core.hpp>
#include <string>
#include <vector>

#include "runtime/session.h"
#include "vision/preprocess.h"
#include "vision/topk.h"

namespace flowonnx::vision {

// The model's image input. Dims that are symbolic or unknown are 0.
struct ImageInput {
  std::string name;  // "_ResNet34Graph_0-input_0/out"
  int64_t batch = 0, channels = 0, height = 0, width = 0;
};

// The first input of `session`, validated as image-like: float, rank 4, 3 channels when the
// channel dim is known. Throws InvalidArgument naming the input and its shape otherwise.
ImageInput find_image_input(const InferenceSession& session);

struct ClassifyOptions {
  // Its height/width are used only where the model's own H/W are not fixed.
  PreprocessOptions preprocess;
  int top = 5;
  SoftmaxMode softmax = SoftmaxMode::Auto;
};

struct Classification {
  ImageInput input;
  PreprocessOptions preprocess;  // what was applied (the model's H/W filled in)
  Shape output_shape;            // of one run, e.g. [1, 1000]
  int64_t num_classes = 0;
  TopK top;  // one row per image, in order
};

// Classifies the images in one batch when the model's batch is dynamic (or equals their count),
// one at a time when it is fixed at 1.
Classification classify_images(const InferenceSession& session, const std::vector<cv::Mat>& images,
                               const ClassifyOptions& options = {});

}  // namespace flowonnx::vision
