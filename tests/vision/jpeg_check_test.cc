// check_jpeg_intact: a truncated JPEG is an error naming the file; an intact one, and one with
// bytes after its end-of-image marker (as some cameras append), pass.
#include "vision/jpeg_check.h"

#include <gtest/gtest.h>

#include "base/error.h"
#include "base/file_util.h"

namespace flowonnx::vision {
namespace {

std::string cat_jpeg() { return read_file(std::string(FLOWONNX_SOURCE_DIR) + "/data/cat.jpg"); }

TEST(JpegCheck, IntactFilePasses) {
  const std::string bytes = cat_jpeg();
  ASSERT_TRUE(looks_like_jpeg(bytes));
  EXPECT_NO_THROW(check_jpeg_intact("cat.jpg", bytes));
  EXPECT_NO_THROW(check_jpeg_intact("cat.jpg", bytes + "trailing bytes after EOI"));
}

TEST(JpegCheck, TruncatedFileIsAnErrorNamingIt) {
  const std::string bytes = cat_jpeg();
  for (size_t keep : {size_t{200}, bytes.size() / 2, bytes.size() - 2}) {
    try {
      check_jpeg_intact("half.jpg", bytes.substr(0, keep));
      ADD_FAILURE() << "no error for the first " << keep << " bytes";
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find("image half.jpg: corrupt JPEG: Premature end of JPEG "
                                           "file"),
                std::string::npos)
          << e.what();
    }
  }
}

TEST(JpegCheck, OnlyJpegSignaturesAreChecked) {
  EXPECT_FALSE(looks_like_jpeg("\x89PNG\r\n"));
  EXPECT_FALSE(looks_like_jpeg(""));
}

}  // namespace
}  // namespace flowonnx::vision
