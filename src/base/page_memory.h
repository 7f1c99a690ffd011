// Anonymous memory mapped on its own, for large buffers. glibc's malloc keeps freed blocks
// below its mmap threshold in the heap, and that threshold rises to the size of the largest
// block freed so far: once a model's weights were folded and prepacked, ResNet-34's session held
// 67 MB of freed, never returned initializer memory (peak RSS 243 MB; 189 MB with its large
// tensors mapped like this). A mapping goes back to the system when it is released.
#pragma once

#include <cstddef>

namespace flowonnx {

// Zeroed memory for `bytes` (> 0) bytes, whole pages, starting at a multiple of `alignment` (a
// power of two; at most the page size costs nothing extra). nullptr when the system refuses.
void* map_pages(size_t bytes, size_t alignment);

// Returns memory from map_pages(bytes, ...) to the system.
void unmap_pages(void* data, size_t bytes);

}  // namespace flowonnx
