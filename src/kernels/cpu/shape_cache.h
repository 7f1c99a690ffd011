// A small thread-safe cache of per-shape state (oneDNN primitives, prepacked weights), built on
// first use of a key and kept for the owner's lifetime. Entries are never evicted or moved, so a
// reference stays valid while the cache lives; lookups take a mutex, builds happen under it.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <vector>

namespace flowonnx::kernels {

template <typename Value>
class ShapeCache {
 public:
  using Key = std::vector<int64_t>;

  template <typename Build>
  const Value& get(const Key& key, Build&& build) const {
    std::lock_guard<std::mutex> lock(mutex_);
    auto found = entries_.find(key);
    if (found != entries_.end()) return *found->second;
    auto built = std::make_unique<Value>(build());
    const Value& result = *built;
    entries_.emplace(key, std::move(built));
    return result;
  }

 private:
  mutable std::mutex mutex_;
  mutable std::map<Key, std::unique_ptr<Value>> entries_;
};

}  // namespace flowonnx::kernels
