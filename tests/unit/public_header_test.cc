// The tutorial's flow through the one public header, as a user writes it.
#include <flowonnx/flowonnx.h>
#include <gtest/gtest.h>

#include <filesystem>

namespace fo = flowonnx;

TEST(PublicHeaderTest, TutorialStepsCompileAndRun) {
  namespace fs = std::filesystem;
  fs::path dir = fs::temp_directory_path() / ("flowonnx_public_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  fo::save(fo::models::resnet18()->state_dict(), dir / "resnet18");

  auto model = fo::models::resnet18();
  model->load_state_dict(fo::load(dir / "resnet18"));
  model->eval();
  fo::nn::ModuleGraph graph("ResNet18Graph", model);
  graph.compile({fo::randn({1, 3, 32, 32})});
  fo::ExportOptions options;
  options.onnx_model_path = dir.string();
  options.dynamic_batch_size = true;
  options.flow_weight_dir = (dir / "resnet18").string();
  fs::path path = fo::export_onnx_model(graph, options);

  fo::InferenceSession session(path.string(), {"CUDAExecutionProvider", "CPUExecutionProvider"});
  std::string name = session.get_inputs()[0].name;
  EXPECT_EQ(name, graph.ir_graph().inputs[0]);
  fo::Tensor x = fo::randn({2, 3, 32, 32});
  std::vector<fo::Tensor> out = session.run({}, {{name, x}});
  std::vector<double> expected = model->forward(x).to_double_vector(), got = out[0].to_double_vector();
  ASSERT_EQ(got.size(), expected.size());
  for (size_t i = 0; i < got.size(); ++i) EXPECT_NEAR(got[i], expected[i], 1e-4 + 1e-4 * std::abs(expected[i]));
  fs::remove_all(dir);
}
