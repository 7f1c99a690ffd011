// The tutorial's image pipeline for Python: cv2.imread(path, IMREAD_COLOR) and preprocess_image
// over numpy arrays, computed by src/vision (bit for bit the tutorial's numpy/cv2 arithmetic).
#include <nanobind/stl/string.h>
#include <nanobind/stl/tuple.h>

#include "bindings.h"
#include "vision/image.h"
#include "vision/preprocess.h"

namespace flowonnx::python {

void bind_vision(nb::module_& m) {
  m.def(
      "read_image",
      [](const std::string& path) {
        cv::Mat image = vision::read_image(path);  // 8-bit BGR, continuous
        Tensor out({image.rows, image.cols, 3}, DType::UInt8);
        for (int y = 0; y < image.rows; ++y)
          std::memcpy(static_cast<uint8_t*>(out.raw_data()) + size_t{3} * image.cols * y,
                      image.ptr(y), size_t{3} * image.cols);
        return to_numpy(out);
      },
      "path"_a, "The image as cv2.imread(path, cv2.IMREAD_COLOR): uint8 [H, W, 3], BGR.");
  m.def(
      "preprocess_image",
      [](nb::handle image, std::tuple<int64_t, int64_t> input_hw, bool rgb) {
        Tensor pixels = as_tensor(image, "img");
        FLOWONNX_REQUIRE(pixels.dtype() == DType::UInt8 && pixels.rank() == 3 && pixels.dim(2) == 3,
                         "preprocess_image: img must be a uint8 [H, W, 3] BGR image (as cv2.imread "
                         "gives), got {}",
                         pixels.describe());
        cv::Mat mat(static_cast<int>(pixels.dim(0)), static_cast<int>(pixels.dim(1)), CV_8UC3,
                    pixels.raw_data());
        vision::PreprocessOptions options;
        options.height = std::get<0>(input_hw);
        options.width = std::get<1>(input_hw);
        options.rgb = rgb;
        Tensor out;
        {
          nb::gil_scoped_release release;
          out = vision::preprocess_image(mat, options);
        }
        return to_numpy(out);
      },
      "img"_a, "input_hw"_a, "rgb"_a);
}

}  // namespace flowonnx::python
