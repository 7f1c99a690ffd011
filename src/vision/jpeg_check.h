// A truncated or corrupt JPEG must be an error, not a picture: libjpeg (inside OpenCV's imread)
// only warns "Premature end of JPEG file" on stderr and fills the missing rows with grey, so
// `classify` printed confident classes of half an image with exit 0. This decodes the file once
// more with libjpeg at 1/8 scale (every entropy-coded bit is still read, the DCT work is
// skipped: ~1% of a full decode) and turns libjpeg's data-corruption warnings into an error.
#pragma once

#include <filesystem>
#include <string>

namespace flowonnx::vision {

// True when `bytes` start with a JPEG's start-of-image marker (FF D8 FF).
bool looks_like_jpeg(const std::string& bytes);

// Throws InvalidArgument "image PATH: corrupt JPEG: <libjpeg's message>" when libjpeg reports the
// file ends early or its compressed data is damaged (premature end of file or of a data segment,
// a bad Huffman code, a lost restart marker). Harmless warnings (extra bytes
// before a marker, an unknown JFIF version) are not errors, as in Pillow.
void check_jpeg_intact(const std::filesystem::path& path, const std::string& bytes);

}  // namespace flowonnx::vision
