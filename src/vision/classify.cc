#include "vision/classify.h"

#include "base/error.h"

namespace flowonnx::vision {
namespace {

int64_t static_dim(const NodeArg::DimValue& dim) {
  const int64_t* value = std::get_if<int64_t>(&dim);
  return value && *value > 0 ? *value : 0;
}

std::string describe_shape(const NodeArg& arg) {
  if (!arg.has_shape) return "unknown rank";
  std::string text = "[";
  for (size_t i = 0; i < arg.shape.size(); ++i) {
    if (i) text += ",";
    if (const std::string* symbol = std::get_if<std::string>(&arg.shape[i]))
      text += *symbol;
    else
      text += std::get<int64_t>(arg.shape[i]) < 0 ? "?"
                                                  : std::to_string(std::get<int64_t>(arg.shape[i]));
  }
  return text + "]";
}

}  // namespace

ImageInput find_image_input(const InferenceSession& session) {
  const std::vector<NodeArg>& inputs = session.get_inputs();
  FLOWONNX_REQUIRE(!inputs.empty(), "classify: the model has no inputs");
  const NodeArg& arg = inputs[0];
  const std::string what =
      fmt::format("input '{}' is {} {}", arg.name, arg.type, describe_shape(arg));
  FLOWONNX_REQUIRE(arg.type == "tensor(float)",
                   "classify: {}; expected a float image batch [N,3,H,W]", what);
  FLOWONNX_REQUIRE(arg.has_shape && arg.shape.size() == 4,
                   "classify: {}; expected a 4-D image batch [N,3,H,W]", what);
  ImageInput input{arg.name, static_dim(arg.shape[0]), static_dim(arg.shape[1]),
                   static_dim(arg.shape[2]), static_dim(arg.shape[3])};
  FLOWONNX_REQUIRE(input.channels == 0 || input.channels == 3,
                   "classify: {}; expected 3 colour channels in dim 1 ([N,3,H,W])", what);
  if (inputs.size() > 1)
    fail(ErrorCode::InvalidArgument,
         "classify: the model has {} inputs; an image classifier has one ({})", inputs.size(),
         what);
  return input;
}

Classification classify_images(const InferenceSession& session, const std::vector<cv::Mat>& images,
                               const ClassifyOptions& options) {
  FLOWONNX_REQUIRE(!images.empty(), "classify: no images");
  Classification result;
  result.input = find_image_input(session);
  result.preprocess = options.preprocess;
  if (result.input.height > 0) result.preprocess.height = result.input.height;
  if (result.input.width > 0) result.preprocess.width = result.input.width;

  const int64_t count = static_cast<int64_t>(images.size());
  const int64_t batch = result.input.batch;
  FLOWONNX_REQUIRE(batch == 0 || batch == 1 || batch == count,
                   "classify: the model's batch is fixed at {} ({}), {} images given", batch,
                   result.input.name, count);
  const std::string output_name = session.get_outputs().at(0).name;
  // A fixed batch of 1 runs image by image; otherwise one run for all.
  const int64_t step = batch == 1 ? 1 : count;
  std::vector<Tensor> rows;
  for (int64_t first = 0; first < count; first += step) {
    std::vector<cv::Mat> group(images.begin() + first, images.begin() + first + step);
    Tensor x = preprocess_images(group, result.preprocess);
    Tensor y = session.run({output_name}, {{result.input.name, x}}).at(0);
    FLOWONNX_REQUIRE(y.rank() >= 1 && y.dim(0) == step,
                     "classify: output '{}' is {}, expected one row of class scores per image",
                     output_name, y.describe());
    result.output_shape = y.shape();
    rows.push_back(y.reshape({step, -1}).to(DType::Float32));
  }
  result.num_classes = rows[0].dim(1);
  Tensor scores({count, result.num_classes});
  for (size_t i = 0; i < rows.size(); ++i)
    std::memcpy(scores.data<float>() + i * step * result.num_classes, rows[i].data<float>(),
                rows[i].nbytes());
  result.top = top_k(scores, options.top, options.softmax);
  return result;
}

}  // namespace flowonnx::vision
