#include "serve/infer_call.h"

#include "serve/request_check.h"

namespace flowonnx::serve {

InferResult run_inference(ModelRepository& repository, const std::string& model_name,
                          const std::string& version,
                          std::vector<std::pair<std::string, Tensor>> inputs,
                          const std::vector<std::string>& requested) {
  // Holding the model and version keeps them alive until this request is done, even if they
  // are unloaded or replaced meanwhile.
  std::shared_ptr<const LoadedModel> model = repository.find(model_name);
  std::shared_ptr<ModelVersion> loaded = ModelRepository::version_of(*model, version);
  std::map<std::string, Tensor> feeds = check_request_inputs(model->config, std::move(inputs));

  std::vector<std::string> output_names;
  for (const NodeArg& arg : loaded->session->get_outputs()) output_names.push_back(arg.name);
  std::vector<size_t> wanted;
  if (requested.empty()) {
    for (const inference::ModelOutput& output : model->config.output())
      wanted.push_back(requested_output_index(model->config, output_names, output.name()));
  } else {
    for (const std::string& name : requested)
      wanted.push_back(requested_output_index(model->config, output_names, name));
  }
  std::vector<Tensor> results = loaded->scheduler->infer(std::move(feeds));
  InferResult result{model->name, std::to_string(loaded->version), {}};
  for (size_t index : wanted) result.outputs.push_back({output_names[index], results.at(index)});
  return result;
}

}  // namespace flowonnx::serve
